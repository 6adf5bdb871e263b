// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Namespace probes (namespaces(7)): each of the eight namespace types, a user
 * namespace with a written uid/gid map, pivot_root onto a tmpfs, overlayfs,
 * and a seccomp filter. Each one creates the thing in the probe child (which
 * dies afterwards, taking its namespaces with it) and checks an effect that
 * only a working namespace would produce, not just that unshare(2) returned 0.
 */
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "ht-probe-internal.h"
#include "ht-util.h"

#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif
#ifndef RAMFS_MAGIC
#define RAMFS_MAGIC 0x858458f6
#endif

struct ns_kind {
	int flag;
	const char *flag_name;
	const char *name;   /* /proc/self/ns/<name> */
	const char *config; /* CONFIG_<config> */
};

static const struct ns_kind ns_pid = { CLONE_NEWPID, "CLONE_NEWPID", "pid", "PID_NS" };
static const struct ns_kind ns_mnt = { CLONE_NEWNS, "CLONE_NEWNS", "mnt", "NAMESPACES" };
static const struct ns_kind ns_uts = { CLONE_NEWUTS, "CLONE_NEWUTS", "uts", "UTS_NS" };
static const struct ns_kind ns_ipc = { CLONE_NEWIPC, "CLONE_NEWIPC", "ipc", "IPC_NS" };
static const struct ns_kind ns_user = { CLONE_NEWUSER, "CLONE_NEWUSER", "user", "USER_NS" };
static const struct ns_kind ns_cgroup = { CLONE_NEWCGROUP, "CLONE_NEWCGROUP", "cgroup", "CGROUPS" };
static const struct ns_kind ns_time = { CLONE_NEWTIME, "CLONE_NEWTIME", "time", "TIME_NS" };
static const struct ns_kind ns_net = { CLONE_NEWNET, "CLONE_NEWNET", "net", "NET_NS" };

static int ns_inode(const char *name, ino_t *ret)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/self/ns/%s", name);
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	*ret = st.st_ino;
	return 0;
}

static void fail_unshare(struct ht_probe_result *r, const struct ns_kind *k, int err)
{
	_cleanup_free_ char *cfg = NULL;
	const char *hint = "";

	if (err == EINVAL || err == ENOSYS)
		cfg = ht_kconfig_explain(k->config, NULL);
	else if (err == ENOSPC)
		hint = " (a limit in /proc/sys/user/max_*_namespaces was reached)";
	else if (err == EPERM && k->flag == CLONE_NEWUSER)
		hint = " (user.max_user_namespaces may be 0, or a seccomp or LSM policy "
		       "forbids it)";
	else if (err == EPERM)
		hint = " (needs CAP_SYS_ADMIN)";
	ht_probe_fail(r, HT_NO, err, "unshare(%s) failed%s%s%s", k->flag_name, hint,
		      cfg ? ": " : "", cfg ? cfg : "");
}

/*
 * unshare(2) the namespace and check that /proc/self/ns/<name> (or the
 * *_for_children link for pid and time) now names a different namespace.
 */
static int enter_new_ns(struct ht_probe_result *r, const struct ns_kind *k, const char *link,
			ino_t *ret_old)
{
	ino_t before = 0, after = 0;
	int ret;

	ret = ns_inode(link, &before);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "/proc/self/ns/%s is missing: no %s namespaces in this kernel", link,
			      k->name);
		return ret;
	}
	if (unshare(k->flag) < 0) {
		ret = -errno;
		fail_unshare(r, k, errno);
		return ret;
	}
	ret = ns_inode(link, &after);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot stat /proc/self/ns/%s after unshare",
			      link);
		return ret;
	}
	if (before == after) {
		ht_probe_fail(r, HT_NO, EINVAL,
			      "unshare(%s) returned 0 but /proc/self/ns/%s is unchanged",
			      k->flag_name, link);
		return -EINVAL;
	}
	ht_probe_note(r, "unshare(%s): /proc/self/ns/%s inode %lu -> %lu", k->flag_name, link,
		      (unsigned long)before, (unsigned long)after);
	if (ret_old)
		*ret_old = before;
	return 0;
}

