// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hostile images (lesson 8): each case is written at test time, unpacked,
 * and judged by the victim oracle of oci.h. A case is either refused (a
 * non-zero exit whose message names the reason, and no bundle left), or
 * sanitised (unpacked, with the danger removed), or, for the symlink
 * tricks, either of the two: what matters there is that no write lands
 * outside the rootfs. "%s" in a name or target is the victim's absolute
 * directory.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ht-util.h"
#include "oci.h"

#define TAGS	    "spec:image-spec/layer.md"
#define L(...)	    ((const struct oci_ent[]){ __VA_ARGS__, { 0 } })
#define LAYERS(...) ((const struct oci_layer[]){ __VA_ARGS__ })

enum expect { REFUSED, SANITISED, CONTAINED };

struct hostile {
	const struct oci_layer *layers;
	size_t n_layers;
	const char *const *extra; /* unpack options */
	enum expect expect;
	const char *reason;	   /* REFUSED: in stderr */
	struct oci_image_opts img; /* digest tricks */
	size_t truncate_to;	   /* cut layer 1 to this many bytes */
};

/* Build, unpack, judge. Returns the case for further checks of a sanitised rootfs. */
static void run_case(struct ht_ctx *t, struct oci_case *c, struct ht_proc *p,
		     const struct hostile *h)
{
	char **files = ht_xcalloc(h->n_layers + 1, sizeof(*files));
	_cleanup_free_ char *image = NULL;
	struct stat st;

	oci_case_init(t, c);
	for (size_t i = 0; i < h->n_layers; i++) {
		_cleanup_free_ char *name =
			ht_xasprintf("layer%zu.tar%s", i + 1,
				     h->layers[i].compress == OCI_GZIP ? ".gz" :
				     h->layers[i].compress == OCI_ZSTD ? ".zst" :
									 "");

		files[i] = oci_layer_write(t, c, name, &h->layers[i]);
		if (i == 0 && h->truncate_to)
			HT_SETUP(t, truncate(files[i], (off_t)h->truncate_to));
	}
	image = oci_image_layout(t, c, "image", files, h->n_layers, &h->img);
	oci_unpack(t, p, c, image, h->extra);
	oci_victim_check(t, c);

	switch (h->expect) {
	case REFUSED:
		if (p->exit_code == 0) {
			ht_fail(t, "the unpack succeeded; want a refusal (%s)", h->reason);
			break;
		}
		if (!strstr(p->err, h->reason))
			ht_fail(t,
				"the refusal does not say why: want \"%s\" in stderr, got \"%.400s\"",
				h->reason, p->err);
		/* The unpacker made the bundle, so a failure removes it. */
		if (stat(c->bundle, &st) == 0)
			ht_fail(t, "a refused unpack left %s behind", c->bundle);
		break;
	case SANITISED:
		HT_EXPECT_EXIT(t, p, 0);
		break;
	case CONTAINED:
		/* Refused or written inside: the oracle above is the judge. */
		if (p->exit_code != 0 && p->exit_code != 125)
			ht_fail(t, "exit status %d: want 0 or 125", p->exit_code);
		break;
	}
	for (size_t i = 0; i < h->n_layers; i++)
		free(files[i]);
	free(files);
}

#define HOSTILE(name_, tags_, ...)                            \
	static void name_(struct ht_ctx *t)                   \
	{                                                     \
		_cleanup_oci_case_ struct oci_case c = { 0 }; \
		struct ht_proc p = { 0 };                     \
		const struct hostile h = { __VA_ARGS__ };     \
                                                              \
		run_case(t, &c, &p, &h);                      \
		ht_proc_free(&p);                             \
	}                                                     \
	HT_TEST(name_, OCI_AREA, .timeout_s = 60, .tags = TAGS " " tags_)

/* A path with a ".." component is refused. */
HOSTILE(hostile_dotdot_path, "", .layers = LAYERS({ L({ 'f', "../../victim/secret", "pwned" }) }),
	.n_layers = 1, .expect = REFUSED, .reason = "\"..\"");

