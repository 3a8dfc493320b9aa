/* NORM, FOLD and STANDARD from the NFC view.
 *
 * The NFC view is decoded into units (code point, case-folded form, original span, class),
 * dropping invisible characters. Whitespace splits it into tokens; each token goes through a
 * fixed chain of rules, all of which only drop units, rewrite one unit, or extend a unit's span,
 * so every output byte keeps an original span and starts never decrease:
 *   1. spaced-out letters: 3+ single letters with single spaces ("n g u") are one token
 *   2. look-alike letters (Cyrillic, Greek, fullwidth, circled) become Latin, but only in tokens
 *      that contain a Latin letter or consist only of look-alikes (real Greek/Russian stays)
 *   3. separators inside a word (". - _ * + ~ ^ ' ` |" between letter groups of 1-2 letters:
 *      "đ.m", "l-ồ-n") are dropped; a single run of '*' stays as one '*' mask ("đ*t")
 *   4. leet: 0 1 3 4 5 7 ! between letters and @ $ between letters or after 2+ letters at the
 *      end become o i e a s t i a s, only in tokens with 2+ letters: "l0n", "ng@"; numbers,
 *      prices, phones, "4g", "mp3", "covid19" keep their digits (a digit needs letters on
 *      both sides). URLs, e-mail addresses and @mentions are left alone. A digit with a letter
 *      on one side only ("7hằng", "ng0", "cứ7") becomes a letter when its word is not
 *      number-like and the result spells a Vietnamese syllable (see leet_one_side).
 *   5. a letter repeated 3+ times is kept once, its span covering the run ("nguuuu" -> "ngu");
 *      a token that would collapse to one letter is laughter ("kkkk") and stays as written
 *   6. teencode: the letters of the token (without surrounding punctuation) are looked up in the
 *      table (teencode_table.c) and replaced; the expansion maps to the word's span. Context:
 *      the neighbouring tokens (numbers: "50 k", "5 tr") and, for "t" and "c", the other
 *      pronouns of the post ("t" with "m" is "tao")
 *   7. spelling repairs (syllable.c) when the table has no entry: a word that is not a
 *      Vietnamese syllable but becomes one ("emm", "khók", "fải") is repaired, then looked up
 *      again ("thoii" -> "thoi" -> "thôi").
 * NORM writes the case-folded units with whitespace runs collapsed to one space; FOLD is NORM
 * with diacritics removed; STANDARD writes the same words with their original case (an
 * expansion takes the case pattern of the word it replaces). */
#include <string.h>

#include <unicode/uchar.h>

#include "text/chars.h"
#include "text/syllable.h"
#include "text/teencode.h"
#include "text/utf8.h"
#include "text/views.h"

enum { CASE_LOWER, CASE_FIRST, CASE_ALL };

typedef struct norm_ctx {
    const sl__unit *u; /* the post's units, for the context computed on demand */
    size_t n;
    int prev_number;   /* the previous token was a number (for "50 k") */
    size_t next_start; /* where the next token starts (n: none) */
    int post;          /* SL__CTX_* of the whole post, or -1 before it is needed */
} norm_ctx;

/* ---- emission ---------------------------------------------------------------------------- */

static sl_status put_cp(sl__vbuf *b, uint32_t cp, uint32_t s, uint32_t e)
{
    char o[4];
    size_t l = sl__utf8_encode(cp, o);
    return sl__vbuf_push(b, o, l, s, e);
}

/* One code point into NORM (as is) and FOLD (diacritics removed, marks dropped). */
static sl_status emit_norm(sl_text *t, uint32_t lo, uint8_t cls, uint32_t s, uint32_t e)
{
    sl_status st = put_cp(&t->v[SL_VIEW_NORM], lo, s, e);
    if (st || cls == SL__C_MARK) return st;
    return put_cp(&t->v[SL_VIEW_FOLD], sl__cp_base(lo), s, e);
}

