/* Model file round trip, rejection of truncated and corrupt files, deterministic predictions,
 * and a small training run that must learn a synthetic task (so training can visibly fail). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/format.h"
#include "model/metrics.h"
#include "model/mtext.h"
#include "model/predict.h"
#include "sangloc/model.h"

#define BITS 10

static float frand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)(*s % 20001) / 10000.0f - 1.0f;
}

/* A small model with random weights, serialized. */
static unsigned char *make_file(size_t *len, float **cls_out)
{
    size_t rows = (size_t)1 << BITS;
    float *cls = malloc(rows * SL__CLS_COLS * sizeof *cls), *span = malloc(rows * sizeof *span);
    uint64_t s = 42;
    for (size_t i = 0; i < rows * SL__CLS_COLS; i++) cls[i] = frand(&s);
    for (size_t i = 0; i < rows; i++) span[i] = frand(&s);
    sl__weights w = {0};
    w.params.cls_bits = w.params.span_bits = BITS;
    w.params.cls_cols = SL__CLS_COLS;
    w.params.block_rows = SL__BLOCK_ROWS;
    w.params.has_cls = w.params.has_span = w.params.has_ctsd = 1;
    w.params.decision_bias[1] = 0.5f;
    w.params.span_threshold = 0.5f;
    w.params.span_gate = 2.0f;
    w.cls = cls;
    w.span = span;
    w.meta = "format: slm1\ndata: synthetic (test)\n";
    unsigned char *buf = NULL;
    sl_error err = {0};
    assert_int_equal(sl__model_serialize(&w, &buf, len, &err), SL_OK);
    free(span);
    if (cls_out)
        *cls_out = cls;
    else
        free(cls);
    return buf;
}

static void test_round_trip(void **state)
{
    size_t len;
    float *cls;
    unsigned char *buf = make_file(&len, &cls);
    sl_model *m = NULL;
    sl_error err = {0};
    assert_int_equal(sl_model_load_memory(buf, len, &m, &err), SL_OK);
    assert_non_null(strstr(sl_model_info(m), "synthetic (test)"));
    assert_int_equal(strncmp(sl_model_version(m), "slm1-", 5), 0);
    assert_int_equal(m->p->cls_bits, BITS);
    assert_true(m->p->decision_bias[1] == 0.5f);
    /* dequantized weights are within half a quantization step of the originals */
    for (size_t i = 0; i < ((size_t)1 << BITS) * SL__CLS_COLS; i++) {
        float s = m->cls_s[(i / SL__CLS_COLS) / SL__BLOCK_ROWS * SL__CLS_COLS + i % SL__CLS_COLS];
        float d = (float)m->cls_w[i] * s - cls[i];
        assert_true(d <= s * 0.5f + 1e-6f && d >= -s * 0.5f - 1e-6f);
    }
    sl_model_free(m);
    free(cls);
    free(buf);
}

static void test_truncated_rejected(void **state)
{
    size_t len;
    unsigned char *buf = make_file(&len, NULL);
    for (size_t cut = 0; cut < len; cut += (cut < 512 ? 1 : 997)) {
        sl_model *m = (sl_model *)1;
        sl_error err = {0};
        sl_status st = sl_model_load_memory(buf, cut, &m, &err);
        if (st != SL_ERR_MODEL) fprintf(stderr, "cut at %zu: status %d\n", cut, st);
        assert_int_equal(st, SL_ERR_MODEL);
        assert_null(m);
        assert_true(err.message[0] != '\0');
    }
    free(buf);
}

static void test_corrupt_rejected(void **state)
{
    size_t len;
    unsigned char *buf = make_file(&len, NULL);
    const size_t where[] = {0, 9, 12, 17, 30, 64, 70, 90, 200, len / 2, len - 1};
    for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
        buf[where[i]] ^= 0x5a;
        sl_model *m = NULL;
        sl_error err = {0};
        assert_int_equal(sl_model_load_memory(buf, len, &m, &err), SL_ERR_MODEL);
        assert_null(m);
        buf[where[i]] ^= 0x5a;
    }
    /* a corrupt file on disk gives the same error with a message */
    char path[] = "/tmp/sl_model_test_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "wb");
    buf[len / 3] ^= 1;
    fwrite(buf, 1, len, f);
    fclose(f);
    sl_model *m = NULL;
    sl_error err = {0};
    assert_int_equal(sl_model_load(path, &m, &err), SL_ERR_MODEL);
    assert_non_null(strstr(err.message, "checksum"));
    remove(path);
    assert_int_equal(sl_model_load("/nonexistent/model.slm", &m, &err), SL_ERR_IO);
    free(buf);
}

