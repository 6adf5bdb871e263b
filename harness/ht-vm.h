/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM supervisor: boot one fresh qemu VM on a stock kernel with our
 * initramfs, run `isolab run` inside it, read the guest init's frames
 * (ht-vm-frame.h) as they come, and classify how the VM ended:
 *
 *	RESULTS       the init said DONE: every result came back
 *	SPLAT         results came back, but the kernel tainted itself on the way
 *	KERNEL_PANIC  the guest panicked (pvpanic made qemu exit, or the console
 *	              says so); the console excerpt is kept
 *	BOOT_TIMEOUT  no hello from the init before the boot deadline
 *	HANG          the init said hello, then its heartbeat stopped
 *	INFRA         qemu itself failed (bad option, no accelerator...): retried
 *	              once, and KVM falls back to TCG
 *	INTERRUPTED   the caller asked to stop (SIGINT)
 */
#ifndef HT_VM_H
#define HT_VM_H

#include <stdbool.h>
#include <stdio.h>

#include "ht-result.h"
#include "ht-vm-kernel.h"

enum ht_vm_accel { HT_VM_ACCEL_AUTO, HT_VM_ACCEL_KVM, HT_VM_ACCEL_TCG };
enum ht_vm_boot { HT_VM_BOOT_AUTO, HT_VM_BOOT_PVH, HT_VM_BOOT_BZIMAGE };

enum ht_vm_class {
	HT_VM_RESULTS,
	HT_VM_SPLAT,
	HT_VM_KERNEL_PANIC,
	HT_VM_BOOT_TIMEOUT,
	HT_VM_HANG,
	HT_VM_INFRA,
	HT_VM_INTERRUPTED,
	HT_VM_CLASS_MAX,
};

const char *ht_vm_class_name(enum ht_vm_class c); /* "KERNEL_PANIC" */

struct ht_vm_opts {
	unsigned smp;	 /* 0: 1 (TCG is flaky with more; DESIGN.md) */
	unsigned mem_mb; /* 0: 1024 */
	enum ht_vm_accel accel;
	enum ht_vm_boot boot;
	const char *append;    /* extra kernel command line, or NULL */
	const char *fault;     /* guest fault injection: NULL, "panic" or "hang" */
	double boot_timeout_s; /* 0: 120 s under TCG, 30 s under KVM */
	double hang_timeout_s; /* heartbeat silence; 0: 30 s */
	/* Scales the guest's test deadlines; 0: 10 under TCG, 1 under KVM. */
	double timeout_multiplier;
	unsigned guest_jobs; /* isolab run -j in the guest; 0: 1 */
	/* The runtime and rootfs the guest's tests use (NULL: the built ones). */
	const char *runtime_words;
	const char *rootfs;
	/* Add a "vm_run" result carrying the classification (isolab vm). */
	bool verdict_result;
	FILE *log; /* progress lines, or NULL */
	/* -1, or an fd that turns readable when the run must stop (signalfd). */
	int stop_fd;
	/*
	 * An existing, journaled directory for this VM's files (initrd,
	 * console.log, qemu.log, the results socket). The caller removes it.
	 */
	const char *work_dir;
};

/*
 * Boot kernel k (fetched) and run `isolab run ARGS` in it. Appends to run:
 * each result the guest sent (where = "vm:<label>"), a BROKEN result for
 * each of the planned tests that never finished, and one struct ht_run_vm.
 * planned may be NULL. journal_fd (or -1) records the qemu process group.
 * Returns 0 when the VM ran, whatever its classification (see
 * run->vms[last]); -errno with *err when it could not be started at all
 * (no qemu, no initramfs).
 */
int ht_vm_run(const struct ht_vm_kernel *k, const struct ht_vm_opts *o, char *const *args,
	      size_t n_args, const struct ht_test *const *planned, size_t n_planned,
	      struct ht_run *run, int journal_fd, char **err);

/* The qemu binary (configured at build time, or $ISOLAB_QEMU), or NULL. */
const char *ht_vm_qemu(void);

/* Move every result, VM record and owned test of src to the end of dst. */
void ht_run_merge(struct ht_run *dst, struct ht_run *src);

/* `isolab run --vm auto|always`: what the runner's elsewhere hook needs. */
struct ht_vm_elsewhere {
	const char *spec; /* the kernel; NULL: debian:6.1 */
	bool always;	  /* every test, not only those the host must skip */
	int journal_fd;
	FILE *log;
	const char *runtime_words, *rootfs;
};

/*
 * The runner's elsewhere hook (ht_run_opts): run the given tests in one fresh
 * VM and put the VM's results in their slots, each noting why it moved. With
 * no VM available (no qemu, no kernel), --vm auto keeps the host's SKIPs and
 * says why in a run fact; --vm always marks the tests BROKEN.
 */
void ht_vm_elsewhere(void *ctx, struct ht_run *run, const size_t *idx, size_t n, int stop_fd);

#endif
