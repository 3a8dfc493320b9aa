/* One JSON-lines record, scanned by hand rather than with a DOM parser: the id must be kept as
 * the bytes written (a DOM turns numbers into doubles), duplicate keys need the position of the
 * second copy, and cJSON reports errors through process-global state.
 *
 * One left-to-right pass over the line. Errors come in two kinds: a syntax error stops the scan
 * (the line is not JSON; no id can be trusted), a field error (wrong type, \u0000, id too long,
 * duplicate key, text after the object) is remembered and the scan goes on, so the error verdict
 * can still carry the id. Of several field errors the one earliest in the line is reported; an
 * invalid UTF-8 line reports that first, as the bytes are wrong before the JSON is. */
#include "sangloc/record.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/text.h"

typedef struct key_ent {
    const char *s; /* decoded key (into the line when it has no escapes) */
    size_t len;
    size_t pos; /* byte of its opening quote */
} key_ent;

struct sl_record_mem {
    char *buf; /* decoded strings of one line: never more bytes than the line */
    size_t cap;
    key_ent *keys; /* top-level keys, for the duplicate check */
    size_t kcap;
};

enum field { F_OTHER, F_ID, F_TEXT, F_CHANNEL, F_AUTHOR, F_KIND, F_CREATED_AT };
static const char *const field_names[] = {NULL,     "id",   "text",      "channel",
                                          "author", "kind", "created_at"};

typedef struct parser {
    const unsigned char *s;
    size_t n, i;
    sl_record *out;
    sl_record_mem *mem;
    size_t used;  /* bytes of mem->buf taken */
    size_t nkeys; /* top-level keys seen */
    bool syntax;  /* a syntax error stopped the scan (out->error holds it) */
    bool field;   /* a field error was found (field_err holds the earliest) */
    sl_error field_err;
} parser;

/* ---- errors ------------------------------------------------------------------------------ */

static bool syntax_error(parser *p, size_t pos)
{
    if (pos > p->n) pos = p->n;
    p->syntax = true;
    sl_error_set(&p->out->error, SL_ERR_JSON, pos, "malformed JSON near byte %zu", pos);
    return false;
}

static bool depth_error(parser *p, size_t pos)
{
    p->syntax = true;
    sl_error_set(&p->out->error, SL_ERR_JSON, pos, "nested deeper than %d levels at byte %zu",
                 SL_RECORD_MAX_DEPTH, pos);
    return false;
}

__attribute__((format(printf, 4, 5))) static void field_error(parser *p, sl_status code, size_t pos,
                                                              const char *fmt, ...)
{
    if (p->field && p->field_err.byte <= pos) return; /* keep the earliest */
    p->field = true;
    p->field_err.code = code;
    p->field_err.byte = pos;
    p->field_err.line = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->field_err.message, sizeof p->field_err.message, fmt, ap);
    va_end(ap);
}

/* ---- lexical pieces ---------------------------------------------------------------------- */

