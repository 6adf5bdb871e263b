// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The one libarchive table of libcontain (see ctr-dl-archive.h for why it is
 * shared and how the functions are listed).
 */
#include "ctr-dl-archive.h"
#include "ctr-dlopen.h"

/* Not static, unlike CTR_DLSYM_DEFINE(): ctr-image.c and ctr-unpack.c call them. */
#define DEFINE_SYM(sym) __typeof__(&sym) sym_##sym;
CTR_DL_ARCHIVE_SYMS(DEFINE_SYM)
#undef DEFINE_SYM

#define TABLE_ENTRY(sym) CTR_DLSYM(sym),
CTR_DLLIB_DEFINE(libarchive, CTR_SONAME_LIBARCHIVE, CTR_PACKAGE_LIBARCHIVE,
		 CTR_DL_ARCHIVE_SYMS(TABLE_ENTRY));
#undef TABLE_ENTRY

int ctr_dlopen_archive(struct ctr_error *err)
{
	return ctr_dlopen(&libarchive, err);
}
