// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unit tests (libcheck) of the VM kernel store and initramfs writer, all
 * offline: kernel specs, the cache directory, the PVH cut of a synthetic
 * bzImage, a path: kernel "fetched" from a synthetic bzImage and modules
 * tree, the base archive (module order, builtins, decompression), the
 * payload (reproducibility, order, symlinks, an ELF's libraries, refusals)
 * and concatenation. Archives are read back with libarchive.
 *
 * The real Debian kernels are checked by hand (see the report of the
 * change): CI machines start with an empty cache and no network promise.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "ht-util.h"
#include "ht-vm-initramfs.h"
#include "ht-vm-kernel.h"

/* ---- helpers ---- */

static char *scratch; /* per test, removed at teardown */

static void setup(void)
{
	char tmpl[] = "/tmp/isolab-vmstore-XXXXXX", *cache;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	scratch = ht_xstrdup(tmpl);
	/* The cache goes into the scratch directory too. */
	cache = ht_xasprintf("%s/cache", scratch);
	setenv("ISOLAB_CACHE_DIR", cache, 1);
	free(cache);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	remove(path);
	return 0;
}

static void teardown(void)
{
	nftw(scratch, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
	free(scratch);
	scratch = NULL;
}

static char *sp(const char *rel)
{
	return ht_xasprintf("%s/%s", scratch, rel);
}

static void put_file(const char *path, const void *data, size_t n, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ht_write_all(fd, data, n), 0);
	fchmod(fd, mode);
	close(fd);
}

static void mkdirs(const char *path)
{
	char *err = NULL;

	ck_assert_int_eq(ht_vm_mkdir_p(path, 0755, &err), 0);
}

static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ht_read_fd(fd, &buf, len), 0);
	close(fd);
	return buf;
}

/* xz-compress with libarchive's raw writer, as a .ko.xz or a kernel payload is. */
static void *xz(const void *data, size_t n, size_t *ret_len)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t cap = n + 65536, used = 0;
	char *out = ht_xmalloc(cap);

	ck_assert_int_eq(archive_write_set_format_raw(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_add_filter_xz(a), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_set_bytes_in_last_block(a, 1), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_open_memory(a, out, cap, &used), ARCHIVE_OK);
	archive_entry_set_pathname(e, "data");
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)n);
	ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
	ck_assert_int_eq(archive_write_data(a, data, n), (la_ssize_t)n);
	ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	archive_entry_free(e);
	*ret_len = used;
	return out;
}

struct ent {
	char *path, *link, *data;
	mode_t mode;
	size_t size;
	time_t mtime;
	la_int64_t uid, gid;
	dev_t rdev;
};

struct arc {
	struct ent *v;
	size_t n;
};

static void arc_read(const char *path, struct arc *ret)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	int r;

	memset(ret, 0, sizeof(*ret));
	archive_read_support_format_cpio(a);
	ck_assert_int_eq(archive_read_open_filename(a, path, 65536), ARCHIVE_OK);
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		struct ent x = { 0 };
		size_t got = 0;

		x.path = ht_xstrdup(archive_entry_pathname(e));
		x.mode = archive_entry_mode(e);
		x.mtime = archive_entry_mtime(e);
		x.uid = archive_entry_uid(e);
		x.gid = archive_entry_gid(e);
		x.rdev = archive_entry_rdev(e);
		x.link = archive_entry_symlink(e) ? ht_xstrdup(archive_entry_symlink(e)) : NULL;
		/* A symlink's target is its cpio body: archive_entry_symlink has it. */
		x.size = S_ISREG(x.mode) ? (size_t)archive_entry_size(e) : 0;
		x.data = ht_xmalloc(x.size + 1);
		while (got < x.size) {
			la_ssize_t n = archive_read_data(a, x.data + got, x.size - got);

			ck_assert_int_gt(n, 0);
			got += (size_t)n;
		}
		x.data[x.size] = '\0';
		ret->v = ht_xrealloc(ret->v, (ret->n + 1) * sizeof(*ret->v));
		ret->v[ret->n++] = x;
	}
	ck_assert_int_eq(r, ARCHIVE_EOF);
	ck_assert_int_eq(archive_format(a), ARCHIVE_FORMAT_CPIO_SVR4_NOCRC); /* newc */
	archive_read_free(a);
}

static void arc_done(struct arc *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->v[i].path);
		free(a->v[i].link);
		free(a->v[i].data);
	}
	free(a->v);
}

/* The entry for an absolute guest path, or NULL. */
static const struct ent *arc_get(const struct arc *a, const char *abs)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].path, abs + 1) == 0)
			return &a->v[i];
	return NULL;
}

