// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The initramfs archives of `isolab vm` (see ht-vm-initramfs.h).
 *
 * Both archives are built the same way: collect the entries in a tree
 * (path -> node), then write them sorted by path with libarchive's cpio
 * "newc" writer, owner 0:0, mtime 0 and inode numbers in that order, so the
 * same inputs give the same bytes. Sorting by path also puts every
 * directory before what it holds, as the kernel's unpacker needs
 * (init/initramfs.c creates each entry with a plain mkdir/open).
 *
 * The payload follows the host's loader to find what a dynamic ELF needs:
 * PT_INTERP, then each DT_NEEDED looked up along DT_RPATH/DT_RUNPATH,
 * ld.so.cache (as `ldconfig -p` prints it) and the default directories,
 * like ld.so(8) does. It reads the ELF rather than running ldd(1): ldd may
 * execute the program it is asked about (ldd(1), "Security"), and the
 * payload may carry a learner's runtime, which must only run in the guest.
 * Not modelled: LD_LIBRARY_PATH and LD_PRELOAD (the guest does not get the
 * host's environment), glibc-hwcaps subdirectories, $LIB and $PLATFORM, and
 * DT_RPATH inherited from the executable by its libraries.
 */
#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <fcntl.h>
#include <search.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "ht-proc.h"
#include "ht-util.h"
#include "ht-vm-initramfs.h"

/*
 * Loaded by the guest init in the order ht_vm_initramfs_base resolves them.
 * crc32c_generic: libcrc32c (needed by nf_tables and nf_conntrack) asks the
 * crypto API for "crc32c" when it loads, and its modprobe soft dependency
 * ("pre: crc32c", modules.softdep) is an alias the guest has no modprobe to
 * resolve, so the generic implementation goes first (without it, loading
 * libcrc32c fails with ENOENT, and nf_tables after it). The nft masquerade
 * rule of the network probe needs nft_chain_nat (the nat chain type) and
 * nft_masq; nf_nat and nf_conntrack come in as their dependencies, and the
 * meta expression (oifname) is part of nf_tables itself.
 */
const char *const ht_vm_guest_modules[] = {
	"virtio_pci", "virtio_console", "pvpanic_pci", "crc32c_generic", "veth",     "bridge",
	"overlay",    "loop",		"nf_tables",   "nft_chain_nat",	 "nft_masq", NULL,
};

/* ---- the tree ---- */

struct node {
	char *path;	      /* in the archive: no leading '/' */
	mode_t mode;	      /* file type and permission bits */
	char *host;	      /* regular file copied from the host when written */
	off_t size;	      /* its size when added */
	char *data;	      /* or held in memory (owned) */
	const char *ext_data; /* or borrowed from the caller */
	size_t len;
	char *target; /* symlink */
	unsigned rmajor, rminor;
	bool walked; /* directory: its host contents were added */
};

struct ldent {
	char *name, *path;
};

struct tree {
	void *index; /* tsearch(3) by path */
	struct node **v;
	size_t n, cap;
	struct ldent *ld; /* ld.so.cache entries, loaded on first use */
	size_t n_ld;
	bool ld_loaded;
};

static int node_cmp(const void *a, const void *b)
{
	return strcmp(((const struct node *)a)->path, ((const struct node *)b)->path);
}

static void node_free(struct node *n)
{
	if (!n)
		return;
	free(n->path);
	free(n->host);
	free(n->data);
	free(n->target);
	free(n);
}

static void no_free(void *p)
{
}

static void tree_done(struct tree *t)
{
	/* The index holds the same nodes as v: drop the index, then free the nodes. */
	tdestroy(t->index, no_free);
	for (size_t i = 0; i < t->n; i++)
		node_free(t->v[i]);
	free(t->v);
	for (size_t i = 0; i < t->n_ld; i++) {
		free(t->ld[i].name);
		free(t->ld[i].path);
	}
	free(t->ld);
	memset(t, 0, sizeof(*t));
}

static struct node *tree_get(struct tree *t, const char *path)
{
	struct node key = { .path = (char *)path };
	void *p = tfind(&key, &t->index, node_cmp);

	return p ? *(struct node **)p : NULL;
}

static const char *type_name(mode_t m)
{
	switch (m & S_IFMT) {
	case S_IFDIR:
		return "directory";
	case S_IFLNK:
		return "symlink";
	case S_IFCHR:
		return "device";
	default:
		return "file";
	}
}

/*
 * Add n (taking it) unless its path is there. The same directory, the same
 * symlink or the same host file added twice is one entry; anything else
 * at one path is a conflict. Sets *ret to the node that stays (may be NULL)
 * and returns 1 when n was added, 0 when it was already there.
 */
static int tree_put(struct tree *t, struct node *n, struct node **ret, char **err)
{
	struct node *old = tree_get(t, n->path);
	bool same;

	if (!old) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->v = ht_xrealloc(t->v, t->cap * sizeof(*t->v));
		}
		if (!tsearch(n, &t->index, node_cmp))
			abort();
		t->v[t->n++] = n;
		if (ret)
			*ret = n;
		return 1;
	}
	same = (old->mode & S_IFMT) == (n->mode & S_IFMT);
	if (same && S_ISLNK(n->mode))
		same = strcmp(old->target, n->target) == 0;
	else if (same && S_ISREG(n->mode))
		same = old->host && n->host && strcmp(old->host, n->host) == 0;
	if (!same) {
		int r = ht_set_cause(err, -EEXIST,
				     "/%s is in the archive twice: as a %s and as a %s", n->path,
				     type_name(old->mode), type_name(n->mode));

		node_free(n);
		return r;
	}
	node_free(n);
	if (ret)
		*ret = old;
	return 0;
}

static struct node *node_new(const char *path, mode_t mode)
{
	struct node *n = ht_xcalloc(1, sizeof(*n));

	n->path = ht_xstrdup(path);
	n->mode = mode;
	return n;
}

