// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Process start without namespaces (no root needed): the exit-status
 * mapping, the sync-socket protocol (exec = EOF, a child error reaches the
 * parent with its message, a failed execve is an exec error), signal
 * forwarding, and the small formatters of the namespace, id-map and time
 * modules.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ctr-namespace.h"
#include "ctr-spawn.h"
#include "ctr-timens.h"
#include "ctr-userns.h"

static struct ctr_error err;

START_TEST(exit_status_mapping)
{
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(0, 0)), 0);
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(42, 0)), 42);
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(255, 0)), 255);
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(0, SIGKILL)), 137);
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(0, SIGTERM)), 143);
	ck_assert_int_eq(ctr_exit_status(W_EXITCODE(0, SIGINT)), 130);
	ck_assert_int_eq(ctr_exit_status(W_STOPCODE(SIGSTOP)), -1);
}
END_TEST

START_TEST(exit_status_of_real_children)
{
	int ws;
	pid_t pid = fork();

	if (pid == 0)
		_exit(42);
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_int_eq(ctr_exit_status(ws), 42);
	pid = fork();
	if (pid == 0) {
		raise(SIGKILL);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &ws, 0), pid);
	ck_assert_int_eq(ctr_exit_status(ws), 137);
}
END_TEST

static int child_exec(struct ctr_spawn *sp, void *userdata, struct ctr_error *e)
{
	return ctr_spawn_exec(sp, userdata, e);
}

static int child_fails(struct ctr_spawn *sp, void *userdata, struct ctr_error *e)
{
	ctr_error_errno(e, EPERM, "mount proc on /proc");
	return ctr_error_prefix(e, "prepare rootfs");
}

static int child_stdin_pipe(struct ctr_spawn *sp, void *userdata, struct ctr_error *e)
{
	int fd = *(int *)userdata;
	static char *argv[] = { "cat", NULL };

	if (dup2(fd, 0) < 0)
		return ctr_error_errno(e, errno, "dup2");
	return ctr_spawn_exec(sp, argv, e);
}

static int run(ctr_spawn_child_fn fn, void *userdata, int *status)
{
	struct ctr_spawn sp = CTR_SPAWN_INIT;
	int r;

	r = ctr_spawn_start(&sp, 0, fn, userdata, &err);
	if (r >= 0)
		r = ctr_spawn_release(&sp, &err);
	if (r >= 0)
		r = ctr_spawn_wait(&sp, status, &err);
	ctr_spawn_destroy(&sp);
	return r;
}

START_TEST(exit_code_is_relayed)
{
	static char *argv[] = { "sh", "-c", "exit 42", NULL };
	int status = -1;

	ck_assert_int_eq(run(child_exec, argv, &status), 0);
	ck_assert_int_eq(status, 42);
}
END_TEST

START_TEST(status_survives_an_ignored_sigchld)
{
	static char *argv[] = { "sh", "-c", "exit 42", NULL };
	struct sigaction sa;
	int status = -1;

	signal(SIGCHLD, SIG_IGN);
	ck_assert_int_eq(run(child_exec, argv, &status), 0);
	ck_assert_int_eq(status, 42);
	sigaction(SIGCHLD, NULL, &sa);
	ck_assert_ptr_eq(sa.sa_handler, SIG_IGN);
}
END_TEST

START_TEST(death_by_signal_is_128_plus_n)
{
	static char *argv[] = { "sh", "-c", "kill -9 $$", NULL };
	int status = -1;

	ck_assert_int_eq(run(child_exec, argv, &status), 0);
	ck_assert_int_eq(status, 137);
}
END_TEST

START_TEST(child_error_reaches_the_parent)
{
	int status = -1;

	ck_assert_int_eq(run(child_fails, NULL, &status), -EPERM);
	ck_assert_int_eq(err.kind, CTR_ERROR_SETUP);
	ck_assert_str_eq(err.msg, "prepare rootfs: mount proc on /proc: Operation not permitted "
				  "(EPERM)");
	ck_assert_int_eq(status, -1);
	/* Reaped: no child of ours is left. */
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	ck_assert_int_eq(errno, ECHILD);
}
END_TEST

START_TEST(missing_command_is_an_exec_error)
{
	/* A path, not a name: a PATH search may meet an unreadable directory (EACCES). */
	static char *argv[] = { "/nonexistent/contain-test-no-such-command", NULL };
	int status = -1;

	ck_assert_int_eq(run(child_exec, argv, &status), -ENOENT);
	ck_assert_int_eq(err.kind, CTR_ERROR_EXEC);
	ck_assert_str_eq(err.msg, "exec \"/nonexistent/contain-test-no-such-command\": No such "
				  "file or directory (ENOENT)");
}
END_TEST

START_TEST(directory_is_not_executable)
{
	static char *argv[] = { "/", NULL };
	int status = -1;

	ck_assert_int_eq(run(child_exec, argv, &status), -EACCES);
	ck_assert_int_eq(err.kind, CTR_ERROR_EXEC);
}
END_TEST

