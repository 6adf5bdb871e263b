// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The mount plan, built without root: the exact operation list for a
 * configuration, and the rootfs layouts refused from the configuration
 * alone. Then the resolver that executes it, on a scratch directory (no
 * mounts): symlinks and ".." are refused, missing targets are created.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctr-config.h"
#include "ctr-mount-plan.h"
#include "ctr-namespace.h"
#include "ctr-rootfs.h"

static struct ctr_error err;

static void container_cfg(struct ctr_config *cfg, unsigned long extra)
{
	static char *argv[] = { "/bin/sh", NULL };

	ctr_config_init(cfg);
	cfg->mode = CTR_MODE_CONTAINER;
	cfg->namespaces = CTR_NS_CONTAINER | extra;
	cfg->rootfs = "/srv/r";
	cfg->argv = argv;
}

static void check_plan(const struct ctr_mount_plan *plan, const char *const *want, size_t n)
{
	char got[512];

	for (size_t i = 0; i < plan->n && i < n; i++)
		ck_assert_str_eq(ctr_mount_op_format(&plan->ops[i], got, sizeof(got)), want[i]);
	ck_assert_uint_eq(plan->n, n);
}

static const char *const container_plan[] = {
	"make-private / (rec,private)",
	"bind-root /srv/r (bind,rec)",
	"mount proc on /proc type proc (nosuid,nodev,noexec)",
	"bind /sys on /sys (ro,bind,rec)",
	"mount tmpfs on /dev type tmpfs (nosuid,strictatime) [mode=755,size=65536k]",
	"bind /dev/null on /dev/null (bind)",
	"bind /dev/zero on /dev/zero (bind)",
	"bind /dev/full on /dev/full (bind)",
	"bind /dev/random on /dev/random (bind)",
	"bind /dev/urandom on /dev/urandom (bind)",
	"bind /dev/tty on /dev/tty (bind)",
	"mkdir /dev/pts 0755",
	"mount devpts on /dev/pts type devpts (nosuid,noexec) [newinstance,ptmxmode=0666,mode=0620]",
	"symlink /dev/ptmx -> pts/ptmx",
	"mkdir /dev/shm 1777",
	"mount shm on /dev/shm type tmpfs (nosuid,nodev,noexec) [mode=1777,size=65536k]",
	"symlink /dev/fd -> /proc/self/fd",
	"symlink /dev/stdin -> /proc/self/fd/0",
	"symlink /dev/stdout -> /proc/self/fd/1",
	"symlink /dev/stderr -> /proc/self/fd/2",
	"pivot-root /srv/r",
	"umount . (detach)",
	"chdir /",
};