/* ---- pid: the first child forked after unshare(CLONE_NEWPID) is pid 1 -- */

static int pid_child(void *arg, char *msg, size_t msglen)
{
	const ino_t *parent_ns = arg;
	pid_t self = getpid();
	ino_t mine = 0;
	int ret;

	ret = ns_inode("pid", &mine);
	if (ret < 0) {
		snprintf(msg, msglen, "cannot stat /proc/self/ns/pid in the forked child");
		return ret;
	}
	snprintf(msg, msglen,
		 "the forked child sees itself as pid %d, in pid namespace inode "
		 "%lu (the parent's is %lu)",
		 (int)self, (unsigned long)mine, (unsigned long)*parent_ns);
	if (mine == *parent_ns)
		return -EINVAL;
	return self == 1 ? 0 : -ESRCH;
}

void ht_probe_ns_pid(struct ht_probe_result *r)
{
	ino_t before = 0;
	char msg[256];
	int ret;

	ret = ns_inode("pid", &before);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "/proc/self/ns/pid is missing: no pid namespaces in this kernel");
		return;
	}
	/*
	 * unshare(CLONE_NEWPID) moves only our future children
	 * (pid_namespaces(7)); pid_for_children stays unreadable until the
	 * first of them exists, so the child itself is what we check.
	 */
	if (unshare(CLONE_NEWPID) < 0) {
		fail_unshare(r, &ns_pid, errno);
		return;
	}
	ht_probe_note(r, "unshare(CLONE_NEWPID)");
	ret = ht_probe_subprocess(pid_child, &before, msg, sizeof(msg));
	ht_probe_note(r, "%s", msg);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "the first child in the new pid namespace is not "
			      "pid 1 of a new namespace: %s",
			      msg);
		return;
	}
	ht_probe_yes(r);
}

/* ---- mnt: a tmpfs mounted inside is invisible from the parent ---------- */

void ht_probe_ns_mnt(struct ht_probe_result *r)
{
	const char *dir = ht_probe_scratch_dir();
	_cleanup_free_ char *ppid_path = NULL, *theirs = NULL, *ours = NULL;
	struct statfs sfs;
	int ret;

	if (enter_new_ns(r, &ns_mnt, "mnt", NULL) < 0)
		return;
	ret = ht_probe_make_root_private();
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "cannot make / private in the new mount "
			      "namespace (mount_namespaces(7))");
		return;
	}
	if (mount("isolab-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0) {
		ht_probe_fail(r, HT_NO, errno,
			      "cannot mount a tmpfs on %s in the new mount namespace", dir);
		return;
	}
	if (statfs(dir, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
		ht_probe_fail(r, HT_NO, EINVAL, "the tmpfs mounted on %s is not visible there",
			      dir);
		return;
	}
	ht_probe_note(r, "mounted tmpfs \"isolab-probe\" on %s", dir);
	ret = ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &ours);
	if (ret < 0 || !strstr(ours, " isolab-probe ")) {
		ht_probe_fail(r, HT_NO, ret < 0 ? ret : -ENOENT,
			      "the new mount is missing from our own /proc/self/mountinfo");
		return;
	}
	/* The parent (the isolab process) stayed in the original namespace. */
	ppid_path = ht_xasprintf("/proc/%d/mountinfo", (int)getppid());
	ret = ht_read_file(AT_FDCWD, ppid_path, &theirs);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot read %s", ppid_path);
		return;
	}
	if (strstr(theirs, " isolab-probe ")) {
		ht_probe_fail(r, HT_NO, EINVAL, "the mount leaked into the parent's namespace");
		return;
	}
	ht_probe_note(r, "absent from the parent's mountinfo");
	ht_probe_yes(r);
}

/* ---- uts: a new hostname inside, the old one outside ------------------- */