/* An absolute name is refused, not taken as relative to the rootfs or the host. */
HOSTILE(hostile_absolute_path, "", .layers = LAYERS({ L({ 'f', "%s/secret", "pwned" }) }),
	.n_layers = 1, .expect = REFUSED, .reason = "absolute");

/* A symlink to a host directory, then a write through it, stays in the rootfs. */
HOSTILE(hostile_symlink_then_write, "",
	.layers = LAYERS({ L({ 'l', "esc", "../../victim" }, { 'f', "esc/secret", "pwned" },
			     { 'l', "abs", "%s" }, { 'f', "abs/secret", "pwned" }) }),
	.n_layers = 1, .expect = CONTAINED);

/* A chain of symlinks ending outside leads nowhere outside either. */
HOSTILE(hostile_symlink_chain, "",
	.layers = LAYERS({ L({ 'l', "a", "b" }, { 'l', "b", "c" },
			     { 'l', "c", "d/../../../victim" }, { 'd', "d" },
			     { 'f', "a/secret", "pwned" }) }),
	.n_layers = 1, .expect = CONTAINED);

/* A hardlink whose target leaves with ".." is refused. */
HOSTILE(hostile_hardlink_dotdot, "", .layers = LAYERS({ L({ 'h', "h", "../../victim/secret" }) }),
	.n_layers = 1, .expect = REFUSED, .reason = "\"..\"");

/* A hardlink through an outward symlink resolves inside the rootfs (where nothing is). */
HOSTILE(hostile_hardlink_through_symlink, "",
	.layers = LAYERS({ L({ 'l', "s", "%s" }, { 'h', "h", "s/secret" }) }), .n_layers = 1,
	.expect = REFUSED, .reason = "hardlink target");

/* "." replaced by a symlink is refused: the root is never anything but a directory. */
HOSTILE(hostile_dot_is_symlink, "",
	.layers = LAYERS({ L({ 'l', "./", "%s" }, { 'f', "secret", "pwned" }) }), .n_layers = 1,
	.expect = REFUSED, .reason = "root directory");

/* A whiteout with ".." is refused like any other name. */
HOSTILE(hostile_whiteout_escape, "spec:image-spec/layer.md#whiteouts",
	.layers = LAYERS({ L({ 'f', "../../victim/.wh.secret", "" }) }), .n_layers = 1,
	.expect = REFUSED, .reason = "\"..\"");

/* Whiteouts (and an opaque marker) under an outward symlink remove nothing outside. */
HOSTILE(hostile_whiteout_through_symlink, "spec:image-spec/layer.md#whiteouts",
	.layers = LAYERS({ L({ 'l', "v", "%s" }, { 'l', "w", "../../victim/sub" }) },
			 { L({ 'f', "v/.wh.secret", "" }, { 'f', "w/.wh..wh..opq", "" },
			     { 'f', "v/sub/.wh..wh..opq", "" }) }),
	.n_layers = 2, .expect = CONTAINED);

/* A bare ".wh." names nothing and is refused. */
HOSTILE(hostile_bare_whiteout, "spec:image-spec/layer.md#whiteouts",
	.layers = LAYERS({ L({ 'f', "d/.wh.", "" }) }), .n_layers = 1, .expect = REFUSED,
	.reason = "without a name");

/* A directory replaced by an outward symlink in a later layer, then written under. */
HOSTILE(hostile_dir_becomes_symlink, "",
	.layers = LAYERS({ L({ 'd', "d" }, { 'f', "d/f", "x" }) },
			 { L({ 'l', "d", "%s" }, { 'f', "d/secret", "pwned" }) },
			 { L({ 'f', "d/sub/new", "pwned" }) }),
	.n_layers = 3, .expect = CONTAINED);

