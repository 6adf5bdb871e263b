/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Small helpers shared by every harness module: cleanup attributes in the
 * systemd style, ownership moves, and a few string and time utilities.
 */
#ifndef HT_UTIL_H
#define HT_UTIL_H

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define HT_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline void ht_freep(void *p)
{
	free(*(void **)p);
}

static inline void ht_closep(int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void ht_fclosep(FILE **f)
{
	if (*f)
		fclose(*f);
}

#define _cleanup_(f)	 __attribute__((cleanup(f)))
#define _cleanup_free_	 _cleanup_(ht_freep)
#define _cleanup_close_	 _cleanup_(ht_closep)
#define _cleanup_fclose_ _cleanup_(ht_fclosep)

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

/* Allocation failure in the harness is not recoverable: abort loudly. */
void *ht_xmalloc(size_t n);
void *ht_xcalloc(size_t n, size_t size);
void *ht_xrealloc(void *p, size_t n);
char *ht_xstrdup(const char *s);
char *ht_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *ht_xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* Monotonic clock in nanoseconds. */
uint64_t ht_now_ns(void);

/*
 * Milliseconds from now until deadline_ns (ht_now_ns() time), rounded up so
 * that a poll(2) timeout of that many never wakes before the deadline; 0
 * once it has passed, at most INT_MAX.
 */
int ht_remaining_ms(uint64_t deadline_ns);

/*
 * The start time of a process, field 22 (starttime) of /proc/<pid>/stat in
 * clock ticks since boot (proc(5)). Together with the pid it tells a
 * process from a later one that was given the same pid. Returns 0 or
 * -errno (-ENOENT or -ESRCH once the process is gone, -EIO for a malformed
 * stat line).
 */
int ht_proc_starttime(pid_t pid, unsigned long long *ret);

/* "ENOENT" for ENOENT; "E123" when unknown. Never NULL. */
const char *ht_errno_name(int err);

/* Read a whole small file (sysfs, procfs) into a NUL-terminated buffer. */
int ht_read_file(int dirfd, const char *path, char **ret);

/*
 * Read all of an open file from offset 0 (pread(2), so the file offset of
 * a shared O_APPEND fd is untouched) into a NUL-terminated buffer; the
 * length is stored in ret_len when non-NULL. Returns 0 or -errno.
 */
int ht_read_fd(int fd, char **ret, size_t *ret_len);

/*
 * Read from fd (a pipe) until EOF or until size - 1 bytes, NUL-terminating
 * buf. Returns the number of bytes read.
 */
size_t ht_read_bounded(int fd, char *buf, size_t size);

/* Write a string to an existing file, as one write(2). Returns 0 or -errno. */
int ht_write_file(int dirfd, const char *path, const char *s);

/* Like write(2) but retries on EINTR and short writes. Returns 0 or -errno. */
int ht_write_all(int fd, const void *buf, size_t n);

/*
 * A directory stream on dfd with a file offset of its own: a dup(2) would
 * share dfd's offset, and an earlier listing would leave it at the end.
 * dfd stays open and owned by the caller. NULL with errno set on failure.
 */
DIR *ht_opendir_at(int dfd);

/*
 * Replace *ret_cause with a malloc'd message and return r, so a failure
 * reads `return ht_set_cause(ret_cause, -errno, "open %s: %s", ...)`. With
 * ret_cause NULL (the caller wants only the error) it just returns r.
 */
int ht_set_cause(char **ret_cause, int r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Close every fd from 3 up except those in keep (close_range(2), or a walk
 * of /proc/self/fd where the syscall is missing, as under valgrind 3.19).
 */
void ht_close_fds_except(const int *keep, size_t n_keep);

/* Decode mountinfo's \ooo escapes (space, tab, newline, backslash; proc(5)) in place. */
void ht_mountinfo_unescape(char *s);

/* Remove trailing whitespace in place and return s. */
char *ht_strstrip(char *s);

#endif
