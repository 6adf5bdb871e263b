// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The result model shared by the runner and every reporter.
 */
#include <string.h>

#include "ht-result.h"
#include "ht-util.h"

static const char *const outcome_names[HT_OUTCOME_MAX] = {
	[HT_PASS] = "PASS", [HT_SKIP] = "SKIP",	      [HT_XFAIL] = "XFAIL",   [HT_WARN] = "WARN",
	[HT_FAIL] = "FAIL", [HT_TIMEOUT] = "TIMEOUT", [HT_BROKEN] = "BROKEN",
};

static const char *const area_names[HT_AREA_MAX] = {
	[HT_AREA_HARNESS] = "harness", [HT_AREA_ISOLATION] = "isolation",
	[HT_AREA_LIMITS] = "limits",   [HT_AREA_NETWORK] = "network",
	[HT_AREA_OCI] = "oci",	       [HT_AREA_TRACING] = "tracing",
};

const char *ht_outcome_name(enum ht_outcome o)
{
	return (unsigned)o < HT_OUTCOME_MAX ? outcome_names[o] : "BROKEN";
}

int ht_outcome_parse(const char *name, enum ht_outcome *ret)
{
	if (!name)
		return -EINVAL;
	for (int i = 0; i < HT_OUTCOME_MAX; i++)
		if (strcasecmp(name, outcome_names[i]) == 0) {
			*ret = (enum ht_outcome)i;
			return 0;
		}
	return -EINVAL;
}

const char *ht_area_name(enum ht_area a)
{
	return (unsigned)a < HT_AREA_MAX ? area_names[a] : "unknown";
}

int ht_area_parse(const char *name, enum ht_area *ret)
{
	for (int i = 0; i < HT_AREA_MAX; i++)
		if (strcmp(name, area_names[i]) == 0) {
			*ret = (enum ht_area)i;
			return 0;
		}
	return -EINVAL;
}

int ht_outcome_is_failure(enum ht_outcome o)
{
	return o == HT_FAIL || o == HT_TIMEOUT || o == HT_BROKEN;
}

void ht_run_init(struct ht_run *run, const char *run_id)
{
	memset(run, 0, sizeof(*run));
	snprintf(run->run_id, sizeof(run->run_id), "%s", run_id ? run_id : "");
}

void ht_run_add_fact(struct ht_run *run, const char *key, const char *value)
{
	run->facts = ht_xrealloc(run->facts, (run->n_facts + 1) * sizeof(*run->facts));
	run->facts[run->n_facts].key = ht_xstrdup(key);
	run->facts[run->n_facts].value = ht_xstrdup(value);
	run->n_facts++;
}

struct ht_result *ht_run_add_result(struct ht_run *run, const struct ht_test *test)
{
	struct ht_result *r;

	run->results = ht_xrealloc(run->results, (run->n_results + 1) * sizeof(*run->results));
	r = &run->results[run->n_results++];
	memset(r, 0, sizeof(*r));
	r->test = test;
	r->outcome = HT_BROKEN;
	return r;
}

void ht_result_add_msg(struct ht_result *r, enum ht_outcome o, const char *text)
{
	r->msgs = ht_xrealloc(r->msgs, (r->n_msgs + 1) * sizeof(*r->msgs));
	r->msgs[r->n_msgs].outcome = o;
	r->msgs[r->n_msgs].text = ht_xstrdup(text);
	r->n_msgs++;
}

void ht_run_count(const struct ht_run *run, size_t counts[HT_OUTCOME_MAX])
{
	memset(counts, 0, sizeof(size_t) * HT_OUTCOME_MAX);
	for (size_t i = 0; i < run->n_results; i++)
		counts[run->results[i].outcome]++;
}

struct ht_run_vm *ht_run_add_vm(struct ht_run *run)
{
	run->vms = ht_xrealloc(run->vms, (run->n_vms + 1) * sizeof(*run->vms));
	memset(&run->vms[run->n_vms], 0, sizeof(*run->vms));
	run->vms[run->n_vms].first_result_s = -1;
	return &run->vms[run->n_vms++];
}

const struct ht_test *ht_run_own_test(struct ht_run *run, struct ht_test *t)
{
	run->own_tests =
		ht_xrealloc(run->own_tests, (run->n_own_tests + 1) * sizeof(*run->own_tests));
	run->own_tests[run->n_own_tests++] = t;
	return t;
}

void ht_result_free_fields(struct ht_result *r)
{
	for (size_t m = 0; m < r->n_msgs; m++)
		free(r->msgs[m].text);
	free(r->msgs);
	free(r->reason);
	free(r->skip_probe);
	free(r->where);
	free(r->output);
}

void ht_run_truncate(struct ht_run *run, size_t n)
{
	while (run->n_results > n)
		ht_result_free_fields(&run->results[--run->n_results]);
}

void ht_run_done(struct ht_run *run)
{
	if (!run)
		return;
	ht_run_truncate(run, 0);
	free(run->results);
	for (size_t i = 0; i < run->n_facts; i++) {
		free(run->facts[i].key);
		free(run->facts[i].value);
	}
	free(run->facts);
	for (size_t i = 0; i < run->n_vms; i++) {
		struct ht_run_vm *v = &run->vms[i];

		free(v->where);
		free(v->spec);
		free(v->release);
		free(v->package);
		free(v->version);
		free(v->sha256);
		free(v->accel);
		free(v->boot);
		free(v->classification);
		free(v->detail);
		free(v->excerpt);
		free(v->probe_json);
	}
	free(run->vms);
	for (size_t i = 0; i < run->n_own_tests; i++) {
		free((char *)run->own_tests[i]->name);
		free((char *)run->own_tests[i]->xfail);
		free(run->own_tests[i]);
	}
	free(run->own_tests);
	free(run->tool_version);
	free(run->hostname);
	free(run->kernel);
	free(run->started);
	memset(run, 0, sizeof(*run));
}
