/* The --explain report: what an author sees before posting. Every flagged span is marked in the
 * text itself and each hit names the clause it enforces, so the author learns the rule rather
 * than just being refused. Everything that comes from outside (the post, its id, rule names and
 * clauses of the policy, a bank's sources) is shown through sl__cli_put_visible, so a post
 * cannot move the cursor, clear the screen or reorder the line a reviewer reads. */
#include "cli/check_explain.h"

#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "sangloc/buf.h"

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

/* Appends a string that is not ours, made visible. */
static void put_outside(sl_buf *b, const char *s)
{
    sl__cli_put_visible(b, s, strlen(s));
}

/* Bytes in the UTF-8 character that starts with byte c (1 for a byte that starts none: the
 * visible rendering then shows it as \xNN). */
static size_t char_len(unsigned char c)
{
    return c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xC2 && c <= 0xDF ? 2 : 1;
}

static void put_marked_text(sl_buf *b, const sl_verdict *v, const char *text, size_t len,
                            bool color)
{
    bool in = false;
    sl_buf_puts(b, "  ");
    for (size_t i = 0; i < len;) {
        size_t n = char_len((unsigned char)text[i]);
        if (n > len - i) n = len - i;
        bool f = flagged_at(v, i); /* switch only on character boundaries */
        if (f != in) {
            sl_buf_puts(b, color ? (f ? MARK : RESET) : (f ? "[[" : "]]"));
            in = f;
        }
        if (text[i] == '\n')
            sl_buf_puts(b, " "); /* one line per post; other controls become escapes */
        else
            sl__cli_put_visible(b, text + i, n);
        i += n;
    }
    if (in) sl_buf_puts(b, color ? RESET : "]]");
    sl_buf_puts(b, "\n");
}

static void put_hit(sl_buf *b, const sl_verdict_hit *h, const char *text, size_t len, bool color)
{
    size_t s = h->start < len ? h->start : len, e = h->end < len ? h->end : len;
    sl_buf_printf(b, "  - %s", color ? "\033[1m" : "");
    put_outside(b, h->rule);
    sl_buf_printf(b, "%s (", color ? RESET : "");
    put_outside(b, h->category);
    sl_buf_printf(b, ", weight %.2f, confidence %.2f) at bytes %u-%u", h->weight, h->score,
                  h->start, h->end);
    if (e > s && e - s <= 120) {
        sl_buf_puts(b, ": \"");
        sl__cli_put_visible(b, text + s, e - s);
        sl_buf_puts(b, "\"");
    }
    sl_buf_puts(b, "\n");
    if (h->cite) {
        sl_buf_printf(b, "    %s", color ? DIM : "");
        put_outside(b, h->cite);
        sl_buf_printf(b, "%s\n", color ? RESET : "");
    }
    if (h->detail) { /* for a known hoax: who corrected it */
        sl_buf_printf(b, "    %ssource: ", color ? DIM : "");
        put_outside(b, h->detail);
        sl_buf_printf(b, "%s\n", color ? RESET : "");
    }
}

char *sl__explain_render(sl_scan *scan, const sl_verdict *v, const char *id_json, const char *text,
                         size_t len, bool color)
{
    (void)scan;
    sl_buf b = {0};
    sl_buf_printf(&b, "%s%s%s", color ? action_colour(v->action) : "", sl_action_name(v->action),
                  color ? RESET : "");
    if (id_json) {
        sl_buf_puts(&b, "  id ");
        put_outside(&b, id_json);
    }
    if (v->has_error) {
        sl_buf_printf(&b, "  error %s at line %zu: ", sl_status_name(v->error.code), v->error.line);
        put_outside(&b, v->error.message);
        sl_buf_puts(&b, "\n");
        return b.data;
    }
    sl_buf_printf(&b, "  score %.2f", v->score);
    if (v->has_model)
        sl_buf_printf(&b, "  model %s (%.2f) toxic %.2f constructive %.2f",
                      v->label == 2   ? "hate"
                      : v->label == 1 ? "offensive"
                                      : "clean",
                      v->probs[v->label >= 0 && v->label < 3 ? v->label : 0], v->toxic,
                      v->constructive);
    sl_buf_puts(&b, "\n");
    if (v->has_model && v->label != 0 && !v->label_acted && v->label_rule)
        sl_buf_printf(&b, "  (the model's label is not acted on: %s needs %.2f)\n", v->label_rule,
                      v->label_min_score);
    else if (v->has_model && v->label != 0 && !v->label_acted)
        sl_buf_puts(&b, "  (the model's label is not acted on: no rule of the policy cites it)\n");
    put_marked_text(&b, v, text, len, color);
    for (size_t i = 0; i < v->nhits; i++) put_hit(&b, &v->hits[i], text, len, color);
    return b.data;
}
