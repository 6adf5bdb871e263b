// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Namespace names and flags (namespaces(7)).
 */
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include "ctr-namespace.h"
#include "ctr-util.h"

static const struct {
	const char *name;
	const char *proc;
	unsigned long flag;
} table[] = {
	{ "pid", "pid", CLONE_NEWPID },	   { "mount", "mnt", CLONE_NEWNS },
	{ "uts", "uts", CLONE_NEWUTS },	   { "ipc", "ipc", CLONE_NEWIPC },
	{ "user", "user", CLONE_NEWUSER }, { "cgroup", "cgroup", CLONE_NEWCGROUP },
	{ "time", "time", CLONE_NEWTIME }, { "net", "net", CLONE_NEWNET },
};

unsigned long ctr_namespace_from_name(const char *name)
{
	if (strcmp(name, "mnt") == 0)
		return CLONE_NEWNS;
	for (size_t i = 0; i < CTR_ARRAY_SIZE(table); i++)
		if (strcmp(table[i].name, name) == 0)
			return table[i].flag;
	return 0;
}

const char *ctr_namespace_name(unsigned long flag)
{
	for (size_t i = 0; i < CTR_ARRAY_SIZE(table); i++)
		if (table[i].flag == flag)
			return table[i].name;
	return NULL;
}

const char *ctr_namespace_proc_name(unsigned long flag)
{
	for (size_t i = 0; i < CTR_ARRAY_SIZE(table); i++)
		if (table[i].flag == flag)
			return table[i].proc;
	return NULL;
}

int ctr_namespace_parse_list(const char *list, unsigned long *ret_flags, struct ctr_error *err)
{
	unsigned long flags = 0;
	const char *p = list;

	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		char name[32];
		unsigned long f;

		if (len == 0)
			return ctr_error_usage(err, "empty namespace type in \"%s\"", list);
		if (len >= sizeof(name))
			return ctr_error_usage(err, "unknown namespace type \"%.*s\"", (int)len, p);
		memcpy(name, p, len);
		name[len] = '\0';
		f = ctr_namespace_from_name(name);
		if (!f)
			return ctr_error_usage(
				err,
				"unknown namespace type \"%s\" (expected pid, mount, uts, "
				"ipc, user, cgroup, time, net or container)",
				name);
		if (flags & f)
			return ctr_error_usage(err, "namespace type \"%s\" listed twice", name);
		flags |= f;
		if (!comma)
			break;
		p = comma + 1;
	}
	*ret_flags = flags;
	return 0;
}

char *ctr_namespace_format(unsigned long flags, char *buf, size_t n)
{
	size_t len = 0;

	if (n == 0)
		return buf;
	buf[0] = '\0';
	for (size_t i = 0; i < CTR_ARRAY_SIZE(table); i++) {
		int w;

		if (!(flags & table[i].flag))
			continue;
		w = snprintf(buf + len, n - len, "%s%s", len ? "," : "", table[i].name);
		if (w < 0 || (size_t)w >= n - len)
			break;
		len += (size_t)w;
	}
	return buf;
}
