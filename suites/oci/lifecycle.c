// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The OCI lifecycle (lesson 9), runtime-spec runtime.md "Lifecycle" and
 * "Operations": create runs nothing of the user's, start runs it once,
 * state tells the truth about it, kill and delete act only on the states
 * the spec allows, and run relays how the process ended. Every claim is
 * checked from the host (/proc, pidfds, files the container writes, the
 * cgroup tree), never from the runtime's word alone.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ht-host.h"
#include "ht-util.h"
#include "rt.h"

/* The user's process: proves it ran (a file), says so on /ready, then waits. */
#define SCRIPT_STARTED "echo started > /started; echo \"$0\" > /ready; exec sleep 1000"

static bool path_exists(const char *dir, const char *name)
{
	_cleanup_free_ char *p = ht_xasprintf("%s/%s", dir, name);

	return access(p, F_OK) == 0;
}

static const char *status_of(json_t *st)
{
	const char *s = json_string_value(json_object_get(st, "status"));

	return s ? s : "(none)";
}

/* The state's status, "(failed)" when state itself failed. */
static char *status_now(struct ht_ctx *t, struct oci_rt *rt)
{
	json_t *st = oci_rt_state(t, rt, NULL);
	char *s = ht_xstrdup(st ? status_of(st) : "(failed)");

	json_decref(st);
	return s;
}

static bool pid_alive(pid_t pid)
{
	return pid > 0 && kill(pid, 0) == 0;
}

/*
 * Nothing of the user's runs before start: after create, the command's
 * side effect is absent and no process with the nonce exists; after start,
 * both appear.
 */
static void oci_nothing_runs_before_start(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ pid_t *pids = NULL;
	_cleanup_free_ char *line = NULL;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	if (path_exists(rt.c.rootfs, "started"))
		ht_fail(t, "the command ran at create (rootfs/started exists); runtime.md "
			   "\"Lifecycle\" step 4: the user-specified program MUST NOT be run yet");
	if (ht_pids_with_arg(ht_nonce(t), &pids) > 0)
		ht_fail(t,
			"a process with the nonce in its argv (pid %d) exists after create: the "
			"user's program was executed before start",
			pids[0]);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	if (!line)
		ht_fail(t, "the command did not run within 10 s of start");
	else
		HT_EXPECT_STREQ(t, line, ht_nonce(t));
	HT_EXPECT(t, path_exists(rt.c.rootfs, "started"));
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_nothing_runs_before_start, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#lifecycle");

/* A check of a state object against runtime-spec schema/state-schema.json. */
static void check_state_schema(struct ht_ctx *t, json_t *st, struct oci_rt *rt)
{
	static const char *const statuses[] = { "creating", "created", "running", "stopped" };
	char real[PATH_MAX];
	const char *s;
	bool known = false;

	HT_EXPECT(t, json_is_object(st));
	HT_EXPECT(t, json_is_string(json_object_get(st, "ociVersion")));
	s = json_string_value(json_object_get(st, "id"));
	if (!s || strcmp(s, rt->id) != 0)
		ht_fail(t, "state: id is \"%s\", want \"%s\"", s ? s : "(missing)", rt->id);
	s = json_string_value(json_object_get(st, "status"));
	for (size_t i = 0; s && i < sizeof(statuses) / sizeof(*statuses); i++)
		known |= strcmp(s, statuses[i]) == 0;
	if (!known)
		ht_fail(t, "state: status \"%s\" is not one of creating, created, running, stopped",
			s ? s : "(missing)");
	s = json_string_value(json_object_get(st, "bundle"));
	if (!s || s[0] != '/')
		ht_fail(t, "state: bundle \"%s\" is not an absolute path (runtime.md \"State\")",
			s ? s : "(missing)");
	else if (!realpath(rt->c.bundle, real) || strcmp(s, real) != 0)
		ht_fail(t, "state: bundle \"%s\", want \"%s\"", s, rt->c.bundle);
	if (!json_is_integer(json_object_get(st, "pid")))
		ht_fail(t, "state: pid is missing or not an integer (REQUIRED when created or "
			   "running)");
	if (json_object_get(st, "annotations") &&
	    !json_is_object(json_object_get(st, "annotations")))
		ht_fail(t, "state: annotations is not an object");
}

/*
 * state matches the schema; its pid is the pid file's and a live process
 * of /proc; the status moves created -> running -> stopped.
 */
static void oci_state_follows_the_process(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *line = NULL, *after = NULL;
	json_t *st;
	pid_t pid;
	int code;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	st = oci_rt_state(t, &rt, &code);
	if (!st) {
		ht_fail(t, "state after create: exit %d", code);
		goto out;
	}
	check_state_schema(t, st, &rt);
	HT_EXPECT_STREQ(t, status_of(st), "created");
	pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
	HT_EXPECT_EQ(t, pid, oci_rt_pidfile(&rt));
	if (!pid_alive(pid))
		ht_fail(t, "state's pid %d is not a live process in /proc", pid);
	json_decref(st);

	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	HT_EXPECT(t, line != NULL);
	st = oci_rt_state(t, &rt, NULL);
	if (st) {
		check_state_schema(t, st, &rt);
		HT_EXPECT_STREQ(t, status_of(st), "running");
		HT_EXPECT_EQ(t, json_integer_value(json_object_get(st, "pid")), pid);
		json_decref(st);
	}
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "kill", "KILL", NULL), 0);
	if (!oci_rt_wait_gone(t, pid, 10000))
		ht_fail(t, "pid %d still alive 10 s after kill KILL", pid);
	after = status_now(t, &rt);
	HT_EXPECT_STREQ(t, after, "stopped");
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_state_follows_the_process, OCI_RT_AREA, .timeout_s = 40,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#state");

