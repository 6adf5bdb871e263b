// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * contain trace's output formats: flag decoders and the human and JSON
 * forms of one event. runtime/CONTRACT.md documents both forms; the tracing
 * suite parses them, so they change only together with it.
 */
#include <errno.h>
#include <inttypes.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

#include "ctr-trace-format.h"
#include "ctr-util.h"

/* Only clone3(2) takes these (include/uapi/linux/sched.h). */
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

struct flag_name {
	uint64_t bit;
	const char *name;
};

#define F(x)                      \
	{                         \
		(uint64_t)(x), #x \
	}

/* clone(2), unshare(2) and setns(2) share these bits. */
static const struct flag_name clone_names[] = {
	F(CLONE_VM),
	F(CLONE_FS),
	F(CLONE_FILES),
	F(CLONE_SIGHAND),
	F(CLONE_PIDFD),
	F(CLONE_PTRACE),
	F(CLONE_VFORK),
	F(CLONE_PARENT),
	F(CLONE_THREAD),
	F(CLONE_NEWNS),
	F(CLONE_SYSVSEM),
	F(CLONE_SETTLS),
	F(CLONE_PARENT_SETTID),
	F(CLONE_CHILD_CLEARTID),
	F(CLONE_DETACHED),
	F(CLONE_UNTRACED),
	F(CLONE_CHILD_SETTID),
	F(CLONE_NEWCGROUP),
	F(CLONE_NEWUTS),
	F(CLONE_NEWIPC),
	F(CLONE_NEWUSER),
	F(CLONE_NEWPID),
	F(CLONE_NEWNET),
	F(CLONE_IO),
	F(CLONE_NEWTIME),
	F(CLONE_CLEAR_SIGHAND),
	F(CLONE_INTO_CGROUP),
};

/* The order the examples in CONTRACT.md use: the namespaces first. */
static const struct flag_name ns_names[] = {
	F(CLONE_NEWUSER), F(CLONE_NEWPID),    F(CLONE_NEWNS),  F(CLONE_NEWUTS),
	F(CLONE_NEWIPC),  F(CLONE_NEWCGROUP), F(CLONE_NEWNET), F(CLONE_NEWTIME),
};

/* mount(2); MS_MGC_VAL is handled apart (the old magic in the upper half). */
static const struct flag_name ms_names[] = {
	F(MS_RDONLY),	  F(MS_NOSUID),	    F(MS_NODEV),     F(MS_NOEXEC),	F(MS_SYNCHRONOUS),
	F(MS_REMOUNT),	  F(MS_MANDLOCK),   F(MS_DIRSYNC),   F(MS_NOSYMFOLLOW), F(MS_NOATIME),
	F(MS_NODIRATIME), F(MS_BIND),	    F(MS_MOVE),	     F(MS_REC),		F(MS_SILENT),
	F(MS_POSIXACL),	  F(MS_UNBINDABLE), F(MS_PRIVATE),   F(MS_SLAVE),	F(MS_SHARED),
	F(MS_RELATIME),	  F(MS_KERNMOUNT),  F(MS_I_VERSION), F(MS_STRICTATIME), F(MS_LAZYTIME),
};

/* umount2(2). */
static const struct flag_name mnt_names[] = {
	F(MNT_FORCE),
	F(MNT_DETACH),
	F(MNT_EXPIRE),
	F(UMOUNT_NOFOLLOW),
};

#undef F

static const char *const syscall_names[TRACE_SYS_COUNT] = {
	[TRACE_SYS_CLONE] = "clone",
	[TRACE_SYS_CLONE3] = "clone3",
	[TRACE_SYS_UNSHARE] = "unshare",
	[TRACE_SYS_SETNS] = "setns",
	[TRACE_SYS_MOUNT] = "mount",
	[TRACE_SYS_UMOUNT2] = "umount2",
	[TRACE_SYS_PIVOT_ROOT] = "pivot_root",
	[TRACE_SYS_CHROOT] = "chroot",
	[TRACE_SYS_SETHOSTNAME] = "sethostname",
	[TRACE_SYS_EXECVE] = "execve",
	[TRACE_SYS_EXECVEAT] = "execveat",
};

const char *ctr_trace_syscall_name(unsigned int sc)
{
	return sc < TRACE_SYS_COUNT ? syscall_names[sc] : NULL;
}

int ctr_trace_syscall_parse_list(const char *list, uint64_t *ret_mask, struct ctr_error *err)
{
	uint64_t mask = 0;
	const char *p = list;

	for (;;) {
		size_t n = strcspn(p, ",");
		unsigned int sc;

		for (sc = 0; sc < TRACE_SYS_COUNT; sc++)
			if (strlen(syscall_names[sc]) == n && strncmp(p, syscall_names[sc], n) == 0)
				break;
		if (sc == TRACE_SYS_COUNT)
			return ctr_error_usage(
				err,
				"--syscalls: unknown syscall \"%.*s\" (known: clone, "
				"clone3, unshare, setns, mount, umount2, pivot_root, "
				"chroot, sethostname, execve, execveat)",
				(int)n, p);
		mask |= 1ULL << sc;
		if (!p[n])
			break;
		p += n + 1;
	}
	*ret_mask = mask;
	return 0;
}

