// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The parent side of the OCI lifecycle: see ctr-oci-runtime.h. The init's
 * side is ctr-oci-init.c.
 *
 *   create                                   init (cloned child)
 *   check id, make STATE/ID, read + copy config.json, mkfifo exec.fifo
 *   [cgroup] make it, enable controllers, write limits
 *   open namespaces to join; setns pid/net/ipc/uts/cgroup/time for the clone
 *   clone3 ------------------------------->  waits on the sync socket
 *   [cgroup] move it in; [user] write maps
 *   go ----------------------------------->  namespaces, mounts, pivot_root, user
 *   read: EOF = created <------------------  close the sync socket
 *   write state.json, run prestart and        blocks reading exec.fifo
 *   createRuntime hooks, write --pid-file
 *   start: write a byte, unlink the fifo --> execve(process.args)
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <linux/nsfs.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctr-cgroup.h"
#include "ctr-mutant.h"
#include "ctr-namespace.h"
#include "ctr-oci-runtime.h"
#include "ctr-oci-spec.h"
#include "ctr-rootfs.h"
#include "ctr-spawn.h"
#include "ctr-timens.h"
#include "ctr-userns.h"

/* How long delete --force waits for a SIGKILLed init, in milliseconds. */
#define KILL_WAIT_MS 10000

/* --- hooks (config.md, "POSIX-platform Hooks") --- */

static int run_hook(const struct ctr_oci_hook *h, const char *state, struct ctr_error *err)
{
	char *default_args[] = { (char *)h->path, NULL };
	char *no_env[] = { NULL };
	_cleanup_close_ int pidfd = -1;
	int pipefd[2], ws = 0, r;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return ctr_error_errno(err, errno, "hook %s: pipe", h->path);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		close(pipefd[0]);
		close(pipefd[1]);
		return ctr_error_errno(err, -r, "hook %s: fork", h->path);
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(pipefd[0], 0) < 0)
			_exit(127);
		syscall(SYS_close_range, 3, ~0U, 0);
		execve(h->path, h->args ? h->args : default_args, h->env ? h->env : no_env);
		_exit(127);
	}
	close(pipefd[0]);
	/* The state on stdin; a hook that does not read it must not block us (EPIPE). */
	{
		struct sigaction ign = { .sa_handler = SIG_IGN }, old;

		sigaction(SIGPIPE, &ign, &old);
		ctr_write_all(pipefd[1], state, strlen(state));
		sigaction(SIGPIPE, &old, NULL);
	}
	close(pipefd[1]);

	pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0 && h->timeout > 0) {
		struct pollfd p = { .fd = pidfd, .events = POLLIN };

		do
			r = poll(&p, 1, h->timeout * 1000);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &ws, 0);
			return ctr_error_set(err, ETIMEDOUT, "hook %s timed out after %d s",
					     h->path, h->timeout);
		}
	}
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			return ctr_error_errno(err, errno, "hook %s: wait", h->path);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		return 0;
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 127)
		return ctr_error_set(err, ENOEXEC, "hook %s could not be executed (or exited 127)",
				     h->path);
	return ctr_error_set(err, ECANCELED, "hook %s %s %d", h->path,
			     WIFEXITED(ws) ? "exited with status" : "was killed by signal",
			     WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
}

static int run_hooks(const struct ctr_oci_hooks *hooks, const char *kind,
		     const struct ctr_oci_state *st, enum ctr_oci_status status,
		     struct ctr_error *err)
{
	_cleanup_free_ char *text = NULL;
	json_t *j;

	if (hooks->n == 0)
		return 0;
	j = ctr_oci_state_json(st, status);
	text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text)
		return ctr_error_errno(err, ENOMEM, "%s hooks", kind);
	for (size_t i = 0; i < hooks->n; i++) {
		int r = run_hook(&hooks->v[i], text, err);

		if (r < 0)
			return ctr_error_prefix(err, "%s hook %zu", kind, i);
	}
	return 0;
}

/* --- cgroup --- */

/* The cgroup create made, and the parent directories it made for it (to undo). */
struct oci_cgroup {
	struct ctr_cgroup *cg;
	char *made[16]; /* parents made, outermost first */
	size_t n_made;
};

