// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Preparing the guest before the job runs: a root that pivot_root(2) accepts,
 * the API filesystems, every cgroup2 controller enabled, the hostname and
 * loopback, the kernel modules, and the virtio-serial port the results go to.
 *
 * Every step here logs what failed and carries on: a guest without tracefs
 * still runs the other tests, and the probes report what is missing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/module.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "ht-util.h"
#include "ht-vm-frame.h"
#include "init.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

#define MNT_NOSUID_NODEV (MS_NOSUID | MS_NODEV)
#define MNT_API		 (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = ht_xstrdup(path);

	for (char *s = p + 1;; s++) {
		char c = *s;

		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return -errno;
		*s = c;
		if (c == '\0')
			return 0;
	}
}

/*
 * pivot_root(2) fails with EINVAL while the root is the initramfs rootfs: the
 * root mount must have a parent. switch_root(8) gets one by moving a real
 * root over "/"; with no other disk, move a bind mount of the rootfs itself
 * over "/" and chroot into it. The tree is the same (no copy), but the
 * new root is a mount with a parent, and so container runtimes can pivot
 * away from it. The API filesystems are mounted afterwards, inside it.
 */
void init_root_make_pivotable(struct init *in)
{
	static const char *const dir = "/newroot";
	const char *step;

	step = "mkdir /newroot";
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		goto fail;
	step = "bind mount / on /newroot";
	if (mount("/", dir, NULL, MS_BIND | MS_REC, NULL) < 0)
		goto fail;
	step = "chdir /newroot";
	if (chdir(dir) < 0)
		goto fail_umount;
	/* From here on a failure leaves "/" half switched: power off. */
	step = "move /newroot to /";
	if (mount(".", "/", NULL, MS_MOVE, NULL) < 0)
		goto fail_cd;
	step = "chroot into the moved root";
	if (chroot(".") < 0 || chdir("/") < 0) {
		init_log(in, "make root pivotable: %s: %s", step, ht_errno_name(errno));
		return;
	}
	/* Now an ordinary empty directory in the new root. */
	(void)rmdir(dir);
	/*
	 * Container runtimes make their own mount namespaces private or slave
	 * (runc's rootfsPropagation, mount_namespaces(7)) and refuse nothing on
	 * a private root; a shared one would leak the tests' mounts back here.
	 */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		init_log(in, "make / rprivate: %s", ht_errno_name(errno));
	return;
fail_cd:
	(void)!chdir("/");
fail_umount:
	(void)umount2(dir, MNT_DETACH);
fail:
	init_log(in, "make root pivotable: %s: %s (pivot_root(2) will fail with EINVAL)", step,
		 ht_errno_name(errno));
}

struct api_mount {
	const char *type, *target;
	unsigned long flags;
	const char *data;
	/* Options to drop when the kernel refuses them (EINVAL): a kernel too old. */
	bool data_optional;
	/*
	 * A scratch tmpfs, mounted only over an empty directory: the payload
	 * keeps host paths, and a build tree under /tmp must stay visible (the
	 * root is a tmpfs already, so nothing is lost by writing there).
	 */
	bool only_if_empty;
};

/*
 * What a systemd host mounts (systemd's mount-setup.c), which is what the
 * runtimes under test expect to find. Order matters: /dev before /dev/pts.
 */
static const struct api_mount api_mounts[] = {
	{ "proc", "/proc", MNT_API, NULL, false },
	{ "sysfs", "/sys", MNT_API, NULL, false },
	{ "devtmpfs", "/dev", MS_NOSUID, "mode=0755", false },
	{ "devpts", "/dev/pts", MS_NOSUID | MS_NOEXEC, "mode=0620,gid=5,ptmxmode=0666", false },
	{ "tmpfs", "/dev/shm", MNT_NOSUID_NODEV, "mode=1777", false },
	{ "mqueue", "/dev/mqueue", MNT_API, NULL, false },
	{ "tmpfs", "/run", MNT_NOSUID_NODEV, "mode=0755", false, true },
	{ "tmpfs", "/tmp", MNT_NOSUID_NODEV, "mode=1777", false, true },
	/* nsdelegate and memory_recursiveprot as systemd mounts it (cgroup-v2.rst). */
	{ "cgroup2", "/sys/fs/cgroup", MNT_API, "nsdelegate,memory_recursiveprot", true },
	{ "bpf", "/sys/fs/bpf", MNT_API, "mode=0700", false },
	{ "tracefs", "/sys/kernel/tracing", MNT_API, NULL, false },
	{ "debugfs", "/sys/kernel/debug", MNT_API, NULL, false },
};

/* True when path is missing, or a directory with nothing but . and .. */
static bool dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!d)
		return true;
	while (empty && (e = readdir(d)))
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

static const char *mount_hint(int err)
{
	switch (err) {
	case ENODEV:
		return " (filesystem type not built into this kernel)";
	case ENOENT:
		return " (no mount point, and it cannot be created here)";
	default:
		return "";
	}
}