static sl_status predict(const sl_model *m, sl_model_scratch *s, sl__mtext *mt, const char *text,
                         sl_prediction *p)
{
    sl_error err = {0};
    sl_status st = sl__mtext_build(mt, text, strlen(text), &err);
    if (!st) st = sl__model_predict_views(m, s, &mt->view[0], &mt->view[1], text, strlen(text), p);
    return st;
}

static void test_deterministic(void **state)
{
    size_t len;
    unsigned char *buf = make_file(&len, NULL);
    sl_model *m = NULL;
    sl_error err = {0};
    assert_int_equal(sl_model_load_memory(buf, len, &m, &err), SL_OK);
    sl_model_scratch *s;
    assert_int_equal(sl_model_scratch_new(m, &s), SL_OK);
    sl__mtext mt = {0};
    const char *text = "Thằng này ngu vãi, nói chuyện như c*t 😒 nhưng bài viết hay";
    sl_prediction a, b;
    assert_int_equal(predict(m, s, &mt, text, &a), SL_OK);
    float probs[3] = {a.probs[0], a.probs[1], a.probs[2]};
    size_t nspans = a.nspans;
    assert_int_equal(predict(m, s, &mt, "something else entirely", &b), SL_OK);
    assert_int_equal(predict(m, s, &mt, text, &b), SL_OK);
    assert_memory_equal(probs, b.probs, sizeof probs);
    assert_int_equal(nspans, b.nspans);
    assert_true(a.probs[0] + a.probs[1] + a.probs[2] > 0.999f);
    sl__mtext_free(&mt);
    sl_model_scratch_free(s);
    sl_model_free(m);
    free(buf);
}

/* ---- a tiny task the trainer must learn ------------------------------------------------------ */

static const char *const insults[] = {"đồ ngu", "thằng khốn", "con điên", "óc chó", "đồ rác rưởi"};
static const char *const hates[] = {"giết hết bọn", "đập chết lũ", "tiêu diệt hết bọn"};
static const char *const topics[] = {"bài hát",   "trận đấu",  "bộ phim",  "món ăn",
                                     "chuyến đi", "cuốn sách", "chiếc xe", "quán cà phê"};
static const char *const civil[] = {"rất hay", "thật tuyệt", "khá ổn", "hơi dài", "đáng xem"};

static void make_example(uint64_t *s, int label, char *out, size_t cap, uint32_t sp[2])
{
    const char *topic = topics[(size_t)(frand(s) * 1000 + 1000) % 8];
    const char *c = civil[(size_t)(frand(s) * 1000 + 1000) % 5];
    if (label == SL_LABEL_CLEAN) {
        snprintf(out, cap, "%s này %s", topic, c);
        sp[0] = sp[1] = 0;
    } else {
        const char *w = label == 1 ? insults[(size_t)(frand(s) * 1000 + 1000) % 5]
                                   : hates[(size_t)(frand(s) * 1000 + 1000) % 3];
        int n = snprintf(out, cap, "%s này %s, ", topic, c);
        snprintf(out + n, cap - (size_t)n, "%s", w);
        sp[0] = (uint32_t)n;
        sp[1] = (uint32_t)strlen(out);
    }
}

/* Trains on synthetic data with `folds` cross-validation folds (1: none) and checks the model
 * learnt the labels and spans, and that its header says how its decisions were chosen. */
