// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * selftest_hold_resources: the fixture of tests/journal/sigkill-reap.sh.
 * It journals and then creates, in the host's namespaces, one of each kind
 * of resource a crashed run leaves behind: a cgroup with a live process in
 * it, a named network namespace (visible to `ip netns list`) and a tmpfs
 * mount under the state directory. Then it says so on the FIFO named by
 * $ISOLAB_SELFTEST_FIFO and blocks, so the script can SIGKILL `isolab` while
 * everything is held and check that `isolab reap` puts the host back.
 *
 * It is a selftest: it only runs when named with `isolab run --selftest -t`.
 */
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "ht-journal.h"
#include "ht-probe.h"
#include "ht-util.h"
#include "isolab.h"

/* ip-netns(8) keeps its namespace files here. */
#define NETNS_RUN_DIR "/run/netns"

/* The setup steps are not under test: any failure is BROKEN and ends the test. */
#define SETUP(t, expr)                                           \
	do {                                                     \
		if (HT_SETUP(t, expr) < 0)                       \
			ht_broken(t, "setup failed: %s", #expr); \
	} while (0)

static bool is_mount_root(const char *path)
{
	struct statx stx;

	/* STATX_ATTR_MOUNT_ROOT (statx(2), 5.8) also sees a directory bound onto itself. */
	if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_TYPE, &stx) < 0)
		return false;
	return stx.stx_attributes & STATX_ATTR_MOUNT_ROOT;
}

/*
 * A process that sits in the cgroup until it is killed: it joins the group
 * itself, reports, closes every inherited fd (it must hold none of the
 * run's pipes) and waits in pause(2).
 */
static pid_t start_sleeper(struct ht_ctx *t, const char *cgroup)
{
	_cleanup_free_ char *procs = ht_xasprintf("%s/cgroup.procs", cgroup);
	int p[2], status;
	char ok = 0;
	pid_t pid;

	SETUP(t, pipe2(p, O_CLOEXEC));
	pid = fork();
	SETUP(t, pid);
	if (pid == 0) {
		close(p[0]);
		if (ht_write_file(AT_FDCWD, procs, "0") < 0)
			_exit(1);
		(void)!write(p[1], "y", 1);
		close_range(3, ~0U, 0);
		for (;;)
			pause();
	}
	close(p[1]);
	if (read(p[0], &ok, 1) != 1 || ok != 'y') {
		close(p[0]);
		waitpid(pid, &status, 0);
		ht_broken(t, "sleeper could not join %s", cgroup);
	}
	close(p[0]);
	return pid;
}

/* As `ip netns add` does: make /run/netns a shared mount point, once. */
static void prepare_netns_dir(struct ht_ctx *t)
{
	struct stat st;

	if (stat(NETNS_RUN_DIR, &st) < 0) {
		SETUP(t, ht_journal_add(t, "dir", NETNS_RUN_DIR, NULL, NULL));
		SETUP(t, mkdir(NETNS_RUN_DIR, 0755));
	}
	if (is_mount_root(NETNS_RUN_DIR))
		return;
	/*
	 * Shared, so that namespace files mounted later also appear in mount
	 * namespaces created from this one (`ip netns exec` unshares one). It
	 * takes a mount point of its own: bind the directory onto itself.
	 */
	SETUP(t, ht_journal_add(t, "mount", NETNS_RUN_DIR, NULL, NULL));
	SETUP(t, mount(NETNS_RUN_DIR, NETNS_RUN_DIR, "none", MS_BIND | MS_REC, NULL));
	SETUP(t, mount("", NETNS_RUN_DIR, "none", MS_SHARED | MS_REC, NULL));
}

static void create_netns(struct ht_ctx *t, const char *path)
{
	int fd, status;
	pid_t pid;

	SETUP(t, ht_journal_add(t, "netns", path, NULL, NULL));
	fd = open(path, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
	SETUP(t, fd);
	close(fd);
	/* A child enters a new network namespace and pins it with a bind mount of its nsfs file. */
	pid = fork();
	SETUP(t, pid);
	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		if (mount("/proc/self/ns/net", path, "none", MS_BIND, NULL) < 0)
			_exit(2);
		_exit(0);
	}
	SETUP(t, waitpid(pid, &status, 0));
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		ht_broken(t, "create network namespace %s: child status %#x", path, status);
}

static void selftest_hold_resources(struct ht_ctx *t)
{
	const char *fifo = getenv("ISOLAB_SELFTEST_FIFO");
	const char *id = ht_run_id(t);
	_cleanup_free_ char *cg2 = NULL, *cgroup = NULL, *netns = NULL, *runs = NULL;
	_cleanup_free_ char *run_dir = NULL, *mnt = NULL, *line = NULL;
	struct stat st;
	pid_t sleeper;
	int fd;

	if (!fifo || !*fifo)
		ht_broken(t, "ISOLAB_SELFTEST_FIFO is not set: this fixture belongs to "
			     "tests/journal/sigkill-reap.sh");
	if (ht_cgroup2_mount(&cg2) < 0)
		ht_broken(t, "no cgroup2 mount on this host");

	cgroup = ht_xasprintf("%s/isolab-%s-hold", cg2, id);
	SETUP(t, ht_journal_add(t, "cgroup", cgroup, NULL, NULL));
	SETUP(t, mkdir(cgroup, 0755));
	sleeper = start_sleeper(t, cgroup);

	prepare_netns_dir(t);
	netns = ht_xasprintf(NETNS_RUN_DIR "/isolab-%s-hold", id);
	create_netns(t, netns);

	/* <state>/runs is shared by all runs, like <state>/journal: not journaled. */
	runs = ht_xasprintf("%s/runs", ht_state_dir());
	if (mkdir(runs, 0700) < 0 && errno != EEXIST)
		ht_broken(t, "mkdir %s: %s", runs, ht_errno_name(errno));
	run_dir = ht_xasprintf("%s/%s", runs, id);
	if (stat(run_dir, &st) < 0) {
		SETUP(t, ht_journal_add(t, "tree", run_dir, NULL, NULL));
		SETUP(t, mkdir(run_dir, 0700));
	}
	mnt = ht_xasprintf("%s/hold-mnt", run_dir);
	SETUP(t, ht_journal_add(t, "dir", mnt, NULL, NULL));
	SETUP(t, mkdir(mnt, 0700));
	SETUP(t, ht_journal_add(t, "mount", mnt, NULL, NULL));
	SETUP(t, mount("tmpfs", mnt, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,mode=0700"));

	line = ht_xasprintf("ready %d %d %s %s %s\n", (int)getpid(), (int)sleeper, cgroup, netns,
			    mnt);
	fd = open(fifo, O_WRONLY | O_CLOEXEC);
	SETUP(t, fd);
	/* One write(2) under PIPE_BUF: the line arrives whole. */
	SETUP(t, ht_write_all(fd, line, strlen(line)));
	close(fd);
	for (;;)
		pause();
}
HT_TEST(selftest_hold_resources, .area = HT_AREA_HARNESS, .selftest = true, .timeout_s = 120);
