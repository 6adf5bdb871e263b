// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The container configuration: defaults, validation and the value parsers
 * the command line uses.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-config.h"
#include "ctr-namespace.h"

void ctr_config_init(struct ctr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = CTR_MODE_NS;
}

const char *ctr_config_hostname(const struct ctr_config *cfg)
{
	if (cfg->hostname)
		return cfg->hostname;
	if (cfg->mode == CTR_MODE_CONTAINER)
		return CTR_DEFAULT_HOSTNAME;
	return NULL;
}

static const struct {
	unsigned int bit;
	const char *opt;
} limit_opts[] = {
	{ CTR_LIMIT_MEMORY, "--memory" }, { CTR_LIMIT_MEMORY_HIGH, "--memory-high" },
	{ CTR_LIMIT_CPUS, "--cpus" },	  { CTR_LIMIT_CPU_WEIGHT, "--cpu-weight" },
	{ CTR_LIMIT_PIDS, "--pids" },	  { CTR_LIMIT_IO_MAX, "--io-max" },
};

int ctr_config_validate(const struct ctr_config *cfg, struct ctr_error *err)
{
	if (cfg->mode == CTR_MODE_CONTAINER) {
		if (!cfg->rootfs || !cfg->rootfs[0])
			return ctr_error_usage(err, "ns container needs --rootfs DIR");
		if (!(cfg->namespaces & CLONE_NEWNS))
			return ctr_error_usage(err, "a container needs a mount namespace");
	} else {
		if (cfg->rootfs)
			return ctr_error_usage(err, "--rootfs needs ns container (or run)");
		if (cfg->namespaces == 0)
			return ctr_error_usage(err, "no namespace type given");
	}
	if (cfg->namespaces & ~(unsigned long)CTR_NS_ALL)
		return ctr_error_usage(err, "unknown namespace flags %#lx",
				       cfg->namespaces & ~(unsigned long)CTR_NS_ALL);
	if (!cfg->argv || !cfg->argv[0])
		return ctr_error_usage(err, "no command given after --");
	if (!cfg->argv[0][0])
		return ctr_error_usage(err, "the command is an empty string");

	if (cfg->hostname) {
		size_t len = strlen(cfg->hostname);

		if (!(cfg->namespaces & CLONE_NEWUTS))
			return ctr_error_usage(err, "--hostname needs a UTS namespace "
						    "(ns uts or ns container)");
		/* sethostname(2): EINVAL beyond HOST_NAME_MAX bytes. */
		if (len == 0 || len > HOST_NAME_MAX)
			return ctr_error_usage(err, "--hostname must be 1 to %d bytes long",
					       HOST_NAME_MAX);
	}
	if ((cfg->n_uid_map || cfg->n_gid_map) && !(cfg->namespaces & CLONE_NEWUSER))
		return ctr_error_usage(err, "--uid-map and --gid-map need a user namespace "
					    "(--user or ns user)");
	if (cfg->mode == CTR_MODE_CONTAINER && (cfg->namespaces & CLONE_NEWUSER)) {
		size_t n;
		const struct ctr_idmap *m = ctr_idmap_effective(cfg->uid_map, cfg->n_uid_map, &n);

		/* The child mounts and creates /dev entries as the namespace's root. */
		if (!ctr_idmap_maps_inside(m, n, 0))
			return ctr_error_usage(err,
					       "a container's --uid-map must map uid 0 inside");
		m = ctr_idmap_effective(cfg->gid_map, cfg->n_gid_map, &n);
		if (!ctr_idmap_maps_inside(m, n, 0))
			return ctr_error_usage(err,
					       "a container's --gid-map must map gid 0 inside");
	}
	if ((cfg->has_monotonic_offset || cfg->has_boottime_offset) &&
	    !(cfg->namespaces & CLONE_NEWTIME))
		return ctr_error_usage(err, "--monotonic-offset and --boottime-offset need a "
					    "time namespace (ns time)");

	for (size_t i = 0; i < sizeof(limit_opts) / sizeof(limit_opts[0]); i++)
		if (cfg->limits.set & limit_opts[i].bit)
			return ctr_error_usage(err,
					       "%s is not implemented yet: cgroup limits arrive "
					       "with a later issue",
					       limit_opts[i].opt);
	if (cfg->net_name)
		return ctr_error_usage(err, "--net NAME is not implemented yet: container "
					    "networks arrive with a later issue");
	return 0;
}

