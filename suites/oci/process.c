// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * config.json fields honoured (lesson 9), runtime-spec config.md and
 * config-linux.md: the process (args, env, cwd, user, rlimits,
 * noNewPrivileges, capabilities, oomScoreAdj), the root, mounts, masked and
 * read-only paths, namespaces, hooks and sysctls. Each is observed from
 * the host through /proc/PID of the container's process, or through the
 * probe's nonce-bound JSON, never from what the runtime prints.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "ht-host.h"
#include "ht-util.h"
#include "rt.h"

#define RT_NEEDS HT_NEEDS("ns.pid", "ns.mnt", "ns.net", "ns.uts", "ns.ipc")

/* Start the bundle with `run` in the background; the container's host pid, or -1. */
static pid_t start_paused(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p)
{
	json_t *ready = oci_rt_run_bg(t, rt, p, true), *st;
	pid_t pid = -1;

	if (!ready)
		return -1;
	json_decref(ready);
	st = oci_rt_state(t, rt, NULL);
	if (st)
		pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
	json_decref(st);
	if (pid <= 0)
		ht_fail(t, "state of a running container gives no pid");
	return pid;
}

static void stop_paused(struct ht_ctx *t, struct oci_rt *rt, struct ht_proc *p)
{
	oci_rt_verb(t, rt, "kill", "KILL", NULL);
	ht_proc_wait(p, ht_timeout_ms(t, 10000));
	ht_proc_free(p);
	oci_rt_destroy(t, rt);
}

/* `run` in the foreground; the probe's JSON (NULL after a FAIL). */
static json_t *run_probe(struct ht_ctx *t, struct oci_rt *rt, const char *const *args)
{
	struct ht_proc p = { 0 };
	json_t *j = NULL;

	oci_rt_probe_args(t, rt, args);
	oci_rt_run(t, rt, &p);
	if (p.exit_code == 0)
		j = ht_probe_json(t, &p);
	else
		ht_fail(t, "run of the probe: exit %d; stdout \"%.200s\" stderr \"%.300s\"",
			p.exit_code, p.out, p.err);
	ht_proc_free(&p);
	return j;
}

static char *proc_file(pid_t pid, const char *name)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/%d/%s", pid, name);
	char *s = NULL;

	if (ht_read_file(AT_FDCWD, path, &s) < 0)
		return ht_xstrdup("(unreadable)");
	return s;
}