/* A directory (kept: the one that stays); 0 or -errno. */
static int tree_dir(struct tree *t, const char *path, mode_t perm, struct node **kept, char **err)
{
	int r = tree_put(t, node_new(path, S_IFDIR | (perm & 07777)), kept, err);

	return r < 0 ? r : 0;
}

/* Directories (0755) for every parent of path that the tree lacks. */
static int tree_parents(struct tree *t, const char *path, char **err)
{
	_cleanup_free_ char *p = ht_xstrdup(path);

	for (char *s = strchr(p, '/'); s; s = strchr(s + 1, '/')) {
		struct node *have;
		int r;

		*s = '\0';
		have = tree_get(t, p);
		if (have && !S_ISDIR(have->mode))
			return ht_set_cause(err, -ENOTDIR,
					    "/%s: its parent /%s is a %s in the archive", path, p,
					    type_name(have->mode));
		if (!have) {
			r = tree_dir(t, p, 0755, NULL, err);
			if (r < 0)
				return r;
		}
		*s = '/';
	}
	return 0;
}

static int tree_symlink(struct tree *t, const char *path, const char *target, char **err)
{
	struct node *n = node_new(path, S_IFLNK | 0777);
	int r;

	n->target = ht_xstrdup(target);
	r = tree_put(t, n, NULL, err);
	return r < 0 ? r : 0;
}

/* ---- writing ---- */

static int cmp_node_ptr(const void *a, const void *b)
{
	return strcmp((*(struct node *const *)a)->path, (*(struct node *const *)b)->path);
}

