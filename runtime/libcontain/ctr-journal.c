// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Appending to the harness's resource journal: see ctr-journal.h, and
 * harness/ht-journal.h for the entry kinds and how they are undone.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctr-journal.h"
#include "ctr-util.h"

static const char *journal_path(void)
{
	const char *p = getenv(CTR_JOURNAL_ENV);

	return p && p[0] ? p : NULL;
}

bool ctr_journal_enabled(void)
{
	return journal_path() != NULL;
}

int ctr_journal_append(const char *kind, const char *const *fields, size_t n, struct ctr_error *err)
{
	const char *path = journal_path();
	_cleanup_close_ int fd = -1;
	char line[2 * PATH_MAX];
	size_t len;
	ssize_t w;
	int o;

	if (!path)
		return 0;
	o = snprintf(line, sizeof(line), "%s", kind);
	for (size_t i = 0; i < n; i++) {
		if (strpbrk(fields[i], "\t\n"))
			return ctr_error_set(err, EINVAL,
					     "journal %s entry: field \"%s\" holds a tab or a "
					     "newline",
					     kind, fields[i]);
		if (o >= 0 && (size_t)o < sizeof(line))
			o += snprintf(line + o, sizeof(line) - (size_t)o, "\t%s", fields[i]);
	}
	if (o < 0 || (size_t)o + 1 >= sizeof(line))
		return ctr_error_set(err, ENAMETOOLONG, "journal %s entry is too long", kind);
	len = (size_t)o;
	line[len++] = '\n';

	/*
	 * No O_CREAT: the harness made the file and holds its lock; a missing
	 * file means a stale variable, and creating nothing is safer than
	 * creating objects no reaper will ever see.
	 */
	fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ctr_error_errno(err, errno, "open the journal %s ($%s)", path,
				       CTR_JOURNAL_ENV);
	/* One write(2) on an O_APPEND descriptor: lines of concurrent writers never mix. */
	do
		w = write(fd, line, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return ctr_error_errno(err, errno, "append to the journal %s", path);
	if ((size_t)w != len) {
		/* End the fragment, as the harness does, so the next entry starts a line. */
		(void)!write(fd, "\n", 1);
		return ctr_error_set(err, EIO, "short write to the journal %s", path);
	}
	return 0;
}

/* Undo the octal escapes of a mountinfo path (\040 for a space, proc(5)), in place. */
static void unescape(char *s)
{
	char *out = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*out++ = *s;
		}
	}
	*out = '\0';
}

/*
 * Find an nsfs mount in /proc/self/mountinfo whose file is the namespace
 * `self` (same device and inode). 1 and the path, or 0 when none is.
 */
static int find_nsfs_mount(const struct stat *self, char *buf, size_t size)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	int found = 0;

	if (!f)
		return -errno;
	while (!found && getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - ");
		char *field[5], *save = NULL, *p = line;
		struct stat st;
		int i;

		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ... - FSTYPE SOURCE OPTIONS (proc(5)) */
		if (!sep || strncmp(sep + 3, "nsfs ", 5) != 0)
			continue;
		*sep = '\0';
		for (i = 0; i < 5; i++, p = NULL) {
			field[i] = strtok_r(p, " ", &save);
			if (!field[i])
				break;
		}
		if (i < 5)
			continue;
		unescape(field[4]);
		if (field[4][0] != '/' || strpbrk(field[4], "\t\n") || strlen(field[4]) >= size)
			continue;
		if (stat(field[4], &st) < 0 || st.st_dev != self->st_dev ||
		    st.st_ino != self->st_ino)
			continue;
		snprintf(buf, size, "%s", field[4]);
		found = 1;
	}
	free(line);
	fclose(f);
	return found;
}

int ctr_journal_netns_field(char *buf, size_t size, struct ctr_error *err)
{
	struct stat self, init;
	int r;

	if (size < 2)
		return ctr_error_set(err, ENOBUFS, "netns field buffer too small");
	if (stat("/proc/self/ns/net", &self) < 0)
		return ctr_error_errno(err, errno, "stat /proc/self/ns/net");
	/* Unreadable /proc/1 (another user's init): then we are not in the initial one. */
	if (stat("/proc/1/ns/net", &init) == 0 && init.st_dev == self.st_dev &&
	    init.st_ino == self.st_ino) {
		snprintf(buf, size, "-");
		return 0;
	}
	r = find_nsfs_mount(&self, buf, size);
	if (r < 0)
		return ctr_error_errno(err, r, "read /proc/self/mountinfo");
	if (r == 0)
		buf[0] = '\0';
	return 0;
}

int ctr_journal_netns(const char *path, struct ctr_error *err)
{
	const char *f[] = { path };

	return ctr_journal_append("netns", f, 1, err);
}

/* Append KIND with the caller's netns as first field, unless the namespace is anonymous. */
static int append_in_netns(const char *kind, const char *a, const char *b, const char *c,
			   struct ctr_error *err)
{
	char ns[PATH_MAX];
	const char *f[4] = { ns, a, b, c };
	size_t n = c ? 4 : b ? 3 : 2;
	int r;

	if (!ctr_journal_enabled())
		return 0;
	r = ctr_journal_netns_field(ns, sizeof(ns), err);
	if (r < 0)
		return ctr_error_prefix(err, "journal %s", kind);
	if (!ns[0])
		return 0;
	return ctr_journal_append(kind, f, n, err);
}

int ctr_journal_link(const char *ifname, struct ctr_error *err)
{
	return append_in_netns("link", ifname, NULL, NULL, err);
}

int ctr_journal_nft(const char *family, const char *table, struct ctr_error *err)
{
	return append_in_netns("nft", family, table, NULL, err);
}

int ctr_journal_sysctl(const char *key, const char *old_value, struct ctr_error *err)
{
	return append_in_netns("sysctl", key, old_value, NULL, err);
}
