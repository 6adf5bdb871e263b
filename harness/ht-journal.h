/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The resource journal. Every host resource a run creates is written here
 * *before* it is created, so that a run killed at any instant can be undone
 * by `isolab reap` (or by the start of the next run).
 *
 * One file per run: $ISOLAB_STATE_DIR/journal/<run-id> (default state dir
 * /run/isolab). The owning run holds an flock(2) on it for its whole life, so
 * a journal whose lock can be taken belongs to a dead run. One entry per
 * line, tab-separated fields, appended with O_APPEND in a single write(2), so
 * forked tests and the runtime (given ISOLAB_JOURNAL=<path>) may append too:
 *
 *	cgroup	<abs path>		kill every process in it, then rmdir
 *	pgrp	<pgid>	<starttime>	SIGKILL the process group if its leader is unchanged
 *	mount	<abs path>		umount2(MNT_DETACH)
 *	netns	<abs path>		umount2(MNT_DETACH) and unlink the bind-mount file
 *	link	<netns path|->	<ifname>	delete the link (in that netns, or the root one)
 *	nft	<netns path|->	<family>	<table>	delete the table
 *	sysctl	<netns path|->	<key>	<old value>	restore the old value
 *	dir	<abs path>		rmdir (after everything inside was undone)
 *	tree	<abs path>		remove recursively (scratch dirs only: refused outside the
 *state dir) file	<abs path>		unlink
 *
 * Undo runs in reverse order, and each step treats "already gone" as done.
 */
#ifndef HT_JOURNAL_H
#define HT_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>

struct ht_journal;

/* The state directory: $ISOLAB_STATE_DIR or /run/isolab. */
const char *ht_state_dir(void);

/*
 * Create the journal for a new run: pick a fresh run id (8 hex digits),
 * create <state>/journal/<id> and lock it. Returns 0 or -errno.
 */
int ht_journal_open(struct ht_journal **ret, char ret_run_id[16]);
void ht_journal_free(struct ht_journal *j);
const char *ht_journal_path(const struct ht_journal *j);
int ht_journal_fd(const struct ht_journal *j);

/*
 * Append one entry (b and c may be NULL) in a single write(2). Fields must
 * not contain tabs or newlines (-EINVAL). Returns 0 or -errno.
 */
int ht_journal_append(int journal_fd, const char *kind, const char *a, const char *b,
		      const char *c);

/*
 * Undo every entry of one journal file in reverse order. Errors are
 * described in out (one line each) and counted; returns the number of
 * entries that could not be undone, or -errno if the file is unreadable.
 */
int ht_journal_undo_file(const char *path, FILE *out, bool dry_run);

/*
 * Undo every journal whose run is dead (its lock is free), then remove the
 * journal files. The run holding `self` (may be NULL) is skipped. Returns
 * the number of entries that could not be undone, or -errno.
 */
int ht_journal_reap_all(const struct ht_journal *self, FILE *out, bool dry_run,
			unsigned *ret_journals);

/* Finish a run: undo its own entries and remove the journal. */
int ht_journal_close(struct ht_journal *j, FILE *out);

#endif
