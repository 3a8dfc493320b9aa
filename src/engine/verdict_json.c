/* Writes a verdict as one line of JSON (the schema in docs/verdict.md). Hand-written over the
 * shared buffer rather than a JSON tree: a verdict is written for every post, and building a
 * cJSON tree would allocate per field. */
#include <string.h>

#include "engine/engine_internal.h"
#include "util/numfmt.h"

static const char *const label_names[3] = {"clean", "offensive", "hate"};

/* Widens [start, end) to whole UTF-8 sequences so an excerpt is always valid text. */
static void whole_chars(const char *text, size_t len, uint32_t *start, uint32_t *end)
{
    if (*end > len) *end = (uint32_t)len;
    if (*start > *end) *start = *end;
    while (*start > 0 && ((unsigned char)text[*start] & 0xC0) == 0x80) (*start)--;
    while (*end < len && ((unsigned char)text[*end] & 0xC0) == 0x80) (*end)++;
}

static sl_status put_string(sl_buf *b, const char *s)
{
    return s ? sl_buf_json_string(b, s, strlen(s)) : sl_buf_puts(b, "null");
}

/* key (with its punctuation) then a number: printf-free, the same bytes as "%.4g" / "%u" */
static sl_status put_g4(sl_buf *b, const char *key, double x)
{
    sl_status st = sl_buf_puts(b, key);
    return st ? st : sl_buf_g4(b, x);
}

static sl_status put_uint(sl_buf *b, const char *key, unsigned long long v)
{
    sl_status st = sl_buf_puts(b, key);
    return st ? st : sl_buf_uint(b, v);
}

