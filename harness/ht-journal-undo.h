/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * What ht-journal.c (the entry format, parsing, the undo loop) and
 * ht-journal-undo.c (the undo step of each kind) share and nobody else
 * needs: a parsed entry, the kind table's field types, and the steps.
 */
#ifndef HT_JOURNAL_UNDO_H
#define HT_JOURNAL_UNDO_H

enum field_type {
	F_PATH,	 /* absolute, no ".." component */
	F_NETNS, /* F_PATH or "-" for the root network namespace */
	F_UINT,
	F_IFNAME,
	F_NFT_FAMILY,
	F_NFT_NAME,
	F_SYSCTL_KEY,
	F_TEXT, /* anything without tab or newline, may be empty */
	F_RUN_ID,
};

struct entry;
typedef int (*undo_fn)(const struct entry *e, char **ret_cause);

struct kind_desc {
	const char *name;
	unsigned n_fields;
	enum field_type types[3];
	/* Returns 1 when something was undone, 0 when it was already gone, or -errno. */
	undo_fn undo;
};

struct entry {
	unsigned line;
	const struct kind_desc *kind; /* NULL: malformed, see error */
	const char *field[3];
	char *error;
};

/*
 * The undo step of each kind, given a well-formed entry of that kind.
 * Returns as kind_desc.undo says; on failure *ret_cause says why.
 */
int ht_undo_cgroup(const struct entry *e, char **ret_cause);
int ht_undo_pgrp(const struct entry *e, char **ret_cause);
int ht_undo_mount(const struct entry *e, char **ret_cause);
int ht_undo_netns(const struct entry *e, char **ret_cause);
int ht_undo_link(const struct entry *e, char **ret_cause);
int ht_undo_nft(const struct entry *e, char **ret_cause);
int ht_undo_sysctl(const struct entry *e, char **ret_cause);
int ht_undo_dir(const struct entry *e, char **ret_cause);
int ht_undo_tree(const struct entry *e, char **ret_cause);
int ht_undo_file(const struct entry *e, char **ret_cause);

/*
 * What a `tree` entry does, for a path: remove it recursively, refusing
 * anything not strictly inside the state directory. Returns as above.
 */
int ht_undo_tree_path(const char *path, char **ret_cause);

#endif
