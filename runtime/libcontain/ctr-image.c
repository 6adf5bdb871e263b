// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Image reading (see ctr-image.h). Names found in the image (a docker
 * manifest's "Layers", an archive's entries) are only ever keys: a
 * directory layout is opened with openat2(2) RESOLVE_IN_ROOT on its fd, and
 * a tarball's files are stored under numbers, so no name from the image is
 * used as a host path. OCI blobs are named from their digest only after
 * ctr_digest_parse has accepted it (image-layout.md#blobs).
 *
 * libarchive and libcrypto are opened by ctr_image_open() rather than linked
 * (ctr-dlopen.h): only `contain oci unpack` loads them.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ctr-dl-archive.h"
#include "ctr-image.h"
#include "ctr-unpack.h"
#include "ctr-util.h"

#define MT_INDEX	   "application/vnd.oci.image.index.v1+json"
#define MT_MANIFEST	   "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST	   "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"

/* One file of a tarball image: stored as tmp/<idx>, or a symlink to another name. */
struct entry {
	char *name;
	char *link; /* cleaned target, or NULL for a file */
	size_t idx;
};

struct store {
	int dirfd; /* the layout directory, or the private copy of a tarball */
	bool archive;
	struct entry *ents;
	size_t n;
};

static void store_clear(struct store *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->ents[i].name);
		free(s->ents[i].link);
	}
	free(s->ents);
	if (s->dirfd >= 0)
		close(s->dirfd);
	*s = (struct store){ .dirfd = -1 };
}

const char *ctr_image_format_name(enum ctr_image_format f)
{
	switch (f) {
	case CTR_IMAGE_OCI_LAYOUT:
		return "oci layout";
	case CTR_IMAGE_OCI_ARCHIVE:
		return "oci-archive";
	case CTR_IMAGE_DOCKER_ARCHIVE:
		return "docker-archive";
	}
	return "?";
}

const char *ctr_image_host_arch(void)
{
	static const struct {
		const char *uname, *goarch;
	} map[] = {
		{ "x86_64", "amd64" },	  { "aarch64", "arm64" },   { "i686", "386" },
		{ "armv7l", "arm" },	  { "ppc64le", "ppc64le" }, { "s390x", "s390x" },
		{ "riscv64", "riscv64" },
	};
	static char arch[65];
	struct utsname u;

	if (arch[0])
		return arch;
	if (uname(&u) < 0)
		return "amd64";
	snprintf(arch, sizeof(arch), "%s", u.machine);
	for (size_t i = 0; i < CTR_ARRAY_SIZE(map); i++)
		if (strcmp(u.machine, map[i].uname) == 0)
			snprintf(arch, sizeof(arch), "%s", map[i].goarch);
	return arch;
}

static int open_in_root(int dirfd, const char *name)
{
	struct open_how how = {
		.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
		.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
	};
	int fd = (int)syscall(SYS_openat2, dirfd, name, &how, sizeof(how));

	return fd < 0 ? -errno : fd;
}

static struct entry *store_find(struct store *s, const char *name)
{
	/* The last one wins, as when a tar is extracted. */
	for (size_t i = s->n; i-- > 0;)
		if (strcmp(s->ents[i].name, name) == 0)
			return &s->ents[i];
	return NULL;
}

