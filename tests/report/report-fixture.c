// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Synthetic runs for the reporter tests (see report-fixture.h). The test
 * descriptors are plain data here, not HT_TEST() registrations: the
 * reporters only read them.
 */
#include <errno.h>
#include <string.h>

#include "ht-util.h"
#include "report-fixture.h"

/*
 * Hostile text: XML metacharacters and "]]>", a '#' that looks like a TAP
 * directive, a newline, C0 controls with an ANSI escape, then ill-formed
 * UTF-8 (a stray 0xFF, a truncated sequence, an overlong '/', a UTF-16
 * surrogate, code point 0x110000), then U+FFFE (valid UTF-8, not an XML
 * Char), NEL, and well-formed non-ASCII.
 */
#define HOSTILE                                                  \
	"got <tag a=\"1\" b='2'> & ]]> # TODO not a directive\n" \
	"second line\r\x01\x1b[31mred\x7f\ttab "                 \
	"\xff \xe2\x82 \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80 "  \
	"\xef\xbf\xbe \xc2\x85 na\xc3\xafve \xe2\x98\x83 \xf0\x9f\x98\x80"

static const struct ht_test t_pidns = {
	.name = "pidns_init_is_pid1",
	.area = HT_AREA_ISOLATION,
	.lesson = 1,
	.timeout_s = 10,
	.tags = "spec:config-linux.md#namespaces",
	.file = "suites/isolation/pidns.c",
	.line = 42,
};

static const struct ht_test t_uts = {
	.name = "uts_hostname_private",
	.area = HT_AREA_ISOLATION,
	.lesson = 2,
	.tags = "spec:config-linux.md#namespaces",
	.file = "suites/isolation/uts.c",
	.line = 17,
};

static const struct ht_test t_memory = {
	.name = "memory_max_oom",
	.area = HT_AREA_LIMITS,
	.lesson = 5,
	/* Runs of blanks between tags: the JSON reporter must not make empty tags. */
	.tags = "  spec:cgroup-v2.rst#memory-interface-files   lesson:05 ",
	.file = "suites/limits/memory.c",
	.line = 30,
};

static const struct ht_test t_pids = {
	.name = "pids_max_forkbomb",
	.area = HT_AREA_LIMITS,
	.lesson = 6,
	.timeout_s = 10,
	.file = "suites/limits/pids.c",
	.line = 55,
};

static const struct ht_test t_mtu = {
	.name = "veth_mtu_default",
	.area = HT_AREA_NETWORK,
	.lesson = 8,
	.xfail = "contain keeps the bridge's 1500 MTU on the veth",
	.file = "suites/network/veth.c",
	.line = 88,
};

static const struct ht_test t_bridge = {
	.name = "bridge_attach",
	.area = HT_AREA_NETWORK,
	.lesson = 9,
	.file = "suites/network/bridge.c",
	.line = 12,
};

static const struct ht_test t_nft = {
	.name = "nat_masquerade",
	.area = HT_AREA_NETWORK,
	.lesson = 10,
	.file = "suites/network/nat.c",
	.line = 21,
};

static const struct ht_test t_hostile = {
	/* Not a C identifier, on purpose: names reach every format unescaped. */
	.name = "hostile <name> & \"#\" # TODO",
	.area = HT_AREA_OCI,
	.lesson = 11,
	.tags = "cve:CVE-2019-5736",
	.file = "suites/oci/hostile.c",
	.line = 7,
};

/* Nothing optional set: no tags, no file, no lesson. */
static const struct ht_test t_bare = {
	.name = "execve_tracepoint",
	.area = HT_AREA_TRACING,
};

static const struct ht_test t_long = {
	.name = "long_reason",
	.area = HT_AREA_HARNESS,
	.file = "suites/harness/long.c",
	.line = 3,
};

static struct ht_result *add(struct ht_run *run, const struct ht_test *test, enum ht_outcome o,
			     const char *reason, double duration_s, const char *where)
{
	struct ht_result *r = ht_run_add_result(run, test);

	r->outcome = o;
	r->reason = reason ? ht_xstrdup(reason) : NULL;
	r->duration_s = duration_s;
	r->where = where ? ht_xstrdup(where) : NULL;
	return r;
}

static void fixture_run_init(struct ht_run *run)
{
	ht_run_init(run, "0123abcd");
	run->tool_version = ht_xstrdup("0.1.0-test");
	run->hostname = ht_xstrdup("labhost");
	run->kernel = ht_xstrdup("6.18.0-test");
	run->started = ht_xstrdup("2025-01-02T03:04:05Z");
	run->duration_s = 12.3456;
	ht_run_add_fact(run, "kernel.release", "6.18.0-test");
	ht_run_add_fact(run, "cgroup.layout", "hybrid: memory, cpu, pids on v1");
	ht_run_add_fact(run, "probe.ns.pid", "ok");
	ht_run_add_fact(run, "probe.cgroup.memory",
			"EOPNOTSUPP: memory controller bound to a v1 hierarchy");
}

static void add_pass(struct ht_run *run)
{
	struct ht_result *r = add(run, &t_pidns, HT_PASS, NULL, 0.1234, "host");

	r->n_pass = 2;
}

