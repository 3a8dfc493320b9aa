/* server/review.c — the reviewer's page's routes: an item with others' personal data masked,
 * its audited reveal, the standard spelling, and the policy's rules (see review.h). */
#include "server/review.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/engine.h"
#include "sangloc/policy.h"
#include "sangloc/text.h"
#include "server/internal.h"
#include "server/json.h"
#include "server/request.h"
#include "server/verdict_hits.h"

/* ---- the query of GET /v1/items/{channel}/{id} --------------------------------------------- */

static bool pair_is(const char *p, size_t n, const char *s)
{
    return n == strlen(s) && !memcmp(p, s, n);
}

sl_status sl__item_views_parse(const char *query, sl__item_views *out, sl_error *err)
{
    *out = (sl__item_views){0};
    if (!query) return SL_OK;
    /* unknown parameters are ignored, as they were before these existed; a known one with a value
       we do not have is refused rather than silently giving the raw text */
    for (const char *p = query; *p;) {
        const char *amp = strchr(p, '&');
        size_t n = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', n);
        size_t kl = eq ? (size_t)(eq - p) : n;
        const char *v = eq ? eq + 1 : p + n;
        size_t vl = (size_t)(p + n - v);
        if (pair_is(p, kl, "redact")) {
            if (!pair_is(v, vl, "personal_data"))
                return sl_error_set(err, SL_ERR_ARG, (size_t)(v - query),
                                    "redact: the only value is personal_data");
            out->redact = true;
        } else if (pair_is(p, kl, "views")) {
            if (!pair_is(v, vl, "standard"))
                return sl_error_set(err, SL_ERR_ARG, (size_t)(v - query),
                                    "views: the only value is standard");
            out->standard = true;
        }
        p += n + (amp ? 1 : 0);
    }
    return SL_OK;
}

/* ---- masks ------------------------------------------------------------------------------------
 */

static int by_start(const void *a, const void *b)
{
    const sl__mask *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Adds rule to the mask's list (once; characters outside [A-Za-z0-9._-] become '_', so the
 * list is JSON as it stands). A list that would not fit keeps what it has. */
static void add_rule(sl__mask *m, const char *rule)
{
    char q[SL__VHIT_NAME_MAX + 3];
    size_t n = 0;
    q[n++] = '"';
    for (const char *c = rule; *c && n < sizeof q - 2; c++)
        q[n++] = ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
                  (*c >= '0' && *c <= '9') || *c == '.' || *c == '_' || *c == '-')
                     ? *c
                     : '_';
    q[n++] = '"';
    q[n] = 0;
    size_t have = strlen(m->rules);
    for (const char *f = m->rules; (f = strstr(f, q)) != NULL; f += n)
        if ((f == m->rules || f[-1] == ',') && (f[n] == ',' || f[n] == 0)) return;
    if (have + n + 2 > sizeof m->rules) return;
    if (have) m->rules[have++] = ',';
    memcpy(m->rules + have, q, n + 1);
}

sl_status sl__review_masks(const char *text, size_t len, const char *verdict, size_t vlen,
                           sl__mask **out, size_t *n, sl_error *err)
{
    *out = NULL;
    *n = 0;
    sl__vhits hits = {0};
    sl_status st = sl__vhits_parse(vlen ? verdict : NULL, vlen, &hits, err);
    if (st) return st;
    sl__mask *m = calloc(hits.n ? hits.n : 1, sizeof *m);
    if (!m) {
        sl__vhits_free(&hits);
        return SL_ERR_NOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < hits.n; i++) {
        const sl__vhit *h = &hits.v[i];
        if (!sl__vhit_is_personal(h)) continue;
        size_t s = h->start < len ? h->start : len, e = h->end < len ? h->end : len;
        if (s >= e) continue;
        /* whole characters: a mask never leaves half of one */
        while (s > 0 && ((unsigned char)text[s] & 0xC0) == 0x80) s--;
        while (e < len && ((unsigned char)text[e] & 0xC0) == 0x80) e++;
        m[k] = (sl__mask){.start = s, .end = e};
        add_rule(&m[k], h->rule);
        k++;
    }
    sl__vhits_free(&hits);
    qsort(m, k, sizeof *m, by_start);
    size_t j = 0; /* merge the overlapping ones */
    for (size_t i = 0; i < k; i++) {
        if (j && m[i].start < m[j - 1].end) {
            if (m[i].end > m[j - 1].end) m[j - 1].end = m[i].end;
            for (const char *r = m[i].rules; *r;) { /* each "rule" of the list */
                const char *close = strchr(r + 1, '"');
                char one[SL__VHIT_NAME_MAX + 1];
                size_t l = (size_t)(close - r - 1);
                memcpy(one, r + 1, l < sizeof one ? l : sizeof one - 1);
                one[l < sizeof one ? l : sizeof one - 1] = 0;
                add_rule(&m[j - 1], one);
                r = close[1] == ',' ? close + 2 : close + 1;
            }
        } else {
            m[j++] = m[i];
        }
    }
    *out = m;
    *n = j;
    return SL_OK;
}