/* Open a file of the image by name; the error names it. */
static int store_open(struct store *s, const char *name, int *ret, struct ctr_error *err)
{
	struct ctr_unpack_limits lim = { .max_depth = 64, .max_name = 255 };
	_cleanup_free_ char *clean = NULL;
	struct stat st;
	int fd, r;

	r = ctr_unpack_path_clean(name, &lim, &clean, err);
	if (r < 0)
		return ctr_error_prefix(err, "image file \"%.200s\"", name);
	if (!s->archive) {
		fd = open_in_root(s->dirfd, clean);
		if (fd < 0)
			return ctr_error_errno(err, -fd, "open image file %s", clean);
	} else {
		struct entry *e = store_find(s, clean);
		char num[32];

		/* Follow the archive's own symlinks (docker 25 links layer.tar to blobs/). */
		for (int hops = 0; e && e->link && hops < 8; hops++)
			e = store_find(s, e->link);
		if (!e || e->link)
			return ctr_error_set(err, ENOENT, "image file %s: not in the archive",
					     clean);
		snprintf(num, sizeof(num), "%zu", e->idx);
		fd = openat(s->dirfd, num, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return ctr_error_errno(err, errno, "open image file %s", clean);
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ctr_error_set(err, EINVAL, "image file %s: not a regular file", clean);
	}
	*ret = fd;
	return 0;
}

static int read_json_fd(int fd, const char *what, json_t **ret, struct ctr_error *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	json_error_t jerr;
	json_t *j;

	buf = malloc(CTR_IMAGE_MAX_JSON + 1);
	if (!buf)
		return ctr_error_errno(err, ENOMEM, "%s", what);
	for (;;) {
		ssize_t n = pread(fd, buf + len, CTR_IMAGE_MAX_JSON + 1 - len, (off_t)len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return ctr_error_errno(err, errno, "read %s", what);
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > CTR_IMAGE_MAX_JSON)
			return ctr_error_set(err, EFBIG, "%s: larger than %u bytes", what,
					     CTR_IMAGE_MAX_JSON);
	}
	j = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!j)
		return ctr_error_set(err, EINVAL, "%s: invalid JSON at line %d: %s", what,
				     jerr.line, jerr.text);
	*ret = j;
	return 0;
}

static int read_json(struct store *s, const char *name, json_t **ret, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r = store_open(s, name, &fd, err);

	return r < 0 ? r : read_json_fd(fd, name, ret, err);
}

/*
 * Open the blob of descriptor d (descriptor.md) and check its digest and
 * size. what names it in errors ("manifest", "layer 2").
 */
static int open_blob(struct store *s, json_t *d, const char *what, int *ret, char *ret_digest,
		     struct ctr_error *err)
{
	const char *digest = json_string_value(json_object_get(d, "digest"));
	json_t *size = json_object_get(d, "size");
	char hex[CTR_DIGEST_HEX_LEN + 1], name[128];
	_cleanup_close_ int fd = -1;
	int r;