/*
 * The properties every archive of ours has: sorted by path without
 * duplicates (so parents first), each parent present as a directory,
 * owner 0:0, mtime 0.
 */
static void arc_check_shape(const struct arc *a)
{
	for (size_t i = 0; i < a->n; i++) {
		const struct ent *x = &a->v[i];
		char *parent = ht_xstrdup(x->path), *slash = strrchr(parent, '/');

		if (i > 0)
			ck_assert_msg(strcmp(a->v[i - 1].path, x->path) < 0, "%s then %s",
				      a->v[i - 1].path, x->path);
		ck_assert_int_eq(x->mtime, 0);
		ck_assert_int_eq(x->uid, 0);
		ck_assert_int_eq(x->gid, 0);
		ck_assert_msg(x->path[0] != '/', "%s has a leading /", x->path);
		if (slash) {
			bool found = false;

			*slash = '\0';
			for (size_t j = 0; j < i; j++)
				if (strcmp(a->v[j].path, parent) == 0) {
					ck_assert_msg(S_ISDIR(a->v[j].mode), "%s: parent not a dir",
						      x->path);
					found = true;
				}
			ck_assert_msg(found, "%s comes before its parent %s", x->path, parent);
		}
		free(parent);
	}
}

/* ---- specs and the cache directory ---- */

START_TEST(spec_parse_good)
{
	struct ht_vm_kernel k;
	char *err = NULL;

	ck_assert_int_eq(ht_vm_kernel_parse("debian:6.1", NULL, &k, &err), 0);
	ck_assert_str_eq(k.spec, "debian:6.1");
	ck_assert_str_eq(k.label, "debian-6.1");
	ck_assert_ptr_null(k.modules_dir);
	ht_vm_kernel_done(&k);
	ht_vm_kernel_done(&k); /* twice is fine */

	ck_assert_int_eq(ht_vm_kernel_parse("debian:6.12", NULL, &k, &err), 0);
	ck_assert_str_eq(k.label, "debian-6.12");
	ht_vm_kernel_done(&k);
	ck_assert_int_eq(ht_vm_kernel_parse("debian:5.10", NULL, &k, &err), 0);
	ht_vm_kernel_done(&k);

	ck_assert_int_eq(ht_vm_kernel_parse("path:/boot/vmlinuz-6.1.0-50-amd64",
					    "/lib/modules/6.1.0-50-amd64/", &k, &err),
			 0);
	ck_assert_str_eq(k.label, "6.1.0-50-amd64");
	ck_assert_str_eq(k.modules_dir, "/lib/modules/6.1.0-50-amd64/");
	ck_assert_ptr_null(k.release); /* known only once fetched */
	ht_vm_kernel_done(&k);
	ck_assert_ptr_null(err);
	ht_vm_kernel_done(NULL);
}
END_TEST

