// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The test runner.
 *
 * Each test runs in a forked child that leads its own process group and, when
 * the cgroup2 hierarchy is writable, sits in a per-slot cgroup of this run, so
 * that "kill the whole tree" is one write to cgroup.kill (cgroup-v2.rst,
 * "cgroup.kill") and catches even processes that called setsid(2). Without
 * cgroup2 the runner falls back to killing the process group and, as a child
 * subreaper (PR_SET_CHILD_SUBREAPER, prctl(2)), adopts orphans so it can kill
 * them at the end of the run.
 *
 * The main loop poll(2)s on every running test's exit handle (a pidfd, see
 * ht-wait.h), its result pipe and a signalfd for
 * SIGINT/SIGTERM/SIGHUP; the poll timeout is the nearest deadline.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>

#include "config.h"
#include "ht-cgroup.h"
#include "ht-ctx.h"
#include "ht-probe.h"
#include "ht-runner.h"
#include "ht-util.h"
#include "ht-wait.h"

/* Bound on waiting for a killed tree to leave its cgroup. */
#define DRAIN_TIMEOUT_MS 5000
/* How long a test's exiting descendants may take to leave its cgroup. */
#define LEFTOVER_GRACE_NS (1000ull * 1000000u)
/* The tail of a test's stdout/stderr kept in the report. */
#define OUTPUT_KEEP (16 * 1024)

struct slot {
	int index;
	bool busy;
	const struct ht_test *test;
	struct ht_result *result;
	pid_t pid;
	struct ht_wait w;
	int res_fd; /* read end of the result pipe */
	int out_fd; /* memfd holding the test's stdout/stderr */
	uint64_t start_ns, deadline_ns;
	bool timed_out;
	int interrupted_by; /* signal that stopped the run while this test ran */
	/* Partial record bytes carried between reads. */
	char buf[PIPE_BUF * 2];
	size_t buf_len;
	/* cgroup mode */
	char *cg_path;
	int cg_fd; /* the slot's cgroup directory */
	int cg_procs_fd;
};

struct runner {
	struct ht_run *run;
	const struct ht_run_opts *opts;
	struct ht_journal *journal;
	int journal_fd;
	char *run_dir;
	char *cg_run; /* <cgroup2>/isolab-<run-id>, NULL in process-group mode */
	struct slot *slots;
	unsigned n_slots;
	size_t *deferred; /* result slots handed to opts->elsewhere */
	size_t n_deferred;
	int sig_fd;
	sigset_t old_mask;
	size_t reported;
};

static void each_reporter_result(struct runner *R, const struct ht_result *r)
{
	for (size_t i = 0; i < R->opts->n_reporters; i++) {
		struct ht_reporter *rep = &R->opts->reporters[i];

		rep->ops->result(rep, R->run, r, R->reported);
	}
	R->reported++;
}

/* ---- tree-kill back ends ---- */

/*
 * SIGKILL everything in the slot's cgroup and wait until it is empty. The
 * wait, not the kill, says whether that worked: a kill that failed part way
 * may still have emptied the group.
 */
static int slot_cgroup_drain(struct slot *s)
{
	uint64_t deadline = ht_now_ns() + (uint64_t)DRAIN_TIMEOUT_MS * 1000000u;

	(void)ht_cgroup_kill(s->cg_fd, deadline, NULL);
	return ht_cgroup_wait_unpopulated(s->cg_fd, deadline, NULL);
}

/* Reap the zombies of orphans this process adopted as a subreaper. */
static void reap_adopted(struct runner *R)
{
	for (;;) {
		siginfo_t si = { 0 };
		bool ours = false;

		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0 || si.si_pid == 0)
			return;
		for (unsigned i = 0; i < R->n_slots; i++)
			if (R->slots[i].busy && R->slots[i].pid == si.si_pid)
				ours = true;
		/* A test's main child is reaped through its exit handle, not here. */
		if (ours)
			return;
		waitpid(si.si_pid, NULL, 0);
	}
}

/*
 * In process-group mode a test's descendant that called setsid(2) escapes
 * kill(-pgid); as subreaper we adopted it, so at the end of the run every
 * remaining child is such an orphan (proc(5), /proc/PID/task/TID/children).
 */
