// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The error object: formatting, context prefixes and errno names.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-error.h"
#include "ctr-util.h"

static int normalize(int err)
{
	err = abs(err);
	return err ? err : EIO;
}

__attribute__((format(printf, 2, 0))) static void vformat(struct ctr_error *e, const char *fmt,
							  va_list ap)
{
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
}

int ctr_error_errno(struct ctr_error *e, int err, const char *fmt, ...)
{
	const char *name;
	size_t len;
	va_list ap;

	err = normalize(err);
	e->err = err;
	e->kind = CTR_ERROR_SETUP;
	va_start(ap, fmt);
	vformat(e, fmt, ap);
	va_end(ap);

	len = strlen(e->msg);
	name = ctr_errno_name(err);
	if (name)
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s (%s)", strerror(err), name);
	else
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s (errno %d)", strerror(err), err);
	return -err;
}

int ctr_error_set(struct ctr_error *e, int err, const char *fmt, ...)
{
	va_list ap;

	e->err = normalize(err);
	e->kind = CTR_ERROR_SETUP;
	va_start(ap, fmt);
	vformat(e, fmt, ap);
	va_end(ap);
	return -e->err;
}

int ctr_error_usage(struct ctr_error *e, const char *fmt, ...)
{
	va_list ap;

	e->err = EINVAL;
	e->kind = CTR_ERROR_USAGE;
	va_start(ap, fmt);
	vformat(e, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int ctr_error_prefix(struct ctr_error *e, const char *fmt, ...)
{
	char ctx[CTR_ERROR_MSG_MAX];
	size_t clen, mlen, max = sizeof(e->msg) - 1;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	clen = strlen(ctx);
	if (clen + 2 > max)
		clen = max - 2;
	mlen = strnlen(e->msg, max);
	if (clen + 2 + mlen > max)
		mlen = max - clen - 2;
	/* Shift the message right and put "context: " in front of it. */
	memmove(e->msg + clen + 2, e->msg, mlen);
	memcpy(e->msg, ctx, clen);
	memcpy(e->msg + clen, ": ", 2);
	e->msg[clen + 2 + mlen] = '\0';
	e->err = normalize(e->err);
	return -e->err;
}

int ctr_error_hint(struct ctr_error *e, const char *hint)
{
	size_t len = strnlen(e->msg, sizeof(e->msg) - 1);

	snprintf(e->msg + len, sizeof(e->msg) - len, "; %s", hint);
	e->err = normalize(e->err);
	return -e->err;
}

#define N(x) [x] = #x
static const char *const errno_names[] = {
	N(EPERM),     N(ENOENT),     N(ESRCH),	      N(EINTR),	       N(EIO),	   N(ENXIO),
	N(E2BIG),     N(ENOEXEC),    N(EBADF),	      N(ECHILD),       N(EAGAIN),  N(ENOMEM),
	N(EACCES),    N(EFAULT),     N(ENOTBLK),      N(EBUSY),	       N(EEXIST),  N(EXDEV),
	N(ENODEV),    N(ENOTDIR),    N(EISDIR),	      N(EINVAL),       N(ENFILE),  N(EMFILE),
	N(ENOTTY),    N(ETXTBSY),    N(EFBIG),	      N(ENOSPC),       N(ESPIPE),  N(EROFS),
	N(EMLINK),    N(EPIPE),	     N(EDOM),	      N(ERANGE),       N(EDEADLK), N(ENAMETOOLONG),
	N(ENOLCK),    N(ENOSYS),     N(ENOTEMPTY),    N(ELOOP),	       N(ENOMSG),  N(EIDRM),
	N(ENODATA),   N(ENOLINK),    N(EPROTO),	      N(EOVERFLOW),    N(EBADFD),  N(ELIBBAD),
	N(EILSEQ),    N(EUSERS),     N(ENOTSOCK),     N(EMSGSIZE),     N(ENOTSUP), N(EADDRINUSE),
	N(ENOBUFS),   N(ETIMEDOUT),  N(ECONNREFUSED), N(EALREADY),     N(ESTALE),  N(EDQUOT),
	N(ECANCELED), N(EOWNERDEAD), N(ENOKEY),	      N(EKEYREJECTED), N(EBADMSG), N(ENOTCONN),
};
#undef N

const char *ctr_errno_name(int err)
{
	err = abs(err);
	if (err <= 0 || (size_t)err >= CTR_ARRAY_SIZE(errno_names))
		return NULL;
	return errno_names[err];
}
