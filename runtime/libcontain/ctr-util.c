// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helpers shared by the libcontain modules: see ctr-util.h.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "ctr-util.h"

void ctr_kill_and_reap(pid_t *pid)
{
	int saved = errno;

	if (*pid <= 0)
		return;
	kill(*pid, SIGKILL);
	while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
		;
	*pid = -1;
	errno = saved;
}

int ctr_write_all(int fd, const void *buf, size_t n)
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

int ctr_write_file(int dirfd, const char *path, const char *s)
{
	_cleanup_close_ int fd = -1;
	size_t n = strlen(s);
	ssize_t w;

	fd = openat(dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	/* One write: the kernel parses these files per write(2) call. */
	w = write(fd, s, n);
	if (w < 0)
		return -errno;
	if ((size_t)w != n)
		return -EIO;
	return 0;
}
