// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The kernel store for `isolab vm` (see ht-vm-kernel.h): spec parsing, the
 * Debian package resolution through apt-cache, the one-time fetch under a
 * lock, the PVH vmlinux cut out of a bzImage, and small helpers (hashing,
 * decompression, atomic files) shared with the initramfs writer.
 *
 * The stock tools do the Debian work (apt-get, dpkg-deb, depmod, sha256sum),
 * run through ht-proc like every other command the harness starts.
 */
#include <archive.h>
#include <archive_entry.h>
#include <elf.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

#include "ht-proc.h"
#include "ht-util.h"
#include "ht-vm-kernel.h"

#define MINUTE_MS (60 * 1000)

/* ---- small helpers ---- */

const char *ht_vm_cache_dir(void)
{
	static char buf[PATH_MAX];
	const char *env = getenv("ISOLAB_CACHE_DIR"), *home;

	if (env && *env) {
		snprintf(buf, sizeof(buf), "%s", env);
		return buf;
	}
	env = getenv("XDG_CACHE_HOME");
	/* The XDG base directory spec ignores relative values. */
	if (env && env[0] == '/') {
		snprintf(buf, sizeof(buf), "%s/isolab", env);
		return buf;
	}
	home = getenv("HOME");
	if (!home || home[0] != '/') {
		struct passwd *pw = getpwuid(getuid());

		home = pw && pw->pw_dir ? pw->pw_dir : "/";
	}
	snprintf(buf, sizeof(buf), "%s/.cache/isolab", strcmp(home, "/") ? home : "");
	return buf;
}

int ht_vm_mkdir_p(const char *path, mode_t mode, char **err)
{
	_cleanup_free_ char *p = ht_xstrdup(path);
	struct stat st;

	for (char *s = p + 1;; s++) {
		bool last = *s == '\0';

		if (*s != '/' && !last)
			continue;
		*s = '\0';
		if (mkdir(p, mode) < 0 && errno != EEXIST)
			return ht_set_cause(err, -errno, "mkdir %s: %s", p, ht_errno_name(errno));
		if (last)
			break;
		*s = '/';
	}
	if (stat(path, &st) < 0)
		return ht_set_cause(err, -errno, "stat %s: %s", path, ht_errno_name(errno));
	if (!S_ISDIR(st.st_mode))
		return ht_set_cause(err, -ENOTDIR, "mkdir %s: ENOTDIR (a file is in the way)",
				    path);
	return 0;
}

int ht_vm_atomic_open(const char *path, int *ret_fd, char **ret_tmp, char **err)
{
	char *tmp = ht_xasprintf("%s.tmp-XXXXXX", path);
	int fd = mkostemp(tmp, O_CLOEXEC);

	if (fd < 0) {
		int e = errno;

		free(tmp);
		return ht_set_cause(err, -e, "create a temporary file for %s: %s", path,
				    ht_errno_name(e));
	}
	/* mkostemp(3) makes it 0600; the cache is meant to be readable like its dirs. */
	(void)fchmod(fd, 0644);
	*ret_fd = fd;
	*ret_tmp = tmp;
	return 0;
}

void ht_vm_atomic_abort(int fd, char *tmp)
{
	if (fd >= 0)
		close(fd);
	if (tmp)
		unlink(tmp);
	free(tmp);
}

int ht_vm_atomic_commit(int fd, char *tmp, const char *path, char **err)
{
	int r = 0;

	if (close(fd) < 0)
		r = ht_set_cause(err, -errno, "write %s: %s", tmp, ht_errno_name(errno));
	else if (rename(tmp, path) < 0)
		r = ht_set_cause(err, -errno, "rename %s to %s: %s", tmp, path,
				 ht_errno_name(errno));
	if (r < 0)
		unlink(tmp);
	free(tmp);
	return r;
}

static int write_file_atomic(const char *path, const void *data, size_t n, char **err)
{
	char *tmp = NULL;
	int fd = -1, r;

	r = ht_vm_atomic_open(path, &fd, &tmp, err);
	if (r < 0)
		return r;
	r = ht_write_all(fd, data, n);
	if (r < 0) {
		ht_vm_atomic_abort(fd, tmp);
		return ht_set_cause(err, r, "write %s: %s", path, ht_errno_name(r));
	}
	return ht_vm_atomic_commit(fd, tmp, path, err);
}

static int rm_one(const char *path, const struct stat *st, int type, struct FTW *f)
{
	/* Best effort: what cannot be removed stays and the caller's rmdir tells. */
	(void)remove(path);
	return 0;
}

/* rm -rf, without following symlinks (nftw(3) FTW_PHYS) or leaving the fs. */
static void rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

/*
 * A tool's path: PATH, then the sbin directories a non-root PATH often
 * lacks (depmod and ldconfig live there). Falls back to the bare name, so
 * the exec error names it.
 */
static char *find_tool(const char *name)
{
	const char *path = getenv("PATH");
	_cleanup_free_ char *dirs =
		ht_xasprintf("%s:/usr/sbin:/sbin:/usr/bin:/bin", path ? path : "");
	char *save = NULL;

	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		_cleanup_free_ char *p = ht_xasprintf("%s/%s", d, name);

		if (d[0] == '/' && access(p, X_OK) == 0)
			return TAKE_PTR(p);
	}
	return ht_xstrdup(name);
}

/* "apt-get download x" for messages: argv joined, without an "env -C DIR" in front. */
static char *argv_text(const char *const *argv)
{
	char *s;

	if (strcmp(argv[0], "env") == 0 && argv[1] && strcmp(argv[1], "-C") == 0 && argv[2] &&
	    argv[3])
		argv += 3;
	s = ht_xstrdup(argv[0]);
	for (size_t i = 1; argv[i]; i++) {
		char *n = ht_xasprintf("%s %s", s, argv[i]);

		free(s);
		s = n;
	}
	return s;
}

/* The last non-empty line of a command's output: where apt, dpkg and kmod say why. */
static char *last_line(const char *text)
{
	_cleanup_free_ char *copy = ht_xstrdup(text);
	char *end;

	ht_strstrip(copy);
	end = strrchr(copy, '\n');
	return ht_xstrdup(end ? end + 1 : copy);
}

