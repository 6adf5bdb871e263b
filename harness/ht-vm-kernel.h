/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel store for `isolab vm`: stock Debian kernels fetched once with
 * apt-get download, verified against the archive's SHA256, unpacked with
 * dpkg-deb -x into a per-user cache and indexed with depmod; or a local
 * vmlinuz with its modules directory. An uncompressed PVH vmlinux is cut out
 * of the bzImage when the kernel has one: qemu then boots it directly and
 * skips the in-guest decompression (about 4 s under TCG).
 *
 * Cache layout (under ht_vm_cache_dir()):
 *   kernels/.lock                        flock(2)ed while fetching
 *   kernels/<package>_<version>/         one per Debian package version,
 *       boot/vmlinuz-<release>           renamed into place when complete
 *       lib/modules/<release>/           with depmod's modules.dep
 *       vmlinux                          when the kernel has a PVH entry
 *       meta.json                        spec, package, version, sha256,
 *                                        release, bzimage, vmlinux, modules,
 *                                        fetched (paths relative to the entry)
 *       initramfs-<key>.cpio             base archives (ht-vm-initramfs.h)
 *   vmlinux/<sha256>.vmlinux | .none     PVH cut of a path: kernel
 *   initramfs/base-<key>.cpio            base archives of path: kernels
 */
#ifndef HT_VM_KERNEL_H
#define HT_VM_KERNEL_H

#include <stdio.h>
#include <sys/types.h>

struct ht_vm_kernel {
	char *spec;	   /* as given: "debian:6.1", "path:/boot/vmlinuz-6.1.0-50-amd64" */
	char *label;	   /* for reports: "debian-6.1", "6.1.0-50-amd64" for path: */
	char *release;	   /* uname -r of that kernel: "6.1.0-50-amd64" */
	char *package;	   /* "linux-image-6.1.0-50-amd64-unsigned"; NULL for path: */
	char *version;	   /* package version "6.1.176-1"; NULL for path: */
	char *sha256;	   /* of the .deb (debian:) or of the vmlinuz (path:) */
	char *dir;	   /* the cache entry (or NULL for path: without a copy) */
	char *bzimage;	   /* the vmlinuz */
	char *vmlinux;	   /* uncompressed ELF with a PVH entry note, or NULL */
	char *modules_dir; /* .../lib/modules/<release>, with modules.dep */
};

/*
 * The per-user cache: $ISOLAB_CACHE_DIR, else $XDG_CACHE_HOME/isolab, else
 * $HOME/.cache/isolab (the passwd entry's home when $HOME is unset). Looked
 * up again on every call; the returned string is static and valid until the
 * next call. Not created here: the fetch and the initramfs writer create it
 * (mkdir -p, 0755) when they first write to it.
 */
const char *ht_vm_cache_dir(void);

/*
 * Check a SPEC ("debian:6.1", "debian:6.12", any "debian:MAJOR.MINOR", or
 * "path:/ABSOLUTE/vmlinuz") and fill spec and label (and modules_dir for
 * path:); k is overwritten. modules_dir is --modules (required with path:,
 * refused otherwise). No file is looked at: ht_vm_kernel_fetch does that.
 * Returns 0, or -EINVAL with *err set (malloc'd, one line, names the problem).
 */
int ht_vm_kernel_parse(const char *spec, const char *modules_dir, struct ht_vm_kernel *k,
		       char **err);

/*
 * Make the kernel available: resolve the Debian package (newest ABI of the
 * generic "-amd64-unsigned" flavour), download, verify, unpack, depmod and
 * extract vmlinux, all once per package version and under a lock, so that
 * concurrent runs share one download. A present entry costs two apt-cache
 * calls and reading meta.json; when the apt lists know no package for the
 * spec, the newest cached entry for it is used. For path: the vmlinuz is
 * hashed and its PVH vmlinux cut once (cached by that hash); nothing is
 * downloaded. Progress lines go to log (may be NULL).
 * Returns 0 with every field filled (package, version, dir and vmlinux may
 * be NULL as documented above), or -errno with *err set.
 */
int ht_vm_kernel_fetch(struct ht_vm_kernel *k, FILE *log, char **err);

/* Free the fields and zero k; NULL-safe, and safe to call twice. */
void ht_vm_kernel_done(struct ht_vm_kernel *k);

/*
 * Cut the compressed payload out of a bzImage (boot protocol >= 2.08:
 * payload_offset/payload_length in the setup header), decompress it, and
 * write out_path when the result is an ELF64 with an XEN_ELFNOTE_PHYS32_ENTRY
 * note. Returns 1 when written, 0 when the kernel has no PVH entry (the
 * caller boots the bzImage), -errno with *err on error (not a bzImage, a
 * truncated one, a payload that does not decompress to an ELF).
 */
int ht_vm_extract_pvh(const char *bzimage, const char *out_path, char **err);

/*
 * Helpers shared with the initramfs writer. Each returns 0 or -errno with
 * *err set.
 */

/* SHA-256 (sha256sum(1)) of a file, or of a string, as 64 hex digits. */
int ht_vm_sha256_file(const char *path, char ret_hex[65], char **err);
int ht_vm_sha256_text(const char *text, char ret_hex[65], char **err);

/*
 * Decompress a buffer in any format libarchive's filters know (xz, zstd,
 * gzip, lz4, bzip2, lzma...; archive_read_filter(3) with the raw format).
 * Data in no known compression comes back as is. *ret is malloc'd.
 */
int ht_vm_decompress(const void *in, size_t n, char **ret, size_t *ret_len, char **err);

/* mkdir -p with mode for the directories it creates. */
int ht_vm_mkdir_p(const char *path, mode_t mode, char **err);

/*
 * Atomic replace: open a new temporary file beside path (*ret_fd, name in
 * *ret_tmp); then either commit (fsync-free close and rename(2) over path,
 * so readers see the old file or the new one, never a part) or abort
 * (close and unlink). Both take ownership of fd and tmp.
 */
int ht_vm_atomic_open(const char *path, int *ret_fd, char **ret_tmp, char **err);
int ht_vm_atomic_commit(int fd, char *tmp, const char *path, char **err);
void ht_vm_atomic_abort(int fd, char *tmp);

#endif