static void oci_cgroup_undo(struct oci_cgroup *c)
{
	if (c->cg)
		ctr_cgroup_destroy_and_free(TAKE_PTR(c->cg));
	while (c->n_made > 0) {
		char *p = c->made[--c->n_made];

		rmdir(p);
		free(p);
	}
}

static void oci_cgroup_forget(struct oci_cgroup *c)
{
	ctr_cgroup_free(TAKE_PTR(c->cg));
	while (c->n_made > 0)
		free(c->made[--c->n_made]);
}

/* The interface-file prefix of a unified key ("memory" for "memory.high"). */
static unsigned int unified_ctrl(const char *key, char *name, size_t n)
{
	size_t len = strcspn(key, ".");

	snprintf(name, n, "%.*s", (int)len, key);
	if (strcmp(name, "memory") == 0)
		return CTR_CGROUP_MEMORY;
	if (strcmp(name, "cpu") == 0)
		return CTR_CGROUP_CPU;
	if (strcmp(name, "pids") == 0)
		return CTR_CGROUP_PIDS;
	if (strcmp(name, "io") == 0)
		return CTR_CGROUP_IO;
	return 0;
}

static int setup_cgroup(const struct ctr_oci_config *cfg, const char *id, struct oci_cgroup *ret,
			struct ctr_error *err)
{
	_cleanup_free_ char *mount = NULL, *path = NULL;
	struct ctr_cgroup *parent = NULL;
	unsigned int ctrls;
	const char *rel;
	char *slash;
	int r;

	if (!cfg->cgroups_path && !cfg->limits.set && !cfg->n_unified)
		return 0;
	r = ctr_cgroup_find_mount(&mount, err);
	if (r < 0)
		return r;
	/* config-linux.md, "cgroupsPath": absolute is relative to the hierarchy's root. */
	rel = cfg->cgroups_path ? cfg->cgroups_path : id;
	while (*rel == '/')
		rel++;
	r = ctr_cgroup_resolve(mount, rel, &path, err);
	if (r < 0)
		return ctr_error_prefix(err, "linux.cgroupsPath");
	if (strcmp(path, mount) == 0)
		return ctr_error_set(err, EINVAL, "linux.cgroupsPath: is the cgroup2 root");

	/* Parents are made as runc makes them, and removed again if create fails. */
	for (slash = strchr(path + strlen(mount) + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(path, 0755) == 0) {
			if (ret->n_made == CTR_ARRAY_SIZE(ret->made)) {
				rmdir(path);
				*slash = '/';
				return ctr_error_set(err, EINVAL, "linux.cgroupsPath: too deep");
			}
			ret->made[ret->n_made] = strdup(path);
			if (!ret->made[ret->n_made]) {
				rmdir(path);
				*slash = '/';
				return ctr_error_errno(err, ENOMEM, "cgroup");
			}
			ret->n_made++;
		} else if (errno != EEXIST) {
			r = ctr_error_errno(err, errno, "create cgroup %s", path);
			*slash = '/';
			return r;
		}
		*slash = '/';
	}

	ctrls = ctr_cgroup_limits_controllers(&cfg->limits);
	for (size_t i = 0; i < cfg->n_unified; i++) {
		char name[64];

		ctrls |= unified_ctrl(cfg->unified[i].key, name, sizeof(name));
	}
	if (ctrls || cfg->n_unified) {
		_cleanup_free_ char *pp = strdup(path);

		if (!pp)
			return ctr_error_errno(err, ENOMEM, "cgroup");
		*strrchr(pp, '/') = '\0';
		r = ctr_cgroup_open(pp, &parent, err);
		if (r < 0)
			return r;
		r = ctr_cgroup_enable(parent, ctrls, err);
		if (r < 0) {
			ctr_cgroup_free(parent);
			return ctr_error_prefix(err, "linux.resources");
		}
		/* Controllers libcontain has no bit for ("hugetlb.2MB.max"): enabled by name. */
		for (size_t i = 0; i < cfg->n_unified; i++) {
			char name[64], plus[80];

			if (unified_ctrl(cfg->unified[i].key, name, sizeof(name)) ||
			    strcmp(name, "cgroup") == 0)
				continue;
			snprintf(plus, sizeof(plus), "+%s", name);
			r = ctr_write_file(parent->dfd, "cgroup.subtree_control", plus);
			if (r < 0) {
				ctr_cgroup_free(parent);
				return ctr_error_errno(err, -r,
						       "linux.resources.unified: write \"%s\" to "
						       "%s/cgroup.subtree_control",
						       plus, pp);
			}
		}
		ctr_cgroup_free(parent);
	}