static uint32_t apply_case(uint32_t cp, int mode, int first)
{
    if (mode == CASE_ALL || (mode == CASE_FIRST && first)) return (uint32_t)u_toupper((UChar32)cp);
    return cp;
}

/* An expansion (lowercase UTF-8) into NORM/FOLD and, with a case pattern, STANDARD. */
static sl_status emit_expansion(sl_text *t, const char *val, int norm_too, int mode, uint32_t s,
                                uint32_t e)
{
    size_t n = strlen(val);
    int first = 1;
    for (size_t i = 0; i < n;) {
        uint32_t cp;
        i += sl__utf8_decode_valid(val + i, &cp);
        sl__cpinfo info;
        sl__cp_get(cp, &info);
        sl_status st = SL_OK;
        if (norm_too) st = emit_norm(t, cp, info.cls, s, e);
        if (!st) st = put_cp(&t->v[SL_VIEW_STANDARD], apply_case(cp, mode, first), s, e);
        if (st) return st;
        if (info.cls == SL__C_LETTER) first = 0;
    }
    return SL_OK;
}

static sl_status emit_space(sl_text *t, uint32_t s, uint32_t e)
{
    for (int k = SL_VIEW_NORM; k < SL_VIEW_COUNT_; k++) {
        sl_status st = sl__vbuf_push(&t->v[k], " ", 1, s, e);
        if (st) return st;
    }
    return SL_OK;
}

/* ---- units ------------------------------------------------------------------------------- */

static sl_status make_units(sl_text *t)
{
    const sl__vbuf *v = &t->v[SL_VIEW_NFC];
    sl_status st = sl__units_reserve(&t->units, v->len + 1);
    if (st) return st;
    st = sl__units_reserve(&t->tok, v->len + 1);
    if (st) return st;
    sl__unit *u = t->units.u;
    size_t n = 0;
    for (size_t i = 0; i < v->len;) {
        uint32_t cp;
        size_t l = sl__utf8_decode_valid(v->data + i, &cp);
        sl__cpinfo info;
        sl__cp_get(cp, &info);
        if (info.cls != SL__C_INVIS)
            u[n++] = (sl__unit){cp,       info.lower, v->start[i],        v->end[i + l - 1],
                                info.cls, info.flags, (uint16_t)info.conf};
        i += l;
    }
    t->units.len = n;
    return SL_OK;
}

static int is_letter(const sl__unit *u)
{
    return u->cls == SL__C_LETTER || u->cls == SL__C_MARK;
}

/* [a, b) is one letter, possibly with combining marks. */
static int single_letter(const sl__unit *u, size_t a, size_t b)
{
    if (b <= a || u[a].cls != SL__C_LETTER) return 0;
    for (size_t i = a + 1; i < b; i++)
        if (u[i].cls != SL__C_MARK) return 0;
    return 1;
}

/* One-letter words common on their own (pronouns, particles, teencode): a run of spaced single
 * letters made only of these is a phrase ("a c e" = anh chị em), not a spaced-out word. */
static int common_single(uint32_t lo)
{
    static const char ascii[] = "abcdehjkmorstvz";
    if (lo < 0x80) return lo && strchr(ascii, (int)lo) != NULL;
    switch (lo) {
    case 0x111:  /* đ */
    case 0xF4:   /* ô */
    case 0x1A1:  /* ơ */
    case 0xE0:   /* à */
    case 0xE1:   /* á */
    case 0x1EA1: /* ạ */
    case 0xFD:   /* ý */
    case 0x1EDF: /* ở */
    case 0x1EEB: /* ừ */
    case 0x1EDD: /* ờ */
    case 0x1ED3: /* ồ */
        return 1;
    default:
        return 0;
    }
}

/* ---- token rules ------------------------------------------------------------------------- */

static int has_seq(const sl__unit *T, size_t m, const char *seq)
{
    if (m < 3) return 0;
    size_t k = strlen(seq);
    for (size_t i = 0; i + k <= m; i++) {
        size_t j = 0;
        while (j < k && T[i + j].lo == (unsigned char)seq[j]) j++;
        if (j == k) return 1;
    }
    return 0;
}