/*
 * Run a tool to completion. 0 when it exits 0 (its stdout in *ret_out when
 * asked for); otherwise -ENOENT when it is not installed, -ETIMEDOUT, or
 * -EIO, with *err naming the command, its status and its last words.
 */
static int run_tool(const char *const *argv, int timeout_ms, const char *stdin_data, char **ret_out,
		    char **err)
{
	static char lc_all[] = "LC_ALL=C";
	char *env[] = { lc_all, NULL };
	struct ht_proc_opts o = { .timeout_ms = timeout_ms,
				  .stdin_data = stdin_data,
				  .env_add = env };
	_cleanup_free_ char *tool = find_tool(argv[0]), *text = argv_text(argv), *why = NULL;
	const char **av;
	struct ht_proc p;
	size_t n = 0;
	int r;

	while (argv[n])
		n++;
	av = ht_xcalloc(n + 1, sizeof(*av));
	av[0] = tool;
	for (size_t i = 1; i < n; i++)
		av[i] = argv[i];
	r = ht_proc_run(&p, av, &o);
	free(av);
	if (r < 0) {
		ht_proc_free(&p);
		return ht_set_cause(err, r, "%s: %s", text, ht_errno_name(r));
	}
	why = last_line(p.err_len ? p.err : p.out);
	if (p.timed_out)
		r = ht_set_cause(err, -ETIMEDOUT, "%s: no exit after %d s", text,
				 timeout_ms / 1000);
	else if (p.exit_code == 127)
		r = ht_set_cause(err, -ENOENT, "%s: not installed (%s)", text, why);
	else if (p.exit_code != 0)
		r = ht_set_cause(err, -EIO, "%s: exit %d: %s", text, p.exit_code,
				 *why ? why : "(no output)");
	else if (ret_out)
		*ret_out = TAKE_PTR(p.out);
	ht_proc_free(&p);
	return r;
}

static int parse_sha256sum(const char *out, const char *what, char ret_hex[65], char **err)
{
	size_t n = strspn(out, "0123456789abcdef");

	if (n != 64)
		return ht_set_cause(err, -EIO, "sha256sum %s: unexpected output '%.80s'", what,
				    out);
	memcpy(ret_hex, out, 64);
	ret_hex[64] = '\0';
	return 0;
}

int ht_vm_sha256_file(const char *path, char ret_hex[65], char **err)
{
	const char *argv[] = { "sha256sum", "--", path, NULL };
	_cleanup_free_ char *out = NULL;
	int r;

	r = run_tool(argv, 10 * MINUTE_MS, NULL, &out, err);
	if (r < 0)
		return r;
	return parse_sha256sum(out, path, ret_hex, err);
}

int ht_vm_sha256_text(const char *text, char ret_hex[65], char **err)
{
	const char *argv[] = { "sha256sum", NULL };
	_cleanup_free_ char *out = NULL;
	int r;

	r = run_tool(argv, MINUTE_MS, text, &out, err);
	if (r < 0)
		return r;
	return parse_sha256sum(out, "(text)", ret_hex, err);
}

static int archive_errno_of(struct archive *a)
{
	int e = archive_errno(a);

	return e > 0 ? -e : -EIO;
}

/* size_hint: the expected output size when known (0: guess), to allocate once. */
static int decompress(const void *in, size_t n, size_t size_hint, char **ret, size_t *ret_len,
		      char **err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	_cleanup_free_ char *buf = NULL;
	size_t len = 0, cap = size_hint ? size_hint + 65536 : n * 4 + 65536;
	int r = 0;

	if (!a)
		abort();
	/* The raw format: the (decompressed) stream is one entry, whatever it holds. */
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (archive_read_open_memory(a, in, n) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK) {
		r = ht_set_cause(err, archive_errno_of(a), "libarchive: %s",
				 archive_error_string(a) ? archive_error_string(a) : "open failed");
		goto out;
	}
	buf = ht_xmalloc(cap);
	for (;;) {
		la_ssize_t got;

		if (cap - len < 65536) {
			cap *= 2;
			buf = ht_xrealloc(buf, cap);
		}
		got = archive_read_data(a, buf + len, cap - len - 1);
		if (got < 0) {
			r = ht_set_cause(err, archive_errno_of(a), "decompress (%s): %s",
					 archive_filter_name(a, 0),
					 archive_error_string(a) ? archive_error_string(a) :
								   "read failed");
			goto out;
		}
		if (got == 0)
			break;
		len += (size_t)got;
	}
	buf[len] = '\0';
	*ret = TAKE_PTR(buf);
	*ret_len = len;
out:
	archive_read_free(a);
	return r;
}

int ht_vm_decompress(const void *in, size_t n, char **ret, size_t *ret_len, char **err)
{
	return decompress(in, n, 0, ret, ret_len, err);
}

/* ---- specs ---- */

static bool all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 4)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "6.12" -> true; "6", "6.", "6.1.2", "x.y", "" -> false. */
static bool major_minor_ok(const char *s)
{
	const char *dot = strchr(s, '.');

	return dot && all_digits(s, (size_t)(dot - s)) && all_digits(dot + 1, strlen(dot + 1));
}

static char *basename_of_dir(const char *dir)
{
	_cleanup_free_ char *d = ht_xstrdup(dir);
	size_t n = strlen(d);
	char *slash;

	while (n > 1 && d[n - 1] == '/')
		d[--n] = '\0';
	slash = strrchr(d, '/');
	return ht_xstrdup(slash ? slash + 1 : d);
}

