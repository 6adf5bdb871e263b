/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Initramfs archives for `isolab vm`, written with libarchive as cpio
 * "newc", uncompressed (the guest unpacks faster than it decompresses under
 * TCG), and reproducible: entries sorted by path, mtime 0, owner 0:0.
 *
 * Two archives are concatenated, which the kernel unpacks in order
 * (Documentation/driver-api/early-userspace/buffer-format.rst):
 *  - a base archive per kernel: /init (the static guest init), the modules
 *    the guest needs in dependency order, and /etc/isolab/modules listing
 *    them in load order; cached beside the kernel.
 *  - a per-run payload: host files copied to the same absolute paths in the
 *    guest (so every path compiled into isolab works there), the shared
 *    libraries of each ELF among them, and small generated files (the job).
 */
#ifndef HT_VM_INITRAMFS_H
#define HT_VM_INITRAMFS_H

#include <stddef.h>
#include <sys/types.h>

#include "ht-vm-kernel.h"

/*
 * The modules the guest loads (by module name, as in modules.dep: '-' and
 * '_' are the same), NULL-terminated. Names built into the kernel
 * (modules.builtin) or absent from it are left out without error; the
 * guest's probes report what is missing.
 */
extern const char *const ht_vm_guest_modules[];

/*
 * Build (or reuse) the base archive for kernel k (fetched) with init_path
 * as /init; modules is a NULL-terminated list of names (NULL: the list
 * above). Sets *ret_path to the cached archive (malloc'd): beside the kernel
 * in its cache entry, or under <cache>/initramfs for a path: kernel. The
 * cache key covers the kernel (sha256 and modules directory), the init
 * binary's content and the module list.
 *
 * Contents: /init (0755; refused when it is a dynamic ELF), the directories
 * /proc /sys /dev /run /tmp /newroot /etc/isolab /root, /dev/console, the
 * modules with their dependencies at /usr/lib/modules/<release>/<path> (with
 * /lib -> usr/lib, so /lib/modules/<release> works too), .ko.xz/.ko.zst/.ko.gz
 * stored decompressed as .ko, and /etc/isolab/modules: their absolute paths
 * (under /usr/lib/modules), one per line, in load order.
 * Returns 0, or -errno with *err set.
 */
int ht_vm_initramfs_base(const struct ht_vm_kernel *k, const char *init_path,
			 const char *const *modules, char **ret_path, char **err);

/* A generated file for the payload. */
struct ht_vm_file {
	const char *path; /* absolute path in the guest */
	const char *data;
	size_t len;
	mode_t mode; /* permission bits */
};

/*
 * Write the payload archive to out_path: every host path in host_paths
 * (NULL-terminated; files, symlinks as symlinks, directories recursively),
 * plus the ELF interpreter and DT_NEEDED libraries of every dynamic
 * executable or library among them (resolved as the host's loader would),
 * plus the generated files. Each lands at its host path.
 *
 * A symlink met on the way to a listed path (/bin -> usr/bin on a merged-/usr
 * host), or a listed path that is a symlink, is added as a symlink and its
 * target is added too; symlinks inside a listed directory are stored as they
 * are and not followed. Parent directories are added with their host modes
 * (0755 for those of generated files). Device nodes, sockets and FIFOs are
 * skipped. Paths must be absolute without ".." components (-EINVAL). A host
 * path that is missing is an error (-ENOENT) unless it is written with a
 * leading '?' ("?/usr/bin/strace"): then it is skipped. A library the
 * loader's search path does not have is -ENOENT; a generated file at a path
 * the host paths bring too is -EEXIST.
 * Returns 0, or -errno with *err set.
 */
int ht_vm_initramfs_payload(const char *const *host_paths, const struct ht_vm_file *files,
			    size_t n_files, const char *out_path, char **err);

/*
 * Concatenate parts into out_path (the -initrd qemu is given), each padded
 * with NULs to a multiple of 4 bytes, written atomically. Returns 0, or
 * -errno with *err set.
 */
int ht_vm_initramfs_concat(const char *const *parts, size_t n, const char *out_path, char **err);

#endif