/* URLs, e-mail addresses, @mentions and #tags are kept as written (lowercased). */
static int url_like(const sl__unit *T, size_t m)
{
    if (m && (T[0].lo == '@' || T[0].lo == '#')) return 1;
    int marks = 0; /* most words have none of ":.@", so one pass decides */
    for (size_t i = 0; i < m && !marks; i++)
        marks = T[i].lo == ':' || T[i].lo == '.' || T[i].lo == '@';
    if (!marks) return 0;
    if (has_seq(T, m, "://") || has_seq(T, m, "www.")) return 1;
    size_t dot = 0; /* an '@' before a '.' that a letter follows: an e-mail address */
    for (size_t j = m; j-- > 1;)
        if (T[j - 1].lo == '.' && is_letter(&T[j])) {
            dot = j;
            break;
        }
    for (size_t i = 0; i + 1 < dot; i++)
        if (T[i].lo == '@') return 1;
    return 0;
}

static void rule_confusables(sl__unit *T, size_t m)
{
    int has_conf = 0, has_latin = 0, all_conf = 1;
    for (size_t i = 0; i < m; i++) {
        if (T[i].conf)
            has_conf = 1;
        else if (T[i].cls == SL__C_LETTER) {
            if (T[i].flags & SL__F_LATIN)
                has_latin = 1;
            else
                all_conf = 0;
        }
    }
    if (!has_conf || !(has_latin || all_conf)) return;
    for (size_t i = 0; i < m; i++) {
        if (!T[i].conf) continue;
        uint32_t c = T[i].conf;
        int upper = c >= 'A' && c <= 'Z';
        T[i].cp = c;
        T[i].lo = upper ? c + 32 : c;
        T[i].cls = SL__C_LETTER;
        T[i].flags =
            (uint8_t)(SL__F_LATIN | SL__F_BOUNDARY | SL__F_NFC_SELF | (upper ? SL__F_UPPER : 0));
        T[i].conf = 0;
    }
}

static inline int is_sep(uint32_t c)
{
    if (c < 0x80 && ((c | 32) - 'a' < 26 || c - '0' < 10)) return 0; /* letters and digits */
    switch (c) {
    case '.':
    case '-':
    case '_':
    case '*':
    case '+':
    case '~':
    case '^':
    case '\'':
    case '`':
    case '|':
    case 0xB7:   /* middle dot */
    case 0x2022: /* bullet */
        return 1;
    default:
        return 0;
    }
}

/* Drops separators between short letter groups; returns the new length. */
static size_t rule_separators(sl__unit *T, size_t m)
{
    size_t p = 0, q = m;
    while (p < m && !is_letter(&T[p])) p++;
    while (q > p && !is_letter(&T[q - 1])) q--;
    if (q - p < 3) return m;
    size_t group = 0, runs = 0, seps = 0, stars = 0, run = 0;
    for (size_t i = p; i < q; i++) {
        if (is_letter(&T[i])) {
            if (T[i].cls == SL__C_LETTER && ++group > 2) return m;
            if (run) runs++;
            run = 0;
        } else if (is_sep(T[i].lo)) {
            if (++run > 3) return m;
            group = 0;
            seps++;
            stars += T[i].lo == '*';
        } else {
            return m;
        }
    }
    if (!seps) return m;
    int mask = stars == seps && runs == 1; /* "đ*t": a masked letter, not a separator */
    size_t w = 0;
    for (size_t i = 0; i < m; i++) {
        if (i >= p && i < q && is_sep(T[i].lo)) {
            if (mask && T[i - 1].lo != '*') T[w++] = T[i];
            continue;
        }
        T[w++] = T[i];
    }
    return w;
}

static uint32_t leet_letter(uint32_t c)
{
    switch (c) {
    case '0':
        return 'o';
    case '1':
    case '!':
        return 'i';
    case '3':
        return 'e';
    case '4':
    case '@':
        return 'a';
    case '5':
    case '$':
        return 's';
    case '7':
        return 't';
    default:
        return 0;
    }
}

