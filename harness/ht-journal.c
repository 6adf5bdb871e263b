// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The resource journal (interface and entry kinds in ht-journal.h): writing
 * entries, telling dead runs from live ones, and undoing what a run left
 * behind, newest entry first. The undo step of each kind is in
 * ht-journal-undo.c.
 *
 * Liveness is an flock(2) on the journal file. flock(2) locks belong to the
 * open file description, and fork(2) shares descriptions, so a test child
 * that outlived a SIGKILLed `isolab` would keep the run "alive" forever and
 * block its reaping (the pgrp entries exist precisely to kill such
 * children). So the lock sits on a second description of the same file,
 * which a pthread_atfork(3) child handler closes in every forked child: only
 * the process that opened the journal holds the lock. The append descriptor
 * (ht_journal_fd) stays shared with children, which is what they write to.
 * (A child holds the lock from fork(2) until it first runs its handler, and
 * one made by a raw clone(2) keeps it: the run then looks alive, the safe
 * way to be wrong, and the next reap takes it.)
 */
#include "config.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "ht-journal-undo.h"
#include "ht-journal.h"
#include "ht-util.h"

#define STATE_DIR_DEFAULT "/run/isolab"
#define RUN_ID_LEN	  8
#define MAX_OPEN_JOURNALS 64

struct ht_journal {
	int fd;	     /* O_APPEND, shared with forked children */
	int lock_fd; /* holds the flock(2); closed in forked children */
	pid_t owner;
	char *path;
	char run_id[16];
};

/* ---- lock descriptors closed in forked children ---------------------- */

static pthread_mutex_t lock_fds_mutex = PTHREAD_MUTEX_INITIALIZER;
static int lock_fds[MAX_OPEN_JOURNALS];
static size_t n_lock_fds;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;

static void atfork_prepare(void)
{
	pthread_mutex_lock(&lock_fds_mutex);
}

static void atfork_parent(void)
{
	pthread_mutex_unlock(&lock_fds_mutex);
}

static void atfork_child(void)
{
	for (size_t i = 0; i < n_lock_fds; i++)
		close(lock_fds[i]);
	n_lock_fds = 0;
	pthread_mutex_unlock(&lock_fds_mutex);
}

static void atfork_register(void)
{
	pthread_atfork(atfork_prepare, atfork_parent, atfork_child);
}

static int lock_fd_track(int fd)
{
	int r = 0;

	pthread_once(&atfork_once, atfork_register);
	pthread_mutex_lock(&lock_fds_mutex);
	if (n_lock_fds < MAX_OPEN_JOURNALS)
		lock_fds[n_lock_fds++] = fd;
	else
		r = -EMFILE;
	pthread_mutex_unlock(&lock_fds_mutex);
	return r;
}

static void lock_fd_untrack(int fd)
{
	pthread_mutex_lock(&lock_fds_mutex);
	for (size_t i = 0; i < n_lock_fds; i++)
		if (lock_fds[i] == fd) {
			lock_fds[i] = lock_fds[--n_lock_fds];
			break;
		}
	pthread_mutex_unlock(&lock_fds_mutex);
}

/* ---- small helpers ----------------------------------------------------- */

static void say(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *out, const char *fmt, ...)
{
	va_list ap;

	if (!out)
		return;
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fflush(out);
}

/* ---- entry kinds ------------------------------------------------------- */

static bool valid_path(const char *s)
{
	const char *c;

	if (s[0] != '/')
		return false;
	for (c = s; *c; c++)
		if (c[0] == '/' && c[1] == '.' && c[2] == '.' && (c[3] == '/' || c[3] == '\0'))
			return false;
	return strlen(s) < PATH_MAX;
}

#define ALPHA "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

