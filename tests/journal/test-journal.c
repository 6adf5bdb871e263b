// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests of the resource journal (harness/ht-journal.c): the line
 * format, what append refuses, reverse-order undo, the confinement of `tree`
 * to the state directory, truncated journals, flock(2) liveness, and the
 * undo of mounts, network namespaces, links, nft tables, sysctls, cgroups and
 * process groups. Each test gets a fresh $ISOLAB_STATE_DIR. Host changes
 * happen only in private mount and network namespaces, or in a scratch
 * cgroup that the test removes.
 */
#include "config.h"

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "ht-journal.h"
#include "ht-util.h"

/* Everything a test creates lives under base_dir, removed by main() at the end. */
static char base_dir[64];
static char state_dir[128];

/*
 * Every string a test allocates stays reachable from here until teardown,
 * so that forked children, which leave through _exit(2), leak nothing in
 * the eyes of valgrind (`meson test --setup valgrind` follows them).
 */
static char *kept[1024];
static size_t n_kept;

static char *keep(char *p)
{
	ck_assert_uint_lt(n_kept, HT_ARRAY_SIZE(kept));
	kept[n_kept++] = p;
	return p;
}

static char *tfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *tfmt(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = ht_xvasprintf(fmt, ap);
	va_end(ap);
	return keep(s);
}

static char *tdup(const char *s)
{
	return keep(ht_xstrdup(s));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(path) < 0 && errno != ENOENT ? -1 : 0;
}

/* rm -rf without crossing mounts or following symlinks. */
static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/* What a test makes outside its private namespaces: a scratch cgroup and its process. */
static char scratch_cg[2][256];
static pid_t scratch_pid;

static void scratch_cleanup(void)
{
	if (scratch_pid > 0) {
		kill(scratch_pid, SIGKILL);
		waitpid(scratch_pid, NULL, 0);
		scratch_pid = 0;
	}
	/* Reaped, so out of the group: the groups are empty. */
	for (int i = 1; i >= 0; i--) {
		if (scratch_cg[i][0])
			rmdir(scratch_cg[i]);
		scratch_cg[i][0] = '\0';
	}
}

static void setup(void)
{
	snprintf(state_dir, sizeof(state_dir), "%s/state.XXXXXX", base_dir);
	ck_assert_ptr_nonnull(mkdtemp(state_dir));
	setenv("ISOLAB_STATE_DIR", state_dir, 1);
}

static void teardown(void)
{
	scratch_cleanup();
	rm_rf(state_dir);
	while (n_kept > 0)
		free(kept[--n_kept]);
}

static bool is_root(void)
{
	if (geteuid() == 0)
		return true;
	fprintf(stderr, "note: %s needs root, not tested\n", tcase_name());
	return false;
}

static char *slurp(const char *path)
{
	char *s = NULL;

	ck_assert_int_eq(ht_read_file(AT_FDCWD, path, &s), 0);
	return keep(s);
}

static void spew(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ht_write_all(fd, s, strlen(s)), 0);
	close(fd);
}

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0;
}

static char *spath(const char *rel)
{
	return tfmt("%s/%s", state_dir, rel);
}

/* Undo a journal file, returning what it printed; *failures gets the result. */
static char *undo(const char *path, bool dry_run, int *failures)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	*failures = ht_journal_undo_file(path, f, dry_run);
	fclose(f);
	return keep(buf);
}

static char *reap(const struct ht_journal *self, bool dry_run, int *failures, unsigned *journals)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	*failures = ht_journal_reap_all(self, f, dry_run, journals);
	fclose(f);
	return keep(buf);
}

static char *journal_of(const char *run_id)
{
	return tfmt("%s/journal/%s", state_dir, run_id);
}

static bool journal_exists(const char *run_id)
{
	char *p = journal_of(run_id);

	return exists(p);
}

/* Write a journal by hand, as a killed run would have left it. */
static char *fake_journal(const char *id, const char *body)
{
	char *path = journal_of(id);
	char *jdir = spath("journal");

	mkdir(jdir, 0700);
	spew(path, body);
	return path;
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		ck_assert_int_eq(errno, EINTR);
	return status;
}

/* ---- format ------------------------------------------------------------ */

START_TEST(test_state_dir)
{
	ck_assert_str_eq(ht_state_dir(), state_dir);
	unsetenv("ISOLAB_STATE_DIR");
	ck_assert_str_eq(ht_state_dir(), "/run/isolab");
	setenv("ISOLAB_STATE_DIR", "", 1);
	ck_assert_str_eq(ht_state_dir(), "/run/isolab");
	setenv("ISOLAB_STATE_DIR", state_dir, 1);
}
END_TEST