static sl_status put_masks(sl_buf *b, const char *text, const sl__mask *m, size_t n)
{
    sl_status st = SL_OK;
    for (size_t i = 0; i < n && !st; i++) {
        st = sl_buf_printf(b, "%s{\"start\":%zu,\"end\":%zu,\"rules\":[%s]", i ? "," : "",
                           m[i].start, m[i].end, m[i].rules);
        if (!st && text) st = sl_buf_puts(b, ",\"text\":");
        if (!st && text) st = sl__json_text(b, text + m[i].start, m[i].end - m[i].start);
        if (!st) st = sl_buf_puts(b, "}");
    }
    return st;
}

/* ---- the verdict with its hits' excerpts taken from the masked text ----------------------------
 */

typedef struct rw {
    sl_buf *b;
    const char *text; /* the masked text */
    size_t len;
    sl__vhits *hits;
    size_t k; /* the hit being copied */
    bool first;
} rw;

static sl_status put_key(rw *c, const char *key, size_t key_len)
{
    sl_status st = c->first ? SL_OK : sl_buf_puts(c->b, ",");
    c->first = false;
    if (!st) st = sl__json_text(c->b, key, key_len);
    return st ? st : sl_buf_puts(c->b, ":");
}

static sl_status copy_value(rw *c, const char *s, size_t len, size_t *i, sl_error *err)
{
    size_t at = *i;
    sl_status st = sl__json_skip(s, len, i, err);
    return st ? st : sl_buf_append(c->b, s + at, *i - at);
}

static sl_status hit_member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                            size_t *i, sl_error *err)
{
    rw *c = ctx;
    sl_status st = put_key(c, key, key_len);
    if (st) return st;
    if (key_len != 4 || memcmp(key, "text", 4)) return copy_value(c, s, len, i, err);
    if ((st = sl__json_skip(s, len, i, err))) return st;
    const sl__vhit *h = &c->hits->v[c->k];
    size_t a = h->start < c->len ? h->start : c->len, e = h->end < c->len ? h->end : c->len;
    return sl__json_text(c->b, c->text + a, e > a ? e - a : 0);
}

static sl_status verdict_member(void *ctx, const char *key, size_t key_len, const char *s,
                                size_t len, size_t *i, sl_error *err)
{
    rw *c = ctx;
    sl_status st = put_key(c, key, key_len);
    if (st) return st;
    if (key_len != 4 || memcmp(key, "hits", 4) || s[*i] != '[')
        return copy_value(c, s, len, i, err);
    (*i)++;
    if ((st = sl_buf_puts(c->b, "["))) return st;
    for (size_t n = 0;; n++) {
        sl__json_ws(s, len, i);
        if (*i < len && s[*i] == ']') break;
        if (n) {
            if (*i >= len || s[*i] != ',') return sl_error_set(err, SL_ERR_JSON, *i, "hits: ,");
            (*i)++;
            sl__json_ws(s, len, i);
            if ((st = sl_buf_puts(c->b, ","))) return st;
        }
        if (*i >= len || s[*i] != '{' || c->k >= c->hits->n)
            return sl_error_set(err, SL_ERR_JSON, *i, "hits: not a hit");
        rw sub = {
            .b = c->b, .text = c->text, .len = c->len, .hits = c->hits, .k = c->k, .first = true};
        if ((st = sl_buf_puts(c->b, "{"))) return st;
        if ((st = sl__json_object(s, len, i, 64, hit_member, &sub, err))) return st;
        if ((st = sl_buf_puts(c->b, "}"))) return st;
        c->k++;
    }
    (*i)++;
    return sl_buf_puts(c->b, "]");
}

static sl_status put_redacted_verdict(sl_buf *b, const char *vj, size_t vl, const char *masked,
                                      size_t len, sl_error *err)
{
    sl__vhits hits = {0};
    sl_status st = sl__vhits_parse(vj, vl, &hits, err);
    if (st) return st;
    rw c = {.b = b, .text = masked, .len = len, .hits = &hits, .first = true};
    size_t i = 0;
    sl__json_ws(vj, vl, &i);
    st = i < vl && vj[i] == '{' ? sl_buf_puts(b, "{")
                                : sl_error_set(err, SL_ERR_JSON, i, "the verdict is not an object");
    if (!st) st = sl__json_object(vj, vl, &i, 256, verdict_member, &c, err);
    if (!st) st = sl_buf_puts(b, "}");
    sl__vhits_free(&hits);
    return st;
}