START_TEST(spec_parse_bad)
{
	static const char *const bad[] = {
		"foo",
		"",
		"debian",
		"debian:",
		"debian:6",
		"debian:6.",
		"debian:.1",
		"debian:6.1.2",
		"debian:x.y",
		"debian:6.1 ",
		"ubuntu:22.04",
		"path:",
		"path:boot/vmlinuz",
	};
	struct ht_vm_kernel k;
	char *err = NULL;

	for (size_t i = 0; i < HT_ARRAY_SIZE(bad); i++) {
		ck_assert_msg(ht_vm_kernel_parse(bad[i], "/lib/modules/x", &k, &err) == -EINVAL,
			      "'%s' accepted", bad[i]);
		ck_assert_ptr_nonnull(err);
		ck_assert_ptr_null(strchr(err, '\n'));
		ht_vm_kernel_done(&k);
		free(err);
		err = NULL;
	}
	ck_assert_int_eq(ht_vm_kernel_parse("foo", NULL, &k, &err), -EINVAL);
	ck_assert_str_eq(err, "unknown kernel spec 'foo': expected debian:6.1, debian:6.12 or "
			      "path:/boot/vmlinuz-X");
	free(err);
	err = NULL;

	/* path: needs its modules; debian: brings its own. */
	ck_assert_int_eq(ht_vm_kernel_parse("path:/boot/vmlinuz-x", NULL, &k, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--modules"));
	free(err);
	err = NULL;
	ck_assert_int_eq(ht_vm_kernel_parse("debian:6.1", "/lib/modules/x", &k, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "--modules"));
	free(err);
}
END_TEST

START_TEST(cache_dir_precedence)
{
	setenv("ISOLAB_CACHE_DIR", "/c1", 1);
	setenv("XDG_CACHE_HOME", "/c2", 1);
	setenv("HOME", "/c3", 1);
	ck_assert_str_eq(ht_vm_cache_dir(), "/c1");
	unsetenv("ISOLAB_CACHE_DIR");
	ck_assert_str_eq(ht_vm_cache_dir(), "/c2/isolab");
	setenv("XDG_CACHE_HOME", "relative", 1); /* ignored, as the XDG spec says */
	ck_assert_str_eq(ht_vm_cache_dir(), "/c3/.cache/isolab");
	unsetenv("XDG_CACHE_HOME");
	ck_assert_str_eq(ht_vm_cache_dir(), "/c3/.cache/isolab");
}
END_TEST

/* ---- bzImage and PVH ---- */

/* A minimal ELF64 with one PT_NOTE; with_pvh puts the Xen PHYS32_ENTRY note in it. */
static char *mini_elf(bool with_pvh, size_t *ret_len)
{
	struct {
		Elf64_Ehdr eh;
		Elf64_Phdr ph;
		Elf64_Nhdr nh;
		char name[4];
		uint32_t desc[2];
	} __attribute__((packed)) f;
	char *out;

	memset(&f, 0, sizeof(f));
	memcpy(f.eh.e_ident, ELFMAG, SELFMAG);
	f.eh.e_ident[EI_CLASS] = ELFCLASS64;
	f.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	f.eh.e_ident[EI_VERSION] = EV_CURRENT;
	f.eh.e_type = ET_EXEC;
	f.eh.e_machine = EM_X86_64;
	f.eh.e_version = EV_CURRENT;
	f.eh.e_phoff = sizeof(Elf64_Ehdr);
	f.eh.e_ehsize = sizeof(Elf64_Ehdr);
	f.eh.e_phentsize = sizeof(Elf64_Phdr);
	f.eh.e_phnum = 1;
	f.ph.p_type = PT_NOTE;
	f.ph.p_offset = offsetof(__typeof__(f), nh);
	f.ph.p_filesz = sizeof(f) - f.ph.p_offset;
	f.ph.p_align = 4;
	f.nh.n_namesz = 4;
	f.nh.n_descsz = 8;
	f.nh.n_type = with_pvh ? 18 : 17;
	memcpy(f.name, "Xen", 4);
	f.desc[0] = 0x1000000;
	/* Trailing bytes like the relocation data after a real vmlinux. */
	*ret_len = sizeof(f) + 16;
	out = ht_xcalloc(1, *ret_len);
	memcpy(out, &f, sizeof(f));
	return out;
}

/*
 * A bzImage as the boot protocol lays it out (Documentation/arch/x86/
 * boot.rst): one setup sector after the boot sector, the "HdrS" header,
 * version 2.15, kernel_version, and the xz payload with the decompressed
 * size appended, as the kernel build does.
 */
static void make_bzimage(const char *path, const void *inner, size_t inner_len, const char *version)
{
	size_t pm = 2 * 512, xlen, n;
	void *x = xz(inner, inner_len, &xlen);
	unsigned char *b;
	uint32_t v;

	n = pm + xlen + 4;
	b = ht_xcalloc(1, n);
	b[0x1f1] = 1;
	memcpy(b + 0x202, "HdrS", 4);
	b[0x206] = 0x0f;
	b[0x207] = 0x02;
	if (version) {
		b[0x20e] = 0x00; /* kernel_version at 0x200 + 0x100 */
		b[0x20f] = 0x01;
		memcpy(b + 0x300, version, strlen(version) + 1);
	}
	v = 0;
	memcpy(b + 0x248, &v, 4); /* payload_offset, from the protected-mode code */
	v = (uint32_t)xlen + 4;
	memcpy(b + 0x24c, &v, 4);
	memcpy(b + pm, x, xlen);
	v = (uint32_t)inner_len;
	memcpy(b + pm + xlen, &v, 4);
	put_file(path, b, n, 0644);
	free(b);
	free(x);
}

START_TEST(pvh_extract)
{
	size_t elf_len, got_len;
	char *elf = mini_elf(true, &elf_len), *got, *err = NULL;
	char *bz = sp("bz"), *out = sp("vmlinux");

	make_bzimage(bz, elf, elf_len, NULL);
	ck_assert_int_eq(ht_vm_extract_pvh(bz, out, &err), 1);
	ck_assert_ptr_null(err);
	got = slurp(out, &got_len);
	ck_assert_uint_eq(got_len, elf_len);
	ck_assert_mem_eq(got, elf, elf_len);
	free(got);
	free(elf);

	/* An ELF without the note: 0, nothing written. */
	unlink(out);
	elf = mini_elf(false, &elf_len);
	make_bzimage(bz, elf, elf_len, NULL);
	ck_assert_int_eq(ht_vm_extract_pvh(bz, out, &err), 0);
	ck_assert_int_ne(access(out, F_OK), 0);
	free(elf);
	free(bz);
	free(out);
}
END_TEST

START_TEST(pvh_errors)
{
	static const char text[] = "not a kernel at all\n";
	char *bz = sp("bz"), *out = sp("vmlinux"), *err = NULL;
	size_t n, elf_len;
	char *img, *elf;

	ck_assert_int_eq(ht_vm_extract_pvh("/nonexistent/vmlinuz", out, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, "/nonexistent/vmlinuz"));
	free(err);
	err = NULL;

	put_file(bz, text, sizeof(text), 0644);
	ck_assert_int_eq(ht_vm_extract_pvh(bz, out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not a bzImage"));
	free(err);
	err = NULL;

	/* Cut short: the payload fields point past the end of the file. */
	elf = mini_elf(true, &elf_len);
	make_bzimage(bz, elf, elf_len, NULL);
	img = slurp(bz, &n);
	for (size_t cut = 0x300; cut < n; cut += (n - 0x300) / 3 + 1) {
		put_file(bz, img, cut, 0644);
		ck_assert_int_eq(ht_vm_extract_pvh(bz, out, &err), -EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "truncated"));
		free(err);
		err = NULL;
	}

	/* A payload that is not xz. */
	memset(img + 2 * 512, 0x55, n - 2 * 512 - 4);
	put_file(bz, img, n, 0644);
	ck_assert_int_lt(ht_vm_extract_pvh(bz, out, &err), 0);
	ck_assert_ptr_nonnull(err);
	free(err);
	err = NULL;

	/* A payload that decompresses to something else than an ELF. */
	make_bzimage(bz, text, sizeof(text), NULL);
	ck_assert_int_eq(ht_vm_extract_pvh(bz, out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "not an ELF64"));
	free(err);
	ck_assert_int_ne(access(out, F_OK), 0);
	free(img);
	free(elf);
	free(bz);
	free(out);
}
END_TEST

/* ---- a synthetic kernel ---- */

static const char fake_ko[] = "\x7f"
			      "ELF fake module";
static const char x_ko[] = "\x7f"
			   "ELF the x module";

/*
 * modules/9.9.9-test with a handwritten modules.dep: a needs b and base
 * (listed the way depmod lists them, the one to load first last), b needs
 * base, x is xz-compressed, builtin_mod is built in.
 */
static char *make_modules(const char *release)
{
	char *dir = ht_xasprintf("%s/modules/%s", scratch, release);
	char *kdir = ht_xasprintf("%s/kernel/drivers", dir);
	static const char dep[] =
		"kernel/drivers/a.ko: kernel/drivers/b.ko kernel/drivers/base.ko\n"
		"kernel/drivers/b.ko: kernel/drivers/base.ko\n"
		"kernel/drivers/base.ko:\n"
		"kernel/drivers/c-dash.ko:\n"
		"kernel/drivers/x.ko.xz: kernel/drivers/base.ko\n"
		"kernel/drivers/unused.ko:\n";
	static const char builtin[] = "kernel/drivers/builtin_mod.ko\n";
	static const char *const names[] = { "a", "b", "base", "c-dash", "unused" };
	size_t xlen;
	void *x;

	mkdirs(kdir);
	for (size_t i = 0; i < HT_ARRAY_SIZE(names); i++) {
		char *p = ht_xasprintf("%s/%s.ko", kdir, names[i]);
		char *data = ht_xasprintf("%s %s", fake_ko, names[i]);

		put_file(p, data, strlen(data), 0644);
		free(p);
		free(data);
	}
	x = xz(x_ko, sizeof(x_ko) - 1, &xlen);
	{
		char *p = ht_xasprintf("%s/x.ko.xz", kdir);

		put_file(p, x, xlen, 0644);
		free(p);
	}
	free(x);
	{
		char *p = ht_xasprintf("%s/modules.dep", dir), *q;

		put_file(p, dep, strlen(dep), 0644);
		free(p);
		q = ht_xasprintf("%s/modules.builtin", dir);
		put_file(q, builtin, strlen(builtin), 0644);
		free(q);
	}
	free(kdir);
	return dir;
}

START_TEST(path_kernel_fetch)
{
	size_t elf_len;
	char *elf = mini_elf(true, &elf_len), *err = NULL;
	char *bz = sp("vmlinuz-9.9.9-test"), *mods = make_modules("9.9.9-test");
	char *spec = ht_xasprintf("path:%s", bz), *vm = NULL;
	struct ht_vm_kernel k;
	struct stat st;

	make_bzimage(bz, elf, elf_len, "9.9.9-test (tester@host) #1 SMP");
	ck_assert_int_eq(ht_vm_kernel_parse(spec, mods, &k, &err), 0);
	ck_assert_int_eq(ht_vm_kernel_fetch(&k, NULL, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_str_eq(k.release, "9.9.9-test");
	ck_assert_str_eq(k.bzimage, bz);
	ck_assert_ptr_null(k.dir);
	ck_assert_ptr_null(k.package);
	ck_assert_uint_eq(strlen(k.sha256), 64);
	ck_assert_ptr_nonnull(k.vmlinux);
	ck_assert_ptr_nonnull(strstr(k.vmlinux, k.sha256));
	ck_assert_int_eq(stat(k.vmlinux, &st), 0);
	ck_assert_int_eq(st.st_size, (off_t)elf_len);
	vm = ht_xstrdup(k.vmlinux);
	ht_vm_kernel_done(&k);

	/* Again: the cut is reused. */
	ck_assert_int_eq(ht_vm_kernel_parse(spec, mods, &k, &err), 0);
	ck_assert_int_eq(ht_vm_kernel_fetch(&k, NULL, &err), 0);
	ck_assert_str_eq(k.vmlinux, vm);
	ht_vm_kernel_done(&k);

	/* A payload that cannot be cut: still a kernel, booted as a bzImage. */
	make_bzimage(bz, "not an ELF", 10, "9.9.9-test");
	ck_assert_int_eq(ht_vm_kernel_parse(spec, mods, &k, &err), 0);
	ck_assert_int_eq(ht_vm_kernel_fetch(&k, NULL, &err), 0);
	ck_assert_ptr_null(k.vmlinux);
	ck_assert_str_eq(k.release, "9.9.9-test");
	ht_vm_kernel_done(&k);

	/* Modules of another release: the kernel would refuse them. */
	free(mods);
	mods = make_modules("9.9.8-other");
	ck_assert_int_eq(ht_vm_kernel_parse(spec, mods, &k, &err), 0);
	ck_assert_int_eq(ht_vm_kernel_fetch(&k, NULL, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "9.9.8-other"));
	ht_vm_kernel_done(&k);
	free(err);
	err = NULL;

	/* No such kernel file. */
	free(spec);
	spec = sp("nope");
	{
		char *s = ht_xasprintf("path:%s", spec);

		ck_assert_int_eq(ht_vm_kernel_parse(s, mods, &k, &err), 0);
		ck_assert_int_eq(ht_vm_kernel_fetch(&k, NULL, &err), -ENOENT);
		ck_assert_ptr_nonnull(strstr(err, spec));
		ht_vm_kernel_done(&k);
		free(s);
	}
	free(err);
	free(spec);
	free(vm);
	free(mods);
	free(bz);
	free(elf);
}
END_TEST

static void fake_kernel(struct ht_vm_kernel *k, const char *mods, bool with_dir)
{
	memset(k, 0, sizeof(*k));
	k->spec = ht_xstrdup("path:/fake");
	k->label = ht_xstrdup("9.9.9-test");
	k->release = ht_xstrdup("9.9.9-test");
	k->sha256 = ht_xstrdup("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	k->modules_dir = ht_xstrdup(mods);
	if (with_dir) {
		k->dir = sp("kdir");
		mkdirs(k->dir);
	}
}

START_TEST(base_modules)
{
	static const char init[] = "#!/not/an/elf\n";
	static const char *const want[] = { "a", "c_dash", "builtin-mod", "absent", "x", NULL };
	static const char list[] = "/usr/lib/modules/9.9.9-test/kernel/drivers/base.ko\n"
				   "/usr/lib/modules/9.9.9-test/kernel/drivers/b.ko\n"
				   "/usr/lib/modules/9.9.9-test/kernel/drivers/a.ko\n"
				   "/usr/lib/modules/9.9.9-test/kernel/drivers/c-dash.ko\n"
				   "/usr/lib/modules/9.9.9-test/kernel/drivers/x.ko\n";
	static const char *const dirs[] = { "/proc", "/sys",	 "/dev",	"/run",
					    "/tmp",  "/newroot", "/etc/isolab", "/root" };
	char *mods = make_modules("9.9.9-test"), *init_path = sp("init"), *out = NULL, *out2 = NULL;
	char *err = NULL;
	const struct ent *e;
	struct ht_vm_kernel k;
	struct arc a;

	put_file(init_path, init, strlen(init), 0600);
	fake_kernel(&k, mods, true);
	ck_assert_int_eq(ht_vm_initramfs_base(&k, init_path, want, &out, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_ptr_nonnull(strstr(out, k.dir));
	arc_read(out, &a);
	arc_check_shape(&a);

	e = arc_get(&a, "/etc/isolab/modules");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->data, list);
	e = arc_get(&a, "/init");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->mode, S_IFREG | 0755);
	ck_assert_str_eq(e->data, init);
	for (size_t i = 0; i < HT_ARRAY_SIZE(dirs); i++) {
		e = arc_get(&a, dirs[i]);
		ck_assert_msg(e && S_ISDIR(e->mode), "%s missing", dirs[i]);
	}
	e = arc_get(&a, "/dev/console");
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISCHR(e->mode));
	ck_assert_int_eq(major(e->rdev), 5);
	ck_assert_int_eq(minor(e->rdev), 1);
	e = arc_get(&a, "/lib");
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISLNK(e->mode));
	ck_assert_str_eq(e->link, "usr/lib");
	/* Stored decompressed, under the plain .ko name. */
	e = arc_get(&a, "/usr/lib/modules/9.9.9-test/kernel/drivers/x.ko");
	ck_assert_ptr_nonnull(e);
	ck_assert_uint_eq(e->size, sizeof(x_ko) - 1);
	ck_assert_mem_eq(e->data, x_ko, sizeof(x_ko) - 1);
	ck_assert_ptr_null(arc_get(&a, "/usr/lib/modules/9.9.9-test/kernel/drivers/x.ko.xz"));
	ck_assert_ptr_null(arc_get(&a, "/usr/lib/modules/9.9.9-test/kernel/drivers/unused.ko"));
	e = arc_get(&a, "/usr/lib/modules/9.9.9-test/kernel/drivers/c-dash.ko");
	ck_assert_ptr_nonnull(e);
	ck_assert_str_eq(e->data, "\x7f"
				  "ELF fake module c-dash");
	arc_done(&a);

	/* The same inputs: the cached archive. */
	ck_assert_int_eq(ht_vm_initramfs_base(&k, init_path, want, &out2, &err), 0);
	ck_assert_str_eq(out, out2);
	free(out2);
	out2 = NULL;

	/* Another init: another archive. */
	put_file(init_path, "#!/x\n", 5, 0755);
	ck_assert_int_eq(ht_vm_initramfs_base(&k, init_path, want, &out2, &err), 0);
	ck_assert_str_ne(out, out2);
	free(out2);
	out2 = NULL;
	free(out);
	out = NULL;

	/* Without a kernel cache entry: under <cache>/initramfs. */
	ht_vm_kernel_done(&k);
	fake_kernel(&k, mods, false);
	ck_assert_int_eq(ht_vm_initramfs_base(&k, init_path, want, &out, &err), 0);
	ck_assert_ptr_nonnull(strstr(out, "/cache/initramfs/base-"));

	/* A dynamic init would find no libraries in the guest. */
	ck_assert_int_eq(ht_vm_initramfs_base(&k, "/bin/true", want, &out2, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "-static"));
	ck_assert_ptr_null(out2);
	free(err);
	ht_vm_kernel_done(&k);
	free(out);
	free(init_path);
	free(mods);
}
END_TEST

/* ---- the payload ---- */

/* The PT_INTERP of an ELF64, read independently of the code under test. */
static char *interp_of(const char *path)
{
	size_t n;
	char *b = slurp(path, &n), *r = NULL;
	Elf64_Ehdr eh;

	memcpy(&eh, b, sizeof(eh));
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, b + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type == PT_INTERP)
			r = ht_xstrdup(b + ph.p_offset);
	}
	free(b);
	return r;
}

/* "/a/b/../c/./d" -> "/a/c/d" (the components before ".." are real here). */
static char *normalize(const char *abs)
{
	char *out = ht_xstrdup("");

	for (const char *p = abs; *p;) {
		size_t len;

		p += strspn(p, "/");
		len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(out, '/');

			if (slash)
				*slash = '\0';
		} else if (len && !(len == 1 && p[0] == '.')) {
			char *n = ht_xasprintf("%s/%.*s", out, (int)len, p);

			free(out);
			out = n;
		}
		p += len;
	}
	return out;
}

/*
 * Follow abs through the archive's own symlinks, as the guest kernel's path
 * walk would after unpacking it; NULL when a component is missing.
 */
static const struct ent *arc_resolve(const struct arc *a, const char *abs)
{
	char *cur = normalize(abs);
	const struct ent *e = NULL;

	for (int hops = 0; hops < 40 && cur; hops++) {
		char *next = NULL;

		for (char *s = cur + 1;; s++) {
			bool last = *s == '\0';

			if (*s != '/' && !last)
				continue;
			*s = '\0';
			e = arc_get(a, cur);
			if (e && S_ISLNK(e->mode)) {
				char *dir = ht_xstrdup(cur);

				*strrchr(dir, '/') = '\0';
				next = e->link[0] == '/' ?
					       ht_xasprintf("%s/%s", e->link, last ? "" : s + 1) :
					       ht_xasprintf("%s/%s/%s", dir, e->link,
							    last ? "" : s + 1);
				free(dir);
				e = NULL;
				break;
			}
			if (!e || last)
				break;
			*s = '/';
		}
		free(cur);
		cur = next ? normalize(next) : NULL;
		free(next);
		if (!cur)
			break;
	}
	free(cur);
	return e;
}

START_TEST(payload_tree)
{
	static const char job[] = "{\"job\": 1}\n";
	char *d = sp("tree"), *sub = sp("tree/sub"), *out = sp("p.cpio"), *out2 = sp("p2.cpio");
	char *top = sp("top-link"), *dlink = sp("dirlink"), *err = NULL;
	char *a_path = sp("tree/a"), *b_path = sp("tree/sub/b"), *l_path = sp("tree/l");
	char *fifo = sp("tree/fifo"), *via = sp("dirlink/b");
	const char *paths[] = { d, top, via, "/bin/true", NULL };
	struct ht_vm_file files[] = {
		{ .path = "/etc/isolab/job.json", .data = job, .len = strlen(job), .mode = 0600 },
	};
	char *bytes1, *bytes2, *interp;
	size_t n1, n2;
	const struct ent *e;
	struct arc a;

	mkdirs(sub);
	put_file(a_path, "A", 1, 0640);
	put_file(b_path, "BB", 2, 0755);
	ck_assert_int_eq(symlink("a", l_path), 0);
	ck_assert_int_eq(mkfifo(fifo, 0644), 0);
	ck_assert_int_eq(symlink(a_path, top), 0);	 /* listed symlink: absolute target */
	ck_assert_int_eq(symlink("tree/sub", dlink), 0); /* a symlink on the way */

	ck_assert_int_eq(ht_vm_initramfs_payload(paths, files, 1, out, &err), 0);
	ck_assert_ptr_null(err);
	ck_assert_int_eq(ht_vm_initramfs_payload(paths, files, 1, out2, &err), 0);
	bytes1 = slurp(out, &n1);
	bytes2 = slurp(out2, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(bytes1, bytes2, n1);
	ck_assert_uint_eq(n1 % 4, 0);
	free(bytes1);
	free(bytes2);

	arc_read(out, &a);
	arc_check_shape(&a);
	e = arc_get(&a, a_path);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->mode, S_IFREG | 0640);
	ck_assert_str_eq(e->data, "A");
	e = arc_get(&a, b_path);
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->mode, S_IFREG | 0755);
	/* Inside a listed directory a symlink stays a symlink, as it was. */
	e = arc_get(&a, l_path);
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISLNK(e->mode));
	ck_assert_str_eq(e->link, "a");
	ck_assert_ptr_null(arc_get(&a, fifo));
	/* A listed symlink: the link, and its target. */
	e = arc_get(&a, top);
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISLNK(e->mode));
	ck_assert_str_eq(e->link, a_path);
	/* A symlink on the way: the link, and the path through its target. */
	e = arc_get(&a, dlink);
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISLNK(e->mode));
	ck_assert_str_eq(e->link, "tree/sub");
	ck_assert_ptr_nonnull(arc_get(&a, b_path));
	/* The generated file, with its mode. */
	e = arc_get(&a, "/etc/isolab/job.json");
	ck_assert_ptr_nonnull(e);
	ck_assert_int_eq(e->mode, S_IFREG | 0600);
	ck_assert_str_eq(e->data, job);
	ck_assert_ptr_nonnull(arc_get(&a, "/etc/isolab"));

	/* /bin/true (whatever /bin is here), its interpreter and its libc. */
	e = arc_resolve(&a, "/bin/true");
	ck_assert_ptr_nonnull(e);
	ck_assert(S_ISREG(e->mode));
	interp = interp_of("/bin/true");
	ck_assert_ptr_nonnull(interp);
	e = arc_resolve(&a, interp);
	ck_assert_msg(e && S_ISREG(e->mode), "interpreter %s missing", interp);
	free(interp);
	{
		bool libc = false;

		for (size_t i = 0; i < a.n; i++) {
			const char *base = strrchr(a.v[i].path, '/');

			if (base && strcmp(base, "/libc.so.6") == 0) {
				char *abs = ht_xasprintf("/%s", a.v[i].path);

				e = arc_resolve(&a, abs);
				libc = e && S_ISREG(e->mode) && e->size > 100000;
				free(abs);
			}
		}
		ck_assert_msg(libc, "no libc.so.6 in the payload of /bin/true");
	}
	arc_done(&a);

	free(d);
	free(sub);
	free(out);
	free(out2);
	free(top);
	free(dlink);
	free(a_path);
	free(b_path);
	free(l_path);
	free(fifo);
	free(via);
}
END_TEST