/* A path 4096 components deep is refused by the depth limit. */
static void hostile_depth_4096(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	char *deep = ht_xmalloc(4096 * 2 + 8);
	struct hostile h = { .n_layers = 1, .expect = REFUSED, .reason = "--max-depth" };

	for (int i = 0; i < 4096; i++)
		memcpy(deep + 2 * i, "a/", 2);
	strcpy(deep + 2 * 4096, "f");
	h.layers = LAYERS({ L({ 'f', deep, "pwned" }) });
	run_case(t, &c, &p, &h);
	ht_proc_free(&p);
	free(deep);
}
HT_TEST(hostile_depth_4096, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/* A 300-byte component is refused by the name limit, before the kernel's ENAMETOOLONG. */
static void hostile_long_name(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	char name[301];
	struct hostile h = { .n_layers = 1, .expect = REFUSED, .reason = "--max-name" };

	memset(name, 'n', 300);
	name[300] = '\0';
	h.layers = LAYERS({ L({ 'f', name, "x" }) });
	run_case(t, &c, &p, &h);
	ht_proc_free(&p);
}
HT_TEST(hostile_long_name, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/* The PAX and GNU long-name forms of "../../victim/<long>" are refused. */
static void long_dotdot(struct ht_ctx *t, enum oci_format f)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	char name[200];
	struct hostile h = { .n_layers = 1, .expect = REFUSED, .reason = "\"..\"" };

	/* Longer than ustar's 100-byte name field, so the long form carries it. */
	snprintf(name, sizeof(name), "../../victim/%0150d", 7);
	h.layers = LAYERS({ L({ 'f', name, "pwned" }), .format = f });
	run_case(t, &c, &p, &h);
	ht_proc_free(&p);
}

static void hostile_pax_dotdot(struct ht_ctx *t)
{
	long_dotdot(t, OCI_PAX);
}
HT_TEST(hostile_pax_dotdot, OCI_AREA, .timeout_s = 60, .tags = TAGS);

static void hostile_gnu_longname_dotdot(struct ht_ctx *t)
{
	long_dotdot(t, OCI_GNUTAR);
}
HT_TEST(hostile_gnu_longname_dotdot, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/* Device nodes are skipped (and counted on stderr): the rootfs gets none. */
static void hostile_device_nodes(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct hostile h = {
		.layers = LAYERS(
			{ L({ 'c', "dev/mem", NULL, 0666, (1 << 8) | 1 },
			    { 'b', "dev/sda", NULL, 0666, (8 << 8) | 0 }, { 'f', "ok", "fine" }) }),
		.n_layers = 1,
		.expect = SANITISED,
	};
	_cleanup_free_ char *tree = NULL;

	run_case(t, &c, &p, &h);
	tree = oci_tree(t, c.rootfs);
	if (strstr(tree, "c dev/mem") || strstr(tree, "b dev/sda"))
		ht_fail(t, "a device node was created:\n%s", tree);
	HT_EXPECT(t, strstr(tree, "f ok") != NULL);
	HT_EXPECT(t, strstr(p.err, "skipped 2 device nodes") != NULL);
	ht_proc_free(&p);
}
HT_TEST(hostile_device_nodes, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/*
 * A fifo is created (it gives the container nothing of the host), and the
 * unpack does not hang on it: nothing opens it for I/O.
 */
static void hostile_fifo(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct hostile h = {
		.layers = LAYERS(
			{ L({ 'p', "run/fifo", NULL, 0666 }, { 'p', "etc/passwd", NULL, 0644 }) }),
		.n_layers = 1,
		.expect = SANITISED,
	};
	_cleanup_free_ char *tree = NULL;

	run_case(t, &c, &p, &h);
	tree = oci_tree(t, c.rootfs);
	HT_EXPECT(t, strstr(tree, "p run/fifo") != NULL);
	ht_proc_free(&p);
}
HT_TEST(hostile_fifo, OCI_AREA, .timeout_s = 60, .tags = TAGS);

static unsigned mode_of(struct ht_ctx *t, const char *dir, const char *rel)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/%s", dir, rel);
	struct stat st;

	if (lstat(path, &st) < 0) {
		ht_fail(t, "%s is missing from the rootfs", rel);
		return 0;
	}
	return st.st_mode & 07777;
}

static const struct oci_ent setid_ents[] = {
	{ 'f', "bin/su", "x", 04755 },
	{ 'f', "bin/sg", "x", 02755 },
	{ 'd', "shared", NULL, 02775 },
	{ 0 },
};

/* setuid and setgid bits are removed from files; a setgid directory keeps its bit. */
static void hostile_setuid_stripped(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct hostile h = {
		.layers = LAYERS({ setid_ents }),
		.n_layers = 1,
		.expect = SANITISED,
	};

	run_case(t, &c, &p, &h);
	HT_EXPECT_EQ(t, mode_of(t, c.rootfs, "bin/su"), 0755);
	HT_EXPECT_EQ(t, mode_of(t, c.rootfs, "bin/sg"), 0755);
	HT_EXPECT_EQ(t, mode_of(t, c.rootfs, "shared"), 02775);
	ht_proc_free(&p);
}
HT_TEST(hostile_setuid_stripped, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/* --keep-setid keeps them. */
static void setuid_kept_when_asked(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct hostile h = {
		.layers = LAYERS({ setid_ents }),
		.n_layers = 1,
		.extra = HT_ARGS("--keep-setid"),
		.expect = SANITISED,
	};

	run_case(t, &c, &p, &h);
	HT_EXPECT_EQ(t, mode_of(t, c.rootfs, "bin/su"), 04755);
	HT_EXPECT_EQ(t, mode_of(t, c.rootfs, "bin/sg"), 02755);
	ht_proc_free(&p);
}
HT_TEST(setuid_kept_when_asked, OCI_AREA, .timeout_s = 60, .tags = TAGS);

/* 256 MiB of zeros in a 256 KiB gzip layer stop at --max-size. */
HOSTILE(hostile_gzip_bomb, "", .layers = LAYERS({ L({ 'z', "bomb", NULL, 0644, 256ULL << 20 }) }),
	.n_layers = 1, .extra = HT_ARGS("--max-size", "16M"), .expect = REFUSED,
	.reason = "--max-size");

/* A header that promises more data than the archive holds is an error, not a short file. */
HOSTILE(hostile_lying_size, "",
	.layers = LAYERS({ L({ 'z', "big", NULL, 0644, 1 << 20 }), .compress = OCI_PLAIN }),
	.n_layers = 1, .truncate_to = 600 << 10, .expect = REFUSED, .reason = "runcated");

/* A blob whose content does not match its digest is refused before use. */
HOSTILE(hostile_digest_mismatch, "spec:image-spec/descriptor.md#digests",
	.layers = LAYERS({ L({ 'f', "x", "data" }) }), .n_layers = 1,
	.img = { .corrupt_layer = true }, .expect = REFUSED, .reason = "does not match");

/* "sha256:../../x" is not a digest, so it never becomes a blob path. */
HOSTILE(hostile_digest_traversal, "spec:image-spec/descriptor.md#digests",
	.layers = LAYERS({ L({ 'f', "x", "data" }) }), .n_layers = 1,
	.img = { .bad_digest = "sha256:../../victim/secret" }, .expect = REFUSED,
	.reason = "invalid digest");

/*
 * A million entries stop at the entry limit. The archive is the same small
 * header a million times (gzip shrinks it ~1000x); --max-entries 1000 keeps
 * the test short, the default limit works the same way.
 */
static void hostile_million_entries(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	static const struct oci_ent one[] = { { 'd', "d" }, { 0 } };
	struct oci_ent *many = ht_xcalloc(1000001, sizeof(*many));
	struct hostile h = {
		.n_layers = 1,
		.extra = HT_ARGS("--max-entries", "1000"),
		.expect = REFUSED,
		.reason = "--max-entries",
	};

	for (size_t i = 0; i < 1000000; i++)
		many[i] = one[0];
	h.layers = LAYERS({ many, .format = OCI_USTAR });
	run_case(t, &c, &p, &h);
	ht_proc_free(&p);
	free(many);
}
HT_TEST(hostile_million_entries, OCI_AREA, .timeout_s = 120, .tags = TAGS);
