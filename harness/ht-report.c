// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What the reporters share: ht_report_write() (a whole run through one
 * reporter), a strict UTF-8 decoder, and the texts derived from a result.
 * See ht-report-priv.h for the contracts.
 */
#include <math.h>
#include <string.h>

#include "ht-report-priv.h"
#include "ht-report.h"
#include "ht-util.h"

int ht_report_write(const struct ht_reporter_ops *ops, FILE *out, const struct ht_run *run)
{
	struct ht_reporter rep = { .ops = ops, .out = out };

	if (!ops || !out || !run)
		return -EINVAL;
	ops->begin(&rep, run, run->n_results);
	for (size_t i = 0; i < run->n_results; i++)
		ops->result(&rep, run, &run->results[i], i);
	return ops->end(&rep, run);
}

size_t ht_utf8_decode(const char *s, int32_t *ret_cp)
{
	const unsigned char *p = (const unsigned char *)s;
	/* Bounds for the second byte, narrowed per RFC 3629 section 4. */
	unsigned char lo = 0x80, hi = 0xBF;
	size_t len;
	uint32_t cp;

	if (p[0] < 0x80) {
		*ret_cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		len = 2;
		cp = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		len = 3;
		cp = p[0] & 0x0F;
		if (p[0] == 0xE0)
			lo = 0xA0; /* overlong */
		else if (p[0] == 0xED)
			hi = 0x9F; /* UTF-16 surrogates */
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		len = 4;
		cp = p[0] & 0x07;
		if (p[0] == 0xF0)
			lo = 0x90; /* overlong */
		else if (p[0] == 0xF4)
			hi = 0x8F; /* above U+10FFFF */
	} else {
		/* 80..C1 (continuation, overlong lead) and F5..FF never start one. */
		*ret_cp = -1;
		return 1;
	}
	/* A NUL is below every bound, so this never reads past the string. */
	for (size_t i = 1; i < len; i++) {
		if (p[i] < lo || p[i] > hi) {
			*ret_cp = -1;
			return i;
		}
		cp = (cp << 6) | (p[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*ret_cp = (int32_t)cp;
	return len;
}

void ht_utf8_put(FILE *f, uint32_t cp)
{
	if (cp < 0x80) {
		fputc((int)cp, f);
	} else if (cp < 0x800) {
		fputc((int)(0xC0 | (cp >> 6)), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	} else if (cp < 0x10000) {
		fputc((int)(0xE0 | (cp >> 12)), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	} else {
		fputc((int)(0xF0 | (cp >> 18)), f);
		fputc((int)(0x80 | ((cp >> 12) & 0x3F)), f);
		fputc((int)(0x80 | ((cp >> 6) & 0x3F)), f);
		fputc((int)(0x80 | (cp & 0x3F)), f);
	}
}

char *ht_utf8_clean(const char *s)
{
	char *out, *o;

	if (!s)
		return NULL;
	/* Worst case: every byte is a subpart of its own and grows to 3 bytes. */
	out = o = ht_xmalloc(strlen(s) * 3 + 1);
	while (*s) {
		int32_t cp;
		size_t n = ht_utf8_decode(s, &cp);

		if (cp < 0) {
			memcpy(o, "\xEF\xBF\xBD", 3);
			o += 3;
		} else {
			memcpy(o, s, n);
			o += n;
		}
		s += n;
	}
	*o = '\0';
	return out;
}

char *ht_report_run_id(const struct ht_run *run)
{
	char id[sizeof(run->run_id) + 1];

	memcpy(id, run->run_id, sizeof(run->run_id));
	id[sizeof(run->run_id)] = '\0';
	return ht_utf8_clean(id);
}

enum ht_outcome ht_report_outcome(const struct ht_result *r)
{
	return (unsigned)r->outcome < HT_OUTCOME_MAX ? r->outcome : HT_BROKEN;
}

const char *ht_report_test_name(const struct ht_result *r)
{
	return r->test && r->test->name && *r->test->name ? r->test->name : "unnamed";
}

enum ht_area ht_report_area(const struct ht_result *r)
{
	if (!r->test || (unsigned)r->test->area >= HT_AREA_MAX)
		return HT_AREA_HARNESS;
	return r->test->area;
}

const char *ht_report_reason(const struct ht_result *r)
{
	if (r->reason && *r->reason)
		return r->reason;
	for (size_t i = 0; i < r->n_msgs; i++)
		if (r->msgs[i].outcome == r->outcome && r->msgs[i].text && *r->msgs[i].text)
			return r->msgs[i].text;
	return NULL;
}

char *ht_report_skip_text(const struct ht_result *r)
{
	const char *reason = ht_report_reason(r);
	const char *probe = r->skip_probe && *r->skip_probe ? r->skip_probe : NULL;
	const char *err = r->skip_errno ? ht_errno_name(r->skip_errno) : NULL;

	if (!reason) {
		if (probe && err)
			return ht_xasprintf("probe %s failed (%s)", probe, err);
		if (probe)
			return ht_xasprintf("probe %s failed", probe);
		return ht_xstrdup(err ? err : "no reason given");
	}
	/* The runner may already have named the probe or errno in the reason. */
	if (probe && strstr(reason, probe))
		probe = NULL;
	if (err && strstr(reason, err))
		err = NULL;
	if (probe && err)
		return ht_xasprintf("%s (probe %s, %s)", reason, probe, err);
	if (probe)
		return ht_xasprintf("%s (probe %s)", reason, probe);
	if (err)
		return ht_xasprintf("%s (%s)", reason, err);
	return ht_xstrdup(reason);
}

char *ht_report_tags(const char *tags)
{
	char *out, *o;

	if (!tags)
		return NULL;
	out = o = ht_xmalloc(strlen(tags) + 1);
	while (*tags) {
		size_t n;

		tags += strspn(tags, HT_REPORT_BLANKS);
		n = strcspn(tags, HT_REPORT_BLANKS);
		if (n) {
			if (o != out)
				*o++ = ' ';
			memcpy(o, tags, n);
			o += n;
		}
		tags += n;
	}
	*o = '\0';
	if (o == out) {
		free(out);
		return NULL;
	}
	return out;
}

const char *ht_report_xfail_text(const struct ht_result *r)
{
	if (r->test && r->test->xfail && *r->test->xfail)
		return r->test->xfail;
	return ht_report_reason(r);
}

void ht_tally_add(struct ht_tally *t, const struct ht_result *r)
{
	t->counts[ht_report_outcome(r)]++;
	t->total++;
}

size_t ht_tally_passed(const struct ht_tally *t)
{
	return t->counts[HT_PASS] + t->counts[HT_WARN] + t->counts[HT_XFAIL];
}

size_t ht_tally_failed(const struct ht_tally *t)
{
	return t->counts[HT_FAIL] + t->counts[HT_BROKEN] + t->counts[HT_TIMEOUT];
}

void ht_report_seen_add(struct ht_report_seen *seen, const struct ht_run *run,
			const struct ht_result *r, size_t index)
{
	/* Trust the pointer over the index: it is what the reporter was given. */
	if (run->results && r >= run->results && r < run->results + run->n_results)
		index = (size_t)(r - run->results);
	if (seen->n == seen->cap) {
		seen->cap = seen->cap ? seen->cap * 2 : 32;
		seen->idx = ht_xrealloc(seen->idx, seen->cap * sizeof(*seen->idx));
	}
	seen->idx[seen->n++] = index;
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

void ht_report_seen_finish(struct ht_report_seen *seen, const struct ht_run *run)
{
	size_t n = 0;

	if (seen->n)
		qsort(seen->idx, seen->n, sizeof(*seen->idx), cmp_size);
	for (size_t i = 0; i < seen->n; i++) {
		if (seen->idx[i] >= run->n_results)
			break;
		if (n && seen->idx[n - 1] == seen->idx[i])
			continue;
		seen->idx[n++] = seen->idx[i];
	}
	seen->n = n;
}

void ht_report_seen_all(struct ht_report_seen *seen, const struct ht_run *run)
{
	for (size_t i = 0; i < run->n_results; i++)
		ht_report_seen_add(seen, run, &run->results[i], i);
}

void ht_report_seen_free(struct ht_report_seen *seen)
{
	free(seen->idx);
	*seen = (struct ht_report_seen){ 0 };
}

int ht_report_flush(FILE *f)
{
	if (fflush(f) == EOF)
		return errno ? -errno : -EIO;
	/* An earlier write failed; its errno is long gone. */
	if (ferror(f))
		return -EIO;
	return 0;
}

double ht_report_seconds(double d)
{
	if (!isfinite(d) || d <= 0)
		return 0;
	/* About 31,000 years: keeps the conversion to long long defined. */
	if (d > 1e12)
		d = 1e12;
	return (double)(long long)(d * 1000.0 + 0.5) / 1000.0;
}

struct file_report {
	struct ht_report_seen seen;
	size_t planned;
};

void ht_file_report_begin(struct ht_reporter *rep, const struct ht_run *run, size_t n_planned)
{
	struct file_report *st = ht_xcalloc(1, sizeof(*st));

	st->planned = n_planned;
	rep->priv = st;
}

void ht_file_report_result(struct ht_reporter *rep, const struct ht_run *run,
			   const struct ht_result *r, size_t index)
{
	struct file_report *st = rep->priv;

	if (st)
		ht_report_seen_add(&st->seen, run, r, index);
}

int ht_file_report_end(struct ht_reporter *rep, const struct ht_run *run, ht_report_writer write)
{
	struct file_report *st = rep->priv;
	struct ht_report_seen all = { 0 };
	struct ht_report_seen *seen = st ? &st->seen : &all;
	int rc, wr;

	if (!st)
		ht_report_seen_all(&all, run);
	ht_report_seen_finish(seen, run);
	wr = write(rep->out, run, seen, st ? st->planned : run->n_results);
	/* A failed write leaves the stream in error: the flush reports its errno. */
	rc = ht_report_flush(rep->out);
	if (rc == 0 && wr < 0)
		rc = wr;
	ht_report_seen_free(&all);
	if (st) {
		ht_report_seen_free(&st->seen);
		free(st);
	}
	rep->priv = NULL;
	return rc;
}
