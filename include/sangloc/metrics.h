/* sangloc/metrics.h — the figures `sangloc eval` and the trainer report, for any caller that
 * scores verdicts against labelled data.
 *
 * Confusion matrices are row-major by gold label: conf[gold * k + predicted]. Span F1 follows
 * ViHOS: per comment, the F1 between the sets of predicted and gold offensive characters (code
 * points of the original text), 1 when both are empty; the caller averages over comments. */
#ifndef SANGLOC_METRICS_H
#define SANGLOC_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl_prf {
    double p, r, f; /* precision, recall, F1 of one class */
} sl_prf;

/* Per-class precision/recall/F1 of a k x k confusion matrix, k <= 16 (prf: k entries, or NULL);
 * returns the macro-F1. */
double sl_metrics_macro_f1(const long *conf, int k, sl_prf *prf);

/* F1 of the positive class of a 2 x 2 confusion matrix. */
double sl_metrics_pos_f1(const long conf[4]);

/* ViHOS character F1 of one comment; pred and gold are 2*np and 2*ng byte offsets
 * [start, end) of text (offsets past len are clipped). 0 when out of memory. */
double sl_metrics_span_f1(const char *text, size_t len, const uint32_t *pred, size_t np,
                          const uint32_t *gold, size_t ng);

/* Character-level counts (the ViHOS character macro-F1 pools them over a data set): adds one
 * to conf[gold * 2 + predicted] for every code point of text, where 1 means inside a span.
 * The macro-F1 of the pooled counts is sl_metrics_macro_f1(conf, 2, NULL). -1 when out of
 * memory (nothing added), else 0. */
int sl_metrics_span_chars(const char *text, size_t len, const uint32_t *pred, size_t np,
                          const uint32_t *gold, size_t ng, long conf[4]);

#endif
