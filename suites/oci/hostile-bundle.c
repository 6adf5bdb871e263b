// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Hostile bundles (lesson 9): a rootfs whose /proc, /sys, /dev, /dev/null
 * or a mount destination point out of it, and configs that are invalid or
 * try to reach the host (a cwd through a leaked fd, `..` in paths, bad
 * namespace paths, unknown capabilities and rlimits, huge or malformed
 * JSON). The oracle is oci.h's: the victim beside the bundle is byte-
 * identical afterwards, nothing else around the bundle changed, the
 * container's output never holds the victim's nonce, and the runtime did
 * not die of a signal. A case marked "refuse" is invalid per the spec and
 * must exit non-zero; the others may refuse or sanitise. Each test first
 * runs a benign control bundle, which must succeed: refusing is only
 * worth something from a runtime that runs what is valid.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ht-host.h"
#include "ht-util.h"
#include "rt.h"

#define RT_NEEDS HT_NEEDS("ns.pid", "ns.mnt", "ns.net", "ns.uts", "ns.ipc")

struct bad {
	const char *what; /* for messages */
	const char *spec; /* the section a refusal rests on */
	bool refuse;	  /* invalid per the spec: must exit non-zero */
	bool compat;	  /* runc or crun accept it: a deviation under runc-compat */
	const char *raw;  /* config.json text instead of the template ("%s": the nonce) */
	const char *id;	  /* instead of rt->id */
	int leak_fd;	  /* keep this fd open in the runtime (keep_fds) */
};

static void write_file(struct ht_ctx *t, const char *path, const char *s, size_t len)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0 || ht_write_all(fd, s, len) < 0)
		ht_broken(t, "write %s: %s", path, strerror(errno));
}

/* Run the bundle as it is now and judge it with the oracle. */
static void judge(struct ht_ctx *t, struct oci_rt *rt, const struct bad *b)
{
	struct ht_proc_opts o = { .keep_fds = b->leak_fd > 0 };
	struct ht_proc p = { 0 };
	_cleanup_free_ char *path = ht_xasprintf("%s/config.json", rt->c.bundle);
	_cleanup_free_ char *mb = NULL, *ma = NULL;
	const char *id = b->id ? b->id : rt->id;

	if (b->raw)
		write_file(t, path, b->raw, strlen(b->raw));
	else
		oci_rt_write(t, rt);
	rt->c.before = oci_tree(t, ht_scratch_dir(t));
	mb = ht_mount_points(0);
	ht_runtime_run(t, &p, HT_ARGS("--root", rt->state, "run", "--bundle", rt->c.bundle, id),
		       &o);
	if (p.signal == SIGSEGV || p.signal == SIGABRT || p.signal == SIGBUS)
		ht_fail(t, "%s: the runtime died of signal %d", b->what, p.signal);
	if (p.timed_out)
		ht_fail(t, "%s: the runtime did not finish before the deadline", b->what);
	if (strstr(p.out, ht_nonce(t)) || strstr(p.err, ht_nonce(t)))
		ht_fail(t, "%s: the container read the victim's nonce: \"%.200s\"", b->what, p.out);
	if (b->refuse && p.exit_code == 0) {
		if (b->compat)
			oci_rt_deviation(t, "%s was accepted (%s); runc and crun accept it too",
					 b->what, b->spec);
		else
			ht_fail(t, "%s was accepted: %s", b->what, b->spec);
	}
	ht_proc_free(&p);
	oci_rt_cmd(t, rt, &p, HT_ARGS("delete", "--force", id));
	ht_proc_free(&p);
	oci_victim_check(t, &rt->c);
	ma = ht_mount_points(0);
	if (strcmp(ma, mb) != 0)
		ht_fail(t, "%s: the runtime's mount namespace changed", b->what);
}

/* Remove the bundle, the victim and the runtime's state: the next case starts afresh. */
static void reset_scratch(struct ht_ctx *t)
{
	_cleanup_free_ char *in = ht_xasprintf("%s/in", ht_scratch_dir(t));
	_cleanup_free_ char *out = ht_xasprintf("%s/out", ht_scratch_dir(t));
	struct ht_proc r = { 0 };

	ht_cmd_run(t, &r, HT_ARGS("rm", "-rf", in, out), NULL);
	ht_proc_free(&r);
}

