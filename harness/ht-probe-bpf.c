// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * eBPF probes: can a BPF program run on a syscall tracepoint here, and does
 * the kernel carry BTF type information (what CO-RE tools like `contain
 * trace` need)?
 *
 * The tracepoint probe loads a ten-instruction program from raw
 * instructions (no compiler, no object file), attaches it to
 * syscalls/sys_enter_getpid through a perf event bound to this task, calls
 * getpid(2) a few times, and reads the count from an array map. Kprobes and
 * fentry are not used: some hosts refuse them while tracepoints work.
 */
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/perf_event.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#include "config.h"
#include "ht-probe-internal.h"
#include "ht-util.h"

#if HAVE_LIBBPF
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#define GETPID_CALLS 3

static const char *const tracefs_dirs[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
#define TP_ID "events/syscalls/sys_enter_getpid/id"

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	return 0;
}

static struct bpf_insn insn(__u8 code, __u8 dst, __u8 src, __s16 off, __s32 imm)
{
	return (struct bpf_insn){
		.code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm
	};
}

/*
 * Read the tracepoint id. tracefs is often not mounted on hosts; then mount
 * it in a private mount namespace, which is gone when this child exits.
 */
static int tracepoint_id(struct ht_probe_result *r, int *ret_id)
{
	_cleanup_free_ char *text = NULL;
	const char *where = NULL;
	int ret;

	for (size_t i = 0; i < HT_ARRAY_SIZE(tracefs_dirs); i++) {
		_cleanup_free_ char *p = ht_xasprintf("%s/" TP_ID, tracefs_dirs[i]);

		if (ht_read_file(AT_FDCWD, p, &text) == 0) {
			where = tracefs_dirs[i];
			break;
		}
	}
	if (!where) {
		_cleanup_free_ char *p = NULL;

		ret = ht_probe_private_mounts();
		if (ret < 0) {
			ht_probe_fail(
				r, HT_NO, ret,
				"tracefs is not mounted, and no private mount namespace to mount it in%s",
				ret == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
			return ret;
		}
		where = tracefs_dirs[0];
		if (mount("tracefs", where, "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) <
		    0) {
			ret = -errno;
			/* /sys/kernel/tracing exists only when the kernel has tracefs. */
			where = ht_probe_scratch_dir();
			if (ret == -ENOENT && mount("tracefs", where, "tracefs", 0, NULL) == 0)
				ret = 0;
		}
		if (ret < 0) {
			_cleanup_free_ char *cfg = ht_kconfig_explain("FTRACE", NULL);

			ht_probe_fail(r, HT_NO, ret, "cannot mount tracefs%s%s", cfg ? ": " : "",
				      cfg ? cfg : "");
			return ret;
		}
		ht_probe_note(r, "mounted tracefs privately at %s", where);
		p = ht_xasprintf("%s/" TP_ID, where);
		ret = ht_read_file(AT_FDCWD, p, &text);
		if (ret < 0) {
			_cleanup_free_ char *cfg = ht_kconfig_explain("FTRACE_SYSCALLS", NULL);

			ht_probe_fail(r, HT_NO, ret,
				      "no syscalls/sys_enter_getpid tracepoint in tracefs%s%s",
				      cfg ? ": " : "", cfg ? cfg : "");
			return ret;
		}
	}
	*ret_id = atoi(text);
	ht_probe_note(r, "syscalls/sys_enter_getpid has id %d (%s)", *ret_id, where);
	return 0;
}

static const char *bpf_hint(int err)
{
	switch (err) {
	case EPERM:
	case EACCES:
		return " (needs CAP_BPF and CAP_PERFMON, or CAP_SYS_ADMIN; a lockdown or LSM "
		       "policy may also refuse it)";
	case EINVAL:
		return " (the kernel may lack CONFIG_BPF_EVENTS)";
	default:
		return "";
	}
}

void ht_probe_bpf_tracepoint(struct ht_probe_result *r)
{
	_cleanup_close_ int map_fd = -1, prog_fd = -1, ev_fd = -1;
	char log[1024] = "";
	struct perf_event_attr attr;
	__u64 count = 0;
	__u32 key = 0;
	int tp_id, ret;

	libbpf_set_print(quiet_print);
	if (tracepoint_id(r, &tp_id) < 0)
		return;

	map_fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "isolab_probe", sizeof(__u32), sizeof(__u64), 1,
				NULL);
	if (map_fd < 0) {
		ret = errno;
		ht_probe_fail(r, HT_NO, ret, "bpf(BPF_MAP_CREATE) of an array map failed%s",
			      bpf_hint(ret));
		return;
	}
	{
		/* counter[0] += 1, with an atomic add (BPF_ATOMIC | BPF_ADD). */
		struct bpf_insn prog[] = {
			insn(BPF_ST | BPF_MEM | BPF_W, BPF_REG_10, 0, -4, 0),
			insn(BPF_ALU64 | BPF_MOV | BPF_X, BPF_REG_2, BPF_REG_10, 0, 0),
			insn(BPF_ALU64 | BPF_ADD | BPF_K, BPF_REG_2, 0, 0, -4),
			insn(BPF_LD | BPF_DW | BPF_IMM, BPF_REG_1, BPF_PSEUDO_MAP_FD, 0, map_fd),
			insn(0, 0, 0, 0, 0),
			insn(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_map_lookup_elem),
			insn(BPF_JMP | BPF_JEQ | BPF_K, BPF_REG_0, 0, 2, 0),
			insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
			insn(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_0, BPF_REG_1, 0, BPF_ADD),
			insn(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
			insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		};
		LIBBPF_OPTS(bpf_prog_load_opts, opts, .log_buf = log, .log_size = sizeof(log),
			    .log_level = 0);

		prog_fd = bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "isolab_probe", "GPL", prog,
					HT_ARRAY_SIZE(prog), &opts);
		if (prog_fd < 0) {
			ret = errno;
			/* Load again with the verifier log on, to say why. */
			opts.log_level = 1;
			(void)!bpf_prog_load(BPF_PROG_TYPE_TRACEPOINT, "isolab_probe", "GPL", prog,
					     HT_ARRAY_SIZE(prog), &opts);
			log[sizeof(log) - 1] = '\0';
			ht_strstrip(log);
			ht_probe_fail(r, HT_NO, ret,
				      "bpf(BPF_PROG_LOAD) of a tracepoint program failed%s%s%s",
				      bpf_hint(ret), log[0] ? ": " : "",
				      log[0] ? strrchr(log, '\n') ? strrchr(log, '\n') + 1 : log :
					       "");
			return;
		}
	}
	ht_probe_note(r, "loaded a tracepoint program counting into an array map");

	/* Bound to this task (pid 0, any cpu), so only our getpid(2) calls count. */
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_TRACEPOINT;
	attr.size = sizeof(attr);
	attr.config = (__u64)tp_id;
	attr.sample_period = 1;
	attr.wakeup_events = 1;
	attr.disabled = 1;
	ev_fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (ev_fd < 0) {
		ret = errno;
		ht_probe_fail(r, HT_NO, ret, "perf_event_open(PERF_TYPE_TRACEPOINT) failed%s%s",
			      ret == EACCES || ret == EPERM ?
				      " (kernel.perf_event_paranoid, or no CAP_PERFMON)" :
				      "",
			      ret == ENOENT ? " (no such tracepoint)" : "");
		return;
	}
	if (ioctl(ev_fd, PERF_EVENT_IOC_SET_BPF, prog_fd) < 0) {
		ret = errno;
		ht_probe_fail(r, HT_NO, ret, "PERF_EVENT_IOC_SET_BPF failed%s", bpf_hint(ret));
		return;
	}
	if (ioctl(ev_fd, PERF_EVENT_IOC_ENABLE, 0) < 0) {
		ht_probe_fail(r, HT_NO, errno, "PERF_EVENT_IOC_ENABLE failed");
		return;
	}
	ht_probe_note(r, "attached it through perf_event_open + PERF_EVENT_IOC_SET_BPF");
	for (int i = 0; i < GETPID_CALLS; i++)
		(void)syscall(SYS_getpid);
	(void)ioctl(ev_fd, PERF_EVENT_IOC_DISABLE, 0);
	if (bpf_map_lookup_elem(map_fd, &key, &count) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "reading the counter map failed");
		return;
	}
	ht_probe_note(r, "%d getpid(2) calls, counter reads %llu", GETPID_CALLS,
		      (unsigned long long)count);
	if (count < GETPID_CALLS) {
		ht_probe_fail(r, HT_NO, ENODATA,
			      "the program was attached but did not run on "
			      "every getpid(2) (counted %llu of %d)",
			      (unsigned long long)count, GETPID_CALLS);
		return;
	}
	ht_probe_yes(r);
}

