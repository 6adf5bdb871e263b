// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Time namespaces with clock offsets: see ctr-timens.h and
 * time_namespaces(7).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "ctr-namespace.h"
#include "ctr-timens.h"
#include "ctr-util.h"

int ctr_timens_format(const struct ctr_timens_offsets *off, char *buf, size_t n)
{
	size_t len = 0;
	int w;

	if (n == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	if (off->has_monotonic) {
		w = snprintf(buf, n, "monotonic %" PRId64 " 0\n", off->monotonic);
		if (w < 0 || (size_t)w >= n)
			return -ENOBUFS;
		len = (size_t)w;
	}
	if (off->has_boottime) {
		w = snprintf(buf + len, n - len, "boottime %" PRId64 " 0\n", off->boottime);
		if (w < 0 || (size_t)w >= n - len)
			return -ENOBUFS;
	}
	return 0;
}

int ctr_timens_prepare(const struct ctr_timens_offsets *off, int *ret_saved, struct ctr_error *err)
{
	_cleanup_(ctr_timens_restorep) int saved = -1;
	char buf[128];
	int r;

	saved = open("/proc/self/ns/time", O_RDONLY | O_CLOEXEC);
	if (saved < 0)
		return ctr_error_errno(err, errno, "open /proc/self/ns/time");
	if (unshare(CLONE_NEWTIME) < 0) {
		r = ctr_error_errno(err, errno, "unshare time namespace");
		ctr_closep(&saved);
		return r;
	}
	r = ctr_timens_format(off, buf, sizeof(buf));
	if (r < 0)
		return ctr_error_errno(err, r, "format time offsets");
	if (buf[0]) {
		r = ctr_write_file(AT_FDCWD, "/proc/self/timens_offsets", buf);
		if (r < 0) {
			buf[strcspn(buf, "\n")] = '\0';
			ctr_error_errno(err, r, "write /proc/self/timens_offsets \"%s\"", buf);
			if (r == -EINVAL || r == -ERANGE)
				return ctr_error_hint(err, "an offset may not take a clock below 0 "
							   "or beyond about 146 years");
			if (r == -EACCES)
				return ctr_error_hint(err, "offsets can be written only before the "
							   "first process enters the namespace");
			return r;
		}
	}
	*ret_saved = TAKE_FD(saved);
	return 0;
}

int ctr_timens_restore(int *saved, struct ctr_error *err)
{
	int r = 0;

	if (*saved < 0)
		return 0;
	if (setns(*saved, CLONE_NEWTIME) < 0)
		r = ctr_error_errno(err, errno, "return to the original time namespace");
	ctr_closep(saved);
	return r;
}

void ctr_timens_restorep(int *saved)
{
	struct ctr_error ignored;

	ctr_timens_restore(saved, &ignored);
}