static void rule_leet(sl__unit *T, size_t m)
{
    size_t letters = 0;
    for (size_t i = 0; i < m; i++) letters += T[i].cls == SL__C_LETTER;
    if (letters < 2) return;
    for (size_t i = 0; i < m;) {
        if (!leet_letter(T[i].lo)) {
            i++;
            continue;
        }
        size_t r = i;
        while (r < m && leet_letter(T[r].lo)) r++;
        int left = i > 0 && is_letter(&T[i - 1]);
        int right = r < m && T[r].cls == SL__C_LETTER;
        int symbol_end = r - i == 1 && (T[i].lo == '@' || T[i].lo == '$') && i >= 2 &&
                         is_letter(&T[i - 2]) && left;
        if (r - i <= 2 && left && (right || (symbol_end && (r == m || T[r].cls == SL__C_OTHER)))) {
            for (size_t k = i; k < r; k++) {
                T[k].lo = T[k].cp = leet_letter(T[k].lo);
                T[k].cls = SL__C_LETTER;
                T[k].flags = SL__F_LATIN | SL__F_BOUNDARY | SL__F_NFC_SELF;
            }
        }
        i = r;
    }
}

/* The shape of word [a, b): "number-like" when it is [letter]{0,2}[digit]+ or
 * [digit]+[letter]{0,3} ("4g", "mp3", "f0", "b1", "u23", "50k", "20kg"); such tokens are
 * codes, units and model names, never leet. One exception: two letters and one digit ("ng0",
 * "cứ7") go on to the syllable test, which "mp3", "x2", "f1" never pass. */
static int number_like(const sl__unit *T, size_t a, size_t b)
{
    size_t i = a, lead = 0, digits = 0;
    while (i < b && T[i].cls == SL__C_LETTER) i++, lead++;
    while (i < b && T[i].cls == SL__C_DIGIT) i++, digits++;
    if (i == b && digits && (lead < 2 || (lead == 2 && digits > 1))) return 1;
    if (i == b && lead == 2 && digits == 1) return 0; /* "ng0", "cứ7": left to the syllable test */
    if (lead) return 0;
    size_t trail = 0;
    while (i < b && T[i].cls == SL__C_LETTER) i++, trail++;
    return i == b && digits && trail <= 3;
}

static int word_unit(const sl__unit *u)
{
    return is_letter(u) || u->cls == SL__C_DIGIT || u->lo == '$';
}

/* One word [a, b) whose leet characters have a letter on one side only ("7hằng", "ng0",
 * "cứ7"): they become letters when the result spells a Vietnamese syllable. The syllable test
 * keeps model names and codes ("win7", "iphone5", "covid17") as written; a leading one needs
 * 3+ letters after it ("4nh" could be anything). */
static void leet_one_side(sl__unit *T, size_t a, size_t b)
{
    uint32_t w[8];
    size_t letters = 0, n = b - a;
    if (n > 8 || number_like(T, a, b)) return;
    for (size_t i = a; i < b; i++) {
        if (T[i].cls == SL__C_MARK) return;
        if (T[i].cls == SL__C_LETTER) {
            letters++;
            w[i - a] = T[i].lo;
        } else if (!(w[i - a] = leet_letter(T[i].lo))) {
            return; /* 2 6 8 9: a number or a code, not a leet word */
        }
    }
    if (letters < 2 || letters == n) return;
    if (T[a].cls != SL__C_LETTER && (letters < 3 || T[a + 1].cls != SL__C_LETTER)) return;
    for (size_t i = a; i < b; i++) /* each leet character touches a letter */
        if (T[i].cls != SL__C_LETTER && !(i > a && T[i - 1].cls == SL__C_LETTER) &&
            !(i + 1 < b && T[i + 1].cls == SL__C_LETTER))
            return;
    if (!sl__vn_syllable(w, n)) return;
    for (size_t i = a; i < b; i++) {
        if (T[i].cls == SL__C_LETTER) continue;
        T[i].lo = T[i].cp = w[i - a];
        T[i].cls = SL__C_LETTER;
        T[i].flags = SL__F_LATIN | SL__F_BOUNDARY | SL__F_NFC_SELF;
    }
}