START_TEST(payload_refusals)
{
	char *out = sp("p.cpio"), *err = NULL, *missing = sp("missing");
	char *opt = ht_xasprintf("?%s", missing);
	const char *dotdot[] = { "/tmp/../etc/passwd", NULL };
	const char *relative[] = { "etc/passwd", NULL };
	const char *root[] = { "/", NULL };
	const char *absent[] = { missing, NULL };
	const char *optional[] = { opt, "/etc/passwd", NULL };
	struct ht_vm_file bad_file[] = {
		{ .path = "/etc/../x", .data = "", .len = 0, .mode = 0644 }
	};
	struct ht_vm_file dup_file[] = {
		{ .path = "/etc/passwd", .data = "", .len = 0, .mode = 0644 }
	};
	const char *passwd[] = { "/etc/passwd", NULL };
	struct arc a;

	ck_assert_int_eq(ht_vm_initramfs_payload(dotdot, NULL, 0, out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, ".."));
	ck_assert_int_eq(ht_vm_initramfs_payload(relative, NULL, 0, out, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "absolute"));
	ck_assert_int_eq(ht_vm_initramfs_payload(root, NULL, 0, out, &err), -EINVAL);
	ck_assert_int_eq(ht_vm_initramfs_payload(NULL, bad_file, 1, out, &err), -EINVAL);
	ck_assert_int_eq(ht_vm_initramfs_payload(passwd, dup_file, 1, out, &err), -EEXIST);
	ck_assert_int_eq(ht_vm_initramfs_payload(absent, NULL, 0, out, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, missing));
	ck_assert_int_ne(access(out, F_OK), 0);
	free(err);
	err = NULL;

	/* '?' marks a path that may be missing. */
	ck_assert_int_eq(ht_vm_initramfs_payload(optional, NULL, 0, out, &err), 0);
	arc_read(out, &a);
	ck_assert_ptr_nonnull(arc_get(&a, "/etc/passwd"));
	ck_assert_ptr_null(arc_get(&a, missing));
	arc_done(&a);
	free(out);
	free(missing);
	free(opt);
}
END_TEST