int ht_vm_kernel_parse(const char *spec, const char *modules_dir, struct ht_vm_kernel *k,
		       char **err)
{
	static const char expected[] = "expected debian:6.1, debian:6.12 or path:/boot/vmlinuz-X";

	memset(k, 0, sizeof(*k));
	if (!spec)
		spec = "";
	if (strncmp(spec, "debian:", 7) == 0 && major_minor_ok(spec + 7)) {
		if (modules_dir)
			return ht_set_cause(err, -EINVAL,
					    "kernel spec '%s': --modules is only for path: kernels "
					    "(a Debian kernel brings its own)",
					    spec);
		k->spec = ht_xstrdup(spec);
		k->label = ht_xasprintf("debian-%s", spec + 7);
		return 0;
	}
	if (strncmp(spec, "path:", 5) == 0) {
		const char *file = spec + 5;

		if (file[0] != '/')
			return ht_set_cause(err, -EINVAL,
					    "kernel spec '%s': the path must be absolute (%s)",
					    spec, expected);
		if (!modules_dir || !*modules_dir)
			return ht_set_cause(err, -EINVAL,
					    "kernel spec '%s' needs --modules DIR: the kernel's "
					    "modules directory (e.g. /lib/modules/RELEASE)",
					    spec);
		k->spec = ht_xstrdup(spec);
		k->modules_dir = ht_xstrdup(modules_dir);
		k->label = basename_of_dir(modules_dir);
		return 0;
	}
	return ht_set_cause(err, -EINVAL, "unknown kernel spec '%s': %s", spec, expected);
}

void ht_vm_kernel_done(struct ht_vm_kernel *k)
{
	if (!k)
		return;
	free(k->spec);
	free(k->label);
	free(k->release);
	free(k->package);
	free(k->version);
	free(k->sha256);
	free(k->dir);
	free(k->bzimage);
	free(k->vmlinux);
	free(k->modules_dir);
	memset(k, 0, sizeof(*k));
}