static int write_host_file(struct archive *a, const struct node *n, char **err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = ht_xmalloc(1 << 20);
	off_t left = n->size;
	struct stat st;

	fd = open(n->host, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return ht_set_cause(err, -errno, "open %s: %s", n->host, ht_errno_name(errno));
	if (fstat(fd, &st) < 0)
		return ht_set_cause(err, -errno, "stat %s: %s", n->host, ht_errno_name(errno));
	if (st.st_size != n->size)
		return ht_set_cause(err, -EAGAIN, "%s changed size while the archive was written",
				    n->host);
	while (left > 0) {
		size_t want = left < (1 << 20) ? (size_t)left : (1 << 20);
		ssize_t got = read(fd, buf, want);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return ht_set_cause(err, -errno, "read %s: %s", n->host,
					    ht_errno_name(errno));
		if (got == 0)
			return ht_set_cause(err, -EAGAIN, "%s shrank while the archive was written",
					    n->host);
		if (archive_write_data(a, buf, (size_t)got) != got)
			return ht_set_cause(err, -EIO, "write /%s: %s", n->path,
					    archive_error_string(a));
		left -= got;
	}
	return 0;
}

static int write_node(struct archive *a, const struct node *n, size_t ino, char **err)
{
	struct archive_entry *e = archive_entry_new();
	const char *data = n->data ? n->data : n->ext_data;
	int r = 0;

	if (!e)
		abort();
	archive_entry_set_pathname(e, n->path);
	archive_entry_set_mode(e, n->mode);
	archive_entry_set_uid(e, 0);
	archive_entry_set_gid(e, 0);
	archive_entry_set_mtime(e, 0, 0);
	archive_entry_set_ino64(e, (la_int64_t)ino);
	archive_entry_set_nlink(e, S_ISDIR(n->mode) ? 2 : 1);
	if (S_ISLNK(n->mode))
		archive_entry_set_symlink(e, n->target);
	else if (S_ISCHR(n->mode))
		archive_entry_set_rdev(e, makedev(n->rmajor, n->rminor));
	if (S_ISREG(n->mode))
		archive_entry_set_size(e, n->host ? n->size : (la_int64_t)n->len);
	else
		archive_entry_set_size(e, 0); /* the newc writer stores a symlink's target itself */
	if (archive_write_header(a, e) < ARCHIVE_WARN) {
		r = ht_set_cause(err, -EIO, "write the header of /%s: %s", n->path,
				 archive_error_string(a));
		goto out;
	}
	if (S_ISREG(n->mode) && n->host)
		r = write_host_file(a, n, err);
	else if (S_ISREG(n->mode) && n->len &&
		 archive_write_data(a, data, n->len) != (la_ssize_t)n->len)
		r = ht_set_cause(err, -EIO, "write /%s: %s", n->path, archive_error_string(a));
out:
	archive_entry_free(e);
	return r;
}

static int tree_write(struct tree *t, const char *out_path, char **err)
{
	struct archive *a = archive_write_new();
	char *tmp = NULL;
	int fd = -1, r;

	if (!a)
		abort();
	qsort(t->v, t->n, sizeof(*t->v), cmp_node_ptr);
	r = ht_vm_atomic_open(out_path, &fd, &tmp, err);
	if (r < 0)
		goto out;
	/*
	 * newc is the one cpio format the kernel reads (buffer-format.rst).
	 * No padding after the trailer: the archive ends 4-byte aligned,
	 * which is all the unpacker needs between concatenated archives.
	 */
	if (archive_write_set_format_cpio_newc(a) != ARCHIVE_OK ||
	    archive_write_add_filter_none(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_per_block(a, 64 * 1024) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		r = ht_set_cause(err, -EIO, "libarchive: set up a cpio writer for %s: %s", out_path,
				 archive_error_string(a));
		goto out;
	}
	for (size_t i = 0; i < t->n && r == 0; i++)
		r = write_node(a, t->v[i], i + 1, err);
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = ht_set_cause(err, -EIO, "write %s: %s", out_path, archive_error_string(a));
out:
	archive_write_free(a);
	if (fd >= 0) {
		if (r < 0)
			ht_vm_atomic_abort(fd, tmp);
		else
			r = ht_vm_atomic_commit(fd, tmp, out_path, err);
	}
	return r;
}

/* ---- ELF ---- */

struct elf_info {
	bool elf; /* an ELF64 little-endian executable or shared object */
	uint16_t machine;
	char *interp;  /* PT_INTERP */
	char **needed; /* DT_NEEDED */
	size_t n_needed;
	char *rpath, *runpath;
};

static void elf_info_done(struct elf_info *e)
{
	free(e->interp);
	for (size_t i = 0; i < e->n_needed; i++)
		free(e->needed[i]);
	free(e->needed);
	free(e->rpath);
	free(e->runpath);
	memset(e, 0, sizeof(*e));
}

/* A NUL-terminated string at file offset off, or NULL when out of bounds. */
static char *elf_str(const unsigned char *b, size_t n, uint64_t off)
{
	const unsigned char *end;

	if (off >= n)
		return NULL;
	end = memchr(b + off, '\0', n - off);
	return end ? ht_xstrdup((const char *)b + off) : NULL;
}

/* The file offset of virtual address va, through the PT_LOAD segments. */
static bool elf_va_to_off(const Elf64_Phdr *ph, size_t nph, uint64_t va, uint64_t *ret)
{
	for (size_t i = 0; i < nph; i++)
		if (ph[i].p_type == PT_LOAD && va >= ph[i].p_vaddr &&
		    va - ph[i].p_vaddr < ph[i].p_filesz) {
			*ret = va - ph[i].p_vaddr + ph[i].p_offset;
			return true;
		}
	return false;
}

/*
 * What the loader needs for an ELF (elf(5)): PT_INTERP, and from PT_DYNAMIC
 * DT_NEEDED, DT_RPATH and DT_RUNPATH, all offsets into DT_STRTAB. Anything
 * that is not an ELF64 little-endian ET_EXEC/ET_DYN leaves ret->elf false.
 */
static int elf_read_mem(const unsigned char *b, size_t n, struct elf_info *ret)
{
	Elf64_Ehdr eh;
	_cleanup_free_ Elf64_Phdr *ph = NULL;
	uint64_t strtab = 0, strsz = 0, stroff;
	const Elf64_Phdr *dyn = NULL;

	memset(ret, 0, sizeof(*ret));
	if (n < sizeof(eh) || memcmp(b, ELFMAG, SELFMAG) != 0)
		return 0;
	memcpy(&eh, b, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    (eh.e_type != ET_EXEC && eh.e_type != ET_DYN) || eh.e_phentsize != sizeof(Elf64_Phdr) ||
	    eh.e_phoff > n || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > n - eh.e_phoff)
		return 0;
	ret->elf = true;
	ret->machine = eh.e_machine;
	ph = ht_xcalloc(eh.e_phnum, sizeof(*ph));
	memcpy(ph, b + eh.e_phoff, (size_t)eh.e_phnum * sizeof(*ph));
	for (size_t i = 0; i < eh.e_phnum; i++) {
		if (ph[i].p_type == PT_INTERP && !ret->interp)
			ret->interp = elf_str(b, n, ph[i].p_offset);
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = &ph[i];
	}
	if (!dyn || dyn->p_offset > n || dyn->p_filesz > n - dyn->p_offset)
		return 0;
	for (size_t pass = 0; pass < 2; pass++)
		for (uint64_t at = dyn->p_offset;
		     at + sizeof(Elf64_Dyn) <= dyn->p_offset + dyn->p_filesz;
		     at += sizeof(Elf64_Dyn)) {
			Elf64_Dyn d;
			char *s;

			memcpy(&d, b + at, sizeof(d));
			if (d.d_tag == DT_NULL)
				break;
			if (pass == 0) {
				if (d.d_tag == DT_STRTAB)
					strtab = d.d_un.d_ptr;
				else if (d.d_tag == DT_STRSZ)
					strsz = d.d_un.d_val;
				continue;
			}
			if (d.d_tag != DT_NEEDED && d.d_tag != DT_RPATH && d.d_tag != DT_RUNPATH)
				continue;
			if (!elf_va_to_off(ph, eh.e_phnum, strtab, &stroff) ||
			    d.d_un.d_val >= strsz)
				continue;
			s = elf_str(b, n, stroff + d.d_un.d_val);
			if (!s)
				continue;
			if (d.d_tag == DT_NEEDED) {
				ret->needed = ht_xrealloc(ret->needed,
							  (ret->n_needed + 1) * sizeof(char *));
				ret->needed[ret->n_needed++] = s;
			} else if (d.d_tag == DT_RPATH && !ret->rpath) {
				ret->rpath = s;
			} else if (d.d_tag == DT_RUNPATH && !ret->runpath) {
				ret->runpath = s;
			} else {
				free(s);
			}
		}
	return 0;
}

static int elf_read(const char *path, struct elf_info *ret, char **err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	unsigned char magic[SELFMAG];
	struct stat st;
	void *m;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (fd < 0)
		return ht_set_cause(err, -errno, "open %s: %s", path, ht_errno_name(errno));
	if (fstat(fd, &st) < 0)
		return ht_set_cause(err, -errno, "stat %s: %s", path, ht_errno_name(errno));
	if (!S_ISREG(st.st_mode) || st.st_size < (off_t)sizeof(Elf64_Ehdr) ||
	    pread(fd, magic, sizeof(magic), 0) != (ssize_t)sizeof(magic) ||
	    memcmp(magic, ELFMAG, SELFMAG) != 0)
		return 0;
	m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED)
		return ht_set_cause(err, -errno, "mmap %s: %s", path, ht_errno_name(errno));
	r = elf_read_mem(m, (size_t)st.st_size, ret);
	munmap(m, (size_t)st.st_size);
	return r;
}

/* The library is an ELF64 for the same machine (the loader skips others). */
static bool elf_compatible(const char *path, uint16_t machine)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	Elf64_Ehdr eh;

	if (fd < 0 || pread(fd, &eh, sizeof(eh), 0) != (ssize_t)sizeof(eh))
		return false;
	return memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64 &&
	       eh.e_machine == machine;
}

/*
 * The host's ld.so.cache as `ldconfig -p` prints it ("\tNAME (FLAGS) =>
 * PATH"). Without ldconfig the default directories still apply, as for the
 * loader without a cache.
 */