START_TEST(concat_pads)
{
	char *p1 = sp("p1"), *p2 = sp("p2"), *out = sp("out"), *err = NULL, *got;
	const char *parts[] = { p1, p2 };
	size_t n;

	put_file(p1, "12345", 5, 0644);
	put_file(p2, "abcdefgh", 8, 0644);
	ck_assert_int_eq(ht_vm_initramfs_concat(parts, 2, out, &err), 0);
	got = slurp(out, &n);
	ck_assert_uint_eq(n, 16);
	ck_assert_mem_eq(got, "12345\0\0\0abcdefgh", 16);
	free(got);
	unlink(p2);
	ck_assert_int_eq(ht_vm_initramfs_concat(parts, 2, out, &err), -ENOENT);
	ck_assert_ptr_nonnull(strstr(err, p2));
	free(err);
	free(p1);
	free(p2);
	free(out);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vm-store");
	TCase *tc = tcase_create("core");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, spec_parse_good);
	tcase_add_test(tc, spec_parse_bad);
	tcase_add_test(tc, cache_dir_precedence);
	tcase_add_test(tc, pvh_extract);
	tcase_add_test(tc, pvh_errors);
	tcase_add_test(tc, path_kernel_fetch);
	tcase_add_test(tc, base_modules);
	tcase_add_test(tc, payload_tree);
	tcase_add_test(tc, payload_refusals);
	tcase_add_test(tc, concat_pads);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