static void progress(FILE *log, const struct ht_vm_kernel *k, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void progress(FILE *log, const struct ht_vm_kernel *k, const char *fmt, ...)
{
	va_list ap;

	if (!log)
		return;
	fprintf(log, "isolab vm: %s: ", k->label);
	va_start(ap, fmt);
	vfprintf(log, fmt, ap);
	va_end(ap);
	fputc('\n', log);
	fflush(log);
}

/* ---- bzImage ---- */

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/*
 * The real-mode setup header (Documentation/arch/x86/boot.rst, "The Real-Mode
 * Kernel Header"): "HdrS" at 0x202, the protocol version at 0x206. Sets the
 * start of the protected-mode code, (setup_sects + 1) * 512 with 0 meaning
 * 4 sectors for old kernels.
 */
static int bzimage_check(const unsigned char *b, size_t n, const char *path, size_t *ret_pm,
			 char **err)
{
	unsigned setup_sects;

	if (n < 0x250 || memcmp(b + 0x202, "HdrS", 4) != 0)
		return ht_set_cause(err, -EINVAL,
				    "%s: not a bzImage (no \"HdrS\" setup header at 0x202)", path);
	setup_sects = b[0x1f1] ? b[0x1f1] : 4;
	*ret_pm = ((size_t)setup_sects + 1) * 512;
	if (*ret_pm > n)
		return ht_set_cause(err, -EINVAL,
				    "%s: truncated bzImage (%zu bytes, setup alone is %zu)", path,
				    n, *ret_pm);
	return 0;
}

/*
 * uname -r of a bzImage: the first word of the kernel_version string (setup
 * header 0x20e, an offset from 0x200; boot.rst "Details of Header Fields").
 * NULL when the image has none.
 */
static char *bzimage_release(const unsigned char *b, size_t n)
{
	size_t off, end;

	if (n < 0x210 || memcmp(b + 0x202, "HdrS", 4) != 0 || le16(b + 0x206) < 0x200)
		return NULL;
	off = (size_t)le16(b + 0x20e) + 0x200;
	if (le16(b + 0x20e) == 0 || off >= n)
		return NULL;
	for (end = off; end < n && end - off < 256 && b[end] > ' ' && b[end] < 0x7f; end++)
		;
	if (end == off || end == n)
		return NULL;
	return ht_xasprintf("%.*s", (int)(end - off), (const char *)b + off);
}

static size_t align_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/*
 * Walk an ELF note area (elf(5), "Notes (Nhdr)") for the PVH entry point:
 * name "Xen", type XEN_ELFNOTE_PHYS32_ENTRY (18, xen/include/public/elfnote.h),
 * which is what qemu's -kernel looks for in an ELF (hw/i386/x86.c).
 */
static bool notes_have_pvh(const unsigned char *p, size_t n, size_t align)
{
	size_t off = 0;

	while (n - off >= sizeof(Elf64_Nhdr) && off <= n) {
		Elf64_Nhdr h;
		size_t name, desc, next;

		memcpy(&h, p + off, sizeof(h));
		name = off + sizeof(h);
		if (h.n_namesz > n || h.n_descsz > n)
			return false;
		desc = align_up(name + h.n_namesz, align);
		next = align_up(desc + h.n_descsz, align);
		if (desc > n || next > align_up(n, align))
			return false;
		if (h.n_type == 18 && h.n_namesz == 4 && memcmp(p + name, "Xen", 4) == 0)
			return true;
		if (next <= off)
			return false;
		off = next;
	}
	return false;
}

/* 1: an ELF64 with the PVH note; 0: an ELF without; -EINVAL: not an ELF64. */
static int elf_has_pvh(const unsigned char *b, size_t n)
{
	Elf64_Ehdr eh;

	if (n < sizeof(eh) || memcmp(b, ELFMAG, SELFMAG) != 0)
		return -EINVAL;
	memcpy(&eh, b, sizeof(eh));
	if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
		return -EINVAL;
	for (size_t i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		size_t at = eh.e_phoff + i * sizeof(ph);

		if (eh.e_phentsize != sizeof(ph) || eh.e_phoff > n || at + sizeof(ph) > n)
			break;
		memcpy(&ph, b + at, sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > n || ph.p_filesz > n - ph.p_offset)
			continue;
		if (notes_have_pvh(b + ph.p_offset, ph.p_filesz, ph.p_align == 8 ? 8 : 4))
			return 1;
	}
	/* Section headers too: a linker script may leave the note out of PT_NOTE. */
	for (size_t i = 0; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;
		size_t at = eh.e_shoff + i * sizeof(sh);

		if (eh.e_shentsize != sizeof(sh) || eh.e_shoff > n || at + sizeof(sh) > n)
			break;
		memcpy(&sh, b + at, sizeof(sh));
		if (sh.sh_type != SHT_NOTE || sh.sh_offset > n || sh.sh_size > n - sh.sh_offset)
			continue;
		if (notes_have_pvh(b + sh.sh_offset, sh.sh_size, sh.sh_addralign == 8 ? 8 : 4))
			return 1;
	}
	return 0;
}

int ht_vm_extract_pvh(const char *bzimage, const char *out_path, char **err)
{
	_cleanup_free_ char *img = NULL, *elf = NULL, *why = NULL;
	_cleanup_close_ int fd = -1;
	const unsigned char *b, *payload;
	size_t n = 0, pm = 0, elf_len = 0, plen;
	uint32_t off, len, want;
	int r;

	fd = open(bzimage, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return ht_set_cause(err, -errno, "open %s: %s", bzimage, ht_errno_name(errno));
	r = ht_read_fd(fd, &img, &n);
	if (r < 0)
		return ht_set_cause(err, r, "read %s: %s", bzimage, ht_errno_name(r));
	b = (const unsigned char *)img;
	r = bzimage_check(b, n, bzimage, &pm, err);
	if (r < 0)
		return r;
	/* payload_offset/payload_length arrived with protocol 2.08 (boot.rst). */
	if (le16(b + 0x206) < 0x208)
		return ht_set_cause(err, -EINVAL,
				    "%s: boot protocol %u.%02u has no payload fields (need 2.08)",
				    bzimage, b[0x207], b[0x206]);
	off = le32(b + 0x248);
	len = le32(b + 0x24c);
	if (len < 8 || off > n - pm || len > n - pm - off)
		return ht_set_cause(
			err, -EINVAL,
			"%s: truncated bzImage (payload at %zu+%u, %u bytes, file has %zu)",
			bzimage, pm, off, len, n);
	payload = b + pm + off;
	/*
	 * The build appends the decompressed size as 4 little-endian bytes
	 * (scripts/Makefile.lib size_append, read back by arch/x86/boot/
	 * compressed/mkpiggy.c). For gzip those bytes are the stream's own
	 * ISIZE trailer; any other decompressor would see them as garbage
	 * after the end of its stream, so they are cut off.
	 */
	want = le32(payload + len - 4);
	plen = payload[0] == 0x1f && payload[1] == 0x8b ? len : len - 4;
	/* The size is only a hint for the allocation: a damaged one is caught below. */
	r = decompress(payload, plen, want <= 1u << 30 ? want : 0, &elf, &elf_len, &why);
	if (r < 0)
		return ht_set_cause(err, r, "%s: decompress the kernel payload: %s", bzimage, why);
	if ((uint32_t)elf_len != want)
		return ht_set_cause(err, -EINVAL,
				    "%s: the payload decompressed to %zu bytes, the image says %u",
				    bzimage, elf_len, want);
	r = elf_has_pvh((const unsigned char *)elf, elf_len);
	if (r < 0)
		return ht_set_cause(
			err, -EINVAL,
			"%s: the decompressed payload is not an ELF64 (starts %02x %02x "
			"%02x %02x)",
			bzimage, elf_len > 0 ? (unsigned char)elf[0] : 0,
			elf_len > 1 ? (unsigned char)elf[1] : 0,
			elf_len > 2 ? (unsigned char)elf[2] : 0,
			elf_len > 3 ? (unsigned char)elf[3] : 0);
	if (r == 0)
		return 0;
	/* Relocation data may follow the ELF (vmlinux.relocs): qemu loads by phdrs. */
	r = write_file_atomic(out_path, elf, elf_len, err);
	return r < 0 ? r : 1;
}

static int read_release(const char *bzimage, char **ret, char **err)
{
	_cleanup_close_ int fd = open(bzimage, O_RDONLY | O_CLOEXEC);
	/* The string is in the setup code: setup_sects is at most 255 sectors. */
	_cleanup_free_ unsigned char *head = ht_xmalloc(256 * 512);
	ssize_t n;

	if (fd < 0)
		return ht_set_cause(err, -errno, "open %s: %s", bzimage, ht_errno_name(errno));
	n = pread(fd, head, 256 * 512, 0);
	if (n < 0)
		return ht_set_cause(err, -errno, "read %s: %s", bzimage, ht_errno_name(errno));
	if ((size_t)n < 0x250 || memcmp(head + 0x202, "HdrS", 4) != 0)
		return ht_set_cause(err, -EINVAL,
				    "%s: not a bzImage (no \"HdrS\" setup header at 0x202)",
				    bzimage);
	*ret = bzimage_release(head, (size_t)n);
	return 0;
}

/*
 * The PVH vmlinux is only a faster way to boot: when it cannot be cut (a
 * compression libarchive lacks, say), the bzImage still boots, so the
 * reason is logged and the fetch goes on. Returns what ht_vm_extract_pvh
 * does.
 */
static int cut_pvh(const struct ht_vm_kernel *k, const char *bz, const char *out, FILE *log)
{
	_cleanup_free_ char *why = NULL;
	int r = ht_vm_extract_pvh(bz, out, &why);

	if (r < 0)
		progress(log, k, "no PVH vmlinux (%s): booting the bzImage", why);
	else
		progress(log, k,
			 r ? "vmlinux: PVH entry found" : "no PVH entry: booting the bzImage");
	return r;
}

/* ---- Debian packages ---- */

struct deb {
	char *package, *version, *sha256, *release;
	unsigned long long size;
};

static void deb_done(struct deb *d)
{
	free(d->package);
	free(d->version);
	free(d->sha256);
	free(d->release);
	memset(d, 0, sizeof(*d));
}

/*
 * The release in a package name "linux-image-<release>-unsigned" when it is
 * the generic amd64 flavour of MAJOR.MINOR: "6.1.0-56-amd64" or
 * "6.12.117+deb12-amd64". Every '-' before "-amd64" must start a number,
 * which rules out the flavours (-cloud-, -rt-) and -dbg whatever they are
 * called next.
 */
static char *generic_release(const char *name, const char *major_minor)
{
	static const char prefix[] = "linux-image-", suffix[] = "-amd64-unsigned";
	size_t n = strlen(name), mm = strlen(major_minor), body;
	const char *r = name + sizeof(prefix) - 1;

	if (strncmp(name, prefix, sizeof(prefix) - 1) != 0 || n < sizeof(prefix) + sizeof(suffix) ||
	    strcmp(name + n - (sizeof(suffix) - 1), suffix) != 0)
		return NULL;
	body = n - (sizeof(prefix) - 1) - (sizeof(suffix) - 1);
	if (body <= mm + 1 || strncmp(r, major_minor, mm) != 0 || r[mm] != '.')
		return NULL;
	for (size_t i = 0; i < body; i++) {
		char c = r[i];

		if (c == '-' && !(i + 1 < body && r[i + 1] >= '0' && r[i + 1] <= '9'))
			return NULL;
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || c == '.' || c == '+' ||
		      c == '-' || c == '~'))
			return NULL;
	}
	return ht_xasprintf("%.*s-amd64", (int)body, r);
}