void ht_probe_ns_uts(struct ht_probe_result *r)
{
	static const char name[] = "isolab-probe";
	_cleanup_close_ int old_ns = -1;
	struct utsname before, inside, after;

	old_ns = open("/proc/self/ns/uts", O_RDONLY | O_CLOEXEC);
	if (old_ns < 0 || uname(&before) < 0) {
		ht_probe_fail(r, HT_NO, errno, "cannot open /proc/self/ns/uts");
		return;
	}
	if (enter_new_ns(r, &ns_uts, "uts", NULL) < 0)
		return;
	if (sethostname(name, sizeof(name) - 1) < 0) {
		ht_probe_fail(r, HT_NO, errno, "sethostname(2) failed in the new UTS namespace");
		return;
	}
	if (uname(&inside) < 0 || strcmp(inside.nodename, name) != 0) {
		ht_probe_fail(r, HT_NO, EINVAL, "uname(2) does not show the new hostname");
		return;
	}
	ht_probe_note(r, "sethostname(\"%s\") inside", name);
	/* Step back into the original namespace: its hostname must be untouched. */
	if (setns(old_ns, CLONE_NEWUTS) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno,
			      "setns(2) back to the original UTS namespace failed");
		return;
	}
	if (uname(&after) < 0 || strcmp(after.nodename, before.nodename) != 0) {
		ht_probe_fail(r, HT_NO, EINVAL, "the hostname changed outside the namespace");
		return;
	}
	ht_probe_note(r, "the original namespace still says \"%s\"", after.nodename);
	ht_probe_yes(r);
}

/* ---- ipc: a System V queue made inside is not visible outside ---------- */

void ht_probe_ns_ipc(struct ht_probe_result *r)
{
	_cleanup_close_ int old_ns = -1;
	key_t key = (key_t)(0x150b0000 | (getpid() & 0xffff));
	int id;

	old_ns = open("/proc/self/ns/ipc", O_RDONLY | O_CLOEXEC);
	if (old_ns < 0) {
		ht_probe_fail(r, HT_NO, errno, "cannot open /proc/self/ns/ipc");
		return;
	}
	if (enter_new_ns(r, &ns_ipc, "ipc", NULL) < 0)
		return;
	/* The queue lives in the new namespace, which dies with this child. */
	id = msgget(key, IPC_CREAT | IPC_EXCL | 0600);
	if (id < 0) {
		ht_probe_fail(r, HT_NO, errno, "msgget(2) key 0x%x failed in the new IPC namespace",
			      (unsigned)key);
		return;
	}
	ht_probe_note(r, "msgget(0x%x) created queue %d inside", (unsigned)key, id);
	if (setns(old_ns, CLONE_NEWIPC) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno,
			      "setns(2) back to the original IPC namespace failed");
		return;
	}
	if (msgget(key, 0) >= 0) {
		ht_probe_fail(r, HT_NO, EEXIST, "the queue is visible in the original namespace");
		return;
	}
	ht_probe_note(r, "not visible from the original namespace (%s)", ht_errno_name(errno));
	ht_probe_yes(r);
}

/* ---- user: unmapped ids read as the overflow uid ----------------------- */

void ht_probe_ns_user(struct ht_probe_result *r)
{
	_cleanup_free_ char *overflow = NULL;
	uid_t want = 65534, uid;

	if (ht_read_file(AT_FDCWD, "/proc/sys/kernel/overflowuid", &overflow) == 0)
		want = (uid_t)strtoul(overflow, NULL, 10);
	if (enter_new_ns(r, &ns_user, "user", NULL) < 0)
		return;
	/* No map written yet: user_namespaces(7) says our uid reads as overflowuid. */
	uid = getuid();
	ht_probe_note(r, "getuid() inside without a map: %u", (unsigned)uid);
	if (uid != want) {
		ht_probe_fail(r, HT_NO, EINVAL,
			      "getuid() in the new user namespace is %u, not the overflow uid %u",
			      (unsigned)uid, (unsigned)want);
		return;
	}
	ht_probe_yes(r);
}

/* ---- cgroup: our cgroup becomes the root of the view ------------------- */