void init_mount_api(struct init *in)
{
	for (size_t i = 0; i < HT_ARRAY_SIZE(api_mounts); i++) {
		const struct api_mount *m = &api_mounts[i];
		int r;

		if (m->only_if_empty && !dir_is_empty(m->target)) {
			init_log(in, "%s holds payload files: not mounting a tmpfs over it",
				 m->target);
			continue;
		}
		r = mount(m->type, m->target, m->type, m->flags, m->data);

		if (r < 0 && errno == ENOENT) {
			/* sysfs has /sys/fs/cgroup and friends only when configured. */
			r = mkdir_p(m->target, 0755);
			if (r < 0) {
				init_log(in, "mkdir %s: %s%s", m->target, ht_errno_name(r),
					 mount_hint(-r));
				continue;
			}
			r = mount(m->type, m->target, m->type, m->flags, m->data);
		}
		if (r < 0 && errno == EINVAL && m->data_optional) {
			init_log(in, "mount %s on %s: EINVAL with '%s', retrying without", m->type,
				 m->target, m->data);
			r = mount(m->type, m->target, m->type, m->flags, NULL);
		}
		if (r < 0)
			init_log(in, "mount %s on %s: %s%s", m->type, m->target,
				 ht_errno_name(errno), mount_hint(errno));
	}
	/* What udev would add: bash process substitution needs /dev/fd. */
	(void)symlink("/proc/self/fd", "/dev/fd");
	(void)symlink("/proc/self/fd/0", "/dev/stdin");
	(void)symlink("/proc/self/fd/1", "/dev/stdout");
	(void)symlink("/proc/self/fd/2", "/dev/stderr");
}

/* A copy of fd at 3 or above, replacing it: dup2(2) onto itself would keep FD_CLOEXEC. */
static int fd_above_stdio(int fd)
{
	int r;

	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	r = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	close(fd);
	return r;
}

/*
 * The kernel starts init with fds 0-2 on /dev/console only when the
 * initramfs has that node (init/main.c, console_on_rootfs()). Make sure they
 * are open, so that no pipe created later lands on 0-2, and keep a console
 * fd of our own for the log and the children.
 */
void init_stdio(struct init *in)
{
	int null = fd_above_stdio(open("/dev/null", O_RDWR | O_CLOEXEC));
	int con = fd_above_stdio(open("/dev/console", O_WRONLY | O_NOCTTY | O_CLOEXEC));

	if (con < 0)
		init_log(in, "open /dev/console: %s (children's output is lost)",
			 ht_errno_name(errno));
	if (null >= 0)
		(void)dup2(null, STDIN_FILENO);
	if (con >= 0 || null >= 0) {
		(void)dup2(con >= 0 ? con : null, STDOUT_FILENO);
		(void)dup2(con >= 0 ? con : null, STDERR_FILENO);
	}
	if (con >= 0)
		in->console = con;
	if (null >= 0)
		close(null);
}

void init_hostname_and_lo(struct init *in)
{
	static const char name[] = "isolab-vm";
	_cleanup_close_ int fd = -1;
	struct ifreq ifr = { 0 };

	if (sethostname(name, sizeof(name) - 1) < 0)
		init_log(in, "sethostname %s: %s", name, ht_errno_name(errno));
	/* netdevice(7): SIOCGIFFLAGS then SIOCSIFFLAGS with IFF_UP. */
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		init_log(in, "bring up lo: socket: %s", ht_errno_name(errno));
		return;
	}
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		init_log(in, "bring up lo: SIOCGIFFLAGS: %s", ht_errno_name(errno));
		return;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		init_log(in, "bring up lo: SIOCSIFFLAGS: %s", ht_errno_name(errno));
}

/*
 * cgroup-v2.rst, "Enabling and Disabling": a write of several "+ctrl" tokens
 * fails as a whole when one controller cannot be enabled, so enable them one
 * write at a time and report only the ones that failed. The root cgroup is
 * exempt from the no-internal-process rule, so EBUSY is not expected here.
 */
