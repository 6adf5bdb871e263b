/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The harness's resource journal, seen from the runtime. When isolab runs
 * contain it sets $ISOLAB_JOURNAL to its journal file; every host object
 * contain makes is then appended there *before* it is made, so that a run
 * killed at any instant can be undone by `isolab reap`. The line format is
 * the harness's (harness/ht-journal.h): tab-separated fields, one line per
 * entry, appended with O_APPEND in a single write(2) so that lines of
 * concurrent writers never interleave. Without $ISOLAB_JOURNAL every
 * function here does nothing.
 */
#ifndef CTR_JOURNAL_H
#define CTR_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "ctr-error.h"

#define CTR_JOURNAL_ENV "ISOLAB_JOURNAL"

/* Whether $ISOLAB_JOURNAL names a journal. */
bool ctr_journal_enabled(void);

/*
 * Append "KIND\tF1\tF2..." to the journal. A field with a tab or a newline
 * is refused (EINVAL). 0 without a journal.
 */
int ctr_journal_append(const char *kind, const char *const *fields, size_t n,
		       struct ctr_error *err);

/*
 * The netns field of an entry for the network namespace the caller is in:
 * "-" for the initial one (the namespace of /proc/1), else the path of an
 * nsfs bind mount of it found in /proc/self/mountinfo. An anonymous
 * namespace (no bind mount anywhere) gives an empty string: what is made in
 * it dies with it, so there is nothing to journal.
 */
int ctr_journal_netns_field(char *buf, size_t size, struct ctr_error *err);

/* `netns PATH`: a bind-mounted network namespace (PATH absolute). */
int ctr_journal_netns(const char *path, struct ctr_error *err);

/* `link NETNS IFNAME`: a link in the caller's network namespace. */
int ctr_journal_link(const char *ifname, struct ctr_error *err);

/* `nft NETNS FAMILY TABLE`: an nftables table in the caller's network namespace. */
int ctr_journal_nft(const char *family, const char *table, struct ctr_error *err);

/* `sysctl NETNS KEY OLD`: a sysctl of the caller's network namespace, with its old value. */
int ctr_journal_sysctl(const char *key, const char *old_value, struct ctr_error *err);

#endif