START_TEST(container_plan_exact)
{
	_cleanup_mount_plan_ struct ctr_mount_plan *plan = NULL;
	struct ctr_config cfg;

	container_cfg(&cfg, 0);
	ck_assert_int_eq(ctr_mount_plan_build(&cfg, "/srv/r", &plan, &err), 0);
	check_plan(plan, container_plan, sizeof(container_plan) / sizeof(container_plan[0]));

	/* The fields themselves, for two operations. */
	ck_assert_int_eq(plan->ops[2].kind, CTR_MOUNT_OP_MOUNT);
	ck_assert_str_eq(plan->ops[2].fstype, "proc");
	ck_assert_uint_eq(plan->ops[2].flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
	ck_assert_int_eq(plan->ops[21].kind, CTR_MOUNT_OP_UMOUNT);
	ck_assert_uint_eq(plan->ops[21].flags, MNT_DETACH);
	/* The plan owns its copy of the rootfs path. */
	ck_assert_str_eq(plan->ops[1].source, "/srv/r");
	ck_assert_ptr_eq(plan->ops[1].source, plan->rootfs);
}
END_TEST

START_TEST(container_with_net_mounts_sysfs)
{
	_cleanup_mount_plan_ struct ctr_mount_plan *plan = NULL;
	struct ctr_config cfg;
	char got[256];

	container_cfg(&cfg, CLONE_NEWNET | CLONE_NEWUSER);
	ck_assert_int_eq(ctr_mount_plan_build(&cfg, "/srv/r", &plan, &err), 0);
	ck_assert_uint_eq(plan->n, sizeof(container_plan) / sizeof(container_plan[0]));
	ck_assert_str_eq(ctr_mount_op_format(&plan->ops[3], got, sizeof(got)),
			 "mount sysfs on /sys type sysfs (ro,nosuid,nodev,noexec)");
}
END_TEST

START_TEST(mount_ns_only_makes_root_private)
{
	_cleanup_mount_plan_ struct ctr_mount_plan *plan = NULL;
	static const char *const want[] = { "make-private / (rec,private)" };
	struct ctr_config cfg;

	ctr_config_init(&cfg);
	cfg.namespaces = CLONE_NEWNS | CLONE_NEWPID;
	ck_assert_int_eq(ctr_mount_plan_build(&cfg, NULL, &plan, &err), 0);
	check_plan(plan, want, 1);
	ck_assert_ptr_null(plan->rootfs);
}
END_TEST

START_TEST(no_mount_ns_no_plan)
{
	_cleanup_mount_plan_ struct ctr_mount_plan *plan = NULL;
	struct ctr_config cfg;

	ctr_config_init(&cfg);
	cfg.namespaces = CLONE_NEWPID | CLONE_NEWUTS;
	ck_assert_int_eq(ctr_mount_plan_build(&cfg, NULL, &plan, &err), 0);
	ck_assert_uint_eq(plan->n, 0);
}
END_TEST

START_TEST(bad_rootfs_paths_are_refused)
{
	static const struct {
		const char *rootfs;
		const char *want;
	} t[] = {
		{ "/", "rootfs \"/\" is the host root" },
		{ "srv/r", "not a canonical absolute path" },
		{ "/srv/../r", "not a canonical absolute path" },
		{ "/srv/./r", "not a canonical absolute path" },
		{ "/srv//r", "not a canonical absolute path" },
		{ "/srv/r/", "not a canonical absolute path" },
		{ "", "no rootfs given" },
		{ NULL, "no rootfs given" },
	};
	struct ctr_config cfg;

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct ctr_mount_plan *plan = NULL;

		container_cfg(&cfg, 0);
		ck_assert_int_eq(ctr_mount_plan_build(&cfg, t[i].rootfs, &plan, &err), -EINVAL);
		ck_assert_ptr_null(plan);
		ck_assert_msg(strstr(err.msg, t[i].want), "\"%s\": got \"%s\"", t[i].rootfs,
			      err.msg);
	}
}
END_TEST

START_TEST(container_without_mount_ns_is_refused)
{
	struct ctr_mount_plan *plan = NULL;
	struct ctr_config cfg;

	container_cfg(&cfg, 0);
	cfg.namespaces &= ~(unsigned long)CLONE_NEWNS;
	ck_assert_int_eq(ctr_mount_plan_build(&cfg, "/srv/r", &plan, &err), -EINVAL);
	ck_assert_ptr_null(plan);
	ck_assert_ptr_nonnull(strstr(err.msg, "refusing to change the host's mounts"));
}
END_TEST

START_TEST(free_accepts_null)
{
	ctr_mount_plan_free(NULL);
}
END_TEST

/* A scratch rootfs for the resolver: /proc is a symlink, /dev a directory. */
static char scratch[64];
static int rootfd = -1;