static void skip_ws(parser *p)
{
    while (p->i < p->n &&
           (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\r' || p->s[p->i] == '\n'))
        p->i++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* The 4 hex digits at s[at..at+4), or -1. */
static long hex4(const parser *p, size_t at)
{
    if (at + 4 > p->n) return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        int h = hexval(p->s[at + k]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Scans the string whose opening quote is at p->i; leaves p->i after the closing quote.
 * [*a, *b) is the content between the quotes, *esc whether it holds escapes. Returns 1 when
 * the string is well-formed, 0 when it had a field error (recorded), -1 on a syntax error. */
static int scan_string(parser *p, size_t *a, size_t *b, bool *esc)
{
    const unsigned char *s = p->s;
    int rc = 1;
    *esc = false;
    *a = ++p->i;
    for (;;) {
        size_t i = p->i;
        while (i < p->n && s[i] != '"' && s[i] != '\\' && s[i] >= 0x20) i++;
        p->i = i;
        if (i >= p->n) return syntax_error(p, p->n), -1;
        if (s[i] == '"') break;
        if (s[i] < 0x20) {
            if (s[i])
                field_error(p, SL_ERR_JSON, i, "control character 0x%02X in a string at byte %zu",
                            s[i], i);
            else
                field_error(p, SL_ERR_NUL_BYTE, i, "NUL byte at byte %zu", i);
            rc = 0;
            p->i++;
            continue;
        }
        /* an escape */
        *esc = true;
        if (i + 1 >= p->n) return syntax_error(p, p->n), -1;
        unsigned char e = s[i + 1];
        if (strchr("\"\\/bfnrt", e) && e) {
            p->i = i + 2;
            continue;
        }
        if (e != 'u') return syntax_error(p, i + 1), -1;
        long u = hex4(p, i + 2);
        if (u < 0) return syntax_error(p, i + 2), -1;
        p->i = i + 6;
        if (u == 0) {
            field_error(p, SL_ERR_NUL_BYTE, i, "NUL character (\\u0000) at byte %zu", i);
            rc = 0;
        } else if (u >= 0xD800 && u <= 0xDBFF) {
            long lo =
                (p->i + 1 < p->n && s[p->i] == '\\' && s[p->i + 1] == 'u') ? hex4(p, p->i + 2) : -1;
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                p->i += 6;
            } else {
                field_error(p, SL_ERR_JSON, i, "lone UTF-16 surrogate at byte %zu", i);
                rc = 0;
            }
        } else if (u >= 0xDC00 && u <= 0xDFFF) {
            field_error(p, SL_ERR_JSON, i, "lone UTF-16 surrogate at byte %zu", i);
            rc = 0;
        }
    }
    *b = p->i++;
    return rc;
}

/* Decodes the well-formed string content s[a, b) into dst; returns the decoded length. */
static size_t decode(const unsigned char *s, size_t a, size_t b, char *dst)
{
    size_t o = 0;
    for (size_t i = a; i < b;) {
        if (s[i] != '\\') {
            dst[o++] = (char)s[i++];
            continue;
        }
        unsigned char e = s[i + 1];
        i += 2;
        uint32_t cp;
        switch (e) {
        case 'b':
            cp = '\b';
            break;
        case 'f':
            cp = '\f';
            break;
        case 'n':
            cp = '\n';
            break;
        case 'r':
            cp = '\r';
            break;
        case 't':
            cp = '\t';
            break;
        case 'u': {
            cp = 0;
            for (int k = 0; k < 4; k++) cp = cp * 16 + (uint32_t)hexval(s[i + k]);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = 0;
                for (int k = 0; k < 4; k++) lo = lo * 16 + (uint32_t)hexval(s[i + 2 + k]);
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            break;
        }
        default: /* " \ / */
            cp = e;
        }
        if (cp < 0x80) {
            dst[o++] = (char)cp;
        } else if (cp < 0x800) {
            dst[o++] = (char)(0xC0 | (cp >> 6));
            dst[o++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            dst[o++] = (char)(0xE0 | (cp >> 12));
            dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            dst[o++] = (char)(0x80 | (cp & 0x3F));
        } else {
            dst[o++] = (char)(0xF0 | (cp >> 18));
            dst[o++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            dst[o++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            dst[o++] = (char)(0x80 | (cp & 0x3F));
        }
    }
    return o;
}

/* The string content [a, b) as decoded bytes: in place when it has no escapes, else in the
 * scratch buffer (sized to the line at the first need, so earlier results never move). */
static bool string_value(parser *p, size_t a, size_t b, bool esc, sl_record_str *v)
{
    if (!esc) {
        v->data = (const char *)p->s + a;
        v->len = b - a;
        return true;
    }
    sl_record_mem *m = p->mem;
    if (m->cap < p->n) { /* only before the first decode of this line: p->used is still 0 */
        char *nb = realloc(m->buf, p->n);
        if (!nb) return false;
        m->buf = nb;
        m->cap = p->n;
    }
    v->data = m->buf + p->used;
    v->len = decode(p->s, a, b, m->buf + p->used);
    p->used += v->len;
    return true;
}

/* Scans a number at p->i; *integer tells whether it had no fraction and no exponent. */
static bool scan_number(parser *p, bool *integer)
{
    const unsigned char *s = p->s;
    size_t i = p->i;
    if (i < p->n && s[i] == '-') i++;
    if (i >= p->n || s[i] < '0' || s[i] > '9') return syntax_error(p, i);
    if (s[i] == '0') {
        i++;
    } else {
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    *integer = true;
    if (i < p->n && s[i] == '.') {
        *integer = false;
        i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') return syntax_error(p, i);
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    if (i < p->n && (s[i] == 'e' || s[i] == 'E')) {
        *integer = false;
        i++;
        if (i < p->n && (s[i] == '+' || s[i] == '-')) i++;
        if (i >= p->n || s[i] < '0' || s[i] > '9') return syntax_error(p, i);
        while (i < p->n && s[i] >= '0' && s[i] <= '9') i++;
    }
    p->i = i;
    return true;
}

static bool scan_literal(parser *p)
{
    static const char *const lits[] = {"true", "false", "null"};
    for (int k = 0; k < 3; k++) {
        size_t l = strlen(lits[k]);
        if (p->n - p->i >= l && !memcmp(p->s + p->i, lits[k], l)) {
            p->i += l;
            return true;
        }
    }
    return syntax_error(p, p->i);
}

/* Skips one JSON value of any shape at p->i, nested at most `room` levels deeper.
 * Iterative: the stack of open brackets is a fixed array, so depth costs no C stack. */
static bool skip_value(parser *p, size_t room)
{
    unsigned char open[SL_RECORD_MAX_DEPTH];
    size_t depth = 0;
    size_t a, b;
    bool esc, integer;
    for (;;) {
        /* a value */
        skip_ws(p);
        if (p->i >= p->n) return syntax_error(p, p->n);
        unsigned char c = p->s[p->i];
        if (c == '{' || c == '[') {
            if (depth >= room) return depth_error(p, p->i);
            open[depth++] = c == '{' ? '}' : ']';
            p->i++;
            skip_ws(p);
            if (p->i < p->n && p->s[p->i] == open[depth - 1]) {
                p->i++;
                depth--;
            } else if (c == '{') {
                if (p->i >= p->n || p->s[p->i] != '"') return syntax_error(p, p->i);
                if (scan_string(p, &a, &b, &esc) < 0) return false;
                skip_ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') return syntax_error(p, p->i);
                p->i++;
                continue;
            } else {
                continue;
            }
        } else if (c == '"') {
            if (scan_string(p, &a, &b, &esc) < 0) return false;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!scan_number(p, &integer)) return false;
        } else if (!scan_literal(p)) {
            return false;
        }
        /* after a value: close brackets, or a comma and the next member */
        for (;;) {
            if (depth == 0) return true;
            skip_ws(p);
            if (p->i >= p->n) return syntax_error(p, p->n);
            c = p->s[p->i];
            if (c == open[depth - 1]) {
                p->i++;
                depth--;
                continue;
            }
            if (c != ',') return syntax_error(p, p->i);
            p->i++;
            if (open[depth - 1] == '}') {
                skip_ws(p);
                if (p->i >= p->n || p->s[p->i] != '"') return syntax_error(p, p->i);
                if (scan_string(p, &a, &b, &esc) < 0) return false;
                skip_ws(p);
                if (p->i >= p->n || p->s[p->i] != ':') return syntax_error(p, p->i);
                p->i++;
            }
            break;
        }
    }
}

/* ---- the record -------------------------------------------------------------------------- */

static enum field which_field(const sl_record_str *k)
{
    for (int f = F_ID; f <= F_CREATED_AT; f++)
        if (strlen(field_names[f]) == k->len && !memcmp(field_names[f], k->data, k->len))
            return (enum field)f;
    return F_OTHER;
}

static bool remember_key(parser *p, const sl_record_str *k, size_t pos)
{
    sl_record_mem *m = p->mem;
    if (p->nkeys == m->kcap) {
        size_t cap = m->kcap ? m->kcap * 2 : 16;
        key_ent *nk = realloc(m->keys, cap * sizeof *nk);
        if (!nk) return false;
        m->keys = nk;
        m->kcap = cap;
    }
    m->keys[p->nkeys++] = (key_ent){k->data, k->len, pos};
    return true;
}

static bool same_key(const key_ent *a, const key_ent *b)
{
    return a->len == b->len && !memcmp(a->s, b->s, a->len);
}

static int key_cmp(const void *x, const void *y)
{
    const key_ent *a = x, *b = y;
    size_t l = a->len < b->len ? a->len : b->len;
    int c = memcmp(a->s, b->s, l);
    if (c) return c;
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    return a->pos < b->pos ? -1 : a->pos > b->pos;
}

/* The position of the first key that repeats an earlier one, or SL_NO_POS. Few keys: compare
 * pairs; many: sort, so a line of a million keys costs n log n, never n squared. */
static size_t first_duplicate(parser *p, enum field *which)
{
    key_ent *k = p->mem->keys;
    size_t n = p->nkeys, best = SL_NO_POS;
    const key_ent *hit = NULL;
    if (n <= 16) {
        for (size_t j = 1; j < n; j++)
            for (size_t i = 0; i < j && k[j].pos < best; i++)
                if (same_key(&k[i], &k[j])) {
                    best = k[j].pos;
                    hit = &k[j];
                }
    } else {
        /* sorted by (key, position): the second of each run of equal keys is its first repeat */
        qsort(k, n, sizeof *k, key_cmp);
        for (size_t j = 1; j < n; j++)
            if (same_key(&k[j], &k[j - 1]) && (j < 2 || !same_key(&k[j - 1], &k[j - 2])) &&
                k[j].pos < best) {
                best = k[j].pos;
                hit = &k[j];
            }
    }
    if (hit) *which = which_field(&(sl_record_str){hit->s, hit->len});
    return best;
}

typedef struct found {
    size_t id_a, id_b; /* raw id bytes, valid when id_ok */
    bool id_ok, text_seen;
} found;

static bool nomem(parser *p)
{
    p->syntax = true;
    sl_error_set(&p->out->error, SL_ERR_NOMEM, SL_NO_POS, "out of memory reading this record");
    return false;
}

/* One member's value, for a key that matters. */
static bool field_value(parser *p, enum field f, found *fd, const sl_record_limits *lim)
{
    size_t vpos = p->i;
    unsigned char c = p->s[vpos];
    size_t a, b;
    bool esc, integer;
    if (f == F_ID) {
        fd->id_ok = false; /* a second id is a duplicate key: no id is trusted */
        bool ok;
        if (c == '"') {
            int r = scan_string(p, &a, &b, &esc);
            if (r < 0) return false;
            ok = r == 1;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (!scan_number(p, &integer)) return false;
            ok = integer;
            if (!integer)
                field_error(p, SL_ERR_MISSING_FIELD, vpos,
                            "field \"id\" must be a string or an integer");
        } else {
            if (!skip_value(p, SL_RECORD_MAX_DEPTH - 1)) return false;
            field_error(p, SL_ERR_MISSING_FIELD, vpos,
                        "field \"id\" must be a string or an integer");
            return true;
        }
        if (ok && p->i - vpos > SL_RECORD_ID_MAX) {
            field_error(p, SL_ERR_TOO_LARGE, vpos, "the id is %zu bytes, above the limit of %d",
                        p->i - vpos, SL_RECORD_ID_MAX);
            ok = false;
        }
        fd->id_ok = ok;
        fd->id_a = vpos;
        fd->id_b = p->i;
        return true;
    }
    sl_record_str *dst = f == F_TEXT      ? &p->out->text
                         : f == F_CHANNEL ? &p->out->channel
                         : f == F_AUTHOR  ? &p->out->author
                         : f == F_KIND    ? &p->out->kind
                                          : &p->out->created_at;
    if (f == F_TEXT) fd->text_seen = true;
    if (c == '"') {
        int r = scan_string(p, &a, &b, &esc);
        if (r < 0) return false;
        if (r == 0) return true; /* the error is recorded; the value is not needed */
        if (!string_value(p, a, b, esc, dst)) return nomem(p);
        if (f == F_TEXT) {
            size_t max = lim && lim->max_text ? lim->max_text : SL_RECORD_DEFAULT_MAX_TEXT;
            if (dst->len > max)
                field_error(p, SL_ERR_TOO_LARGE, vpos, "text is %zu bytes, above the limit of %zu",
                            dst->len, max);
        }
        return true;
    }
    if (f != F_TEXT && c == 'n') {
        if (!scan_literal(p)) return false;
        if (p->s[vpos + 1] == 'u') { /* null: the field is absent */
            dst->data = NULL;
            dst->len = 0;
            return true;
        }
    } else if (!skip_value(p, SL_RECORD_MAX_DEPTH - 1)) {
        return false;
    }
    field_error(p, SL_ERR_MISSING_FIELD, vpos, "field \"%s\" must be a string", field_names[f]);
    return true;
}

/* The top-level object. */
static bool scan_object(parser *p, found *fd, const sl_record_limits *lim)
{
    skip_ws(p);
    if (p->i >= p->n) return syntax_error(p, p->i);
    if (p->s[p->i] != '{') {
        size_t at = p->i;
        if (!skip_value(p, SL_RECORD_MAX_DEPTH)) return false; /* not JSON at all */
        p->syntax = true;
        sl_error_set(&p->out->error, SL_ERR_JSON, at, "a line must be a JSON object");
        return false;
    }
    p->i++;
    skip_ws(p);
    if (p->i < p->n && p->s[p->i] == '}') {
        p->i++;
        return true;
    }
    for (;;) {
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != '"') return syntax_error(p, p->i);
        size_t kpos = p->i, a, b;
        bool esc;
        int r = scan_string(p, &a, &b, &esc);
        if (r < 0) return false;
        sl_record_str key = {0};
        if (r == 1 && !string_value(p, a, b, esc, &key)) return nomem(p);
        if (r == 1 && !remember_key(p, &key, kpos)) return nomem(p);
        skip_ws(p);
        if (p->i >= p->n || p->s[p->i] != ':') return syntax_error(p, p->i);
        p->i++;
        skip_ws(p);
        if (p->i >= p->n) return syntax_error(p, p->i);
        enum field f = r == 1 ? which_field(&key) : F_OTHER;
        if (f == F_OTHER ? !skip_value(p, SL_RECORD_MAX_DEPTH - 1) : !field_value(p, f, fd, lim))
            return false;
        skip_ws(p);
        if (p->i >= p->n) return syntax_error(p, p->i);
        if (p->s[p->i] == '}') {
            p->i++;
            return true;
        }
        if (p->s[p->i] != ',') return syntax_error(p, p->i);
        p->i++;
    }
}

static void clear_result(sl_record *out)
{
    sl_record_mem *mem = out->mem;
    memset(out, 0, sizeof *out);
    out->mem = mem;
}

bool sl_record_is_blank(const char *line, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (line[i] != ' ' && line[i] != '\t' && line[i] != '\r' && line[i] != '\n') return false;
    return true;
}

sl_status sl_record_parse(const char *line, size_t len, const sl_record_limits *lim, sl_record *out)
{
    if (!out) return SL_ERR_ARG;
    clear_result(out);
    if (!line && len) {
        out->has_error = true;
        return sl_error_set(&out->error, SL_ERR_ARG, SL_NO_POS, "no line given");
    }
    if (!out->mem) {
        out->mem = calloc(1, sizeof *out->mem);
        if (!out->mem) {
            out->has_error = true;
            return sl_error_set(&out->error, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        }
    }
    parser p = {
        .s = (const unsigned char *)(line ? line : ""), .n = len, .out = out, .mem = out->mem};
    sl_error utf8;
    bool bad_utf8 = sl_utf8_validate(p.s ? (const char *)p.s : "", len, &utf8) != SL_OK;
    if (len >= 3 && !memcmp(p.s, "\xEF\xBB\xBF", 3)) p.i = 3; /* a byte-order mark */
    found fd = {0};
    if (scan_object(&p, &fd, lim)) {
        skip_ws(&p);
        if (p.i < p.n)
            field_error(&p, SL_ERR_JSON, p.i, "text after the JSON object at byte %zu", p.i);
        enum field dupf = F_OTHER;
        size_t dup = first_duplicate(&p, &dupf);
        if (dup != SL_NO_POS) {
            if (dupf != F_OTHER)
                field_error(&p, SL_ERR_JSON, dup, "duplicate key \"%s\" at byte %zu",
                            field_names[dupf], dup);
            else
                field_error(&p, SL_ERR_JSON, dup, "duplicate key at byte %zu", dup);
            if (dupf == F_ID) fd.id_ok = false;
        }
        if (!p.field && !fd.text_seen)
            field_error(&p, SL_ERR_MISSING_FIELD, 0, "field \"text\" is missing");
        if (fd.id_ok && bad_utf8 &&
            sl_utf8_validate(line + fd.id_a, fd.id_b - fd.id_a, NULL) != SL_OK)
            fd.id_ok = false;
        if (fd.id_ok) {
            out->id = line + fd.id_a;
            out->id_len = fd.id_b - fd.id_a;
        }
    }
    sl_status st = p.syntax && out->error.code == SL_ERR_NOMEM ? SL_ERR_NOMEM : SL_OK;
    if (bad_utf8 && st == SL_OK) {
        out->error = utf8;
    } else if (!p.syntax && p.field) {
        out->error = p.field_err;
    } else if (!p.syntax) {
        return SL_OK; /* a good record */
    }
    /* a bad record: no text or fields to screen, only the id when it was trustworthy */
    const char *id = p.syntax ? NULL : out->id;
    size_t id_len = out->id_len;
    sl_error err = out->error;
    clear_result(out);
    out->has_error = true;
    out->error = err;
    if (id) {
        out->id = id;
        out->id_len = id_len;
    }
    return st;
}

void sl_record_free(sl_record *rec)
{
    if (!rec || !rec->mem) return;
    free(rec->mem->buf);
    free(rec->mem->keys);
    free(rec->mem);
    clear_result(rec);
    rec->mem = NULL;
}
