// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The io limit (lesson 7, the other bandwidth throttle beside cpu.max):
 * io.max "MAJ:MIN rbps=N" holds a group's reads from one block device to N
 * bytes per second (cgroup-v2.rst, "IO Interface Files"; blk-throttle).
 *
 * The device is a loop device the test attaches itself (loop(4):
 * LOOP_CTL_GET_FREE, then LOOP_CONFIGURE, Linux 5.8) over a sparse file in
 * its scratch directory, so no real disk is read and every host has one.
 * LO_FLAGS_AUTOCLEAR makes the kernel detach it when the last descriptor
 * closes, so a test that dies leaves no attached loop device behind; the
 * journal has no kind for loop devices and needs none.
 *
 * The container reads the device through a node in a rootfs of its own: a
 * tmpfs in the test's private mount namespace (the scratch directory is on
 * a nodev /run), holding the probe, busybox as /bin/sh and the node. The
 * probe reads with O_DIRECT, so every byte passes the throttle, and times
 * its reads; the host checks the time from its side too, and the group's
 * io.stat says the bytes came from that device.
 */
#include <fcntl.h>
#include <linux/loop.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "lim.h"

#define LIMIT_BPS  (1 << 20)
#define READ_BYTES (2 << 20)
#define READ_SIZE  "2M"

/* Attach a read-only, autoclearing loop device over backing; returns its fd. */
static int attach_loop(struct ht_ctx *t, const char *backing, dev_t *ret_dev)
{
	_cleanup_close_ int ctl = -1, bfd = -1;
	struct stat st;

	ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
	if (ctl < 0)
		ht_report_exit(
			t, HT_SKIP, __FILE__, __LINE__,
			"no loop devices to throttle: /dev/loop-control: %s (CONFIG_BLK_DEV_LOOP)",
			ht_errno_name(errno));
	bfd = HT_SETUP(t, open(backing, O_RDONLY | O_CLOEXEC));
	/* Another user may take the free device first: then ask again. */
	for (int tries = 0; tries < 8; tries++) {
		struct loop_config cfg = {
			.fd = (unsigned)bfd,
			.block_size = 4096,
			.info.lo_flags = LO_FLAGS_AUTOCLEAR | LO_FLAGS_READ_ONLY,
		};
		_cleanup_free_ char *path = NULL;
		int n = HT_SETUP(t, ioctl(ctl, LOOP_CTL_GET_FREE));
		int fd;

		path = ht_xasprintf("/dev/loop%d", n);
		fd = HT_SETUP(t, open(path, O_RDONLY | O_CLOEXEC));
		if (ioctl(fd, LOOP_CONFIGURE, &cfg) == 0) {
			HT_SETUP(t, fstat(fd, &st));
			*ret_dev = st.st_rdev;
			return fd;
		}
		if (errno == EINVAL || errno == ENOTTY)
			ht_report_exit(t, HT_SKIP, __FILE__, __LINE__,
				       "LOOP_CONFIGURE on %s: %s (it needs Linux 5.8)", path,
				       ht_errno_name(errno));
		if (errno != EBUSY)
			ht_broken(t, "LOOP_CONFIGURE on %s: %m", path);
		close(fd);
	}
	ht_broken(t, "no free loop device after 8 tries");
}

static void copy_file(struct ht_ctx *t, const char *from, const char *to)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	in = HT_SETUP(t, open(from, O_RDONLY | O_CLOEXEC));
	out = HT_SETUP(t, open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755));
	while ((n = read(in, buf, sizeof(buf))) > 0)
		HT_SETUP(t, ht_write_all(out, buf, (size_t)n));
	HT_SETUP(t, n);
}