void ht_probe_ns_cgroup(struct ht_probe_result *r)
{
	_cleanup_free_ char *text = NULL;
	char *line, *save = NULL;
	unsigned lines = 0;
	int ret;

	if (enter_new_ns(r, &ns_cgroup, "cgroup", NULL) < 0)
		return;
	ret = ht_read_file(AT_FDCWD, "/proc/self/cgroup", &text);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot read /proc/self/cgroup");
		return;
	}
	/* cgroup_namespaces(7): every hierarchy's path is now "/" ("0::/" for v2). */
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *path = strchr(line, ':');

		path = path ? strchr(path + 1, ':') : NULL;
		if (!path || strcmp(path + 1, "/") != 0) {
			ht_probe_fail(r, HT_NO, EINVAL,
				      "/proc/self/cgroup still shows \"%s\" in "
				      "the new cgroup namespace",
				      line);
			return;
		}
		lines++;
	}
	ht_probe_note(r, "/proc/self/cgroup reads \"/\" on all %u lines", lines);
	ht_probe_yes(r);
}

/* ---- time: a child sees the monotonic clock shifted by our offset ------ */

#define TIME_OFFSET_S 86400

struct time_arg {
	struct timespec before;
	ino_t for_children;
};

static int time_child(void *arg, char *msg, size_t msglen)
{
	struct time_arg *a = arg;
	struct timespec now;
	ino_t mine = 0;
	int ret;

	ret = ns_inode("time", &mine);
	if (ret < 0) {
		snprintf(msg, msglen, "cannot stat /proc/self/ns/time");
		return ret;
	}
	if (mine != a->for_children) {
		snprintf(msg, msglen, "the forked child is not in the new time namespace");
		return -EINVAL;
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	snprintf(msg, msglen, "the forked child's CLOCK_MONOTONIC is %+llds from the parent's",
		 (long long)(now.tv_sec - a->before.tv_sec));
	if (now.tv_sec - a->before.tv_sec < TIME_OFFSET_S)
		return -ERANGE;
	return 0;
}

void ht_probe_ns_time(struct ht_probe_result *r)
{
	struct time_arg a;
	char msg[256];
	int ret;

	if (enter_new_ns(r, &ns_time, "time_for_children", NULL) < 0)
		return;
	ret = ns_inode("time_for_children", &a.for_children);
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot stat time_for_children");
		return;
	}
	/* Offsets can be set only before the first process enters (time_namespaces(7)). */
	ret = ht_write_file(AT_FDCWD, "/proc/self/timens_offsets", "monotonic 86400 0\n");
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "cannot write /proc/self/timens_offsets");
		return;
	}
	ht_probe_note(r, "set a monotonic offset of %ds", TIME_OFFSET_S);
	clock_gettime(CLOCK_MONOTONIC, &a.before);
	ret = ht_probe_subprocess(time_child, &a, msg, sizeof(msg));
	ht_probe_note(r, "%s", msg);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "the time namespace had no effect: %s", msg);
		return;
	}
	ht_probe_yes(r);
}

/* ---- net: a new network namespace holds only a down loopback ----------- */

void ht_probe_ns_net(struct ht_probe_result *r)
{
	struct if_nameindex *ifs;
	unsigned n = 0;
	bool only_lo = true;

	if (enter_new_ns(r, &ns_net, "net", NULL) < 0)
		return;
	ifs = if_nameindex();
	if (!ifs) {
		ht_probe_fail(r, HT_UNKNOWN, errno,
			      "if_nameindex(3) failed in the new network namespace");
		return;
	}
	for (struct if_nameindex *i = ifs; i->if_index; i++, n++)
		if (strcmp(i->if_name, "lo") != 0)
			only_lo = false;
	if_freenameindex(ifs);
	ht_probe_note(r, "%u interface%s inside%s", n, n == 1 ? "" : "s",
		      only_lo ? " (lo only)" : "");
	if (!only_lo) {
		ht_probe_fail(r, HT_NO, EEXIST,
			      "the new network namespace already holds links other than lo");
		return;
	}
	ht_probe_yes(r);
}