static bool valid_field(enum field_type type, const char *s)
{
	static const char *const families[] = { "ip", "ip6", "inet", "arp", "bridge", "netdev" };
	size_t n = strlen(s);

	if (strpbrk(s, "\t\n"))
		return false;
	switch (type) {
	case F_PATH:
		return valid_path(s);
	case F_NETNS:
		return strcmp(s, "-") == 0 || valid_path(s);
	case F_UINT:
		return n > 0 && n <= 20 && strspn(s, "0123456789") == n;
	case F_IFNAME:
		/* dev_valid_name() in net/core/dev.c */
		return n > 0 && n < 16 && strcmp(s, ".") != 0 && strcmp(s, "..") != 0 &&
		       !strpbrk(s, "/: \r\v\f");
	case F_NFT_FAMILY:
		for (size_t i = 0; i < HT_ARRAY_SIZE(families); i++)
			if (strcmp(s, families[i]) == 0)
				return true;
		return false;
	case F_NFT_NAME:
		/* It is pasted into an nft command: an identifier that needs no quoting. */
		return n > 0 && n < 256 && strchr(ALPHA "_", s[0]) &&
		       strspn(s, ALPHA "_0123456789.-") == n;
	case F_SYSCTL_KEY:
		return n > 0 && n < 256 && s[0] != '.' && s[n - 1] != '.' && !strstr(s, "..") &&
		       !strpbrk(s, "/ \r\v\f");
	case F_TEXT:
		return true;
	case F_RUN_ID:
		return n > 0 && n < 16 && strspn(s, "0123456789abcdef") == n;
	}
	return false;
}

static const struct kind_desc kinds[] = {
	{ "run", 3, { F_RUN_ID, F_UINT, F_UINT }, NULL },
	{ "cgroup", 1, { F_PATH }, ht_undo_cgroup },
	{ "pgrp", 2, { F_UINT, F_UINT }, ht_undo_pgrp },
	{ "mount", 1, { F_PATH }, ht_undo_mount },
	{ "netns", 1, { F_PATH }, ht_undo_netns },
	{ "link", 2, { F_NETNS, F_IFNAME }, ht_undo_link },
	{ "nft", 3, { F_NETNS, F_NFT_FAMILY, F_NFT_NAME }, ht_undo_nft },
	{ "sysctl", 3, { F_NETNS, F_SYSCTL_KEY, F_TEXT }, ht_undo_sysctl },
	{ "dir", 1, { F_PATH }, ht_undo_dir },
	{ "tree", 1, { F_PATH }, ht_undo_tree },
	{ "file", 1, { F_PATH }, ht_undo_file },
};

static const struct kind_desc *kind_find(const char *name)
{
	for (size_t i = 0; i < HT_ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].name, name) == 0)
			return &kinds[i];
	return NULL;
}

/* ---- parsing and the undo loop ---------------------------------------- */

static void entry_describe(const struct entry *e, char *buf, size_t len)
{
	int o = snprintf(buf, len, "%s", e->kind->name);

	for (unsigned i = 0; i < e->kind->n_fields && o >= 0 && (size_t)o < len; i++)
		o += snprintf(buf + o, len - (size_t)o, " %s", e->field[i]);
}

/* Split one line (modified in place) into e; on failure e->kind is NULL and e->error says why. */
static void entry_parse(char *line, unsigned lineno, struct entry *e)
{
	const struct kind_desc *k;
	char *f[4] = { NULL };
	unsigned nf = 0;
	char *tab;

	memset(e, 0, sizeof(*e));
	e->line = lineno;
	f[nf++] = line;
	while ((tab = strchr(f[nf - 1], '\t'))) {
		*tab = '\0';
		if (nf == HT_ARRAY_SIZE(f)) {
			e->error = ht_xstrdup("too many fields");
			return;
		}
		f[nf++] = tab + 1;
	}
	k = kind_find(f[0]);
	if (!k) {
		e->error = ht_xasprintf("unknown kind \"%.32s\"", f[0]);
		return;
	}
	if (nf - 1 != k->n_fields) {
		e->error =
			ht_xasprintf("%s takes %u fields, found %u", k->name, k->n_fields, nf - 1);
		return;
	}
	for (unsigned i = 0; i < k->n_fields; i++) {
		if (!valid_field(k->types[i], f[i + 1])) {
			e->error = ht_xasprintf("%s: bad field %u \"%.64s\"", k->name, i + 1,
						f[i + 1]);
			return;
		}
		e->field[i] = f[i + 1];
	}
	e->kind = k;
}