/*
 * The benign twin every hostile case is measured against: the template
 * bundle, run the same way, whose probe writes the nonce into /marker. It
 * must exit 0 and the host must find the marker in the bundle's rootfs.
 * Without it, a runtime that refuses every bundle would pass: a refusal
 * proves something only from a runtime that runs a valid one.
 */
static void control(struct ht_ctx *t)
{
	_cleanup_free_ char *marker = NULL, *got = NULL;
	struct ht_proc p = { 0 };
	struct oci_rt rt;
	int code;

	oci_rt_init(t, &rt);
	oci_rt_probe_args(t, &rt, HT_ARGS("write-marker", "/marker"));
	code = oci_rt_run(t, &rt, &p);
	marker = ht_xasprintf("%s/marker", rt.c.rootfs);
	if (ht_read_file(AT_FDCWD, marker, &got) < 0)
		got = ht_xstrdup("");
	if (code != 0 || strcmp(got, ht_nonce(t)) != 0) {
		_cleanup_free_ char *err = ht_xstrdup(p.err);

		ht_proc_free(&p);
		oci_rt_destroy(t, &rt);
		reset_scratch(t);
		ht_report_exit(t, HT_FAIL, __FILE__, __LINE__,
			       "the benign control bundle did not run (exit %d, marker \"%.40s\"; "
			       "stderr: \"%.300s\"): refusing the hostile ones proves nothing",
			       code, got, err);
	}
	ht_proc_free(&p);
	oci_rt_cmd(t, &rt, &p, HT_ARGS("delete", "--force", rt.id));
	ht_proc_free(&p);
	oci_rt_destroy(t, &rt);
	reset_scratch(t);
}

/* Symlink rootfs/name to target (after removing what is there). */
static void relink(struct ht_ctx *t, struct oci_rt *rt, const char *name, const char *target)
{
	_cleanup_free_ char *p = ht_xasprintf("%s/%s", rt->c.rootfs, name);
	struct ht_proc r = { 0 };

	ht_cmd_run(t, &r, HT_ARGS("rm", "-rf", p), NULL);
	ht_proc_free(&r);
	HT_SETUP(t, symlink(target, p));
}

/* The container tries to read and write the victim's secret wherever it may show. */
#define TOUCH(path) "cat " path " 2>/dev/null; echo pwned 2>/dev/null >> " path "; true"

/* /proc or /sys a symlink out of the rootfs: proc and sysfs are not mounted on the host. */
static void oci_hostile_proc_sys_symlink(struct ht_ctx *t)
{
	control(t);
	for (int i = 0; i < 2; i++) {
		struct oci_rt rt;
		const char *n = i ? "sys" : "proc";
		_cleanup_free_ char *w = ht_xasprintf("/%s as a symlink to the victim", n);
		struct bad b = { .what = w };

		oci_rt_init(t, &rt);
		relink(t, &rt, n, rt.c.victim);
		oci_rt_sh(t, &rt, TOUCH("/proc/secret") "; " TOUCH("/sys/secret"));
		judge(t, &rt, &b);
		oci_rt_destroy(t, &rt);
		if (!i)
			reset_scratch(t);
	}
}
HT_TEST(oci_hostile_proc_sys_symlink, OCI_RT_AREA, .timeout_s = 40, .needs = RT_NEEDS,
	.tags = "spec:config.md#mounts");