sl_status sl__review_item_text(const sl_store_record *rec, const sl__item_views *v, sl_buf *b,
                               sl_error *err)
{
    size_t len = strlen(rec->text), vl = strlen(rec->verdict_json);
    sl__mask *m = NULL;
    size_t nm = 0;
    char *masked = NULL;
    sl_text *tx = NULL;
    sl_status st = SL_OK;
    const char *shown = rec->text;
    if (v->redact) {
        st = sl__review_masks(rec->text, len, rec->verdict_json, vl, &m, &nm, err);
        if (!st && !(masked = malloc(len + 1))) st = SL_ERR_NOMEM;
        if (!st) {
            memcpy(masked, rec->text, len + 1);
            for (size_t k = 0; k < nm; k++)
                memset(masked + m[k].start, SL__REVIEW_MASK, m[k].end - m[k].start);
            shown = masked;
        }
    }
    if (!st) st = sl_buf_puts(b, ",\"text\":");
    if (!st) st = sl__json_text(b, shown, len);
    if (!st) st = sl_buf_puts(b, ",\"verdict\":");
    if (!st)
        st = !vl         ? sl_buf_puts(b, "null")
             : v->redact ? put_redacted_verdict(b, rec->verdict_json, vl, masked, len, err)
                         : sl_buf_append(b, rec->verdict_json, vl);
    if (!st && v->redact) st = sl_buf_puts(b, ",\"redacted\":[");
    if (!st && v->redact) st = put_masks(b, NULL, m, nm);
    if (!st && v->redact) st = sl_buf_puts(b, "]");
    if (!st && v->standard) {
        /* of the masked text when masked: the standard view must not spell out what is hidden */
        st = (tx = sl_text_new()) ? SL_OK : SL_ERR_NOMEM;
        sl_error te = {0};
        if (!st) st = sl_buf_puts(b, ",\"standard\":");
        if (!st && sl_text_build(tx, shown, len, &te) == SL_OK) {
            const sl_view *sv = sl_text_view(tx, SL_VIEW_STANDARD);
            st = sl__json_text(b, sv->data, sv->len);
        } else if (!st) {
            st = sl_buf_puts(b, "null");
        }
    }
    sl_text_free(tx);
    free(masked);
    free(m);
    return st;
}

/* ---- POST /v1/items/{channel}/{id}/reveal ------------------------------------------------------
 */

static void reply_status(sl__rq *r, sl_status st, const sl_error *err)
{
    if (st == SL_ERR_NOT_FOUND)
        sl__reply_error(r, 404, "not_found", "no such item", SL_NO_POS, -1, 0);
    else
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500,
                        st == SL_ERR_NOMEM ? "internal" : sl_status_name(st),
                        st == SL_ERR_NOMEM ? "out of memory" : err->message, SL_NO_POS, -1, 0);
}

