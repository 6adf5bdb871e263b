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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctr-config.h"
#include "ctr-namespace.h"
#include "ctr-net-addr.h"

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

bool ctr_config_wants_cgroup(const struct ctr_config *cfg)
{
	return cfg->limits.set != 0 || cfg->cgroup_parent != NULL;
}

int ctr_limits_validate(const struct ctr_limits *lim, struct ctr_error *err)
{
	if ((lim->set & CTR_LIMIT_CPUS) && (lim->set & CTR_LIMIT_CPU_MAX))
		return ctr_error_usage(err, "--cpus and --max set the same cpu.max: give one");
	/*
	 * The kernel refuses a quota below 1 ms (tg_set_cfs_bandwidth);
	 * --cpus N is a quota of N x 100000 us per 100000 us.
	 */
	if ((lim->set & CTR_LIMIT_CPUS) &&
	    lim->cpus_milli * (CTR_CPU_PERIOD_US / 1000) < CTR_CPU_QUOTA_MIN_US)
		return ctr_error_usage(err,
				       "--cpus must be at least 0.01 (a cpu.max quota of %d us per "
				       "%d us)",
				       CTR_CPU_QUOTA_MIN_US, CTR_CPU_PERIOD_US);
	if (lim->set & CTR_LIMIT_CPU_MAX) {
		if (lim->cpu_quota_us != CTR_LIMIT_MAX && lim->cpu_quota_us < CTR_CPU_QUOTA_MIN_US)
			return ctr_error_usage(err, "cpu.max quota must be at least %d us",
					       CTR_CPU_QUOTA_MIN_US);
		if (lim->cpu_period_us < CTR_CPU_PERIOD_MIN_US ||
		    lim->cpu_period_us > CTR_CPU_PERIOD_MAX_US)
			return ctr_error_usage(err, "cpu.max period must be %d to %d us",
					       CTR_CPU_PERIOD_MIN_US, CTR_CPU_PERIOD_MAX_US);
	}
	if ((lim->set & CTR_LIMIT_IO_MAX) && lim->n_io_max == 0)
		return ctr_error_usage(err, "io.max without a device line");
	return 0;
}

