// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Helpers of the OCI suite (see oci.h): layer and image writers built on
 * libarchive's writer, the unpacker's command line, and the victim oracle.
 */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>
#include <wordexp.h>

#include "config.h"
#include "ht-util.h"
#include "oci.h"

static char *with_victim(struct oci_case *c, const char *s)
{
	/* The names are test data: "%s" is the only directive they may hold. */
	if (!s)
		return NULL;
	if (!strstr(s, "%s"))
		return ht_xstrdup(s);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return ht_xasprintf(s, c->victim);
#pragma GCC diagnostic pop
}

static void mkdir_or_broken(struct ht_ctx *t, const char *path)
{
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		ht_broken(t, "mkdir %s: %s", path, strerror(errno));
}

static void write_or_broken(struct ht_ctx *t, const char *path, const char *s, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || ht_write_all(fd, s, len) < 0)
		ht_broken(t, "write %s: %s", path, strerror(errno));
}

void oci_case_init(struct ht_ctx *t, struct oci_case *c)
{
	const char *s = ht_scratch_dir(t);
	char *p;

	memset(c, 0, sizeof(*c));
	c->in = ht_xasprintf("%s/in", s);
	c->out = ht_xasprintf("%s/out", s);
	c->bundle = ht_xasprintf("%s/bundle", c->out);
	c->rootfs = ht_xasprintf("%s/rootfs", c->bundle);
	c->victim = ht_xasprintf("%s/victim", c->out);
	mkdir_or_broken(t, c->in);
	mkdir_or_broken(t, c->out);
	mkdir_or_broken(t, c->victim);
	p = ht_xasprintf("%s/secret", c->victim);
	write_or_broken(t, p, ht_nonce(t), strlen(ht_nonce(t)));
	HT_SETUP(t, chmod(p, 0600));
	free(p);
	p = ht_xasprintf("%s/sub", c->victim);
	mkdir_or_broken(t, p);
	free(p);
	p = ht_xasprintf("%s/sub/.wh.x", c->victim);
	write_or_broken(t, p, "keep\n", 5);
	free(p);
	c->before = NULL;
}

void oci_case_free(struct oci_case *c)
{
	free(c->in);
	free(c->out);
	free(c->bundle);
	free(c->rootfs);
	free(c->victim);
	free(c->before);
	memset(c, 0, sizeof(*c));
}

static void entry_set(struct oci_case *c, struct archive_entry *e, const struct oci_ent *x)
{
	_cleanup_free_ char *name = with_victim(c, x->name);
	_cleanup_free_ char *data = with_victim(c, x->data);
	unsigned mode = x->mode;

	archive_entry_set_pathname(e, name);
	archive_entry_set_mtime(e, 1700000000, 0);
	switch (x->type) {
	case 'd':
		archive_entry_set_filetype(e, AE_IFDIR);
		mode = mode ? mode : 0755;
		break;
	case 'l':
		archive_entry_set_filetype(e, AE_IFLNK);
		archive_entry_set_symlink(e, data);
		mode = 0777;
		break;
	case 'h':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_hardlink(e, data);
		break;
	case 'c':
	case 'b':
		archive_entry_set_filetype(e, x->type == 'c' ? AE_IFCHR : AE_IFBLK);
		archive_entry_set_rdev(e, makedev(x->size >> 8, x->size & 0xff));
		break;
	case 'p':
		archive_entry_set_filetype(e, AE_IFIFO);
		break;
	case 'z':
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, (la_int64_t)x->size);
		break;
	default:
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_size(e, data ? (la_int64_t)strlen(data) : 0);
		break;
	}
	archive_entry_set_perm(e, mode ? mode : 0644);
}

static struct archive *writer_open(struct ht_ctx *t, const char *path, enum oci_format f,
				   enum oci_compress z)
{
	struct archive *a = archive_write_new();

	if (f == OCI_GNUTAR)
		archive_write_set_format_gnutar(a);
	else if (f == OCI_USTAR)
		archive_write_set_format_ustar(a);
	else
		archive_write_set_format_pax_restricted(a);
	if (z == OCI_GZIP) {
		archive_write_add_filter_gzip(a);
		archive_write_set_filter_option(a, "gzip", "compression-level", "1");
	} else if (z == OCI_ZSTD) {
		archive_write_add_filter_zstd(a);
	}
	if (archive_write_open_filename(a, path) != ARCHIVE_OK)
		ht_broken(t, "write %s: %s", path, archive_error_string(a));
	return a;
}