/* create with this id fails and leaves the state dir and in/ as they were. */
static void expect_id_refused(struct ht_ctx *t, struct oci_rt *rt, const char *id,
			      const char *label)
{
	_cleanup_free_ char *before = oci_tree(t, rt->c.in), *after = NULL;
	_cleanup_free_ char *cg_before = oci_rt_cgroup_dirs(rt), *cg_after = NULL;
	struct ht_proc p = { 0 };

	oci_rt_cmd(t, rt, &p,
		   HT_ARGS("create", "--bundle", rt->c.bundle, "--pid-file", rt->pidfile, id));
	if (p.exit_code == 0)
		ht_fail(t,
			"create with %s id was accepted (runtime.md \"Operations\": the id "
			"MUST be unique, and a failed create MUST leave no container)",
			label);
	after = oci_tree(t, rt->c.in);
	if (strcmp(before, after) != 0)
		ht_fail(t, "create with %s id left files behind; before:\n%.600s\nafter:\n%.600s",
			label, before, after);
	cg_after = oci_rt_cgroup_dirs(rt);
	if (strcmp(cg_before, cg_after) != 0)
		ht_fail(t, "create with %s id changed the cgroups: before \"%s\", after \"%s\"",
			label, cg_before, cg_after);
	ht_proc_free(&p);
}

/* A duplicate, empty, "../x" or "a/b" id is refused and leaves nothing behind. */
static void oci_bad_ids_refused(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *st = NULL;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	oci_rt_write(t, &rt);
	/* The state dir exists (with the first container) for the snapshots. */
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	expect_id_refused(t, &rt, rt.id, "a duplicate");
	st = status_now(t, &rt);
	HT_EXPECT_STREQ(t, st, "created");
	expect_id_refused(t, &rt, "", "an empty");
	expect_id_refused(t, &rt, "../x", "a \"../x\"");
	expect_id_refused(t, &rt, "a/b", "an \"a/b\"");
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_bad_ids_refused, OCI_RT_AREA, .timeout_s = 40, .needs = HT_NEEDS("ns.pid", "ns.mnt"),
	.tags = "spec:runtime.md#operations");

/* start on a running container fails, and the container keeps running. */
static void oci_start_twice_fails(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *line = NULL, *st = NULL;
	struct ht_proc p = { 0 };

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	HT_EXPECT(t, line != NULL);
	oci_rt_verb(t, &rt, "start", NULL, &p);
	oci_rt_expect_code(t, &p, 1,
			   "start of a running container (runtime.md \"start\": MUST "
			   "generate an error if not created)");
	HT_EXPECT(t, pid_alive(oci_rt_pidfile(&rt)));
	st = status_now(t, &rt);
	HT_EXPECT_STREQ(t, st, "running");
	ht_proc_free(&p);
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_start_twice_fails, OCI_RT_AREA, .timeout_s = 30, .needs = HT_NEEDS("ns.pid", "ns.mnt"),
	.tags = "spec:runtime.md#start");