/* ---- userns.map: root inside is 100000 outside, and may act as root --- */

#define MAP_OUTSIDE 100000

struct userns_report {
	int32_t ret;
	char text[256];
};

struct map_sync {
	int to_child;	/* parent writes: maps are written */
	int from_child; /* child writes: in the namespace / acts done */
};

static int read_byte(int fd)
{
	char c;
	ssize_t n;

	do
		n = read(fd, &c, 1);
	while (n < 0 && errno == EINTR);
	return n == 1 ? (unsigned char)c : -1;
}

static void write_byte(int fd, char c)
{
	(void)!write(fd, &c, 1);
}

/* Runs in the grandchild that owns the new user namespace. */
static int userns_child(void *arg, char *msg, size_t msglen)
{
	static const char name[] = "isolab-userns";
	struct map_sync *s = arg;
	const char *dir = ht_probe_scratch_dir();
	struct utsname u;
	struct statfs sfs;
	int ret = 0;

	if (unshare(CLONE_NEWUSER) < 0) {
		ret = -errno;
		snprintf(msg, msglen, "unshare(CLONE_NEWUSER) failed");
		write_byte(s->from_child, 'E');
		return ret;
	}
	write_byte(s->from_child, 'U');
	if (read_byte(s->to_child) != 'M') {
		snprintf(msg, msglen, "the parent could not write the maps");
		return -EPERM;
	}
	/* The kernel ids are unchanged until we switch to the mapped root. */
	if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0) {
		ret = -errno;
		snprintf(msg, msglen, "setresuid/setresgid(0) inside the namespace failed");
		goto out;
	}
	/* Namespaces created now are owned by the new user namespace. */
	if (unshare(CLONE_NEWUTS | CLONE_NEWNS) < 0) {
		ret = -errno;
		snprintf(msg, msglen, "unshare(CLONE_NEWUTS|CLONE_NEWNS) as mapped root failed");
		goto out;
	}
	if (sethostname(name, sizeof(name) - 1) < 0) {
		ret = -errno;
		snprintf(msg, msglen, "sethostname(2) as mapped root failed");
		goto out;
	}
	if (uname(&u) < 0 || strcmp(u.nodename, name) != 0) {
		ret = -EINVAL;
		snprintf(msg, msglen, "sethostname(2) returned 0 but uname(2) disagrees");
		goto out;
	}
	if (ht_probe_make_root_private() < 0 ||
	    mount("isolab-userns", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0) {
		ret = -errno;
		snprintf(msg, msglen, "mounting a tmpfs on %s as mapped root failed", dir);
		goto out;
	}
	if (statfs(dir, &sfs) < 0 || sfs.f_type != TMPFS_MAGIC) {
		ret = -EINVAL;
		snprintf(msg, msglen, "the tmpfs mounted on %s is not there", dir);
		goto out;
	}
	snprintf(msg, msglen, "inside: uid %u gid %u, sethostname(\"%s\") and a tmpfs on %s worked",
		 (unsigned)getuid(), (unsigned)getgid(), name, dir);
out:
	/* Let the parent look at /proc/<pid>/status while we still hold the ids. */
	write_byte(s->from_child, ret == 0 ? 'A' : 'E');
	(void)read_byte(s->to_child);
	return ret;
}

static int write_map(pid_t pid, const char *file, const char *text)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/%s", (int)pid, file);

	return ht_write_file(AT_FDCWD, path, text);
}

static int status_id(pid_t pid, const char *field, unsigned long *ret)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/status", (int)pid);
	_cleanup_free_ char *text = NULL, *key = ht_xasprintf("\n%s:\t", field);
	const char *p;
	int err;

	err = ht_read_file(AT_FDCWD, path, &text);
	if (err < 0)
		return err;
	p = strstr(text, key);
	if (!p)
		return -ENOENT;
	*ret = strtoul(p + strlen(key), NULL, 10);
	return 0;
}

