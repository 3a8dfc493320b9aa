/* model/metrics.c — macro-F1, ViHOS span F1 and the token-to-span merge shared by prediction
 * and training (so the spans tuned on dev are exactly the spans predicted). */
#include "model/metrics.h"

#include "sangloc/metrics.h"
#include "sangloc/model.h"
#include "sangloc/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double f1_of(double p, double r)
{
    return p + r > 0 ? 2 * p * r / (p + r) : 0;
}

double sl__macro_f1(const long *conf, int k, sl__prf *prf)
{
    double sum = 0;
    for (int c = 0; c < k; c++) {
        long tp = conf[c * k + c], pred = 0, gold = 0;
        for (int j = 0; j < k; j++) {
            pred += conf[j * k + c];
            gold += conf[c * k + j];
        }
        double p = pred ? (double)tp / (double)pred : 0, r = gold ? (double)tp / (double)gold : 0;
        if (prf) prf[c] = (sl__prf){p, r, f1_of(p, r)};
        sum += f1_of(p, r);
    }
    return k ? sum / k : 0;
}

double sl__pos_f1(const long conf[4])
{
    long tp = conf[3], fp = conf[1], fn = conf[2];
    double p = tp + fp ? (double)tp / (double)(tp + fp) : 0;
    double r = tp + fn ? (double)tp / (double)(tp + fn) : 0;
    return f1_of(p, r);
}

double sl_metrics_macro_f1(const long *conf, int k, sl_prf *prf)
{
    sl__prf tmp[16]; /* the public and internal types are kept apart: copy */
    if (k < 0 || k > 16) return 0;
    double m = sl__macro_f1(conf, k, tmp);
    for (int c = 0; prf && c < k; c++) prf[c] = (sl_prf){tmp[c].p, tmp[c].r, tmp[c].f};
    return m;
}

double sl_metrics_pos_f1(const long conf[4])
{
    return sl__pos_f1(conf);
}

/* Marks the code points (by their lead byte) of text covered by spans. */
static size_t mark(const char *text, size_t len, const uint32_t *s, size_t n, uint8_t *bits,
                   uint8_t flag)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t a = s[2 * i], b = s[2 * i + 1];
        if (b > len) b = len;
        for (size_t j = a; j < b; j++) {
            if (((unsigned char)text[j] & 0xc0) == 0x80 || (bits[j] & flag)) continue;
            bits[j] |= flag;
            count++;
        }
    }
    return count;
}

/* Marks the code points of text that pred (flag 1) and gold (flag 2) cover, in bits (len
 * bytes, or a malloc'd buffer when len exceeds the small one); NULL when out of memory. */
static uint8_t *mark_both(const char *text, size_t len, const uint32_t *pred, size_t np,
                          const uint32_t *gold, size_t ng, uint8_t *small, size_t small_len,
                          size_t *P, size_t *G)
{
    uint8_t *bits = len <= small_len ? small : calloc(len, 1);
    if (!bits) return NULL;
    memset(bits, 0, len <= small_len ? len : 0);
    *P = mark(text, len, pred, np, bits, 1);
    *G = mark(text, len, gold, ng, bits, 2);
    return bits;
}

double sl__span_f1(const char *text, size_t len, const uint32_t *pred, size_t np,
                   const uint32_t *gold, size_t ng)
{
    uint8_t small[4096];
    size_t P, G, tp = 0;
    uint8_t *bits = mark_both(text, len, pred, np, gold, ng, small, sizeof small, &P, &G);
    if (!bits) return 0;
    for (size_t j = 0; j < len; j++) tp += bits[j] == 3;
    if (bits != small) free(bits);
    if (!P && !G) return 1;
    if (!P || !G) return 0;
    return f1_of((double)tp / (double)P, (double)tp / (double)G);
}

double sl_metrics_span_f1(const char *text, size_t len, const uint32_t *pred, size_t np,
                          const uint32_t *gold, size_t ng)
{
    return sl__span_f1(text, len, pred, np, gold, ng);
}