/* kill on an unknown id, and on a stopped container, fails. */
static void oci_kill_needs_a_live_container(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *line = NULL, *unknown = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	unknown = ht_xasprintf("%s-unknown", rt.id);
	oci_rt_cmd(t, &rt, &p, HT_ARGS("kill", unknown, "TERM"));
	oci_rt_expect_code(t, &p, 1, "kill of an unknown id (runtime.md \"kill\")");
	ht_proc_free(&p);

	oci_rt_sh(t, &rt, "echo \"$0\" > /ready; exit 0");
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	pid = oci_rt_pidfile(&rt);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	if (!oci_rt_wait_gone(t, pid, 10000))
		ht_broken(t, "the container's process %d did not exit", pid);
	oci_rt_verb(t, &rt, "kill", "TERM", &p);
	oci_rt_expect_code(t, &p, 1,
			   "kill of a stopped container (runtime.md \"kill\": MUST "
			   "generate an error if neither created nor running)");
	ht_proc_free(&p);
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_kill_needs_a_live_container, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#kill");

/* kill TERM reaches a process that traps it. */
static void oci_kill_term_reaches_trap(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *line = NULL, *got = NULL, *path = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	/* `wait` returns when a trapped signal arrives, so the trap runs at once. */
	oci_rt_sh(t, &rt,
		  "trap 'echo term > /got-term; exit 0' TERM; echo \"$0\" > /ready; "
		  "sleep 1000 & wait");
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	pid = oci_rt_pidfile(&rt);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	HT_ASSERT(t, line != NULL);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "kill", "TERM", NULL), 0);
	if (!oci_rt_wait_gone(t, pid, 10000))
		ht_fail(t, "the trapping process %d did not exit within 10 s of kill TERM", pid);
	path = ht_xasprintf("%s/got-term", rt.c.rootfs);
	if (ht_read_file(AT_FDCWD, path, &got) < 0)
		ht_fail(t, "the TERM trap did not run (no /got-term): the signal did not reach "
			   "the container's process");
	else
		HT_EXPECT_STREQ(t, got, "term\n");
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_kill_term_reaches_trap, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#kill");

/* kill KILL works on a created container: its process dies, the state says stopped. */
static void oci_kill_created(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *st = NULL;
	pid_t pid;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	pid = oci_rt_pidfile(&rt);
	HT_ASSERT(t, pid_alive(pid));
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "kill", "KILL", NULL), 0);
	if (!oci_rt_wait_gone(t, pid, 10000))
		ht_fail(t, "created container's pid %d alive 10 s after kill KILL", pid);
	st = status_now(t, &rt);
	HT_EXPECT_STREQ(t, st, "stopped");
	HT_EXPECT(t, !path_exists(rt.c.rootfs, "started"));
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_kill_created, OCI_RT_AREA, .timeout_s = 30, .needs = HT_NEEDS("ns.pid", "ns.mnt"),
	.tags = "spec:runtime.md#kill");