static void writer_close(struct ht_ctx *t, struct archive *a, const char *path)
{
	if (archive_write_close(a) != ARCHIVE_OK)
		ht_broken(t, "write %s: %s", path, archive_error_string(a));
	archive_write_free(a);
}

char *oci_layer_write(struct ht_ctx *t, struct oci_case *c, const char *name,
		      const struct oci_layer *l)
{
	char *path = ht_xasprintf("%s/%s", c->in, name);
	struct archive *a = writer_open(t, path, l->format, l->compress);
	static char zeros[1 << 16];

	for (const struct oci_ent *x = l->ents; x->type; x++) {
		struct archive_entry *e = archive_entry_new();
		_cleanup_free_ char *data = with_victim(c, x->data);

		entry_set(c, e, x);
		if (archive_write_header(a, e) != ARCHIVE_OK)
			ht_broken(t, "write %s: entry %.80s: %s", path, x->name,
				  archive_error_string(a));
		if (x->type == 'z') {
			for (uint64_t done = 0; done < x->size;) {
				size_t n = x->size - done < sizeof(zeros) ? x->size - done :
									    sizeof(zeros);

				if (archive_write_data(a, zeros, n) != (la_ssize_t)n)
					ht_broken(t, "write %s: %s", path, archive_error_string(a));
				done += n;
			}
		} else if (x->type == 'f' && data && *data) {
			archive_write_data(a, data, strlen(data));
		}
		archive_entry_free(e);
	}
	writer_close(t, a, path);
	return path;
}

char *oci_sha256(struct ht_ctx *t, const char *path)
{
	struct ht_proc p = { 0 };
	char *hex;

	ht_cmd_run(t, &p, HT_ARGS("sha256sum", path), NULL);
	if (p.exit_code != 0 || strlen(p.out) < 64)
		ht_broken(t, "sha256sum %s: %s", path, p.err);
	hex = ht_xasprintf("%.64s", p.out);
	ht_proc_free(&p);
	return hex;
}

static uint64_t file_size(struct ht_ctx *t, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		ht_broken(t, "stat %s: %s", path, strerror(errno));
	return (uint64_t)st.st_size;
}

/* Move a file into layout/blobs/sha256/ under its digest; returns the hex. */
static char *add_blob(struct ht_ctx *t, const char *layout, const char *file)
{
	char *hex = oci_sha256(t, file);
	_cleanup_free_ char *dst = ht_xasprintf("%s/blobs/sha256/%s", layout, hex);
	struct ht_proc p = { 0 };

	ht_cmd_run(t, &p, HT_ARGS("cp", file, dst), NULL);
	if (p.exit_code != 0)
		ht_broken(t, "cp %s %s: %s", file, dst, p.err);
	ht_proc_free(&p);
	return hex;
}

static char *add_json_blob(struct ht_ctx *t, const char *layout, const char *json,
			   uint64_t *ret_size)
{
	_cleanup_free_ char *tmp = ht_xasprintf("%s/blob.tmp", layout);
	char *hex;

	write_or_broken(t, tmp, json, strlen(json));
	hex = add_blob(t, layout, tmp);
	*ret_size = strlen(json);
	unlink(tmp);
	return hex;
}

