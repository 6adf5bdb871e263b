// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * ctr_dlopen(): an optional library opened by its SONAME on first use and
 * its functions resolved into typed pointers (see ctr-dlopen.h for why and
 * how a user declares them).
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ctr-dlopen.h"

/* One lock for every library: each is loaded once per process, so it is never contended. */
static pthread_mutex_t dl_lock = PTHREAD_MUTEX_INITIALIZER;

/* "SONAME: cause", without repeating the SONAME when dlerror(3) starts with it. */
static void keep_cause(struct ctr_dllib *lib, const char *cause)
{
	size_t n = strlen(lib->soname);

	if (strncmp(cause, lib->soname, n) == 0 && cause[n] == ':')
		snprintf(lib->cause, sizeof(lib->cause), "%s", cause);
	else
		snprintf(lib->cause, sizeof(lib->cause), "%s: %s", lib->soname, cause);
}

static int load(struct ctr_dllib *lib)
{
	void *dl;
	size_t i;

	/*
	 * RTLD_NOW: an unresolvable symbol in the library or its dependencies
	 * fails here, with a message, rather than at the first call.
	 * RTLD_NODELETE: the pointers must outlive any dlclose(3), including
	 * one balancing a dlopen() of the same library elsewhere in the process.
	 */
	dl = dlopen(lib->soname, RTLD_NOW | RTLD_NODELETE);
	if (!dl) {
		const char *e = dlerror();

		keep_cause(lib, e ? e : "cannot be opened");
		return -ELIBACC;
	}
	for (i = 0; i < lib->n_syms; i++) {
		void *p = dlsym(dl, lib->syms[i].name);

		/* NULL is no valid address for a function, so it means "not found" here. */
		if (!p)
			break;
		*lib->syms[i].slot = (void (*)(void))p;
	}
	if (i < lib->n_syms) {
		snprintf(lib->cause, sizeof(lib->cause), "%s: undefined symbol %s", lib->soname,
			 lib->syms[i].name);
		/* All or none: a half-filled table would let a caller crash on a NULL. */
		while (i-- > 0)
			*lib->syms[i].slot = NULL;
		dlclose(dl);
		return -ELIBBAD;
	}
	/* Never closed: the pointers are used until the process exits. */
	return 0;
}

int ctr_dlopen(struct ctr_dllib *lib, struct ctr_error *err)
{
	char hint[160];
	int r;

	pthread_mutex_lock(&dl_lock);
	if (lib->state == 0) {
		r = load(lib);
		lib->state = r < 0 ? r : 1;
	}
	r = lib->state;
	pthread_mutex_unlock(&dl_lock);
	if (r > 0)
		return 0;

	ctr_error_set(err, -r, "%s", lib->cause);
	if (r == -ELIBBAD)
		snprintf(hint, sizeof(hint),
			 "contain was built against a newer %s than the installed one "
			 "(Debian package %s)",
			 lib->soname, lib->package);
	else
		snprintf(hint, sizeof(hint), "this verb needs %s: install the Debian package %s",
			 lib->soname, lib->package);
	return ctr_error_hint(err, hint);
}
