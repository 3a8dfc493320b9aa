/* The compiled ruleset: integer ids for every output a rule can cite, and per output the policy
 * rules that cite it. Built once per engine, so screening a post maps a finding to its rules by
 * index instead of comparing names against every rule. */
#include <stdlib.h>
#include <string.h>

#include "engine/engine_internal.h"
#include "engine/policy_internal.h"

static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names[n]) n++;
    return n;
}

static long find(const char *const *names, const char *s)
{
    for (long i = 0; names[i]; i++)
        if (!strcmp(names[i], s)) return i;
    return -1;
}

long sl__bank_kind(const char *kind)
{
    return kind ? find(sl__policy_banks, kind) : -1;
}

/* Does a rule citing `source` cover output `out`? "marking" covers every "marking.<level>". */
static bool covers(const char *source, const char *out)
{
    if (!strcmp(source, out)) return true;
    size_t n = strlen(source);
    return !strncmp(source, out, n) && out[n] == '.';
}

/* Builds the map of one rule kind over a list of output names. */
static sl_status build_map(const sl_policy *p, sl_rule_kind kind, const char *const *names,
                           sl__rule_map *m)
{
    m->nout = count_names(names);
    m->off = calloc(m->nout + 1, sizeof *m->off);
    if (!m->off) return SL_ERR_NOMEM;
    size_t total = 0;
    for (int pass = 0; pass < 2; pass++) { /* count, then fill */
        size_t at = 0;
        for (size_t k = 0; k < m->nout; k++) {
            if (pass) m->off[k] = at;
            for (size_t r = 0; r < p->nrules; r++) {
                if (p->rules[r].kind != kind || !covers(p->rules[r].source, names[k])) continue;
                if (pass) m->rules[at] = (uint32_t)r;
                at++;
            }
        }
        if (pass) {
            m->off[m->nout] = at;
        } else {
            total = at;
            m->rules = malloc((total ? total : 1) * sizeof *m->rules);
            if (!m->rules) return SL_ERR_NOMEM;
        }
    }
    return SL_OK;
}

sl_status sl__ruleset_build(const sl_policy *p, sl__ruleset *rs)
{
    memset(rs, 0, sizeof *rs);
    sl_status st = build_map(p, SL_RULE_DETECTOR, sl__policy_detectors, &rs->detectors);
    if (!st) st = build_map(p, SL_RULE_BANK, sl__policy_banks, &rs->banks);
    if (!st) {
        rs->domain_rules = malloc((p->nrules ? p->nrules : 1) * sizeof *rs->domain_rules);
        rs->lexicon_rule = calloc(p->nrules ? p->nrules : 1, sizeof *rs->lexicon_rule);
        rs->model_rules = malloc((p->nrules ? p->nrules : 1) * sizeof *rs->model_rules);
        rs->model_output = malloc((p->nrules ? p->nrules : 1) * sizeof *rs->model_output);
        if (!rs->domain_rules || !rs->lexicon_rule || !rs->model_rules || !rs->model_output)
            st = SL_ERR_NOMEM;
    }
    for (size_t r = 0; !st && r < p->nrules; r++) {
        const sl_rule *rule = &p->rules[r];
        if (rule->kind == SL_RULE_DOMAINS) rs->domain_rules[rs->ndomain_rules++] = (uint32_t)r;
        long out = rule->kind == SL_RULE_MODEL ? find(sl__policy_models, rule->source) : -1;
        if (out >= 0) {
            rs->model_output[rs->nmodel_rules] = (uint8_t)out;
            rs->model_rules[rs->nmodel_rules++] = (uint32_t)r;
        }
        rs->lexicon_rule[r] = p->rules[r].kind == SL_RULE_LEXICON;
    }
    if (st) sl__ruleset_free(rs);
    return st;
}

static void map_free(sl__rule_map *m)
{
    free(m->off);
    free(m->rules);
}

void sl__ruleset_free(sl__ruleset *rs)
{
    map_free(&rs->detectors);
    free(rs->model_rules);
    free(rs->model_output);
    map_free(&rs->banks);
    free(rs->domain_rules);
    free(rs->lexicon_rule);
    memset(rs, 0, sizeof *rs);
}