static int cmp_release_desc(const void *a, const void *b)
{
	const char *const *x = a, *const *y = b;

	/* strverscmp(3): "6.1.0-56" after "6.1.0-9", "6.12.117" after "6.12.99". */
	return strverscmp(*y, *x);
}

/* The value of "Field: value" in the first apt-cache show stanza, or NULL. */
static char *stanza_field(const char *text, const char *field)
{
	size_t fl = strlen(field);
	const char *l = text;

	/* --no-all-versions prints one stanza; an empty line ends it. */
	while (*l && *l != '\n') {
		if (strncmp(l, field, fl) == 0 && l[fl] == ':') {
			const char *v = l + fl + 1;

			v += strspn(v, " ");
			return ht_xasprintf("%.*s", (int)strcspn(v, "\n"), v);
		}
		l += strcspn(l, "\n");
		if (*l)
			l++;
	}
	return NULL;
}

/*
 * The newest generic package for MAJOR.MINOR that the apt lists can
 * download. apt-cache pkgnames also lists names that are only referenced
 * (apt-cache(8)), so candidates are tried newest first until one has a
 * version with a SHA256. Returns 0, -ENOENT (apt knows none: *err says so),
 * or another -errno.
 */
static int apt_resolve(const char *major_minor, struct deb *ret, char **err)
{
	const char *argv[] = { "apt-cache", "pkgnames", "linux-image-", NULL };
	_cleanup_free_ char *out = NULL;
	char **names = NULL, *save = NULL;
	size_t n = 0;
	int r;

	r = run_tool(argv, MINUTE_MS, NULL, &out, err);
	if (r < 0)
		return r;
	for (char *l = strtok_r(out, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *rel = generic_release(ht_strstrip(l), major_minor);

		if (!rel)
			continue;
		names = ht_xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = rel;
	}
	if (n)
		qsort(names, n, sizeof(*names), cmp_release_desc);
	r = -ENOENT;
	for (size_t i = 0; i < n && r == -ENOENT; i++) {
		_cleanup_free_ char *pkg = ht_xasprintf("linux-image-%s-unsigned", names[i]);
		_cleanup_free_ char *show = NULL, *size = NULL;
		const char *sargv[] = { "apt-cache", "show", "--no-all-versions", pkg, NULL };
		char *ign = NULL;

		if (run_tool(sargv, MINUTE_MS, NULL, &show, &ign) < 0) {
			free(ign);
			continue;
		}
		ret->version = stanza_field(show, "Version");
		ret->sha256 = stanza_field(show, "SHA256");
		size = stanza_field(show, "Size");
		if (!ret->version || !ret->sha256 || strlen(ret->sha256) != 64) {
			deb_done(ret);
			continue;
		}
		ret->size = size ? strtoull(size, NULL, 10) : 0;
		ret->package = TAKE_PTR(pkg);
		ret->release = ht_xstrdup(names[i]);
		r = 0;
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (r == -ENOENT)
		ht_set_cause(
			err, -ENOENT,
			"the apt lists have no linux-image-%s.*-amd64-unsigned package: run "
			"apt-get update (with Debian bookworm and bookworm-security in the apt "
			"sources)",
			major_minor);
	return r;
}

static char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? ht_xstrdup(s) : NULL;
}

/*
 * apt-cache answers from the lists apt-get update wrote; without a
 * pkgcache.bin (Docker images turn it off) each call parses them all again,
 * about 0.5 s here. So the answer is remembered per spec in
 * kernels/resolved.json, stamped with the lists directory's mtime and
 * ctime, which apt-get update changes as it renames new lists into place.
 */
static char *lists_stamp(void)
{
	struct stat st;

	if (stat("/var/lib/apt/lists", &st) < 0)
		return NULL;
	return ht_xasprintf("%lld.%09ld/%lld.%09ld/%llu", (long long)st.st_mtim.tv_sec,
			    st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, st.st_ctim.tv_nsec,
			    (unsigned long long)st.st_ino);
}

static bool memo_get(const char *kernels, const char *spec, const char *stamp, struct deb *ret)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/resolved.json", kernels);
	json_t *all = stamp ? json_load_file(path, 0, NULL) : NULL;
	json_t *o = json_object_get(all, spec);
	const char *s = json_string_value(json_object_get(o, "lists"));
	bool ok = false;

	if (s && strcmp(s, stamp) == 0 && json_string_value(json_object_get(o, "package")) &&
	    json_string_value(json_object_get(o, "version")) &&
	    json_string_value(json_object_get(o, "sha256")) &&
	    json_string_value(json_object_get(o, "release"))) {
		ret->package = jstr(o, "package");
		ret->version = jstr(o, "version");
		ret->sha256 = jstr(o, "sha256");
		ret->release = jstr(o, "release");
		ret->size = (unsigned long long)json_integer_value(json_object_get(o, "size"));
		ok = true;
	}
	json_decref(all);
	return ok;
}

