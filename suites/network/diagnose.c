// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Lesson 11, debugging: the seed's broken `net3`. The namespace comes from
 * `net create`, but its cable is laid by hand (our own netlink calls, as
 * the seed did with ip(8)): an address and a default route inside, and a
 * host end that is never enslaved to the bridge nor brought up. net3 cannot
 * reach its gateway; `net diagnose` names the missing step; once the step
 * is done by hand, traffic flows and diagnose finds nothing missing.
 */
#include <string.h>

#include "nt.h"

#define HOST_END "veth3-br"

/* Run `net diagnose net3`: its status, with stdout and stderr joined into *ret_text. */
static int diagnose(struct ht_ctx *t, char **ret_text)
{
	struct ht_proc p;
	int code;

	nt_contain(t, &p, HT_ARGS("net", "diagnose", "net3"));
	code = p.exit_code;
	*ret_text = ht_xasprintf("%s%s", p.out, p.err);
	ht_proc_free(&p);
	return code;
}

static void expect_names(struct ht_ctx *t, const char *text, const char *const *words)
{
	for (const char *const *w = words; *w; w++)
		if (!strstr(text, *w))
			ht_fail(t, "diagnose does not say \"%s\"; it said: \"%.800s\"", *w, text);
		else
			ht_check_true(t, false, __FILE__, __LINE__, NULL);
}

static void diagnose_dangling_host_end(struct ht_ctx *t)
{
	struct nt_lab lab;
	struct nt_echo gw;
	_cleanup_close_ int fd = -1;
	char *text = NULL;
	int code;

	nt_lab_enter(t, &lab);
	NT_CONTAIN_OK(t, "net", "bridge", "br0", "--addr", "10.11.3.1/24");
	NT_CONTAIN_OK(t, "net", "create", "net3");
	fd = nt_ns_open(t, &lab, "net3");

	/* The seed's steps, minus `master br0` and `up` on the host end. */
	nt_veth(t, &lab, HOST_END, "eth0", fd);
	nt_link_up(t, fd, "lo");
	nt_addr_add(t, fd, "eth0", "10.11.3.3/24");
	nt_link_up(t, fd, "eth0");
	nt_route_default(t, fd, "10.11.3.1");

	nt_echo_start(t, &gw, -1, "10.11.3.1");
	NT_EXPECT_NO_REACH(t, &lab, "net3", &gw);

	code = diagnose(t, &text);
	if (code != 1)
		ht_fail(t,
			"diagnose net3 exited %d, want 1 (a step is missing); it said: \"%.600s\"",
			code, text);
	expect_names(t, text, HT_ARGS("not attached to bridge", HOST_END, "br0"));
	free(text);

	/*
	 * Half the fix: the host end is up but still not on the bridge, which
	 * is now the only missing step, whatever order the checks take.
	 */
	nt_link_up(t, -1, HOST_END);
	code = diagnose(t, &text);
	if (code != 1)
		ht_fail(t,
			"with %s up but not enslaved, diagnose net3 exited %d, want 1; it said: "
			"\"%.600s\"",
			HOST_END, code, text);
	expect_names(t, text, HT_ARGS("not attached to bridge", HOST_END, "br0"));
	free(text);

	nt_enslave(t, HOST_END, "br0");
	NT_EXPECT_REACH(t, &lab, "net3", &gw, "10.11.3.3");
	code = diagnose(t, &text);
	if (code != 0)
		ht_fail(t, "after the fix diagnose net3 exited %d, want 0; it said: \"%.600s\"",
			code, text);
	else
		ht_check_true(t, false, __FILE__, __LINE__, NULL);
	free(text);
	nt_echo_stop(&gw);
}
HT_TEST(diagnose_dangling_host_end, .area = HT_AREA_NETWORK, .lesson = 11, .timeout_s = 40,
	.needs = HT_NEEDS(NT_NEEDS_LAB, "net.bridge"), .tags = "man:bridge(8)");
