/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libarchive, opened on first use (ctr-dlopen.h) rather than linked: it and
 * what it drags in (libxml2, ICU, libstdc++, liblzma, libzstd, ...) are
 * loaded only by `contain oci unpack`, never at every start of contain.
 *
 * Both readers of tar streams, ctr-image.c (image tarballs) and ctr-unpack.c
 * (layers), share these pointers, so the library is opened and resolved once
 * per process, by whichever comes first. The functions are listed once, in
 * CTR_DL_ARCHIVE_SYMS, which declares the pointers here and defines them and
 * their table in ctr-dl-archive.c: a pointer cannot be declared and never
 * resolved.
 */
#ifndef CTR_DL_ARCHIVE_H
#define CTR_DL_ARCHIVE_H

#include <archive.h>
#include <archive_entry.h>

#include "ctr-error.h"

/* Every libarchive function libcontain calls, each as sym_NAME. */
#define CTR_DL_ARCHIVE_SYMS(X)              \
	X(archive_read_new)                 \
	X(archive_read_free)                \
	X(archive_read_support_format_tar)  \
	X(archive_read_support_filter_gzip) \
	X(archive_read_support_filter_zstd) \
	X(archive_read_open_fd)             \
	X(archive_read_next_header)         \
	X(archive_read_data_block)          \
	X(archive_error_string)             \
	X(archive_entry_pathname)           \
	X(archive_entry_pathname_utf8)      \
	X(archive_entry_filetype)           \
	X(archive_entry_perm)               \
	X(archive_entry_uid)                \
	X(archive_entry_gid)                \
	X(archive_entry_size)               \
	X(archive_entry_size_is_set)        \
	X(archive_entry_mtime)              \
	X(archive_entry_mtime_nsec)         \
	X(archive_entry_mtime_is_set)       \
	X(archive_entry_symlink)            \
	X(archive_entry_symlink_utf8)       \
	X(archive_entry_hardlink)           \
	X(archive_entry_hardlink_utf8)

/* `extern typeof(&sym) sym_sym;`, typed from archive.h like CTR_DLSYM_DEFINE(). */
#define CTR_DL_ARCHIVE_DECLARE(sym) extern __typeof__(&sym) sym_##sym;
CTR_DL_ARCHIVE_SYMS(CTR_DL_ARCHIVE_DECLARE)
#undef CTR_DL_ARCHIVE_DECLARE

/*
 * Open libarchive and fill every sym_ pointer above (ctr_dlopen()); call it
 * before the first of them. Returns 0, or -ELIBACC / -ELIBBAD with an error
 * that names the library and the Debian package to install.
 */
int ctr_dlopen_archive(struct ctr_error *err);

#endif
