// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * User namespace id maps: see ctr-userns.h and user_namespaces(7).
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-mutant.h"
#include "ctr-userns.h"
#include "ctr-util.h"

static const struct ctr_idmap default_map = {
	CTR_IDMAP_DEFAULT_INSIDE,
	CTR_IDMAP_DEFAULT_OUTSIDE,
	CTR_IDMAP_DEFAULT_COUNT,
};

static int parse_u32(const char *s, const char **end, uint32_t *ret)
{
	unsigned long long v;
	char *e;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &e, 10);
	if (errno || v > UINT32_MAX)
		return -ERANGE;
	*end = e;
	*ret = (uint32_t)v;
	return 0;
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

int ctr_idmap_parse(const char *opt, const char *s, struct ctr_idmap ret[CTR_IDMAP_MAX],
		    size_t *ret_n, struct ctr_error *err)
{
	struct ctr_idmap map[CTR_IDMAP_MAX];
	const char *p = s;
	size_t n = 0;

	for (;;) {
		struct ctr_idmap m;
		const char *e;

		if (n == CTR_IDMAP_MAX)
			return ctr_error_usage(err, "%s: more than %d ranges", opt, CTR_IDMAP_MAX);
		if (parse_u32(p, &e, &m.inside) < 0 || *e != ':' ||
		    parse_u32(e + 1, &e, &m.outside) < 0 || *e != ':' ||
		    parse_u32(e + 1, &e, &m.count) < 0 || (*e != ',' && *e != '\0'))
			return ctr_error_usage(err,
					       "invalid value \"%s\" for %s (expected "
					       "INSIDE:OUTSIDE:COUNT, e.g. 0:100000:65536)",
					       s, opt);
		if (m.count == 0)
			return ctr_error_usage(err, "%s: a range of 0 ids in \"%s\"", opt, s);
		if ((uint64_t)m.inside + m.count > (uint64_t)UINT32_MAX + 1 ||
		    (uint64_t)m.outside + m.count > (uint64_t)UINT32_MAX + 1)
			return ctr_error_usage(err, "%s: range in \"%s\" goes past 4294967295", opt,
					       s);
		for (size_t i = 0; i < n; i++) {
			if (overlaps(map[i].inside, map[i].count, m.inside, m.count) ||
			    overlaps(map[i].outside, map[i].count, m.outside, m.count))
				return ctr_error_usage(err, "%s: overlapping ranges in \"%s\"", opt,
						       s);
		}
		map[n++] = m;
		if (*e == '\0')
			break;
		p = e + 1;
	}
	memcpy(ret, map, n * sizeof(map[0]));
	*ret_n = n;
	return 0;
}

const struct ctr_idmap *ctr_idmap_effective(const struct ctr_idmap *map, size_t n, size_t *ret_n)
{
	if (n == 0) {
		*ret_n = 1;
		return &default_map;
	}
	*ret_n = n;
	return map;
}

bool ctr_idmap_maps_inside(const struct ctr_idmap *map, size_t n, uint32_t id)
{
	for (size_t i = 0; i < n; i++)
		if (id >= map[i].inside && (uint64_t)id < (uint64_t)map[i].inside + map[i].count)
			return true;
	return false;
}

int ctr_idmap_format(const struct ctr_idmap *map, size_t n, char *buf, size_t size)
{
	size_t len = 0;

	if (size == 0)
		return -ENOBUFS;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + len, size - len, "%" PRIu32 " %" PRIu32 " %" PRIu32 "\n",
				 map[i].inside, map[i].outside, map[i].count);

		if (w < 0 || (size_t)w >= size - len)
			return -ENOBUFS;
		len += (size_t)w;
	}
	return 0;
}

static int write_map(int procfd, const char *file, const struct ctr_idmap *map, size_t n,
		     struct ctr_error *err)
{
	char buf[CTR_IDMAP_MAX * 36];
	int r;

	map = ctr_idmap_effective(map, n, &n);
	r = ctr_idmap_format(map, n, buf, sizeof(buf));
	if (r < 0)
		return ctr_error_errno(err, r, "format %s", file);
	r = ctr_write_file(procfd, file, buf);
	if (r < 0) {
		/* The trailing newline would split the message. */
		buf[strcspn(buf, "\n")] = '\0';
		ctr_error_errno(err, r, "write %s \"%s%s\"", file, buf, n > 1 ? " ..." : "");
		if (r == -EPERM)
			return ctr_error_hint(err,
					      "a map can be written once, by a process with "
					      "CAP_SETUID/CAP_SETGID over the parent namespace");
		if (r == -EINVAL)
			return ctr_error_hint(err, "ranges must not overlap and the outside ids "
						   "must exist in the parent namespace");
		return r;
	}
	return 0;
}

int ctr_userns_apply(pid_t pid, const struct ctr_idmap *uid_map, size_t n_uid,
		     const struct ctr_idmap *gid_map, size_t n_gid, struct ctr_error *err)
{
	_cleanup_close_ int procfd = -1;
	char path[64];
	int r;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	procfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return ctr_error_errno(err, errno, "open %s", path);

	/*
	 * Without "deny", an unprivileged writer could not write gid_map at
	 * all, and a process inside could drop supplementary groups that were
	 * meant to restrict it (user_namespaces(7)).
	 */
	r = ctr_write_file(procfd, "setgroups", "deny");
	if (r < 0)
		return ctr_error_errno(err, r, "write %s/setgroups \"deny\"", path);
	r = write_map(procfd, "gid_map", gid_map, n_gid, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", path);
	if (ctr_mutant("uidmap-not-written"))
		return 0;
	r = write_map(procfd, "uid_map", uid_map, n_uid, err);
	if (r < 0)
		return ctr_error_prefix(err, "%s", path);
	return 0;
}