/*
 * Remove the run's scratch directory <state>/runs/<id> if it is still there:
 * it normally has a `tree` entry of its own (`covered`), but a run killed
 * before journaling it leaves it unlisted. Returns the number of failures.
 */
static int remove_run_dir(const char *dir, bool covered, FILE *out, bool dry_run)
{
	_cleanup_free_ char *cause = NULL;
	struct stat st;
	int r;

	if (lstat(dir, &st) < 0)
		return 0;
	if (dry_run) {
		if (!covered)
			say(out, "would undo tree %s\n", dir);
		return 0;
	}
	r = ht_undo_tree_path(dir, &cause);
	if (r < 0) {
		say(out, "failed to undo tree %s: %s\n", dir, cause ? cause : ht_errno_name(r));
		return 1;
	}
	if (r > 0)
		say(out, "undone tree %s\n", dir);
	return 0;
}

static bool is_run_dir(const struct entry *e, const char *run_dir)
{
	return run_dir && e->kind && strcmp(e->kind->name, "tree") == 0 &&
	       strcmp(e->field[0], run_dir) == 0;
}

/*
 * Undo the entries in buf (the whole journal text), newest first, then the
 * run's scratch directory run_dir (may be NULL) once all of them are undone.
 * With quiet_gone, entries already gone print nothing (the normal end of a
 * run). Returns the number of failures.
 */
static int undo_buffer(char *buf, size_t len, const char *label, const char *run_dir, FILE *out,
		       bool dry_run, bool quiet_gone)
{
	_cleanup_free_ struct entry *entries = NULL;
	size_t n = 0, cap = 0;
	unsigned lineno = 0;
	int failures = 0;
	bool covered = false;
	char *line = buf;

	if (len > 0 && buf[len - 1] != '\n') {
		char *last = memrchr(buf, '\n', len);
		unsigned total = 1;

		for (char *c = buf; c < buf + len; c++)
			total += *c == '\n';
		/*
		 * The writer died inside its write(2): it never went on to create
		 * the resource, so there is nothing to undo for that line.
		 */
		say(out, "ignoring truncated last line %u of %s (the run died while writing it)\n",
		    total, label);
		if (last)
			last[1] = '\0';
		else
			buf[0] = '\0';
	}
	while (*line) {
		char *nl = strchr(line, '\n');

		*nl = '\0';
		lineno++;
		if (*line) {
			if (n == cap) {
				cap = cap ? 2 * cap : 32;
				entries = ht_xrealloc(entries, cap * sizeof(*entries));
			}
			entry_parse(line, lineno, &entries[n]);
			covered |= is_run_dir(&entries[n], run_dir);
			n++;
		}
		line = nl + 1;
	}

	for (size_t i = n; i-- > 0;) {
		struct entry *e = &entries[i];
		_cleanup_free_ char *cause = NULL;
		char desc[3 * PATH_MAX];
		int r;

		if (!e->kind) {
			say(out, "failed to undo line %u of %s: malformed entry: %s\n", e->line,
			    label, e->error);
			free(e->error);
			failures++;
			continue;
		}
		if (!e->kind->undo)
			continue;
		entry_describe(e, desc, sizeof(desc));
		if (dry_run) {
			say(out, "would undo %s\n", desc);
			continue;
		}
		r = e->kind->undo(e, &cause);
		if (r < 0) {
			say(out, "failed to undo %s: %s\n", desc, cause ? cause : ht_errno_name(r));
			failures++;
		} else if (r > 0) {
			/* At the end of a run, removing its own scratch dir is no leak. */
			if (!quiet_gone || !is_run_dir(e, run_dir))
				say(out, "undone %s\n", desc);
		} else if (!quiet_gone) {
			say(out, "undone %s (already gone)\n", desc);
		}
	}
	if (run_dir && failures == 0)
		failures += remove_run_dir(run_dir, covered, out, dry_run);
	return failures;
}