char *oci_image_layout(struct ht_ctx *t, struct oci_case *c, const char *name, char *const *layers,
		       size_t n, const struct oci_image_opts *o)
{
	static const struct oci_image_opts none;
	char *dir = ht_xasprintf("%s/%s", c->in, name);
	_cleanup_free_ char *p = NULL, *cfg = NULL, *man = NULL, *idx = NULL, *descs = NULL,
			    *diffs = NULL, *chex = NULL, *mhex = NULL;
	uint64_t csize, msize;

	o = o ? o : &none;
	mkdir_or_broken(t, dir);
	p = ht_xasprintf("%s/blobs", dir);
	mkdir_or_broken(t, p);
	free(p);
	p = ht_xasprintf("%s/blobs/sha256", dir);
	mkdir_or_broken(t, p);
	descs = ht_xstrdup("");
	diffs = ht_xstrdup("");
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *hex = add_blob(t, dir, layers[i]);
		_cleanup_free_ char *digest = ht_xasprintf("sha256:%s", hex);
		char *d;

		if (i == 0 && o->bad_digest) {
			free(digest);
			digest = ht_xstrdup(o->bad_digest);
		}
		if (i == 0 && o->corrupt_layer) {
			_cleanup_free_ char *blob = ht_xasprintf("%s/blobs/sha256/%s", dir, hex);
			_cleanup_close_ int fd = open(blob, O_WRONLY | O_APPEND | O_CLOEXEC);

			/* Same size, different content: flip the last byte's bits. */
			if (fd < 0)
				ht_broken(t, "open %s: %s", blob, strerror(errno));
			HT_SETUP(t, ftruncate(fd, (off_t)file_size(t, blob) - 1));
			HT_SETUP(t, ht_write_all(fd, "\xA5", 1));
		}
		d = ht_xasprintf("%s%s{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar%s\","
				 "\"digest\":\"%s\",\"size\":%llu}",
				 descs, i ? "," : "", strstr(layers[i], ".tar.gz") ? "+gzip" : "",
				 digest, (unsigned long long)file_size(t, layers[i]));
		free(descs);
		descs = d;
		d = ht_xasprintf("%s%s\"sha256:%s\"", diffs, i ? "," : "", hex);
		free(diffs);
		diffs = d;
	}
	cfg = ht_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":%s,"
			   "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
			   o->config ? o->config : "{}", diffs);
	chex = add_json_blob(t, dir, cfg, &csize);
	man = ht_xasprintf(
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest."
		"v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config."
		"v1+json\",\"digest\":\"sha256:%s\",\"size\":%llu},\"layers\":[%s]}",
		chex, (unsigned long long)csize, descs);
	mhex = add_json_blob(t, dir, man, &msize);
	idx = ht_xasprintf("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd."
			   "oci.image.manifest.v1+json\",\"digest\":\"sha256:%s\",\"size\":%llu,"
			   "\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}",
			   mhex, (unsigned long long)msize);
	free(p);
	p = ht_xasprintf("%s/index.json", dir);
	write_or_broken(t, p, idx, strlen(idx));
	free(p);
	p = ht_xasprintf("%s/oci-layout", dir);
	write_or_broken(t, p, "{\"imageLayoutVersion\":\"1.0.0\"}", 30);
	return dir;
}

/* Add a file of the host to a tar being written, as name. */
static void archive_add_file(struct ht_ctx *t, struct archive *a, const char *path,
			     const char *name)
{
	struct archive_entry *e = archive_entry_new();
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[65536];
	ssize_t n;

	if (fd < 0)
		ht_broken(t, "open %s: %s", path, strerror(errno));
	archive_entry_set_pathname(e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)file_size(t, path));
	archive_write_header(a, e);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		archive_write_data(a, buf, (size_t)n);
	archive_entry_free(e);
}

char *oci_image_archive(struct ht_ctx *t, struct oci_case *c, const char *layout)
{
	char *path = ht_xasprintf("%s.tar", layout);
	struct archive *a = writer_open(t, path, OCI_PAX, OCI_PLAIN);
	_cleanup_free_ char *blobs = ht_xasprintf("%s/blobs/sha256", layout);
	DIR *d = opendir(blobs);
	struct dirent *de;

	if (!d)
		ht_broken(t, "opendir %s: %s", blobs, strerror(errno));
	while ((de = readdir(d))) {
		_cleanup_free_ char *src = NULL, *name = NULL;

		if (de->d_name[0] == '.')
			continue;
		src = ht_xasprintf("%s/%s", blobs, de->d_name);
		name = ht_xasprintf("blobs/sha256/%s", de->d_name);
		archive_add_file(t, a, src, name);
	}
	closedir(d);
	for (int i = 0; i < 2; i++) {
		const char *n = i ? "index.json" : "oci-layout";
		_cleanup_free_ char *src = ht_xasprintf("%s/%s", layout, n);

		archive_add_file(t, a, src, n);
	}
	writer_close(t, a, path);
	return path;
}