	r = ctr_cgroup_create(path, &ret->cg, err);
	if (r < 0) {
		if (err->err == EEXIST)
			ctr_error_hint(err, "another container uses this linux.cgroupsPath");
		return r;
	}
	r = ctr_cgroup_apply(ret->cg, &cfg->limits, err);
	if (r < 0)
		return ctr_error_prefix(err, "linux.resources");
	for (size_t i = 0; i < cfg->n_unified; i++) {
		r = ctr_write_file(ret->cg->dfd, cfg->unified[i].key, cfg->unified[i].value);
		if (r < 0)
			return ctr_error_errno(err, -r,
					       "linux.resources.unified: write \"%s\" to %s/%s",
					       cfg->unified[i].value, path, cfg->unified[i].key);
	}
	return 0;
}

/* --- namespaces to join --- */

struct ns_join {
	unsigned long type;
	int fd;	   /* the namespace to join */
	int saved; /* ours, to return to after the clone (parent-side joins) */
};

static int open_ns(const struct ctr_oci_namespace *ns, int *ret, struct ctr_error *err)
{
	_cleanup_close_ int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	int type;

	if (fd < 0)
		return ctr_error_errno(err, errno, "linux.namespaces: %s", ns->path);
	/* ioctl_ns(2): NS_GET_NSTYPE tells a namespace file of another type apart. */
	type = ioctl(fd, NS_GET_NSTYPE);
	if (type < 0)
		return ctr_error_set(err, EINVAL, "linux.namespaces: %s is not a namespace file",
				     ns->path);
	if ((unsigned long)type != ns->type)
		return ctr_error_set(err, EINVAL,
				     "linux.namespaces: %s is a %s namespace, not a %s one",
				     ns->path, ctr_namespace_name((unsigned long)type) ?: "?",
				     ctr_namespace_name(ns->type) ?: "?");
	*ret = TAKE_FD(fd);
	return 0;
}

/* --- create --- */

struct created {
	struct ctr_oci_config *cfg;
	struct ctr_oci_state st;
	struct ctr_spawn sp;
	struct oci_cgroup cg;
	int rootfd; /* the state root */
	int dirfd;  /* STATE/ID */
	bool made_root;
};

static void created_undo(struct created *c, const char *root, const char *id)
{
	ctr_spawn_destroy(&c->sp);
	oci_cgroup_undo(&c->cg);
	if (c->dirfd >= 0)
		ctr_oci_dir_remove(c->rootfd, id);
	ctr_closep(&c->dirfd);
	ctr_closep(&c->rootfd);
	if (c->made_root)
		rmdir(root);
}

static void created_free(struct created *c)
{
	ctr_oci_config_free(c->cfg);
	free(c->st.bundle);
	free(c->st.cgroup);
	free(c->st.created);
	ctr_closep(&c->dirfd);
	ctr_closep(&c->rootfd);
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	char buf[64], *s = NULL;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	if (asprintf(&s, "%s.%09ldZ", buf, ts.tv_nsec) < 0)
		return NULL;
	return s;
}

static int write_pid_file(const char *path, pid_t pid, struct ctr_error *err)
{
	_cleanup_free_ char *tmp = NULL;
	_cleanup_close_ int fd = -1;
	char buf[16];
	int r;

	if (asprintf(&tmp, "%s.contain-tmp", path) < 0)
		return ctr_error_errno(err, ENOMEM, "--pid-file");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0)
		return ctr_error_errno(err, errno, "--pid-file %s", path);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	r = ctr_write_all(fd, buf, strlen(buf));
	if (r >= 0 && rename(tmp, path) < 0)
		r = -errno;
	if (r < 0) {
		unlink(tmp);
		return ctr_error_errno(err, -r, "--pid-file %s", path);
	}
	return 0;
}