void ht_probe_userns_map(struct ht_probe_result *r)
{
	static const char map[] = "0 100000 1\n"; /* root inside is MAP_OUTSIDE outside */
	_cleanup_close_ int p2c_r = -1, p2c_w = -1, c2p_r = -1, c2p_w = -1, msg_r = -1, msg_w = -1;
	struct userns_report rep = { .ret = -EPROTO };
	unsigned long uid_out = 0, gid_out = 0;
	int fds[2], ret, c;
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC) < 0)
		goto pipe_fail;
	p2c_r = fds[0];
	p2c_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto pipe_fail;
	c2p_r = fds[0];
	c2p_w = fds[1];
	if (pipe2(fds, O_CLOEXEC) < 0)
		goto pipe_fail;
	msg_r = fds[0];
	msg_w = fds[1];

	/*
	 * Mapping root to an id other than our own needs CAP_SETUID in the
	 * parent namespace, so the maps are written from out here, into a
	 * child that unshared (user_namespaces(7) "Defining user and group ID
	 * mappings").
	 */
	pid = fork();
	if (pid < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "fork failed");
		return;
	}
	if (pid == 0) {
		struct map_sync s = { .to_child = p2c_r, .from_child = c2p_w };

		ht_probe_forked();

		/* The report travels by pipe: the exit status may be valgrind's. */
		rep.ret = userns_child(&s, rep.text, sizeof(rep.text));
		(void)!write(msg_w, &rep, sizeof(rep));
		_exit(0);
	}
	close(TAKE_FD(p2c_r));
	close(TAKE_FD(c2p_w));
	close(TAKE_FD(msg_w));

	c = read_byte(c2p_r);
	if (c != 'U') {
		write_byte(p2c_w, 'X');
		goto reap;
	}
	/* setgroups must be denied before an unprivileged gid_map would be accepted. */
	ret = write_map(pid, "uid_map", map);
	if (ret == 0)
		ret = write_map(pid, "setgroups", "deny\n");
	if (ret == 0)
		ret = write_map(pid, "gid_map", map);
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret,
			      "writing uid_map, setgroups and gid_map of a child in a new user "
			      "namespace failed");
		write_byte(p2c_w, 'X');
		goto reap;
	}
	ht_probe_note(r, "wrote uid_map and gid_map \"0 %d 1\", setgroups deny", MAP_OUTSIDE);
	write_byte(p2c_w, 'M');
	if (read_byte(c2p_r) == 'A') {
		(void)status_id(pid, "Uid", &uid_out);
		(void)status_id(pid, "Gid", &gid_out);
	}
	write_byte(p2c_w, 'D');
reap:
	close(TAKE_FD(p2c_w));
	while (len < sizeof(rep) && (n = read(msg_r, (char *)&rep + len, sizeof(rep) - len)) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		len += (size_t)n;
	}
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	if (r->verdict == HT_NO)
		return;
	if (len != sizeof(rep)) {
		ht_probe_fail(r, HT_UNKNOWN, EPROTO,
			      "the child in the new user namespace died without a report");
		return;
	}
	rep.text[sizeof(rep.text) - 1] = '\0';
	if (rep.text[0])
		ht_probe_note(r, "%s", rep.text);
	if (rep.ret < 0) {
		ht_probe_fail(r, HT_NO, rep.ret, "%s%s", c != 'U' ? "" : "as mapped root: ",
			      rep.text[0] ? rep.text : "the child failed without a message");
		return;
	}
	ht_probe_note(r, "outside, /proc/<pid>/status shows uid %lu gid %lu", uid_out, gid_out);
	if (uid_out != MAP_OUTSIDE || gid_out != MAP_OUTSIDE) {
		ht_probe_fail(r, HT_NO, EINVAL, "root inside is uid %lu gid %lu outside, not %d",
			      uid_out, gid_out, MAP_OUTSIDE);
		return;
	}
	ht_probe_yes(r);
	return;
pipe_fail:
	ht_probe_fail(r, HT_UNKNOWN, errno, "pipe2 failed");
}

/* ---- pivot_root onto a fresh tmpfs ------------------------------------- */