/* /dev/null a symlink to a host file while maskedPaths bind /dev/null over a path. */
static void oci_hostile_devnull_symlink(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *secret = NULL;
	struct bad b = { .what = "/dev/null as a symlink to the victim's secret, with masking" };
	json_t *mounts;

	control(t);
	oci_rt_init(t, &rt);
	/* No /dev tmpfs: the rootfs's own /dev is what the runtime finds. */
	mounts = json_object_get(rt.cfg, "mounts");
	json_array_remove(mounts, 1);
	secret = ht_xasprintf("%s/secret", rt.c.victim);
	relink(t, &rt, "dev/null", secret);
	json_object_set_new(oci_rt_linux(&rt), "maskedPaths", json_pack("[s]", "/etc/passwd"));
	oci_rt_sh(t, &rt, TOUCH("/etc/passwd"));
	judge(t, &rt, &b);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_devnull_symlink, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config-linux.md#masked-paths");

/* /dev an outward symlink: the /dev tmpfs and its device nodes stay in the rootfs. */
static void oci_hostile_dev_symlink(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct bad b = { .what = "/dev as a symlink to the victim" };

	control(t);
	oci_rt_init(t, &rt);
	relink(t, &rt, "dev", rt.c.victim);
	oci_rt_sh(t, &rt, TOUCH("/dev/secret"));
	judge(t, &rt, &b);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_dev_symlink, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config-linux.md#default-devices");

/* A mount destination through an outward symlink creates nothing outside. */
static void oci_hostile_mount_dest_symlink(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct bad b = { .what = "a mount destination through an outward symlink" };

	control(t);
	oci_rt_init(t, &rt);
	relink(t, &rt, "mnt", rt.c.victim);
	json_array_append_new(json_object_get(rt.cfg, "mounts"),
			      json_pack("{s:s,s:s,s:s}", "destination", "/mnt/newdir", "type",
					"tmpfs", "source", "tmpfs"));
	oci_rt_sh(t, &rt, TOUCH("/mnt/secret"));
	judge(t, &rt, &b);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_mount_dest_symlink, OCI_RT_AREA, .timeout_s = 30, .needs = RT_NEEDS,
	.tags = "spec:config.md#mounts");

/* process.cwd=/proc/self/fd/N with N a leaked fd on the victim (CVE-2024-21626). */
static void oci_hostile_cwd_leaked_fd(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *cwd = NULL;
	struct bad b = { .what = "process.cwd through a leaked host fd" };
	int fd;

	control(t);
	oci_rt_init(t, &rt);
	/* No O_CLOEXEC: the leak the runtime must not pass on or use. */
	fd = HT_SETUP(t, open(rt.c.victim, O_RDONLY | O_DIRECTORY));
	b.leak_fd = fd;
	for (int n = 3; n <= fd + 4; n++) {
		/* runc's own fds come first; try a few numbers around ours. */
		free(cwd);
		cwd = ht_xasprintf("/proc/self/fd/%d", n);
		json_object_set_new(oci_rt_process(&rt), "cwd", json_string(cwd));
		oci_rt_sh(t, &rt, TOUCH("secret") "; " TOUCH("../victim/secret"));
		judge(t, &rt, &b);
		free(rt.c.before);
		rt.c.before = NULL;
	}
	close(fd);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_cwd_leaked_fd, OCI_RT_AREA, .timeout_s = 60, .needs = RT_NEEDS,
	.tags = "cve:CVE-2024-21626");

/* Mount paths: `..` in a destination, and a relative bind source. */
static void oci_hostile_mount_paths(struct ht_ctx *t)
{
	struct oci_rt rt;
	_cleanup_free_ char *dest = NULL, *data = NULL, *inside = NULL;
	struct bad b = { .what = "`..` in a mount destination" };
	struct ht_proc p = { 0 };
	json_t *mounts;

	control(t);
	oci_rt_init(t, &rt);
	/* Enough `..` to leave the rootfs from any depth, then into the victim. */
	dest = ht_xasprintf("/mnt/../../../../../../../../../../../..%s/newdir", rt.c.victim);
	mounts = json_object_get(rt.cfg, "mounts");
	json_array_append_new(mounts, json_pack("{s:s,s:s,s:s}", "destination", dest, "type",
						"tmpfs", "source", "tmpfs"));
	oci_rt_sh(t, &rt, "true");
	judge(t, &rt, &b);
	json_array_remove(mounts, json_array_size(mounts) - 1);

	/* A relative bind source is relative to the bundle (config.md "Mounts"). */
	data = ht_xasprintf("%s/data", rt.c.bundle);
	HT_SETUP(t, mkdir(data, 0755));
	inside = ht_xasprintf("%s/data/inside", rt.c.bundle);
	write_file(t, inside, "bundle-data\n", 12);
	json_array_append_new(mounts,
			      json_pack("{s:s,s:s,s:s,s:[s,s]}", "destination", "/mnt/r", "type",
					"bind", "source", "data", "options", "rbind", "ro"));
	oci_rt_sh(t, &rt, "cat /mnt/r/inside");
	free(rt.c.before);
	rt.c.before = NULL;
	oci_rt_run(t, &rt, &p);
	if (p.exit_code == 0)
		HT_EXPECT_STREQ(t, p.out, "bundle-data\n");
	else
		ht_warn(t,
			"a relative bind source was refused (config.md \"Mounts\" allows it, "
			"relative to the bundle): %.200s",
			p.err);
	ht_proc_free(&p);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_mount_paths, OCI_RT_AREA, .timeout_s = 40, .needs = RT_NEEDS,
	.tags = "spec:config.md#mounts");

/* One invalid-config case: apply, judge, and reset for the next. */
typedef void (*mutate_fn)(struct ht_ctx *t, struct oci_rt *rt);

static void run_case(struct ht_ctx *t, mutate_fn f, const struct bad *b)
{
	struct oci_rt rt;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, "true");
	if (f)
		f(t, &rt);
	judge(t, &rt, b);
	oci_rt_destroy(t, &rt);
	reset_scratch(t);
}

static void wrong_ns_type(struct ht_ctx *t, struct oci_rt *rt)
{
	json_t *ns;
	size_t i;

	_cleanup_free_ char *uts = ht_xasprintf("/proc/%d/ns/uts", getpid());

	json_array_foreach(json_object_get(oci_rt_linux(rt), "namespaces"), i, ns)
		if (strcmp(json_string_value(json_object_get(ns, "type")), "network") == 0)
			json_object_set_new(ns, "path", json_string(uts));
	(void)t;
}

static void cap_test(struct ht_ctx *t, struct oci_rt *rt)
{
	json_t *caps = json_object_get(oci_rt_process(rt), "capabilities");

	json_array_append_new(json_object_get(caps, "bounding"), json_string("CAP_TEST"));
	json_array_append_new(json_object_get(caps, "effective"), json_string("CAP_TEST"));
	(void)t;
}

static void rlimit_test(struct ht_ctx *t, struct oci_rt *rt)
{
	json_object_set_new(
		oci_rt_process(rt), "rlimits",
		json_pack("[{s:s,s:i,s:i}]", "type", "RLIMIT_TEST", "hard", 1, "soft", 1));
	(void)t;
}

static void rlimit_dup(struct ht_ctx *t, struct oci_rt *rt)
{
	json_object_set_new(oci_rt_process(rt), "rlimits",
			    json_pack("[{s:s,s:i,s:i},{s:s,s:i,s:i}]", "type", "RLIMIT_NOFILE",
				      "hard", 100, "soft", 100, "type", "RLIMIT_NOFILE", "hard",
				      200, "soft", 200));
	(void)t;
}

static void oom_range(struct ht_ctx *t, struct oci_rt *rt)
{
	json_object_set_new(oci_rt_process(rt), "oomScoreAdj", json_integer(5000));
	(void)t;
}

static void cgroup_dotdot(struct ht_ctx *t, struct oci_rt *rt)
{
	_cleanup_free_ char *p = ht_xasprintf("/../../../../../../../../..%s/cg", rt->c.victim);
	char *cleaned = ht_xasprintf("%s/cg", rt->c.victim);

	/*
	 * A runtime that cleans the path makes this nested group under each
	 * hierarchy: journal every level so a crashed run removes them all.
	 */
	for (char *s = cleaned + 1;; s++) {
		if (*s == '/' || !*s) {
			char c = *s;

			*s = '\0';
			free(rt->cgroup);
			rt->cgroup = ht_xstrdup(cleaned);
			oci_rt_write(t, rt);
			*s = c;
		}
		if (!*s)
			break;
	}
	free(cleaned);
	json_object_set_new(oci_rt_linux(rt), "cgroupsPath", json_string(p));
}

static void empty_args(struct ht_ctx *t, struct oci_rt *rt)
{
	json_object_set_new(oci_rt_process(rt), "args", json_array());
	(void)t;
}

/* Invalid configs are refused (or, for runc-compat deviations, sanitised). */
static void oci_hostile_invalid_config(struct ht_ctx *t)
{
	static const struct {
		mutate_fn f;
		struct bad b;
	} cases[] = {
		{ wrong_ns_type,
		  { "a network namespace path to a uts namespace",
		    "config-linux.md \"Namespaces\": MUST generate an error if path is not "
		    "associated with a namespace of type",
		    true } },
		{ cap_test,
		  { "capability CAP_TEST",
		    "config.md \"process\": any value that cannot be mapped to a kernel "
		    "interface MUST cause an error",
		    true, true } },
		{ rlimit_test,
		  { "rlimit RLIMIT_TEST",
		    "config.md \"process\" rlimits: MUST generate an error "
		    "for values it cannot map",
		    true } },
		{ rlimit_dup,
		  { "a duplicate RLIMIT_NOFILE",
		    "config.md \"process\": each rlimit type MUST "
		    "be unique",
		    true, true } },
		{ oom_range,
		  { "oomScoreAdj 5000",
		    "config.md \"process\" oomScoreAdj: the kernel's range "
		    "is -1000..1000",
		    true } },
		{ cgroup_dotdot,
		  { "a cgroupsPath with `..` out of the hierarchy",
		    "config-linux.md \"Cgroups path\"", false } },
		{ empty_args,
		  { "empty process.args", "config.md \"process\": args needs at least one entry",
		    true } },
	};

	control(t);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		run_case(t, cases[i].f, &cases[i].b);
}
HT_TEST(oci_hostile_invalid_config, OCI_RT_AREA, .timeout_s = 90, .needs = RT_NEEDS,
	.tags = "spec:config.md");

/* A config text made by the test: valid template + what. */
static char *template_with(struct ht_ctx *t, const char *extra)
{
	struct oci_rt rt;
	char *s, *dump;

	oci_rt_init(t, &rt);
	oci_rt_sh(t, &rt, "true");
	dump = json_dumps(rt.cfg, JSON_COMPACT);
	oci_rt_destroy(t, &rt);
	reset_scratch(t);
	/* Replace the final '}' by extra + '}'. */
	dump[strlen(dump) - 1] = '\0';
	s = ht_xasprintf("%s%s}", dump, extra);
	free(dump);
	return s;
}

/* Malformed or huge config.json, and bad ids, are refused without harm. */
static void oci_hostile_malformed_config(struct ht_ctx *t)
{
	_cleanup_free_ char *big = NULL, *deep = NULL, *utf8 = NULL, *garbage = NULL,
			    *longid = NULL;
	size_t n = 10u << 20, depth = 100000;
	char *s;

	control(t);
	s = ht_xcalloc(n + 64, 1);
	strcpy(s, ",\"annotations\":{\"x\":\"");
	memset(s + strlen(s), 'A', n);
	strcat(s, "\"}");
	big = template_with(t, s);
	free(s);
	s = ht_xcalloc(2 * depth + 32, 1);
	strcpy(s, ",\"isolab.deep\":");
	memset(s + strlen(s), '[', depth);
	memset(s + strlen(s), ']', depth);
	deep = template_with(t, s);
	free(s);
	utf8 = template_with(t, ",\"isolab.bad\":\"\xff\xfe\xc0\xaf\"");
	s = template_with(t, "");
	garbage = ht_xasprintf("%s}garbage", s);
	free(s);
	longid = ht_xcalloc(4097, 1);
	memset(longid, 'a', 4096);
	{
		const struct bad cases[] = {
			{ "a 10 MB config.json", NULL, false, false, big },
			{ "a config nested 100000 deep", NULL, false, false, deep },
			{ "invalid UTF-8 in config.json",
			  "config.md: the configuration is JSON, which RFC 8259 says MUST be "
			  "UTF-8",
			  true, true, utf8 },
			{ "trailing garbage after the config object",
			  "config.md: config.json holds one JSON object", true, true, garbage },
			{ "a 4 KiB id", "runtime.md \"State\" id", false, false, NULL, longid },
		};

		for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
			run_case(t, NULL, &cases[i]);
	}
}
HT_TEST(oci_hostile_malformed_config, OCI_RT_AREA, .timeout_s = 90, .needs = RT_NEEDS,
	.tags = "spec:config.md");

static bool is_script(const char *path)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	char head[2] = { 0 };

	return fd >= 0 && read(fd, head, 2) == 2 && head[0] == '#' && head[1] == '!';
}