static void add_warn(struct ht_run *run)
{
	static const char slow[] = "uts.c:41: hostname reset took 2.1 s (limit 1 s)";
	struct ht_result *r = add(run, &t_uts, HT_WARN, slow, 0.3004, "host");

	r->n_pass = 3;
	ht_result_add_msg(r, HT_PASS, "uts.c:30: hostname inside is ctr");
	ht_result_add_msg(r, HT_WARN, slow);
	ht_result_add_msg(r, HT_WARN, "uts.c:44: host name cache not flushed");
}

static void add_skip(struct ht_run *run)
{
	struct ht_result *r = add(run, &t_memory, HT_SKIP,
				  "cgroup2: memory controller bound to a v1 hierarchy", 0, "host");

	r->skip_probe = ht_xstrdup("cgroup.memory");
	r->skip_errno = EOPNOTSUPP;
}

static void add_xfail(struct ht_run *run)
{
	struct ht_result *r = add(run, &t_mtu, HT_XFAIL, "veth.c:90: got 1500 == want 65535", 1.5,
				  "vm:debian-6.1");

	r->n_pass = 1;
	r->n_fail = 1;
	ht_result_add_msg(r, HT_FAIL, "veth.c:90: got 1500 == want 65535");
}

void fixture_full_run(struct ht_run *run)
{
	struct ht_result *r;
	char *long_reason;

	fixture_run_init(run);
	add_pass(run);
	add_warn(run);
	add_skip(run);
	add_xfail(run);

	r = add(run, &t_hostile, HT_FAIL, HOSTILE, 0.25, "host");
	/* Captured test output can hold anything, XML-hostile bytes included. */
	r->output = ht_xstrdup("stdout line <b>&amp;\nstderr \x01 line \xff\n");
	r->n_pass = 1;
	r->n_fail = 2;
	ht_result_add_msg(r, HT_PASS, "hostile.c:10: ok");
	ht_result_add_msg(r, HT_FAIL, HOSTILE);
	ht_result_add_msg(r, HT_FAIL, "hostile.c:13: got \"a\\nb\" == want \"a b\"");

	/* BROKEN with nothing at all: the runner's "test reported nothing". */
	add(run, &t_bare, HT_BROKEN, NULL, 0, NULL);

	r = add(run, &t_pids, HT_TIMEOUT, "killed after 10 s", 10.0004, "host");
	r->n_pass = 1;
	ht_result_add_msg(r, HT_TIMEOUT, "runner: deadline of 10 s passed, process group killed");

	r = add(run, &t_bridge, HT_PASS, NULL, 2, "vm:debian-6.12");
	r->n_pass = 1;
	ht_result_add_msg(r, HT_PASS, "bridge.c:20: veth0 is a port of br0");

	/* Longer than a TAP line may be (1024 bytes), on a SKIP without errno. */
	long_reason = ht_xmalloc(1501);
	for (int i = 0; i < 1500; i++)
		long_reason[i] = "long reason "[i % 12];
	long_reason[1500] = '\0';
	r = add(run, &t_long, HT_SKIP, long_reason, 0, "host");
	r->skip_probe = ht_xstrdup("harness.long");
	free(long_reason);

	ht_run_add_fact(run, "odd<key>", "a&b \"c\" \x01 \xff");

	/* The VM the bridge test ran in, as `isolab vm` records it. */
	{
		struct ht_run_vm *v = ht_run_add_vm(run);

		v->where = ht_xstrdup("vm:debian-6.12");
		v->spec = ht_xstrdup("debian:6.12");
		v->release = ht_xstrdup("6.12.117+deb12-amd64");
		v->package = ht_xstrdup("linux-image-6.12.117+deb12-amd64-unsigned");
		v->version = ht_xstrdup("6.12.117-1~deb12u1");
		v->sha256 = ht_xstrdup(
			"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
		v->accel = ht_xstrdup("tcg");
		v->boot = ht_xstrdup("pvh");
		v->classification = ht_xstrdup("SPLAT");
		v->detail = ht_xstrdup("the kernel tainted itself during the run");
		v->excerpt =
			ht_xstrdup("tainted 0 -> 512 during bridge_ports\nWARNING: at x.c:1\n");
		v->probe_json =
			ht_xstrdup("{\"kernel\": \"6.12.117+deb12-amd64\", \"probes\": []}");
		v->boot_s = 3.25;
		v->first_result_s = 4.5;
		v->wall_s = 9.125;
		v->attempts = 1;
	}
}

void fixture_passing_run(struct ht_run *run)
{
	struct ht_result *r;

	fixture_run_init(run);
	add_pass(run);
	add_warn(run);
	add_skip(run);
	add_xfail(run);

	/* A skip with only a probe id, and a '#' plus newline in a reason. */
	r = add(run, &t_nft, HT_SKIP, NULL, 0, "host");
	r->skip_probe = ht_xstrdup("net.nft");
	r = add(run, &t_bridge, HT_SKIP, "nft: # TODO not a directive\nnext line", 0, "host");
	r->skip_probe = ht_xstrdup("net.bridge");
	r->skip_errno = ENOENT;

	r = add(run, &t_hostile, HT_PASS, NULL, 0.01, "host");
	r->n_pass = 1;
}

void fixture_empty_run(struct ht_run *run)
{
	fixture_run_init(run);
	run->duration_s = 0.001;
}