static void train_and_check(unsigned folds, const char *cv_line)
{
    sl_train_config cfg = {.cls_bits = 14, .span_bits = 12, .epochs = 6, .folds = folds};
    sl_trainer *t;
    assert_int_equal(sl_trainer_new(&cfg, &t), SL_OK);
    assert_int_equal(sl_trainer_add_source(t, "synthetic", "test"), SL_OK);
    uint64_t s = 7;
    char text[256];
    uint32_t sp[2];
    sl_error err = {0};
    for (int i = 0; i < 600; i++) {
        int label = i % 3, dev = i % 5 == 0;
        make_example(&s, label, text, sizeof text, sp);
        assert_int_equal(
            sl_trainer_add(t, SL_TASK_CLASSIFY, dev, text, strlen(text), label, 0, NULL, 0, &err),
            SL_OK);
        assert_int_equal(sl_trainer_add(t, SL_TASK_SPANS, dev, text, strlen(text), 0, 0, sp,
                                        label ? 1 : 0, &err),
                         SL_OK);
    }
    char path[] = "/tmp/sl_model_train_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(sl_trainer_run(t, path, &err), SL_OK);
    sl_trainer_free(t);
    sl_model *m = NULL;
    assert_int_equal(sl_model_load(path, &m, &err), SL_OK);
    remove(path);
    assert_non_null(strstr(sl_model_info(m), "data: synthetic (test)"));
    assert_non_null(strstr(sl_model_info(m), "dev.classify.macro_f1"));
    if (cv_line)
        assert_non_null(strstr(sl_model_info(m), cv_line));
    else
        assert_null(strstr(sl_model_info(m), "classifier_cv:"));
    sl_model_scratch *sc;
    assert_int_equal(sl_model_scratch_new(m, &sc), SL_OK);
    sl__mtext mt = {0};
    int right = 0, span_ok = 0;
    for (int i = 0; i < 90; i++) {
        int label = i % 3;
        sl_prediction p;
        make_example(&s, label, text, sizeof text, sp);
        assert_int_equal(predict(m, sc, &mt, text, &p), SL_OK);
        right += p.label == label;
        double f = sl__span_f1(text, strlen(text), p.spans, p.nspans, sp, label ? 1 : 0);
        span_ok += f > 0.8;
    }
    printf("synthetic: %d/90 labels right, %d/90 span F1 > 0.8\n", right, span_ok);
    assert_true(right >= 85);
    assert_true(span_ok >= 80);
    sl__mtext_free(&mt);
    sl_model_scratch_free(sc);
    sl_model_free(m);
}

static void test_training_learns(void **state)
{
    (void)state;
    /* every fifth text is dev; the others are scored out of fold */
    train_and_check(5, "classifier_cv: 5 folds of ");
}

static void test_training_without_folds(void **state)
{
    (void)state;
    train_and_check(1, NULL);
}

static void test_bad_arguments(void **state)
{
    sl_model *m = NULL;
    sl_error err = {0};
    assert_int_equal(sl_model_load(NULL, &m, &err), SL_ERR_ARG);
    assert_int_equal(sl_model_load_memory(NULL, 10, &m, &err), SL_ERR_ARG);
    assert_int_equal(sl_model_scratch_new(NULL, NULL), SL_ERR_ARG);
    assert_int_equal(sl_model_predict(NULL, NULL, NULL, NULL), SL_ERR_ARG);
    sl_trainer *t;
    sl_train_config bad = {.cls_bits = 40};
    assert_int_equal(sl_trainer_new(&bad, &t), SL_ERR_ARG);
    assert_int_equal(sl_trainer_new(NULL, &t), SL_OK);
    assert_int_equal(sl_trainer_add(t, SL_TASK_CLASSIFY, 0, "x", 1, 7, 0, NULL, 0, &err),
                     SL_ERR_ARG);
    assert_int_equal(sl_trainer_add(t, SL_TASK_CLASSIFY, 0, "\xff", 1, 0, 0, NULL, 0, &err),
                     SL_ERR_INVALID_UTF8);
    assert_int_equal(sl_trainer_run(t, "/tmp/never-written.slm", &err), SL_ERR_ARG);
    sl_trainer_free(t);
    sl_model_free(NULL);
    sl_model_scratch_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),       cmocka_unit_test(test_truncated_rejected),
        cmocka_unit_test(test_corrupt_rejected), cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_training_learns),  cmocka_unit_test(test_training_without_folds),
        cmocka_unit_test(test_bad_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
