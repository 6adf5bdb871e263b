// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every test can rely on from the runner, checked from inside a test:
 * it leads its own process group, sits in its own cgroup when cgroup2 is
 * writable, reads /dev/null on stdin, writes to a capture (never to the TAP
 * stream), and has a private scratch directory. Each check reads what the
 * kernel says (/proc, stat(2)), not what the harness says about itself.
 */
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>

#include "isolab.h"
#include "ht-util.h"

/* The test process leads its own process group (setpgid(2)), so the runner can kill its tree. */
static void runner_test_leads_own_pgrp(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, getpgrp(), getpid());
	HT_EXPECT_NE(t, getpgrp(), getpgid(getppid()));
}
HT_TEST(runner_test_leads_own_pgrp, .area = HT_AREA_HARNESS, .timeout_s = 10);

/* With cgroup2 available, the test runs in this run's own slot cgroup (cgroups(7),
 * /proc/PID/cgroup). */
static void runner_test_in_own_cgroup(struct ht_ctx *t)
{
	_cleanup_free_ char *cg = NULL;
	_cleanup_free_ char *want = ht_xasprintf("/isolab-%s/slot", ht_run_id(t));
	const char *line;

	HT_SETUP(t, ht_read_file(AT_FDCWD, "/proc/self/cgroup", &cg));
	line = strstr(cg, "0::");
	HT_ASSERT(t, line != NULL);
	HT_EXPECT(t, strstr(line, want) != NULL);
}
HT_TEST(runner_test_in_own_cgroup, .area = HT_AREA_HARNESS, .timeout_s = 10,
	.needs = HT_NEEDS("cgroup2.mount"));

static char *fd_target(int fd)
{
	char path[64], buf[256];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return ht_xstrdup(buf);
}

/* stdin is /dev/null and stdout/stderr go to the runner's capture, not the TAP stream on its
 * stdout. */
static void runner_test_stdio_is_captured(struct ht_ctx *t)
{
	_cleanup_free_ char *in = fd_target(0), *out = fd_target(1), *err = fd_target(2);

	HT_ASSERT(t, in && out && err);
	HT_EXPECT_STREQ(t, in, "/dev/null");
	HT_EXPECT(t, strncmp(out, "/memfd:isolab-test-output", 25) == 0);
	HT_EXPECT_STREQ(t, err, out);
}
HT_TEST(runner_test_stdio_is_captured, .area = HT_AREA_HARNESS, .timeout_s = 10);

/* The scratch directory is private to root (0700) and lives under this run's state directory. */
static void runner_scratch_dir_is_private(struct ht_ctx *t)
{
	const char *dir = ht_scratch_dir(t);
	_cleanup_free_ char *want = ht_xasprintf("/runs/%s/%s", ht_run_id(t), ht_test_name(t));
	struct stat st;

	HT_SETUP(t, stat(dir, &st));
	HT_EXPECT(t, S_ISDIR(st.st_mode));
	HT_EXPECT_EQ(t, st.st_mode & 07777, 0700);
	HT_EXPECT(t, strstr(dir, want) != NULL);
}
HT_TEST(runner_scratch_dir_is_private, .area = HT_AREA_HARNESS, .timeout_s = 10);

/* The journal refuses entries that would corrupt its line format. */
static void runner_journal_rejects_bad_fields(struct ht_ctx *t)
{
	HT_EXPECT_EQ(t, ht_journal_add(t, "dir", "/tmp/a\tb", NULL, NULL), -EINVAL);
	HT_EXPECT_EQ(t, ht_journal_add(t, "dir", "/tmp/a\nb", NULL, NULL), -EINVAL);
	HT_EXPECT_EQ(t, ht_journal_add(t, "no-such-kind", "/tmp/x", NULL, NULL), -EINVAL);
}
HT_TEST(runner_journal_rejects_bad_fields, .area = HT_AREA_HARNESS, .timeout_s = 10);
