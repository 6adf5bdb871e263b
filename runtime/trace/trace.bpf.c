// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel side of contain trace: namespace, mount and exec syscalls, and
 * process exits, of one process tree.
 *
 * Only raw tracepoints are used (bpf(2) BPF_RAW_TRACEPOINT_OPEN): kprobes are
 * not available everywhere, fentry needs trampolines that some kernels refuse,
 * and raw tracepoints, unlike perf-event tracepoints, need no tracefs to look
 * up their ids, so nothing has to be mounted. raw_syscalls/sys_enter and
 * sys_exit fire for every syscall; the filter below keeps the tracked tasks
 * and the syscalls of interest and drops the rest at once.
 *
 * A syscall is recorded at sys_enter, where its user memory still holds the
 * arguments (after a successful execve(2) it is gone), parked per thread in
 * `pending`, and sent with its return value at sys_exit.
 *
 * The tracked set follows forks (sched_process_fork) from the tids user space
 * inserts, and drops tasks at sched_process_exit, so events of unrelated
 * processes are never emitted.
 */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "trace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* x86_64 syscall numbers (arch/x86/entry/syscalls/syscall_64.tbl). */
#define NR_clone       56
#define NR_execve      59
#define NR_pivot_root  155
#define NR_chroot      161
#define NR_mount       165
#define NR_umount2     166
#define NR_sethostname 170
#define NR_unshare     272
#define NR_setns       308
#define NR_execveat    322
#define NR_clone3      435

#define HOST_NAME_MAX 64

/* Knobs, set by user space through skel->rodata before the load. */
const volatile __u64 syscall_mask = ~0ULL; /* bit (1 << enum ctr_trace_syscall) */

/* Tids whose events are wanted; the value is unused. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} tracked SEC(".maps");

/* A syscall between its sys_enter and sys_exit, per tid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct ctr_trace_event);
} pending SEC(".maps");

/* Room to build an event: it is larger than the 512-byte BPF stack. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ctr_trace_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} events SEC(".maps");

/* Events dropped: see count_lost(). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

static __always_inline int syscall_index(long nr)
{
	switch (nr) {
	case NR_clone:
		return TRACE_SYS_CLONE;
	case NR_clone3:
		return TRACE_SYS_CLONE3;
	case NR_unshare:
		return TRACE_SYS_UNSHARE;
	case NR_setns:
		return TRACE_SYS_SETNS;
	case NR_mount:
		return TRACE_SYS_MOUNT;
	case NR_umount2:
		return TRACE_SYS_UMOUNT2;
	case NR_pivot_root:
		return TRACE_SYS_PIVOT_ROOT;
	case NR_chroot:
		return TRACE_SYS_CHROOT;
	case NR_sethostname:
		return TRACE_SYS_SETHOSTNAME;
	case NR_execve:
		return TRACE_SYS_EXECVE;
	case NR_execveat:
		return TRACE_SYS_EXECVEAT;
	}
	return -1;
}

/*
 * Counts what could not be reported: a full ring buffer, and full maps (a
 * syscall or a child that could not be recorded).
 */
static __always_inline void count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
}

static __always_inline bool is_tracked(__u32 tid)
{
	return bpf_map_lookup_elem(&tracked, &tid) != NULL;
}

/*
 * The tgid as the task's own pid namespace numbers it: struct pid keeps one
 * number per namespace level, and the last one is the innermost
 * (include/linux/pid.h, pid_nr_ns()).
 */
static __always_inline __u32 ns_tgid(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	int nr = 0;

	bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[level & 31].nr);
	return nr;
}

static __always_inline void read_str(struct ctr_trace_event *e, int i, const void *uptr)
{
	long n;

	if (!uptr)
		return;
	n = bpf_probe_read_user_str(e->str[i], TRACE_STR_LEN, uptr);
	if (n < 0) {
		e->str_state[i] = TRACE_STR_PRESENT | TRACE_STR_FAULT;
		e->str[i][0] = '\0';
		return;
	}
	e->str_state[i] = TRACE_STR_PRESENT;
	if (n == TRACE_STR_LEN)
		e->str_state[i] |= TRACE_STR_TRUNCATED;
}

