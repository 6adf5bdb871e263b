// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * config.json parsing (runtime-spec config.md, config-linux.md): a valid
 * config comes out as plain data, mount options as MS_* flags; every
 * invalid field is refused with an error that names its JSON path; the
 * document limits (size, depth, UTF-8, trailing garbage) hold; and
 * container ids are checked before any file is named after them.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>

#include "ctr-oci-config.h"
#include "ctr-oci-state.h"

static struct ctr_error err;

/* A valid config with one field's text replaced: "@PROCESS@" etc. */
static const char base[] =
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\",\"readonly\":true},"
	"\"process\":{%s},\"hostname\":\"h\","
	"\"mounts\":[%s],"
	"\"linux\":{%s%s},"
	"\"x-unknown\":{\"deep\":[1,2,3]}}";

#define NS_OK	   "\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"mount\"},{\"type\":\"uts\"}]"
#define PROCESS_OK "\"args\":[\"sh\"],\"cwd\":\"/\",\"env\":[\"PATH=/bin\"]"

static int parse3(const char *process, const char *mounts, const char *linux_extra,
		  struct ctr_oci_config **ret)
{
	char buf[8192];

	/* The default namespaces, unless the case is about them. */
	if (strstr(linux_extra, "\"namespaces\""))
		snprintf(buf, sizeof(buf), base, process, mounts, "", linux_extra + 1);
	else
		snprintf(buf, sizeof(buf), base, process, mounts, NS_OK, linux_extra);
	memset(&err, 0, sizeof(err));
	return ctr_oci_config_parse(buf, strlen(buf), ret, &err);
}

/* Refused, and the message contains want. */
static void refused(const char *process, const char *mounts, const char *linux_extra,
		    const char *want)
{
	struct ctr_oci_config *c = NULL;

	ck_assert_int_lt(parse3(process, mounts, linux_extra, &c), 0);
	ck_assert_ptr_null(c);
	if (!strstr(err.msg, want))
		ck_abort_msg("message \"%s\" lacks \"%s\"", err.msg, want);
}

START_TEST(valid_config_is_parsed)
{
	struct ctr_oci_config *c = NULL;

	ck_assert_int_eq(
		parse3(PROCESS_OK ",\"user\":{\"uid\":1000,\"gid\":100,\"additionalGids\":[5,6]},"
				  "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":512,\"hard\":"
				  "1024}],\"noNewPrivileges\":true,\"oomScoreAdj\":-5,"
				  "\"capabilities\":{\"bounding\":[\"CAP_KILL\",\"CAP_CHOWN\"]}",
		       "{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
		       "{\"destination\":\"/data\",\"type\":\"bind\",\"source\":\"/srv\","
		       "\"options\":[\"rbind\",\"ro\",\"nosuid\",\"rprivate\",\"size=1k\"]}",
		       ",\"cgroupsPath\":\"/lab/c1\",\"resources\":{\"memory\":{\"limit\":1048576},"
		       "\"cpu\":{\"quota\":50000,\"period\":100000,\"shares\":1024},"
		       "\"pids\":{\"limit\":64},\"unified\":{\"memory.high\":\"max\"}},"
		       "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
		       "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"]",
		       &c),
		0);
	ck_assert_str_eq(c->process.args[0], "sh");
	ck_assert_ptr_null(c->process.args[1]);
	ck_assert_uint_eq(c->process.uid, 1000);
	ck_assert_uint_eq(c->process.gid, 100);
	ck_assert_uint_eq(c->process.n_additional_gids, 2);
	ck_assert_uint_eq(c->process.n_rlimits, 1);
	ck_assert_int_eq(c->process.rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(c->process.rlimits[0].hard, 1024);
	ck_assert(c->process.no_new_privileges);
	ck_assert_int_eq(c->process.oom_score_adj, -5);
	ck_assert_uint_eq(c->process.caps[CTR_OCI_CAP_BOUNDING], (1u << 5) | 1u);
	ck_assert_str_eq(c->root_path, "rootfs");
	ck_assert(c->root_readonly);
	ck_assert_str_eq(c->hostname, "h");
	ck_assert_uint_eq(c->n_mounts, 2);
	ck_assert(!c->mounts[0].bind);
	ck_assert(c->mounts[1].bind);
	ck_assert_uint_eq(c->mounts[1].flags, MS_BIND | MS_REC | MS_RDONLY | MS_NOSUID);
	ck_assert_uint_eq(c->mounts[1].propagation, MS_PRIVATE | MS_REC);
	ck_assert_str_eq(c->mounts[1].data, "size=1k");
	ck_assert_uint_eq(c->n_namespaces, 3);
	ck_assert(ctr_oci_config_has_ns(c, CLONE_NEWPID, NULL));
	ck_assert(!ctr_oci_config_has_ns(c, CLONE_NEWNET, NULL));
	ck_assert_str_eq(c->cgroups_path, "/lab/c1");
	ck_assert_uint_eq(c->limits.memory_max, 1048576);
	ck_assert_uint_eq(c->limits.cpu_quota_us, 50000);
	/* shares 1024 is weight 39, as runc and crun convert it. */
	ck_assert_uint_eq(c->limits.cpu_weight, 39);
	ck_assert_uint_eq(c->limits.pids_max, 64);
	ck_assert_uint_eq(c->n_unified, 1);
	ck_assert_str_eq(c->unified[0].key, "memory.high");
	ck_assert_uint_eq(c->n_sysctl, 1);
	ck_assert_uint_eq(c->n_masked_paths, 1);
	ck_assert_uint_eq(c->n_readonly_paths, 1);
	ctr_oci_config_free(c);
}
END_TEST