static void rule_leet_edges(sl__unit *T, size_t m)
{
    for (size_t i = 0; i < m;) {
        if (!word_unit(&T[i])) {
            i++;
            continue;
        }
        size_t r = i;
        while (r < m && word_unit(&T[r])) r++;
        leet_one_side(T, i, r);
        i = r;
    }
}

/* x continues a run started by letter f: the same letter, or f's vowel without marks
 * ("ủuuu"). */
static int same_letter(const sl__unit *f, const sl__unit *x)
{
    if (x->cls != SL__C_LETTER) return 0;
    if (x->lo == f->lo) return 1;
    uint32_t c = x->lo;
    int vowel = c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
    return vowel && sl__cp_base(f->lo) == c;
}

static size_t rule_repeats(sl__unit *T, size_t m)
{
    size_t w = 0;
    for (size_t i = 0; i < m;) {
        size_t r = i + 1;
        if (T[i].cls == SL__C_LETTER)
            while (r < m && same_letter(&T[i], &T[r])) r++;
        T[w] = T[i];
        if (r - i >= 3) {
            T[w].e = T[r - 1].e;
            w++;
            i = r;
        } else {
            w++;
            i++;
        }
    }
    return w;
}

/* ---- teencode ---------------------------------------------------------------------------- */

/* The letters [*p, *q) of a token whose other units are punctuation only; 0 if none. */
static int word_core(const sl__unit *T, size_t m, size_t *p, size_t *q)
{
    size_t a = 0, b = m;
    while (a < m && T[a].cls == SL__C_OTHER) a++;
    while (b > a && T[b - 1].cls == SL__C_OTHER) b--;
    if (a == b) return 0;
    if ((a > 0 && T[a - 1].lo == '*') || (b < m && T[b].lo == '*'))
        return 0; /* a masked word ("b***") is not the teencode of its visible letters */
    for (size_t i = a; i < b; i++)
        if (!is_letter(&T[i])) return 0;
    *p = a;
    *q = b;
    return 1;
}

static int case_mode(const sl__unit *T, size_t p, size_t q)
{
    size_t letters = 0, upper = 0;
    for (size_t i = p; i < q; i++) {
        if (T[i].cls != SL__C_LETTER) continue;
        letters++;
        upper += (T[i].flags & SL__F_UPPER) != 0;
    }
    if (letters >= 2 && upper == letters) return CASE_ALL;
    return (T[p].flags & SL__F_UPPER) ? CASE_FIRST : CASE_LOWER;
}

static size_t token_end(const sl__unit *u, size_t n, size_t i)
{
    while (i < n && u[i].cls != SL__C_SPACE) i++;
    return i;
}

static int is_number(const sl__unit *u, size_t a, size_t b)
{
    size_t digits = 0;
    for (size_t i = a; i < b; i++) {
        if (u[i].cls == SL__C_DIGIT)
            digits++;
        else if (u[i].lo != '.' && u[i].lo != ',')
            return 0;
    }
    return digits > 0;
}

/* Which pronouns the post uses (SL__CTX_*), from its short tokens as written. */
static unsigned post_context(const sl__unit *u, size_t n)
{
    static const char *const may[] = {"m", "mày", "mầy", "mài", "tao", "tau"};
    static const char *const em[] = {"e", "em"};
    unsigned ctx = 0;
    for (size_t i = 0; i < n;) {
        size_t j = token_end(u, n, i), p, q;
        char key[16];
        size_t k = 0;
        uint32_t c0 = u[i].lo;
        if (j - i <= 5 && (c0 == 'm' || c0 == 't' || c0 == 'e') &&
            word_core(u + i, j - i, &p, &q)) {
            for (size_t x = i + p; x < i + q && k + 4 < sizeof key; x++)
                k += sl__utf8_encode(u[x].lo, key + k);
            key[k] = '\0';
            for (size_t w = 0; w < sizeof may / sizeof may[0]; w++)
                if (!strcmp(key, may[w])) ctx |= SL__CTX_MAY;
            for (size_t w = 0; w < sizeof em / sizeof em[0]; w++)
                if (!strcmp(key, em[w])) ctx |= SL__CTX_EM;
        }
        i = j;
        while (i < n && u[i].cls == SL__C_SPACE) i++;
    }
    return ctx;
}