START_TEST(test_append_roundtrip)
{
	struct ht_journal *j = NULL;
	char id[16], want_head[128];
	char *text = NULL, *out = NULL, *jdir = spath("journal"), *expect = NULL;
	char *jpath = NULL;
	struct stat st;
	char *nl;
	int fd, failures;

	ck_assert_int_eq(ht_journal_open(&j, id), 0);
	ck_assert_uint_eq(strlen(id), 8);
	ck_assert_uint_eq(strspn(id, "0123456789abcdef"), 8);
	ck_assert_int_eq(stat(jdir, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0700);
	jpath = journal_of(id);
	ck_assert_str_eq(ht_journal_path(j), jpath);
	fd = ht_journal_fd(j);
	ck_assert_int_ge(fd, 0);

	ck_assert_int_eq(ht_journal_append(fd, "dir", "/x/a", NULL, NULL), 0);
	ck_assert_int_eq(ht_journal_append(fd, "pgrp", "1234", "5678", NULL), 0);
	ck_assert_int_eq(ht_journal_append(fd, "link", "-", "veth-x", NULL), 0);
	ck_assert_int_eq(ht_journal_append(fd, "nft", "/run/netns/n", "inet", "isolab-t.1"), 0);
	ck_assert_int_eq(
		ht_journal_append(fd, "sysctl", "/run/netns/n", "net.ipv4.ip_forward", "0"), 0);
	ck_assert_int_eq(ht_journal_append(fd, "sysctl", "-", "kernel.x", ""), 0);
	ck_assert_int_eq(ht_journal_append(fd, "cgroup", "/sys/fs/cgroup/isolab-x", NULL, NULL), 0);

	text = slurp(ht_journal_path(j));
	/* Header: run <id> <pid> <starttime of that pid>. */
	snprintf(want_head, sizeof(want_head), "run\t%s\t%d\t", id, (int)getpid());
	ck_assert_msg(strncmp(text, want_head, strlen(want_head)) == 0, "header: %s", text);
	nl = strchr(text, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_uint_eq(strspn(text + strlen(want_head), "0123456789"),
			  (size_t)(nl - text) - strlen(want_head));
	ck_assert_str_eq(nl + 1, "dir\t/x/a\n"
				 "pgrp\t1234\t5678\n"
				 "link\t-\tveth-x\n"
				 "nft\t/run/netns/n\tinet\tisolab-t.1\n"
				 "sysctl\t/run/netns/n\tnet.ipv4.ip_forward\t0\n"
				 "sysctl\t-\tkernel.x\t\n"
				 "cgroup\t/sys/fs/cgroup/isolab-x\n");

	/* The parser reads back every entry, newest first, and the header is no entry. */
	out = undo(ht_journal_path(j), true, &failures);
	ck_assert_int_eq(failures, 0);
	expect = tdup("would undo cgroup /sys/fs/cgroup/isolab-x\n"
		      "would undo sysctl - kernel.x \n"
		      "would undo sysctl /run/netns/n net.ipv4.ip_forward 0\n"
		      "would undo nft /run/netns/n inet isolab-t.1\n"
		      "would undo link - veth-x\n"
		      "would undo pgrp 1234 5678\n"
		      "would undo dir /x/a\n");
	ck_assert_str_eq(out, expect);
	/* free() keeps the file: the run looks dead, as if killed. */
	ht_journal_free(j);
	ck_assert(exists(jpath));
	ht_journal_free(NULL);
}
END_TEST

START_TEST(test_append_rejects)
{
	struct ht_journal *j = NULL;
	char id[16];
	char *before = NULL, *after = NULL;
	int fd;

	ck_assert_int_eq(ht_journal_open(&j, id), 0);
	fd = ht_journal_fd(j);
	before = slurp(ht_journal_path(j));

	ck_assert_int_eq(ht_journal_append(fd, "dir", "/x\ty", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "dir", "/x\ny", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "sysctl", "-", "net.x", "1\t2"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "bogus", "/x", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "run", "abcd0123", "1", "2"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, NULL, "/x", NULL, NULL), -EINVAL);
	/* Wrong number of fields, a gap, relative or escaping paths. */
	ck_assert_int_eq(ht_journal_append(fd, "dir", "/x", "/y", NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "link", "-", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "sysctl", "-", NULL, "0"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "dir", NULL, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "dir", "x/y", NULL, NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "tree", "/run/isolab/../../etc", NULL, NULL),
			 -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "pgrp", "12a", "1", NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "nft", "-", "inet", "t; flush ruleset"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "nft", "-", "nope", "t"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "nft", "-", "inet", "1t"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "link", "-", "a/b", NULL), -EINVAL);
	ck_assert_int_eq(ht_journal_append(fd, "sysctl", "-", "net/../x", "1"), -EINVAL);
	ck_assert_int_eq(ht_journal_append(-1, "dir", "/x", NULL, NULL), -EBADF);

	after = slurp(ht_journal_path(j));
	ck_assert_str_eq(before, after);
	ht_journal_free(j);
}
END_TEST

/* ---- dir, file, tree ----------------------------------------------------- */

/* A directory outside the state dir with a random nonce file in it. */
static char *make_victim(char **ret_nonce)
{
	char *dir = tfmt("%s/victim.XXXXXX", base_dir);
	unsigned char raw[16];
	char hex[33], *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(getrandom(raw, sizeof(raw), 0), (ssize_t)sizeof(raw));
	for (size_t i = 0; i < sizeof(raw); i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	f = tfmt("%s/nonce", dir);
	spew(f, hex);
	f = tfmt("%s/sub", dir);
	ck_assert_int_eq(mkdir(f, 0700), 0);
	*ret_nonce = tdup(hex);
	return dir;
}

static void check_victim(const char *dir, const char *nonce)
{
	char *f = tfmt("%s/nonce", dir);
	char *sub = tfmt("%s/sub", dir);
	char *got = slurp(f);

	ck_assert_str_eq(got, nonce);
	ck_assert(exists(sub));
}

START_TEST(test_undo_reverse_order)
{
	char *work = spath("work"), *d = spath("work/d"), *f = spath("work/d/f");
	char *sub = spath("work/d/sub"), *g = spath("work/d/sub/g");
	char *t = spath("work/tree"), *deep = spath("work/tree/a/b/c");
	char *ta = spath("work/tree/a"), *tab = spath("work/tree/a/b");
	char *out = NULL, *out2 = NULL, *expect = NULL, *victim = NULL;
	char *nonce = NULL, *lnk = NULL, *lnk2 = NULL, *vnonce = NULL, *tf = NULL;
	struct ht_journal *j = NULL;
	char id[16];
	int fd, failures;

	victim = make_victim(&nonce);
	ck_assert_int_eq(ht_journal_open(&j, id), 0);
	fd = ht_journal_fd(j);
	ck_assert_int_eq(mkdir(work, 0700), 0);

	/* Journal before creating, in creation order. */
	ck_assert_int_eq(ht_journal_append(fd, "dir", d, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	ck_assert_int_eq(ht_journal_append(fd, "file", f, NULL, NULL), 0);
	spew(f, "f");
	ck_assert_int_eq(ht_journal_append(fd, "dir", sub, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	ck_assert_int_eq(ht_journal_append(fd, "file", g, NULL, NULL), 0);
	spew(g, "g");
	ck_assert_int_eq(ht_journal_append(fd, "tree", t, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(t, 0700), 0);
	ck_assert_int_eq(mkdir(ta, 0700), 0);
	ck_assert_int_eq(mkdir(tab, 0700), 0);
	ck_assert_int_eq(mkdir(deep, 0700), 0);
	tf = spath("work/tree/a/b/c/file");
	spew(tf, "x");
	/* A wide level: every entry must go, not just the first one or two. */
	for (int i = 0; i < 8; i++) {
		char *wide = tfmt("%s/w%d", t, i), *wf = tfmt("%s/w%d/f", t, i);

		/* tfmt's strings are freed with the fixture. */
		ck_assert_int_eq(mkdir(wide, 0700), 0);
		spew(wf, "w");
	}
	/* Links out of the tree must be removed, never followed. */
	lnk = spath("work/tree/a/to-victim");
	ck_assert_int_eq(symlink(victim, lnk), 0);
	lnk2 = spath("work/tree/to-nonce");
	vnonce = tfmt("%s/nonce", victim);
	ck_assert_int_eq(symlink(vnonce, lnk2), 0);

	out = undo(ht_journal_path(j), false, &failures);
	ck_assert_int_eq(failures, 0);
	expect = tfmt("undone tree %s\n"
		      "undone file %s\n"
		      "undone dir %s\n"
		      "undone file %s\n"
		      "undone dir %s\n",
		      t, g, sub, f, d);
	ck_assert_str_eq(out, expect);
	ck_assert(!exists(d));
	ck_assert(!exists(t));
	ck_assert(exists(work));
	check_victim(victim, nonce);

	/* Already gone counts as done. */
	out2 = undo(ht_journal_path(j), false, &failures);
	ck_assert_int_eq(failures, 0);
	ck_assert_ptr_nonnull(strstr(out2, "(already gone)"));
	ht_journal_free(j);
	rm_rf(victim);
}
END_TEST

START_TEST(test_dir_not_empty_is_failure)
{
	char *d = spath("d"), *stray = spath("d/stray"), *out = NULL;
	char *path = NULL, *body = NULL;
	int failures;

	ck_assert_int_eq(mkdir(d, 0700), 0);
	spew(stray, "not journaled");
	body = tfmt("run\tabcdef01\t1\t1\ndir\t%s\n", d);
	path = fake_journal("abcdef01", body);
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 1);
	ck_assert_msg(strstr(out, "failed to undo dir ") && strstr(out, "ENOTEMPTY"), "%s", out);
	ck_assert(exists(stray));
}
END_TEST

START_TEST(test_tree_refused_outside)
{
	char *victim = NULL, *nonce = NULL, *escape = spath("escape");
	char *body = NULL, *path = NULL, *out = NULL, *jdir = spath("journal");
	char *vsub = NULL;
	int failures;

	victim = make_victim(&nonce);
	vsub = tfmt("%s/sub", victim);
	/* A symlink inside the state dir pointing out of it. */
	ck_assert_int_eq(symlink(victim, escape), 0);
	body = tfmt("run\tabcdef02\t1\t1\n"
		    "tree\t%s\n"       /* the victim itself */
		    "tree\t%s\n"       /* inside the victim */
		    "tree\t%s/nonce\n" /* through the symlink */
		    "tree\t%s/sub\n"   /* through the symlink */
		    "tree\t%s\n"       /* the state dir itself: not strictly inside */
		    "tree\t%s\n"       /* the journals */
		    "tree\t/\n"
		    "tree\t/tmp\n",
		    victim, vsub, escape, escape, state_dir, jdir);
	path = fake_journal("abcdef02", body);
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 8);
	ck_assert_msg(strstr(out, "refusing"), "%s", out);
	check_victim(victim, nonce);
	ck_assert(exists(path));
	ck_assert(exists(escape));

	/* The symlink itself is inside: removing it unlinks the link only. */
	body = tfmt("tree\t%s\n", escape);
	path = fake_journal("abcdef03", body);
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 0);
	ck_assert(!exists(escape));
	check_victim(victim, nonce);
	rm_rf(victim);
}
END_TEST

START_TEST(test_truncated_and_malformed)
{
	char *a = spath("a"), *b = spath("b"), *c = spath("c");
	char *body = NULL, *path = NULL, *out = NULL;
	int failures;

	ck_assert_int_eq(mkdir(a, 0700), 0);
	ck_assert_int_eq(mkdir(b, 0700), 0);
	ck_assert_int_eq(mkdir(c, 0700), 0);
	body = tfmt("run\tabcdef04\t1\t1\n"
		    "dir\t%s\n"
		    "frob\t/x\n"
		    "dir\trelative\n"
		    "dir\t%s\t/extra\n"
		    "dir\t%s\n"
		    "dir\t%s",
		    a, c, c, b);
	path = fake_journal("abcdef04", body);
	out = undo(path, false, &failures);
	/* Three malformed lines fail; the truncated last one is only noted. */
	ck_assert_int_eq(failures, 3);
	ck_assert_msg(strstr(out, "ignoring truncated last line 7"), "%s", out);
	ck_assert_msg(strstr(out, "line 3 ") && strstr(out, "unknown kind"), "%s", out);
	ck_assert(!exists(a));
	ck_assert(!exists(c));
	ck_assert(exists(b));

	/* Binary junk and an empty file never crash. */
	path = fake_journal("abcdef05", "");
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 0);
	{
		int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
		static const char junk[] = "dir\0\t\t\t\n\n\t\xff\xfe/\n";

		ck_assert_int_ge(fd, 0);
		ck_assert_int_eq(ht_write_all(fd, junk, sizeof(junk) - 1), 0);
		close(fd);
	}
	out = undo(path, false, &failures);
	ck_assert_int_gt(failures, 0);
	ck_assert_int_eq(ht_journal_undo_file("/nonexistent/journal", NULL, false), -ENOENT);
}
END_TEST

/* ---- liveness ------------------------------------------------------------ */

START_TEST(test_reap_liveness)
{
	char *self_d = spath("self-d"), *a_d = spath("a-d"), *b_d = spath("b-d");
	char *c_d = spath("c-d"), *out = NULL;
	struct ht_journal *self = NULL;
	char self_id[16], a_id[16] = "", b_id[16] = "", c_id[16] = "";
	int ready[2], release[2], ids[2], failures;
	unsigned journals = 99;
	pid_t a, b, c;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(ids, O_CLOEXEC), 0);

	/* Nothing there yet. */
	out = reap(NULL, false, &failures, &journals);
	ck_assert_int_eq(failures, 0);
	ck_assert_uint_eq(journals, 0);

	ck_assert_int_eq(ht_journal_open(&self, self_id), 0);
	ck_assert_int_eq(ht_journal_append(ht_journal_fd(self), "dir", self_d, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(self_d, 0700), 0);

	/* A: a live run, blocked until we release it. */
	a = fork();
	ck_assert_int_ge(a, 0);
	if (a == 0) {
		struct ht_journal *j = NULL;
		char id[16], x;

		if (ht_journal_open(&j, id) < 0 ||
		    ht_journal_append(ht_journal_fd(j), "dir", a_d, NULL, NULL) < 0 ||
		    mkdir(a_d, 0700) < 0)
			_exit(1);
		/* Its own pipe: B writes to ids at the same time. */
		(void)!write(ready[1], id, 8);
		close(release[1]);
		(void)!read(release[0], &x, 1);
		_exit(ht_journal_close(j, NULL) == 0 ? 0 : 2);
	}
	/* B: a run that died without closing its journal. */
	b = fork();
	ck_assert_int_ge(b, 0);
	if (b == 0) {
		struct ht_journal *j = NULL;
		char id[16];

		if (ht_journal_open(&j, id) < 0 ||
		    ht_journal_append(ht_journal_fd(j), "dir", b_d, NULL, NULL) < 0 ||
		    mkdir(b_d, 0700) < 0)
			_exit(1);
		(void)!write(ids[1], id, 8);
		/* Dies without ht_journal_close(): like exit, free only closes the fds. */
		ht_journal_free(j);
		_exit(0);
	}
	ck_assert_int_eq(wait_status(b), 0);
	ck_assert_int_eq(read(ids[0], b_id, 8), 8);
	ck_assert_int_eq(read(ready[0], a_id, 8), 8);

	out = reap(self, false, &failures, &journals);
	ck_assert_msg(failures == 0, "%s", out);
	ck_assert_uint_eq(journals, 1);
	ck_assert(!exists(b_d));
	ck_assert(!journal_exists(b_id));
	ck_assert(exists(a_d));
	ck_assert(journal_exists(a_id));
	ck_assert(exists(self_d));
	ck_assert(exists(ht_journal_path(self)));

	/* A dry run reports a dead journal and keeps it. */
	c = fork();
	ck_assert_int_ge(c, 0);
	if (c == 0) {
		struct ht_journal *j = NULL;
		char id[16];

		if (ht_journal_open(&j, id) < 0 ||
		    ht_journal_append(ht_journal_fd(j), "dir", c_d, NULL, NULL) < 0 ||
		    mkdir(c_d, 0700) < 0)
			_exit(1);
		(void)!write(ids[1], id, 8);
		/* Dies without ht_journal_close(): like exit, free only closes the fds. */
		ht_journal_free(j);
		_exit(0);
	}
	ck_assert_int_eq(wait_status(c), 0);
	ck_assert_int_eq(read(ids[0], c_id, 8), 8);
	out = reap(self, true, &failures, &journals);
	ck_assert_int_eq(failures, 0);
	ck_assert_uint_eq(journals, 1);
	ck_assert_msg(strstr(out, "would undo dir ") != NULL, "%s", out);
	ck_assert(exists(c_d));
	ck_assert(journal_exists(c_id));
	out = reap(self, false, &failures, &journals);
	ck_assert_int_eq(failures, 0);
	ck_assert(!exists(c_d));
	ck_assert(!journal_exists(c_id));

	/* Released, A finishes normally: its close undoes and removes its journal. */
	close(release[1]);
	ck_assert_int_eq(wait_status(a), 0);
	ck_assert(!exists(a_d));
	ck_assert(!journal_exists(a_id));

	ck_assert_int_eq(ht_journal_close(self, NULL), 0);
	ck_assert(!exists(self_d));
	ck_assert(!journal_exists(self_id));
	close(ready[0]);
	close(ready[1]);
	close(release[0]);
	close(ids[0]);
	close(ids[1]);
}
END_TEST

/*
 * A run is dead once the process that opened its journal is, even if a
 * forked child of it lives on (it inherited the append fd, not the lock).
 */
START_TEST(test_liveness_ignores_forked_children)
{
	char *p_d = spath("p-d"), *out = NULL;
	char id[16];
	int ids[2], release[2], failures;
	unsigned journals;
	pid_t p, g;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(ids, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0) {
		struct ht_journal *j = NULL;
		char jid[16], x;
		pid_t child;

		if (ht_journal_open(&j, jid) < 0 ||
		    ht_journal_append(ht_journal_fd(j), "dir", p_d, NULL, NULL) < 0 ||
		    mkdir(p_d, 0700) < 0)
			_exit(1);
		child = fork();
		if (child == 0) {
			/*
			 * Until the child first runs, its pthread_atfork(3) handler has
			 * not closed its copy of the lock: say when it has.
			 */
			(void)!write(ids[1], "c", 1);
			close(release[1]);
			(void)!read(release[0], &x, 1);
			ht_journal_free(j);
			_exit(0);
		}
		(void)!read(ids[0], &x, 1);
		(void)!write(ids[1], jid, 8);
		(void)!write(ids[1], &child, sizeof(child));
		ht_journal_free(j);
		_exit(0);
	}
	close(release[0]);
	ck_assert_int_eq(wait_status(p), 0);
	ck_assert_int_eq(read(ids[0], id, 8), 8);
	id[8] = '\0';
	ck_assert_int_eq(read(ids[0], &g, sizeof(g)), (ssize_t)sizeof(g));
	ck_assert_int_eq(kill(g, 0), 0);

	out = reap(NULL, false, &failures, &journals);
	ck_assert_msg(failures == 0, "%s", out);
	ck_assert_uint_eq(journals, 1);
	ck_assert(!exists(p_d));
	ck_assert(!journal_exists(id));

	close(release[1]);
	ck_assert_int_eq(wait_status(g), 0);
	close(ids[0]);
	close(ids[1]);
}
END_TEST

/*
 * A child made by a raw clone(2) skips the pthread_atfork(3) handlers and
 * keeps the lock after its parent died: the run is skipped as alive, with a
 * note, until that child is gone.
 */
START_TEST(test_lock_kept_by_raw_clone)
{
	char *p_d = spath("p-d"), *out = NULL;
	char id[16];
	int ids[2], release[2], failures;
	unsigned journals;
	pid_t p, g;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	ck_assert_int_eq(pipe2(ids, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	p = fork();
	ck_assert_int_ge(p, 0);
	if (p == 0) {
		struct ht_journal *j = NULL;
		char jid[16], x;
		long child;

		if (ht_journal_open(&j, jid) < 0 ||
		    ht_journal_append(ht_journal_fd(j), "dir", p_d, NULL, NULL) < 0 ||
		    mkdir(p_d, 0700) < 0)
			_exit(1);
		child = syscall(SYS_clone, SIGCHLD, NULL, NULL, NULL, NULL);
		if (child == 0) {
			/* Not the owner: free leaves the lock fd alone, still held. */
			ht_journal_free(j);
			close(release[1]);
			(void)!read(release[0], &x, 1);
			_exit(0);
		}
		(void)!write(ids[1], jid, 8);
		(void)!write(ids[1], &child, sizeof(pid_t));
		ht_journal_free(j);
		_exit(0);
	}
	close(release[0]);
	ck_assert_int_eq(wait_status(p), 0);
	ck_assert_int_eq(read(ids[0], id, 8), 8);
	id[8] = '\0';
	ck_assert_int_eq(read(ids[0], &g, sizeof(g)), (ssize_t)sizeof(g));

	out = reap(NULL, false, &failures, &journals);
	ck_assert_int_eq(failures, 0);
	ck_assert_uint_eq(journals, 0);
	ck_assert_msg(strstr(out, "skipped journal") && strstr(out, "still holds the lock"), "%s",
		      out);
	ck_assert(exists(p_d));

	close(release[1]);
	ck_assert_int_eq(wait_status(g), 0);
	out = reap(NULL, false, &failures, &journals);
	ck_assert_int_eq(failures, 0);
	ck_assert_uint_eq(journals, 1);
	ck_assert(!exists(p_d));
	ck_assert(!journal_exists(id));
	close(ids[0]);
	close(ids[1]);
}
END_TEST

/* ---- mounts and network namespaces (root, private namespaces) ---------- */

/* The check in a forked child: on failure, the reason goes up the pipe. */
#define CHILD_CHECK(cond, ...)                                                     \
	do {                                                                       \
		if (!(cond)) {                                                     \
			dprintf(msg_fd, "%s:%d: %s: ", __FILE__, __LINE__, #cond); \
			dprintf(msg_fd, __VA_ARGS__);                              \
			_exit(1);                                                  \
		}                                                                  \
	} while (0)

static int msg_fd = -1;

/* Run fn in a forked child in a private mount namespace; fail with its message. */
static void in_private_mountns(void (*fn)(void))
{
	char msg[4096] = "";
	int p[2], status;
	ssize_t n;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		msg_fd = p[1];
		/* mount_namespaces(7): MS_PRIVATE first, or our mounts leak to the host. */
		CHILD_CHECK(unshare(CLONE_NEWNS) == 0, "%s\n", strerror(errno));
		CHILD_CHECK(mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) == 0, "%s\n",
			    strerror(errno));
		fn();
		_exit(0);
	}
	close(p[1]);
	n = read(p[0], msg, sizeof(msg) - 1);
	msg[n > 0 ? n : 0] = '\0';
	close(p[0]);
	status = wait_status(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child: %s (status %#x)", msg,
		      status);
}

static int child_undo(const char *path, char **ret_out)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	r = ht_journal_undo_file(path, f, false);
	fclose(f);
	*ret_out = keep(buf);
	return r;
}

static bool mounted_under(const char *prefix)
{
	_cleanup_free_ char *mi = NULL;

	if (ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &mi) < 0)
		return true;
	return strstr(mi, prefix) != NULL;
}

static void mount_child(void)
{
	char *m = spath("m"), *plain = spath("plain"), *t = spath("t");
	char *inner = spath("t/inner"), *bindsrc = spath("bind-src");
	char *bindfile = spath("t/inner-file"), *body = NULL, *path = NULL;
	char *out = NULL, *innerfile = spath("t/inner/x");
	int r;

	CHILD_CHECK(mkdir(m, 0700) == 0, "%s\n", strerror(errno));
	CHILD_CHECK(mount("tmpfs", m, "tmpfs", 0, "size=1m") == 0, "%s\n", strerror(errno));
	/* Two mounts stacked on one path: two entries. */
	CHILD_CHECK(mount("tmpfs", m, "tmpfs", 0, "size=1m") == 0, "%s\n", strerror(errno));
	CHILD_CHECK(mkdir(plain, 0700) == 0, "%s\n", strerror(errno));
	CHILD_CHECK(mkdir(t, 0700) == 0, "%s\n", strerror(errno));
	CHILD_CHECK(mkdir(inner, 0700) == 0, "%s\n", strerror(errno));
	CHILD_CHECK(mount("tmpfs", inner, "tmpfs", 0, "size=1m") == 0, "%s\n", strerror(errno));
	spew(innerfile, "on the inner tmpfs");
	/* A bind-mounted file (like a netns file) inside the tree. */
	spew(bindsrc, "bind source");
	spew(bindfile, "");
	CHILD_CHECK(mount(bindsrc, bindfile, "none", MS_BIND, NULL) == 0, "%s\n", strerror(errno));

	body = tfmt("dir\t%s\nmount\t%s\nmount\t%s\nmount\t%s\ntree\t%s\n", m, m, m, plain, t);
	path = fake_journal("abcdef10", body);
	r = child_undo(path, &out);
	CHILD_CHECK(r == 0, "%d failures:\n%s", r, out);
	CHILD_CHECK(!exists(m), "%s still there\n", m);
	CHILD_CHECK(!exists(t), "%s still there\n", t);
	CHILD_CHECK(exists(plain), "%s removed\n", plain);
	CHILD_CHECK(!mounted_under(state_dir), "mounts left under %s\n", state_dir);
	/* The source of the bind mount is outside the tree and must survive. */
	CHILD_CHECK(exists(bindsrc), "%s removed\n", bindsrc);
	r = child_undo(path, &out);
	CHILD_CHECK(r == 0, "second undo: %d failures:\n%s", r, out);
}

START_TEST(test_mount_undo)
{
	if (!is_root())
		return;
	in_private_mountns(mount_child);
}
END_TEST

/* Run argv inside the network namespace bound at nsfile; returns the exit status. */
static int run_in_netns(const char *nsfile, const char *const *argv, bool quiet)
{
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open(nsfile, O_RDONLY | O_CLOEXEC);

		if (fd < 0 || setns(fd, CLONE_NEWNET) < 0)
			_exit(126);
		if (quiet) {
			int null = open("/dev/null", O_WRONLY);

			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return wait_status(pid);
}

static bool have_prog(const char *name)
{
	const char *const argv[] = { name, "--version", NULL };
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, STDOUT_FILENO);
		dup2(null, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	return pid > 0 && WEXITSTATUS(wait_status(pid)) != 127;
}

static void netns_child(void)
{
	char *ns = spath("ns1"), *body = NULL, *body2 = NULL, *path = NULL;
	char *path2 = NULL, *out = NULL;
	const char *const add_veth[] = { "ip",	 "link", "add",	 "isl-a", "type",
					 "veth", "peer", "name", "isl-b", NULL };
	const char *const show_b[] = { "ip", "link", "show", "dev", "isl-b", NULL };
	const char *const fwd_on[] = { "sh", "-c", "echo 1 > /proc/sys/net/ipv4/ip_forward", NULL };
	const char *const fwd_is_0[] = { "sh", "-c",
					 "test \"$(cat /proc/sys/net/ipv4/ip_forward)\" = 0",
					 NULL };
	const char *const add_table[] = { "nft", "add", "table", "inet", "isolab-t.1", NULL };
	const char *const list_table[] = { "nft", "list", "table", "inet", "isolab-t.1", NULL };
	bool nft = HAVE_LIBNFTABLES && have_prog("nft");
	pid_t pid;
	int r;

	/* ip-netns(8) style: an nsfs bind mount on a plain file keeps the namespace. */
	spew(ns, "");
	pid = fork();
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0 ||
		    mount("/proc/self/ns/net", ns, "none", MS_BIND, NULL) < 0)
			_exit(1);
		_exit(0);
	}
	CHILD_CHECK(wait_status(pid) == 0, "could not create the netns\n");
	CHILD_CHECK(run_in_netns(ns, add_veth, false) == 0, "ip link add failed\n");
	CHILD_CHECK(run_in_netns(ns, fwd_on, false) == 0, "enable forwarding failed\n");
	if (nft)
		CHILD_CHECK(run_in_netns(ns, add_table, false) == 0, "nft add table failed\n");

	body = tfmt("link\t%s\tisl-a\nsysctl\t%s\tnet.ipv4.ip_forward\t0\n%s%s%s", ns, ns,
		    nft ? "nft\t" : "", nft ? ns : "", nft ? "\tinet\tisolab-t.1\n" : "");
	path = fake_journal("abcdef20", body);
	r = child_undo(path, &out);
	CHILD_CHECK(r == 0, "%d failures:\n%s", r, out);
	CHILD_CHECK(strstr(out, "undone link ") != NULL, "%s", out);
	CHILD_CHECK(run_in_netns(ns, show_b, true) != 0, "veth peer isl-b still there\n");
	CHILD_CHECK(run_in_netns(ns, fwd_is_0, false) == 0, "ip_forward not restored\n");
	if (nft)
		CHILD_CHECK(run_in_netns(ns, list_table, true) != 0, "nft table still there\n");

	body2 = tfmt("netns\t%s\n", ns);
	path2 = fake_journal("abcdef21", body2);
	r = child_undo(path2, &out);
	CHILD_CHECK(r == 0, "%d failures:\n%s", r, out);
	CHILD_CHECK(!exists(ns), "%s still there\n", ns);
	CHILD_CHECK(!mounted_under(state_dir), "mounts left under %s\n", state_dir);

	/* With the namespace gone, what lived in it counts as gone too. */
	r = child_undo(path, &out);
	CHILD_CHECK(r == 0, "%d failures:\n%s", r, out);
	CHILD_CHECK(strstr(out, "undone link ") && strstr(out, "(already gone)"), "%s", out);
}

START_TEST(test_netns_undo)
{
	if (!is_root())
		return;
	in_private_mountns(netns_child);
}
END_TEST

/* ---- cgroups and process groups ---------------------------------------- */

/* Mount point of the first hierarchy of fstype (and, for v1, with that controller). */
static char *cgroup_mount(const char *fstype, const char *option)
{
	_cleanup_free_ char *mi = NULL;
	char *line, *save = NULL;

	if (ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &mi) < 0)
		return NULL;
	for (line = strtok_r(mi, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char mnt[512], type[64], opts[512];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 ||
		    sscanf(dash, " - %63s %*s %511s", type, opts) != 2)
			continue;
		if (strcmp(type, fstype) != 0)
			continue;
		if (option) {
			char *o, *osave = NULL;
			bool found = false;

			for (o = strtok_r(opts, ",", &osave); o; o = strtok_r(NULL, ",", &osave))
				found |= strcmp(o, option) == 0;
			if (!found)
				continue;
		}
		return tdup(mnt);
	}
	return NULL;
}

/*
 * Between creating the group and removing it, a failed ck_assert would end
 * the test process (check's fork mode leaves through _exit(2)) and leave the
 * group on the host: checks there only record why, and assert after cleanup.
 */
static void cgroup_case(const char *mnt)
{
	char *cg = NULL, *sub = NULL, *procs = NULL, *body = NULL, *path = NULL;
	char *out = NULL, why[4096] = "";
	uint32_t nonce;
	int p[2], status, failures, r;
	pid_t pid;

	ck_assert_int_eq(getrandom(&nonce, sizeof(nonce), 0), (ssize_t)sizeof(nonce));
	cg = tfmt("%s/isolab-jtest-%08x", mnt, nonce);
	sub = tfmt("%s/child", cg);
	procs = tfmt("%s/cgroup.procs", sub);
	body = tfmt("cgroup\t%s\n", cg);
	path = fake_journal("abcdef30", body);
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(mkdir(cg, 0755), 0);
	snprintf(scratch_cg[0], sizeof(scratch_cg[0]), "%s", cg);
	if (mkdir(sub, 0755) < 0) {
		snprintf(why, sizeof(why), "mkdir %s: %s", sub, strerror(errno));
		goto out;
	}
	snprintf(scratch_cg[1], sizeof(scratch_cg[1]), "%s", sub);

	/* A child blocked in read(2) until killed: no timed sleep. */
	pid = fork();
	if (pid == 0) {
		char x;

		close(p[1]);
		(void)!read(p[0], &x, 1);
		_exit(0);
	}
	if (pid < 0) {
		snprintf(why, sizeof(why), "fork: %s", strerror(errno));
		goto out;
	}
	scratch_pid = pid;
	r = ht_write_file(AT_FDCWD, procs, tfmt("%d", (int)pid));
	if (r < 0) {
		snprintf(why, sizeof(why), "move %d into %s: %s", (int)pid, sub, ht_errno_name(r));
		goto out;
	}

	out = undo(path, false, &failures);
	/* Were it not killed, EOF ends the child, and the status below says so. */
	close(p[1]);
	p[1] = -1;
	status = wait_status(pid);
	scratch_pid = 0;
	if (failures != 0)
		snprintf(why, sizeof(why), "%d failures: %s", failures, out);
	else if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		snprintf(why, sizeof(why), "child not killed: status %#x", status);
	else if (exists(cg))
		snprintf(why, sizeof(why), "%s still there", cg);
out:
	ht_closep(&p[0]);
	ht_closep(&p[1]);
	scratch_cleanup();
	ck_assert_msg(!why[0], "%s", why);
	out = undo(path, false, &failures);
	ck_assert_msg(failures == 0, "second undo: %s", out);
}

START_TEST(test_cgroup2_undo)
{
	char *mnt = NULL;

	if (!is_root())
		return;
	mnt = cgroup_mount("cgroup2", NULL);
	if (!mnt) {
		fprintf(stderr, "note: no cgroup2 mount, not tested\n");
		return;
	}
	cgroup_case(mnt);
}
END_TEST

/* v1 has neither cgroup.kill nor cgroup.events: the pidfd kill loop. */
START_TEST(test_cgroup1_undo)
{
	char *mnt = NULL;

	if (!is_root())
		return;
	mnt = cgroup_mount("cgroup", "pids");
	if (!mnt) {
		fprintf(stderr, "note: no v1 pids hierarchy, not tested\n");
		return;
	}
	cgroup_case(mnt);
}
END_TEST

START_TEST(test_cgroup_refuses_roots)
{
	char *mnt = cgroup_mount("cgroup2", NULL), *body = NULL, *path = NULL;
	char *out = NULL, *notcg = spath("not-a-cgroup");
	int failures;

	if (!mnt)
		return;
	ck_assert_int_eq(mkdir(notcg, 0700), 0);
	body = tfmt("cgroup\t%s\ncgroup\t%s\n", mnt, notcg);
	path = fake_journal("abcdef31", body);
	out = undo(path, false, &failures);
	ck_assert_msg(failures == 2, "%s", out);
	ck_assert_msg(strstr(out, "refusing to kill the root"), "%s", out);
	ck_assert_msg(strstr(out, "not on a cgroup filesystem"), "%s", out);
	ck_assert(exists(notcg));
}
END_TEST

static unsigned long long starttime_of(pid_t pid)
{
	char *path = tfmt("/proc/%d/stat", (int)pid), *buf = slurp(path);
	unsigned long long v = 0;
	char *p = strrchr(buf, ')');

	/* After ") ": fields 3..22; starttime is the 20th of them. */
	ck_assert_int_eq(sscanf(p + 2,
				"%*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
				"%*s %*s %*s %*s %*s %*s %llu",
				&v),
			 1);
	return v;
}

START_TEST(test_pgrp_undo)
{
	char *body = NULL, *path = NULL, *out = NULL;
	unsigned long long st;
	int p[2], failures, status;
	pid_t pid;

	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char x;

		setpgid(0, 0);
		close(p[1]);
		(void)!read(p[0], &x, 1);
		_exit(0);
	}
	close(p[0]);
	setpgid(pid, pid);
	st = starttime_of(pid);

	/* A recycled pid (other starttime) is left alone. */
	body = tfmt("pgrp\t%d\t%llu\n", (int)pid, st + 1);
	path = fake_journal("abcdef40", body);
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 0);
	ck_assert_int_eq(kill(pid, 0), 0);
	ck_assert_int_eq(waitpid(pid, &status, WNOHANG), 0);

	body = tfmt("pgrp\t%d\t%llu\n", (int)pid, st);
	path = fake_journal("abcdef41", body);
	out = undo(path, false, &failures);
	ck_assert_msg(failures == 0, "%s", out);
	/*
	 * undo waits on a pidfd, so the leader is normally dead already; without
	 * pidfd_open(2) (valgrind 3.19) it only sends the signal.
	 */
	if (waitpid(pid, &status, WNOHANG) == 0)
		status = wait_status(pid);
	ck_assert_msg(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", status);
	close(p[1]);
	out = undo(path, false, &failures);
	ck_assert_int_eq(failures, 0);
}
END_TEST

