// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * IPv4 addresses and prefixes as the command line gives them, namespace and
 * interface names, and the names of the host ends of contain's veths.
 *
 * The parser is stricter than inet_pton(3): inet_pton accepts "01.2.3.4" on
 * some libcs and inet_aton(3) reads it as octal, so a leading zero is refused
 * rather than guessed at.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ctr-net-addr.h"

/*
 * Reads a decimal number of 1..3 digits without a leading zero, at most max,
 * advancing *p. Returns the value, or -1.
 */
static int parse_small(const char **p, int max)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (isdigit((unsigned char)s[n]) && n < 4) {
		v = v * 10 + (s[n] - '0');
		n++;
	}
	if (n == 0 || n > 3 || (n > 1 && s[0] == '0') || v > max)
		return -1;
	*p = s + n;
	return v;
}

/* "A.B.C.D" at *p, advancing it. Returns 0 or a usage error. */
static int parse_quad(const char **p, const char *what, const char *text, uint32_t *ret,
		      struct ctr_error *err)
{
	uint32_t addr = 0;

	for (int i = 0; i < 4; i++) {
		int v;

		if (i > 0) {
			if (**p != '.')
				return ctr_error_usage(err, "%s \"%s\": expected 4 dotted octets",
						       what, text);
			(*p)++;
		}
		v = parse_small(p, 255);
		if (v < 0)
			return ctr_error_usage(err,
					       "%s \"%s\": octet %d is not a number 0..255 "
					       "without leading zeros",
					       what, text, i + 1);
		addr = addr << 8 | (uint32_t)v;
	}
	*ret = addr;
	return 0;
}

static int parse(const char *s, const char *what, bool want_prefix, struct ctr_cidr *out,
		 struct ctr_error *err)
{
	const char *p = s;
	struct ctr_cidr c = { 0 };
	int r, v;

	if (!s || !*s)
		return ctr_error_usage(err, "%s: empty address", what);
	if (strchr(s, ':'))
		return ctr_error_usage(err, "%s \"%s\": IPv6 is not supported", what, s);
	r = parse_quad(&p, what, s, &c.addr, err);
	if (r < 0)
		return r;
	c.prefix = 32;
	if (want_prefix) {
		if (!*p)
			return ctr_error_usage(err, "%s \"%s\": missing /PREFIX (e.g. /24)", what,
					       s);
		if (*p != '/')
			return ctr_error_usage(err, "%s \"%s\": expected /PREFIX after the address",
					       what, s);
		p++;
		v = parse_small(&p, 32);
		if (v < 0)
			return ctr_error_usage(err, "%s \"%s\": prefix length must be 0..32", what,
					       s);
		c.prefix = (unsigned)v;
	}
	if (*p)
		return ctr_error_usage(err, "%s \"%s\": unexpected \"%s\" after the %s", what, s, p,
				       want_prefix ? "prefix" : "address");
	*out = c;
	return 0;
}

static uint32_t prefix_mask(unsigned prefix)
{
	return prefix == 0 ? 0 : prefix >= 32 ? 0xffffffffu : ~(0xffffffffu >> prefix);
}

int ctr_cidr_parse(const char *s, const char *what, bool host_bits_zero, struct ctr_cidr *out,
		   struct ctr_error *err)
{
	struct ctr_cidr c;
	int r;

	r = parse(s, what, true, &c, err);
	if (r < 0)
		return r;
	if (host_bits_zero && ctr_cidr_network(&c) != c.addr) {
		char net[CTR_CIDR_STRLEN];
		struct ctr_cidr n = { ctr_cidr_network(&c), c.prefix };

		return ctr_error_usage(err, "%s \"%s\": host bits are set (the network is %s)",
				       what, s, ctr_cidr_format(&n, true, net));
	}
	*out = c;
	return 0;
}

int ctr_ip_parse(const char *s, const char *what, struct ctr_cidr *out, struct ctr_error *err)
{
	return parse(s, what, false, out, err);
}

uint32_t ctr_cidr_network(const struct ctr_cidr *c)
{
	return c->addr & prefix_mask(c->prefix);
}