static int next_is_number(const norm_ctx *ctx)
{
    size_t k = ctx->next_start;
    return k < ctx->n && is_number(ctx->u, k, token_end(ctx->u, ctx->n, k));
}

/* The expansion of the letters [p, q), or NULL; *std_only when NORM keeps the word. */
static const char *lookup(const sl__unit *T, size_t p, size_t q, norm_ctx *ctx, int *std_only)
{
    char key[32];
    size_t n = 0;
    for (size_t i = p; i < q; i++) {
        if (n + 4 > sizeof key) return NULL;
        if (T[i].lo < 0x80)
            key[n++] = (char)T[i].lo;
        else
            n += sl__utf8_encode(T[i].lo, key + n);
    }
    *std_only = 0;
    if (ctx->prev_number) {
        const char *v = sl__teencode_after_number(key, n);
        if (v) return v;
    } else if (n == 1 && (key[0] == 't' || key[0] == 'c') && !next_is_number(ctx)) {
        if (ctx->post < 0) ctx->post = (int)post_context(ctx->u, ctx->n);
        const char *v = sl__teencode_in_context(key, n, (unsigned)ctx->post);
        if (v) return v;
    }
    const sl__teencode *tc = sl__teencode_find(key, n);
    if (!tc) return NULL;
    if ((tc->flags & SL__TC_NOT_AFTER_NUM) && ctx->prev_number) return NULL;
    if ((tc->flags & SL__TC_NOT_BEFORE_NUM) && next_is_number(ctx)) return NULL;
    *std_only = (tc->flags & SL__TC_STD_ONLY) != 0;
    return tc->val;
}

/* The end of a view being written, room already reserved. */
typedef struct cursor {
    char *d;
    uint32_t *s, *e;
} cursor;

static inline cursor cursor_at(sl__vbuf *b)
{
    return (cursor){b->data + b->len, b->start + b->len, b->end + b->len};
}

/* Writes cp (UTF-8) at the cursor, all bytes from original [s, e). */
static inline void cursor_put(cursor *c, uint32_t cp, uint32_t s, uint32_t e)
{
    if (cp < 0x80) {
        *c->d++ = (char)cp;
        *c->s++ = s;
        *c->e++ = e;
        return;
    }
    size_t l = sl__utf8_encode(cp, c->d);
    for (size_t k = 0; k < l; k++) {
        c->s[k] = s;
        c->e[k] = e;
    }
    c->d += l;
    c->s += l;
    c->e += l;
}

/* Units [a, b) into NORM, FOLD and STANDARD: room for 4 bytes a unit is reserved once. */
static sl_status emit_units(sl_text *t, const sl__unit *T, size_t a, size_t b)
{
    sl__vbuf *norm = &t->v[SL_VIEW_NORM], *fold = &t->v[SL_VIEW_FOLD];
    sl__vbuf *std = &t->v[SL_VIEW_STANDARD];
    size_t need = 4 * (b - a);
    for (int k = SL_VIEW_NORM; k < SL_VIEW_COUNT_; k++)
        if (t->v[k].len + need + 1 > t->v[k].cap) {
            sl_status st = sl__vbuf_grow(&t->v[k], need);
            if (st) return st;
        }
    /* cursors in locals for the whole run: no reload of a buffer's fields after each byte */
    cursor cn = cursor_at(norm), cf = cursor_at(fold), cs = cursor_at(std);
    for (size_t i = a; i < b; i++) {
        cursor_put(&cn, T[i].lo, T[i].s, T[i].e);
        if (T[i].cls != SL__C_MARK) cursor_put(&cf, sl__cp_base(T[i].lo), T[i].s, T[i].e);
        cursor_put(&cs, T[i].cp, T[i].s, T[i].e);
    }
    norm->len = (size_t)(cn.d - norm->data);
    fold->len = (size_t)(cf.d - fold->data);
    std->len = (size_t)(cs.d - std->data);
    return SL_OK;
}