/* Best effort: a lost update (two runs at once) only costs an apt-cache call. */
static void memo_put(const char *kernels, const char *spec, const char *stamp, const struct deb *d)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/resolved.json", kernels), *text = NULL;
	json_t *all = json_load_file(path, 0, NULL), *o = json_object();
	char *ign = NULL;

	if (!stamp) {
		json_decref(all);
		json_decref(o);
		return;
	}
	if (!json_is_object(all)) {
		json_decref(all);
		all = json_object();
	}
	json_object_set_new(o, "lists", json_string(stamp));
	json_object_set_new(o, "package", json_string(d->package));
	json_object_set_new(o, "version", json_string(d->version));
	json_object_set_new(o, "sha256", json_string(d->sha256));
	json_object_set_new(o, "release", json_string(d->release));
	json_object_set_new(o, "size", json_integer((json_int_t)d->size));
	json_object_set_new(all, spec, o);
	text = json_dumps(all, JSON_INDENT(2) | JSON_SORT_KEYS);
	json_decref(all);
	if (text)
		write_file_atomic(path, text, strlen(text), &ign);
	free(ign);
}

/* ---- cache entries ---- */

static bool is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/*
 * Fill k from an entry's meta.json. -ENOENT when there is no entry;
 * -EBADMSG when it is damaged (a file named in it is gone), so the caller
 * fetches it again.
 */
static int entry_load(struct ht_vm_kernel *k, const char *dir)
{
	_cleanup_free_ char *meta = ht_xasprintf("%s/meta.json", dir);
	_cleanup_free_ char *bz = NULL, *vm = NULL, *mods = NULL, *dep = NULL;
	json_t *o;
	int r = -EBADMSG;

	o = json_load_file(meta, 0, NULL);
	if (!o)
		return access(dir, F_OK) == 0 ? -EBADMSG : -ENOENT;
	if (!json_string_value(json_object_get(o, "bzimage")) ||
	    !json_string_value(json_object_get(o, "modules")) ||
	    !json_string_value(json_object_get(o, "release")) ||
	    !json_string_value(json_object_get(o, "sha256")))
		goto out;
	bz = ht_xasprintf("%s/%s", dir, json_string_value(json_object_get(o, "bzimage")));
	mods = ht_xasprintf("%s/%s", dir, json_string_value(json_object_get(o, "modules")));
	if (json_string_value(json_object_get(o, "vmlinux")))
		vm = ht_xasprintf("%s/%s", dir, json_string_value(json_object_get(o, "vmlinux")));
	dep = ht_xasprintf("%s/modules.dep", mods);
	if (!is_file(bz) || !is_file(dep) || (vm && !is_file(vm)))
		goto out;
	free(k->bzimage);
	k->bzimage = TAKE_PTR(bz);
	free(k->vmlinux);
	k->vmlinux = TAKE_PTR(vm);
	free(k->modules_dir);
	k->modules_dir = TAKE_PTR(mods);
	free(k->release);
	k->release = jstr(o, "release");
	free(k->package);
	k->package = jstr(o, "package");
	free(k->version);
	k->version = jstr(o, "version");
	free(k->sha256);
	k->sha256 = jstr(o, "sha256");
	free(k->dir);
	k->dir = ht_xstrdup(dir);
	r = 0;
out:
	json_decref(o);
	return r;
}

static int entry_write_meta(const struct ht_vm_kernel *k, const struct deb *d, const char *tmp,
			    const char *mods, bool pvh, char **err)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/meta.json", tmp), *text = NULL;
	_cleanup_free_ char *bz = ht_xasprintf("boot/vmlinuz-%s", d->release);
	char when[32];
	time_t now = time(NULL);
	struct tm tm;
	json_t *o = json_object();

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(o, "spec", json_string(k->spec));
	json_object_set_new(o, "package", json_string(d->package));
	json_object_set_new(o, "version", json_string(d->version));
	json_object_set_new(o, "sha256", json_string(d->sha256));
	json_object_set_new(o, "release", json_string(d->release));
	json_object_set_new(o, "bzimage", json_string(bz));
	json_object_set_new(o, "vmlinux", pvh ? json_string("vmlinux") : json_null());
	json_object_set_new(o, "modules", json_string(mods));
	json_object_set_new(o, "fetched", json_string(when));
	text = json_dumps(o, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(o);
	if (!text)
		abort();
	return write_file_atomic(path, text, strlen(text), err);
}

/* The only .deb apt-get download left in dir. */
static int find_deb(const char *dir, char **ret, char **err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int r = -ENOENT;

	if (!d)
		return ht_set_cause(err, -errno, "open %s: %s", dir, ht_errno_name(errno));
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);

		if (n > 4 && strcmp(e->d_name + n - 4, ".deb") == 0) {
			*ret = ht_xasprintf("%s/%s", dir, e->d_name);
			r = 0;
			break;
		}
	}
	closedir(d);
	if (r < 0)
		ht_set_cause(err, r, "apt-get download left no .deb in %s", dir);
	return r;
}

/*
 * Download, verify and unpack d into tmp (an empty directory in the cache).
 * Sets *ret_mods to the modules directory relative to tmp and *ret_pvh.
 */
