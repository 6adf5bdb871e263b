// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helpers shared by the harness modules (see ht-util.h).
 */
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <limits.h>
#include <string.h>
#include <time.h>

#include "ht-util.h"

static void oom(void)
{
	static const char msg[] = "isolab: out of memory\n";

	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

void *ht_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *ht_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *ht_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *ht_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom();
	return p;
}

char *ht_xvasprintf(const char *fmt, va_list ap)
{
	char *s = NULL;

	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	return s;
}

char *ht_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ht_xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

uint64_t ht_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int ht_remaining_ms(uint64_t deadline_ns)
{
	uint64_t now = ht_now_ns(), ms;

	if (now >= deadline_ns)
		return 0;
	ms = (deadline_ns - now + 999999) / 1000000;
	return ms > INT_MAX ? INT_MAX : (int)ms;
}

int ht_proc_starttime(pid_t pid, unsigned long long *ret)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/stat", (int)pid);
	_cleanup_free_ char *buf = NULL;
	char *p, *save = NULL, *tok;
	int r;

	r = ht_read_file(AT_FDCWD, path, &buf);
	if (r < 0)
		return r;
	/* comm (field 2) may hold spaces and parentheses: skip past the last ')'. */
	p = strrchr(buf, ')');
	if (!p)
		return -EIO;
	tok = strtok_r(p + 1, " ", &save); /* field 3 */
	for (int field = 3; tok; field++, tok = strtok_r(NULL, " ", &save))
		if (field == 22) {
			unsigned long long v;
			char *end;

			errno = 0;
			v = strtoull(tok, &end, 10);
			if (errno || end == tok)
				return -EIO;
			*ret = v;
			return 0;
		}
	return -EIO;
}

const char *ht_errno_name(int err)
{
	static __thread char buf[16];
	const char *n;

	if (err < 0)
		err = -err;
	if (err == 0)
		return "0";
	n = strerrorname_np(err);
	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", err);
	return buf;
}

int ht_read_fd(int fd, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = 4096;

	buf = ht_xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = ht_xrealloc(buf, cap);
		}
		n = pread(fd, buf + len, cap - len - 1, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	if (ret_len)
		*ret_len = len;
	return 0;
}

int ht_read_file(int dirfd, const char *path, char **ret)
{
	_cleanup_close_ int fd = -1;

	fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return ht_read_fd(fd, ret, NULL);
}

size_t ht_read_bounded(int fd, char *buf, size_t size)
{
	size_t len = 0;

	while (len + 1 < size) {
		ssize_t n = read(fd, buf + len, size - 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return len;
}

int ht_write_file(int dirfd, const char *path, const char *s)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(s);
	ssize_t w;

	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* cgroup and proc files take one write(2) per value. */
	w = write(fd, s, n);
	if (w < 0)
		return -errno;
	if ((size_t)w != n)
		return -EIO;
	return 0;
}

int ht_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

DIR *ht_opendir_at(int dfd)
{
	int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;

	if (fd < 0)
		return NULL;
	d = fdopendir(fd);
	if (!d)
		close(fd);
	return d;
}

int ht_set_cause(char **ret_cause, int r, const char *fmt, ...)
{
	va_list ap;

	if (!ret_cause)
		return r;
	va_start(ap, fmt);
	free(*ret_cause);
	*ret_cause = ht_xvasprintf(fmt, ap);
	va_end(ap);
	return r;
}

static bool kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

void ht_close_fds_except(const int *keep, size_t n_keep)
{
	int sorted[16];
	unsigned lo = 3;
	DIR *d;
	struct dirent *e;

	if (n_keep > HT_ARRAY_SIZE(sorted))
		abort();
	/* memcpy(3) and qsort(3) want valid pointers even for 0 elements. */
	if (n_keep) {
		memcpy(sorted, keep, n_keep * sizeof(*keep));
		qsort(sorted, n_keep, sizeof(*sorted), cmp_int);
	}
	/* Close each gap between kept fds, then everything above the last. */
	for (size_t i = 0; i <= n_keep; i++) {
		unsigned hi = i < n_keep ? (unsigned)sorted[i] - 1 : ~0u;

		if (i < n_keep && sorted[i] < (int)lo)
			continue;
		if (hi >= lo && syscall(SYS_close_range, lo, hi, 0u) < 0)
			goto walk;
		if (i < n_keep)
			lo = (unsigned)sorted[i] + 1;
	}
	return;
walk:
	d = opendir("/proc/self/fd");
	if (!d)
		return;
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (e->d_name[0] >= '0' && e->d_name[0] <= '9' && fd >= 3 && fd != dirfd(d) &&
		    !kept(fd, keep, n_keep))
			close(fd);
	}
	closedir(d);
}

void ht_mountinfo_unescape(char *s)
{
	char *w = s;

	for (char *r = s; *r; w++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 4;
		} else {
			*w = *r++;
		}
	}
	*w = '\0';
}

char *ht_strstrip(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}
