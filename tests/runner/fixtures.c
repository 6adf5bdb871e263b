// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fixture tests for the runner's own tests (runner-outcomes.sh). Each one
 * misbehaves in one way; all are .selftest, so they only run when named.
 * Pids and rendezvous go through files and FIFOs under $ISOLAB_SELFTEST_DIR.
 */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "isolab.h"
#include "ht-util.h"

#define FIXTURE(fn_, ...) HT_TEST(fn_, .area = HT_AREA_HARNESS, .selftest = true, __VA_ARGS__)

static char *selftest_path(struct ht_ctx *t, const char *name)
{
	const char *dir = getenv("ISOLAB_SELFTEST_DIR");

	if (!dir)
		ht_broken(t, "ISOLAB_SELFTEST_DIR is not set");
	return ht_xasprintf("%s/%s", dir, name);
}

static void record_pid(struct ht_ctx *t, pid_t pid)
{
	_cleanup_free_ char *path = selftest_path(t, "pids");
	_cleanup_free_ char *line = ht_xasprintf("%d\n", (int)pid);
	_cleanup_close_ int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || ht_write_all(fd, line, strlen(line)) < 0)
		ht_broken(t, "record pid in %s: %s", path, strerror(errno));
}

static void fixture_pass(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 2 + 2, 4);
}
FIXTURE(fixture_pass, .timeout_s = 10);

static void fixture_fail(struct ht_ctx *t)
{
	int got = 3;

	HT_EXPECT_EQ(t, got, 4);
	HT_EXPECT_STREQ(t, "abc", "abd");
	HT_EXPECT_CLOSE(t, 130, 100, 10);
}
FIXTURE(fixture_fail, .timeout_s = 10);

static void fixture_segfault(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 1, 1);
	/* Sanitizers install a SIGSEGV handler; the runner must see the raw signal. */
	signal(SIGSEGV, SIG_DFL);
	raise(SIGSEGV);
}
FIXTURE(fixture_segfault, .timeout_s = 10);

static void fixture_silent(struct ht_ctx *t)
{
}
FIXTURE(fixture_silent, .timeout_s = 10);

static void fixture_exit3(struct ht_ctx *t)
{
	fflush(NULL);
	_exit(3);
}
FIXTURE(fixture_exit3, .timeout_s = 10);

static void fixture_xfail(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 1, 2);
}
FIXTURE(fixture_xfail, .timeout_s = 10, .xfail = "known bug #0");

static void fixture_xpass(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 1, 1);
}
FIXTURE(fixture_xpass, .timeout_s = 10, .xfail = "known bug #0");

static void fixture_warn(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 1, 1);
	ht_warn(t, "something looked odd");
}
FIXTURE(fixture_warn, .timeout_s = 10);

static void fixture_needs_unknown(struct ht_ctx *t)
{
	ht_fail(t, "must not run: its need is unmet");
}
FIXTURE(fixture_needs_unknown, .timeout_s = 10, .needs = HT_NEEDS("selftest.no-such-probe"));

static void fixture_broken_setup(struct ht_ctx *t)
{
	HT_SETUP(t, open("/nonexistent/isolab-fixture", O_RDONLY));
	ht_fail(t, "must not get here");
}
FIXTURE(fixture_broken_setup, .timeout_s = 10);

static void fixture_prints(struct ht_ctx *t)
{
	printf("ok 1 - this line must not reach the TAP stream\n");
	fprintf(stderr, "fixture stderr line\n");
	HT_EXPECT_EQ(t, 1, 1);
}
FIXTURE(fixture_prints, .timeout_s = 10);

/* A child that escapes the process group and outlives the test. */
static void fixture_leaves_process(struct ht_ctx *t)
{
	pid_t pid = fork();

	if (pid == 0) {
		setsid();
		pause();
		_exit(0);
	}
	HT_ASSERT(t, pid > 0);
	record_pid(t, pid);
	HT_EXPECT_EQ(t, 1, 1);
}
FIXTURE(fixture_leaves_process, .timeout_s = 10);

/*
 * A tree that hangs: a child in a new session and a grandchild, all blocked
 * in pause(2). The runner must kill all of them at the 1 s deadline.
 */
static void fixture_hang_tree(struct ht_ctx *t)
{
	int ready[2];
	pid_t pid;
	char c;

	HT_SETUP(t, pipe(ready));
	pid = fork();
	if (pid == 0) {
		pid_t g;

		setsid();
		g = fork();
		if (g == 0) {
			record_pid(t, getpid());
			close(ready[1]);
			pause();
			_exit(0);
		}
		record_pid(t, getpid());
		close(ready[1]);
		pause();
		_exit(0);
	}
	HT_ASSERT(t, pid > 0);
	close(ready[1]);
	/* EOF once both descendants have recorded their pids and closed the pipe. */
	while (read(ready[0], &c, 1) > 0)
		;
	record_pid(t, getpid());
	HT_EXPECT_EQ(t, 1, 1);
	pause();
}
FIXTURE(fixture_hang_tree, .timeout_s = 1);

/*
 * Two tests that can only finish together: opening a FIFO blocks until the
 * other end is opened (fifo(7)). With -j2 both pass; with -j1 the first
 * would time out.
 */
static void rendezvous(struct ht_ctx *t, int flags)
{
	_cleanup_free_ char *path = selftest_path(t, "rendezvous");
	int fd = open(path, flags | O_CLOEXEC);

	HT_ASSERT(t, fd >= 0);
	close(fd);
}

static void fixture_pair_a(struct ht_ctx *t)
{
	rendezvous(t, O_WRONLY);
}
FIXTURE(fixture_pair_a, .timeout_s = 5);

static void fixture_pair_b(struct ht_ctx *t)
{
	rendezvous(t, O_RDONLY);
}
FIXTURE(fixture_pair_b, .timeout_s = 5);

/* Blocks until killed; tells the script it is running through a FIFO. */
static void fixture_block(struct ht_ctx *t)
{
	_cleanup_free_ char *path = selftest_path(t, "running");
	_cleanup_close_ int fd = -1;

	record_pid(t, getpid());
	fd = open(path, O_WRONLY | O_CLOEXEC);
	HT_ASSERT(t, fd >= 0);
	HT_ASSERT(t, write(fd, "r\n", 2) == 2);
	HT_EXPECT_EQ(t, 1, 1);
	pause();
}
FIXTURE(fixture_block, .timeout_s = 60);

static void fixture_block_next(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, 1, 1);
}
FIXTURE(fixture_block_next, .timeout_s = 10);