/* delete of a running container fails, and it keeps running. */
static void oci_delete_running_fails(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *line = NULL, *st = NULL;
	struct ht_proc p = { 0 };

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	HT_ASSERT(t, line != NULL);
	oci_rt_verb(t, &rt, "delete", NULL, &p);
	oci_rt_expect_code(t, &p, 1,
			   "delete of a running container (runtime.md \"delete\": "
			   "MUST generate an error if not stopped)");
	if (!pid_alive(oci_rt_pidfile(&rt)))
		ht_fail(t, "delete of a running container killed its process");
	st = status_now(t, &rt);
	HT_EXPECT_STREQ(t, st, "running");
	ht_proc_free(&p);
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_delete_running_fails, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#delete");

/*
 * delete of a created container: the spec allows it only once stopped;
 * runc and crun delete it (killing the process). Either way it must not
 * leave the process alive.
 */
static void oci_delete_created(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	pid_t pid;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	pid = oci_rt_pidfile(&rt);
	oci_rt_verb(t, &rt, "delete", NULL, &p);
	if (p.exit_code == 0) {
		oci_rt_deviation(t, "delete of a created container succeeded: runc and crun "
				    "allow it; runtime.md \"delete\" says it MUST generate an "
				    "error when the container is not stopped");
		if (!oci_rt_wait_gone(t, pid, 10000))
			ht_fail(t, "delete succeeded but the created process %d is alive", pid);
	} else {
		HT_EXPECT(t, pid_alive(pid));
	}
	ht_proc_free(&p);
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_delete_created, OCI_RT_AREA, .timeout_s = 30, .needs = HT_NEEDS("ns.pid", "ns.mnt"),
	.tags = "spec:runtime.md#delete");

/* Lines of a that mention s. */
static char *lines_with(const char *a, const char *s)
{
	char *out = ht_xstrdup("");

	for (const char *l = a; *l;) {
		size_t n = strcspn(l, "\n");
		char *next;

		if (memmem(l, n, s, strlen(s))) {
			next = ht_xasprintf("%s%.*s\n", out, (int)n, l);
			free(out);
			out = next;
		}
		l += n + (l[n] == '\n');
	}
	return out;
}

/*
 * delete frees what the container held - its cgroup, its state, the mounts
 * made for it - and only that: a sibling container in the same --root
 * survives with its cgroup.
 */
static void oci_delete_frees_only_its_own(struct ht_ctx *t)
{
	struct oci_rt rt, sib;
	_cleanup_free_ char *m0 = NULL, *m1 = NULL, *mb = NULL, *ma = NULL, *cg = NULL,
			    *cg_after = NULL, *sib_cg = NULL, *sib_after = NULL, *st = NULL,
			    *line = NULL, *sib_id = NULL;
	struct ht_proc p = { 0 };
	pid_t pid;

	oci_rt_init(t, &rt);
	/* The sibling shares the bundle and the --root, with its own id and cgroup. */
	sib = rt;
	sib.cfg = json_deep_copy(rt.cfg);
	sib.id = sib_id = ht_xasprintf("%s-sib", rt.id);
	sib.cgroup = ht_xasprintf("%s-sib", rt.cgroup);
	json_object_set_new(oci_rt_linux(&sib), "cgroupsPath", json_string(sib.cgroup));
	oci_rt_sh(t, &sib, "exec sleep 1000");
	oci_rt_sh(t, &rt, SCRIPT_STARTED);
	m0 = ht_mount_points(0);
	mb = lines_with(m0, ht_scratch_dir(t));
	oci_rt_write(t, &sib);
	oci_rt_cmd(t, &sib, &p,
		   HT_ARGS("create", "--bundle", rt.c.bundle, "--pid-file", rt.pidfile, sib.id));
	if (p.exit_code != 0)
		ht_broken(t, "create the sibling: %s", p.err);
	ht_proc_free(&p);
	sib_cg = oci_rt_cgroup_dirs(&sib);
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	pid = oci_rt_pidfile(&rt);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	cg = oci_rt_cgroup_dirs(&rt);
	if (!*cg)
		ht_warn(t,
			"no directory for cgroupsPath %s under /sys/fs/cgroup while running: "
			"the runtime made no cgroup, so delete cannot be checked for it",
			rt.cgroup);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "kill", "KILL", NULL), 0);
	if (!oci_rt_wait_gone(t, pid, 10000))
		ht_broken(t, "pid %d alive after kill KILL", pid);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "delete", NULL, NULL), 0);
	cg_after = oci_rt_cgroup_dirs(&rt);
	if (*cg_after)
		ht_fail(t, "delete left the container's cgroups: %s", cg_after);
	if (oci_rt_state(t, &rt, NULL))
		ht_fail(t, "state still answers for %s after delete", rt.id);
	m1 = ht_mount_points(0);
	ma = lines_with(m1, ht_scratch_dir(t));
	HT_EXPECT_STREQ(t, ma, mb);
	/* ...and only those. */
	st = status_now(t, &sib);
	HT_EXPECT_STREQ(t, st, "created");
	sib_after = oci_rt_cgroup_dirs(&sib);
	HT_EXPECT_STREQ(t, sib_after, sib_cg);
out:
	oci_rt_cmd(t, &sib, &p, HT_ARGS("delete", "--force", sib.id));
	ht_proc_free(&p);
	json_decref(sib.cfg);
	free(sib.cgroup);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_delete_frees_only_its_own, OCI_RT_AREA, .timeout_s = 40,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#delete");

