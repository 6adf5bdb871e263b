/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers shared by the libcontain modules: cleanup attributes in the
 * systemd style, ownership moves, a kill-and-reap for child pids, and
 * EINTR-safe I/O. Nothing here prints or exits.
 */
#ifndef CTR_UTIL_H
#define CTR_UTIL_H

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/types.h>
#include <unistd.h>

#define CTR_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void ctr_freep(void *p)
{
	free(*(void **)p);
}

static inline void ctr_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		*fd = -1;
		errno = saved;
	}
}

/* SIGKILL and reap a child that was not handed over; -1 and 0 are no-ops. */
void ctr_kill_and_reap(pid_t *pid);

#define _cleanup_(f)	__attribute__((cleanup(f)))
#define _cleanup_free_	_cleanup_(ctr_freep)
#define _cleanup_close_ _cleanup_(ctr_closep)
#define _cleanup_kill_	_cleanup_(ctr_kill_and_reap)

/* Move ownership out of a cleanup variable (systemd's TAKE_PTR/TAKE_FD). */
#define TAKE_PTR(p)                       \
	({                                \
		__typeof__(p) _tp_ = (p); \
		(p) = NULL;               \
		_tp_;                     \
	})
#define TAKE_FD(fd)              \
	({                       \
		int _tf_ = (fd); \
		(fd) = -1;       \
		_tf_;            \
	})

/* write(2) that retries on EINTR and short writes. Returns 0 or -errno. */
int ctr_write_all(int fd, const void *buf, size_t n);

/*
 * Write s to dirfd/path with a single write(2), as the /proc map and offset
 * files require. Returns 0 or -errno.
 */
int ctr_write_file(int dirfd, const char *path, const char *s);

#endif