void sl__route_reveal(sl__rq *r, const char *rest)
{
    sl__worker *w = r->w;
    static const char tail[] = "/reveal";
    size_t len = strlen(rest), tl = sizeof tail - 1;
    const char *slash = len > tl ? memchr(rest, '/', len - tl) : NULL;
    if (!slash ||
        sl__req_path_segment(rest, (size_t)(slash - rest), SL_STORE_MAX_CHANNEL, &w->tmp) ||
        sl__req_path_segment(slash + 1, len - tl - (size_t)(slash + 1 - rest), SL_STORE_MAX_ITEM_ID,
                             &w->idbuf)) {
        sl__reply_error(r, 404, "not_found", "no such item", SL_NO_POS, -1, 0);
        return;
    }
    sl_store_record *rec = NULL;
    sl__mask *m = NULL;
    size_t nm = 0;
    sl_buf data = {0};
    sl_error err = {0};
    sl_status st = sl_store_item_get(w->store, r->org, w->tmp.data, w->tmp.len, w->idbuf.data,
                                     w->idbuf.len, &rec, &err);
    if (!st)
        st = sl__review_masks(rec->text, strlen(rec->text), rec->verdict_json,
                              strlen(rec->verdict_json), &m, &nm, &err);
    /* the entry names who looked at which item's data of which kinds: never the data itself */
    if (!st && nm) {
        st = sl_buf_puts(&data, "{\"channel\":");
        if (!st) st = sl__json_text(&data, rec->channel, strlen(rec->channel));
        if (!st) st = sl_buf_puts(&data, ",\"id\":");
        if (!st) st = sl__json_text(&data, rec->id, strlen(rec->id));
        if (!st) st = sl_buf_puts(&data, ",\"rules\":[");
        sl__mask all = {0};
        for (size_t k = 0; k < nm; k++)
            for (const char *p = m[k].rules; *p;) {
                const char *close = strchr(p + 1, '"');
                char one[SL__VHIT_NAME_MAX + 1];
                size_t l = (size_t)(close - p - 1);
                if (l >= sizeof one) l = sizeof one - 1;
                memcpy(one, p + 1, l);
                one[l] = 0;
                add_rule(&all, one);
                p = close[1] == ',' ? close + 2 : close + 1;
            }
        if (!st) st = sl_buf_printf(&data, "%s],\"spans\":%zu}", all.rules, nm);
        char target[32];
        snprintf(target, sizeof target, "item:%" PRId64, rec->item);
        sl_audit_record ar = {.org = r->org,
                              .actor = r->tok.id,
                              .action = "item.reveal",
                              .target = target,
                              .policy_version = rec->policy_version,
                              .data = data.data};
        if (!st) st = sl_store_audit_append(w->store, &ar, &err);
    }
    sl_buf *b = &w->out;
    sl_buf_clear(b);
    if (!st) st = sl_buf_puts(b, "{\"item\":{\"channel\":");
    if (!st) st = sl__json_text(b, rec->channel, strlen(rec->channel));
    if (!st) st = sl_buf_puts(b, ",\"id\":");
    if (!st) st = sl__json_text(b, rec->id, strlen(rec->id));
    if (!st) st = sl_buf_puts(b, "},\"spans\":[");
    if (!st) st = put_masks(b, rec->text, m, nm);
    if (!st) st = sl_buf_puts(b, "]}");
    if (st)
        reply_status(r, st, &err);
    else
        sl__reply(r, 200, b->data, b->len);
    sl_buf_free(&data);
    free(m);
    sl_store_record_free(rec);
}

/* ---- GET /v1/policy/rules ----------------------------------------------------------------------
 */

static const char *kind_name(sl_rule_kind k)
{
    static const char *const names[] = {"lexicon", "regex", "detector", "model", "bank", "domains"};
    return (unsigned)k < sizeof names / sizeof names[0] ? names[k] : "other";
}

void sl__route_policy_rules(sl__rq *r)
{
    const sl_engine *e = sl__engine_for(r);
    if (!e) return; /* replied */
    const sl_policy *p = sl_engine_policy(e);
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status st = sl_buf_puts(b, "{\"policy_version\":");
    char ver[SL_STORE_MAX_POLICY_VERSION];
    snprintf(ver, sizeof ver, "%.200s#%016" PRIx64, p->version ? p->version : "", p->hash);
    if (!st) st = sl__json_text(b, ver, strlen(ver));
    if (!st)
        st = sl_buf_printf(b, ",\"thresholds\":{\"warn\":%.4g,\"review\":%.4g,\"hide\":%.4g}",
                           p->thresholds.at[SL_ACTION_WARN], p->thresholds.at[SL_ACTION_REVIEW],
                           p->thresholds.at[SL_ACTION_HIDE]);
    if (!st) st = sl_buf_puts(b, ",\"rules\":[");
    for (size_t k = 0; k < p->nrules && !st; k++) {
        const sl_rule *u = &p->rules[k];
        const char *cat = u->category < p->ncategories ? p->categories[u->category].name : "";
        st = sl_buf_puts(b, k ? ",{\"id\":" : "{\"id\":");
        if (!st) st = sl__json_text(b, u->id, strlen(u->id));
        if (!st) st = sl_buf_puts(b, ",\"category\":");
        if (!st) st = sl__json_text(b, cat, strlen(cat));
        if (!st) st = sl_buf_puts(b, ",\"clause\":");
        if (!st)
            st = sl__json_text(b, u->clause ? u->clause : "", u->clause ? strlen(u->clause) : 0);
        if (!st) st = sl_buf_printf(b, ",\"kind\":\"%s\"", kind_name(u->kind));
        /* what a model or bank rule needs to fire: the page compares the verdict's probabilities */
        if (!st && (u->kind == SL_RULE_MODEL || u->kind == SL_RULE_BANK) && u->source) {
            st = sl_buf_puts(b, u->kind == SL_RULE_MODEL ? ",\"model\":" : ",\"bank\":");
            if (!st) st = sl__json_text(b, u->source, strlen(u->source));
            if (!st) st = sl_buf_printf(b, ",\"min_score\":%.4g", u->min_score);
        }
        if (!st) st = sl_buf_puts(b, "}");
    }
    if (!st) st = sl_buf_puts(b, "]}");
    sl_engine_release(e);
    if (st)
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
    else
        sl__reply(r, 200, b->data, b->len);
}