static void kill_adopted(void)
{
	_cleanup_free_ char *path = ht_xasprintf("/proc/self/task/%d/children", (int)getpid());
	_cleanup_free_ char *children = NULL;

	if (ht_read_file(AT_FDCWD, path, &children) < 0)
		return;
	for (char *save = NULL, *tok = strtok_r(children, " \n", &save); tok;
	     tok = strtok_r(NULL, " \n", &save)) {
		pid_t pid = (pid_t)atoi(tok);

		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

static int setup_cgroups(struct runner *R)
{
	_cleanup_free_ char *root = NULL;
	_cleanup_free_ char *cg_run = NULL;
	int r;

	r = ht_cgroup2_mount(&root);
	if (r < 0)
		return r;
	cg_run = ht_xasprintf("%s/isolab-%s", root, R->run->run_id);
	r = ht_journal_append(R->journal_fd, "cgroup", cg_run, NULL, NULL);
	if (r < 0)
		return r;
	if (mkdir(cg_run, 0755) < 0)
		return -errno;
	R->cg_run = TAKE_PTR(cg_run);
	for (unsigned i = 0; i < R->n_slots; i++) {
		struct slot *s = &R->slots[i];
		_cleanup_free_ char *procs = NULL;

		s->cg_path = ht_xasprintf("%s/slot%u", R->cg_run, i);
		r = ht_journal_append(R->journal_fd, "cgroup", s->cg_path, NULL, NULL);
		if (r < 0)
			return r;
		if (mkdir(s->cg_path, 0755) < 0)
			return -errno;
		s->cg_fd = open(s->cg_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (s->cg_fd < 0)
			return -errno;
		procs = ht_xasprintf("%s/cgroup.procs", s->cg_path);
		s->cg_procs_fd = open(procs, O_WRONLY | O_CLOEXEC);
		if (s->cg_procs_fd < 0)
			return -errno;
	}
	return 0;
}

static void teardown_cgroups(struct runner *R)
{
	for (unsigned i = 0; i < R->n_slots; i++) {
		struct slot *s = &R->slots[i];

		ht_closep(&s->cg_procs_fd);
		s->cg_procs_fd = -1;
		if (s->cg_fd >= 0 && ht_cgroup_populated(s->cg_fd) > 0)
			slot_cgroup_drain(s);
		ht_closep(&s->cg_fd);
		s->cg_fd = -1;
		if (s->cg_path) {
			rmdir(s->cg_path);
			free(s->cg_path);
			s->cg_path = NULL;
		}
	}
	if (R->cg_run) {
		rmdir(R->cg_run);
		free(R->cg_run);
		R->cg_run = NULL;
	}
}

/* ---- the child ---- */

static __attribute__((noreturn)) void child_main(struct runner *R, struct slot *s, int res_w,
						 int go_r)
{
	struct ht_ctx ctx = {
		.test = s->test,
		.result_fd = res_w,
		.journal_fd = R->journal_fd,
		.run_id = R->run->run_id,
		.run_dir = R->run_dir,
		.deadline_ns = s->deadline_ns,
		.timeout_multiplier = R->opts->timeout_multiplier,
	};
	int devnull;
	sigset_t none;
	char go;

	/* A test starts like any process: no signal blocked (the runner blocks several). */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setpgid(0, 0);
	if (s->cg_procs_fd >= 0 && write(s->cg_procs_fd, "0", 1) != 1)
		ht_broken(&ctx, "join slot cgroup %s: %s", s->cg_path, strerror(errno));
	/*
	 * Wait until the runner has journaled our process group: if the runner
	 * dies first, the read sees EOF and nothing unjournaled runs.
	 */
	if (read(go_r, &go, 1) != 1)
		_exit(0);
	close(go_r);
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	dup2(s->out_fd, STDOUT_FILENO);
	dup2(s->out_fd, STDERR_FILENO);
	/*
	 * Only the result pipe and the journal go to the test: not the
	 * runner's signalfd, other slots' pipes and cgroup fds, or this
	 * slot's memfd (now stdout/stderr).
	 */
	{
		int keep[] = { res_w, R->journal_fd };

		ht_close_fds_except(keep, HT_ARRAY_SIZE(keep));
	}
	s->test->fn(&ctx);
	fflush(NULL);
	_exit(0);
}

static int slot_start(struct runner *R, struct slot *s, const struct ht_test *test,
		      struct ht_result *result)
{
	int res[2] = { -1, -1 }, go[2] = { -1, -1 };
	char starttime[32], pidbuf[16];
	unsigned long long st;
	pid_t pid;
	int r;

	s->test = test;
	s->result = result;
	s->buf_len = 0;
	s->timed_out = false;
	s->interrupted_by = 0;
	s->out_fd = memfd_create("isolab-test-output", MFD_CLOEXEC);
	if (s->out_fd < 0)
		return -errno;
	if (pipe2(res, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		goto fail;
	}
	if (pid == 0) {
		close(res[0]);
		close(go[1]);
		child_main(R, s, res[1], go[0]);
	}
	close(res[1]);
	close(go[0]);
	s->res_fd = res[0];
	fcntl(s->res_fd, F_SETFL, O_NONBLOCK);
	s->pid = pid;
	s->busy = true;
	s->start_ns = ht_now_ns();
	s->deadline_ns = s->start_ns +
			 (uint64_t)((double)test->timeout_s * R->opts->timeout_multiplier * 1e9);
	/* Both sides call setpgid(2) so neither order of execution races. */
	setpgid(pid, pid);
	r = ht_wait_open(&s->w, pid);
	if (r < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(go[1]);
		s->busy = false;
		ht_closep(&s->res_fd);
		ht_closep(&s->out_fd);
		s->res_fd = s->out_fd = -1;
		return r;
	}
	snprintf(pidbuf, sizeof(pidbuf), "%d", (int)pid);
	r = ht_proc_starttime(pid, &st);
	if (r == 0) {
		snprintf(starttime, sizeof(starttime), "%llu", st);
		r = ht_journal_append(R->journal_fd, "pgrp", pidbuf, starttime, NULL);
	}
	/*
	 * Only now may the child run the test. If its process group could not
	 * be journaled, or the write fails, the child sees EOF and exits
	 * without running anything, and the result says why.
	 */
	if (r < 0) {
		_cleanup_free_ char *why = ht_xasprintf(
			"runner could not journal the test's process group: %s", strerror(-r));

		ht_result_add_msg(result, HT_BROKEN, why);
	} else {
		(void)!write(go[1], "g", 1);
	}
	close(go[1]);
	for (size_t i = 0; i < R->opts->n_reporters; i++) {
		struct ht_reporter *rep = &R->opts->reporters[i];

		if (rep->ops->started)
			rep->ops->started(rep, R->run, test);
	}
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		ht_closep(&res[i]);
		ht_closep(&go[i]);
	}
	ht_closep(&s->out_fd);
	s->out_fd = -1;
	return r;
}

static void take_record(struct slot *s, const struct ht_rec_hdr *h, const char *text)
{
	struct ht_result *r = s->result;

	if (h->kind == HT_REC_SKIP) {
		size_t idlen = strnlen(text, h->len);

		free(r->skip_probe);
		r->skip_probe = ht_xasprintf("%.*s", (int)idlen, text);
		r->skip_errno = h->err;
		free(r->reason);
		r->reason = idlen < h->len ? ht_xasprintf("%.*s", (int)(h->len - idlen - 1),
							  text + idlen + 1) :
					     ht_xstrdup(r->skip_probe);
		ht_result_add_msg(r, HT_SKIP, r->reason);
		return;
	}
	if (h->outcome >= HT_OUTCOME_MAX)
		return;
	if (h->outcome == HT_PASS && h->len == 0) {
		r->n_pass++;
		return;
	}
	_cleanup_free_ char *msg = ht_xasprintf("%.*s", (int)h->len, text);

	if (h->outcome == HT_PASS)
		r->n_pass++;
	else if (h->outcome == HT_FAIL)
		r->n_fail++;
	ht_result_add_msg(r, (enum ht_outcome)h->outcome, msg);
}

static void slot_read(struct slot *s)
{
	for (;;) {
		ssize_t n = read(s->res_fd, s->buf + s->buf_len, sizeof(s->buf) - s->buf_len);
		size_t off = 0;

		if (n <= 0)
			return;
		s->buf_len += (size_t)n;
		while (s->buf_len - off >= sizeof(struct ht_rec_hdr)) {
			struct ht_rec_hdr h;

			memcpy(&h, s->buf + off, sizeof(h));
			if (s->buf_len - off < sizeof(h) + h.len)
				break;
			take_record(s, &h, s->buf + off + sizeof(h));
			off += sizeof(h) + h.len;
		}
		memmove(s->buf, s->buf + off, s->buf_len - off);
		s->buf_len -= off;
	}
}

static char *read_output_tail(int fd)
{
	struct stat st;
	off_t from;
	char *buf;
	ssize_t n;

	if (fstat(fd, &st) < 0 || st.st_size == 0)
		return NULL;
	from = st.st_size > OUTPUT_KEEP ? st.st_size - OUTPUT_KEEP : 0;
	buf = ht_xmalloc((size_t)(st.st_size - from) + 1);
	n = pread(fd, buf, (size_t)(st.st_size - from), from);
	if (n <= 0) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static const char *signame(int sig)
{
	const char *n = sigabbrev_np(sig);

	return n ? n : "?";
}

static void finish_outcome(struct slot *s, const siginfo_t *si)
{
	struct ht_result *r = s->result;
	enum ht_outcome worst = HT_PASS;
	bool any = r->n_pass > 0 || r->n_msgs > 0;

	for (size_t i = 0; i < r->n_msgs; i++)
		if (r->msgs[i].outcome > worst)
			worst = r->msgs[i].outcome;
	for (size_t i = 0; i < r->n_msgs && !r->reason; i++)
		if (r->msgs[i].outcome == worst && worst != HT_PASS)
			r->reason = ht_xstrdup(r->msgs[i].text);

	if (s->interrupted_by) {
		free(r->reason);
		r->reason = ht_xasprintf("interrupted by SIG%s: the test's process tree was killed",
					 signame(s->interrupted_by));
		r->outcome = HT_BROKEN;
		return;
	}
	if (s->timed_out) {
		free(r->reason);
		r->reason =
			ht_xasprintf("timed out after %.1f s: the test's process tree was killed",
				     r->duration_s);
		r->outcome = HT_TIMEOUT;
		return;
	}
	if (si->si_code == CLD_KILLED || si->si_code == CLD_DUMPED) {
		free(r->reason);
		r->reason = ht_xasprintf("test process killed by signal %d (SIG%s)%s",
					 si->si_status, signame(si->si_status),
					 si->si_code == CLD_DUMPED ? ", core dumped" : "");
		r->outcome = HT_BROKEN;
		return;
	}
	if (si->si_status != 0) {
		free(r->reason);
		r->reason = ht_xasprintf("test process exited with status %d", si->si_status);
		r->outcome = HT_BROKEN;
		return;
	}
	if (!any) {
		free(r->reason);
		r->reason = ht_xstrdup("test reported nothing");
		r->outcome = HT_BROKEN;
		return;
	}
	r->outcome = worst;
	if (s->test->xfail) {
		if (worst == HT_FAIL) {
			r->outcome = HT_XFAIL;
			free(r->reason);
			r->reason = ht_xasprintf("expected failure: %s", s->test->xfail);
		} else if (worst == HT_PASS || worst == HT_WARN) {
			r->outcome = HT_FAIL;
			free(r->reason);
			r->reason =
				ht_xasprintf("expected to fail (%s) but passed", s->test->xfail);
		}
	}
}

/* Kill whatever the test left running and wait until it is gone. */
static void slot_kill_tree(struct runner *R, struct slot *s)
{
	if (s->cg_path) {
		if (slot_cgroup_drain(s) < 0)
			ht_result_add_msg(s->result, HT_WARN,
					  "processes of the test did not leave its cgroup in time");
	} else {
		kill(-s->pid, SIGKILL);
	}
	reap_adopted(R);
}

/*
 * Whether anything of the test still runs after its main process exited.
 * A process that is already dying (a container whose runtime the test
 * just killed) needs a moment to leave the cgroup, so give the cgroup a
 * short grace period, watched through cgroup.events rather than slept.
 */
static bool slot_tree_alive(struct slot *s)
{
	if (s->cg_path) {
		if (ht_cgroup_populated(s->cg_fd) <= 0)
			return false;
		return ht_cgroup_wait_unpopulated(s->cg_fd, ht_now_ns() + LEFTOVER_GRACE_NS, NULL) <
		       0;
	}
	return kill(-s->pid, 0) == 0;
}

/* The child exited (si filled) or must be waited for (si NULL: killed). */
static void slot_finish(struct runner *R, struct slot *s, const siginfo_t *exited)
{
	siginfo_t si = { 0 };

	if (exited)
		si = *exited;
	else
		ht_wait_block(&s->w, &si);
	slot_read(s);
	s->result->duration_s = (double)(ht_now_ns() - s->start_ns) / 1e9;
	if (slot_tree_alive(s)) {
		if (!s->timed_out)
			ht_result_add_msg(
				s->result, HT_WARN,
				"the test left processes running; the runner killed them");
		slot_kill_tree(R, s);
	}
	slot_read(s);
	s->result->output = read_output_tail(s->out_fd);
	finish_outcome(s, &si);
	ht_wait_close(&s->w);
	ht_closep(&s->res_fd);
	ht_closep(&s->out_fd);
	s->res_fd = s->out_fd = -1;
	s->busy = false;
	each_reporter_result(R, s->result);
}

static void slot_timeout(struct runner *R, struct slot *s)
{
	s->timed_out = true;
	slot_kill_tree(R, s);
	slot_finish(R, s, NULL);
}

/* ---- needs ---- */

/* True (and the result filled as SKIP) when a declared need is unmet. */
static bool skip_for_needs(const struct ht_test *test, struct ht_result *r)
{
	if (!test->needs)
		return false;
	for (const char *const *need = test->needs; *need; need++) {
		const struct ht_probe_result *p = ht_probe_get(*need);

		if (p->verdict == HT_YES)
			continue;
		r->outcome = HT_SKIP;
		r->skip_probe = ht_xstrdup(*need);
		r->skip_errno = p->err;
		r->reason = ht_probe_reason(p);
		return true;
	}
	return false;
}

/*
 * "unified" (cgroup2 only), "hybrid" (cgroup2 beside v1 hierarchies) or
 * "legacy" (v1 only), from the filesystem types in /proc/self/mountinfo
 * (proc(5)); field 9, after the " - " separator, is the type.
 */
static char *cgroup_layout(void)
{
	_cleanup_free_ char *info = NULL;
	_cleanup_free_ char *v2 = NULL;
	unsigned v1 = 0;

	if (ht_read_file(AT_FDCWD, "/proc/self/mountinfo", &info) < 0)
		return ht_xstrdup("unknown");
	for (char *save = NULL, *line = strtok_r(info, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *sep = strstr(line, " - ");
		char type[32] = "", mnt[4096] = "";

		if (!sep || sscanf(sep + 3, "%31s", type) != 1 ||
		    sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1)
			continue;
		if (strcmp(type, "cgroup") == 0)
			v1++;
		else if (strcmp(type, "cgroup2") == 0 && !v2)
			v2 = ht_xstrdup(mnt);
	}
	if (v2 && v1)
		return ht_xasprintf("hybrid: cgroup2 at %s, %u v1 hierarchies", v2, v1);
	if (v2)
		return ht_xasprintf("unified: cgroup2 at %s", v2);
	if (v1)
		return ht_xasprintf("legacy: %u v1 hierarchies, no cgroup2", v1);
	return ht_xstrdup("none: no cgroup filesystem mounted");
}

static void add_facts(struct runner *R)
{
	_cleanup_free_ char *layout = cgroup_layout();
	struct utsname u;

	if (uname(&u) == 0) {
		free(R->run->kernel);
		R->run->kernel = ht_xstrdup(u.release);
		ht_run_add_fact(R->run, "kernel", u.release);
		ht_run_add_fact(R->run, "arch", u.machine);
	}
	ht_run_add_fact(R->run, "cgroup_layout", layout);
	ht_run_add_fact(R->run, "tree_kill", R->cg_run ? "cgroup2" : "process-group");
	if (R->cg_run)
		ht_run_add_fact(R->run, "run_cgroup", R->cg_run);
}

/* Record the verdict of every probe the selected tests needed. */
static void add_probe_facts(struct ht_run *run, const struct ht_test *const *tests, size_t n)
{
	size_t np;
	const struct ht_probe_desc *d = ht_probe_list(&np);

	for (size_t i = 0; i < np; i++) {
		const struct ht_probe_result *p;
		_cleanup_free_ char *key = NULL, *val = NULL;
		bool needed = false;

		for (size_t k = 0; k < n && !needed; k++)
			for (const char *const *need = tests[k]->needs; need && *need; need++)
				if (strcmp(*need, d[i].id) == 0)
					needed = true;
		if (!needed)
			continue;
		p = ht_probe_get(d[i].id);
		key = ht_xasprintf("probe.%s", d[i].id);
		val = p->verdict == HT_YES ? ht_xstrdup("yes") : ht_probe_reason(p);
		ht_run_add_fact(run, key, val);
	}
}

/* ---- main loop ---- */

static struct slot *free_slot(struct runner *R)
{
	for (unsigned i = 0; i < R->n_slots; i++)
		if (!R->slots[i].busy)
			return &R->slots[i];
	return NULL;
}

static unsigned busy_count(struct runner *R)
{
	unsigned n = 0;

	for (unsigned i = 0; i < R->n_slots; i++)
		n += R->slots[i].busy;
	return n;
}

static void interrupt_all(struct runner *R, int sig, size_t next, size_t n)
{
	R->run->interrupted_by = sig;
	for (unsigned i = 0; i < R->n_slots; i++) {
		struct slot *s = &R->slots[i];

		if (!s->busy)
			continue;
		s->interrupted_by = sig;
		slot_kill_tree(R, s);
		slot_finish(R, s, NULL);
	}
	for (size_t k = next; k < n; k++) {
		struct ht_result *r = &R->run->results[k];

		r->outcome = HT_BROKEN;
		r->reason = ht_xasprintf("not run: run interrupted by SIG%s", signame(sig));
		each_reporter_result(R, r);
	}
}

static int main_loop(struct runner *R, const struct ht_test *const *tests, size_t n)
{
	size_t next = 0;
	struct pollfd *pfds = ht_xcalloc(2 * R->n_slots + 1, sizeof(*pfds));
	int ret = 0;

	while (next < n || busy_count(R) > 0) {
		struct slot *s;
		uint64_t now, nearest = UINT64_MAX;
		size_t np = 0;
		int timeout_ms;

		/* Fill free slots; tests whose needs fail are skipped in place. */
		while (next < n && (s = free_slot(R))) {
			struct ht_result *r = &R->run->results[next];
			int err;

			if ((R->opts->elsewhere && R->opts->all_elsewhere) ||
			    skip_for_needs(tests[next], r)) {
				if (R->opts->elsewhere) {
					R->deferred = ht_xrealloc(
						R->deferred, (R->n_deferred + 1) * sizeof(size_t));
					R->deferred[R->n_deferred++] = next++;
					continue;
				}
				next++;
				each_reporter_result(R, r);
				continue;
			}
			err = slot_start(R, s, tests[next], r);
			if (err < 0) {
				r->outcome = HT_BROKEN;
				r->reason = ht_xasprintf("runner could not start the test: %s",
							 strerror(-err));
				each_reporter_result(R, r);
			}
			next++;
		}
		if (busy_count(R) == 0)
			continue;

		pfds[np++] = (struct pollfd){ .fd = R->sig_fd, .events = POLLIN };
		for (unsigned i = 0; i < R->n_slots; i++) {
			s = &R->slots[i];
			if (!s->busy)
				continue;
			pfds[np++] = (struct pollfd){ .fd = s->w.fd, .events = POLLIN };
			pfds[np++] = (struct pollfd){ .fd = s->res_fd, .events = POLLIN };
			if (s->deadline_ns < nearest)
				nearest = s->deadline_ns;
		}
		now = ht_now_ns();
		timeout_ms = nearest <= now ? 0 : (int)((nearest - now) / 1000000u) + 1;
		if (poll(pfds, np, timeout_ms) < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		if (pfds[0].revents & POLLIN) {
			struct signalfd_siginfo ssi;

			if (read(R->sig_fd, &ssi, sizeof(ssi)) == sizeof(ssi)) {
				interrupt_all(R, (int)ssi.ssi_signo, next, n);
				break;
			}
		}
		now = ht_now_ns();
		for (unsigned i = 0; i < R->n_slots; i++) {
			s = &R->slots[i];
			if (!s->busy)
				continue;
			slot_read(s);
			siginfo_t si;

			if (ht_wait_reap(&s->w, &si) == 1)
				slot_finish(R, s, &si);
			else if (now >= s->deadline_ns)
				slot_timeout(R, s);
		}
	}
	free(pfds);
	return ret;
}

int ht_runner_run(struct ht_run *run, const struct ht_test *const *tests, size_t n,
		  const struct ht_run_opts *opts, struct ht_journal *journal)
{
	struct runner R = {
		.run = run,
		.opts = opts,
		.journal = journal,
		.journal_fd = ht_journal_fd(journal),
		.sig_fd = -1,
	};
	sigset_t mask;
	uint64_t t0 = ht_now_ns();
	int r;

	R.n_slots = opts->jobs ? opts->jobs : 1;
	R.slots = ht_xcalloc(R.n_slots, sizeof(*R.slots));
	for (unsigned i = 0; i < R.n_slots; i++) {
		R.slots[i].index = (int)i;
		R.slots[i].w.fd = R.slots[i].res_fd = R.slots[i].out_fd = -1;
		R.slots[i].cg_fd = R.slots[i].cg_procs_fd = -1;
	}
	for (size_t i = 0; i < n; i++)
		ht_run_add_result(run, tests[i]);

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &R.old_mask);
	R.sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	/* The exit-handle fallback needs SIGCHLD blocked before any fork. */
	ht_wait_block_sigchld(NULL);
	if (R.sig_fd < 0) {
		r = -errno;
		goto out;
	}
	/* Adopt orphans of tests so none outlives the run (prctl(2)). */
	prctl(PR_SET_CHILD_SUBREAPER, 1);

	R.run_dir = ht_xasprintf("%s/runs/%s", ht_state_dir(), run->run_id);
	r = ht_journal_append(R.journal_fd, "tree", R.run_dir, NULL, NULL);
	if (r < 0)
		goto out;
	{
		_cleanup_free_ char *runs = ht_xasprintf("%s/runs", ht_state_dir());

		/* 0711: see ht_journal_open; each test's scratch dir is 0700 itself. */
		if ((mkdir(runs, 0711) < 0 && errno != EEXIST) || chmod(runs, 0711) < 0 ||
		    mkdir(R.run_dir, 0711) < 0) {
			r = -errno;
			goto out;
		}
	}
	ht_probe_set_journal(R.journal_fd);
	if (setup_cgroups(&R) < 0)
		teardown_cgroups(&R);
	add_facts(&R);

	for (size_t i = 0; i < opts->n_reporters; i++)
		opts->reporters[i].ops->begin(&opts->reporters[i], run, n);
	r = main_loop(&R, tests, n);
	if (R.n_deferred) {
		struct signalfd_siginfo ssi;

		if (!run->interrupted_by)
			opts->elsewhere(opts->elsewhere_ctx, run, R.deferred, R.n_deferred,
					R.sig_fd);
		for (size_t i = 0; i < R.n_deferred; i++)
			each_reporter_result(&R, &run->results[R.deferred[i]]);
		if (!run->interrupted_by && read(R.sig_fd, &ssi, sizeof(ssi)) == sizeof(ssi))
			run->interrupted_by = (int)ssi.ssi_signo;
	}
	add_probe_facts(run, tests, n);
	run->duration_s = (double)(ht_now_ns() - t0) / 1e9;
	for (size_t i = 0; i < opts->n_reporters; i++) {
		int e = opts->reporters[i].ops->end(&opts->reporters[i], run);

		if (e < 0 && r == 0)
			r = e;
	}
out:
	teardown_cgroups(&R);
	kill_adopted();
	reap_adopted(&R);
	prctl(PR_SET_CHILD_SUBREAPER, 0);
	ht_closep(&R.sig_fd);
	sigprocmask(SIG_SETMASK, &R.old_mask, NULL);
	free(R.run_dir);
	free(R.slots);
	free(R.deferred);
	return r;
}