/* A bounded appender: keeps counting past the end, as snprintf does. */
struct out {
	char *buf;
	size_t size;
	size_t len;
};

__attribute__((format(printf, 2, 3))) static void out_printf(struct out *o, const char *fmt, ...)
{
	size_t room = o->len < o->size ? o->size - o->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? o->buf + o->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->len += n;
}

static void out_init(struct out *o, char *buf, size_t size)
{
	o->buf = buf;
	o->size = size;
	o->len = 0;
	if (size)
		buf[0] = '\0';
}

static void decode(struct out *o, const struct flag_name *names, size_t n, uint64_t flags,
		   int *first)
{
	for (size_t i = 0; i < n; i++) {
		if (!(flags & names[i].bit))
			continue;
		out_printf(o, "%s%s", *first ? "" : "|", names[i].name);
		*first = 0;
	}
}

static uint64_t known_bits(const struct flag_name *names, size_t n)
{
	uint64_t all = 0;

	for (size_t i = 0; i < n; i++)
		all |= names[i].bit;
	return all;
}

static void decode_rest(struct out *o, uint64_t rest, int *first)
{
	if (rest) {
		out_printf(o, "%s%#" PRIx64, *first ? "" : "|", rest);
		*first = 0;
	}
}

static void signal_name(struct out *o, int sig, int *first)
{
	const char *abbrev = sig > 0 ? sigabbrev_np(sig) : NULL;

	if (abbrev)
		out_printf(o, "%sSIG%s", *first ? "" : "|", abbrev);
	else
		out_printf(o, "%s%d", *first ? "" : "|", sig);
	*first = 0;
}

static void clone_flags(struct out *o, uint64_t flags, int exit_signal)
{
	uint64_t nsbits = known_bits(ns_names, CTR_ARRAY_SIZE(ns_names));
	uint64_t all = known_bits(clone_names, CTR_ARRAY_SIZE(clone_names));
	int first = 1;

	decode(o, ns_names, CTR_ARRAY_SIZE(ns_names), flags, &first);
	decode(o, clone_names, CTR_ARRAY_SIZE(clone_names), flags & ~nsbits, &first);
	decode_rest(o, flags & ~all, &first);
	if (exit_signal > 0)
		signal_name(o, exit_signal, &first);
	if (first)
		out_printf(o, "0");
}

int ctr_trace_clone_flags(uint64_t flags, int exit_signal, char *buf, size_t size)
{
	struct out o;

	out_init(&o, buf, size);
	clone_flags(&o, flags, exit_signal);
	return (int)o.len;
}

static void mount_flags(struct out *o, uint64_t flags)
{
	uint64_t all = known_bits(ms_names, CTR_ARRAY_SIZE(ms_names));
	int first = 1;

	/* Before Linux 2.4 the upper 16 bits had to hold this magic (mount(2)). */
	if ((flags & MS_MGC_MSK) == MS_MGC_VAL) {
		out_printf(o, "MS_MGC_VAL");
		first = 0;
		flags &= ~(uint64_t)MS_MGC_MSK;
	}
	decode(o, ms_names, CTR_ARRAY_SIZE(ms_names), flags, &first);
	decode_rest(o, flags & ~all, &first);
	if (first)
		out_printf(o, "0");
}

int ctr_trace_mount_flags(uint64_t flags, char *buf, size_t size)
{
	struct out o;

	out_init(&o, buf, size);
	mount_flags(&o, flags);
	return (int)o.len;
}

static void umount_flags(struct out *o, uint64_t flags)
{
	int first = 1;

	decode(o, mnt_names, CTR_ARRAY_SIZE(mnt_names), flags, &first);
	decode_rest(o, flags & ~known_bits(mnt_names, CTR_ARRAY_SIZE(mnt_names)), &first);
	if (first)
		out_printf(o, "0");
}

int ctr_trace_umount_flags(uint64_t flags, char *buf, size_t size)
{
	struct out o;

	out_init(&o, buf, size);
	umount_flags(&o, flags);
	return (int)o.len;
}

/* The exit signal clone(2) takes in the low byte, or clone3's exit_signal. */
static int exit_signal_of(const struct ctr_trace_event *e)
{
	if (e->syscall == TRACE_SYS_CLONE)
		return (int)(e->flags & 0xff);
	if (e->syscall == TRACE_SYS_CLONE3)
		return (int)e->num;
	return -1;
}