static sl_status write_error(sl_buf *b, const sl_error *err)
{
    sl_status st = sl_buf_puts(b, ",\"error\":{\"code\":");
    if (!st) st = put_string(b, sl_status_name(err->code));
    if (!st) st = sl_buf_puts(b, ",\"message\":");
    if (!st) st = put_string(b, err->message);
    if (!st) st = sl_buf_printf(b, ",\"line\":%zu", err->line);
    if (!st && err->byte != SL_NO_POS) st = sl_buf_printf(b, ",\"byte\":%zu", err->byte);
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

static sl_status write_categories(sl_buf *b, const sl_policy *p, const sl_verdict *v)
{
    sl_status st = sl_buf_puts(b, ",\"categories\":{");
    bool first = true;
    for (size_t c = 0; !st && c < p->ncategories; c++) {
        if (v->category_scores[c] <= 0) continue;
        if (!first) st = sl_buf_puts(b, ",");
        first = false;
        if (!st) st = put_string(b, p->categories[c].name);
        if (!st) st = put_g4(b, ":", v->category_scores[c]);
    }
    return st ? st : sl_buf_puts(b, "}");
}

static sl_status write_hit(sl_buf *b, const sl_verdict_hit *h, const char *text, size_t len)
{
    sl_status st = sl_buf_puts(b, "{\"rule\":");
    if (!st) st = put_string(b, h->rule);
    if (!st) st = sl_buf_puts(b, ",\"category\":");
    if (!st) st = put_string(b, h->category);
    if (!st) st = put_uint(b, ",\"start\":", h->start);
    if (!st) st = put_uint(b, ",\"end\":", h->end);
    if (!st && text) {
        uint32_t s = h->start, e = h->end;
        whole_chars(text, len, &s, &e);
        st = sl_buf_puts(b, ",\"text\":");
        if (!st) st = sl_buf_json_string(b, text + s, e - s);
    }
    if (!st) st = put_g4(b, ",\"weight\":", h->weight);
    if (!st) st = put_g4(b, ",\"score\":", h->score);
    if (!st) st = sl_buf_puts(b, ",\"cite\":");
    if (!st) st = put_string(b, h->cite);
    if (!st && h->detail) {
        st = sl_buf_puts(b, ",\"detail\":");
        if (!st) st = put_string(b, h->detail);
    }
    return st ? st : sl_buf_puts(b, "}");
}

static sl_status write_model(sl_buf *b, const sl_verdict *v)
{
    sl_status st = sl_buf_puts(b, ",\"label\":");
    if (!st) st = put_string(b, label_names[v->label >= 0 && v->label < 3 ? v->label : 0]);
    if (!st) st = put_g4(b, ",\"probs\":{\"clean\":", v->probs[0]);
    if (!st) st = put_g4(b, ",\"offensive\":", v->probs[1]);
    if (!st) st = put_g4(b, ",\"hate\":", v->probs[2]);
    if (!st) st = put_g4(b, "},\"constructive\":", v->constructive);
    if (!st) st = put_g4(b, ",\"toxic\":", v->toxic);
    if (!st && v->label != 0)
        st = sl_buf_puts(b, v->label_acted ? ",\"label_acted\":true" : ",\"label_acted\":false");
    if (!st && v->label != 0 && !v->label_acted && v->label_rule) {
        st = sl_buf_puts(b, ",\"label_rule\":");
        if (!st) st = put_string(b, v->label_rule);
        if (!st) st = put_g4(b, ",\"label_min_score\":", v->label_min_score);
    }
    return st;
}

static sl_status write_spans(sl_buf *b, const sl_verdict *v)
{
    sl_status st = sl_buf_puts(b, ",\"offensive_spans\":[");
    for (size_t i = 0; !st && i < v->noffensive_spans; i++) {
        st = put_uint(b, i ? ",[" : "[", v->offensive_spans[2 * i]);
        if (!st) st = put_uint(b, ",", v->offensive_spans[2 * i + 1]);
        if (!st) st = sl_buf_puts(b, "]");
    }
    return st ? st : sl_buf_puts(b, "]");
}

static sl_status write_matches(sl_buf *b, const sl_verdict *v)
{
    sl_status st = sl_buf_puts(b, ",\"matches\":[");
    for (size_t i = 0; !st && i < v->nmatches; i++) {
        const sl_verdict_match *m = &v->matches[i];
        st = sl_buf_puts(b, i ? ",{\"bank\":" : "{\"bank\":");
        if (!st) st = put_string(b, m->bank);
        if (!st) st = sl_buf_puts(b, ",\"id\":");
        if (!st) st = put_string(b, m->id);
        if (!st) st = sl_buf_puts(b, ",\"kind\":");
        if (!st) st = put_string(b, m->kind);
        if (!st) st = put_g4(b, ",\"similarity\":", m->similarity);
        if (!st) st = put_uint(b, ",\"start\":", m->start);
        if (!st) st = put_uint(b, ",\"end\":", m->end);
        if (!st) st = sl_buf_puts(b, ",\"source\":");
        if (!st) st = put_string(b, m->source);
        if (!st) st = sl_buf_puts(b, "}");
    }
    return st ? st : sl_buf_puts(b, "]");
}

/* "truncated":{"hits":N,...}: only when a cap cut something, and only the kinds it cut. */
static sl_status write_truncated(sl_buf *b, const sl_verdict *v)
{
    const char *names[] = {"hits", "urls", "matches", "spans"};
    size_t counts[] = {v->cut.hits, v->cut.urls, v->cut.matches, v->cut.spans};
    sl_status st = sl_buf_puts(b, ",\"truncated\":{");
    bool first = true;
    for (size_t i = 0; !st && i < 4; i++) {
        if (!counts[i]) continue;
        st = sl_buf_printf(b, "%s\"%s\":%zu", first ? "" : ",", names[i], counts[i]);
        first = false;
    }
    return st ? st : sl_buf_puts(b, "}");
}

static sl_status write_verdict(sl_scan *s, const char *id_json, const char *text, size_t len)
{
    const sl_engine *e = s->engine;
    const sl_verdict *v = &s->verdict;
    sl_buf *b = &s->json;
    sl_buf_clear(b);
    sl_status st = sl_buf_puts(b, "{");
    if (!st && id_json) st = sl_buf_puts(b, "\"id\":");
    if (!st && id_json) st = sl_buf_puts(b, id_json);
    if (!st && id_json) st = sl_buf_puts(b, ",");
    if (!st) st = sl_buf_puts(b, "\"action\":");
    if (!st) st = put_string(b, sl_action_name(v->action));
    if (!st && v->has_error) st = write_error(b, &v->error);
    if (!st && !v->has_error) {
        st = put_g4(b, ",\"score\":", v->score);
        if (!st) st = write_categories(b, e->policy, v);
        if (!st) st = sl_buf_puts(b, ",\"hits\":[");
        for (size_t i = 0; !st && i < v->nhits; i++) {
            if (i) st = sl_buf_puts(b, ",");
            if (!st) st = write_hit(b, &v->hits[i], text, len);
        }
        if (!st) st = sl_buf_puts(b, "]");
        if (!st && v->has_model) st = write_model(b, v);
        if (!st) st = write_spans(b, v);
        if (!st && e->nbanks) st = write_matches(b, v);
        if (!st && v->truncated) st = write_truncated(b, v);
    }
    if (!st) st = sl_buf_puts(b, ",\"versions\":");
    if (!st) st = sl_buf_puts(b, e->versions_json);
    if (!st) st = put_uint(b, ",\"us\":", v->us);
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

const char *sl_scan_verdict_json(sl_scan *s, const char *id_json, const char *text, size_t len,
                                 size_t *json_len)
{
    if (write_verdict(s, id_json, text, len)) return NULL;
    if (json_len) *json_len = s->json.len;
    return s->json.data;
}
