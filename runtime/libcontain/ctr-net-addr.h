/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Pure helpers of contain's networking: IPv4 addresses and CIDR prefixes as
 * the command line gives them, the names of network namespaces, and the
 * names contain gives the host ends of its veth pairs. Nothing here touches
 * the kernel, so all of it is unit-tested (runtime/tests/test-net.c).
 */
#ifndef CTR_NET_ADDR_H
#define CTR_NET_ADDR_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "ctr-error.h"

/* An IPv4 address with its prefix length (32 for a bare address). */
struct ctr_cidr {
	uint32_t addr; /* host byte order */
	unsigned prefix;
};

/* "10.0.0.2/24", "10.0.0.2/24 " and "1.2.3.4" padded: enough for any. */
#define CTR_CIDR_STRLEN 19

/*
 * Parse "A.B.C.D/N" (N in 0..32, required). Leading zeros, missing octets,
 * trailing garbage, IPv6 ("IPv6 is not supported") and a missing prefix are
 * usage errors naming `what` (e.g. "--addr") and the text. With
 * host_bits_zero (a --subnet), bits past the prefix must be 0.
 */
int ctr_cidr_parse(const char *s, const char *what, bool host_bits_zero, struct ctr_cidr *out,
		   struct ctr_error *err);

/* Parse a bare "A.B.C.D" (prefix set to 32), same rules. */
int ctr_ip_parse(const char *s, const char *what, struct ctr_cidr *out, struct ctr_error *err);

/* The network of a prefix: addr with the host bits cleared. */
uint32_t ctr_cidr_network(const struct ctr_cidr *c);

/* Whether ip (its prefix ignored) lies within net/net->prefix. */
bool ctr_cidr_contains(const struct ctr_cidr *net, uint32_t ip);

/* "10.0.0.2/24" (with_prefix) or "10.0.0.2" into buf. Returns buf. */
char *ctr_cidr_format(const struct ctr_cidr *c, bool with_prefix, char buf[CTR_CIDR_STRLEN]);

/*
 * A network namespace name, as `contain net create NAME` takes it and as a
 * file name under the netns directory: 1..63 bytes of [A-Za-z0-9_.-], not
 * starting with '.' or '-'. Usage error otherwise.
 */
int ctr_netns_name_check(const char *name, struct ctr_error *err);

/*
 * An interface name the kernel accepts (dev_valid_name(), net/core/dev.c):
 * 1..IFNAMSIZ-1 bytes, not "." or "..", no '/', ':' or whitespace. Usage
 * error naming `what` otherwise.
 */
int ctr_ifname_check(const char *ifname, const char *what, struct ctr_error *err);

/*
 * The name of the host end of NAME's veth: "ve-" + NAME when that fits in
 * IFNAMSIZ-1 bytes; otherwise "ve-" + a prefix of NAME + "-" + 4 hex digits
 * of a hash of the whole NAME, so that two long names sharing a prefix still
 * get different links. `index` > 0 (a second cable into the same namespace)
 * appends it the same way. Always a valid ifname.
 */
void ctr_veth_host_name(const char *ns_name, unsigned index, char out[IFNAMSIZ]);

#endif