static uint64_t clone_bits_of(const struct ctr_trace_event *e)
{
	return e->syscall == TRACE_SYS_CLONE ? e->flags & ~(uint64_t)0xff : e->flags;
}

/* A C string literal, as strace prints one; "..." after it when cut. */
static void quoted(struct out *o, const struct ctr_trace_event *e, int i)
{
	const unsigned char *s = (const unsigned char *)e->str[i];

	if (!(e->str_state[i] & TRACE_STR_PRESENT)) {
		out_printf(o, "NULL");
		return;
	}
	if (e->str_state[i] & TRACE_STR_FAULT) {
		out_printf(o, "<unreadable>");
		return;
	}
	out_printf(o, "\"");
	for (size_t k = 0; k < TRACE_STR_LEN && s[k]; k++) {
		if (s[k] == '"' || s[k] == '\\')
			out_printf(o, "\\%c", s[k]);
		else if (s[k] < 0x20 || s[k] >= 0x7f)
			out_printf(o, "\\%03o", s[k]);
		else
			out_printf(o, "%c", s[k]);
	}
	out_printf(o, "\"%s", e->str_state[i] & TRACE_STR_TRUNCATED ? "..." : "");
}

static void comm(struct out *o, const struct ctr_trace_event *e)
{
	out_printf(o, "[%u/%u %.*s] ", e->pid, e->ns_pid, TRACE_COMM_LEN, e->comm);
}

static void out_dirfd(struct out *o, int64_t fd)
{
	if (fd == -100) /* AT_FDCWD */
		out_printf(o, "AT_FDCWD");
	else
		out_printf(o, "%" PRId64, fd);
}

/* The syscall's result as user space sees it: -errno from the kernel becomes -1 and errno. */
static int is_error(int64_t ret)
{
	return ret < 0 && ret >= -4095;
}

static void exit_status(struct out *o, int64_t code)
{
	int sig = (int)(code & 0x7f);

	if (!sig) {
		out_printf(o, "+++ exited with %d +++", (int)((code >> 8) & 0xff));
		return;
	}
	out_printf(o, "+++ killed by ");
	signal_name(o, sig, &(int){ 1 });
	out_printf(o, "%s +++", code & 0x80 ? " (core dumped)" : "");
}

int ctr_trace_format_human(const struct ctr_trace_event *e, char *buf, size_t size)
{
	const char *name = ctr_trace_syscall_name(e->syscall);
	struct out o;

	out_init(&o, buf, size);
	comm(&o, e);
	if (e->type == TRACE_EVENT_EXIT) {
		exit_status(&o, e->num);
		return (int)o.len;
	}
	out_printf(&o, "%s(", name ? name : "?");
	switch (e->syscall) {
	case TRACE_SYS_CLONE:
	case TRACE_SYS_CLONE3:
	case TRACE_SYS_UNSHARE:
		out_printf(&o, "flags=");
		clone_flags(&o, clone_bits_of(e), exit_signal_of(e));
		break;
	case TRACE_SYS_SETNS:
		out_printf(&o, "%lld, ", (long long)e->num);
		clone_flags(&o, e->flags, -1);
		break;
	case TRACE_SYS_MOUNT:
		for (int i = 0; i < 3; i++) {
			quoted(&o, e, i);
			out_printf(&o, ", ");
		}
		mount_flags(&o, e->flags);
		break;
	case TRACE_SYS_UMOUNT2:
		quoted(&o, e, 0);
		out_printf(&o, ", ");
		umount_flags(&o, e->flags);
		break;
	case TRACE_SYS_PIVOT_ROOT:
		quoted(&o, e, 0);
		out_printf(&o, ", ");
		quoted(&o, e, 1);
		break;
	case TRACE_SYS_EXECVEAT:
		out_dirfd(&o, e->num);
		out_printf(&o, ", ");
		quoted(&o, e, 0);
		break;
	default:
		quoted(&o, e, 0);
		break;
	}
	if (is_error(e->ret)) {
		const char *en = ctr_errno_name((int)-e->ret);

		if (en)
			out_printf(&o, ") = -1 %s", en);
		else
			out_printf(&o, ") = -1 E%d", (int)-e->ret);
	} else {
		out_printf(&o, ") = %lld", (long long)e->ret);
	}
	return (int)o.len;
}

/*
 * jansson accepts only valid UTF-8; a path can be any bytes, so a string that
 * is not valid UTF-8 has its bytes above 0x7f replaced with '?'.
 */
static json_t *jstring(const char *s, size_t max)
{
	size_t n = strnlen(s, max);
	char copy[TRACE_STR_LEN + 1];
	json_t *j = json_stringn(s, n);

	if (j || n >= sizeof(copy))
		return j;
	for (size_t i = 0; i < n; i++)
		copy[i] = (unsigned char)s[i] >= 0x80 ? '?' : s[i];
	copy[n] = '\0';
	return json_stringn(copy, n);
}

