// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The interface files that describe a group's use of resources, for
 * `contain cgroup stat`: the statistics (*.stat, *.current, *.peak), the
 * event counters (*.events) and pressure stall information (*.pressure),
 * plus the limits they are measured against. Their layouts are those of
 * cgroup-v2.rst, "Interface Files" (flat keyed, nested keyed) and
 * Documentation/accounting/psi.rst.
 */
#include <errno.h>

#include "ctr-cgroup.h"
#include "ctr-util.h"

static const struct ctr_cgroup_stat_file stat_files[] = {
	{ "cgroup.events", CTR_CGROUP_FLAT },
	{ "cgroup.stat", CTR_CGROUP_FLAT },
	{ "memory.current", CTR_CGROUP_SINGLE },
	{ "memory.peak", CTR_CGROUP_SINGLE },
	{ "memory.max", CTR_CGROUP_SINGLE },
	{ "memory.high", CTR_CGROUP_SINGLE },
	{ "memory.swap.current", CTR_CGROUP_SINGLE },
	{ "memory.swap.max", CTR_CGROUP_SINGLE },
	{ "memory.events", CTR_CGROUP_FLAT },
	{ "memory.stat", CTR_CGROUP_FLAT },
	{ "memory.pressure", CTR_CGROUP_NESTED },
	{ "cpu.max", CTR_CGROUP_SINGLE },
	{ "cpu.weight", CTR_CGROUP_SINGLE },
	{ "cpu.stat", CTR_CGROUP_FLAT },
	{ "cpu.pressure", CTR_CGROUP_NESTED },
	{ "pids.current", CTR_CGROUP_SINGLE },
	{ "pids.peak", CTR_CGROUP_SINGLE },
	{ "pids.max", CTR_CGROUP_SINGLE },
	{ "pids.events", CTR_CGROUP_FLAT },
	{ "io.max", CTR_CGROUP_NESTED },
	{ "io.stat", CTR_CGROUP_NESTED },
	{ "io.pressure", CTR_CGROUP_NESTED },
};

const struct ctr_cgroup_stat_file *ctr_cgroup_stat_files(size_t *ret_n)
{
	*ret_n = CTR_ARRAY_SIZE(stat_files);
	return stat_files;
}

int ctr_cgroup_read_optional(const struct ctr_cgroup *cg, const char *file, char **ret,
			     struct ctr_error *err)
{
	struct ctr_error e = { 0 };
	int r;

	*ret = NULL;
	r = ctr_cgroup_read(cg, file, ret, &e);
	/*
	 * A controller's files exist only where it is enabled; a pressure
	 * file reads EOPNOTSUPP when PSI is off for the group or the kernel
	 * (cgroup.pressure 0, psi=0).
	 */
	if (r == -ENOENT || r == -EOPNOTSUPP) {
		*ret = NULL;
		return 0;
	}
	if (r < 0)
		*err = e;
	return r;
}
