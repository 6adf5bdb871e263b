// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * `oci spec` (lesson 8): a minimal config.json that is valid JSON with the
 * fields runtime-spec config.md requires, and the usual Linux setup.
 */
#include <jansson.h>
#include <string.h>

#include "ht-util.h"
#include "oci.h"

static bool has_entry(json_t *arr, const char *key, const char *value)
{
	json_t *v;
	size_t i;

	json_array_foreach(arr, i, v) {
		const char *s = json_string_value(key ? json_object_get(v, key) : v);

		if (s && strcmp(s, value) == 0)
			return true;
	}
	return false;
}

/* config.json parses, and carries ociVersion, process, root, mounts and namespaces. */
static void spec_writes_valid_config(struct ht_ctx *t)
{
	struct ht_proc p = { 0 }, again = { 0 };
	_cleanup_free_ char *path = ht_xasprintf("%s/config.json", ht_scratch_dir(t));
	json_error_t e;
	json_t *cfg, *proc, *ns, *mounts;

	oci_tool(t, &p, HT_ARGS("spec", "--rootfs", "myroot", ht_scratch_dir(t)));
	HT_ASSERT_EXIT(t, &p, 0);
	cfg = json_load_file(path, 0, &e);
	if (!cfg)
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__, "config.json is not JSON: %s",
			       e.text);
	HT_EXPECT(t, json_is_string(json_object_get(cfg, "ociVersion")));
	HT_EXPECT_STREQ(t, json_string_value(json_object_get(json_object_get(cfg, "root"), "path")),
			"myroot");
	proc = json_object_get(cfg, "process");
	HT_EXPECT(t, json_array_size(json_object_get(proc, "args")) > 0);
	HT_EXPECT_STREQ(t, json_string_value(json_object_get(proc, "cwd")), "/");
	HT_EXPECT(t, json_is_integer(json_object_get(json_object_get(proc, "user"), "uid")));
	mounts = json_object_get(cfg, "mounts");
	for (const char *const *m =
		     HT_ARGS("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys");
	     *m; m++)
		if (!has_entry(mounts, "destination", *m))
			ht_fail(t, "no mount on %s", *m);
	ns = json_object_get(json_object_get(cfg, "linux"), "namespaces");
	for (const char *const *n = HT_ARGS("pid", "network", "ipc", "uts", "mount"); *n; n++)
		if (!has_entry(ns, "type", *n))
			ht_fail(t, "no %s namespace", *n);
	HT_EXPECT(t, has_entry(json_object_get(json_object_get(cfg, "linux"), "maskedPaths"), NULL,
			       "/proc/kcore"));
	HT_EXPECT(t, json_array_size(
			     json_object_get(json_object_get(cfg, "linux"), "readonlyPaths")) > 0);
	json_decref(cfg);
	/* Like `runc spec`: an existing config.json is not replaced. */
	oci_tool(t, &again, HT_ARGS("spec", ht_scratch_dir(t)));
	HT_EXPECT(t, again.exit_code != 0);
	ht_proc_free(&p);
	ht_proc_free(&again);
}
HT_TEST(spec_writes_valid_config, OCI_AREA, .timeout_s = 30, .tags = "spec:runtime-spec/config.md");
