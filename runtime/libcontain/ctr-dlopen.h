/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Optional libraries loaded with dlopen(3) when a verb first needs them.
 *
 * Linking libnftables, libbpf, libarchive and libcrypto pulls in some 25
 * shared objects that the dynamic loader maps and relocates at every start,
 * even for `contain --version` or `contain run`, which use none of them (see
 * ld.so(8): every DT_NEEDED entry is loaded before main()). So contain is
 * compiled against their headers but not linked with them, and each user
 * resolves the functions it calls into pointers typed from the real
 * prototypes: a prototype that changes in the header is a compile error,
 * and a call that bypasses the pointer is a link error.
 *
 * One library, in the file that uses it:
 *
 *	#include <nftables/libnftables.h>
 *	#include "ctr-dlopen.h"
 *
 *	CTR_DLSYM_DEFINE(nft_ctx_new);
 *	CTR_DLSYM_DEFINE(nft_ctx_free);
 *	CTR_DLLIB_DEFINE(libnftables, CTR_SONAME_LIBNFTABLES, CTR_PACKAGE_LIBNFTABLES,
 *			 CTR_DLSYM(nft_ctx_new), CTR_DLSYM(nft_ctx_free));
 *
 *	r = ctr_dlopen(&libnftables, err);	(at each entry point, before any call)
 *	ctx = sym_nft_ctx_new(NFT_CTX_DEFAULT);
 *
 * Code that cannot be edited, such as a generated BPF skeleton, is pointed
 * at the pointers with `#define bpf_object__load_skeleton
 * sym_bpf_object__load_skeleton` before its header is included.
 */
#ifndef CTR_DLOPEN_H
#define CTR_DLOPEN_H

#include <stddef.h>

#include "ctr-error.h"

/*
 * SONAMEs, as `objdump -p LIB | grep SONAME` prints them: the ABI contain
 * was compiled against, never the unversioned development symlink. The
 * packages are Debian 12's, for the hint. A build may override a SONAME
 * with -D, which is how the missing-library path is tried by hand.
 */
#ifndef CTR_SONAME_LIBNFTABLES
#define CTR_SONAME_LIBNFTABLES "libnftables.so.1"
#endif
#define CTR_PACKAGE_LIBNFTABLES "libnftables1"
#ifndef CTR_SONAME_LIBBPF
#define CTR_SONAME_LIBBPF "libbpf.so.1"
#endif
#define CTR_PACKAGE_LIBBPF "libbpf1"
#ifndef CTR_SONAME_LIBARCHIVE
#define CTR_SONAME_LIBARCHIVE "libarchive.so.13"
#endif
#define CTR_PACKAGE_LIBARCHIVE "libarchive13"
#ifndef CTR_SONAME_LIBCRYPTO
#define CTR_SONAME_LIBCRYPTO "libcrypto.so.3"
#endif
#define CTR_PACKAGE_LIBCRYPTO "libssl3"

/* One function to resolve: where its pointer goes, and its name. */
struct ctr_dlsym {
	void (**slot)(void);
	const char *name;
};

/* One library; define it with CTR_DLLIB_DEFINE(), never by hand. */
struct ctr_dllib {
	const char *soname;
	const char *package; /* the Debian package that ships soname */
	const struct ctr_dlsym *syms;
	size_t n_syms;
	/* What the first ctr_dlopen() found, reused by the later ones. */
	int state; /* 0: not tried, 1: loaded, -errno: failed */
	char cause[256];
};

/*
 * `static typeof(&sym) sym_sym`: a pointer with the prototype of the
 * library's sym, NULL until ctr_dlopen() resolved it.
 */
#define CTR_DLSYM_DEFINE(sym) static __typeof__(&sym) sym_##sym

/* An entry of the table of CTR_DLLIB_DEFINE(). */
#define CTR_DLSYM(sym)                              \
	{                                           \
		(void (**)(void)) & sym_##sym, #sym \
	}

/* `static struct ctr_dllib var`, with the CTR_DLSYM() entries that follow. */
#define CTR_DLLIB_DEFINE(var, soname_, package_, ...)                 \
	static const struct ctr_dlsym var##_syms[] = { __VA_ARGS__ }; \
	static struct ctr_dllib var = {                               \
		.soname = soname_,                                    \
		.package = package_,                                  \
		.syms = var##_syms,                                   \
		.n_syms = sizeof(var##_syms) / sizeof(var##_syms[0]), \
	}

/*
 * Open lib->soname (RTLD_NOW, so a missing symbol of its own dependencies
 * shows here rather than as a crash later; RTLD_NODELETE, so the resolved
 * pointers stay valid for the life of the process) and fill every pointer of
 * its table; all of them or, on failure, none. Only the first call per
 * process does the work; later calls return its result. Thread-safe.
 *
 * Returns 0, or -ELIBACC when the library cannot be opened and -ELIBBAD
 * when a function is missing from it, with a message naming the library
 * and the function, and a hint naming the package.
 */
int ctr_dlopen(struct ctr_dllib *lib, struct ctr_error *err);

#endif