/* strtoull that refuses signs, spaces and empty input. */
static int parse_u64(const char *s, char **end, uint64_t *ret)
{
	unsigned long long v;

	if (!isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, end, 10);
	if (errno)
		return -errno;
	*ret = v;
	return 0;
}

int ctr_parse_bytes(const char *opt, const char *s, uint64_t *ret, struct ctr_error *err)
{
	unsigned int shift = 0;
	uint64_t v;
	char *end;

	if (strcmp(s, "max") == 0) {
		*ret = CTR_LIMIT_MAX;
		return 0;
	}
	if (parse_u64(s, &end, &v) < 0)
		goto bad;
	switch (*end) {
	case 'k':
	case 'K':
		shift = 10;
		break;
	case 'm':
	case 'M':
		shift = 20;
		break;
	case 'g':
	case 'G':
		shift = 30;
		break;
	case 't':
	case 'T':
		shift = 40;
		break;
	case '\0':
		break;
	default:
		goto bad;
	}
	if (shift && end[1] != '\0')
		goto bad;
	if (v > (UINT64_MAX >> shift))
		return ctr_error_usage(err, "%s: \"%s\" is too large", opt, s);
	*ret = v << shift;
	return 0;
bad:
	return ctr_error_usage(err,
			       "invalid value \"%s\" for %s (expected bytes with an optional K, "
			       "M, G or T suffix, or max)",
			       s, opt);
}

int ctr_parse_cpus(const char *opt, const char *s, uint64_t *ret_milli, struct ctr_error *err)
{
	uint64_t whole, frac = 0, milli;
	char *end;

	if (parse_u64(s, &end, &whole) < 0 || whole > 1000000)
		goto bad;
	if (*end == '.') {
		const char *p = end + 1;
		int digits = 0;

		if (!isdigit((unsigned char)*p))
			goto bad;
		for (; isdigit((unsigned char)*p); p++, digits++) {
			if (digits == 3)
				goto bad;
			frac = frac * 10 + (uint64_t)(*p - '0');
		}
		for (; digits < 3; digits++)
			frac *= 10;
		end = (char *)p;
	}
	if (*end != '\0')
		goto bad;
	milli = whole * 1000 + frac;
	if (milli == 0)
		return ctr_error_usage(err, "%s must be more than 0", opt);
	*ret_milli = milli;
	return 0;
bad:
	return ctr_error_usage(err,
			       "invalid value \"%s\" for %s (expected a number of CPUs such as 1 "
			       "or 0.5, at most 3 decimals)",
			       s, opt);
}

int ctr_parse_uint(const char *opt, const char *s, uint64_t min, uint64_t max, bool allow_max,
		   uint64_t *ret, struct ctr_error *err)
{
	uint64_t v;
	char *end;

	if (allow_max && strcmp(s, "max") == 0) {
		*ret = CTR_LIMIT_MAX;
		return 0;
	}
	if (parse_u64(s, &end, &v) < 0 || *end != '\0' || v < min || v > max)
		return ctr_error_usage(
			err,
			"invalid value \"%s\" for %s (expected a number from %" PRIu64
			" to %" PRIu64 "%s)",
			s, opt, min, max, allow_max ? ", or max" : "");
	*ret = v;
	return 0;
}

int ctr_parse_seconds(const char *opt, const char *s, int64_t *ret, struct ctr_error *err)
{
	const char *digits = (s[0] == '-' || s[0] == '+') ? s + 1 : s;
	long long v;
	char *end;

	if (!isdigit((unsigned char)digits[0]))
		goto bad;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end != '\0')
		goto bad;
	*ret = v;
	return 0;
bad:
	return ctr_error_usage(
		err, "invalid value \"%s\" for %s (expected whole seconds, e.g. 3600 or -60)", s,
		opt);
}