/* args, env and cwd reach the process. */
static void oci_process_args_env_cwd(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *envvar = NULL, *cmdline = NULL, *want = NULL, *tmp = NULL, *cwd = NULL;
	struct stat a, b;
	json_t *env;
	pid_t pid;
	int fd;

	oci_rt_init(t, &rt);
	envvar = ht_xasprintf("ISOLAB_OCI=%s", ht_nonce(t));
	env = json_object_get(oci_rt_process(&rt), "env");
	json_array_append_new(env, json_string(envvar));
	json_object_set_new(oci_rt_process(&rt), "cwd", json_string("/tmp"));
	pid = start_paused(t, &rt, &p);
	if (pid < 0)
		goto out;
	cwd = ht_xasprintf("/proc/%d/cmdline", pid);
	fd = open(cwd, O_RDONLY | O_CLOEXEC);
	free(cwd);
	if (fd >= 0) {
		char buf[512];
		ssize_t n = read(fd, buf, sizeof(buf) - 1);

		close(fd);
		for (ssize_t i = 0; i < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		cmdline = ht_xasprintf("%.*s", n > 0 ? (int)n : 0, buf);
	}
	want = ht_xasprintf("/probe %s pause ", ht_nonce(t));
	HT_EXPECT_STREQ(t, cmdline, want);
	{
		_cleanup_free_ char *path = ht_xasprintf("/proc/%d/environ", pid);
		_cleanup_close_ int efd = open(path, O_RDONLY | O_CLOEXEC);
		char buf[8192];
		ssize_t n = efd >= 0 ? read(efd, buf, sizeof(buf)) : -1;
		bool found = false;

		for (ssize_t i = 0; i < n; i += (ssize_t)strnlen(buf + i, (size_t)(n - i)) + 1)
			found |= strcmp(buf + i, envvar) == 0;
		if (!found)
			ht_fail(t, "%s is not in /proc/%d/environ", envvar, pid);
	}
	cwd = ht_xasprintf("/proc/%d/cwd", pid);
	tmp = ht_xasprintf("%s/tmp", rt.c.rootfs);
	if (stat(cwd, &a) < 0 || stat(tmp, &b) < 0 || a.st_ino != b.st_ino || a.st_dev != b.st_dev)
		ht_fail(t, "the process's cwd is not the rootfs's /tmp (process.cwd)");
out:
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_process_args_env_cwd, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#process");

/* user.uid, gid and additionalGids, from /proc/PID/status. */
static void oci_process_user(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *uid = NULL, *gid = NULL, *groups = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	json_object_set_new(oci_rt_process(&rt), "user",
			    json_pack("{s:i,s:i,s:[i,i]}", "uid", 1000, "gid", 1001,
				      "additionalGids", 2000, 3000));
	pid = start_paused(t, &rt, &p);
	if (pid < 0)
		goto out;
	uid = oci_rt_status_field(pid, "Uid");
	gid = oci_rt_status_field(pid, "Gid");
	groups = oci_rt_status_field(pid, "Groups");
	HT_EXPECT_STREQ(t, uid, "1000\t1000\t1000\t1000");
	HT_EXPECT_STREQ(t, gid, "1001\t1001\t1001\t1001");
	if (!groups || !strstr(groups, "2000") || !strstr(groups, "3000"))
		ht_fail(t, "Groups \"%s\" lacks additionalGids 2000 and 3000", groups);
out:
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_process_user, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#user");

/* rlimits, noNewPrivileges, capabilities and oomScoreAdj, from /proc/PID. */
static void oci_process_limits_and_privileges(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *limits = NULL, *nnp = NULL, *eff = NULL, *bnd = NULL, *oom = NULL;
	json_t *proc;
	pid_t pid;
	char *l;

	oci_rt_init(t, &rt);
	proc = oci_rt_process(&rt);
	json_object_set_new(
		proc, "rlimits",
		json_pack("[{s:s,s:i,s:i}]", "type", "RLIMIT_NOFILE", "hard", 1234, "soft", 567));
	json_object_set_new(proc, "noNewPrivileges", json_true());
	json_object_set_new(proc, "oomScoreAdj", json_integer(123));
	pid = start_paused(t, &rt, &p);
	if (pid < 0)
		goto out;
	limits = proc_file(pid, "limits");
	l = strstr(limits, "Max open files");
	if (!l)
		ht_fail(t, "no \"Max open files\" in /proc/%d/limits", pid);
	else if (!strstr(l, " 567 ") || !strstr(l, " 1234 "))
		ht_fail(t, "RLIMIT_NOFILE is \"%.60s\", want soft 567 hard 1234", l);
	nnp = oci_rt_status_field(pid, "NoNewPrivs");
	HT_EXPECT_STREQ(t, nnp, "1");
	/* CHOWN 0, DAC_OVERRIDE 1, FOWNER 3, KILL 5, SETGID 6, SETUID 7, NET_BIND_SERVICE 10. */
	eff = oci_rt_status_field(pid, "CapEff");
	bnd = oci_rt_status_field(pid, "CapBnd");
	HT_EXPECT_STREQ(t, eff, "00000000000004eb");
	HT_EXPECT_STREQ(t, bnd, "00000000000004eb");
	oom = proc_file(pid, "oom_score_adj");
	HT_EXPECT_STREQ(t, oom, "123\n");
out:
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_process_limits_and_privileges, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#process");

/* hostname, in the new UTS namespace, as the probe sees it. */
static void oci_hostname(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *name = NULL;
	json_t *j;

	oci_rt_init(t, &rt);
	name = ht_xasprintf("h-%.8s", ht_nonce(t));
	json_object_set_new(rt.cfg, "hostname", json_string(name));
	j = run_probe(t, &rt, HT_ARGS("hostname"));
	if (j)
		HT_EXPECT_STREQ(t, json_string_value(json_object_get(j, "hostname")), name);
	json_decref(j);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostname, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#hostname");

/* root.readonly: a write to / fails with EROFS, and the rootfs is untouched. */
static void oci_root_readonly(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *marker = NULL;
	json_t *j;

	oci_rt_init(t, &rt);
	json_object_set_new(json_object_get(rt.cfg, "root"), "readonly", json_true());
	oci_rt_probe_args(t, &rt, HT_ARGS("write-marker", "/marker"));
	oci_rt_run(t, &rt, &p);
	j = ht_probe_json(t, &p);
	if (j)
		HT_EXPECT_STREQ(t, json_string_value(json_object_get(j, "errno_name")), "EROFS");
	marker = ht_xasprintf("%s/marker", rt.c.rootfs);
	if (access(marker, F_OK) == 0)
		ht_fail(t, "the probe wrote /marker into a read-only root");
	json_decref(j);
	ht_proc_free(&p);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_root_readonly, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#root");

/* The mountinfo line of the container's process for mount point mp, or NULL. */
static char *mountinfo_line(pid_t pid, const char *mp)
{
	_cleanup_free_ char *all = proc_file(pid, "mountinfo");
	_cleanup_free_ char *needle = ht_xasprintf(" %s ", mp);
	char *found = NULL;

	/* Field 5 is the mount point (proc(5)); the last line for it is on top. */
	for (char *l = all; *l;) {
		size_t n = strcspn(l, "\n");
		char *f = l;

		for (int i = 0; i < 4 && f; i++)
			f = memchr(f, ' ', n - (size_t)(f - l)) ? strchr(f, ' ') + 1 : NULL;
		if (f && strncmp(f - 1, needle, strlen(needle)) == 0) {
			free(found);
			found = ht_xasprintf("%.*s", (int)n, l);
		}
		l += n + (l[n] == '\n');
	}
	return found;
}

/* mounts in order with options, maskedPaths and readonlyPaths. */
static void oci_mounts_masked_readonly(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *data = NULL, *tm = NULL, *bm = NULL, *ro = NULL, *masked = NULL;
	json_t *mounts;
	struct stat st;
	pid_t pid;

	oci_rt_init(t, &rt);
	data = ht_xasprintf("%s/data", rt.c.in);
	HT_SETUP(t, mkdir(data, 0755));
	mounts = json_object_get(rt.cfg, "mounts");
	json_array_append_new(mounts, json_pack("{s:s,s:s,s:s,s:[s,s,s]}", "destination", "/mnt/t",
						"type", "tmpfs", "source", "tmpfs", "options",
						"nosuid", "size=1m", "mode=700"));
	json_array_append_new(mounts,
			      json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination", "/mnt/b", "type",
					"bind", "source", data, "options", "rbind", "ro"));
	json_object_set_new(oci_rt_linux(&rt), "maskedPaths", json_pack("[s]", "/etc/passwd"));
	json_object_set_new(oci_rt_linux(&rt), "readonlyPaths", json_pack("[s]", "/proc/sys"));
	pid = start_paused(t, &rt, &p);
	HT_EXPECT(t, pid > 0);
	if (pid < 0)
		goto out;
	tm = mountinfo_line(pid, "/mnt/t");
	if (!tm)
		ht_fail(t, "no mount on /mnt/t in the container's mountinfo");
	else if (!strstr(tm, " - tmpfs ") || !strstr(tm, "nosuid") || !strstr(tm, "size=1024k") ||
		 !strstr(tm, "mode=700"))
		ht_fail(t, "/mnt/t is not a tmpfs with nosuid,size=1m,mode=700: %s", tm);
	bm = mountinfo_line(pid, "/mnt/b");
	if (!bm)
		ht_fail(t, "no bind mount on /mnt/b");
	else if (!strstr(bm, " ro,") && !strstr(bm, " ro "))
		ht_fail(t, "the bind mount /mnt/b is not read-only: %s", bm);
	ro = mountinfo_line(pid, "/proc/sys");
	if (!ro || (!strstr(ro, " ro,") && !strstr(ro, " ro ")))
		ht_fail(t, "readonlyPaths /proc/sys is not a read-only mount: %s",
			ro ? ro : "none");
	/* A masked file reads as /dev/null: a character device 1:3 over it. */
	masked = ht_xasprintf("/proc/%d/root/etc/passwd", pid);
	if (stat(masked, &st) < 0)
		ht_fail(t, "stat %s: %s", masked, strerror(errno));
	else if (st.st_size != 0 && !S_ISCHR(st.st_mode))
		ht_fail(t, "maskedPaths /etc/passwd still shows the file (%lld bytes)",
			(long long)st.st_size);
out:
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_mounts_masked_readonly, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#mounts spec:config-linux.md#masked-paths");

/* New namespaces differ from the host's; a netns path is joined. */
static void oci_namespaces_new_and_path(struct ht_ctx *t)
{
	static const char *const types[] = { "pid", "mnt", "ipc", "uts", "net" };
	struct oci_rt rt;
	struct ht_proc p = { 0 }, holder = { 0 };
	_cleanup_free_ char *line = NULL, *nspath = NULL, *in = NULL, *out = NULL;
	json_t *ns;
	pid_t pid, hp;
	size_t i;

	oci_rt_init(t, &rt);
	pid = start_paused(t, &rt, &p);
	for (i = 0; pid > 0 && i < sizeof(types) / sizeof(*types); i++)
		if (ht_ns_inode(pid, types[i]) == ht_ns_inode(0, types[i]))
			ht_fail(t, "the container shares the host's %s namespace", types[i]);
	stop_paused(t, &rt, &p);
	in = ht_xasprintf("%s/in", ht_scratch_dir(t));
	out = ht_xasprintf("%s/out", ht_scratch_dir(t));
	ht_cmd_run(t, &p, HT_ARGS("rm", "-rf", in, out), NULL);
	ht_proc_free(&p);

	/* A network namespace held by a process of ours, joined through its path. */
	HT_SETUP(t, ht_proc_start(&holder,
				  HT_ARGS("unshare", "--net", "--", "sh", "-c",
					  "echo up; exec sleep 1000"),
				  NULL));
	if (ht_proc_read_line(&holder, ht_timeout_ms(t, 10000), &line) < 0)
		ht_broken(t, "unshare --net did not start");
	hp = holder.pid;
	oci_rt_init(t, &rt);
	nspath = ht_xasprintf("/proc/%d/ns/net", hp);
	json_array_foreach(json_object_get(oci_rt_linux(&rt), "namespaces"), i, ns)
		if (strcmp(json_string_value(json_object_get(ns, "type")), "network") == 0)
			json_object_set_new(ns, "path", json_string(nspath));
	pid = start_paused(t, &rt, &p);
	if (pid > 0)
		HT_EXPECT_EQ(t, ht_ns_inode(pid, "net"), ht_ns_inode(hp, "net"));
	stop_paused(t, &rt, &p);
	ht_proc_free(&holder);
}
HT_TEST(oci_namespaces_new_and_path, OCI_RT_AREA, .timeout_s = 40, .needs = RT_NEEDS,
	.tags = "spec:config-linux.md#namespaces");

/* A hook that saves the state it reads on stdin into in/NAME. */
static json_t *hook(struct oci_rt *rt, const char *name)
{
	_cleanup_free_ char *cmd = ht_xasprintf("cat > %s/%s", rt->c.in, name);

	return json_pack("[{s:s,s:[s,s,s]}]", "path", "/bin/sh", "args", "sh", "-c", cmd);
}

static void check_hook_state(struct ht_ctx *t, struct oci_rt *rt, const char *name, pid_t pid)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", rt->c.in, name);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (!j) {
		ht_fail(t, "the %s hook did not run or got no state on stdin (%s)", name, e.text);
		return;
	}
	HT_EXPECT_STREQ(t, json_string_value(json_object_get(j, "id")), rt->id);
	if (pid > 0)
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(j, "pid")), pid);
	json_decref(j);
}

/* prestart, createRuntime and poststop hooks run with the state on stdin. */
static void oci_hooks_get_state(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *post = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	json_object_set_new(rt.cfg, "hooks",
			    json_pack("{s:o,s:o,s:o}", "prestart", hook(&rt, "prestart"),
				      "createRuntime", hook(&rt, "createRuntime"), "poststop",
				      hook(&rt, "poststop")));
	pid = start_paused(t, &rt, &p);
	if (pid > 0) {
		check_hook_state(t, &rt, "prestart", pid);
		check_hook_state(t, &rt, "createRuntime", pid);
	}
	post = ht_xasprintf("%s/poststop", rt.c.in);
	if (access(post, F_OK) == 0)
		ht_fail(t, "the poststop hook ran while the container was running");
	oci_rt_verb(t, &rt, "kill", "KILL", NULL);
	ht_proc_wait(&p, ht_timeout_ms(t, 10000));
	/* runc run deletes the container itself once the process is gone. */
	oci_rt_verb(t, &rt, "delete", NULL, NULL);
	check_hook_state(t, &rt, "poststop", -1);
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_hooks_get_state, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#posix-platform-hooks");

/* linux.sysctl applies in the container's network namespace, not the host's. */
static void oci_sysctl_in_netns(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *before = NULL, *after = NULL;

	oci_rt_init(t, &rt);
	ht_read_file(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", &before);
	json_object_set_new(oci_rt_linux(&rt), "sysctl",
			    json_pack("{s:s}", "net.ipv4.ip_forward", "1"));
	oci_rt_sh(t, &rt, "cat /proc/sys/net/ipv4/ip_forward");
	oci_rt_run(t, &rt, &p);
	HT_EXPECT_EXIT(t, &p, 0);
	HT_EXPECT_STREQ(t, p.out, "1\n");
	ht_read_file(AT_FDCWD, "/proc/sys/net/ipv4/ip_forward", &after);
	HT_EXPECT_STREQ(t, after, before);
	ht_proc_free(&p);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_sysctl_in_netns, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config-linux.md#sysctl");

/* The container sees only fds 0-2 even when the runtime's caller leaks a directory fd. */
static void oci_fd_hygiene(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc_opts o = { .keep_fds = true };
	struct ht_proc p = { 0 };
	json_t *j, *fd;
	size_t i;
	int leaked;

	oci_rt_init(t, &rt);
	oci_rt_probe_args(t, &rt, HT_ARGS("fds"));
	oci_rt_write(t, &rt);
	/* No O_CLOEXEC on purpose: this is the leak (CVE-2024-21626). */
	leaked = HT_SETUP(t, open(ht_scratch_dir(t), O_RDONLY | O_DIRECTORY));
	ht_runtime_run(t, &p, HT_ARGS("--root", rt.state, "run", "--bundle", rt.c.bundle, rt.id),
		       &o);
	close(leaked);
	j = ht_probe_json(t, &p);
	if (j) {
		json_array_foreach(json_object_get(j, "fds"), i, fd) {
			json_int_t n = json_integer_value(json_object_get(fd, "fd"));

			if (n > 2)
				ht_fail(t, "the container holds fd %lld -> %s", (long long)n,
					json_string_value(json_object_get(fd, "target")));
		}
		HT_EXPECT_EQ(t, json_array_size(json_object_get(j, "fds")), 3);
	}
	json_decref(j);
	ht_proc_free(&p);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_fd_hygiene, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "cve:CVE-2024-21626");

/*
 * linux.resources.memory.limit lands in memory.max of the container's
 * cgroup v2. Needs a cgroup2 memory controller: on a hybrid host it
 * skips here and runs in a fresh VM.
 */
static void oci_cgroup_memory_limit(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *path = NULL, *max = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	json_object_set_new(oci_rt_linux(&rt), "resources",
			    json_pack("{s:{s:I}}", "memory", "limit", (json_int_t)64 << 20));
	pid = start_paused(t, &rt, &p);
	if (pid > 0) {
		path = ht_xasprintf("/sys/fs/cgroup%s/memory.max", rt.cgroup);
		if (ht_read_file(AT_FDCWD, path, &max) < 0)
			ht_fail(t, "read %s: %s (cgroupsPath %s)", path, strerror(errno),
				rt.cgroup);
		else
			HT_EXPECT_STREQ(t, max, "67108864\n");
	}
	stop_paused(t, &rt, &p);
}
HT_TEST(oci_cgroup_memory_limit, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("cgroup2.memory", "ns.pid", "ns.mnt"),
	.tags = "spec:config-linux.md#memory");
