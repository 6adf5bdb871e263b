// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Unpacking good images (lesson 8): layers apply in order with their
 * whiteouts and opaque directories (image-spec layer.md#whiteouts), the
 * three input forms give the same tree, and config.json takes the process
 * from the image config (config.md#properties).
 */
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

#include "ht-util.h"
#include "oci.h"

#define L(...) ((const struct oci_ent[]){ __VA_ARGS__, { 0 } })

static const struct oci_ent base[] = {
	{ 'd', "etc" },
	{ 'f', "etc/a", "a" },
	{ 'f', "etc/b", "b" },
	{ 'd', "var" },
	{ 'd', "var/cache" },
	{ 'f', "var/cache/x", "x" },
	{ 'd', "var/cache/d" },
	{ 'f', "var/cache/d/y", "y" },
	{ 'l', "bin", "usr/bin" },
	{ 'd', "usr/bin" },
	{ 'f', "usr/bin/tool", "#!/bin/sh\n", 0755 },
	{ 'd', "gone" },
	{ 'f', "gone/z", "z" },
	{ 0 },
};

/* The opaque marker comes after a sibling of its own layer: it must spare it. */
static const struct oci_ent top[] = {
	{ 'f', "etc/.wh.a", "" },
	{ 'f', "var/cache/new", "n" },
	{ 'f', "var/cache/.wh..wh..opq", "" },
	{ 'f', "etc/c", "c" },
	{ 'f', ".wh.gone", "" },
	{ 'f', "bin/tool2", "t" },
	{ 0 },
};

static const char want_tree[] = "l bin -> usr/bin\n"
				"d etc\n"
				"f etc/b\n"
				"f etc/c\n"
				"d usr\n"
				"d usr/bin\n"
				"f usr/bin/tool\n"
				"f usr/bin/tool2\n"
				"d var\n"
				"d var/cache\n"
				"f var/cache/new\n";

static void expect_tree(struct ht_ctx *t, struct oci_case *c, const char *form)
{
	_cleanup_free_ char *tree = oci_tree(t, c->rootfs);

	if (strcmp(tree, want_tree) != 0)
		ht_fail(t, "%s: the rootfs is not the expected tree; want:\n%sgot:\n%s", form,
			want_tree, tree);
	else
		HT_EXPECT(t, true);
}

/* Two layers with whiteouts and an opaque directory give exactly the expected tree. */
static void unpack_two_layers_with_whiteouts(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct oci_layer l1 = { base }, l2 = { top, .compress = OCI_ZSTD };
	char *files[2];
	_cleanup_free_ char *image = NULL, *bundle_list = NULL;

	oci_case_init(t, &c);
	files[0] = oci_layer_write(t, &c, "base.tar.gz", &l1);
	files[1] = oci_layer_write(t, &c, "top.tar.zst", &l2);
	image = oci_image_layout(t, &c, "image", files, 2, NULL);
	oci_unpack(t, &p, &c, image, NULL);
	HT_ASSERT_EXIT(t, &p, 0);
	oci_victim_check(t, &c);
	expect_tree(t, &c, "oci layout");
	/* Nothing but the rootfs and config.json: the private copies are gone. */
	bundle_list = oci_tree(t, c.bundle);
	HT_EXPECT(t, strncmp(bundle_list, "f config.json\nd rootfs\n", 23) == 0);
	ht_proc_free(&p);
	free(files[0]);
	free(files[1]);
}
HT_TEST(unpack_two_layers_with_whiteouts, OCI_AREA, .timeout_s = 60,
	.tags = "spec:image-spec/layer.md#whiteouts");

/* The same image as an oci-archive and as a docker-archive gives the same tree. */
static void unpack_archive_forms(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	const struct oci_layer l1 = { base, .compress = OCI_PLAIN },
			       l2 = { top, .compress = OCI_PLAIN };
	char *files[2];
	_cleanup_free_ char *layout = NULL, *oci_tar = NULL, *docker_tar = NULL;

	oci_case_init(t, &c);
	files[0] = oci_layer_write(t, &c, "base.tar", &l1);
	files[1] = oci_layer_write(t, &c, "top.tar", &l2);
	layout = oci_image_layout(t, &c, "image", files, 2, NULL);
	oci_tar = oci_image_archive(t, &c, layout);
	docker_tar = oci_docker_archive(t, &c, "docker.tar", files, 2, NULL);
	for (int i = 0; i < 2; i++) {
		struct ht_proc p = { 0 }, rm = { 0 };

		oci_unpack(t, &p, &c, i ? docker_tar : oci_tar, NULL);
		HT_EXPECT_EXIT(t, &p, 0);
		oci_victim_check(t, &c);
		expect_tree(t, &c, i ? "docker-archive" : "oci-archive");
		ht_cmd_run(t, &rm, HT_ARGS("rm", "-rf", c.bundle), NULL);
		ht_proc_free(&rm);
		ht_proc_free(&p);
	}
	free(files[0]);
	free(files[1]);
}
HT_TEST(unpack_archive_forms, OCI_AREA, .timeout_s = 60, .tags = "spec:image-spec/image-layout.md");

static json_t *load_config(struct ht_ctx *t, struct oci_case *c)
{
	_cleanup_free_ char *path = ht_xasprintf("%s/config.json", c->bundle);
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	if (!j)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__, "config.json: %s (line %d)", e.text,
			       e.line);
	return j;
}

static const char *proc_str(json_t *cfg, const char *key)
{
	return json_string_value(json_object_get(json_object_get(cfg, "process"), key));
}

static char *joined(json_t *arr)
{
	char *s = ht_xstrdup("");
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		char *n = ht_xasprintf("%s%s%s", s, i ? " " : "", json_string_value(v));

		free(s);
		s = n;
	}
	return s;
}