/* Editing config.json after create changes nothing: start runs what create read. */
static void oci_config_edit_after_create_ignored(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *line = NULL, *path = NULL;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, "echo original > /ready; exec sleep 1000");
	if (oci_rt_create(t, &rt) != 0)
		goto out;
	oci_rt_sh(t, &rt, "echo edited > /ready; exec sleep 1000");
	path = ht_xasprintf("%s/config.json", rt.c.bundle);
	if (json_dump_file(rt.cfg, path, JSON_INDENT(1)) < 0)
		ht_broken(t, "rewrite %s", path);
	HT_EXPECT_EQ(t, oci_rt_verb(t, &rt, "start", NULL, NULL), 0);
	line = oci_rt_wait_ready(t, &rt, 10000);
	if (!line)
		ht_fail(t, "nothing ran after start");
	else if (strcmp(line, "original") != 0)
		ht_fail(t,
			"start ran \"%s\": the config edited after create was read again "
			"(runtime.md \"Lifecycle\": create reads the configuration, and later "
			"changes do not affect the container)",
			line);
	else
		HT_EXPECT(t, true);
out:
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_config_edit_after_create_ignored, OCI_RT_AREA, .timeout_s = 30,
	.needs = HT_NEEDS("ns.pid", "ns.mnt"), .tags = "spec:runtime.md#lifecycle");

/*
 * What run exits with is the container's own status, so here the exact
 * code is the behaviour (not a SHOULD as for a refused operation): the
 * process's code, or 128+N after signal N, as runc and crun relay it.
 */
static void expect_relayed(struct ht_ctx *t, const struct ht_proc *p, int want, const char *what)
{
	if (p->exit_code != want)
		ht_fail(t,
			"%s: run exited %d, want %d (the process's status relayed); "
			"stderr: \"%.300s\"",
			what, p->exit_code, want, p->err);
	else
		HT_EXPECT(t, true);
}

/* run relays the exit status: 0, 42, and 128+9 when the host SIGKILLs the process. */
static void oci_run_relays_exit(struct ht_ctx *t)
{
	static const char *const codes[] = { "0", "42" };
	struct ht_proc p = { 0 };
	json_t *ready;

	for (size_t i = 0; i < 2; i++) {
		struct oci_rt rt;
		_cleanup_free_ char *what = ht_xasprintf("run of `exit %s`", codes[i]);
		_cleanup_free_ char *in = ht_xasprintf("%s/in", ht_scratch_dir(t));
		_cleanup_free_ char *out = ht_xasprintf("%s/out", ht_scratch_dir(t));

		oci_rt_init(t, &rt);
		oci_rt_probe_args(t, &rt, HT_ARGS("exit", codes[i]));
		oci_rt_run(t, &rt, &p);
		expect_relayed(t, &p, atoi(codes[i]), what);
		ht_proc_free(&p);
		oci_rt_destroy(t, &rt);
		/* The next case gets a fresh scratch layout. */
		ht_cmd_run(t, &p, HT_ARGS("rm", "-rf", in, out), NULL);
		ht_proc_free(&p);
	}
	{
		struct oci_rt rt;
		pid_t pid;

		oci_rt_init(t, &rt);
		ready = oci_rt_run_bg(t, &rt, &p, true);
		if (ready) {
			pid = oci_rt_pidfile(&rt) > 0 ? oci_rt_pidfile(&rt) : -1;
			{
				json_t *st = oci_rt_state(t, &rt, NULL);

				if (st)
					pid = (pid_t)json_integer_value(json_object_get(st, "pid"));
				json_decref(st);
			}
			if (pid <= 0 || kill(pid, SIGKILL) < 0)
				ht_broken(t, "SIGKILL the container's process %d: %s", pid,
					  strerror(errno));
			if (ht_proc_wait(&p, ht_timeout_ms(t, 10000)) < 0)
				ht_broken(t, "wait for run");
			expect_relayed(t, &p, 128 + SIGKILL,
				       "run of a process SIGKILLed from the host");
		}
		json_decref(ready);
		ht_proc_free(&p);
		oci_rt_destroy(t, &rt);
	}
}
HT_TEST(oci_run_relays_exit, OCI_RT_AREA, .timeout_s = 40, .needs = HT_NEEDS("ns.pid", "ns.mnt"),
	.tags = "spec:runtime.md#lifecycle");
