/* Models with pretrained vectors: the vectors and dense weights survive the file round trip,
 * a model without them (format 1) still loads, and what the vectors are for: an insult never
 * seen in training, whose vector lies near the known insults, is found by the comment heads and
 * the span tagger, where the same model without vectors cannot know it. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "model/feat.h"
#include "model/format.h"
#include "model/metrics.h"
#include "model/mtext.h"
#include "model/predict.h"
#include "model/vecfeat.h"
#include "model/vectors.h"
#include "sangloc/model.h"

#define DIM 16

static float frand(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return (float)(*s % 20001) / 10000.0f - 1.0f;
}

/* Words of the task. Insults and praise fill the same slot ("mày X lắm"), so only the word
 * says which it is; UNSEEN is never in a training text. */
static const char *const insults[] = {"ngu", "khốn", "điên", "đần"};
static const char *const praise[] = {"giỏi", "hay", "đẹp", "xinh"};
static const char *const topics[] = {"bài", "phim", "sách", "xe", "quán", "nhạc"};
static const char *const others[] = {"này", "mày", "lắm", "thấy", "nói"};
#define UNSEEN "hâm"

/* The NORM token hash of a one-word text: the key the model looks vectors up by. */
static uint64_t word_key(sl__mtext *mt, const char *w)
{
    sl_error err = {0};
    sl__tok tok[4];
    assert_int_equal(sl__mtext_build(mt, w, strlen(w), &err), SL_OK);
    assert_int_equal(sl__tokenize(&mt->view[0], tok, 4), 1);
    return tok[0].h;
}

/* Vectors where every insult (UNSEEN included) is one direction plus noise, praise another,
 * the rest random. */
static unsigned char *make_vectors(size_t *len)
{
    const char *words[32];
    size_t n = 0;
    for (size_t i = 0; i < 4; i++) words[n++] = insults[i];
    words[n++] = UNSEEN;
    for (size_t i = 0; i < 4; i++) words[n++] = praise[i];
    for (size_t i = 0; i < 6; i++) words[n++] = topics[i];
    for (size_t i = 0; i < 5; i++) words[n++] = others[i];
    uint64_t keys[32], s = 99;
    float vec[32 * DIM], ngrams[(1u << 8) * DIM];
    sl__mtext mt = {0};
    for (size_t i = 0; i < n; i++) {
        keys[i] = word_key(&mt, words[i]);
        for (size_t d = 0; d < DIM; d++) {
            float base = i < 5 ? (d == 0 ? 1.0f : 0) : i < 9 ? (d == 1 ? 1.0f : 0) : 0;
            vec[i * DIM + d] = base + 0.15f * frand(&s);
        }
    }
    for (size_t i = 0; i < (1u << 8) * DIM; i++) ngrams[i] = 0.05f * frand(&s);
    sl__mtext_free(&mt);
    sl__vectors_src src = {.dim = DIM,
                           .nwords = (uint32_t)n,
                           .bucket_bits = 8,
                           .minn = 3,
                           .maxn = 5,
                           .keys = keys,
                           .word_vecs = vec,
                           .ngram_vecs = ngrams,
                           .meta = "data: synthetic vectors (test)\n"};
    unsigned char *out = NULL;
    sl_error err = {0};
    assert_int_equal(sl__vectors_serialize(&src, &out, len, &err), SL_OK);
    return out;
}

static const char *pick(uint64_t *s, const char *const *v, size_t n)
{
    return v[(size_t)((frand(s) + 1.0f) * 1000) % n];
}

/* "bài này mày ngu lắm": label 1 and the span of the slot word for insults, 0 for praise. */
static int make_example(uint64_t *s, int offensive, const char *word, char *out, size_t cap,
                        uint32_t sp[2])
{
    const char *w = word ? word : offensive ? pick(s, insults, 4) : pick(s, praise, 4);
    int a = snprintf(out, cap, "%s này mày ", pick(s, topics, 6));
    snprintf(out + a, cap - (size_t)a, "%s lắm", w);
    sp[0] = (uint32_t)a;
    sp[1] = (uint32_t)(a + (int)strlen(w));
    return offensive;
}

/* Trains on the task with or without the vectors; returns the model file's bytes. */
static sl_model *train(const unsigned char *vecs, size_t vlen)
{
    sl_train_config cfg = {.cls_bits = 12, .span_bits = 12, .epochs = 30, .folds = 1, .lr = 0.5f};
    sl_trainer *t;
    sl_error err = {0};
    assert_int_equal(sl_trainer_new(&cfg, &t), SL_OK);
    if (vecs)
        assert_int_equal(sl_trainer_set_vectors(t, vecs, vlen, SL_VEC_COMMENT | SL_VEC_SPANS, &err),
                         SL_OK);
    assert_int_equal(sl_trainer_add_source(t, "synthetic", "test"), SL_OK);
    uint64_t s = 5;
    char text[128];
    uint32_t sp[2];
    for (int i = 0; i < 400; i++) {
        int y = make_example(&s, i % 2, NULL, text, sizeof text, sp), dev = i % 5 == 0;
        assert_int_equal(
            sl_trainer_add(t, SL_TASK_CLASSIFY, dev, text, strlen(text), y, 0, NULL, 0, &err),
            SL_OK);
        assert_int_equal(
            sl_trainer_add(t, SL_TASK_SPANS, dev, text, strlen(text), 0, 0, sp, (size_t)y, &err),
            SL_OK);
    }
    /* vectors are given before any example, or not at all */
    if (vecs)
        assert_int_equal(sl_trainer_set_vectors(t, vecs, vlen, SL_VEC_COMMENT, &err), SL_ERR_ARG);
    char path[] = "/tmp/sl_model_vec_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(sl_trainer_run(t, path, &err), SL_OK);
    sl_trainer_free(t);
    sl_model *m = NULL;
    assert_int_equal(sl_model_load(path, &m, &err), SL_OK);
    remove(path);
    return m;
}