void ht_probe_bpf_btf(struct ht_probe_result *r)
{
	struct btf *btf;
	const struct btf_type *t;
	__s32 id;

	libbpf_set_print(quiet_print);
	errno = 0;
	btf = btf__load_vmlinux_btf();
	if (!btf) {
		int err = errno ? errno : ENOENT;
		_cleanup_free_ char *cfg = ht_kconfig_explain("DEBUG_INFO_BTF", NULL);

		ht_probe_fail(r, HT_NO, err,
			      "cannot load the kernel's BTF (/sys/kernel/btf/vmlinux)%s%s",
			      cfg ? ": " : "", cfg ? cfg : "");
		return;
	}
	ht_probe_note(r, "loaded vmlinux BTF: %u types", btf__type_cnt(btf));
	id = btf__find_by_name_kind(btf, "task_struct", BTF_KIND_STRUCT);
	if (id < 0) {
		ht_probe_fail(r, HT_NO, -id, "vmlinux BTF has no struct task_struct");
		btf__free(btf);
		return;
	}
	t = btf__type_by_id(btf, (__u32)id);
	ht_probe_note(r, "struct task_struct is type %d, %u bytes, %u members", id, t ? t->size : 0,
		      t ? btf_vlen(t) : 0);
	btf__free(btf);
	ht_probe_yes(r);
}

#else /* !HAVE_LIBBPF */

void ht_probe_bpf_tracepoint(struct ht_probe_result *r)
{
	ht_probe_fail(r, HT_UNKNOWN, ENOSYS,
		      "isolab was built without libbpf, so it cannot load a BPF program");
}

void ht_probe_bpf_btf(struct ht_probe_result *r)
{
	ht_probe_fail(r, HT_UNKNOWN, ENOSYS,
		      "isolab was built without libbpf, so it cannot read BTF");
}

#endif