START_TEST(invalid_fields_name_their_path)
{
	refused("\"args\":[],\"cwd\":\"/\"", "", "", "process.args: must name a command");
	refused("\"cwd\":\"/\"", "", "", "process.args");
	refused("\"args\":[\"sh\", 3],\"cwd\":\"/\"", "", "", "process.args[1]: expected a string");
	refused("\"args\":[\"sh\"],\"cwd\":\"rel\"", "", "", "process.cwd");
	refused(PROCESS_OK ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
			   "{\"type\":\"RLIMIT_TEST\",\"soft\":1,\"hard\":1}]",
		"", "", "process.rlimits[1].type: unknown rlimit \"RLIMIT_TEST\"");
	refused(PROCESS_OK ",\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
			   "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1}]",
		"", "", "process.rlimits[1].type: rlimit RLIMIT_NOFILE is given twice");
	refused(PROCESS_OK ",\"capabilities\":{\"effective\":[\"CAP_KILL\",\"CAP_TEST\"]}", "", "",
		"process.capabilities.effective[1]: unknown capability \"CAP_TEST\"");
	refused(PROCESS_OK ",\"oomScoreAdj\":1001", "", "", "process.oomScoreAdj");
	refused(PROCESS_OK ",\"oomScoreAdj\":-1001", "", "", "process.oomScoreAdj");
	refused(PROCESS_OK ",\"terminal\":true", "", "", "process.terminal");
	refused(PROCESS_OK ",\"user\":{\"uid\":\"root\"}", "", "",
		"process.user.uid: expected an integer");
	refused(PROCESS_OK, "{\"destination\":\"proc\",\"type\":\"proc\"}", "",
		"mounts[0].destination: \"proc\" is not an absolute path");
	refused(PROCESS_OK, "{\"destination\":\"/a/../../etc\",\"type\":\"tmpfs\"}", "",
		"mounts[0].destination: \"/a/../../etc\" has a \"..\" component");
	refused(PROCESS_OK, "{\"destination\":\"/a\",\"type\":\"bind\",\"source\":\"rel\"}", "",
		"mounts[0].source: a bind mount needs an absolute source");
	refused(PROCESS_OK,
		"{\"destination\":\"/a\",\"type\":\"none\",\"source\":\"x\",\"options\":[\"rbind\"]}",
		"", "mounts[0].source");
	refused(PROCESS_OK, "", ",\"cgroupsPath\":\"/a/../../b\"",
		"linux.cgroupsPath: \"/a/../../b\" has a \"..\" component");
	refused(PROCESS_OK, "", ",\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]",
		"linux.namespaces[1].type: namespace type \"pid\" is given twice");
	refused(PROCESS_OK, "", ",\"namespaces\":[{\"type\":\"pidd\"}]",
		"linux.namespaces[0].type: unknown namespace type \"pidd\"");
	refused(PROCESS_OK, "", ",\"namespaces\":[{\"type\":\"net\",\"path\":\"x\"}]",
		"linux.namespaces[0].type");
	refused(PROCESS_OK, "", ",\"uidMappings\":[{\"containerID\":0,\"hostID\":1}]",
		"linux.uidMappings[0]: needs containerID, hostID and size");
	refused(PROCESS_OK, "", ",\"resources\":{\"unified\":{\"../x\":\"1\"}}",
		"linux.resources.unified[\"../x\"]");
	refused(PROCESS_OK, "", ",\"sysctl\":{\"a/../../b\":\"1\"}", "linux.sysctl[\"a/../../b\"]");
	refused(PROCESS_OK, "", ",\"maskedPaths\":[\"proc\"]", "linux.maskedPaths[0]");
	refused(PROCESS_OK, "", ",\"devices\":[{\"path\":\"/dev/x\",\"type\":\"q\"}]",
		"linux.devices[0].type");
}
END_TEST