static int fetch_into(const struct ht_vm_kernel *k, const struct deb *d, const char *tmp, FILE *log,
		      char **ret_mods, bool *ret_pvh, char **err)
{
	_cleanup_free_ char *pin = ht_xasprintf("%s=%s", d->package, d->version);
	_cleanup_free_ char *deb = NULL, *mods = NULL, *mods_abs = NULL, *bz = NULL, *vm = NULL;
	char got[65];
	uint64_t t0 = ht_now_ns();
	struct stat st;
	int r;

	progress(log, k, "downloading %s %s (%llu MB)…", d->package, d->version,
		 (d->size + 500000) / 1000000);
	{
		/*
		 * apt-get download writes to the current directory (apt-get(8));
		 * env -C (coreutils env(1)) sets it. As root, apt drops to the _apt
		 * user to download, and _apt cannot write a private cache:
		 * APT::Sandbox::User=root keeps root.
		 */
		const char *argv_root[] = { "env",	"-C", tmp,  "apt-get",
					    "download", "-q", "-o", "APT::Sandbox::User=root",
					    pin,	NULL };
		const char *argv_user[] = {
			"env", "-C", tmp, "apt-get", "download", "-q", pin, NULL
		};

		r = run_tool(geteuid() == 0 ? argv_root : argv_user, 30 * MINUTE_MS, NULL, NULL,
			     err);
		if (r < 0)
			return r;
	}
	r = find_deb(tmp, &deb, err);
	if (r < 0)
		return r;
	r = ht_vm_sha256_file(deb, got, err);
	if (r < 0)
		return r;
	if (strcmp(got, d->sha256) != 0)
		return ht_set_cause(err, -EBADMSG,
				    "%s: sha256 %s, but the apt lists say %s for %s %s", deb, got,
				    d->sha256, d->package, d->version);
	progress(log, k, "extracting (downloaded in %.1f s)…", (double)(ht_now_ns() - t0) / 1e9);
	{
		const char *argv[] = { "dpkg-deb", "-x", deb, tmp, NULL };

		r = run_tool(argv, 10 * MINUTE_MS, NULL, NULL, err);
		if (r < 0)
			return r;
	}
	unlink(deb);
	bz = ht_xasprintf("%s/boot/vmlinuz-%s", tmp, d->release);
	if (!is_file(bz))
		return ht_set_cause(err, -ENOENT, "%s %s has no boot/vmlinuz-%s", d->package,
				    d->version, d->release);
	/*
	 * depmod -b BASE looks in BASE/lib/modules (kmod 30, Debian 12). A
	 * package built for a merged /usr ships usr/lib/modules: give depmod
	 * the lib -> usr/lib link the host would have.
	 */
	mods = ht_xasprintf("lib/modules/%s", d->release);
	mods_abs = ht_xasprintf("%s/%s", tmp, mods);
	if (stat(mods_abs, &st) < 0) {
		_cleanup_free_ char *usr = ht_xasprintf("%s/usr/%s", tmp, mods);
		_cleanup_free_ char *lib = ht_xasprintf("%s/lib", tmp);

		if (stat(usr, &st) < 0)
			return ht_set_cause(err, -ENOENT, "%s %s has no lib/modules/%s", d->package,
					    d->version, d->release);
		if (symlink("usr/lib", lib) < 0)
			return ht_set_cause(err, -errno, "symlink %s: %s", lib,
					    ht_errno_name(errno));
	}
	{
		const char *argv[] = { "depmod", "-b", tmp, d->release, NULL };

		/* The package has no modules.dep: the postinst runs depmod. */
		r = run_tool(argv, 10 * MINUTE_MS, NULL, NULL, err);
		if (r < 0)
			return r;
	}
	vm = ht_xasprintf("%s/vmlinux", tmp);
	*ret_pvh = cut_pvh(k, bz, vm, log) == 1;
	*ret_mods = TAKE_PTR(mods);
	return 0;
}

/* Leftovers of a fetch that was killed; only called with the lock held. */
static void remove_stale_tmp(const char *kernels)
{
	DIR *d = opendir(kernels);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, ".tmp-", 5) == 0) {
			_cleanup_free_ char *p = ht_xasprintf("%s/%s", kernels, e->d_name);

			rm_rf(p);
		}
	closedir(d);
}

/*
 * The newest complete cached entry fetched for this spec, when apt cannot
 * tell us the current package (no lists on an offline machine).
 */
static int entry_newest_for_spec(struct ht_vm_kernel *k, const char *kernels)
{
	DIR *d = opendir(kernels);
	struct dirent *e;
	_cleanup_free_ char *best = NULL, *best_rel = NULL;

	if (!d)
		return -ENOENT;
	while ((e = readdir(d))) {
		_cleanup_free_ char *dir = NULL, *meta = NULL;
		json_t *o;
		const char *spec, *rel;

		if (e->d_name[0] == '.')
			continue;
		dir = ht_xasprintf("%s/%s", kernels, e->d_name);
		meta = ht_xasprintf("%s/meta.json", dir);
		o = json_load_file(meta, 0, NULL);
		if (!o)
			continue;
		spec = json_string_value(json_object_get(o, "spec"));
		rel = json_string_value(json_object_get(o, "release"));
		if (spec && rel && strcmp(spec, k->spec) == 0 &&
		    (!best_rel || strverscmp(rel, best_rel) > 0)) {
			free(best);
			free(best_rel);
			best = TAKE_PTR(dir);
			best_rel = ht_xstrdup(rel);
		}
		json_decref(o);
	}
	closedir(d);
	if (!best)
		return -ENOENT;
	return entry_load(k, best);
}

static int lock_kernels(const char *kernels, const struct ht_vm_kernel *k, FILE *log, int *ret_fd,
			char **err)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/.lock", kernels);
	_cleanup_close_ int fd = -1;

	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOCTTY, 0644);
	if (fd < 0)
		return ht_set_cause(err, -errno, "open %s: %s", path, ht_errno_name(errno));
	/* flock(2): released when the fd closes, also when the process dies. */
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		if (errno != EWOULDBLOCK)
			return ht_set_cause(err, -errno, "flock %s: %s", path,
					    ht_errno_name(errno));
		progress(log, k, "waiting for another isolab to finish fetching (%s)…", path);
		while (flock(fd, LOCK_EX) < 0)
			if (errno != EINTR)
				return ht_set_cause(err, -errno, "flock %s: %s", path,
						    ht_errno_name(errno));
	}
	*ret_fd = TAKE_FD(fd);
	return 0;
}

