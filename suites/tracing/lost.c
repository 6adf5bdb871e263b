// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The tracer at the benchmark's rate (lesson 10): 10,000 fork+exec cycles
 * as fast as a shell runs them, every one reported, none lost.
 */
#include "trace.h"

#define CYCLES 10000

/*
 * Under a burst of CYCLES fork+exec cycles the tracer reports every execve
 * and every exit, and its summary counts 0 lost events.
 */
static void trace_loses_no_event_at_rate(struct ht_ctx *t)
{
	_cleanup_free_ char *script =
		ht_xasprintf("i=0; while [ $i -lt %d ]; do /bin/true; i=$((i+1)); done", CYCLES);
	struct trace_out out;
	size_t i, execs = 0, exits = 0;
	long long shell = -1;
	json_t *ev;

	trace_run(t, &out, NULL, HT_ARGS("/bin/sh", "-c", script));
	HT_EXPECT_EXIT(t, &out.p, 0);
	trace_expect_no_loss(t, &out);
	json_array_foreach(out.events, i, ev) {
		const char *f = ev_arg(ev, "filename");

		if (shell < 0 && ev_is(ev, "execve"))
			shell = ev_int(ev, "pid", -1);
		if (ev_is(ev, "execve") && ev_int(ev, "ret", -1) == 0 && f &&
		    strcmp(f, "/bin/true") == 0)
			execs++;
		else if (ev_is_exit(ev) && ev_int(ev, "pid", -1) != shell &&
			 ev_int(ev, "exit_code", -1) == 0)
			exits++;
	}
	HT_EXPECT_EQ(t, execs, CYCLES);
	HT_EXPECT_EQ(t, exits, CYCLES);
	trace_out_free(&out);
}
HT_TEST(trace_loses_no_event_at_rate, TRACE_AREA, .timeout_s = 120,
	.needs = HT_NEEDS("bpf.tracepoint", "bpf.btf"));