/* Emits a token; val (may be NULL) replaces its letters [p, q). */
static sl_status emit_token(sl_text *t, const sl__unit *T, size_t m, size_t p, size_t q,
                            const char *val, int std_only)
{
    if (!val) return emit_units(t, T, 0, m);
    sl_status st = emit_units(t, T, 0, p);
    if (st) return st;
    int norm_too = !std_only;
    if (!norm_too) { /* NORM and FOLD keep the word as written */
        for (size_t i = p; i < q && !st; i++) st = emit_norm(t, T[i].lo, T[i].cls, T[i].s, T[i].e);
        if (st) return st;
    }
    st = emit_expansion(t, val, norm_too, case_mode(T, p, q), T[p].s, T[q - 1].e);
    if (st) return st;
    return emit_units(t, T, q, m);
}

/* Spelling repairs of the letters [p, q) (syllable.c); returns the token's new length. */
static size_t rule_spelling(sl__unit *T, size_t m, size_t cap, size_t p, size_t *q)
{
    size_t n = *q - p;
    if (n < 2 || n > 8) return m;
    uint32_t w[8], out[10];
    size_t from[10];
    for (size_t i = 0; i < n; i++) {
        if (T[p + i].cls != SL__C_LETTER || !(T[p + i].flags & SL__F_LATIN)) return m;
        w[i] = T[p + i].lo;
    }
    size_t k = sl__vn_repair(w, n, out, from);
    if (!k || m - n + k > cap) return m;
    sl__unit rep[10];
    for (size_t i = 0; i < k; i++) {
        rep[i] = T[p + from[i]];
        rep[i].lo = out[i];
        int upper = (rep[i].flags & SL__F_UPPER) && !(i && from[i] == from[i - 1]); /* "Ph" */
        rep[i].cp = upper ? (uint32_t)u_toupper((UChar32)out[i]) : out[i];
    }
    for (size_t i = 0; i < k; i++) { /* each letter covers the letters it replaced */
        size_t next = i + 1 < k ? from[i + 1] : n;
        if (next > from[i] + 1) rep[i].e = T[p + next - 1].e;
    }
    memmove(T + p + k, T + *q, (m - *q) * sizeof *T);
    memcpy(T + p, rep, k * sizeof *T);
    *q = p + k;
    return m - n + k;
}

/* Copies units [a, b) into the token buffer, skipping spaces (from joined spaced letters). */
static size_t load_token(sl_text *t, size_t a, size_t b)
{
    size_t m = 0;
    for (size_t i = a; i < b; i++)
        if (t->units.u[i].cls != SL__C_SPACE) t->tok.u[m++] = t->units.u[i];
    return m;
}

/* What a token holds that the rules act on. Most tokens are plain words: one pass over them
 * lets do_token skip the rules that would find nothing. A look-alike may become any Latin
 * character once replaced, so it counts as a possible separator and leet character too. */
enum { HAS_CONF = 1, HAS_SEP = 2, HAS_LEET = 4, HAS_URL = 8, HAS_REPEAT = 16 };

static unsigned token_traits(const sl__unit *T, size_t m)
{
    unsigned r = m && (T[0].lo == '@' || T[0].lo == '#') ? HAS_URL : 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t c = T[i].lo;
        if (T[i].conf) r |= HAS_CONF | HAS_SEP | HAS_LEET;
        if (is_sep(c)) r |= HAS_SEP;
        if (leet_letter(c)) r |= HAS_LEET;
        if (c == ':' || c == '.' || c == '@') r |= HAS_URL;
        /* a run of 3+ (rule_repeats) has two equal code points at distance 1 or 2 */
        if ((i + 1 < m && T[i + 1].lo == c) || (i + 2 < m && T[i + 2].lo == c)) r |= HAS_REPEAT;
    }
    return r;
}

