// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, bad input: each refused `contain net` call exits 125 with a
 * `contain: net ...` message and leaves the lab exactly as it found it. A
 * failed attach removes the veth it made (both ends), a failed create
 * --attach removes the namespace it made, a duplicate name
 * leaves the existing namespace or bridge in place, and a bad name never
 * creates anything outside the netns directory.
 */
#include <string.h>

#include "nt.h"

static void bad_input_changes_nothing(struct ht_ctx *t)
{
	const char *const *const calls[] = {
		/* Bad CIDRs. */
		HT_ARGS("net", "bridge", "br9", "--addr", "10.0.0.300/24"),
		HT_ARGS("net", "bridge", "br9", "--addr", "10.0.0.1/33"),
		HT_ARGS("net", "bridge", "br9", "--addr", "10.0.0.1"),
		HT_ARGS("net", "attach", "net1", "br0", "--addr", "10.11.7.300/24"),
		HT_ARGS("net", "attach", "net1", "br0", "--addr", "10.11.7.2/33"),
		HT_ARGS("net", "attach", "net1", "br0", "--addr", "10.11.7.2"),
		HT_ARGS("net", "veth", "net1", "--addr", "10.11.8.2", "--peer-addr",
			"10.11.8.1/24"),
		HT_ARGS("net", "nat", "br0", "--subnet", "10.11.7.0/33"),
		/* Unknown namespace. */
		HT_ARGS("net", "attach", "nosuch", "br0", "--addr", "10.11.7.2/24"),
		HT_ARGS("net", "exec", "nosuch", "--", "true"),
		HT_ARGS("net", "delete", "nosuch"),
		HT_ARGS("net", "diagnose", "nosuch"),
		/* Duplicates: the existing one stays as it is. */
		HT_ARGS("net", "create", "net1"),
		HT_ARGS("net", "bridge", "br0", "--addr", "10.11.7.1/24"),
		/* Bad names. */
		HT_ARGS("net", "create", "../escape"),
		HT_ARGS("net", "create", "a/b"),
		/* Attach to what is not there, or not a bridge; a gateway off the subnet. */
		HT_ARGS("net", "attach", "net1", "nobr0", "--addr", "10.11.7.2/24"),
		HT_ARGS("net", "attach", "net1", "lo", "--addr", "10.11.7.2/24"),
		HT_ARGS("net", "attach", "net1", NT_UPLINK_IF, "--addr", "10.11.7.2/24"),
		HT_ARGS("net", "attach", "net1", "br0", "--addr", "10.11.7.2/24", "--gateway",
			"10.11.9.1"),
		/* create --attach whose attach fails: the new namespace goes again. */
		HT_ARGS("net", "create", "net2", "--attach", "nobr0", "--addr", "10.11.7.3/24"),
		HT_ARGS("net", "create", "net2", "--attach", "lo", "--addr", "10.11.7.3/24"),
	};
	struct nt_lab lab;
	_cleanup_free_ char *before = NULL;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "create", "net1");
	NT_CONTAIN_OK(t, "net", "bridge", "br0", "--addr", "10.11.7.1/24");
	/* A link that is not a bridge and not lo: the lab's end of a cable. */
	nt_upstream(t, &lab);
	before = nt_snapshot(t, &lab);

	for (size_t i = 0; i < HT_ARRAY_SIZE(calls); i++) {
		_cleanup_free_ char *cmd = nt_args_str(calls[i]);
		_cleanup_free_ char *after = NULL, *what = NULL;
		struct ht_proc p;

		nt_contain(t, &p, calls[i]);
		if (p.exit_code != 125)
			ht_fail(t, "`%s` exited %d, want 125; stderr: \"%.300s\"", cmd, p.exit_code,
				p.err);
		else if (!strstr(p.err, "contain: net"))
			ht_fail(t,
				"`%s` exited 125 without a \"contain: net ...\" message: \"%.300s\"",
				cmd, p.err);
		else
			ht_check_true(t, false, __FILE__, __LINE__, NULL);
		ht_proc_free(&p);
		after = nt_snapshot(t, &lab);
		what = ht_xasprintf("after `%s`", cmd);
		nt_expect_same(t, before, after, what);
	}
	/* "../escape" would land beside the netns directory, out of the snapshot's sight. */
	{
		_cleanup_free_ char *escaped = ht_xasprintf("%s/escape", lab.dir);

		HT_EXPECT(t, access(escaped, F_OK) < 0);
	}
}
HT_TEST(bad_input_changes_nothing, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 60,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "net.bridge"), .tags = "man:ip-address(8)");
