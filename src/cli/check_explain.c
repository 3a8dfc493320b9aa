/* The --explain report: what an author sees before posting. Every flagged span is marked in the
 * text itself and each hit names the clause it enforces, so the author learns the rule rather
 * than just being refused. */
#include "cli/check_explain.h"

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

#define RED    "\033[1;31m"
#define YELLOW "\033[1;33m"
#define GREEN  "\033[1;32m"
#define DIM    "\033[2m"
#define MARK   "\033[1;37;41m"
#define RESET  "\033[0m"

static const char *action_colour(sl_action a)
{
    return a == SL_ACTION_ALLOW ? GREEN : a == SL_ACTION_WARN ? YELLOW : RED;
}

/* Is byte i of the text inside some hit's span? */
static bool flagged_at(const sl_verdict *v, size_t i)
{
    for (size_t h = 0; h < v->nhits; h++)
        if (!v->hits[h].comment_level && i >= v->hits[h].start && i < v->hits[h].end) return true;
    for (size_t s = 0; s < v->noffensive_spans; s++)
        if (i >= v->offensive_spans[2 * s] && i < v->offensive_spans[2 * s + 1]) return true;
    return false;
}

static void put_marked_text(sl_buf *b, const sl_verdict *v, const char *text, size_t len,
                            bool color)
{
    bool in = false;
    sl__buf_puts(b, "  ");
    for (size_t i = 0; i < len; i++) {
        /* only switch on character boundaries */
        bool cont = ((unsigned char)text[i] & 0xC0) == 0x80;
        bool f = cont ? in : flagged_at(v, i);
        if (f != in) {
            sl__buf_puts(b, color ? (f ? MARK : RESET) : (f ? "[[" : "]]"));
            in = f;
        }
        char c = text[i];
        sl__buf_append(b, c == '\n' ? " " : &text[i], 1);
    }
    if (in) sl__buf_puts(b, color ? RESET : "]]");
    sl__buf_puts(b, "\n");
}

static void put_hit(sl_buf *b, const sl_verdict_hit *h, const char *text, size_t len, bool color)
{
    size_t s = h->start < len ? h->start : len, e = h->end < len ? h->end : len;
    sl__buf_printf(b, "  - %s%s%s (%s, weight %.2f, confidence %.2f) at bytes %u-%u",
                   color ? "\033[1m" : "", h->rule, color ? RESET : "", h->category, h->weight,
                   h->score, h->start, h->end);
    if (e > s && e - s <= 120) {
        sl__buf_puts(b, ": \"");
        sl__buf_append(b, text + s, e - s);
        sl__buf_puts(b, "\"");
    }
    sl__buf_puts(b, "\n");
    if (h->cite) sl__buf_printf(b, "    %s%s%s\n", color ? DIM : "", h->cite, color ? RESET : "");
    if (h->detail) /* for a known hoax: who corrected it */
        sl__buf_printf(b, "    %ssource: %s%s\n", color ? DIM : "", h->detail, color ? RESET : "");
}

char *sl__explain_render(sl_scan *scan, const sl_verdict *v, const char *id_json, const char *text,
                         size_t len, bool color)
{
    (void)scan;
    sl_buf b = {0};
    sl__buf_printf(&b, "%s%s%s", color ? action_colour(v->action) : "", sl_action_name(v->action),
                   color ? RESET : "");
    if (id_json) sl__buf_printf(&b, "  id %s", id_json);
    if (v->has_error) {
        sl__buf_printf(&b, "  error %s at line %zu: %s\n", sl_status_name(v->error.code),
                       v->error.line, v->error.message);
        return b.data;
    }
    sl__buf_printf(&b, "  score %.2f", v->score);
    if (v->has_model)
        sl__buf_printf(&b, "  model %s (%.2f) toxic %.2f constructive %.2f",
                       v->label == 2   ? "hate"
                       : v->label == 1 ? "offensive"
                                       : "clean",
                       v->probs[v->label >= 0 && v->label < 3 ? v->label : 0], v->toxic,
                       v->constructive);
    sl__buf_puts(&b, "\n");
    put_marked_text(&b, v, text, len, color);
    for (size_t i = 0; i < v->nhits; i++) put_hit(&b, &v->hits[i], text, len, color);
    return b.data;
}