bool ctr_cidr_contains(const struct ctr_cidr *net, uint32_t ip)
{
	uint32_t m = prefix_mask(net->prefix);

	return (ip & m) == (net->addr & m);
}

char *ctr_cidr_format(const struct ctr_cidr *c, bool with_prefix, char buf[CTR_CIDR_STRLEN])
{
	uint32_t a = c->addr;
	int n;

	n = snprintf(buf, CTR_CIDR_STRLEN, "%u.%u.%u.%u", a >> 24, (a >> 16) & 0xff,
		     (a >> 8) & 0xff, a & 0xff);
	if (with_prefix && n > 0 && n < CTR_CIDR_STRLEN)
		snprintf(buf + n, CTR_CIDR_STRLEN - n, "/%u", c->prefix);
	return buf;
}

int ctr_netns_name_check(const char *name, struct ctr_error *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return ctr_error_usage(err, "namespace name is empty");
	/* A file name under the netns directory: 63 bytes is ample, and keeps it short. */
	if (len > 63)
		return ctr_error_usage(err, "namespace name \"%s\" is longer than 63 bytes", name);
	if (name[0] == '.' || name[0] == '-')
		return ctr_error_usage(err, "namespace name \"%s\" must not start with '%c'", name,
				       name[0]);
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isalnum(ch) && ch != '_' && ch != '.' && ch != '-')
			return ctr_error_usage(err,
					       "namespace name \"%s\": only letters, digits, "
					       "'_', '.' and '-' are allowed",
					       name);
	}
	return 0;
}

int ctr_ifname_check(const char *ifname, const char *what, struct ctr_error *err)
{
	/* The rules of dev_valid_name() in net/core/dev.c. */
	if (!*ifname)
		return ctr_error_usage(err, "%s: interface name is empty", what);
	if (strnlen(ifname, IFNAMSIZ) >= IFNAMSIZ)
		return ctr_error_usage(err, "%s \"%s\": interface names have at most %d bytes",
				       what, ifname, IFNAMSIZ - 1);
	if (!strcmp(ifname, ".") || !strcmp(ifname, ".."))
		return ctr_error_usage(err, "%s \"%s\": not a valid interface name", what, ifname);
	for (const char *p = ifname; *p; p++) {
		/* The kernel's isspace() is the C locale's. */
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			return ctr_error_usage(err,
					       "%s \"%s\": interface names cannot contain '/', "
					       "':' or whitespace",
					       what, ifname);
	}
	return 0;
}

/* 32-bit FNV-1a: stable across runs and builds, so a name never moves. */
static uint32_t fnv1a(const char *s, uint32_t h)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return h;
}

void ctr_veth_host_name(const char *ns_name, unsigned index, char out[IFNAMSIZ])
{
	const size_t max = IFNAMSIZ - 1;
	char idx[16] = "", hash[8];
	size_t len = strlen(ns_name), keep, n;
	uint32_t h;

	if (index > 0)
		snprintf(idx, sizeof(idx), "-%u", index);
	if (strlen("ve-") + len + strlen(idx) <= max) {
		keep = len;
		hash[0] = '\0';
	} else {
		/*
		 * The hash covers the whole name and the index, so long names
		 * that share the kept prefix differ in the last digits. The
		 * literal index stays when it fits beside a prefix of at least
		 * one byte.
		 */
		h = fnv1a(idx, fnv1a(ns_name, 2166136261u));
		snprintf(hash, sizeof(hash), "-%04x", (unsigned)((h >> 16) ^ (h & 0xffff)));
		if (strlen("ve-") + 1 + strlen(hash) + strlen(idx) > max)
			idx[0] = '\0';
		keep = max - strlen("ve-") - strlen(hash) - strlen(idx);
	}

	n = 0;
	memcpy(out + n, "ve-", 3);
	n += 3;
	memcpy(out + n, ns_name, keep);
	n += keep;
	memcpy(out + n, hash, strlen(hash));
	n += strlen(hash);
	memcpy(out + n, idx, strlen(idx));
	n += strlen(idx);
	out[n] = '\0';

	/* A checked namespace name needs none of this; an unchecked one still yields an ifname. */
	for (char *p = out; *p; p++)
		if (*p == '/' || *p == ':' || isspace((unsigned char)*p))
			*p = '_';
}
