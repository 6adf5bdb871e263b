/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The events that trace.bpf.c sends through its ring buffer to user space
 * (libcontain/ctr-trace.c): the only definitions both sides share. The BPF
 * side gets the __u* types from vmlinux.h, user space from <linux/types.h>.
 */
#ifndef CONTAIN_TRACE_H
#define CONTAIN_TRACE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TRACE_COMM_LEN 16
/* Paths longer than this are cut; the event says so (TRACE_STR_TRUNCATED). */
#define TRACE_STR_LEN 256
#define TRACE_NSTR    3

/* The traced syscalls, as bit numbers of the syscall_mask knob. */
enum ctr_trace_syscall {
	TRACE_SYS_CLONE,
	TRACE_SYS_CLONE3,
	TRACE_SYS_UNSHARE,
	TRACE_SYS_SETNS,
	TRACE_SYS_MOUNT,
	TRACE_SYS_UMOUNT2,
	TRACE_SYS_PIVOT_ROOT,
	TRACE_SYS_CHROOT,
	TRACE_SYS_SETHOSTNAME,
	TRACE_SYS_EXECVE,
	TRACE_SYS_EXECVEAT,
	TRACE_SYS_COUNT,
};

enum ctr_trace_event_type {
	TRACE_EVENT_SYSCALL = 1,
	TRACE_EVENT_EXIT = 2,
};

/* Bits of str_state[i]. */
#define TRACE_STR_PRESENT   1 /* the argument is in str[i] (else its pointer was NULL) */
#define TRACE_STR_TRUNCATED 2 /* str[i] holds only the first TRACE_STR_LEN - 1 bytes */
#define TRACE_STR_FAULT	    4 /* reading the user pointer failed */

struct ctr_trace_event {
	__u64 ts_ns;   /* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	__u32 type;    /* enum ctr_trace_event_type */
	__u32 syscall; /* enum ctr_trace_syscall */
	__u32 pid;     /* host tgid */
	__u32 tid;     /* host tid */
	__u32 ppid;    /* host tgid of the real parent */
	__u32 ns_pid;  /* tgid as seen in the task's own pid namespace */
	__s64 ret;     /* the kernel's return value: -errno on failure */
	__u64 flags;   /* clone/clone3/unshare/mount/umount2 flags, setns nstype */
	__s64 num;     /* setns fd, execveat dirfd; clone3 exit_signal; exit: task->exit_code */
	__u8 str_state[TRACE_NSTR];
	__u8 pad[5];
	char comm[TRACE_COMM_LEN];
	char str[TRACE_NSTR][TRACE_STR_LEN];
};

#endif