static void ld_cache_load(struct tree *t)
{
	const char *tool = access("/sbin/ldconfig", X_OK) == 0	   ? "/sbin/ldconfig" :
			   access("/usr/sbin/ldconfig", X_OK) == 0 ? "/usr/sbin/ldconfig" :
								     "ldconfig";
	const char *argv[] = { tool, "-p", NULL };
	struct ht_proc p;
	char *save = NULL;

	t->ld_loaded = true;
	if (ht_proc_run(&p, argv, NULL) < 0 || p.exit_code != 0) {
		ht_proc_free(&p);
		return;
	}
	for (char *l = strtok_r(p.out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *arrow = strstr(l, " => "), *paren;

		if (l[0] != '\t' || !arrow)
			continue;
		paren = strstr(l, " (");
		if (!paren || paren > arrow)
			continue;
		t->ld = ht_xrealloc(t->ld, (t->n_ld + 1) * sizeof(*t->ld));
		t->ld[t->n_ld].name = ht_xasprintf("%.*s", (int)(paren - l - 1), l + 1);
		t->ld[t->n_ld].path = ht_xstrdup(arrow + 4);
		t->n_ld++;
	}
	ht_proc_free(&p);
}

/* dir/name when that is a compatible library; $ORIGIN expanded (ld.so(8)). */
static char *try_dir(const char *dir, size_t len, const char *origin, const char *name,
		     uint16_t machine)
{
	_cleanup_free_ char *d = ht_xasprintf("%.*s", (int)len, dir), *exp = NULL;
	char *cand, *o;

	o = strstr(d, "$ORIGIN");
	if (!o)
		o = strstr(d, "${ORIGIN}");
	if (o) {
		size_t tok = o[1] == '{' ? 9 : 7;

		exp = ht_xasprintf("%.*s%s%s", (int)(o - d), d, origin, o + tok);
		free(d);
		d = TAKE_PTR(exp);
	}
	/* $LIB, $PLATFORM or a relative entry: not something we can follow. */
	if (d[0] != '/' || strchr(d, '$'))
		return NULL;
	cand = ht_xasprintf("%s/%s", d, name);
	if (elf_compatible(cand, machine))
		return cand;
	free(cand);
	return NULL;
}

static char *search_path(const char *list, const char *origin, const char *name, uint16_t machine)
{
	for (const char *p = list; p && *p;) {
		size_t len = strcspn(p, ":");
		char *hit = len ? try_dir(p, len, origin, name, machine) : NULL;

		if (hit)
			return hit;
		p += len;
		if (*p == ':')
			p++;
	}
	return NULL;
}

/* ld.so(8) "the shared object is searched for": the order used there. */
static char *find_library(struct tree *t, const struct elf_info *obj, const char *origin,
			  const char *name)
{
	static const char *const defaults =
		"/lib/x86_64-linux-gnu:/usr/lib/x86_64-linux-gnu:/lib64:/usr/lib64:/lib:/usr/lib";
	char *hit = NULL;

	if (strchr(name, '/'))
		return name[0] == '/' && elf_compatible(name, obj->machine) ? ht_xstrdup(name) :
									      NULL;
	if (!obj->runpath)
		hit = search_path(obj->rpath, origin, name, obj->machine);
	if (!hit)
		hit = search_path(obj->runpath, origin, name, obj->machine);
	if (!hit) {
		if (!t->ld_loaded)
			ld_cache_load(t);
		for (size_t i = 0; i < t->n_ld && !hit; i++)
			if (strcmp(t->ld[i].name, name) == 0 &&
			    elf_compatible(t->ld[i].path, obj->machine))
				hit = ht_xstrdup(t->ld[i].path);
	}
	if (!hit)
		hit = search_path(defaults, origin, name, obj->machine);
	return hit;
}

/* ---- host paths ---- */

#if defined(__x86_64__)
#define HOST_MACHINE EM_X86_64
#elif defined(__aarch64__)
#define HOST_MACHINE EM_AARCH64
#else
#define HOST_MACHINE 0
#endif

static int add_host(struct tree *t, const char *abs, bool follow_final, char **err);

/* The interpreter and libraries of an ELF just added from the host path "/" + path. */
static int add_elf_deps(struct tree *t, const char *path, char **err)
{
	_cleanup_free_ char *host = ht_xasprintf("/%s", path), *origin = NULL;
	struct elf_info e;
	int r;

	r = elf_read(host, &e, err);
	/*
	 * An ELF for another machine (a cross-built artifact in a listed
	 * tree) is data here: the host's loader would not run it either.
	 */
	if (r < 0 || !e.elf || (HOST_MACHINE && e.machine != HOST_MACHINE))
		goto out;
	origin = ht_xstrdup(host);
	*strrchr(origin, '/') = '\0';
	if (e.interp) {
		if (e.interp[0] != '/')
			r = ht_set_cause(err, -EINVAL, "%s: relative ELF interpreter %s", host,
					 e.interp);
		else
			r = add_host(t, e.interp, true, err);
		if (r < 0)
			goto out;
	}
	for (size_t i = 0; i < e.n_needed; i++) {
		_cleanup_free_ char *lib = find_library(t, &e, origin, e.needed[i]);

		if (!lib) {
			r = ht_set_cause(err, -ENOENT,
					 "%s needs %s, which the loader's search path (rpath, "
					 "ld.so.cache, default directories) does not have",
					 host, e.needed[i]);
			goto out;
		}
		r = add_host(t, lib, true, err);
		if (r < 0)
			goto out;
	}
out:
	elf_info_done(&e);
	return r;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_final(struct tree *t, const char *path, const struct stat *st, char **err);

/* A host directory's contents; symlinks inside stay symlinks and are not followed. */
static int walk_dir(struct tree *t, const char *path, char **err)
{
	_cleanup_free_ char *host = ht_xasprintf("/%s", path);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir(host);
	int r = 0;

	if (!d)
		return ht_set_cause(err, -errno, "open %s: %s", host, ht_errno_name(errno));
	while ((e = readdir(d))) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		names = ht_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = ht_xstrdup(e->d_name);
	}
	closedir(d);
	/* Sorted so that the first error (if any) does not depend on readdir order. */
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *child = ht_xasprintf("%s/%s", path, names[i]);
		_cleanup_free_ char *child_host = ht_xasprintf("/%s", child);
		struct stat st;

		if (r == 0 && lstat(child_host, &st) < 0)
			r = ht_set_cause(err, -errno, "stat %s: %s", child_host,
					 ht_errno_name(errno));
		if (r == 0)
			r = add_final(t, child, &st, err);
		free(names[i]);
	}
	free(names);
	return r;
}