char *oci_docker_archive(struct ht_ctx *t, struct oci_case *c, const char *name,
			 char *const *plain_layers, size_t n, const char *config)
{
	char *path = ht_xasprintf("%s/%s", c->in, name);
	_cleanup_free_ char *diffs = ht_xstrdup(""), *names = ht_xstrdup(""), *cfg = NULL,
			    *cfgfile = NULL, *chex = NULL, *cname = NULL, *man = NULL,
			    *manfile = NULL;
	char **hex = ht_xcalloc(n + 1, sizeof(*hex));
	struct archive *a;

	for (size_t i = 0; i < n; i++) {
		char *d;

		hex[i] = oci_sha256(t, plain_layers[i]);
		d = ht_xasprintf("%s%s\"sha256:%s\"", diffs, i ? "," : "", hex[i]);
		free(diffs);
		diffs = d;
		d = ht_xasprintf("%s%s\"%s/layer.tar\"", names, i ? "," : "", hex[i]);
		free(names);
		names = d;
	}
	cfg = ht_xasprintf("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":%s,"
			   "\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[%s]}}",
			   config ? config : "{}", diffs);
	cfgfile = ht_xasprintf("%s/%s.config", c->in, name);
	write_or_broken(t, cfgfile, cfg, strlen(cfg));
	chex = oci_sha256(t, cfgfile);
	cname = ht_xasprintf("%s.json", chex);
	man = ht_xasprintf("[{\"Config\":\"%s\",\"RepoTags\":[\"isolab/test:latest\"],"
			   "\"Layers\":[%s]}]",
			   cname, names);
	manfile = ht_xasprintf("%s/%s.manifest", c->in, name);
	write_or_broken(t, manfile, man, strlen(man));

	a = writer_open(t, path, OCI_PAX, OCI_PLAIN);
	archive_add_file(t, a, cfgfile, cname);
	for (size_t i = 0; i < n; i++) {
		_cleanup_free_ char *ln = ht_xasprintf("%s/layer.tar", hex[i]);

		archive_add_file(t, a, plain_layers[i], ln);
		free(hex[i]);
	}
	archive_add_file(t, a, manfile, "manifest.json");
	writer_close(t, a, path);
	free(hex);
	return path;
}

static void run_words(struct ht_ctx *t, struct ht_proc *p, const char *first,
		      const char *const *args)
{
	const char *env = getenv("ISOLAB_OCI_UNPACKER");
	const char **argv;
	size_t n = 0, k = 0;
	wordexp_t we = { 0 };
	bool have_we = false;

	for (const char *const *a = args; *a; a++)
		n++;
	if (env && *env) {
		if (wordexp(env, &we, WRDE_NOCMD | WRDE_UNDEF) != 0 || we.we_wordc == 0)
			ht_broken(t, "cannot split $ISOLAB_OCI_UNPACKER '%s'", env);
		have_we = true;
	}
	argv = ht_xcalloc((have_we ? we.we_wordc : 2) + n + 2, sizeof(*argv));
	if (have_we) {
		for (size_t i = 0; i < we.we_wordc; i++)
			argv[k++] = we.we_wordv[i];
	} else {
		argv[k++] = ISOLAB_DEFAULT_RUNTIME;
		argv[k++] = "oci";
	}
	if (first)
		argv[k++] = first;
	for (size_t i = 0; i < n; i++)
		argv[k++] = args[i];
	ht_cmd_run(t, p, argv, NULL);
	free(argv);
	if (have_we)
		wordfree(&we);
}

void oci_tool(struct ht_ctx *t, struct ht_proc *p, const char *const *args)
{
	run_words(t, p, NULL, args);
}

void oci_unpack(struct ht_ctx *t, struct ht_proc *p, struct oci_case *c, const char *image,
		const char *const *extra)
{
	const char *args[16];
	size_t k = 0;

	free(c->before);
	c->before = oci_tree(t, ht_scratch_dir(t));
	for (; extra && *extra && k < 12; extra++)
		args[k++] = *extra;
	args[k++] = image;
	args[k++] = c->bundle;
	args[k] = NULL;
	run_words(t, p, "unpack", args);
}