static void predict(const sl_model *m, const char *text, sl_prediction *p, double *span_f1,
                    const uint32_t sp[2])
{
    sl_model_scratch *s;
    sl__mtext mt = {0};
    sl_error err = {0};
    assert_int_equal(sl_model_scratch_new(m, &s), SL_OK);
    assert_int_equal(sl__mtext_build(&mt, text, strlen(text), &err), SL_OK);
    assert_int_equal(sl__model_predict_views(m, s, &mt.view[0], &mt.view[1], text, strlen(text), p),
                     SL_OK);
    *span_f1 = sl__span_f1(text, strlen(text), p->spans, p->nspans, sp, 1);
    sl__mtext_free(&mt);
    sl_model_scratch_free(s);
}

static void test_unseen_insult_found_through_vectors(void **state)
{
    (void)state;
    size_t vlen;
    unsigned char *vecs = make_vectors(&vlen);
    sl_model *with = train(vecs, vlen), *without = train(NULL, 0);
    assert_int_equal(with->p->vec_dim, DIM);
    assert_int_equal(without->p->vec_dim, 0);
    assert_non_null(strstr(sl_model_info(with), "vectors.data: synthetic vectors (test)"));

    uint64_t s = 11;
    char text[128];
    uint32_t sp[2];
    make_example(&s, 1, UNSEEN, text, sizeof text, sp);
    sl_prediction a, b;
    double fa, fb;
    predict(with, text, &a, &fa, sp);
    predict(without, text, &b, &fb, sp);
    printf("'%s': with vectors P(clean) %.3f span F1 %.2f; without P(clean) %.3f span F1 %.2f\n",
           text, a.probs[0], fa, b.probs[0], fb);
    assert_int_not_equal(a.label, SL_LABEL_CLEAN);
    assert_true(fa > 0.99);
    /* without vectors the word is unknown: neither the heads nor the tagger see it */
    assert_true(b.probs[0] > a.probs[0] + 0.2f);
    assert_true(fb < 0.5);

    /* praise in the same slot is not pushed the same way, and gets no span */
    float unseen_clean = a.probs[0];
    make_example(&s, 0, "giỏi", text, sizeof text, sp);
    predict(with, text, &a, &fa, sp);
    printf("'%s': P(clean) %.3f, %zu spans\n", text, a.probs[0], a.nspans);
    assert_true(a.probs[0] > unseen_clean + 0.1f);
    assert_int_equal(a.nspans, 0);
    sl_model_free(with);
    sl_model_free(without);
    free(vecs);
}

/* The fast dense logits of a prediction (precomputed word dots) equal the features of
 * model/vecfeat.c, as training computes them, times the DENSE weights. */
static void test_fast_dense_logits_match_training_features(void **state)
{
    (void)state;
    size_t vlen;
    unsigned char *vecs = make_vectors(&vlen);
    sl_model *m = train(vecs, vlen);
    sl_model_scratch *s;
    sl__mtext mt = {0};
    sl_error err = {0};
    assert_int_equal(sl_model_scratch_new(m, &s), SL_OK);
    const char *texts[] = {"xe này mày hâm lắm", "bài này mày giỏi lắm, công an nói thế",
                           "từ lạ chưa thấy bao giờ 😒 !!!", ""};
    size_t dim = m->p->vec_dim, cd = m->p->cls_dense, sd = m->p->span_dense;
    assert_true(cd == 2 * dim && sd == 3 * dim);
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
        assert_int_equal(sl__mtext_build(&mt, texts[k], strlen(texts[k]), &err), SL_OK);
        sl__tok toks[64];
        size_t nn = sl__tokenize(&mt.view[0], toks, 64);
        sl__mask_targets(&m->targets, toks, nn);
        float fast[SL__CLS_COLS];
        const float *tdot;
        sl__model_vector_logits(m, s, toks, nn, &mt.view[0], fast, &tdot);
        float tokvec[64 * DIM], pooled[2 * DIM], window[3 * DIM];
        sl__vec_comment(&m->vec, toks, nn, &mt.view[0], tokvec, pooled);
        const sl__dense *d = &m->dense;
        for (size_t c = 0; c < SL__CLS_COLS; c++) {
            double ref = 0;
            for (size_t i = 0; i < cd; i++)
                ref += (pooled[i] - d->cls_mu[i]) * d->cls_inv[i] * d->cls_w[i * SL__CLS_COLS + c];
            assert_float_equal(fast[c], ref, 1e-4);
        }
        for (size_t t = 0; t < nn; t++) {
            sl__vec_token(tokvec, nn, t, dim, window);
            double ref = 0, got = m->span_bd + tdot[3 * t] + (t > 0 ? tdot[3 * (t - 1) + 1] : 0) +
                                  (t + 1 < nn ? tdot[3 * (t + 1) + 2] : 0);
            for (size_t i = 0; i < sd; i++)
                ref += (window[i] - d->span_mu[i]) * d->span_inv[i] * d->span_w[i];
            assert_float_equal(got, ref, 1e-4);
        }
    }
    sl__mtext_free(&mt);
    sl_model_scratch_free(s);
    sl_model_free(m);
    free(vecs);
}