/* The host object at "/" + path (no symlink above it) as it is. */
static int add_final(struct tree *t, const char *path, const struct stat *st, char **err)
{
	_cleanup_free_ char *host = ht_xasprintf("/%s", path);
	struct node *n, *kept = NULL;
	int r;

	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t len = readlink(host, target, sizeof(target) - 1);

		if (len < 0)
			return ht_set_cause(err, -errno, "readlink %s: %s", host,
					    ht_errno_name(errno));
		target[len] = '\0';
		return tree_symlink(t, path, target, err);
	}
	if (S_ISDIR(st->st_mode)) {
		r = tree_dir(t, path, st->st_mode, &kept, err);
		if (r < 0 || kept->walked)
			return r;
		kept->walked = true;
		return walk_dir(t, path, err);
	}
	if (!S_ISREG(st->st_mode))
		return 0; /* device nodes, sockets, FIFOs: the guest makes its own */
	n = node_new(path, S_IFREG | (st->st_mode & 07777));
	n->host = TAKE_PTR(host);
	n->size = st->st_size;
	r = tree_put(t, n, NULL, err);
	if (r <= 0)
		return r; /* added before, with its libraries */
	return add_elf_deps(t, path, err);
}

/*
 * Add the host object at abs (absolute, '/'-separated). Every symlink on
 * the way is resolved the way the kernel's path walk does (path_resolution(7)):
 * its entry goes into the archive and the walk goes on at its target, so the
 * guest sees the same names. The last component is followed too when
 * follow_final; then both the symlink and what it points to are added.
 */
static int add_host(struct tree *t, const char *abs, bool follow_final, char **err)
{
	_cleanup_free_ char *real = ht_xstrdup(""); /* resolved prefix, "" is / */
	char *rest = ht_xstrdup(abs);
	int hops = 0, r = 0;

	for (;;) {
		char *c = rest + strspn(rest, "/"), *next, *tmp;
		size_t clen = strcspn(c, "/");
		bool last;
		struct stat st;
		_cleanup_free_ char *cand = NULL, *host = NULL;

		next = c + clen;
		last = next[strspn(next, "/")] == '\0';
		if (clen == 0) {
			/* Ended on a "." or ".." of a symlink target: the object is real. */
			if (!*real) {
				r = ht_set_cause(err, -EINVAL, "%s resolves to /", abs);
				break;
			}
			host = ht_xasprintf("/%s", real);
			if (lstat(host, &st) < 0)
				r = ht_set_cause(err, -errno, "stat %s: %s", host,
						 ht_errno_name(errno));
			else
				r = add_final(t, real, &st, err);
			break;
		}
		if (clen == 1 && c[0] == '.') {
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		if (clen == 2 && c[0] == '.' && c[1] == '.') {
			char *slash = strrchr(real, '/');

			if (slash)
				*slash = '\0';
			else
				real[0] = '\0';
			memmove(rest, next, strlen(next) + 1);
			continue;
		}
		cand = *real ? ht_xasprintf("%s/%.*s", real, (int)clen, c) :
			       ht_xasprintf("%.*s", (int)clen, c);
		host = ht_xasprintf("/%s", cand);
		if (lstat(host, &st) < 0) {
			r = ht_set_cause(err, -errno, "%s: stat %s: %s", abs, host,
					 ht_errno_name(errno));
			break;
		}
		if (S_ISLNK(st.st_mode) && (!last || follow_final)) {
			char target[PATH_MAX];
			ssize_t len = readlink(host, target, sizeof(target) - 1);

			if (len < 0) {
				r = ht_set_cause(err, -errno, "readlink %s: %s", host,
						 ht_errno_name(errno));
				break;
			}
			target[len] = '\0';
			r = tree_symlink(t, cand, target, err);
			if (r < 0)
				break;
			if (++hops > 40) {
				r = ht_set_cause(err, -ELOOP, "%s: too many symlinks", abs);
				break;
			}
			if (target[0] == '/')
				real[0] = '\0';
			tmp = ht_xasprintf("%s%s", target, next);
			free(rest);
			rest = tmp;
			continue;
		}
		if (last) {
			r = add_final(t, cand, &st, err);
			break;
		}
		if (!S_ISDIR(st.st_mode)) {
			r = ht_set_cause(err, -ENOTDIR, "%s: %s is not a directory", abs, host);
			break;
		}
		r = tree_dir(t, cand, st.st_mode, NULL, err);
		if (r < 0)
			break;
		free(real);
		real = TAKE_PTR(cand);
		memmove(rest, next, strlen(next) + 1);
	}
	free(rest);
	return r < 0 ? r : 0;
}

/*
 * An absolute path without ".." as an archive path ("/etc//a/./b/" ->
 * "etc/a/b"). -EINVAL for a relative path, "..", or "/" itself.
 */
static int archive_path(const char *abs, const char *what, char **ret, char **err)
{
	_cleanup_free_ char *out = ht_xstrdup("");

	if (!abs || abs[0] != '/')
		return ht_set_cause(err, -EINVAL, "%s '%s': not an absolute path", what,
				    abs ? abs : "(null)");
	for (const char *p = abs; *p;) {
		size_t len;
		char *n;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 0)
			break;
		if (len == 2 && p[0] == '.' && p[1] == '.')
			return ht_set_cause(err, -EINVAL, "%s '%s': \"..\" is not allowed", what,
					    abs);
		if (!(len == 1 && p[0] == '.')) {
			n = *out ? ht_xasprintf("%s/%.*s", out, (int)len, p) :
				   ht_xasprintf("%.*s", (int)len, p);
			free(out);
			out = n;
		}
		p += len;
	}
	if (!*out)
		return ht_set_cause(err, -EINVAL, "%s '%s': refusing the whole root", what, abs);
	*ret = TAKE_PTR(out);
	return 0;
}