START_TEST(signals_are_forwarded)
{
	struct ctr_spawn sp = CTR_SPAWN_INIT;
	int p[2];
	int status = -1;

	/* cat blocks on a pipe whose write end only we hold (O_CLOEXEC). */
	ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
	ck_assert_int_eq(ctr_spawn_start(&sp, 0, child_stdin_pipe, &p[0], &err), 0);
	ck_assert_int_eq(ctr_spawn_release(&sp, &err), 0);
	/* Blocked by ctr_spawn_start: it waits in the signalfd until ctr_spawn_wait. */
	ck_assert_int_eq(kill(getpid(), SIGUSR1), 0);
	ck_assert_int_eq(ctr_spawn_wait(&sp, &status, &err), 0);
	ck_assert_int_eq(status, 128 + SIGUSR1);
	ctr_spawn_destroy(&sp);
	close(p[0]);
	close(p[1]);
}
END_TEST

START_TEST(destroy_kills_and_reaps)
{
	struct ctr_spawn sp = CTR_SPAWN_INIT;
	static char *argv[] = { "sh", "-c", "exit 0", NULL };
	sigset_t cur;

	ck_assert_int_eq(ctr_spawn_start(&sp, 0, child_exec, argv, &err), 0);
	/* Never released: the child still waits for its go. */
	ctr_spawn_destroy(&sp);
	ck_assert_int_eq(sp.pid, -1);
	ck_assert_int_eq(waitpid(-1, NULL, WNOHANG), -1);
	/* The caller's signal mask is back. */
	sigprocmask(SIG_SETMASK, NULL, &cur);
	ck_assert(!sigismember(&cur, SIGCHLD));
	ck_assert(!sigismember(&cur, SIGTERM));
	ctr_spawn_destroy(&sp);
	ctr_spawn_destroy(NULL);
}
END_TEST

START_TEST(time_namespace_flag_is_refused_by_spawn)
{
	struct ctr_spawn sp = CTR_SPAWN_INIT;

	ck_assert_int_eq(ctr_spawn_start(&sp, CLONE_NEWTIME, child_fails, NULL, &err), -EINVAL);
	ctr_spawn_destroy(&sp);
}
END_TEST

START_TEST(namespace_names)
{
	unsigned long f = 0;
	char buf[128];

	ck_assert_uint_eq(ctr_namespace_from_name("pid"), CLONE_NEWPID);
	ck_assert_uint_eq(ctr_namespace_from_name("mnt"), CLONE_NEWNS);
	ck_assert_uint_eq(ctr_namespace_from_name("container"), 0);
	ck_assert_str_eq(ctr_namespace_name(CLONE_NEWNS), "mount");
	ck_assert_str_eq(ctr_namespace_proc_name(CLONE_NEWNS), "mnt");
	ck_assert_ptr_null(ctr_namespace_name(CLONE_NEWNS | CLONE_NEWPID));
	ck_assert_int_eq(ctr_namespace_parse_list("net,time,user", &f, &err), 0);
	ck_assert_uint_eq(f, CLONE_NEWNET | CLONE_NEWTIME | CLONE_NEWUSER);
	ck_assert_str_eq(ctr_namespace_format(CTR_NS_ALL, buf, sizeof(buf)),
			 "pid,mount,uts,ipc,user,cgroup,time,net");
	ck_assert_str_eq(ctr_namespace_format(CTR_NS_ALL, buf, 10), "pid,mount");
}
END_TEST

START_TEST(idmap_formatting)
{
	struct ctr_idmap two[] = { { 0, 100000, 1 }, { 1, 200000, 10 } };
	const struct ctr_idmap *m;
	char buf[128];
	size_t n;

	m = ctr_idmap_effective(NULL, 0, &n);
	ck_assert_uint_eq(n, 1);
	ck_assert_int_eq(ctr_idmap_format(m, n, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0 100000 65536\n");
	ck_assert(ctr_idmap_maps_inside(m, n, 0));
	ck_assert(ctr_idmap_maps_inside(m, n, 65535));
	ck_assert(!ctr_idmap_maps_inside(m, n, 65536));
	ck_assert_int_eq(ctr_idmap_format(two, 2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "0 100000 1\n1 200000 10\n");
	ck_assert_int_eq(ctr_idmap_format(two, 2, buf, 8), -ENOBUFS);
}
END_TEST

START_TEST(time_offsets_formatting)
{
	struct ctr_timens_offsets off = { .has_monotonic = true, .monotonic = 86400 };
	char buf[128];

	ck_assert_int_eq(ctr_timens_format(&off, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "monotonic 86400 0\n");
	off.has_boottime = true;
	off.boottime = -60;
	ck_assert_int_eq(ctr_timens_format(&off, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "monotonic 86400 0\nboottime -60 0\n");
	off.has_monotonic = false;
	ck_assert_int_eq(ctr_timens_format(&off, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "boottime -60 0\n");
	off.has_boottime = false;
	ck_assert_int_eq(ctr_timens_format(&off, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("runtime-spawn");
	TCase *tc = tcase_create("spawn");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, exit_status_mapping);
	tcase_add_test(tc, exit_status_of_real_children);
	tcase_add_test(tc, exit_code_is_relayed);
	tcase_add_test(tc, status_survives_an_ignored_sigchld);
	tcase_add_test(tc, death_by_signal_is_128_plus_n);
	tcase_add_test(tc, child_error_reaches_the_parent);
	tcase_add_test(tc, missing_command_is_an_exec_error);
	tcase_add_test(tc, directory_is_not_executable);
	tcase_add_test(tc, signals_are_forwarded);
	tcase_add_test(tc, destroy_kills_and_reaps);
	tcase_add_test(tc, time_namespace_flag_is_refused_by_spawn);
	tcase_add_test(tc, namespace_names);
	tcase_add_test(tc, idmap_formatting);
	tcase_add_test(tc, time_offsets_formatting);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