/* Entrypoint + Cmd, Env, WorkingDir and a numeric User land in config.json. */
static void unpack_image_config(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct oci_layer l = { L({ 'f', "hello", "hi" }) };
	char *files[1];
	_cleanup_free_ char *image = NULL, *args = NULL, *env = NULL;
	json_t *cfg, *user;

	oci_case_init(t, &c);
	files[0] = oci_layer_write(t, &c, "l.tar.gz", &l);
	image = oci_image_layout(t, &c, "image", files, 1,
				 &(struct oci_image_opts){
					 .config = "{\"Entrypoint\":[\"/bin/echo\",\"-n\"],"
						   "\"Cmd\":[\"hello\"],\"Env\":[\"FOO=bar\","
						   "\"PATH=/custom\"],\"WorkingDir\":\"/work\","
						   "\"User\":\"1000:1001\"}",
				 });
	oci_unpack(t, &p, &c, image, NULL);
	HT_ASSERT_EXIT(t, &p, 0);
	cfg = load_config(t, &c);
	args = joined(json_object_get(json_object_get(cfg, "process"), "args"));
	HT_EXPECT_STREQ(t, args, "/bin/echo -n hello");
	env = joined(json_object_get(json_object_get(cfg, "process"), "env"));
	HT_EXPECT_STREQ(t, env, "FOO=bar PATH=/custom");
	HT_EXPECT_STREQ(t, proc_str(cfg, "cwd"), "/work");
	user = json_object_get(json_object_get(cfg, "process"), "user");
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(user, "uid")), 1000);
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(user, "gid")), 1001);
	HT_EXPECT_STREQ(t, json_string_value(json_object_get(json_object_get(cfg, "root"), "path")),
			"rootfs");
	json_decref(cfg);
	ht_proc_free(&p);
	free(files[0]);
}
HT_TEST(unpack_image_config, OCI_AREA, .timeout_s = 60, .tags = "spec:image-spec/config.md");

/* A User name is looked up in the image's own /etc/passwd and /etc/group. */
static void unpack_user_by_name(struct ht_ctx *t)
{
	_cleanup_oci_case_ struct oci_case c = { 0 };
	struct ht_proc p = { 0 };
	const struct oci_layer l = { L({ 'f', "etc/passwd",
					 "root:x:0:0:root:/root:/bin/sh\n"
					 "app:x:1234:1235:app:/home/app:/bin/sh\n" },
				       { 'f', "etc/group",
					 "root:x:0:\napp:x:1235:\n"
					 "audio:x:29:app,other\n" }) };
	char *files[1];
	_cleanup_free_ char *image = NULL;
	json_t *cfg, *user;

	oci_case_init(t, &c);
	files[0] = oci_layer_write(t, &c, "l.tar.gz", &l);
	image = oci_image_layout(t, &c, "image", files, 1,
				 &(struct oci_image_opts){ .config = "{\"User\":\"app\"}" });
	oci_unpack(t, &p, &c, image, NULL);
	HT_ASSERT_EXIT(t, &p, 0);
	cfg = load_config(t, &c);
	user = json_object_get(json_object_get(cfg, "process"), "user");
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(user, "uid")), 1234);
	HT_EXPECT_EQ(t, json_integer_value(json_object_get(user, "gid")), 1235);
	HT_EXPECT_EQ(t,
		     json_integer_value(json_array_get(json_object_get(user, "additionalGids"), 0)),
		     29);
	json_decref(cfg);
	ht_proc_free(&p);
	free(files[0]);
}
HT_TEST(unpack_user_by_name, OCI_AREA, .timeout_s = 60, .tags = "spec:image-spec/config.md");