static int undo_fd(int fd, const char *label, const char *run_id, FILE *out, bool dry_run,
		   bool quiet_gone)
{
	_cleanup_free_ char *run_dir = NULL;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	int r;

	r = ht_read_fd(fd, &buf, &len);
	if (r < 0)
		return r;
	/* A NUL byte would end the text early: treat the file as corrupt, never crash. */
	if (memchr(buf, '\0', len)) {
		say(out, "failed to undo %s: it contains NUL bytes\n", label);
		return 1;
	}
	if (run_id)
		run_dir = ht_xasprintf("%s/runs/%s", ht_state_dir(), run_id);
	return undo_buffer(buf, len, label, run_dir, out, dry_run, quiet_gone);
}

int ht_journal_undo_file(const char *path, FILE *out, bool dry_run)
{
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	return undo_fd(fd, path, NULL, out, dry_run, false);
}

/* ---- journal files ----------------------------------------------------- */

const char *ht_state_dir(void)
{
	const char *s = getenv("ISOLAB_STATE_DIR");

	return s && *s ? s : STATE_DIR_DEFAULT;
}

static int mkdir_p(const char *path, mode_t mode)
{
	_cleanup_free_ char *p = ht_xstrdup(path);

	for (char *c = p + 1;; c++) {
		if (*c == '/' || *c == '\0') {
			char saved = *c;

			*c = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST)
				return -errno;
			*c = saved;
			if (!saved)
				break;
		}
	}
	return 0;
}

/* Is the process in the journal header ("run <id> <pid> <starttime>") gone? */
static bool journal_owner_dead(int fd)
{
	unsigned long long want, got;
	char buf[128];
	ssize_t n;
	int pid, r;

	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	if (sscanf(buf, "run\t%*[0-9a-f]\t%d\t%llu\n", &pid, &want) != 2 || pid <= 0)
		return false;
	r = ht_proc_starttime(pid, &got);
	if (r < 0)
		return r == -ENOENT || r == -ESRCH;
	return got != want;
}

static bool valid_run_id(const char *s)
{
	return strlen(s) == RUN_ID_LEN && strspn(s, "0123456789abcdef") == RUN_ID_LEN;
}

void ht_journal_free(struct ht_journal *j)
{
	if (!j)
		return;
	/* In a forked child, atfork_child() closed lock_fd already: its number may be reused. */
	if (j->lock_fd >= 0 && j->owner == getpid()) {
		lock_fd_untrack(j->lock_fd);
		close(j->lock_fd);
	}
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
}

const char *ht_journal_path(const struct ht_journal *j)
{
	return j ? j->path : NULL;
}

int ht_journal_fd(const struct ht_journal *j)
{
	return j ? j->fd : -EBADF;
}

static int journal_write_line(int fd, const char *kind, const char *const *fields, unsigned n)
{
	_cleanup_free_ char *line = NULL;
	size_t len = strlen(kind) + 2, o;
	ssize_t w;

	for (unsigned i = 0; i < n; i++)
		len += strlen(fields[i]) + 1;
	line = ht_xmalloc(len);
	o = (size_t)sprintf(line, "%s", kind);
	for (unsigned i = 0; i < n; i++)
		o += (size_t)sprintf(line + o, "\t%s", fields[i]);
	line[o++] = '\n';

	/*
	 * One write(2) on an O_APPEND descriptor: the kernel positions and
	 * copies it under the inode lock, so lines of concurrent writers
	 * (forked tests, the runtime) never interleave.
	 */
	do
		w = write(fd, line, o);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	if ((size_t)w != o) {
		/* End the fragment so the next entry starts on a line of its own. */
		(void)!write(fd, "\n", 1);
		return -EIO;
	}
	return 0;
}

