/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The error object of libcontain. Every function that can fail takes a
 * struct ctr_error as its last argument, returns a negative value on failure
 * and fills the object; callers add context on the way up, so the message
 * reads "prepare rootfs: mount proc on /proc: Operation not permitted (EPERM)".
 * Messages are lowercase with no trailing period.
 *
 * The object is plain data of fixed size: the cloned child sends it to the
 * parent over the sync socket as is (see ctr-spawn.h).
 */
#ifndef CTR_ERROR_H
#define CTR_ERROR_H

#define CTR_ERROR_MSG_MAX 1024

enum ctr_error_kind {
	CTR_ERROR_SETUP = 0, /* the runtime failed before the command ran */
	CTR_ERROR_USAGE = 1, /* bad options or arguments: nothing was attempted */
	CTR_ERROR_EXEC = 2,  /* execve(2) of the command failed */
};

struct ctr_error {
	int err;  /* positive errno value, never 0 once set */
	int kind; /* enum ctr_error_kind */
	char msg[CTR_ERROR_MSG_MAX];
};

/* "what: strerror (ENAME)". Returns -err. */
int ctr_error_errno(struct ctr_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message is the whole cause; err only classifies. Returns -err. */
int ctr_error_set(struct ctr_error *e, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A usage error (kind CTR_ERROR_USAGE, EINVAL). Returns -EINVAL. */
int ctr_error_usage(struct ctr_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prepend "context: " to the message. Returns -e->err. */
int ctr_error_prefix(struct ctr_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Append "; hint" where the bare errno misleads. Returns -e->err. */
int ctr_error_hint(struct ctr_error *e, const char *hint);

/* "ENOENT" for ENOENT, NULL when the value has no known name. */
const char *ctr_errno_name(int err);

#endif