int ctr_config_validate(const struct ctr_config *cfg, struct ctr_error *err)
{
	int r;

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

	if (cfg->cgroup_parent && !cfg->cgroup_parent[0])
		return ctr_error_usage(err, "--cgroup-parent must not be empty");
	r = ctr_limits_validate(&cfg->limits, err);
	if (r < 0)
		return r;
	if (cfg->net_name) {
		r = ctr_netns_name_check(cfg->net_name, err);
		if (r < 0)
			return ctr_error_prefix(err, "--net");
		if (cfg->namespaces & CLONE_NEWNET)
			return ctr_error_usage(err,
					       "--net %s joins an existing network namespace: "
					       "it cannot be combined with a new one (net "
					       "in TYPE, or --net without a name)",
					       cfg->net_name);
	}
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

int ctr_parse_cpu_max(const char *opt, const char *s, uint64_t *ret_quota, uint64_t *ret_period,
		      struct ctr_error *err)
{
	uint64_t quota, period = CTR_CPU_PERIOD_US;
	const char *p = s;
	char *end;

	if (strncmp(p, "max", 3) == 0) {
		quota = CTR_LIMIT_MAX;
		end = (char *)p + 3;
	} else if (parse_u64(p, &end, &quota) < 0) {
		goto bad;
	}
	if (*end == ' ') {
		if (parse_u64(end + 1, &end, &period) < 0)
			goto bad;
	}
	if (*end != '\0')
		goto bad;
	if (quota != CTR_LIMIT_MAX && quota < CTR_CPU_QUOTA_MIN_US)
		return ctr_error_usage(err, "%s: the quota in \"%s\" must be at least %d us", opt,
				       s, CTR_CPU_QUOTA_MIN_US);
	if (period < CTR_CPU_PERIOD_MIN_US || period > CTR_CPU_PERIOD_MAX_US)
		return ctr_error_usage(err, "%s: the period in \"%s\" must be %d to %d us", opt, s,
				       CTR_CPU_PERIOD_MIN_US, CTR_CPU_PERIOD_MAX_US);
	*ret_quota = quota;
	*ret_period = period;
	return 0;
bad:
	return ctr_error_usage(err,
			       "invalid value \"%s\" for %s (expected \"QUOTA [PERIOD]\" in "
			       "microseconds, QUOTA a number or max, e.g. \"50000 100000\")",
			       s, opt);
}

static const char *const io_keys[CTR_IO_KEYS] = {
	[CTR_IO_RBPS] = "rbps",
	[CTR_IO_WBPS] = "wbps",
	[CTR_IO_RIOPS] = "riops",
	[CTR_IO_WIOPS] = "wiops",
};

int ctr_parse_io_max(const char *opt, const char *s, struct ctr_io_max *ret, struct ctr_error *err)
{
	struct ctr_io_max io = { 0 };
	uint64_t maj, min;
	const char *p;
	char *end;

	if (parse_u64(s, &end, &maj) < 0 || *end != ':' || maj > UINT32_MAX)
		goto bad;
	if (parse_u64(end + 1, &end, &min) < 0 || *end != ' ' || min > UINT32_MAX)
		goto bad;
	io.major = (unsigned int)maj;
	io.minor = (unsigned int)min;
	for (p = end; *p;) {
		char word[64], sub[96];
		const char *eq;
		size_t len;
		int k;

		while (*p == ' ')
			p++;
		if (!*p)
			break;
		len = strcspn(p, " ");
		if (len >= sizeof(word))
			goto bad;
		memcpy(word, p, len);
		word[len] = '\0';
		p += len;
		eq = strchr(word, '=');
		if (!eq)
			goto bad;
		for (k = 0; k < CTR_IO_KEYS; k++)
			if ((size_t)(eq - word) == strlen(io_keys[k]) &&
			    strncmp(word, io_keys[k], (size_t)(eq - word)) == 0)
				break;
		if (k == CTR_IO_KEYS)
			return ctr_error_usage(err,
					       "%s: unknown key \"%.*s\" in \"%s\" (expected rbps, "
					       "wbps, riops or wiops)",
					       opt, (int)(eq - word), word, s);
		if (io.set & (1u << k))
			return ctr_error_usage(err, "%s: %s given twice in \"%s\"", opt, io_keys[k],
					       s);
		snprintf(sub, sizeof(sub), "%s %s", opt, io_keys[k]);
		if (k == CTR_IO_RBPS || k == CTR_IO_WBPS) {
			if (ctr_parse_bytes(sub, eq + 1, &io.v[k], err) < 0)
				return -EINVAL;
		} else if (ctr_parse_uint(sub, eq + 1, 1, UINT64_MAX - 1, true, &io.v[k], err) <
			   0) {
			return -EINVAL;
		}
		/* The kernel refuses 0 with ERANGE (block/blk-throttle.c, tg_set_limit). */
		if (io.v[k] == 0)
			return ctr_error_usage(err, "%s: %s must be more than 0 (or max)", opt,
					       io_keys[k]);
		io.set |= 1u << k;
	}
	if (!io.set)
		goto bad;
	*ret = io;
	return 0;
bad:
	return ctr_error_usage(err,
			       "invalid value \"%s\" for %s (expected \"MAJ:MIN KEY=VALUE ...\", "
			       "KEY rbps, wbps, riops or wiops, e.g. \"8:0 rbps=1M wiops=100\")",
			       s, opt);
}

int ctr_limits_add_io_max(struct ctr_limits *lim, const struct ctr_io_max *io,
			  struct ctr_error *err)
{
	for (size_t i = 0; i < lim->n_io_max; i++)
		if (lim->io_max[i].major == io->major && lim->io_max[i].minor == io->minor) {
			lim->io_max[i] = *io;
			return 0;
		}
	if (lim->n_io_max == CTR_IO_MAX_DEVICES)
		return ctr_error_usage(err, "more than %d io.max devices", CTR_IO_MAX_DEVICES);
	lim->io_max[lim->n_io_max++] = *io;
	lim->set |= CTR_LIMIT_IO_MAX;
	return 0;
}

int ctr_io_max_format(const struct ctr_io_max *io, char *buf, size_t size)
{
	size_t len;
	int n;

	n = snprintf(buf, size, "%u:%u", io->major, io->minor);
	if (n < 0 || (size_t)n >= size)
		return -ENAMETOOLONG;
	len = (size_t)n;
	for (int k = 0; k < CTR_IO_KEYS; k++) {
		if (!(io->set & (1u << k)))
			continue;
		if (io->v[k] == CTR_LIMIT_MAX)
			n = snprintf(buf + len, size - len, " %s=max", io_keys[k]);
		else
			n = snprintf(buf + len, size - len, " %s=%" PRIu64, io_keys[k], io->v[k]);
		if (n < 0 || (size_t)n >= size - len)
			return -ENAMETOOLONG;
		len += (size_t)n;
	}
	return 0;
}