SEC("raw_tp/sys_enter")
int trace_sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	struct pt_regs *regs = (struct pt_regs *)ctx->args[0];
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tid = (__u32)id;
	__u32 zero = 0;
	struct ctr_trace_event *e;
	int sc;

	sc = syscall_index((long)ctx->args[1]);
	if (sc < 0 || !(syscall_mask & (1ULL << sc)) || !is_tracked(tid))
		return 0;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return 0;
	e->type = TRACE_EVENT_SYSCALL;
	e->syscall = sc;
	e->flags = 0;
	e->num = 0;
	e->str_state[0] = e->str_state[1] = e->str_state[2] = 0;
	e->str[0][0] = e->str[1][0] = e->str[2][0] = '\0';

	unsigned long a0 = PT_REGS_PARM1_CORE_SYSCALL(regs);
	unsigned long a1 = PT_REGS_PARM2_CORE_SYSCALL(regs);
	unsigned long a2 = PT_REGS_PARM3_CORE_SYSCALL(regs);
	unsigned long a3 = PT_REGS_PARM4_CORE_SYSCALL(regs);

	switch (sc) {
	case TRACE_SYS_CLONE:
	case TRACE_SYS_UNSHARE:
		e->flags = a0;
		break;
	case TRACE_SYS_CLONE3: {
		/* struct clone_args starts with flags; exit_signal is its fifth u64 (clone(2)). */
		struct clone_args *args = (struct clone_args *)a0;
		__u64 sig = 0;

		bpf_probe_read_user(&e->flags, sizeof(e->flags), &args->flags);
		bpf_probe_read_user(&sig, sizeof(sig), &args->exit_signal);
		e->num = sig;
		break;
	}
	case TRACE_SYS_SETNS:
		e->num = (int)a0;
		e->flags = (int)a1;
		break;
	case TRACE_SYS_MOUNT:
		read_str(e, 0, (const void *)a0);
		read_str(e, 1, (const void *)a1);
		read_str(e, 2, (const void *)a2);
		e->flags = a3;
		break;
	case TRACE_SYS_UMOUNT2:
		read_str(e, 0, (const void *)a0);
		e->flags = (int)a1;
		break;
	case TRACE_SYS_PIVOT_ROOT:
		read_str(e, 0, (const void *)a0);
		read_str(e, 1, (const void *)a1);
		break;
	case TRACE_SYS_CHROOT:
	case TRACE_SYS_EXECVE:
		read_str(e, 0, (const void *)a0);
		break;
	case TRACE_SYS_EXECVEAT:
		e->num = (int)a0;
		read_str(e, 0, (const void *)a1);
		break;
	case TRACE_SYS_SETHOSTNAME: {
		/* The name is len bytes, not NUL-terminated (sethostname(2)). */
		__u64 len = a1;

		if (!a0)
			break;
		e->str_state[0] = TRACE_STR_PRESENT;
		if (len > HOST_NAME_MAX)
			len = HOST_NAME_MAX;
		/*
		 * A mask clang cannot drop as redundant after the clamp, so the
		 * verifier sees the bound on the register the call gets.
		 */
		asm volatile("%0 &= 0x7f" : "+r"(len));
		if (bpf_probe_read_user(e->str[0], len, (const void *)a0) < 0) {
			e->str_state[0] |= TRACE_STR_FAULT;
			len = 0;
		}
		e->str[0][len] = '\0';
		break;
	}
	}
	if (bpf_map_update_elem(&pending, &tid, e, BPF_ANY) < 0)
		count_lost();
	return 0;
}

static __always_inline void fill_task(struct ctr_trace_event *e, struct task_struct *task)
{
	e->ts_ns = bpf_ktime_get_ns();
	e->pid = BPF_CORE_READ(task, tgid);
	e->tid = BPF_CORE_READ(task, pid);
	e->ppid = BPF_CORE_READ(task, real_parent, tgid);
	e->ns_pid = ns_tgid(task);
	BPF_CORE_READ_STR_INTO(&e->comm, task, comm);
}

static __always_inline struct ctr_trace_event *reserve(void)
{
	struct ctr_trace_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e)
		count_lost();
	return e;
}

