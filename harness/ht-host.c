// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Host-side observations for suites (see ht-host.h). Everything here reads
 * procfs (proc(5)); nothing asks the runtime.
 */
#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "ht-host.h"
#include "ht-util.h"

const char *const ht_ns_types[8] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts" };

static bool argv_has(pid_t pid, const char *word)
{
	char path[64];
	_cleanup_free_ char *cmdline = NULL;
	_cleanup_close_ int fd = -1;
	size_t len = 0, cap = 4096;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	cmdline = ht_xmalloc(cap);
	while ((n = read(fd, cmdline + len, cap - len - 1)) > 0) {
		len += (size_t)n;
		if (len + 1 >= cap) {
			cap *= 2;
			cmdline = ht_xrealloc(cmdline, cap);
		}
	}
	cmdline[len] = '\0';
	for (size_t off = 0; off < len; off += strlen(cmdline + off) + 1)
		if (strcmp(cmdline + off, word) == 0)
			return true;
	return false;
}

size_t ht_pids_with_arg(const char *word, pid_t **ret)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t *pids = NULL, self = getpid();
	size_t n = 0;

	*ret = NULL;
	if (!d)
		return 0;
	while ((e = readdir(d))) {
		char *end;
		long pid = strtol(e->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self || !argv_has((pid_t)pid, word))
			continue;
		pids = ht_xrealloc(pids, (n + 1) * sizeof(*pids));
		pids[n++] = (pid_t)pid;
	}
	closedir(d);
	*ret = pids;
	return n;
}

unsigned long long ht_ns_inode(pid_t pid, const char *type)
{
	char path[64];
	struct stat st;

	if (pid > 0)
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, type);
	else
		snprintf(path, sizeof(path), "/proc/self/ns/%s", type);
	if (stat(path, &st) < 0)
		return 0;
	return (unsigned long long)st.st_ino;
}

pid_t ht_ns_pid(pid_t pid)
{
	_cleanup_free_ char *status = NULL;
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/status", (int)pid);
	const char *p;
	pid_t last = -1;

	if (ht_read_file(AT_FDCWD, path, &status) < 0)
		return -1;
	p = strstr(status, "\nNSpid:");
	if (!p)
		return -1;
	p += 7;
	while (*p && *p != '\n') {
		char *end;
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		last = (pid_t)v;
		p = end;
	}
	return last;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The unescaped mount points of /proc/PID/mountinfo, sorted; -errno if unreadable. */
static int mount_point_list(pid_t pid, char ***ret, size_t *ret_n)
{
	_cleanup_free_ char *info = NULL;
	_cleanup_free_ char *path = pid > 0 ? ht_xasprintf("/proc/%d/mountinfo", (int)pid) :
					      ht_xstrdup("/proc/self/mountinfo");
	char **list = NULL;
	size_t n = 0;
	int r;

	*ret = NULL;
	*ret_n = 0;
	r = ht_read_file(AT_FDCWD, path, &info);
	if (r < 0)
		return r;
	for (char *save = NULL, *line = strtok_r(info, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char mnt[4096];

		/* Field 5 is the mount point, octal-escaped (proc(5)). */
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		ht_mountinfo_unescape(mnt);
		list = ht_xrealloc(list, (n + 1) * sizeof(*list));
		list[n++] = ht_xstrdup(mnt);
	}
	qsort(list, n, sizeof(*list), cmp_str);
	*ret = list;
	*ret_n = n;
	return 0;
}

char *ht_mount_points(pid_t pid)
{
	char **list;
	size_t n;
	char *s = ht_xstrdup("");

	mount_point_list(pid, &list, &n);
	for (size_t i = 0; i < n; i++) {
		char *next = ht_xasprintf("%s%s\n", s, list[i]);

		free(s);
		free(list[i]);
		s = next;
	}
	free(list);
	return s;
}

int ht_mount_point_check(pid_t pid, const char *path)
{
	char **list;
	size_t n;
	int r = mount_point_list(pid, &list, &n);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], path) == 0)
			r = 1;
		free(list[i]);
	}
	free(list);
	return r;
}

bool ht_is_mount_point(pid_t pid, const char *path)
{
	return ht_mount_point_check(pid, path) > 0;
}
