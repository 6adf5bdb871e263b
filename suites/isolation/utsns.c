// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * UTS namespace (lesson 4): the hostname set inside is seen inside only
 * (uts_namespaces(7)).
 */
#include <sys/utsname.h>
#include <unistd.h>

#include "iso.h"

/* Compare the host's hostname with before, and put it back if a broken runtime changed it. */
static void expect_host_name_kept(struct ht_ctx *t, const char *before)
{
	struct utsname u;

	HT_SETUP(t, uname(&u));
	if (strcmp(u.nodename, before) != 0) {
		ht_fail(t, "the host's hostname changed to \"%s\" (restored to \"%s\")", u.nodename,
			before);
		sethostname(before, strlen(before));
	}
}

static void host_name(struct ht_ctx *t, char *buf, size_t len)
{
	struct utsname u;

	HT_SETUP(t, uname(&u));
	snprintf(buf, len, "%s", u.nodename);
}

/* `ns container --hostname H` sets H inside; the host's hostname is unchanged. */
static void utsns_hostname_inside_only(struct ht_ctx *t)
{
	char before[256], want[32];
	struct ht_proc r;
	json_t *j;

	host_name(t, before, sizeof(before));
	snprintf(want, sizeof(want), "h-%.12s", ht_nonce(t));
	ht_runtime_run(t, &r,
		       HT_ARGS("ns", "container", "--rootfs", ht_rootfs(), "--hostname", want, "--",
			       PROBE_IN_ROOTFS, ht_nonce(t), "hostname"),
		       NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT_STREQ(t, json_string_value(iso_get(j, "hostname")), want);
	expect_host_name_kept(t, before);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(utsns_hostname_inside_only, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.uts", "ns.mnt", "pivot_root"), .tags = "man:uts_namespaces(7)");

/* `ns uts`: a hostname changed by the command stays in its namespace. */
static void utsns_sethostname_stays_inside(struct ht_ctx *t)
{
	char before[256];
	struct ht_proc r;
	json_t *j;
	_cleanup_free_ char *script = ht_xasprintf("hostname u-%.12s && %s %s hostname",
						   ht_nonce(t), ht_probe_host_path(), ht_nonce(t));
	_cleanup_free_ char *want = ht_xasprintf("u-%.12s", ht_nonce(t));

	host_name(t, before, sizeof(before));
	ht_runtime_run(t, &r, HT_ARGS("ns", "uts", "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT_STREQ(t, json_string_value(iso_get(j, "hostname")), want);
	expect_host_name_kept(t, before);
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(utsns_sethostname_stays_inside, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.uts"));