int ht_journal_append(int journal_fd, const char *kind, const char *a, const char *b, const char *c)
{
	const char *fields[3] = { a, b, c };
	const struct kind_desc *k;
	unsigned n = 0;

	if (journal_fd < 0)
		return -EBADF;
	if (!kind)
		return -EINVAL;
	k = kind_find(kind);
	/* The run header is written by ht_journal_open() only. */
	if (!k || !k->undo)
		return -EINVAL;
	while (n < 3 && fields[n])
		n++;
	for (unsigned i = n; i < 3; i++)
		if (fields[i])
			return -EINVAL;
	if (n != k->n_fields)
		return -EINVAL;
	for (unsigned i = 0; i < n; i++)
		if (!valid_field(k->types[i], fields[i]))
			return -EINVAL;
	return journal_write_line(journal_fd, kind, fields, n);
}

int ht_journal_open(struct ht_journal **ret, char ret_run_id[16])
{
	_cleanup_free_ char *jdir = NULL;
	unsigned long long starttime = 0;
	int r;

	/*
	 * Traversable but not listable (0711): tests in user namespaces run as
	 * an unprivileged mapped uid and must reach their scratch dirs under
	 * runs/; the journals stay private (0700). An older 0700 state dir of
	 * ours is opened up the same way.
	 */
	r = mkdir_p(ht_state_dir(), 0711);
	if (r < 0)
		return r;
	{
		struct stat st;

		if (stat(ht_state_dir(), &st) == 0 && st.st_uid == getuid() &&
		    (st.st_mode & 07777) == 0700)
			chmod(ht_state_dir(), 0711);
	}
	jdir = ht_xasprintf("%s/journal", ht_state_dir());
	if (mkdir(jdir, 0700) < 0 && errno != EEXIST)
		return -errno;
	r = ht_proc_starttime(getpid(), &starttime);
	if (r < 0)
		return r;

	for (int attempt = 0; attempt < 16; attempt++) {
		_cleanup_free_ struct ht_journal *j = ht_xcalloc(1, sizeof(*j));
		_cleanup_free_ char *path = NULL, *pid = NULL, *st = NULL;
		_cleanup_close_ int fd = -1, lock_fd = -1;
		const char *header[3];
		struct stat s;
		uint32_t v;
		ssize_t got;

		got = getrandom(&v, sizeof(v), 0);
		if (got < 0)
			return -errno;
		if (got != sizeof(v))
			return -EIO;
		snprintf(j->run_id, sizeof(j->run_id), "%08x", v);
		path = ht_xasprintf("%s/%s", jdir, j->run_id);
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			  0600);
		if (fd < 0) {
			if (errno == EEXIST)
				continue;
			return -errno;
		}
		lock_fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (lock_fd < 0) {
			if (errno == ENOENT)
				continue;
			return -errno;
		}
		r = lock_fd_track(lock_fd);
		if (r < 0)
			return r;
		/*
		 * Between our create and this flock(2), a reaper may have found
		 * the empty file unlocked: it then holds the lock, or has
		 * already unlinked the file. Both mean: try another id.
		 */
		if (flock(lock_fd, LOCK_EX | LOCK_NB) < 0) {
			r = -errno;
			lock_fd_untrack(lock_fd);
			if (r == -EWOULDBLOCK)
				continue;
			unlink(path);
			return r;
		}
		if (fstat(lock_fd, &s) < 0 || s.st_nlink == 0) {
			lock_fd_untrack(lock_fd);
			continue;
		}
		pid = ht_xasprintf("%d", (int)getpid());
		st = ht_xasprintf("%llu", starttime);
		header[0] = j->run_id;
		header[1] = pid;
		header[2] = st;
		r = journal_write_line(fd, "run", header, 3);
		if (r < 0) {
			lock_fd_untrack(lock_fd);
			unlink(path);
			return r;
		}
		j->fd = TAKE_FD(fd);
		j->lock_fd = TAKE_FD(lock_fd);
		j->owner = getpid();
		j->path = TAKE_PTR(path);
		memcpy(ret_run_id, j->run_id, sizeof(j->run_id));
		*ret = TAKE_PTR(j);
		return 0;
	}
	return -EEXIST;
}