/* A rootfs of the probe, a shell and a node of dev, on a tmpfs of this test's own. */
static char *make_rootfs(struct ht_ctx *t, dev_t dev)
{
	char *root = ht_xasprintf("%s/root", ht_scratch_dir(t));
	_cleanup_free_ char *probe = ht_xasprintf("%s/probe", root);
	_cleanup_free_ char *bin = ht_xasprintf("%s/bin", root);
	_cleanup_free_ char *sh = ht_xasprintf("%s/bin/sh", root);
	_cleanup_free_ char *busybox = ht_xasprintf("%s/bin/busybox", ht_rootfs());
	_cleanup_free_ char *node = ht_xasprintf("%s/loop", root);

	/* Private first, so the tmpfs never shows in the host's mount table. */
	HT_SETUP(t, unshare(CLONE_NEWNS));
	HT_SETUP(t, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	HT_SETUP(t, mkdir(root, 0755));
	HT_SETUP(t, mount("isolab-io", root, "tmpfs", 0, "mode=0755,size=16m"));
	HT_SETUP(t, mknod(node, S_IFBLK | 0600, dev));
	HT_SETUP(t, mkdir(bin, 0755));
	copy_file(t, ht_probe_host_path(), probe);
	/* busybox runs the applet its argv[0] names. */
	copy_file(t, busybox, sh);
	return root;
}

/* Read READ_BYTES of /loop, unthrottled, in a container under p: the probe's JSON. */
static json_t *read_unlimited(struct ht_ctx *t, const char *p, const char *root)
{
	struct ht_proc r;
	json_t *j = NULL;

	ht_runtime_run(t, &r,
		       HT_ARGS("run", "--cgroup-parent", p, root, "--", LIM_PROBE, ht_nonce(t),
			       "ioread", "/loop", READ_SIZE),
		       NULL);
	if (HT_EXPECT_EXIT(t, &r, 0))
		j = ht_probe_json(t, &r);
	ht_proc_free(&r);
	return j;
}

static double rate(json_t *j)
{
	json_int_t us = json_integer_value(json_object_get(j, "wall_usec"));

	return (double)json_integer_value(json_object_get(j, "bytes")) * 1e6 /
	       (double)(us > 0 ? us : 1);
}

/*
 * io.max rbps=1M on a loop device: 2M of direct reads take at least about
 * 2 s as the host sees it, the probe's own rate stays within the limit
 * (+10%), and the group's io.stat counts the 2M on that device (read while
 * the container pauses: a removed group's last counts may never reach its
 * parent on older kernels). First the same reads without a limit must run
 * at least 4 times faster, or the device could not show a throttle and the
 * test skips, saying so.
 */
static void io_max_throttles_direct_reads(struct ht_ctx *t)
{
	_cleanup_free_ char *backing = ht_xasprintf("%s/backing", ht_scratch_dir(t));
	_cleanup_free_ char *root = NULL, *p = NULL, *g = NULL, *majmin = NULL, *io_max = NULL;
	_cleanup_free_ char *script = NULL;
	_cleanup_close_ int loop = -1, bfd = -1;
	double free_rate;
	struct ht_proc r;
	uint64_t t0, host_ms;
	pid_t init;
	dev_t dev;
	json_t *j;

	bfd = HT_SETUP(t, open(backing, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
	HT_SETUP(t, ftruncate(bfd, 8 << 20));
	loop = attach_loop(t, backing, &dev);
	root = make_rootfs(t, dev);
	majmin = ht_xasprintf("%u:%u", major(dev), minor(dev));
	p = lim_parent(t, HT_ARGS("io"));

	j = read_unlimited(t, p, root);
	HT_ASSERT(t, j != NULL);
	free_rate = rate(j);
	json_decref(j);
	if (free_rate < 4.0 * LIMIT_BPS)
		ht_report_exit(t, HT_SKIP, __FILE__, __LINE__,
			       "loop device %s reads only %.0f bytes/s without a limit, too slow "
			       "to show a limit of %d",
			       majmin, free_rate, LIMIT_BPS);

	io_max = ht_xasprintf("%s rbps=%d", majmin, LIMIT_BPS);
	script = ht_xasprintf("%s %s ioread /loop %s && exec %s %s pause", LIM_PROBE, ht_nonce(t),
			      READ_SIZE, LIM_PROBE, ht_nonce(t));
	t0 = ht_now_ns();
	ht_runtime_start(t, &r,
			 HT_ARGS("run", "--cgroup-parent", p, "--io-max", io_max, root, "--",
				 "/bin/sh", "-c", script),
			 NULL);
	g = lim_wait_group(t, p, &r, NULL);
	HT_ASSERT(t, g != NULL);
	j = lim_next_probe_line(t, &r);
	host_ms = (ht_now_ns() - t0) / 1000000;
	HT_ASSERT(t, j != NULL);
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "bytes")), READ_BYTES);
	/* Bytes per second: the limit plus 10%. */
	HT_EXPECT_LT(t, (long long)rate(j), LIMIT_BPS * 11 / 10);
	json_decref(j);
	/* blk-throttle lets the first slice (up to 100 ms) through at once. */
	HT_EXPECT_GE(t, host_ms, (uint64_t)READ_BYTES * 850 / LIMIT_BPS);
	json_decref(lim_next_probe_line(t, &r));
	HT_EXPECT_GE(t, (long long)lim_nested_key(g, "io.stat", majmin, "rbytes"), READ_BYTES);

	init = lim_container_init(t);
	HT_ASSERT(t, init > 0);
	HT_SETUP(t, kill(init, SIGKILL));
	HT_SETUP(t, ht_proc_wait(&r, ht_timeout_ms(t, 20000)));
	HT_EXPECT_EXIT(t, &r, 137);
	ht_proc_free(&r);
	lim_parent_done(t, p);
	HT_EXPECT_EQ(t, ioctl(loop, LOOP_CLR_FD, 0), 0);
}
HT_TEST(io_max_throttles_direct_reads, .area = HT_AREA_LIMITS, .lesson = 7, .timeout_s = 40,
	.needs = HT_NEEDS("cgroup2.io", LIM_RUN_NEEDS),
	.tags = "doc:cgroup-v2.rst#io-interface-files");