	if (!json_is_object(d))
		return ctr_error_set(err, EINVAL, "%s: the descriptor is not an object", what);
	r = ctr_digest_parse(digest, hex, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", what);
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return ctr_error_set(err, EINVAL, "%s %s: the descriptor has no valid size", what,
				     digest);
	snprintf(name, sizeof(name), "blobs/sha256/%s", hex);
	r = store_open(s, name, &fd, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", what);
	r = ctr_digest_verify_fd(fd, name, digest, json_integer_value(size), err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", what);
	if (ret_digest)
		snprintf(ret_digest, CTR_DIGEST_STR_MAX, "%s", digest);
	*ret = TAKE_FD(fd);
	return 0;
}

static int read_blob_json(struct store *s, json_t *d, const char *what, json_t **ret,
			  char *ret_digest, struct ctr_error *err)
{
	_cleanup_close_ int fd = -1;
	int r = open_blob(s, d, what, &fd, ret_digest, err);

	if (r < 0)
		return r;
	r = read_json_fd(fd, what, ret, err);
	return r < 0 ? r : 0;
}

static bool is_index(json_t *d)
{
	const char *mt = json_string_value(json_object_get(d, "mediaType"));

	return mt && (strcmp(mt, MT_INDEX) == 0 || strcmp(mt, MT_DOCKER_LIST) == 0);
}

/* The manifest descriptor to use from an index's "manifests" (image-index.md). */
static int pick_manifest(json_t *index, const char *what, json_t **ret, struct ctr_error *err)
{
	json_t *list = json_object_get(index, "manifests"), *d, *found = NULL;
	const char *arch = ctr_image_host_arch();
	size_t i;

	if (!json_is_array(list) || json_array_size(list) == 0)
		return ctr_error_set(err, EINVAL, "%s: no manifests", what);
	if (json_array_size(list) == 1) {
		*ret = json_array_get(list, 0);
		return 0;
	}
	json_array_foreach(list, i, d) {
		json_t *p = json_object_get(d, "platform");
		const char *os = json_string_value(json_object_get(p, "os"));
		const char *a = json_string_value(json_object_get(p, "architecture"));

		if (os && a && strcmp(os, "linux") == 0 && strcmp(a, arch) == 0) {
			found = d;
			break;
		}
	}
	if (!found)
		return ctr_error_set(err, ENOENT, "%s: none of its %zu manifests is for linux/%s",
				     what, json_array_size(list), arch);
	*ret = found;
	return 0;
}

static int add_layer(struct ctr_image *img, int fd, const char *digest, struct ctr_error *err)
{
	struct ctr_image_layer *l;
	struct stat st;

	if (img->n_layers >= CTR_IMAGE_MAX_LAYERS) {
		close(fd);
		return ctr_error_set(err, EFBIG, "more than %d layers", CTR_IMAGE_MAX_LAYERS);
	}
	l = realloc(img->layers, (img->n_layers + 1) * sizeof(*l));
	if (!l) {
		close(fd);
		return ctr_error_errno(err, ENOMEM, "image");
	}
	img->layers = l;
	l = &img->layers[img->n_layers++];
	*l = (struct ctr_image_layer){ .fd = fd };
	snprintf(l->digest, sizeof(l->digest), "%s", digest);
	if (fstat(fd, &st) == 0)
		l->size = (uint64_t)st.st_size;
	return 0;
}

static int load_oci(struct store *s, struct ctr_image *img, struct ctr_error *err)
{
	json_t *layout = NULL, *index = NULL, *manifest = NULL, *d, *layers;
	char what[64];
	size_t i;
	int r;

	r = read_json(s, "oci-layout", &layout, err);
	if (r < 0)
		goto out;
	if (!json_is_string(json_object_get(layout, "imageLayoutVersion"))) {
		r = ctr_error_set(err, EINVAL, "oci-layout: no imageLayoutVersion");
		goto out;
	}
	r = read_json(s, "index.json", &index, err);
	if (r < 0)
		goto out;
	r = pick_manifest(index, "index.json", &d, err);
	for (int depth = 0; r >= 0 && is_index(d); depth++) {
		json_t *sub = NULL;

		if (depth >= CTR_IMAGE_MAX_NESTING) {
			r = ctr_error_set(err, ELOOP, "image indexes nested too deep");
			break;
		}
		r = read_blob_json(s, d, "image index", &sub, NULL, err);
		if (r < 0)
			break;
		json_decref(manifest);
		manifest = sub; /* keeps d's owner alive */
		r = pick_manifest(sub, "image index", &d, err);
	}
	if (r < 0)
		goto out;
	{
		json_t *m = NULL;

		r = read_blob_json(s, d, "manifest", &m, img->manifest_digest, err);
		json_decref(manifest);
		manifest = m;
	}
	if (r < 0)
		goto out;
	r = read_blob_json(s, json_object_get(manifest, "config"), "image config", &img->config,
			   NULL, err);
	if (r < 0)
		goto out;
	layers = json_object_get(manifest, "layers");
	if (!json_is_array(layers)) {
		r = ctr_error_set(err, EINVAL, "manifest: no layers array");
		goto out;
	}
	json_array_foreach(layers, i, d) {
		const char *mt = json_string_value(json_object_get(d, "mediaType"));
		char digest[CTR_DIGEST_STR_MAX];
		int fd;

		snprintf(what, sizeof(what), "layer %zu", i + 1);
		/* layer.md: tar, optionally gzip or zstd (docker's rootfs.diff.tar.gzip too). */
		if (mt && !strstr(mt, ".tar")) {
			r = ctr_error_set(err, EINVAL, "%s: media type %.100s is not a tar layer",
					  what, mt);
			goto out;
		}
		r = open_blob(s, d, what, &fd, digest, err);
		if (r < 0)
			goto out;
		r = add_layer(img, fd, digest, err);
		if (r < 0)
			goto out;
	}
out:
	json_decref(layout);
	json_decref(index);
	json_decref(manifest);
	return r;
}

/* "<64 hex>.json" or "blobs/sha256/<64 hex>": the digest a docker config's name promises. */
static bool docker_name_digest(const char *name, char ret[CTR_DIGEST_STR_MAX])
{
	const char *base = strrchr(name, '/');
	char buf[CTR_DIGEST_STR_MAX];

	base = base ? base + 1 : name;
	if (strlen(base) < CTR_DIGEST_HEX_LEN)
		return false;
	snprintf(buf, sizeof(buf), "sha256:%.64s", base);
	if (!ctr_digest_valid(buf))
		return false;
	if (strcmp(base + CTR_DIGEST_HEX_LEN, ".json") != 0 && base[CTR_DIGEST_HEX_LEN] != '\0')
		return false;
	memcpy(ret, buf, sizeof(buf));
	return true;
}

static int load_docker(struct store *s, struct ctr_image *img, struct ctr_error *err)
{
	json_t *manifest = NULL, *m, *layers, *diff_ids, *l;
	const char *config;
	char want[CTR_DIGEST_STR_MAX], what[64];
	_cleanup_close_ int cfd = -1;
	size_t i;
	int r;

	r = read_json(s, "manifest.json", &manifest, err);
	if (r < 0)
		return r;
	if (!json_is_array(manifest) || json_array_size(manifest) != 1) {
		r = ctr_error_set(err, EINVAL,
				  "manifest.json: want an array of exactly one image, got %zu",
				  json_is_array(manifest) ? json_array_size(manifest) : 0);
		goto out;
	}
	m = json_array_get(manifest, 0);
	config = json_string_value(json_object_get(m, "Config"));
	layers = json_object_get(m, "Layers");
	if (!config || !json_is_array(layers)) {
		r = ctr_error_set(err, EINVAL, "manifest.json: no Config or Layers");
		goto out;
	}
	if (!docker_name_digest(config, want)) {
		r = ctr_error_set(err, EINVAL,
				  "manifest.json: cannot verify config \"%.100s\": its name is not "
				  "a sha256 digest",
				  config);
		goto out;
	}
	r = store_open(s, config, &cfd, err);
	if (r < 0)
		goto out;
	r = ctr_digest_verify_fd(cfd, "image config", want, -1, err);
	if (r < 0)
		goto out;
	r = read_json_fd(cfd, "image config", &img->config, err);
	if (r < 0)
		goto out;
	/* A docker layer.tar is uncompressed: its digest is the diff id (config.md#properties). */
	diff_ids = json_object_get(json_object_get(img->config, "rootfs"), "diff_ids");
	if (!json_is_array(diff_ids) || json_array_size(diff_ids) != json_array_size(layers)) {
		r = ctr_error_set(
			err, EINVAL,
			"image config: rootfs.diff_ids does not list one digest per layer");
		goto out;
	}
	json_array_foreach(layers, i, l) {
		const char *name = json_string_value(l);
		const char *digest = json_string_value(json_array_get(diff_ids, i));
		int fd;

		snprintf(what, sizeof(what), "layer %zu", i + 1);
		if (!name) {
			r = ctr_error_set(err, EINVAL, "%s: not a file name", what);
			goto out;
		}
		r = store_open(s, name, &fd, err);
		if (r < 0)
			goto out;
		r = ctr_digest_verify_fd(fd, what, digest, -1, err);
		if (r < 0) {
			close(fd);
			goto out;
		}
		r = add_layer(img, fd, digest, err);
		if (r < 0)
			goto out;
	}
out:
	json_decref(manifest);
	return r;
}

static int make_private_dir(int parentfd, char *name, size_t size, struct ctr_error *err)
{
	for (int tries = 0; tries < 16; tries++) {
		uint64_t v = 0;

		if (getrandom(&v, sizeof(v), 0) != sizeof(v))
			return ctr_error_errno(err, errno, "getrandom");
		snprintf(name, size, ".contain-image-%016llx", (unsigned long long)v);
		if (mkdirat(parentfd, name, 0700) == 0)
			return 0;
		if (errno != EEXIST)
			return ctr_error_errno(err, errno, "create temporary directory %s", name);
	}
	return ctr_error_set(err, EEXIST, "create temporary directory: all names taken");
}

/* Copy the regular files (and note the symlinks) of a tarball into s->dirfd. */
static int copy_archive(struct store *s, int fd, uint64_t max_size, struct ctr_error *err)
{
	struct ctr_unpack_limits lim = { .max_depth = 64, .max_name = 255 };
	struct archive *a = sym_archive_read_new();
	struct archive_entry *e;
	_cleanup_free_ char *buf = NULL;
	uint64_t total = 0;
	int r = 0, ar;

	buf = malloc(1 << 20);
	if (!a || !buf) {
		sym_archive_read_free(a);
		return ctr_error_errno(err, ENOMEM, "read image");
	}
	sym_archive_read_support_format_tar(a);
	sym_archive_read_support_filter_gzip(a);
	sym_archive_read_support_filter_zstd(a);
	if (sym_archive_read_open_fd(a, fd, 1 << 16) != ARCHIVE_OK) {
		r = ctr_error_set(err, EINVAL, "not a tarball: %s", sym_archive_error_string(a));
		goto out;
	}
	while ((ar = sym_archive_read_next_header(a, &e)) != ARCHIVE_EOF) {
		const char *raw;
		_cleanup_free_ char *name = NULL, *link = NULL;
		mode_t type;
		struct entry *ent;

		if (ar < ARCHIVE_WARN) {
			r = ctr_error_set(err, EINVAL, "read archive: %s",
					  sym_archive_error_string(a));
			goto out;
		}
		raw = sym_archive_entry_pathname(e);
		type = sym_archive_entry_filetype(e);
		if (type != AE_IFREG && type != AE_IFLNK)
			continue;
		if (!raw || ctr_unpack_path_clean(raw, &lim, &name, err) < 0 || !*name) {
			r = ctr_error_set(err, EPERM, "archive entry \"%.200s\": refused name",
					  raw ? raw : "?");
			goto out;
		}
		if (s->n >= CTR_IMAGE_MAX_ENTRIES) {
			r = ctr_error_set(err, EFBIG, "more than %d files in the archive",
					  CTR_IMAGE_MAX_ENTRIES);
			goto out;
		}
		if (type == AE_IFLNK || sym_archive_entry_hardlink(e)) {
			/* A link names another entry; resolve it lexically from this one's
			 * directory. */
			const char *t = type == AE_IFLNK ? sym_archive_entry_symlink(e) :
							   sym_archive_entry_hardlink(e);
			_cleanup_free_ char *joined = NULL;
			char *slash = strrchr(name, '/');

			if (!t)
				continue;
			if (type == AE_IFLNK && slash && t[0] != '/') {
				if (asprintf(&joined, "%.*s/%s", (int)(slash - name), name, t) < 0)
					joined = NULL;
			} else {
				joined = strdup(t[0] == '/' ? t + 1 : t);
			}
			if (!joined) {
				r = ctr_error_errno(err, ENOMEM, "read archive");
				goto out;
			}
			/* Collapse "dir/../x" by hand: path_clean refuses "..". */
			for (char *p; (p = strstr(joined, "/../"));) {
				char *start = p;

				while (start > joined && start[-1] != '/')
					start--;
				memmove(start, p + 4, strlen(p + 4) + 1);
			}
			if (ctr_unpack_path_clean(joined, &lim, &link, err) < 0)
				continue; /* a link out of the archive: never followed */
		}
		ent = realloc(s->ents, (s->n + 1) * sizeof(*s->ents));
		if (!ent) {
			r = ctr_error_errno(err, ENOMEM, "read archive");
			goto out;
		}
		s->ents = ent;
		ent = &s->ents[s->n];
		*ent = (struct entry){ .name = TAKE_PTR(name),
				       .link = TAKE_PTR(link),
				       .idx = s->n };
		s->n++;
		if (!ent->link) {
			char num[32];
			_cleanup_close_ int out = -1;
			const void *blk;
			size_t n;
			la_int64_t off;

			snprintf(num, sizeof(num), "%zu", ent->idx);
			out = openat(s->dirfd, num, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (out < 0) {
				r = ctr_error_errno(err, errno, "store %s", ent->name);
				goto out;
			}
			while ((ar = sym_archive_read_data_block(a, &blk, &n, &off)) ==
			       ARCHIVE_OK) {
				total += n;
				if (total > max_size) {
					r = ctr_error_set(err, EFBIG,
							  "the archive holds more than %llu bytes "
							  "(--max-size)",
							  (unsigned long long)max_size);
					goto out;
				}
				if (pwrite(out, blk, n, (off_t)off) != (ssize_t)n) {
					r = ctr_error_errno(err, errno ? errno : EIO, "store %s",
							    ent->name);
					goto out;
				}
			}
			if (ar != ARCHIVE_EOF) {
				r = ctr_error_set(err, EINVAL, "read %s: %s", ent->name,
						  sym_archive_error_string(a));
				goto out;
			}
			if (sym_archive_entry_size(e) > 0 &&
			    ftruncate(out, (off_t)sym_archive_entry_size(e)) < 0) {
				r = ctr_error_errno(err, errno, "store %s", ent->name);
				goto out;
			}
		}
	}
out:
	sym_archive_read_free(a);
	return r;
}

int ctr_image_open(const char *path, int tmp_dirfd, uint64_t max_size, struct ctr_image **ret,
		   struct ctr_error *err)
{
	struct store s = { .dirfd = -1 };
	struct ctr_image *img = NULL;
	char tmpname[64] = "";
	_cleanup_close_ int fd = -1;
	struct stat st;
	int r;

	/*
	 * Both libraries first, whatever the image turns out to be: a missing
	 * one fails here, before a private copy of a tarball is made.
	 */
	r = ctr_dlopen_archive(err);
	if (r >= 0)
		r = ctr_digest_dlopen(err);
	if (r < 0)
		return r;
	img = calloc(1, sizeof(*img));
	if (!img)
		return ctr_error_errno(err, ENOMEM, "image");
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = ctr_error_errno(err, errno, "image %s", path);
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		img->format = CTR_IMAGE_OCI_LAYOUT;
		s.dirfd = TAKE_FD(fd);
		r = load_oci(&s, img, err);
	} else if (S_ISREG(st.st_mode)) {
		r = make_private_dir(tmp_dirfd, tmpname, sizeof(tmpname), err);
		if (r < 0)
			goto out;
		s.archive = true;
		s.dirfd =
			openat(tmp_dirfd, tmpname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s.dirfd < 0) {
			r = ctr_error_errno(err, errno, "open %s", tmpname);
			goto out;
		}
		r = copy_archive(&s, fd, max_size, err);
		if (r < 0)
			goto out;
		if (store_find(&s, "index.json") && store_find(&s, "oci-layout")) {
			img->format = CTR_IMAGE_OCI_ARCHIVE;
			r = load_oci(&s, img, err);
		} else if (store_find(&s, "manifest.json")) {
			img->format = CTR_IMAGE_DOCKER_ARCHIVE;
			r = load_docker(&s, img, err);
		} else {
			r = ctr_error_set(err, EINVAL,
					  "neither an OCI layout (oci-layout, index.json) nor a "
					  "docker-archive (manifest.json)");
		}
	} else {
		r = ctr_error_set(err, EINVAL, "not a directory or a regular file");
	}
out:
	if (tmpname[0]) {
		/* The layers stay open: the copies can go now, whatever happened. */
		struct ctr_error ignored = { 0 };

		ctr_remove_tree_at(tmp_dirfd, tmpname, &ignored);
	}
	store_clear(&s);
	if (r < 0) {
		ctr_error_prefix(err, "image %s", path);
		ctr_image_free(img);
		return r;
	}
	*ret = img;
	return 0;
}

void ctr_image_free(struct ctr_image *img)
{
	if (!img)
		return;
	for (size_t i = 0; i < img->n_layers; i++)
		if (img->layers[i].fd >= 0)
			close(img->layers[i].fd);
	free(img->layers);
	json_decref(img->config);
	free(img);
}