static int parse_text(const char *text, size_t len)
{
	struct ctr_oci_config *c = NULL;
	int r;

	memset(&err, 0, sizeof(err));
	r = ctr_oci_config_parse(text, len, &c, &err);
	ctr_oci_config_free(c);
	return r;
}

START_TEST(document_limits_hold)
{
	static const char good[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				   "\"process\":{\"args\":[\"a\"],\"cwd\":\"/\"}}";
	char buf[sizeof(good) + 16];
	char *big, *deep;
	size_t n;

	ck_assert_int_eq(parse_text(good, strlen(good)), 0);
	/* Trailing garbage. */
	snprintf(buf, sizeof(buf), "%s x", good);
	ck_assert_int_lt(parse_text(buf, strlen(buf)), 0);
	/* Invalid UTF-8 in a string. */
	snprintf(buf, sizeof(buf), "%s", good);
	buf[strlen("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"")] = (char)0xff;
	ck_assert_int_lt(parse_text(buf, strlen(buf)), 0);
	/* An embedded \u0000. */
	ck_assert_int_lt(parse_text("{\"ociVersion\":\"1\\u0000\"}", 24), 0);
	/* Over the size cap: refused before it is parsed. */
	n = CTR_OCI_CONFIG_MAX_SIZE + 1;
	big = malloc(n);
	ck_assert_ptr_nonnull(big);
	memset(big, ' ', n);
	memcpy(big, good, strlen(good));
	ck_assert_int_lt(parse_text(big, n), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "more than the limit"));
	free(big);
	/* Nested deeper than the cap. */
	deep = calloc(1, 2 * 100000 + 1);
	ck_assert_ptr_nonnull(deep);
	memset(deep, '[', 100000);
	memset(deep + 100000, ']', 100000);
	ck_assert_int_lt(parse_text(deep, 200000), 0);
	ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper"));
	free(deep);
	/* Not an object; a missing root; an unsupported version. */
	ck_assert_int_lt(parse_text("[]", 2), 0);
	ck_assert_int_lt(parse_text("{\"ociVersion\":\"1.0.0\"}", 22), 0);
	ck_assert_int_lt(parse_text("{\"ociVersion\":\"2.0.0\"}", 22), 0);
}
END_TEST

START_TEST(container_ids_are_checked)
{
	char long_id[4097];

	ck_assert_int_eq(ctr_oci_id_check("abc-1_2.3+x", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check("", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check("a/b", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check("../x", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check("..", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check(".", &err), 0);
	ck_assert_int_lt(ctr_oci_id_check("a b", &err), 0);
	memset(long_id, 'a', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	ck_assert_int_lt(ctr_oci_id_check(long_id, &err), 0);
	long_id[CTR_OCI_ID_MAX] = '\0';
	ck_assert_int_eq(ctr_oci_id_check(long_id, &err), 0);
}
END_TEST

static Suite *oci_config_suite(void)
{
	Suite *s = suite_create("oci-config");
	TCase *tc = tcase_create("oci-config");

	tcase_add_test(tc, valid_config_is_parsed);
	tcase_add_test(tc, invalid_fields_name_their_path);
	tcase_add_test(tc, document_limits_hold);
	tcase_add_test(tc, container_ids_are_checked);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(oci_config_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
