// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPC namespace (lesson 4): System V IPC objects and POSIX message queues
 * created on one side are invisible on the other (ipc_namespaces(7)).
 */
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "iso.h"

static key_t test_key(struct ht_ctx *t)
{
	/* A key derived from the nonce: unique per test run. */
	return (key_t)(strtoull(ht_nonce(t) + 8, NULL, 16) & 0x7fffffff);
}

/* A SysV shm segment created inside is gone with the namespace and never seen on the host. */
static void ipcns_shm_inside_invisible(struct ht_ctx *t)
{
	char key[32];
	struct ht_proc r;
	int id;

	snprintf(key, sizeof(key), "%d", (int)test_key(t));
	ht_runtime_run(
		t, &r,
		HT_ARGS("ns", "ipc", "--", ht_probe_host_path(), ht_nonce(t), "shm-create", key),
		NULL);
	HT_EXPECT_EXIT(t, &r, 0);
	json_decref(ht_probe_json(t, &r));
	errno = 0;
	id = shmget(test_key(t), 0, 0);
	HT_EXPECT_EQ(t, id, -1);
	HT_EXPECT_EQ(t, errno, ENOENT);
	/* A broken runtime created it on the host: do not leave it there. */
	if (id >= 0)
		shmctl(id, IPC_RMID, NULL);
	ht_proc_free(&r);
}
HT_TEST(ipcns_shm_inside_invisible, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.ipc"), .tags = "man:ipc_namespaces(7)");

/* A SysV shm segment of the host is invisible inside. */
static void ipcns_host_shm_invisible_inside(struct ht_ctx *t)
{
	char key[32];
	struct ht_proc r;
	json_t *j;
	int id;

	snprintf(key, sizeof(key), "%d", (int)test_key(t));
	id = HT_SETUP(t, shmget(test_key(t), 4096, IPC_CREAT | IPC_EXCL | 0600));
	ht_runtime_run(
		t, &r,
		HT_ARGS("ns", "ipc", "--", ht_probe_host_path(), ht_nonce(t), "shm-check", key),
		NULL);
	shmctl(id, IPC_RMID, NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	j = ht_probe_json(t, &r);
	if (j)
		HT_EXPECT(t, json_is_false(iso_get(j, "exists")));
	json_decref(j);
	ht_proc_free(&r);
}
HT_TEST(ipcns_host_shm_invisible_inside, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.ipc"));

/* A POSIX message queue created inside a container is not on the host. */
static void ipcns_mqueue_inside_invisible(struct ht_ctx *t)
{
	_cleanup_free_ char *name = ht_xasprintf("/isolab-%s", ht_nonce(t));
	_cleanup_free_ char *script =
		ht_xasprintf("%s %s mq-create %s && %s %s mq-check %s", ht_probe_host_path(),
			     ht_nonce(t), name, ht_probe_host_path(), ht_nonce(t), name);
	struct ht_proc r, host;
	json_t *inside, *outside;

	ht_runtime_run(t, &r, HT_ARGS("ns", "ipc", "--", "/bin/sh", "-c", script), NULL);
	HT_ASSERT_EXIT(t, &r, 0);
	inside = ht_probe_json(t, &r);
	if (inside)
		HT_EXPECT(t, json_is_true(iso_get(inside, "exists")));
	ht_cmd_run(t, &host, HT_ARGS(ht_probe_host_path(), ht_nonce(t), "mq-check", name), NULL);
	outside = ht_probe_json(t, &host);
	if (outside)
		HT_EXPECT(t, json_is_false(iso_get(outside, "exists")));
	/* A broken runtime created it on the host: do not leave it there. */
	if (outside && json_is_true(iso_get(outside, "exists")))
		mq_unlink(name);
	json_decref(inside);
	json_decref(outside);
	ht_proc_free(&r);
	ht_proc_free(&host);
}
HT_TEST(ipcns_mqueue_inside_invisible, .area = HT_AREA_ISOLATION, .lesson = 4, .timeout_s = 20,
	.needs = HT_NEEDS("ns.ipc"), .tags = "man:mq_overview(7)");