int ht_vm_initramfs_payload(const char *const *host_paths, const struct ht_vm_file *files,
			    size_t n_files, const char *out_path, char **err)
{
	struct tree t = { 0 };
	int r = 0;

	for (size_t i = 0; host_paths && host_paths[i] && r == 0; i++) {
		const char *p = host_paths[i];
		bool optional = p[0] == '?';
		_cleanup_free_ char *rel = NULL, *abs = NULL;
		struct stat st;

		if (optional)
			p++;
		r = archive_path(p, "host path", &rel, err);
		if (r < 0)
			break;
		abs = ht_xasprintf("/%s", rel);
		if (optional && stat(abs, &st) < 0 && errno == ENOENT)
			continue;
		r = add_host(&t, abs, true, err);
	}
	for (size_t i = 0; i < n_files && r == 0; i++) {
		_cleanup_free_ char *rel = NULL;
		struct node *n;

		r = archive_path(files[i].path, "generated file", &rel, err);
		if (r == 0 && tree_get(&t, rel))
			r = ht_set_cause(err, -EEXIST,
					 "generated file /%s: that path is in the payload already",
					 rel);
		if (r == 0)
			r = tree_parents(&t, rel, err);
		if (r < 0)
			break;
		n = node_new(rel, S_IFREG | (files[i].mode & 07777));
		n->ext_data = files[i].data;
		n->len = files[i].len;
		r = tree_put(&t, n, NULL, err);
		if (r > 0)
			r = 0;
	}
	if (r >= 0)
		r = tree_write(&t, out_path, err);
	tree_done(&t);
	return r < 0 ? r : 0;
}

/* ---- the base archive ---- */

struct kmod {
	char *name; /* '-' as '_', no suffix */
	char *path; /* as in modules.dep, relative to the modules directory */
	char **deps;
	size_t n_deps;
	int state; /* 0 new, 1 being resolved, 2 in the list */
};

struct kmods {
	struct kmod *v;
	size_t n;
	char **builtin;
	size_t n_builtin;
	struct kmod **order;
	size_t n_order;
};

static const char *const ko_suffixes[] = { ".ko", ".ko.xz", ".ko.zst", ".ko.gz" };

/* "kernel/drivers/misc/pvpanic/pvpanic-pci.ko.xz" -> "pvpanic_pci" */
static char *module_name(const char *path, size_t len)
{
	const char *base = path;
	char *name;

	for (size_t i = 0; i < len; i++)
		if (path[i] == '/')
			base = path + i + 1;
	len -= (size_t)(base - path);
	for (size_t i = 0; i < HT_ARRAY_SIZE(ko_suffixes); i++) {
		size_t sl = strlen(ko_suffixes[i]);

		if (len > sl && strncmp(base + len - sl, ko_suffixes[i], sl) == 0) {
			len -= sl;
			break;
		}
	}
	name = ht_xasprintf("%.*s", (int)len, base);
	for (char *c = name; *c; c++)
		if (*c == '-')
			*c = '_';
	return name;
}

static int cmp_kmod(const void *a, const void *b)
{
	return strcmp(((const struct kmod *)a)->name, ((const struct kmod *)b)->name);
}

static struct kmod *kmod_find(struct kmods *m, const char *name)
{
	struct kmod key = { .name = (char *)name };

	return m->n ? bsearch(&key, m->v, m->n, sizeof(*m->v), cmp_kmod) : NULL;
}

static void kmods_done(struct kmods *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].name);
		free(m->v[i].path);
		for (size_t j = 0; j < m->v[i].n_deps; j++)
			free(m->v[i].deps[j]);
		free(m->v[i].deps);
	}
	free(m->v);
	for (size_t i = 0; i < m->n_builtin; i++)
		free(m->builtin[i]);
	free(m->builtin);
	free(m->order);
	memset(m, 0, sizeof(*m));
}

/* A modules.dep path relative to the modules directory (old depmods wrote absolute ones). */
static const char *dep_rel(const char *p, const char *dir)
{
	size_t dl = strlen(dir);

	if (p[0] == '/' && strncmp(p, dir, dl) == 0 && p[dl] == '/')
		return p + dl + 1;
	return p;
}

/*
 * modules.dep (modules.dep(5)): "path: dep dep ...", each line listing all
 * the module's dependencies; modules.builtin: one path per line of what is
 * built in (absent before kmod 9: then nothing is).
 */