static int copy_config(int dirfd, const char *buf, size_t len, struct ctr_error *err)
{
	_cleanup_close_ int fd = openat(dirfd, CTR_OCI_CONFIG_FILE,
					O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	int r;

	if (fd < 0)
		return ctr_error_errno(err, errno, "copy config.json");
	r = ctr_write_all(fd, buf, len);
	if (r < 0)
		return ctr_error_errno(err, -r, "copy config.json");
	return 0;
}

static int exe_identity(struct ctr_oci_init *init, struct ctr_error *err)
{
	struct stat st;

	if (stat("/proc/self/exe", &st) < 0)
		return ctr_error_errno(err, errno, "stat /proc/self/exe");
	init->exe_dev = st.st_dev;
	init->exe_ino = st.st_ino;
	return 0;
}

static int do_create(const struct ctr_oci_create_opts *o, struct created *c, struct ctr_error *err)
{
	_cleanup_free_ char *buf = NULL, *rootfs = NULL, *rootpath = NULL;
	_cleanup_close_ int bfd = -1, fifo = -1, userns = -1, mntns = -1;
	_cleanup_(ctr_timens_restorep) int saved_time = -1;
	struct ns_join joins[8];
	size_t n_joins = 0, len;
	struct ctr_oci_init init = { .fifo_fd = -1, .userns_fd = -1, .mntns_fd = -1 };
	unsigned long clone_flags = 0;
	struct stat sb;
	int r;

	r = ctr_oci_id_check(o->id, err);
	if (r < 0)
		return r;
	/* Read and check everything before the first file is made. */
	c->st.bundle = realpath(o->bundle, NULL);
	if (!c->st.bundle)
		return ctr_error_errno(err, errno, "bundle %s", o->bundle);
	bfd = open(c->st.bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (bfd < 0)
		return ctr_error_errno(err, errno, "bundle %s", o->bundle);
	r = ctr_oci_config_read(bfd, "config.json", &buf, &len, err);
	if (r < 0)
		return ctr_error_prefix(err, "bundle %s", o->bundle);
	r = ctr_oci_config_parse(buf, len, &c->cfg, err);
	if (r < 0)
		return r;
	if (!ctr_oci_config_has_ns(c->cfg, CLONE_NEWNS, NULL))
		return ctr_error_usage(err, "linux.namespaces: contain needs a mount namespace "
					    "(it never mounts in the caller's)");
	if (c->cfg->root_path[0] == '/')
		rootpath = strdup(c->cfg->root_path);
	else if (asprintf(&rootpath, "%s/%s", c->st.bundle, c->cfg->root_path) < 0)
		rootpath = NULL;
	if (!rootpath)
		return ctr_error_errno(err, ENOMEM, "root.path");
	r = ctr_rootfs_check(rootpath, &rootfs, err);
	if (r < 0)
		return ctr_error_prefix(err, "root.path");
	if (strcmp(rootfs, "/") == 0)
		return ctr_error_usage(err, "root.path: the host's / cannot be a container's root");
	r = exe_identity(&init, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->cfg->n_namespaces; i++) {
		const struct ctr_oci_namespace *ns = &c->cfg->namespaces[i];
		int fd = -1;

		if (!ns->path) {
			if (ns->type != CLONE_NEWTIME)
				clone_flags |= ns->type;
			continue;
		}
		r = open_ns(ns, &fd, err);
		if (r < 0)
			goto close_joins;
		if (ns->type == CLONE_NEWUSER)
			userns = fd;
		else if (ns->type == CLONE_NEWNS)
			mntns = fd;
		else
			joins[n_joins++] =
				(struct ns_join){ .type = ns->type, .fd = fd, .saved = -1 };
	}

	/* From here on, everything made is undone by created_undo(). */
	if (stat(o->root, &sb) < 0 && errno == ENOENT)
		c->made_root = true;
	r = ctr_oci_root_open(o->root, true, &c->rootfd, err);
	if (r < 0)
		goto close_joins;
	if (mkdirat(c->rootfd, o->id, 0700) < 0) {
		r = errno == EEXIST ?
			    ctr_error_set(err, EEXIST, "container %s exists already", o->id) :
			    ctr_error_errno(err, errno, "create state of %s", o->id);
		goto close_joins;
	}
	c->dirfd = openat(c->rootfd, o->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (c->dirfd < 0) {
		r = ctr_error_errno(err, errno, "open state of %s", o->id);
		unlinkat(c->rootfd, o->id, AT_REMOVEDIR);
		goto close_joins;
	}
	r = copy_config(c->dirfd, buf, len, err);
	if (r < 0)
		goto close_joins;
	if (mkfifoat(c->dirfd, CTR_OCI_FIFO_FILE, 0600) < 0) {
		r = ctr_error_errno(err, errno, "mkfifo " CTR_OCI_FIFO_FILE);
		goto close_joins;
	}
	/* O_RDWR: the init's read then waits for data, not for a writer (fifo(7)). */
	fifo = openat(c->dirfd, CTR_OCI_FIFO_FILE, O_RDWR | O_CLOEXEC);
	if (fifo < 0) {
		r = ctr_error_errno(err, errno, "open " CTR_OCI_FIFO_FILE);
		goto close_joins;
	}

	r = setup_cgroup(c->cfg, o->id, &c->cg, err);
	if (r < 0)
		goto close_joins;

	{
		const char *tp = NULL;
		struct ctr_timens_offsets none = { 0 };

		/* A new time namespace reaches the init through time_for_children (ctr-timens.h).
		 */
		if (ctr_oci_config_has_ns(c->cfg, CLONE_NEWTIME, &tp) && !tp) {
			r = ctr_timens_prepare(&none, &saved_time, err);
			if (r < 0)
				goto close_joins;
		}
	}
	/*
	 * Namespaces other than user and mount are joined here, for the
	 * clone only, so that the init is born in them: a pid namespace can
	 * only be entered by children (setns(2)), and with a new user
	 * namespace the init could no longer enter ones the host owns.
	 */
	for (size_t i = 0; i < n_joins; i++) {
		char self[64];

		snprintf(self, sizeof(self), "/proc/self/ns/%s",
			 joins[i].type == CLONE_NEWPID	? "pid_for_children" :
			 joins[i].type == CLONE_NEWTIME ? "time_for_children" :
							  ctr_namespace_proc_name(joins[i].type));
		joins[i].saved = open(self, O_RDONLY | O_CLOEXEC);
		if (joins[i].saved < 0 || setns(joins[i].fd, (int)joins[i].type) < 0) {
			r = ctr_error_errno(err, errno, "linux.namespaces: join %s namespace",
					    ctr_namespace_name(joins[i].type) ?: "?");
			goto restore;
		}
	}

	init = (struct ctr_oci_init){
		.cfg = c->cfg,
		.rootfs = rootfs,
		.fifo_fd = fifo,
		.userns_fd = userns,
		.mntns_fd = mntns,
		.new_userns = clone_flags & CLONE_NEWUSER,
		.unshare_cgroupns = c->cg.cg && (clone_flags & CLONE_NEWCGROUP),
		.exe_dev = init.exe_dev,
		.exe_ino = init.exe_ino,
	};
	if (init.unshare_cgroupns)
		clone_flags &= ~(unsigned long)CLONE_NEWCGROUP;
	r = ctr_spawn_start(&c->sp, clone_flags, ctr_oci_init_main, &init, err);
restore:
	for (size_t i = 0; i < n_joins; i++)
		if (joins[i].saved >= 0 && setns(joins[i].saved, 0) < 0 && r >= 0)
			r = ctr_error_errno(err, errno, "return to our own namespaces");
	if (r >= 0)
		r = ctr_timens_restore(&saved_time, err);
	if (r < 0)
		goto close_joins;

	if (c->cg.cg) {
		r = ctr_cgroup_attach(c->cg.cg, c->sp.pid, err);
		if (r < 0)
			goto close_joins;
		c->st.cgroup = strdup(c->cg.cg->path);
	}
	if (clone_flags & CLONE_NEWUSER) {
		r = ctr_userns_apply(c->sp.pid, c->cfg->uid_map, c->cfg->n_uid_map, c->cfg->gid_map,
				     c->cfg->n_gid_map, err);
		if (r < 0) {
			ctr_error_prefix(err, "linux.uidMappings");
			goto close_joins;
		}
	}
	r = ctr_spawn_release(&c->sp, err);
	if (r < 0)
		goto close_joins;

	c->st.id = (char *)o->id;
	c->st.pid = c->sp.pid;
	c->st.created = now_rfc3339();
	c->st.annotations = json_object_get(c->cfg->doc, "annotations");
	r = ctr_oci_proc_stat(c->st.pid, &c->st.start_time, NULL);
	if (r < 0) {
		ctr_error_errno(err, -r, "read /proc/%d/stat", (int)c->st.pid);
		goto close_joins;
	}
	r = ctr_oci_state_save(c->dirfd, &c->st, err);
	if (r < 0)
		goto close_joins;
	/* runc's order; contain runs createRuntime after pivot_root, not before. */
	r = run_hooks(&c->cfg->prestart, "prestart", &c->st, CTR_OCI_CREATED, err);
	if (r < 0)
		goto close_joins;
	r = run_hooks(&c->cfg->create_runtime, "createRuntime", &c->st, CTR_OCI_CREATED, err);
	if (r < 0)
		goto close_joins;
	if (o->pid_file)
		r = write_pid_file(o->pid_file, c->sp.pid, err);
close_joins:
	for (size_t i = 0; i < n_joins; i++) {
		ctr_closep(&joins[i].fd);
		ctr_closep(&joins[i].saved);
	}
	return r;
}

int ctr_oci_create(const struct ctr_oci_create_opts *o, struct ctr_error *err)
{
	struct created c = { .sp = CTR_SPAWN_INIT, .rootfd = -1, .dirfd = -1 };
	int r;

	r = do_create(o, &c, err);
	if (r < 0) {
		created_undo(&c, o->root, o->id);
	} else {
		/* The init lives on: it is no longer ours to kill. */
		c.sp.pid = -1;
		ctr_spawn_destroy(&c.sp);
		oci_cgroup_forget(&c.cg);
	}
	created_free(&c);
	return r;
}

/* --- start, state, kill, delete --- */

struct loaded {
	int rootfd, dirfd;
	struct ctr_oci_state *st;
	enum ctr_oci_status status;
};

static void loaded_free(struct loaded *l)
{
	ctr_closep(&l->dirfd);
	ctr_closep(&l->rootfd);
	ctr_oci_state_free(l->st);
}

static int load(const char *root, const char *id, struct loaded *l, struct ctr_error *err)
{
	int r;

	*l = (struct loaded){ .rootfd = -1, .dirfd = -1 };
	r = ctr_oci_id_check(id, err);
	if (r < 0)
		return r;
	r = ctr_oci_root_open(root, false, &l->rootfd, err);
	if (r < 0) {
		if (err->err == ENOENT)
			return ctr_error_set(err, ENOENT, "container %s does not exist", id);
		return r;
	}
	r = ctr_oci_dir_open(l->rootfd, id, &l->dirfd, err);
	if (r < 0)
		return r;
	r = ctr_oci_state_load(l->dirfd, &l->st, err);
	if (r < 0)
		return ctr_error_prefix(err, "container %s", id);
	l->status = ctr_oci_state_status(l->dirfd, l->st);
	return 0;
}

int ctr_oci_start(const char *root, const char *id, struct ctr_error *err)
{
	_cleanup_(loaded_free) struct loaded l;
	_cleanup_close_ int fd = -1;
	int r;

	r = load(root, id, &l, err);
	if (r < 0)
		return r;
	if (l.status != CTR_OCI_CREATED)
		return ctr_error_set(err, EINVAL,
				     "cannot start container %s: it is %s, not created", id,
				     ctr_oci_status_name(l.status));
	fd = openat(l.dirfd, CTR_OCI_FIFO_FILE, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return ctr_error_errno(err, errno, "cannot start container %s: open exec.fifo", id);
	/* Unlinked first: a second start finds no fifo, and `state` says running. */
	if (unlinkat(l.dirfd, CTR_OCI_FIFO_FILE, 0) < 0)
		return ctr_error_errno(err, errno, "cannot start container %s: unlink exec.fifo",
				       id);
	r = ctr_write_all(fd, "s", 1);
	if (r < 0)
		return ctr_error_errno(err, -r, "start container %s: write exec.fifo", id);
	return 0;
}

int ctr_oci_state(const char *root, const char *id, json_t **ret, struct ctr_error *err)
{
	_cleanup_(loaded_free) struct loaded l;
	int r;

	r = load(root, id, &l, err);
	if (r < 0)
		return r;
	*ret = ctr_oci_state_json(l.st, l.status);
	if (!*ret)
		return ctr_error_errno(err, ENOMEM, "state");
	if (ctr_mutant("state-wrong-pid") && l.status != CTR_OCI_STOPPED)
		json_object_set_new(*ret, "pid", json_integer(getpid()));
	return 0;
}

/* A pidfd of the init, checked to be the same process as at create (not a reused pid). */
static int open_init(const struct loaded *l, int *ret, struct ctr_error *err)
{
	_cleanup_close_ int fd = (int)syscall(SYS_pidfd_open, l->st->pid, 0);
	uint64_t start;
	char state;

	if (fd < 0 && errno == ESRCH)
		return ctr_error_set(err, ESRCH, "container %s is not running", l->st->id);
	if (fd < 0)
		return ctr_error_errno(err, errno, "pidfd_open %d", (int)l->st->pid);
	if (ctr_oci_proc_stat(l->st->pid, &start, &state) < 0 || start != l->st->start_time ||
	    state == 'Z')
		return ctr_error_set(err, ESRCH, "container %s is not running", l->st->id);
	*ret = TAKE_FD(fd);
	return 0;
}

int ctr_oci_kill(const char *root, const char *id, int sig, struct ctr_error *err)
{
	_cleanup_(loaded_free) struct loaded l;
	_cleanup_close_ int pidfd = -1;
	int r;

	r = load(root, id, &l, err);
	if (r < 0)
		return r;
	if (l.status == CTR_OCI_STOPPED)
		return ctr_error_set(err, ESRCH, "container %s is not running", id);
	r = open_init(&l, &pidfd, err);
	if (r < 0)
		return r;
	if (ctr_mutant("kill-ignores-signal"))
		return 0;
	if (syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0) < 0)
		return ctr_error_errno(err, errno, "kill container %s", id);
	return 0;
}

static int kill_and_wait(const struct loaded *l, struct ctr_error *err)
{
	_cleanup_close_ int pidfd = -1;
	struct pollfd p;
	int r;

	r = open_init(l, &pidfd, err);
	if (r == -ESRCH)
		return 0;
	if (r < 0)
		return r;
	if (syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, NULL, 0) < 0 && errno != ESRCH)
		return ctr_error_errno(err, errno, "kill container %s", l->st->id);
	/* A pidfd polls readable once the process has exited (pidfd_open(2)). */
	p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	do
		r = poll(&p, 1, KILL_WAIT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return ctr_error_set(err, ETIMEDOUT, "container %s did not die within %d ms",
				     l->st->id, KILL_WAIT_MS);
	return 0;
}

static int delete_loaded(struct loaded *l, const char *id, struct ctr_error *warn,
			 struct ctr_error *err)
{
	_cleanup_free_ char *buf = NULL;
	struct ctr_oci_config *cfg = NULL;
	size_t len;
	int r;

	if (l->st->cgroup && !ctr_mutant("delete-leaves-cgroup")) {
		struct ctr_cgroup *cg = NULL;

		r = ctr_cgroup_open(l->st->cgroup, &cg, err);
		if (r == -ENOENT) {
			r = 0;
		} else if (r >= 0) {
			r = ctr_cgroup_destroy(cg, CTR_CGROUP_DRAIN_MS, err);
			ctr_cgroup_free(cg);
		}
		if (r < 0)
			return ctr_error_prefix(err, "delete container %s: cgroup", id);
	}
	/* The copy made at create time, not the bundle's, which may have changed since. */
	if (ctr_oci_config_read(l->dirfd, CTR_OCI_CONFIG_FILE, &buf, &len, warn) >= 0 &&
	    ctr_oci_config_parse(buf, len, &cfg, warn) >= 0) {
		run_hooks(&cfg->poststop, "poststop", l->st, CTR_OCI_STOPPED, warn);
		ctr_oci_config_free(cfg);
	}
	ctr_oci_dir_remove(l->rootfd, id);
	return 0;
}

int ctr_oci_delete(const char *root, const char *id, bool force, struct ctr_error *warn,
		   struct ctr_error *err)
{
	_cleanup_(loaded_free) struct loaded l;
	int r;

	r = load(root, id, &l, err);
	if (r < 0)
		return r;
	if (l.status != CTR_OCI_STOPPED) {
		if (!force)
			return ctr_error_set(err, EBUSY,
					     "cannot delete container %s: it is %s (stop it "
					     "first, or use --force)",
					     id, ctr_oci_status_name(l.status));
		r = kill_and_wait(&l, err);
		if (r < 0)
			return r;
	}
	return delete_loaded(&l, id, warn, err);
}

int ctr_oci_run(const struct ctr_oci_create_opts *o, int *ret_status, struct ctr_error *warn,
		struct ctr_error *err)
{
	struct created c = { .sp = CTR_SPAWN_INIT, .rootfd = -1, .dirfd = -1 };
	struct loaded l = { .rootfd = -1, .dirfd = -1 };
	int r;

	r = do_create(o, &c, err);
	if (r < 0)
		goto fail;
	r = ctr_oci_start(o->root, o->id, err);
	if (r < 0)
		goto fail;
	r = ctr_spawn_wait(&c.sp, ret_status, err);
	if (r < 0)
		goto fail;
	oci_cgroup_forget(&c.cg);
	l.rootfd = TAKE_FD(c.rootfd);
	l.dirfd = TAKE_FD(c.dirfd);
	l.st = calloc(1, sizeof(*l.st));
	if (l.st) {
		*l.st = c.st;
		l.st->id = strdup(o->id);
		l.st->annotations = json_incref(c.st.annotations);
		c.st = (struct ctr_oci_state){ 0 };
	}
	ctr_spawn_destroy(&c.sp);
	created_free(&c);
	if (!l.st || !l.st->id) {
		loaded_free(&l);
		return ctr_error_errno(err, ENOMEM, "delete container %s", o->id);
	}
	r = delete_loaded(&l, o->id, warn, err);
	loaded_free(&l);
	return r;
fail:
	created_undo(&c, o->root, o->id);
	created_free(&c);
	return r;
}

/* --- features (features.md) --- */

json_t *ctr_oci_features(void)
{
	static const char *const ns_names[] = { "cgroup", "ipc",  "mount", "network",
						"pid",	  "time", "user",  "uts" };
	static const char *const hooks[] = { "prestart", "createRuntime", "poststop" };
	json_t *f, *opts, *caps, *ns, *h, *lx;

	f = json_pack("{s:s, s:s}", "ociVersionMin", "1.0.0", "ociVersionMax", "1.1.0");
	opts = json_array();
	caps = json_array();
	ns = json_array();
	h = json_array();
	if (!f || !opts || !caps || !ns || !h)
		goto oom;
	for (const char *const *w = ctr_oci_mount_option_words(); *w; w++)
		json_array_append_new(opts, json_string(*w));
	for (unsigned int i = 0; i < ctr_oci_cap_count(); i++)
		json_array_append_new(caps, json_string(ctr_oci_cap_name(i)));
	for (size_t i = 0; i < CTR_ARRAY_SIZE(ns_names); i++)
		json_array_append_new(ns, json_string(ns_names[i]));
	for (size_t i = 0; i < CTR_ARRAY_SIZE(hooks); i++)
		json_array_append_new(h, json_string(hooks[i]));
	json_object_set_new(f, "hooks", h);
	json_object_set_new(f, "mountOptions", opts);
	lx = json_pack("{s:o, s:o, s:{s:b, s:b, s:b}, s:{s:b}, s:{s:b}, s:{s:b}}", "namespaces", ns,
		       "capabilities", caps, "cgroup", "v1", 0, "v2", 1, "systemd", 0, "seccomp",
		       "enabled", 0, "apparmor", "enabled", 0, "selinux", "enabled", 0);
	if (!lx) {
		json_decref(f);
		return NULL;
	}
	json_object_set_new(f, "linux", lx);
	json_object_set_new(f, "annotations",
			    json_pack("{s:s}", "org.isolab.contain.terminal", "unsupported"));
	return f;
oom:
	json_decref(f);
	json_decref(opts);
	json_decref(caps);
	json_decref(ns);
	json_decref(h);
	return NULL;
}
