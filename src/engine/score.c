/* Applies a policy to a post's hits. Each hit contributes weight x confidence to its category;
 * a category's score is the noisy-or of its contributions (independent evidence adds up but
 * never past 1), accumulated as each finding arrives so that the cap on listed hits never
 * changes a score; the action is the strongest one whose threshold some category reaches. */
#include "engine/engine_internal.h"

static sl_action action_for(const sl_thresholds *t, float score)
{
    if (score <= 0) return SL_ACTION_ALLOW;
    for (int a = SL_ACTION_HIDE; a > SL_ACTION_ALLOW; a--)
        if (score >= t->at[a]) return (sl_action)a;
    return SL_ACTION_ALLOW;
}

void sl__engine_evidence(sl_scan *s, size_t category, float contribution)
{
    float *c = &s->category_scores[category];
    *c = 1.0f - (1.0f - *c) * (1.0f - contribution);
}

void sl__engine_score(const sl_engine *e, sl_scan *s)
{
    const sl_policy *p = e->policy;
    const float *cat = s->category_scores;
    sl_verdict *v = &s->verdict;
    v->score = 0;
    v->action = SL_ACTION_ALLOW;
    for (size_t c = 0; c < p->ncategories; c++) {
        if (cat[c] > v->score) v->score = cat[c];
        const sl_thresholds *t =
            p->categories[c].has_thresholds ? &p->categories[c].thresholds : &p->thresholds;
        sl_action a = action_for(t, cat[c]);
        if (a > v->action) v->action = a;
    }
}