void ht_probe_pivot_root(struct ht_probe_result *r)
{
	const char *dir = ht_probe_scratch_dir();
	struct statfs sfs;
	int ret;

	ret = ht_probe_private_mounts();
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "cannot enter a private mount namespace%s",
			      ret == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return;
	}
	if (statfs("/", &sfs) == 0 && (sfs.f_type == RAMFS_MAGIC || sfs.f_type == TMPFS_MAGIC))
		ht_probe_note(r, "the current / is a ram filesystem");
	if (mount("isolab-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=64k") < 0) {
		ht_probe_fail(r, HT_NO, errno, "cannot mount a tmpfs on %s", dir);
		return;
	}
	if (chdir(dir) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "chdir to the new root failed");
		return;
	}
	if (mkdir("isolab-marker", 0700) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "cannot create a marker in the new root");
		return;
	}
	/*
	 * pivot_root(".", ".") stacks the old root on top of the new one; the
	 * lazy unmount of "." then drops it (pivot_root(2) NOTES).
	 */
	if (syscall(SYS_pivot_root, ".", ".") < 0) {
		int err = errno;

		ht_probe_fail(r, HT_NO, err, "pivot_root(\".\", \".\") onto a tmpfs at %s failed%s",
			      dir,
			      err == EINVAL ? " (EINVAL when / is the initramfs rootfs, "
					      "which cannot be pivoted: switch_root instead)" :
					      "");
		return;
	}
	if (umount2(".", MNT_DETACH) < 0) {
		ht_probe_fail(r, HT_NO, errno, "umount2(\".\", MNT_DETACH) of the old root failed");
		return;
	}
	if (chdir("/") < 0 || statfs("/", &sfs) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "cannot statfs the new /");
		return;
	}
	if (sfs.f_type != TMPFS_MAGIC || access("/isolab-marker", F_OK) < 0) {
		ht_probe_fail(r, HT_NO, EINVAL,
			      "after pivot_root, / is not the new tmpfs (f_type 0x%lx)",
			      (unsigned long)sfs.f_type);
		return;
	}
	ht_probe_note(r,
		      "pivot_root onto a tmpfs at %s, old root detached; statfs(\"/\") "
		      "is tmpfs with our marker",
		      dir);
	ht_probe_yes(r);
}

/* ---- overlayfs: a write through merged lands in upper only ------------- */

static int read_text(const char *path, char *buf, size_t len)
{
	_cleanup_free_ char *t = NULL;
	int ret = ht_read_file(AT_FDCWD, path, &t);

	if (ret < 0)
		return ret;
	snprintf(buf, len, "%s", ht_strstrip(t));
	return 0;
}

static int write_new_file(const char *path, int flags, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);

	if (fd < 0)
		return -errno;
	return ht_write_all(fd, text, strlen(text));
}