static void scratch_setup(void)
{
	char p[256];

	snprintf(scratch, sizeof(scratch), "/tmp/ctr-test-plan-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(scratch));
	snprintf(p, sizeof(p), "%s/dev", scratch);
	ck_assert_int_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc", scratch);
	ck_assert_int_eq(symlink("/etc", p), 0);
	snprintf(p, sizeof(p), "%s/etc", scratch);
	ck_assert_int_eq(symlink("/etc", p), 0);
	rootfd = open(scratch, O_PATH | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(rootfd, 0);
}

static void scratch_teardown(void)
{
	char cmd[300];

	close(rootfd);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(symlink_target_is_refused)
{
	int fd = -1;

	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/proc", CTR_RESOLVE_MKDIR, 0755,
					    "mount over it", &fd, &err),
			 -ELOOP);
	ck_assert_str_eq(err.msg, "/proc is a symlink: refusing to mount over it");
	ck_assert_int_eq(fd, -1);
}
END_TEST

START_TEST(symlink_on_the_way_is_refused)
{
	int fd = -1;

	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/etc/passwd", CTR_RESOLVE_EXISTING, 0,
					    "mount over it", &fd, &err),
			 -ELOOP);
	ck_assert_str_eq(err.msg, "/etc is a symlink: refusing to mount over it");
}
END_TEST

START_TEST(dotdot_is_refused)
{
	int fd = -1;

	ck_assert_int_lt(ctr_rootfs_resolve(rootfd, "/dev/../../x", CTR_RESOLVE_MKDIR, 0755,
					    "mount over it", &fd, &err),
			 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "\"..\" is not allowed"));
}
END_TEST

START_TEST(missing_targets_are_created)
{
	struct stat st;
	char p[256];
	int fd = -1;

	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/dev/pts", CTR_RESOLVE_MKDIR, 0700,
					    "mount over it", &fd, &err),
			 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	close(fd);
	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/a/b/null", CTR_RESOLVE_MKFILE, 0644,
					    "mount over it", &fd, &err),
			 0);
	ck_assert_int_eq(fstat(fd, &st), 0);
	ck_assert(S_ISREG(st.st_mode));
	close(fd);
	snprintf(p, sizeof(p), "%s/a/b", scratch);
	ck_assert_int_eq(stat(p, &st), 0);
	ck_assert(S_ISDIR(st.st_mode));
	/* Existing now: the one-call openat2 path. */
	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/a/b/null", CTR_RESOLVE_EXISTING, 0,
					    "mount over it", &fd, &err),
			 0);
	close(fd);
}
END_TEST

START_TEST(missing_without_create_fails)
{
	int fd = -1;

	ck_assert_int_eq(ctr_rootfs_resolve(rootfd, "/nope/x", CTR_RESOLVE_EXISTING, 0,
					    "mount over it", &fd, &err),
			 -ENOENT);
	ck_assert_str_eq(err.msg, "open /nope in the rootfs: No such file or directory (ENOENT)");
}
END_TEST

START_TEST(parent_of_a_symlink_target)
{
	const char *name = NULL;
	int fd = -1;

	ck_assert_int_eq(ctr_rootfs_resolve_parent(rootfd, "/dev/ptmx", "create files through it",
						   &fd, &name, &err),
			 0);
	ck_assert_str_eq(name, "ptmx");
	close(fd);
	ck_assert_int_eq(ctr_rootfs_resolve_parent(rootfd, "/proc/self", "create files through it",
						   &fd, &name, &err),
			 -ELOOP);
	ck_assert_str_eq(err.msg, "/proc is a symlink: refusing to create files through it");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-plan");
	TCase *tc = tcase_create("plan");
	TCase *tr = tcase_create("resolve");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, container_plan_exact);
	tcase_add_test(tc, container_with_net_mounts_sysfs);
	tcase_add_test(tc, mount_ns_only_makes_root_private);
	tcase_add_test(tc, no_mount_ns_no_plan);
	tcase_add_test(tc, bad_rootfs_paths_are_refused);
	tcase_add_test(tc, container_without_mount_ns_is_refused);
	tcase_add_test(tc, free_accepts_null);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(tr, scratch_setup, scratch_teardown);
	tcase_add_test(tr, symlink_target_is_refused);
	tcase_add_test(tr, symlink_on_the_way_is_refused);
	tcase_add_test(tr, dotdot_is_refused);
	tcase_add_test(tr, missing_targets_are_created);
	tcase_add_test(tr, missing_without_create_fails);
	tcase_add_test(tr, parent_of_a_symlink_target);
	suite_add_tcase(s, tr);

	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