/*
 * CVE-2019-5736: an entrypoint "#!/proc/self/exe" runs the runtime's own
 * binary inside the container, and a process there reopens it for writing
 * once it exits. Run against a sacrificial copy of the runtime; the copy
 * must be byte-identical afterwards.
 */
static void oci_hostile_proc_self_exe(struct ht_ctx *t)
{
	struct oci_rt rt;
	struct ht_proc p = { 0 };
	_cleanup_free_ char *copy = NULL, *evil = NULL, *before = NULL, *after = NULL,
			    *words = NULL, *real = NULL, *env = NULL;
	const char *w = ht_runtime_words_for_area(HT_AREA_OCI);
	size_t first = strcspn(w, " \t");
	_cleanup_free_ char *bin = ht_xasprintf("%.*s", (int)first, w);

	control(t);
	oci_rt_init(t, &rt);
	/* A wrapper script (fixtures/crun-hybrid.sh) names its binary in $CRUN. */
	ht_cmd_run(t, &p, HT_ARGS("sh", "-c", "command -v \"$0\"", bin), NULL);
	real = ht_xasprintf("%.*s", (int)strcspn(p.out, "\n"), p.out);
	ht_proc_free(&p);
	if (!*real)
		ht_broken(t, "cannot find the runtime binary %s", bin);
	copy = ht_xasprintf("%s/runtime-copy", rt.c.in);
	ht_cmd_run(t, &p, HT_ARGS("cp", real, copy), NULL);
	ht_proc_free(&p);
	before = oci_sha256(t, copy);
	evil = ht_xasprintf("%s/evil", rt.c.rootfs);
	write_file(t, evil, "#!/proc/self/exe\n", 17);
	HT_SETUP(t, chmod(evil, 0755));
	oci_rt_sh(t, &rt,
		  "/evil & p=$!; i=0; while [ $i -lt 5000 ]; do exec 3</proc/$p/exe && break; "
		  "i=$((i+1)); done 2>/dev/null; wait $p; echo pwned >> /proc/self/fd/3; true");
	oci_rt_write(t, &rt);
	words = ht_xasprintf("%s%s", copy, w + first);
	if (is_script(real)) {
		/*
		 * fixtures/crun-hybrid.sh runs $CRUN: the sacrifice is crun
		 * itself, and the wrapper stays as it is.
		 */
		free(words);
		words = ht_xstrdup(w);
		free(copy);
		copy = ht_xasprintf("%s/runtime-copy", rt.c.in);
		ht_cmd_run(t, &p, HT_ARGS("sh", "-c", "cp \"$(command -v crun)\" \"$0\"", copy),
			   NULL);
		if (p.exit_code != 0)
			ht_broken(t, "the runtime %s is a script, and no crun to copy: %s", real,
				  p.err);
		ht_proc_free(&p);
		free(before);
		before = oci_sha256(t, copy);
		env = ht_xasprintf("CRUN=%s", copy);
	}
	{
		/* The copy, with the rest of the word list, as the runtime. */
		_cleanup_free_ char *cmd = ht_xasprintf("exec %s --root %s run --bundle %s %s",
							words, rt.state, rt.c.bundle, rt.id);
		char *envs[] = { env, NULL };
		struct ht_proc_opts o = { .env_add = env ? envs : NULL };

		ht_cmd_run(t, &p, HT_ARGS("sh", "-c", cmd), &o);
	}
	ht_proc_free(&p);
	after = oci_sha256(t, copy);
	if (strcmp(before, after) != 0)
		ht_fail(t, "the container overwrote the runtime's binary through /proc/self/exe "
			   "(CVE-2019-5736)");
	else
		HT_EXPECT(t, true);
	oci_rt_destroy(t, &rt);
}
HT_TEST(oci_hostile_proc_self_exe, OCI_RT_AREA, .timeout_s = 40, .needs = RT_NEEDS,
	.tags = "cve:CVE-2019-5736");