static int fetch_debian(struct ht_vm_kernel *k, FILE *log, char **err)
{
	const char *mm = k->spec + 7;
	_cleanup_free_ char *kernels = ht_xasprintf("%s/kernels", ht_vm_cache_dir());
	_cleanup_free_ char *entry = NULL, *tmp = NULL, *mods = NULL, *apt_err = NULL;
	_cleanup_free_ char *stamp = NULL;
	_cleanup_close_ int lock = -1;
	struct deb d = { 0 };
	bool pvh = false;
	int r;

	r = ht_vm_mkdir_p(kernels, 0755, err);
	if (r < 0)
		return r;
	stamp = lists_stamp();
	if (memo_get(kernels, k->spec, stamp, &d)) {
		r = 0;
	} else {
		r = apt_resolve(mm, &d, &apt_err);
		if (r == 0)
			memo_put(kernels, k->spec, stamp, &d);
	}
	if (r == -ENOENT) {
		/* Offline with no lists: the newest kernel fetched before will do. */
		if (entry_newest_for_spec(k, kernels) == 0) {
			progress(log, k, "apt lists know no %s kernel: using the cached %s %s",
				 k->spec, k->package, k->version);
			return 0;
		}
	}
	if (r < 0) {
		ht_set_cause(err, r, "%s", apt_err);
		return r;
	}
	entry = ht_xasprintf("%s/%s_%s", kernels, d.package, d.version);
	if (entry_load(k, entry) == 0)
		goto done;
	r = lock_kernels(kernels, k, log, &lock, err);
	if (r < 0)
		goto done;
	/* Someone else may have fetched it while we waited. */
	r = entry_load(k, entry);
	if (r == 0)
		goto done;
	if (r == -EBADMSG) {
		progress(log, k, "the cache entry %s is damaged: fetching it again", entry);
		rm_rf(entry);
	}
	remove_stale_tmp(kernels);
	tmp = ht_xasprintf("%s/.tmp-%s_%s-XXXXXX", kernels, d.package, d.version);
	if (!mkdtemp(tmp)) {
		r = ht_set_cause(err, -errno, "mkdtemp %s: %s", tmp, ht_errno_name(errno));
		goto done;
	}
	r = fetch_into(k, &d, tmp, log, &mods, &pvh, err);
	if (r == 0)
		r = entry_write_meta(k, &d, tmp, mods, pvh, err);
	if (r == 0 && rename(tmp, entry) < 0)
		r = ht_set_cause(err, -errno, "rename %s to %s: %s", tmp, entry,
				 ht_errno_name(errno));
	if (r < 0) {
		rm_rf(tmp);
		goto done;
	}
	r = entry_load(k, entry);
	if (r < 0)
		ht_set_cause(err, r, "%s: meta.json unreadable right after writing it", entry);
done:
	deb_done(&d);
	return r;
}

/*
 * path:FILE --modules DIR. The release is the one the bzImage names; a
 * modules directory named for another release would be refused by the
 * kernel module by module (vermagic), so that is an error here.
 */
static int fetch_path(struct ht_vm_kernel *k, FILE *log, char **err)
{
	const char *file = k->spec + 5;
	_cleanup_free_ char *rel = NULL, *dep = NULL, *base = NULL, *dir = NULL;
	_cleanup_free_ char *pvh_path = NULL, *none_path = NULL;
	char sha[65];
	struct stat st;
	int r;

	if (stat(file, &st) < 0)
		return ht_set_cause(err, -errno, "kernel %s: %s", file, ht_errno_name(errno));
	if (!S_ISREG(st.st_mode))
		return ht_set_cause(err, -EINVAL, "kernel %s: not a regular file", file);
	r = read_release(file, &rel, err);
	if (r < 0)
		return r;
	if (stat(k->modules_dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return ht_set_cause(err, -ENOTDIR, "--modules %s: not a directory", k->modules_dir);
	dep = ht_xasprintf("%s/modules.dep", k->modules_dir);
	if (!is_file(dep))
		return ht_set_cause(err, -ENOENT,
				    "--modules %s has no modules.dep (run depmod for that release)",
				    k->modules_dir);
	base = basename_of_dir(k->modules_dir);
	if (rel && strcmp(rel, base) != 0)
		return ht_set_cause(err, -EINVAL,
				    "%s is release %s, but --modules %s is for %s: the kernel "
				    "would refuse those modules (vermagic)",
				    file, rel, k->modules_dir, base);
	r = ht_vm_sha256_file(file, sha, err);
	if (r < 0)
		return r;
	free(k->release);
	k->release = rel ? TAKE_PTR(rel) : ht_xstrdup(base);
	free(k->sha256);
	k->sha256 = ht_xstrdup(sha);
	free(k->bzimage);
	k->bzimage = ht_xstrdup(file);
	free(k->vmlinux);
	k->vmlinux = NULL;

	/* The PVH cut is cached by the vmlinuz's hash: a rebuilt kernel gets its own. */
	dir = ht_xasprintf("%s/vmlinux", ht_vm_cache_dir());
	r = ht_vm_mkdir_p(dir, 0755, err);
	if (r < 0)
		return r;
	pvh_path = ht_xasprintf("%s/%s.vmlinux", dir, sha);
	none_path = ht_xasprintf("%s/%s.none", dir, sha);
	if (is_file(pvh_path)) {
		k->vmlinux = TAKE_PTR(pvh_path);
		return 0;
	}
	if (is_file(none_path))
		return 0;
	progress(log, k, "looking for a PVH entry in %s…", file);
	r = cut_pvh(k, file, pvh_path, log);
	if (r == 1) {
		k->vmlinux = TAKE_PTR(pvh_path);
		return 0;
	}
	/* Remember "none", not a failure: that may go away (e.g. with lzop installed). */
	return r == 0 ? write_file_atomic(none_path, "", 0, err) : 0;
}

int ht_vm_kernel_fetch(struct ht_vm_kernel *k, FILE *log, char **err)
{
	if (!k->spec)
		return ht_set_cause(err, -EINVAL, "kernel: no spec (ht_vm_kernel_parse first)");
	if (strncmp(k->spec, "debian:", 7) == 0)
		return fetch_debian(k, log, err);
	return fetch_path(k, log, err);
}