void ht_probe_overlayfs(struct ht_probe_result *r)
{
	const char *dir = ht_probe_scratch_dir();
	_cleanup_free_ char *opts = NULL, *path = NULL;
	static const char *const sub[] = { "lower", "upper", "work", "merged" };
	char lower[64] = "", upper[64] = "";
	int ret;

	ret = ht_probe_private_mounts();
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "cannot enter a private mount namespace%s",
			      ret == -EPERM ? " (needs CAP_SYS_ADMIN)" : "");
		return;
	}
	if (mount("isolab-probe", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0) {
		ht_probe_fail(r, HT_NO, errno, "cannot mount a tmpfs on %s", dir);
		return;
	}
	if (chdir(dir) < 0) {
		ht_probe_fail(r, HT_UNKNOWN, errno, "chdir to the scratch tmpfs failed");
		return;
	}
	for (size_t i = 0; i < HT_ARRAY_SIZE(sub); i++)
		if (mkdir(sub[i], 0755) < 0) {
			ht_probe_fail(r, HT_UNKNOWN, errno, "mkdir %s on the scratch tmpfs",
				      sub[i]);
			return;
		}
	ret = write_new_file("lower/file", O_CREAT | O_EXCL, "lower\n");
	if (ret < 0) {
		ht_probe_fail(r, HT_UNKNOWN, ret, "cannot create lower/file");
		return;
	}
	opts = ht_xasprintf("lowerdir=%s/lower,upperdir=%s/upper,workdir=%s/work", dir, dir, dir);
	path = ht_xasprintf("%s/merged", dir);
	if (mount("overlay", path, "overlay", 0, opts) < 0) {
		int err = errno;
		_cleanup_free_ char *cfg = NULL;

		if (err == ENODEV)
			cfg = ht_kconfig_explain("OVERLAY_FS", "overlay");
		ht_probe_fail(r, HT_NO, err, "mount -t overlay failed%s%s", cfg ? ": " : "",
			      cfg ? cfg : "");
		return;
	}
	ht_probe_note(r, "mounted overlay (%s)", opts);
	/* Opening a lower file for writing forces a copy-up into upper. */
	ret = write_new_file("merged/file", O_TRUNC, "merged\n");
	if (ret < 0) {
		ht_probe_fail(r, HT_NO, ret, "writing merged/file failed");
		return;
	}
	if (read_text("upper/file", upper, sizeof(upper)) < 0 || strcmp(upper, "merged") != 0) {
		ht_probe_fail(r, HT_NO, ENOENT,
			      "the write through merged did not land in upper (upper/file: \"%s\")",
			      upper);
		return;
	}
	if (read_text("lower/file", lower, sizeof(lower)) < 0 || strcmp(lower, "lower") != 0) {
		ht_probe_fail(r, HT_NO, EINVAL, "the lower layer changed (lower/file: \"%s\")",
			      lower);
		return;
	}
	ht_probe_note(r, "wrote merged/file: upper has \"%s\", lower still \"%s\"", upper, lower);
	ht_probe_yes(r);
}

/* ---- seccomp: a filter turns getppid(2) into a distinctive errno ------- */

#if defined(__x86_64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__i386__)
#define PROBE_AUDIT_ARCH AUDIT_ARCH_I386
#endif

/* ENOTUNIQ: no real getppid(2) ever returns it. */
#define SECCOMP_PROBE_ERRNO ENOTUNIQ

void ht_probe_seccomp(struct ht_probe_result *r)
{
	/* seccomp(2) "Filter return values"; the arch check is the man page's first rule. */
	struct sock_filter insns[] = {
#ifdef PROBE_AUDIT_ARCH
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, PROBE_AUDIT_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
#endif
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | SECCOMP_PROBE_ERRNO),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = HT_ARRAY_SIZE(insns), .filter = insns };
	long ret;

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		ht_probe_fail(r, HT_NO, errno, "prctl(PR_SET_NO_NEW_PRIVS) failed");
		return;
	}
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0 &&
	    (errno != ENOSYS || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)) {
		int err = errno;
		_cleanup_free_ char *cfg = NULL;

		if (err == EINVAL || err == ENOSYS)
			cfg = ht_kconfig_explain("SECCOMP_FILTER", NULL);
		ht_probe_fail(r, HT_NO, err, "installing a seccomp filter failed%s%s",
			      cfg ? ": " : "", cfg ? cfg : "");
		return;
	}
	ht_probe_note(r, "installed a filter making getppid(2) fail with %s",
		      ht_errno_name(SECCOMP_PROBE_ERRNO));
	errno = 0;
	ret = syscall(SYS_getppid);
	if (ret != -1 || errno != SECCOMP_PROBE_ERRNO) {
		ht_probe_fail(r, HT_NO, EINVAL, "getppid(2) returned %ld (%s) under the filter",
			      ret, ht_errno_name(errno));
		return;
	}
	ht_probe_note(r, "getppid(2) failed with %s", ht_errno_name(errno));
	if (syscall(SYS_getpid) <= 0) {
		ht_probe_fail(r, HT_NO, EINVAL, "the filter also broke getpid(2)");
		return;
	}
	ht_probe_yes(r);
}