/* Append "TYPE MODE PATH ..." lines for the tree under dir/rel, sorted. */
static void walk(struct ht_ctx *t, const char *top, const char *rel, char ***lines, size_t *n,
		 bool contents)
{
	_cleanup_free_ char *dir = *rel ? ht_xasprintf("%s/%s", top, rel) : ht_xstrdup(top);
	struct dirent **list = NULL;
	int cnt = scandir(dir, &list, NULL, alphasort);

	for (int i = 0; i < cnt; i++) {
		const char *nm = list[i]->d_name;
		_cleanup_free_ char *r = NULL, *full = NULL, *extra = NULL;
		struct stat st;
		char type;

		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0)
			goto next;
		r = *rel ? ht_xasprintf("%s/%s", rel, nm) : ht_xstrdup(nm);
		full = ht_xasprintf("%s/%s", top, r);
		/* The oracle's own inputs and the bundle under test are not the victim. */
		if (contents && (strcmp(r, "in") == 0 || strcmp(r, "out/bundle") == 0))
			goto next;
		if (lstat(full, &st) < 0)
			goto next;
		type = S_ISDIR(st.st_mode)  ? 'd' :
		       S_ISLNK(st.st_mode)  ? 'l' :
		       S_ISFIFO(st.st_mode) ? 'p' :
		       S_ISCHR(st.st_mode)  ? 'c' :
		       S_ISBLK(st.st_mode)  ? 'b' :
					      'f';
		if (type == 'l') {
			char target[4096];
			ssize_t k = readlink(full, target, sizeof(target) - 1);

			target[k < 0 ? 0 : k] = '\0';
			extra = ht_xasprintf(" -> %s", target);
		} else if (type == 'f' && contents && st.st_size < (1 << 20)) {
			_cleanup_free_ char *data = NULL;

			if (ht_read_file(AT_FDCWD, full, &data) == 0)
				extra = ht_xasprintf(" [%s]", data);
		}
		/*
		 * A directory's st_size is the filesystem's business (tmpfs counts
		 * its entries, so out/ grows when the bundle appears): its entries
		 * are listed anyway.
		 */
		if (type == 'd')
			st.st_size = 0;
		*lines = ht_xrealloc(*lines, (*n + 1) * sizeof(**lines));
		if (contents)
			(*lines)[(*n)++] = ht_xasprintf(
				"%c %04o %u:%u %lld %s%s", type, st.st_mode & 07777, st.st_uid,
				st.st_gid, (long long)st.st_size, r, extra ? extra : "");
		else
			(*lines)[(*n)++] = ht_xasprintf("%c %s%s", type, r, extra ? extra : "");
		if (type == 'd')
			walk(t, top, r, lines, n, contents);
next:
		free(list[i]);
	}
	free(list);
}

static char *tree(struct ht_ctx *t, const char *dir, bool contents)
{
	char **lines = NULL, *out = ht_xstrdup("");
	size_t n = 0;

	walk(t, dir, "", &lines, &n, contents);
	for (size_t i = 0; i < n; i++) {
		char *s = ht_xasprintf("%s%s\n", out, lines[i]);

		free(out);
		free(lines[i]);
		out = s;
	}
	free(lines);
	return out;
}

char *oci_tree(struct ht_ctx *t, const char *dir)
{
	/* The scratch dir (the oracle's view) with contents; a rootfs without. */
	return tree(t, dir, strcmp(dir, ht_scratch_dir(t)) == 0);
}

/* Whether any regular file under dir holds the nonce. */
static void scan_nonce(struct ht_ctx *t, const char *dir, const char *rel)
{
	_cleanup_free_ char *path = *rel ? ht_xasprintf("%s/%s", dir, rel) : ht_xstrdup(dir);
	DIR *d = opendir(path);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d))) {
		_cleanup_free_ char *r = NULL, *full = NULL, *data = NULL;
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		r = *rel ? ht_xasprintf("%s/%s", rel, de->d_name) : ht_xstrdup(de->d_name);
		full = ht_xasprintf("%s/%s", dir, r);
		if (lstat(full, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			scan_nonce(t, dir, r);
		else if (S_ISREG(st.st_mode) && st.st_size < (16 << 20) &&
			 ht_read_file(AT_FDCWD, full, &data) == 0 && strstr(data, ht_nonce(t)))
			ht_fail(t,
				"rootfs file /%s holds the victim's nonce: it reads a host file "
				"(a hardlink or a copy through a link out of the root)",
				r);
	}
	closedir(d);
}

void oci_victim_check(struct ht_ctx *t, struct oci_case *c)
{
	_cleanup_free_ char *after = oci_tree(t, ht_scratch_dir(t));

	if (!c->before)
		ht_broken(t, "oci_victim_check without oci_unpack");
	if (strcmp(c->before, after) != 0)
		ht_fail(t,
			"the files around the bundle changed (victim %s); before:\n%.1500s\n"
			"after:\n%.1500s",
			c->victim, c->before, after);
	else
		HT_EXPECT(t, true);
	scan_nonce(t, c->rootfs, "");
}