int ht_journal_reap_all(const struct ht_journal *self, FILE *out, bool dry_run,
			unsigned *ret_journals)
{
	_cleanup_free_ char *jdir = ht_xasprintf("%s/journal", ht_state_dir());
	_cleanup_close_ int dfd = -1;
	char **names = NULL;
	size_t n = 0;
	unsigned journals = 0;
	int failures = 0;
	struct dirent *de;
	DIR *d;

	dfd = open(jdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		if (errno != ENOENT)
			return -errno;
		if (ret_journals)
			*ret_journals = 0;
		return 0;
	}
	d = opendir(jdir);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		if (!valid_run_id(de->d_name))
			continue;
		if (self && strcmp(de->d_name, self->run_id) == 0)
			continue;
		names = ht_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = ht_xstrdup(de->d_name);
	}
	closedir(d);

	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *label = ht_xasprintf("%s/%s", jdir, names[i]);
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;

		fd = openat(dfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		/* The owner finished between readdir and open: nothing left. */
		if (fd < 0 && errno == ENOENT)
			goto next;
		if (fd < 0) {
			say(out, "failed to read journal %s: %s\n", label, ht_errno_name(errno));
			failures++;
			goto next;
		}
		/* flock(2): the owner holds LOCK_EX for its whole life. */
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			if (errno != EWOULDBLOCK) {
				say(out, "failed to lock journal %s: %s\n", label,
				    ht_errno_name(errno));
				failures++;
			} else if (journal_owner_dead(fd)) {
				say(out,
				    "skipped journal %s: its run is dead but a process it forked "
				    "still holds the lock; reap again once it exits\n",
				    label);
			}
			goto next;
		}
		/* Unlinked while we waited: its owner closed it, or another reaper took it. */
		if (fstat(fd, &st) < 0 || st.st_nlink == 0)
			goto next;
		journals++;
		r = undo_fd(fd, label, names[i], out, dry_run, false);
		if (r < 0) {
			say(out, "failed to read journal %s: %s\n", label, ht_errno_name(r));
			failures++;
			goto next;
		}
		failures += r;
		/* Unlink while still holding the lock, so no other reaper replays it. */
		if (r == 0 && !dry_run && unlinkat(dfd, names[i], 0) < 0 && errno != ENOENT) {
			say(out, "failed to remove journal %s: %s\n", label, ht_errno_name(errno));
			failures++;
		}
next:
		free(names[i]);
	}
	free(names);
	if (ret_journals)
		*ret_journals = journals;
	return failures;
}

int ht_journal_close(struct ht_journal *j, FILE *out)
{
	int r;

	if (!j)
		return 0;
	/* A forked child only lets go of its copy; the run is the owner's to finish. */
	if (j->owner != getpid()) {
		ht_journal_free(j);
		return 0;
	}
	r = undo_fd(j->lock_fd, j->path, j->run_id, out, false, true);
	if (r == 0) {
		/* Unlink before the lock goes, as reapers do. */
		if (unlink(j->path) < 0 && errno != ENOENT)
			r = -errno;
	} else if (r > 0) {
		say(out, "kept journal %s: `isolab reap` will retry the %d failed entr%s\n",
		    j->path, r, r == 1 ? "y" : "ies");
	}
	ht_journal_free(j);
	return r;
}