/* ---- close ---------------------------------------------------------------- */

START_TEST(test_close_undoes_leftovers)
{
	char *x = spath("x"), *y = spath("y"), *z = spath("z"), *w = spath("w");
	char *stray = spath("w/stray"), *jpath = NULL, *expect = NULL;
	struct ht_journal *j = NULL;
	char id[16], *buf = NULL;
	size_t len = 0;
	FILE *f;
	int fd, r;

	ck_assert_int_eq(ht_journal_open(&j, id), 0);
	fd = ht_journal_fd(j);
	ck_assert_int_eq(ht_journal_append(fd, "dir", x, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(x, 0700), 0);
	ck_assert_int_eq(ht_journal_append(fd, "file", y, NULL, NULL), 0);
	spew(y, "y");
	ck_assert_int_eq(ht_journal_append(fd, "dir", z, NULL, NULL), 0);
	jpath = tdup(ht_journal_path(j));

	/* A forked child closing its copy changes nothing. */
	{
		pid_t pid = fork();

		if (pid == 0)
			_exit(ht_journal_close(j, NULL) == 0 && exists(jpath) ? 0 : 1);
		ck_assert_int_eq(wait_status(pid), 0);
		ck_assert(exists(x));
	}

	f = open_memstream(&buf, &len);
	r = ht_journal_close(j, f);
	fclose(f);
	keep(buf);
	ck_assert_int_eq(r, 0);
	/* z never existed: silently done. */
	expect = tfmt("undone file %s\nundone dir %s\n", y, x);
	ck_assert_str_eq(buf, expect);
	ck_assert(!exists(jpath));
	ck_assert(!exists(x));

	/* A failure keeps the journal for `isolab reap`. */
	ck_assert_int_eq(ht_journal_open(&j, id), 0);
	jpath = tdup(ht_journal_path(j));
	ck_assert_int_eq(ht_journal_append(ht_journal_fd(j), "dir", w, NULL, NULL), 0);
	ck_assert_int_eq(mkdir(w, 0700), 0);
	spew(stray, "");
	f = open_memstream(&buf, &len);
	r = ht_journal_close(j, f);
	fclose(f);
	keep(buf);
	ck_assert_int_eq(r, 1);
	ck_assert_msg(strstr(buf, "kept journal"), "%s", buf);
	ck_assert(exists(jpath));
	ck_assert_int_eq(ht_journal_close(NULL, NULL), 0);
}
END_TEST

START_TEST(test_run_dir_removed_with_journal)
{
	char *runs = spath("runs"), *rd = NULL, *inner = NULL, *out = NULL;
	char *path = NULL;
	unsigned journals;
	int failures;

	ck_assert_int_eq(mkdir(runs, 0700), 0);
	rd = spath("runs/abcdef50");
	ck_assert_int_eq(mkdir(rd, 0700), 0);
	inner = spath("runs/abcdef50/scratch");
	ck_assert_int_eq(mkdir(inner, 0700), 0);
	path = fake_journal("abcdef50", "run\tabcdef50\t1\t1\n");
	out = reap(NULL, false, &failures, &journals);
	ck_assert_msg(failures == 0, "%s", out);
	ck_assert_uint_eq(journals, 1);
	ck_assert_msg(strstr(out, "undone tree ") != NULL, "%s", out);
	ck_assert(!exists(rd));
	ck_assert(!exists(path));
	ck_assert(exists(runs));
}
END_TEST

static Suite *journal_suite(void)
{
	Suite *s = suite_create("journal");
	TCase *tc;

#define ADD(fn)                                                 \
	do {                                                    \
		tc = tcase_create(#fn);                         \
		tcase_add_checked_fixture(tc, setup, teardown); \
		tcase_set_timeout(tc, 30);                      \
		tcase_add_test(tc, fn);                         \
		suite_add_tcase(s, tc);                         \
	} while (0)

	ADD(test_state_dir);
	ADD(test_append_roundtrip);
	ADD(test_append_rejects);
	ADD(test_undo_reverse_order);
	ADD(test_dir_not_empty_is_failure);
	ADD(test_tree_refused_outside);
	ADD(test_truncated_and_malformed);
	ADD(test_reap_liveness);
	ADD(test_liveness_ignores_forked_children);
	ADD(test_lock_kept_by_raw_clone);
	ADD(test_mount_undo);
	ADD(test_netns_undo);
	ADD(test_cgroup2_undo);
	ADD(test_cgroup1_undo);
	ADD(test_cgroup_refuses_roots);
	ADD(test_pgrp_undo);
	ADD(test_close_undoes_leftovers);
	ADD(test_run_dir_removed_with_journal);
#undef ADD
	return s;
}

int main(void)
{
	SRunner *sr;
	int failed;

	snprintf(base_dir, sizeof(base_dir), "/tmp/isolab-journal-test.XXXXXX");
	if (!mkdtemp(base_dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(journal_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	rm_rf(base_dir);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