static json_t *jarg(const struct ctr_trace_event *e, int i)
{
	if (!(e->str_state[i] & TRACE_STR_PRESENT) || (e->str_state[i] & TRACE_STR_FAULT))
		return json_null();
	return jstring(e->str[i], TRACE_STR_LEN);
}

static json_t *jflags(void (*fn)(struct out *, uint64_t), uint64_t flags)
{
	char buf[512];
	struct out o;

	out_init(&o, buf, sizeof(buf));
	fn(&o, flags);
	return json_string(buf);
}

static void mount_flags_fn(struct out *o, uint64_t f)
{
	mount_flags(o, f);
}

static void umount_flags_fn(struct out *o, uint64_t f)
{
	umount_flags(o, f);
}

static void nstype_fn(struct out *o, uint64_t f)
{
	clone_flags(o, f, -1);
}

static json_t *event_args(const struct ctr_trace_event *e)
{
	char buf[512];

	switch (e->syscall) {
	case TRACE_SYS_CLONE:
	case TRACE_SYS_CLONE3:
	case TRACE_SYS_UNSHARE:
		ctr_trace_clone_flags(clone_bits_of(e), exit_signal_of(e), buf, sizeof(buf));
		return json_pack("{s:s, s:I}", "flags", buf, "flags_raw", (json_int_t)e->flags);
	case TRACE_SYS_SETNS:
		return json_pack("{s:I, s:o}", "fd", (json_int_t)e->num, "nstype",
				 jflags(nstype_fn, e->flags));
	case TRACE_SYS_MOUNT:
		return json_pack("{s:o, s:o, s:o, s:o, s:I}", "source", jarg(e, 0), "target",
				 jarg(e, 1), "fstype", jarg(e, 2), "flags",
				 jflags(mount_flags_fn, e->flags), "flags_raw",
				 (json_int_t)e->flags);
	case TRACE_SYS_UMOUNT2:
		return json_pack("{s:o, s:o, s:I}", "target", jarg(e, 0), "flags",
				 jflags(umount_flags_fn, e->flags), "flags_raw",
				 (json_int_t)e->flags);
	case TRACE_SYS_PIVOT_ROOT:
		return json_pack("{s:o, s:o}", "new_root", jarg(e, 0), "put_old", jarg(e, 1));
	case TRACE_SYS_CHROOT:
		return json_pack("{s:o}", "path", jarg(e, 0));
	case TRACE_SYS_SETHOSTNAME:
		return json_pack("{s:o}", "name", jarg(e, 0));
	case TRACE_SYS_EXECVEAT:
		return json_pack("{s:I, s:o}", "dirfd", (json_int_t)e->num, "filename", jarg(e, 0));
	default:
		return json_pack("{s:o}", "filename", jarg(e, 0));
	}
}

json_t *ctr_trace_event_json(const struct ctr_trace_event *e)
{
	json_t *jcomm = jstring(e->comm, TRACE_COMM_LEN);

	if (!jcomm)
		jcomm = json_string("?");
	if (e->type == TRACE_EVENT_EXIT) {
		int sig = (int)(e->num & 0x7f);

		return json_pack("{s:s, s:I, s:i, s:i, s:i, s:o, s:o, s:o}", "type", "exit",
				 "ts_ns", (json_int_t)e->ts_ns, "pid", (int)e->pid, "tid",
				 (int)e->tid, "ns_pid", (int)e->ns_pid, "comm", jcomm, "exit_code",
				 sig ? json_null() : json_integer((e->num >> 8) & 0xff), "signal",
				 sig ? json_integer(sig) : json_null());
	}

	const char *en = is_error(e->ret) ? ctr_errno_name((int)-e->ret) : NULL;
	char ebuf[16];
	json_t *jerrno = json_null();

	if (is_error(e->ret)) {
		if (!en) {
			snprintf(ebuf, sizeof(ebuf), "E%d", (int)-e->ret);
			en = ebuf;
		}
		jerrno = json_string(en);
	}
	return json_pack("{s:s, s:I, s:i, s:i, s:i, s:i, s:o, s:s, s:I, s:o, s:o}", "type",
			 "syscall", "ts_ns", (json_int_t)e->ts_ns, "pid", (int)e->pid, "tid",
			 (int)e->tid, "ppid", (int)e->ppid, "ns_pid", (int)e->ns_pid, "comm", jcomm,
			 "syscall", ctr_trace_syscall_name(e->syscall) ?: "?", "ret",
			 (json_int_t)(is_error(e->ret) ? -1 : e->ret), "errno", jerrno, "args",
			 event_args(e));
}