int sl_metrics_span_chars(const char *text, size_t len, const uint32_t *pred, size_t np,
                          const uint32_t *gold, size_t ng, long conf[4])
{
    uint8_t small[4096];
    size_t P, G;
    uint8_t *bits = mark_both(text, len, pred, np, gold, ng, small, sizeof small, &P, &G);
    if (!bits) return -1;
    for (size_t j = 0; j < len; j++) {
        if (((unsigned char)text[j] & 0xc0) == 0x80) continue; /* one count per code point */
        conf[(bits[j] >> 1 & 1) * 2 + (bits[j] & 1)]++;
    }
    if (bits != small) free(bits);
    return 0;
}

static int only_space(const char *orig, size_t a, size_t b)
{
    for (size_t i = a; i < b; i++)
        if (orig[i] != ' ' && orig[i] != '\t') return 0;
    return 1;
}

size_t sl__merge_spans(const char *orig, size_t len, const uint32_t *os, const uint32_t *oe,
                       const uint8_t *on, size_t ntok, uint32_t *out, size_t max)
{
    size_t n = 0;
    for (size_t t = 0; t < ntok && max; t++) {
        uint32_t a = os[t], b = oe[t];
        if (!on[t] || a >= b || b > len) continue;
        uint32_t last = n ? out[2 * n - 1] : 0;
        if (n && last <= a && (n == max || only_space(orig, last, a))) {
            out[2 * n - 1] = b;
            continue;
        }
        if (n && last > a) { /* overlapping tokens (a view byte from several originals) */
            if (b > last) out[2 * n - 1] = b;
            continue;
        }
        out[2 * n] = a;
        out[2 * n + 1] = b;
        n++;
    }
    return n;
}

/* ---- running figures ------------------------------------------------------------------------ */

void sl__eval_classify(sl__eval *e, const sl_prediction *p, int gold)
{
    if (gold >= 0 && gold < 3) e->conf[gold * 3 + p->label]++;
}

void sl__eval_ctsd(sl__eval *e, const sl_prediction *p, int constructive, int toxic)
{
    e->toxic[(toxic ? 2 : 0) + (p->toxic > 0.5f)]++;
    e->constructive[(constructive ? 2 : 0) + (p->constructive > 0.5f)]++;
}

void sl__eval_spans(sl__eval *e, const sl_prediction *p, const char *text, size_t len,
                    const uint32_t *gold, size_t ngold)
{
    e->span_sum += sl__span_f1(text, len, p->spans, p->nspans, gold, ngold);
    e->nspan++;
}

double sl__eval_span_f1(const sl__eval *e)
{
    return e->nspan ? e->span_sum / (double)e->nspan : 0;
}

static long total(const long *v, int n)
{
    long s = 0;
    for (int i = 0; i < n; i++) s += v[i];
    return s;
}

static sl_status report_classify(const sl__eval *e, const char *px, sl_buf *b)
{
    static const char *const names[3] = {"clean", "offensive", "hate"};
    sl__prf prf[3];
    double m = sl__macro_f1(e->conf, 3, prf);
    sl_status st = sl_buf_printf(b, "%sclassify.n: %ld\n%sclassify.macro_f1: %.4f\n", px,
                                 total(e->conf, 9), px, m);
    for (int c = 0; !st && c < 3; c++)
        st = sl_buf_printf(b, "%sclassify.%s: P %.4f R %.4f F1 %.4f\n", px, names[c], prf[c].p,
                           prf[c].r, prf[c].f);
    for (int g = 0; !st && g < 3; g++)
        st = sl_buf_printf(b, "%sclassify.confusion.%s: %ld %ld %ld\n", px, names[g],
                           e->conf[g * 3], e->conf[g * 3 + 1], e->conf[g * 3 + 2]);
    return st;
}

int sl__eval_report(const sl__eval *e, const char *px, sl_buf *b)
{
    sl_status st = SL_OK;
    if (total(e->conf, 9)) st = report_classify(e, px, b);
    if (!st && e->nspan)
        st = sl_buf_printf(b, "%sspans.n: %ld\n%sspans.f1: %.4f\n", px, e->nspan, px,
                           sl__eval_span_f1(e));
    if (!st && total(e->toxic, 4))
        st = sl_buf_printf(b,
                           "%sctsd.n: %ld\n%sctsd.toxic_macro_f1: %.4f\n"
                           "%sctsd.constructive_f1: %.4f\n",
                           px, total(e->toxic, 4), px, sl__macro_f1(e->toxic, 2, NULL), px,
                           sl__pos_f1(e->constructive));
    return st;
}