/* A serialized model with vectors and random dense weights. */
static unsigned char *model_with_vectors(size_t *len, const unsigned char *vecs, size_t vlen,
                                         float **dense_out)
{
    size_t rows = (size_t)1 << 10;
    float *cls = calloc(rows * SL__CLS_COLS, sizeof *cls), *span = calloc(rows, sizeof *span);
    sl__weights w = {0};
    w.params.cls_bits = w.params.span_bits = 10;
    w.params.cls_cols = SL__CLS_COLS;
    w.params.block_rows = SL__BLOCK_ROWS;
    w.params.has_cls = w.params.has_span = 1;
    w.params.span_threshold = 0.5f;
    w.params.span_gate = 2.0f;
    w.params.vec_dim = DIM;
    w.params.cls_dense = 2 * DIM;
    w.params.span_dense = 3 * DIM;
    size_t nd = sl__dense_floats(&w.params);
    float *dense = malloc(nd * sizeof *dense);
    uint64_t s = 3;
    for (size_t i = 0; i < nd; i++) dense[i] = frand(&s);
    w.cls = cls;
    w.span = span;
    w.meta = "format: slm2\n";
    w.vecs = vecs;
    w.vecs_len = vlen;
    w.dense = dense;
    unsigned char *buf = NULL;
    sl_error err = {0};
    assert_int_equal(sl__model_serialize(&w, &buf, len, &err), SL_OK);
    /* vector settings without the vectors are refused */
    w.vecs = NULL;
    unsigned char *bad = NULL;
    size_t blen;
    assert_int_equal(sl__model_serialize(&w, &bad, &blen, &err), SL_ERR_ARG);
    free(cls);
    free(span);
    *dense_out = dense;
    return buf;
}

static void test_file_round_trip_and_refusals(void **state)
{
    (void)state;
    size_t vlen, len;
    float *dense;
    unsigned char *vecs = make_vectors(&vlen);
    unsigned char *buf = model_with_vectors(&len, vecs, vlen, &dense);
    sl_model *m = NULL;
    sl_error err = {0};
    assert_int_equal(sl_model_load_memory(buf, len, &m, &err), SL_OK);
    assert_int_equal(m->vec.dim, DIM);
    assert_memory_equal(m->dense.cls_mu, dense, sl__dense_floats(m->p) * sizeof(float));
    assert_true(m->dense.span_w[3 * DIM - 1] == dense[sl__dense_floats(m->p) - 1]);
    sl_model_free(m);
    /* every cut of the file is refused with a message */
    for (size_t cut = 0; cut < len; cut += 331) {
        m = (sl_model *)1;
        assert_int_equal(sl_model_load_memory(buf, cut, &m, &err), SL_ERR_MODEL);
        assert_null(m);
    }
    /* a format 1 file (no vectors) still loads */
    sl__weights w = {0};
    float *cls = calloc(((size_t)1 << 10) * SL__CLS_COLS, sizeof *cls);
    w.params.cls_bits = w.params.span_bits = 10;
    w.params.cls_cols = SL__CLS_COLS;
    w.params.block_rows = SL__BLOCK_ROWS;
    w.cls = cls;
    w.meta = "format: slm1\n";
    unsigned char *old;
    size_t olen;
    assert_int_equal(sl__model_serialize(&w, &old, &olen, &err), SL_OK);
    uint32_t one = 1;
    memcpy(old + 8, &one, 4);
    assert_int_equal(sl_model_load_memory(old, olen, &m, &err), SL_OK);
    assert_int_equal(m->p->vec_dim, 0);
    sl_model_free(m);
    uint32_t three = 3;
    memcpy(old + 8, &three, 4);
    assert_int_equal(sl_model_load_memory(old, olen, &m, &err), SL_ERR_MODEL);
    assert_non_null(strstr(err.message, "format 3"));
    free(old);
    free(cls);
    free(buf);
    free(dense);
    free(vecs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unseen_insult_found_through_vectors),
        cmocka_unit_test(test_fast_dense_logits_match_training_features),
        cmocka_unit_test(test_file_round_trip_and_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