void init_cgroup_enable(struct init *in)
{
	static const char *const root = "/sys/fs/cgroup";
	_cleanup_close_ int dfd = -1;
	_cleanup_free_ char *avail = NULL, *enabled = NULL;
	char *save = NULL;
	int r;

	dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		init_log(in, "cgroup: open %s: %s", root, ht_errno_name(errno));
		return;
	}
	r = ht_read_file(dfd, "cgroup.controllers", &avail);
	if (r < 0) {
		init_log(in, "cgroup: read cgroup.controllers: %s (is cgroup2 mounted?)",
			 ht_errno_name(r));
		return;
	}
	for (char *c = strtok_r(avail, " \n", &save); c; c = strtok_r(NULL, " \n", &save)) {
		_cleanup_free_ char *tok = ht_xasprintf("+%s", c);

		r = ht_write_file(dfd, "cgroup.subtree_control", tok);
		if (r < 0)
			init_log(in, "cgroup: enable %s in cgroup.subtree_control: %s", c,
				 ht_errno_name(r));
	}
	if (ht_read_file(dfd, "cgroup.subtree_control", &enabled) == 0)
		init_log(in, "cgroup: subtree_control: %s", ht_strstrip(enabled));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void module_load(struct init *in, const char *path)
{
	_cleanup_close_ int fd = -1;
	bool compressed =
		ends_with(path, ".xz") || ends_with(path, ".zst") || ends_with(path, ".gz");
	int flags = compressed ? MODULE_INIT_COMPRESSED_FILE : 0;
	const char *hint = "";

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		init_log(in, "load module %s: open: %s", path, ht_errno_name(errno));
		return;
	}
	/* finit_module(2) has no glibc wrapper. */
	if (syscall(SYS_finit_module, fd, "", flags) == 0 || errno == EEXIST)
		return;
	/* MODULE_INIT_COMPRESSED_FILE is from Linux 5.17; the kernel may still lack the code. */
	if (compressed && errno == EOPNOTSUPP)
		hint = " (kernel built without CONFIG_MODULE_DECOMPRESS: decompress it on the host)";
	else if (compressed && errno == EINVAL)
		hint = " (kernel older than 5.17, no MODULE_INIT_COMPRESSED_FILE: decompress it on"
		       " the host)";
	else if (errno == ENOEXEC)
		hint = " (not a module for this kernel: version magic or format)";
	else if (errno == ENOENT)
		hint = " (unknown symbol: a dependency listed later or missing)";
	else if (errno == EKEYREJECTED || errno == EKEYREVOKED)
		hint = " (module signature rejected)";
	init_log(in, "load module %s: %s%s", path, ht_errno_name(errno), hint);
}

/*
 * The list holds one absolute path a line, already in dependency order
 * (modules.dep), so no resolution happens here.
 */
void init_modules_load(struct init *in, const char *list_path)
{
	_cleanup_free_ char *list = NULL;
	char *save = NULL;
	int r;

	r = ht_read_file(AT_FDCWD, list_path, &list);
	if (r == -ENOENT)
		return;
	if (r < 0) {
		init_log(in, "read %s: %s", list_path, ht_errno_name(r));
		return;
	}
	for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		l = ht_strstrip(l);
		if (l[0] == '\0' || l[0] == '#')
			continue;
		module_load(in, l);
	}
}

/* Returns the /dev path of the port, NULL if it is not (yet) there. */
static char *port_find(void)
{
	DIR *d = opendir("/sys/class/virtio-ports");
	struct dirent *e;
	char *dev = NULL;

	if (!d)
		return NULL;
	while (!dev && (e = readdir(d))) {
		_cleanup_free_ char *path = NULL, *name = NULL;

		if (e->d_name[0] == '.')
			continue;
		/* "name" exists only once the host has named the port. */
		path = ht_xasprintf("%s/name", e->d_name);
		if (ht_read_file(dirfd(d), path, &name) == 0 &&
		    strcmp(ht_strstrip(name), HT_VM_PORT_NAME) == 0)
			dev = ht_xasprintf("/dev/%s", e->d_name);
	}
	closedir(d);
	return dev;
}

static int uevent_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
			NETLINK_KOBJECT_UEVENT);

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int r = -errno;

		close(fd);
		return r;
	}
	return fd;
}

/* The events' content does not matter: any of them triggers a rescan. */
static void uevent_drain(int fd)
{
	char buf[4096];

	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 && (errno == EINTR || errno == ENOBUFS))
			continue;
		if (n <= 0)
			return;
	}
}

/*
 * virtio_console adds a port when the device is probed but names it later,
 * from the host's control message, creating the sysfs "name" attribute then
 * and announcing it with a KOBJ_CHANGE uevent (drivers/char/virtio_console.c,
 * handle_control_message()). So rescan on every kernel uevent (netlink(7),
 * NETLINK_KOBJECT_UEVENT) until the deadline; the /dev node is made by
 * devtmpfs before the "add" uevent is sent. The poll timeout is capped so
 * that a uevent lost to a full socket buffer (ENOBUFS) costs a rescan delay,
 * not the whole deadline.
 */
int init_port_open(struct init *in, int timeout_ms)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)timeout_ms * 1000000u;
	_cleanup_close_ int ue = uevent_open();
	int last_err = -ENOENT, cap = ue >= 0 ? 1000 : 100;

	if (ue < 0)
		init_log(in, "uevent socket: %s (scanning for the port every 100 ms)",
			 ht_errno_name(ue));
	for (;;) {
		_cleanup_free_ char *dev = port_find();
		struct pollfd p = { .fd = ue, .events = POLLIN };
		int left;

		if (dev) {
			int fd = open(dev, O_WRONLY | O_CLOEXEC | O_NOCTTY);

			if (fd >= 0)
				return fd;
			last_err = -errno;
			if (errno != ENOENT)
				init_log(in, "open %s: %s", dev, ht_errno_name(errno));
		}
		left = ht_remaining_ms(deadline);
		if (left == 0)
			return last_err == -ENOENT ? -ETIMEDOUT : last_err;
		if (left > cap)
			left = cap;
		if (poll(&p, 1, left) > 0)
			uevent_drain(ue);
	}
}