static int kmods_load(struct kmods *m, const char *dir, char **err)
{
	_cleanup_free_ char *dep_path = ht_xasprintf("%s/modules.dep", dir);
	_cleanup_free_ char *bi_path = ht_xasprintf("%s/modules.builtin", dir);
	_cleanup_free_ char *dep = NULL, *bi = NULL;
	char *save = NULL;
	int r;

	r = ht_read_file(AT_FDCWD, dep_path, &dep);
	if (r < 0)
		return ht_set_cause(err, r, "read %s: %s", dep_path, ht_errno_name(r));
	for (char *l = strtok_r(dep, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *colon = strchr(l, ':'), *s2 = NULL;
		struct kmod k = { 0 };

		if (!colon)
			continue;
		*colon = '\0';
		k.path = ht_xstrdup(dep_rel(ht_strstrip(l), dir));
		k.name = module_name(k.path, strlen(k.path));
		for (char *d = strtok_r(colon + 1, " \t", &s2); d; d = strtok_r(NULL, " \t", &s2)) {
			k.deps = ht_xrealloc(k.deps, (k.n_deps + 1) * sizeof(*k.deps));
			k.deps[k.n_deps++] = module_name(d, strlen(d));
		}
		m->v = ht_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
		m->v[m->n++] = k;
	}
	if (m->n)
		qsort(m->v, m->n, sizeof(*m->v), cmp_kmod);
	r = ht_read_file(AT_FDCWD, bi_path, &bi);
	if (r < 0 && r != -ENOENT)
		return ht_set_cause(err, r, "read %s: %s", bi_path, ht_errno_name(r));
	save = NULL;
	for (char *l = bi ? strtok_r(bi, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		m->builtin = ht_xrealloc(m->builtin, (m->n_builtin + 1) * sizeof(*m->builtin));
		ht_strstrip(l);
		m->builtin[m->n_builtin++] = module_name(l, strlen(l));
	}
	return 0;
}

static bool kmods_builtin(const struct kmods *m, const char *name)
{
	for (size_t i = 0; i < m->n_builtin; i++)
		if (strcmp(m->builtin[i], name) == 0)
			return true;
	return false;
}

/*
 * Dependencies first, each module once. modules.dep lists a module's
 * dependencies so that modprobe loads them from the last to the first
 * (modules.dep(5)); going through them in that order and recursing gives
 * an order where each module comes after everything it uses.
 */
static void kmods_add(struct kmods *m, struct kmod *k)
{
	if (k->state)
		return;
	k->state = 1;
	for (size_t i = k->n_deps; i-- > 0;) {
		struct kmod *d = kmod_find(m, k->deps[i]);

		if (d)
			kmods_add(m, d);
	}
	k->state = 2;
	m->order = ht_xrealloc(m->order, (m->n_order + 1) * sizeof(*m->order));
	m->order[m->n_order++] = k;
}

/* The archive path of a module: compression suffix dropped (stored plain). */
static char *module_target(const char *release, const char *path)
{
	size_t len = strlen(path);

	for (size_t i = 1; i < HT_ARRAY_SIZE(ko_suffixes); i++) {
		size_t sl = strlen(ko_suffixes[i]);

		if (len > sl && strcmp(path + len - sl, ko_suffixes[i]) == 0) {
			len -= sl - 3;
			break;
		}
	}
	return ht_xasprintf("usr/lib/modules/%s/%.*s", release, (int)len, path);
}

static int add_module(struct tree *t, const char *dir, const char *release, const struct kmod *k,
		      char **list, char **err)
{
	_cleanup_free_ char *src = ht_xasprintf("%s/%s", dir, k->path);
	_cleanup_free_ char *dst = module_target(release, k->path);
	_cleanup_free_ char *raw = NULL, *why = NULL;
	struct node *n = node_new(dst, S_IFREG | 0644);
	struct stat st;
	size_t len = strlen(k->path), raw_len = 0;
	char *l;
	int r;

	if (len > 3 && strcmp(k->path + len - 3, ".ko") == 0) {
		if (stat(src, &st) < 0) {
			node_free(n);
			return ht_set_cause(err, -errno, "module %s: stat %s: %s", k->name, src,
					    ht_errno_name(errno));
		}
		n->host = TAKE_PTR(src);
		n->size = st.st_size;
	} else {
		/*
		 * Stored decompressed, so the guest loads it with a plain
		 * finit_module(2), whether or not the kernel was built with
		 * MODULE_DECOMPRESS.
		 */
		int fd = open(src, O_RDONLY | O_CLOEXEC);

		r = fd < 0 ? -errno : ht_read_fd(fd, &raw, &raw_len);
		if (fd >= 0)
			close(fd);
		if (r < 0) {
			node_free(n);
			return ht_set_cause(err, r, "module %s: read %s: %s", k->name, src,
					    ht_errno_name(r));
		}
		r = ht_vm_decompress(raw, raw_len, &n->data, &n->len, &why);
		if (r == 0 && (n->len < SELFMAG || memcmp(n->data, ELFMAG, SELFMAG) != 0))
			r = ht_set_cause(&why, -EINVAL, "not an ELF object once decompressed");
		if (r < 0) {
			node_free(n);
			return ht_set_cause(err, r, "module %s: %s: %s", k->name, src, why);
		}
	}
	r = tree_parents(t, dst, err);
	if (r == 0)
		r = tree_put(t, n, NULL, err);
	else
		node_free(n);
	if (r < 0)
		return r;
	l = ht_xasprintf("%s/%s\n", *list, dst);
	free(*list);
	*list = l;
	return 0;
}

static int base_key(const struct ht_vm_kernel *k, const char *init_path, const char *const *modules,
		    char ret[65], char **err)
{
	_cleanup_free_ char *text = NULL;
	char init_sha[65];
	int r;

	r = ht_vm_sha256_file(init_path, init_sha, err);
	if (r < 0)
		return r;
	/* v1: the layout written below; bump it when that changes. */
	text = ht_xasprintf("isolab-initramfs-base v1\nkernel %s\nmodules_dir %s\ninit %s\nmodules",
			    k->sha256 ? k->sha256 : "", k->modules_dir, init_sha);
	for (size_t i = 0; modules[i]; i++) {
		char *n = ht_xasprintf("%s %s", text, modules[i]);

		free(text);
		text = n;
	}
	return ht_vm_sha256_text(text, ret, err);
}

static int check_init(const char *init_path, char **err)
{
	struct elf_info e;
	int r = elf_read(init_path, &e, err);

	if (r == 0 && e.interp)
		r = ht_set_cause(err, -EINVAL,
				 "init %s is dynamically linked (interpreter %s): the base "
				 "archive has no libraries, link it with -static",
				 init_path, e.interp);
	elf_info_done(&e);
	return r;
}

static int base_write(const struct ht_vm_kernel *k, const char *init_path,
		      const char *const *modules, const char *out, char **err)
{
	static const struct {
		const char *path;
		mode_t mode;
	} dirs[] = {
		{ "proc", 0755 }, { "sys", 0755 },     { "dev", 0755 },	       { "run", 0755 },
		{ "tmp", 01777 }, { "newroot", 0755 }, { "etc/isolab", 0755 }, { "root", 0700 },
	};
	struct tree t = { 0 };
	struct kmods m = { 0 };
	_cleanup_free_ char *list = ht_xstrdup("");
	struct node *n;
	struct stat st;
	int r;

	for (size_t i = 0; i < HT_ARRAY_SIZE(dirs); i++) {
		r = tree_parents(&t, dirs[i].path, err);
		if (r == 0)
			r = tree_dir(&t, dirs[i].path, dirs[i].mode, NULL, err);
		if (r < 0)
			goto out;
	}
	/*
	 * The kernel opens /dev/console for init's stdio before it runs /init
	 * (init/main.c, console_on_rootfs). Its built-in default initramfs has
	 * that node; a kernel built with its own CONFIG_INITRAMFS_SOURCE may not.
	 */
	n = node_new("dev/console", S_IFCHR | 0600);
	n->rmajor = 5;
	n->rminor = 1;
	r = tree_put(&t, n, NULL, err);
	if (r < 0)
		goto out;
	if (stat(init_path, &st) < 0) {
		r = ht_set_cause(err, -errno, "init %s: %s", init_path, ht_errno_name(errno));
		goto out;
	}
	n = node_new("init", S_IFREG | 0755);
	n->host = ht_xstrdup(init_path);
	n->size = st.st_size;
	r = tree_put(&t, n, NULL, err);
	if (r < 0)
		goto out;
	/*
	 * The modules live under /usr/lib/modules with /lib -> usr/lib, the
	 * merged-/usr layout: the payload of a merged-/usr host brings the
	 * same /lib symlink (and the kernel's unpacker keeps the first one),
	 * while one from a host with a real /lib replaces the link with a
	 * directory; the paths listed in /etc/isolab/modules work either way.
	 */
	r = tree_parents(&t, "usr/lib/modules", err);
	if (r == 0)
		r = tree_dir(&t, "usr/lib/modules", 0755, NULL, err);
	if (r == 0)
		r = tree_symlink(&t, "lib", "usr/lib", err);
	if (r < 0)
		goto out;
	r = kmods_load(&m, k->modules_dir, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; modules[i]; i++) {
		_cleanup_free_ char *name = module_name(modules[i], strlen(modules[i]));
		struct kmod *km;

		/* Built in, or not in this kernel at all: the guest's probes tell. */
		if (kmods_builtin(&m, name))
			continue;
		km = kmod_find(&m, name);
		if (km)
			kmods_add(&m, km);
	}
	for (size_t i = 0; i < m.n_order; i++) {
		r = add_module(&t, k->modules_dir, k->release, m.order[i], &list, err);
		if (r < 0)
			goto out;
	}
	n = node_new("etc/isolab/modules", S_IFREG | 0644);
	n->len = strlen(list);
	n->data = TAKE_PTR(list);
	r = tree_put(&t, n, NULL, err);
	if (r < 0)
		goto out;
	r = tree_write(&t, out, err);
out:
	kmods_done(&m);
	tree_done(&t);
	return r < 0 ? r : 0;
}

int ht_vm_initramfs_base(const struct ht_vm_kernel *k, const char *init_path,
			 const char *const *modules, char **ret_path, char **err)
{
	_cleanup_free_ char *dir = NULL, *out = NULL;
	char key[65];
	struct stat st;
	int r;

	if (!modules)
		modules = ht_vm_guest_modules;
	if (!k->modules_dir || !k->release)
		return ht_set_cause(err, -EINVAL, "initramfs: kernel %s is not fetched",
				    k->spec ? k->spec : "(none)");
	r = check_init(init_path, err);
	if (r < 0)
		return r;
	r = base_key(k, init_path, modules, key, err);
	if (r < 0)
		return r;
	dir = k->dir ? ht_xstrdup(k->dir) : ht_xasprintf("%s/initramfs", ht_vm_cache_dir());
	r = ht_vm_mkdir_p(dir, 0755, err);
	if (r < 0)
		return r;
	out = k->dir ? ht_xasprintf("%s/initramfs-%.16s.cpio", dir, key) :
		       ht_xasprintf("%s/base-%.16s.cpio", dir, key);
	/* Written by rename(2) only: present means complete. */
	if (stat(out, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = base_write(k, init_path, modules, out, err);
		if (r < 0)
			return r;
	}
	*ret_path = TAKE_PTR(out);
	return 0;
}

/* ---- concatenation ---- */

int ht_vm_initramfs_concat(const char *const *parts, size_t n, const char *out_path, char **err)
{
	_cleanup_free_ char *buf = ht_xmalloc(1 << 20);
	char *tmp = NULL;
	int out = -1, r;

	r = ht_vm_atomic_open(out_path, &out, &tmp, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r == 0; i++) {
		_cleanup_close_ int fd = open(parts[i], O_RDONLY | O_CLOEXEC);
		size_t total = 0;

		if (fd < 0) {
			r = ht_set_cause(err, -errno, "open %s: %s", parts[i],
					 ht_errno_name(errno));
			break;
		}
		for (;;) {
			ssize_t got = read(fd, buf, 1 << 20);

			if (got < 0 && errno == EINTR)
				continue;
			if (got < 0) {
				r = ht_set_cause(err, -errno, "read %s: %s", parts[i],
						 ht_errno_name(errno));
				break;
			}
			if (got == 0)
				break;
			r = ht_write_all(out, buf, (size_t)got);
			if (r < 0) {
				r = ht_set_cause(err, r, "write %s: %s", tmp, ht_errno_name(r));
				break;
			}
			total += (size_t)got;
		}
		/*
		 * The unpacker looks for the next header at a 4-byte boundary
		 * and skips NUL bytes before it (init/initramfs.c,
		 * unpack_to_rootfs), so a part of odd length is padded.
		 */
		if (r == 0 && total % 4) {
			static const char zeros[4];

			r = ht_write_all(out, zeros, 4 - total % 4);
			if (r < 0)
				r = ht_set_cause(err, r, "write %s: %s", tmp, ht_errno_name(r));
		}
	}
	if (r < 0) {
		ht_vm_atomic_abort(out, tmp);
		return r;
	}
	return ht_vm_atomic_commit(out, tmp, out_path, err);
}