/*
 * Wake the reader only once a batch has built up: a wakeup per event costs
 * the traced workload a context switch each. The reader drains on its own
 * every CTR_TRACE_DRAIN_MS and when the command exits (bpf_ringbuf_submit:
 * BPF_RB_NO_WAKEUP, BPF_RB_FORCE_WAKEUP).
 */
#define WAKEUP_BYTES (256 << 10)

static __always_inline void submit(struct ctr_trace_event *e)
{
	__u64 avail = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, avail >= WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

SEC("raw_tp/sys_exit")
int trace_sys_exit(struct bpf_raw_tracepoint_args *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct ctr_trace_event *p, *e;

	p = bpf_map_lookup_elem(&pending, &tid);
	if (!p)
		return 0;
	e = reserve();
	if (e) {
		bpf_probe_read_kernel(e, sizeof(*e), p);
		e->ret = (long)ctx->args[1];
		fill_task(e, (struct task_struct *)bpf_get_current_task());
		submit(e);
	}
	bpf_map_delete_elem(&pending, &tid);
	return 0;
}

/*
 * The number clone(2) returns to its caller: the child's pid as the caller's
 * own pid namespace sees it (pid_vnr(), kernel/pid.c).
 */
static __always_inline __u32 pid_seen_by(struct task_struct *child, struct task_struct *viewer)
{
	unsigned int level = BPF_CORE_READ(viewer, thread_pid, level);
	struct pid *pid = BPF_CORE_READ(child, thread_pid);
	int nr = 0;

	if (level > BPF_CORE_READ(pid, level))
		return 0;
	bpf_probe_read_kernel(&nr, sizeof(nr), &pid->numbers[level & 31].nr);
	return nr;
}

/*
 * Runs in the parent before the child is first woken (kernel_clone()), so
 * the child is tracked from its start. A clone/clone3 of the parent is sent
 * here rather than at sys_exit: the child may run, and report its own
 * syscalls, before the parent returns, and the clone must come first.
 * Nothing in kernel_clone() can fail after this point.
 */
SEC("raw_tp/sched_process_fork")
int trace_fork(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *parent = (struct task_struct *)ctx->args[0];
	struct task_struct *child = (struct task_struct *)ctx->args[1];
	__u32 ptid = BPF_CORE_READ(parent, pid);
	__u32 ctid = BPF_CORE_READ(child, pid);
	struct ctr_trace_event *p, *e;
	__u8 one = 1;

	if (!is_tracked(ptid))
		return 0;
	if (bpf_map_update_elem(&tracked, &ctid, &one, BPF_ANY) < 0)
		count_lost();
	p = bpf_map_lookup_elem(&pending, &ptid);
	if (!p || (p->syscall != TRACE_SYS_CLONE && p->syscall != TRACE_SYS_CLONE3))
		return 0;
	e = reserve();
	if (e) {
		bpf_probe_read_kernel(e, sizeof(*e), p);
		e->ret = pid_seen_by(child, parent);
		fill_task(e, parent);
		submit(e);
	}
	bpf_map_delete_elem(&pending, &ptid);
	return 0;
}

SEC("raw_tp/sched_process_exit")
int trace_exit(struct bpf_raw_tracepoint_args *ctx)
{
	struct task_struct *task = (struct task_struct *)ctx->args[0];
	__u32 tid = BPF_CORE_READ(task, pid);
	struct ctr_trace_event *e;

	if (!is_tracked(tid))
		return 0;
	bpf_map_delete_elem(&tracked, &tid);
	bpf_map_delete_elem(&pending, &tid);
	if (tid != BPF_CORE_READ(task, tgid))
		return 0;
	e = reserve();
	if (!e)
		return 0;
	__builtin_memset(e->str_state, 0, sizeof(e->str_state));
	e->type = TRACE_EVENT_EXIT;
	e->syscall = 0;
	e->ret = 0;
	e->flags = 0;
	/* do_exit() has stored the wait(2) status, or the group's exit code, by now. */
	e->num = BPF_CORE_READ(task, exit_code);
	fill_task(e, task);
	submit(e);
	return 0;
}
