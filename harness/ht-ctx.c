// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The test side of the harness: what runs inside each forked test child.
 * Reports and assertion results become records on the result pipe.
 */
#include <math.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "ht-ctx.h"
#include "ht-journal.h"
#include "ht-probe.h"
#include "ht-util.h"

static void send_rec(struct ht_ctx *t, uint8_t kind, enum ht_outcome o, int err, const char *text,
		     size_t len)
{
	char buf[PIPE_BUF];
	struct ht_rec_hdr h = { .kind = kind, .outcome = (uint8_t)o, .err = err };

	if (len > HT_REC_MAX)
		len = HT_REC_MAX;
	h.len = (uint16_t)len;
	memcpy(buf, &h, sizeof(h));
	memcpy(buf + sizeof(h), text, len);
	/*
	 * A failed write means the runner is gone; the test can only carry on
	 * and let the runner (or reap) deal with it.
	 */
	(void)ht_write_all(t->result_fd, buf, sizeof(h) + len);
}

static void vreport(struct ht_ctx *t, enum ht_outcome o, const char *file, int line,
		    const char *fmt, va_list ap)
{
	_cleanup_free_ char *msg = ht_xvasprintf(fmt, ap);
	_cleanup_free_ char *text = NULL;
	const char *base = strrchr(file, '/');

	text = ht_xasprintf("%s:%d: %s", base ? base + 1 : file, line, msg);
	send_rec(t, HT_REC_MSG, o, 0, text, strlen(text));
}

void ht_report(struct ht_ctx *t, enum ht_outcome o, const char *file, int line, const char *fmt,
	       ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(t, o, file, line, fmt, ap);
	va_end(ap);
}

static __attribute__((noreturn)) void end_test(void)
{
	fflush(NULL);
	_exit(0);
}

void ht_report_exit(struct ht_ctx *t, enum ht_outcome o, const char *file, int line,
		    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(t, o, file, line, fmt, ap);
	va_end(ap);
	end_test();
}

void ht_skip_probe(struct ht_ctx *t, const char *probe_id)
{
	const struct ht_probe_result *r = ht_probe_get(probe_id);
	_cleanup_free_ char *reason = ht_probe_reason(r);
	size_t idlen = strlen(probe_id), rlen = strlen(reason);
	_cleanup_free_ char *payload = ht_xmalloc(idlen + 1 + rlen);

	memcpy(payload, probe_id, idlen + 1);
	memcpy(payload + idlen + 1, reason, rlen);
	if (r->verdict == HT_YES) {
		ht_report(t, HT_BROKEN, __FILE__, __LINE__,
			  "test asked to skip on probe %s, which passed", probe_id);
		end_test();
	}
	send_rec(t, HT_REC_SKIP, HT_SKIP, r->err, payload, idlen + 1 + rlen);
	end_test();
}

const char *ht_test_name(const struct ht_ctx *t)
{
	return t->test->name;
}

const char *ht_run_id(const struct ht_ctx *t)
{
	return t->run_id;
}

const char *ht_scratch_dir(struct ht_ctx *t)
{
	if (t->scratch)
		return t->scratch;
	t->scratch = ht_xasprintf("%s/%s", t->run_dir, t->test->name);
	/* The run directory is journaled as a tree, so this needs no entry. */
	if (mkdir(t->scratch, 0700) < 0 && errno != EEXIST)
		ht_broken(t, "create scratch dir %s: %s", t->scratch, strerror(errno));
	return t->scratch;
}

int ht_journal_add(struct ht_ctx *t, const char *kind, const char *a, const char *b, const char *c)
{
	if (t->journal_fd < 0)
		return -EBADF;
	return ht_journal_append(t->journal_fd, kind, a, b, c);
}

static void check_result(struct ht_ctx *t, bool ok, bool fatal, const char *file, int line,
			 const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void check_result(struct ht_ctx *t, bool ok, bool fatal, const char *file, int line,
			 const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		send_rec(t, HT_REC_MSG, HT_PASS, 0, "", 0);
		return;
	}
	va_start(ap, fmt);
	vreport(t, HT_FAIL, file, line, fmt, ap);
	va_end(ap);
	if (fatal)
		end_test();
}

bool ht_check_int(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		  const char *op, const char *expr_want, long long got, long long want)
{
	bool ok;

	if (strcmp(op, "==") == 0)
		ok = got == want;
	else if (strcmp(op, "!=") == 0)
		ok = got != want;
	else if (strcmp(op, ">") == 0)
		ok = got > want;
	else if (strcmp(op, ">=") == 0)
		ok = got >= want;
	else if (strcmp(op, "<") == 0)
		ok = got < want;
	else
		ok = false;
	check_result(t, ok, fatal, file, line, "expected %s %s %s: got %lld, want %s%lld", expr_got,
		     op, expr_want, got, strcmp(op, "==") ? op : "", want);
	return ok;
}

bool ht_check_str(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		  const char *expr_want, const char *got, const char *want)
{
	bool ok = got && want && strcmp(got, want) == 0;

	check_result(t, ok, fatal, file, line, "expected %s == %s: got \"%s\", want \"%s\"",
		     expr_got, expr_want, got ? got : "(null)", want ? want : "(null)");
	return ok;
}

bool ht_check_true(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr)
{
	check_result(t, expr == NULL, fatal, file, line, "expected %s", expr ? expr : "");
	return expr == NULL;
}

bool ht_check_close(struct ht_ctx *t, bool fatal, const char *file, int line, const char *expr_got,
		    double got, double want, double pct)
{
	double tol = fabs(want) * pct / 100.0;
	bool ok = fabs(got - want) <= tol;

	check_result(t, ok, fatal, file, line, "expected %s within %g%% of %g (%g..%g): got %g",
		     expr_got, pct, want, want - tol, want + tol, got);
	return ok;
}

bool ht_check_ok(struct ht_ctx *t, const char *file, int line, const char *expr, long long rc,
		 int err)
{
	if (rc >= 0)
		return true;
	if (rc != -1 && err == 0)
		err = (int)-rc;
	ht_report(t, HT_BROKEN, file, line, "setup step %s failed: %s (%s)", expr, strerror(err),
		  ht_errno_name(err));
	end_test();
}
