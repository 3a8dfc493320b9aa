/* model/metrics.h — the figures the trainer and `sangloc eval` report (internal).
 *
 * Span F1 follows ViHOS: per comment, F1 between the sets of predicted and gold offensive
 * characters (code points of the original text), 1 when both are empty; averaged over
 * comments by the caller. */
#ifndef SL_MODEL_METRICS_H
#define SL_MODEL_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct sl__prf {
    double p, r, f;
} sl__prf;

/* Per-class precision/recall/F1 from a k x k confusion matrix conf[gold*k + pred];
 * returns the macro-F1. prf may be NULL. */
double sl__macro_f1(const long *conf, int k, sl__prf *prf);

/* F1 of the positive class of a 2 x 2 confusion matrix. */
double sl__pos_f1(const long conf[4]);

/* ViHOS character F1 of one comment; spans are 2*n byte offsets [start,end) of text. */
double sl__span_f1(const char *text, size_t len, const uint32_t *pred, size_t np,
                   const uint32_t *gold, size_t ng);

/* Turns offensive tokens into spans: tokens (original spans os[i], oe[i], in order) with on[i]
 * set are merged with the previous span when only spaces or tabs separate them. Writes at most
 * max spans (2*max offsets) to out, merging the rest into the last; returns the count. */
size_t sl__merge_spans(const char *orig, size_t len, const uint32_t *os, const uint32_t *oe,
                       const uint8_t *on, size_t ntok, uint32_t *out, size_t max);

/* Running dev figures of every head; zero-initialise, add predictions, then report. */
typedef struct sl__eval {
    long conf[9]; /* classifier: gold*3 + predicted */
    long toxic[4], constructive[4];
    double span_sum;
    long nspan;
} sl__eval;

struct sl_prediction;
void sl__eval_classify(sl__eval *e, const struct sl_prediction *p, int gold);
/* toxic is P(toxic) > 0.5, constructive P(constructive) > 0.5 */
void sl__eval_ctsd(sl__eval *e, const struct sl_prediction *p, int constructive, int toxic);
void sl__eval_spans(sl__eval *e, const struct sl_prediction *p, const char *text, size_t len,
                    const uint32_t *gold, size_t ngold);
double sl__eval_span_f1(const sl__eval *e);

/* Appends the figures as "key: value" lines (prefix before every key, e.g. "dev."); heads with
 * no examples are left out. */
struct sl_buf;
int sl__eval_report(const sl__eval *e, const char *prefix, struct sl_buf *out);

#endif