/* Normalizes units [a, b). */
static sl_status do_token(sl_text *t, size_t a, size_t b, norm_ctx *ctx)
{
    sl__unit *T = t->tok.u;
    size_t m = load_token(t, a, b), p = 0, q = 0;
    unsigned traits = token_traits(T, m);
    if ((traits & HAS_URL) && url_like(T, m)) return emit_token(t, T, m, p, q, NULL, 0);
    if (traits & HAS_CONF) rule_confusables(T, m);
    if (traits & HAS_SEP) m = rule_separators(T, m);
    if (traits & HAS_LEET) {
        rule_leet(T, m);
        rule_leet_edges(T, m);
    }
    size_t before = m;
    if (traits) /* the rules above may have made a run; otherwise HAS_REPEAT says if one exists */
        m = rule_repeats(T, m);
    const char *val = NULL;
    int std_only = 0;
    if (word_core(T, m, &p, &q)) {
        if (q - p == 1 && m < before) {
            /* "kkkk", "hhhh" are laughter, not the teencode letter they would collapse to */
            m = load_token(t, a, b);
            rule_confusables(T, m);
            return emit_token(t, T, m, p, q, NULL, 0);
        }
        val = lookup(T, p, q, ctx, &std_only);
        if (!val) {
            size_t m2 = rule_spelling(T, m, t->tok.cap, p, &q);
            if (m2 != m) {
                m = m2;
                val = lookup(T, p, q, ctx, &std_only);
            }
        }
    }
    return emit_token(t, T, m, p, q, val, std_only);
}

/* ---- driver ------------------------------------------------------------------------------ */

/* If a run of 3+ single letters separated by one space starts at [i, j), returns the end of
 * the run (the joined token); else j. */
static size_t spaced_letters(const sl__unit *u, size_t n, size_t i, size_t j, size_t *run_end)
{
    *run_end = j;
    if (!single_letter(u, i, j)) return j;
    size_t count = 1, end = j, uncommon = !common_single(u[i].lo);
    while (end + 1 < n && u[end].cls == SL__C_SPACE && u[end + 1].cls != SL__C_SPACE) {
        size_t k = token_end(u, n, end + 1);
        if (!single_letter(u, end + 1, k)) break;
        uncommon |= !common_single(u[end + 1].lo);
        count++;
        end = k;
    }
    *run_end = end;
    return count >= 3 && uncommon ? end : j;
}

sl_status sl__norm_build(sl_text *t)
{
    sl_status st = make_units(t);
    if (st) return st;
    const sl__unit *u = t->units.u;
    size_t n = t->units.len, i = 0;
    norm_ctx ctx = {u, n, 0, n, -1};
    int first = 1;
    size_t no_join_until = 0;
    while (i < n) {
        size_t ws = i;
        while (i < n && u[i].cls == SL__C_SPACE) i++;
        if (i >= n) break;
        if (i > ws && !first) {
            st = emit_space(t, u[ws].s, u[i - 1].e);
            if (st) return st;
        }
        size_t j = token_end(u, n, i), run_end;
        if (i >= no_join_until) { /* a run found not to join is not scanned again: linear */
            size_t tok_end = j;
            j = spaced_letters(u, n, i, tok_end, &run_end);
            if (j == tok_end) no_join_until = run_end;
        }
        size_t k = j;
        while (k < n && u[k].cls == SL__C_SPACE) k++;
        ctx.next_start = k;
        st = do_token(t, i, j, &ctx);
        if (st) return st;
        ctx.prev_number = is_number(u, i, j);
        first = 0;
        i = j;
    }
    return SL_OK;
}
