/* The vector file (model/vectors.h): written from float vectors, bound, looked up through real
 * tokens (known word, n-gram mean, nothing), and refused when truncated or corrupt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/feat.h"
#include "model/format.h"
#include "model/vecfeat.h"
#include "model/vectors.h"
#include "sangloc/text.h"

#define DIM    8
#define NWORDS 3
#define BBITS  10

typedef struct fixture {
    sl_text *text;
    sl__tok toks[64];
    size_t ntoks;
    uint64_t keys[NWORDS];
    float words[NWORDS * DIM];
    float *ngrams;
    unsigned char *file; /* 64-byte aligned copy */
    size_t len;
} fixture;

static const char *const vocab[NWORDS] = {"ngu", "đẹp", ":)))"};

static float frand(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (float)(*s >> 40) / 16777216.0f * 2.0f - 1.0f;
}

/* The NORM tokens of text (into f->toks). */
static const sl_view *tokens(fixture *f, const char *text)
{
    sl_error err;
    assert_int_equal(sl_text_build(f->text, text, strlen(text), &err), SL_OK);
    const sl_view *v = sl_text_view(f->text, SL_VIEW_NORM);
    f->ntoks = sl__tokenize(v, f->toks, 64);
    return v;
}

static unsigned char *aligned_copy(const void *p, size_t len)
{
    unsigned char *c = aligned_alloc(64, (len + 63) / 64 * 64);
    assert_non_null(c);
    memcpy(c, p, len);
    return c;
}

static sl__vectors_src source(fixture *f, unsigned bucket_bits)
{
    return (sl__vectors_src){.dim = DIM,
                             .nwords = NWORDS,
                             .bucket_bits = bucket_bits,
                             .minn = 3,
                             .maxn = 6,
                             .keys = f->keys,
                             .word_vecs = f->words,
                             .ngram_vecs = f->ngrams,
                             .meta = "method: test\nsource: none (public domain)"};
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    f->text = sl_text_new();
    uint64_t s = 42;
    for (int w = 0; w < NWORDS; w++) {
        tokens(f, vocab[w]);
        assert_int_equal(f->ntoks, 1);
        f->keys[w] = f->toks[0].h;
    }
    for (size_t i = 0; i < NWORDS * DIM; i++) f->words[i] = frand(&s);
    f->ngrams = malloc(((size_t)1 << BBITS) * DIM * sizeof *f->ngrams);
    for (size_t i = 0; i < ((size_t)1 << BBITS) * DIM; i++) f->ngrams[i] = frand(&s) * 3;
    sl__vectors_src src = source(f, BBITS);
    unsigned char *buf;
    sl_error err;
    assert_int_equal(sl__vectors_serialize(&src, &buf, &f->len, &err), SL_OK);
    f->file = aligned_copy(buf, f->len);
    free(buf);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    sl_text_free(f->text);
    free(f->ngrams);
    free(f->file);
    free(f);
    return 0;
}

/* |a - b| within the int8 rounding of a row whose largest value is maxabs */
static void assert_close(const float *a, const float *b, float tol)
{
    for (int d = 0; d < DIM; d++)
        if (!(a[d] - b[d] <= tol && b[d] - a[d] <= tol))
            fail_msg("dimension %d: %f vs %f (tolerance %f)", d, (double)a[d], (double)b[d],
                     (double)tol);
}

static void ngram_mean(const fixture *f, const sl_view *v, const sl__tok *t, float *out)
{
    uint32_t b[SL__VEC_MAX_NGRAMS];
    size_t n = sl__vectors_ngrams(v->data + t->vs, t->ve - t->vs, 3, 6, BBITS, 0, b);
    assert_true(n > 0);
    memset(out, 0, DIM * sizeof *out);
    for (size_t j = 0; j < n; j++)
        for (int d = 0; d < DIM; d++) out[d] += f->ngrams[(size_t)b[j] * DIM + d] / (float)n;
}

static void test_round_trip(void **state)
{
    fixture *f = *state;
    sl__vectors v;
    sl_error err;
    assert_int_equal(sl__vectors_bind(&v, f->file, f->len, &err), SL_OK);
    assert_int_equal(v.dim, DIM);
    assert_int_equal(v.nwords, NWORDS);
    assert_int_equal(v.bucket_bits, BBITS);
    assert_non_null(strstr(v.meta, "source: none (public domain)"));
    /* known words (a symbol token too): their own vectors, to int8 precision */
    const sl_view *nv = tokens(f, "Ngu đẹp :))) xyzabc !? ngu");
    assert_int_equal(f->ntoks, 6);
    float out[DIM], want[DIM];
    const int known[3][2] = {{0, 0}, {1, 1}, {2, 2}};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(sl__vectors_token(&v, &f->toks[known[k][0]], nv, out), 1);
        assert_close(out, f->words + known[k][1] * DIM, 1.0f / 254 + 1e-6f);
    }
    /* an unknown word: the mean of its n-gram rows */
    assert_int_equal(sl__vectors_token(&v, &f->toks[3], nv, out), 2);
    ngram_mean(f, nv, &f->toks[3], want);
    assert_close(out, want, 3.0f / 254 + 1e-5f);
    /* an unknown symbol: nothing */
    memset(out, 0x7f, sizeof out);
    assert_int_equal(sl__vectors_token(&v, &f->toks[4], nv, out), 0);
    for (int d = 0; d < DIM; d++) assert_true(out[d] == 0.0f);
}

/* Pooling: the mean and max over the tokens that have a vector (symbols without one and group
 * references skipped), each token's vector kept for the span tagger. */
static void test_pool(void **state)
{
    fixture *f = *state;
    sl__vectors v;
    sl_error err;
    assert_int_equal(sl__vectors_bind(&v, f->file, f->len, &err), SL_OK);
    const sl_view *nv = tokens(f, "!? ngu !? đẹp ngu");
    f->toks[4].masked = 1; /* as if the last word named a group */
    float pooled[2 * DIM], *mean = pooled, *max = pooled + DIM, tokvec[8 * DIM];
    float a[DIM], b[DIM], want_mean[DIM], want_max[DIM];
    sl__vec_comment(&v, f->toks, f->ntoks, nv, tokvec, pooled);
    for (int d = 0; d < DIM; d++) assert_true(tokvec[4 * DIM + d] == 0 && tokvec[d] == 0);
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, a), 1);
    assert_int_equal(sl__vectors_token(&v, &f->toks[3], nv, b), 1);
    for (int d = 0; d < DIM; d++) {
        want_mean[d] = (a[d] + b[d]) / 2;
        want_max[d] = a[d] > b[d] ? a[d] : b[d];
    }
    assert_close(mean, want_mean, 1e-6f);
    assert_memory_equal(max, want_max, DIM * sizeof *max);
    assert_memory_equal(tokvec + 3 * DIM, b, sizeof b);
    nv = tokens(f, "!? ...");
    sl__vec_comment(&v, f->toks, f->ntoks, nv, tokvec, pooled);
    for (int d = 0; d < DIM; d++) assert_true(mean[d] == 0 && max[d] == 0);
}

/* Folded vectors: a word and an unknown word have one vector whether their diacritics were
 * typed or not; as spelled (the default) the two spellings differ. */
static void test_folded_words(void **state)
{
    fixture *f = *state;
    sl__vectors v;
    sl_error err;
    uint64_t keys[NWORDS];
    for (int w = 0; w < NWORDS; w++) {
        tokens(f, vocab[w]);
        keys[w] = f->toks[0].fh;
    }
    sl__vectors_src src = source(f, BBITS);
    src.flags = SL__VEC_FOLDED;
    src.keys = keys;
    unsigned char *file, *copy;
    size_t len;
    assert_int_equal(sl__vectors_serialize(&src, &file, &len, &err), SL_OK);
    copy = aligned_copy(file, len);
    assert_int_equal(sl__vectors_bind(&v, copy, len, &err), SL_OK);
    assert_int_equal(v.flags, SL__VEC_FOLDED);
    const sl_view *nv = tokens(f, "thằng khốn");
    float a[DIM], b[DIM];
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, a), 2);
    nv = tokens(f, "thang khon");
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, b), 2);
    assert_memory_equal(a, b, sizeof a);
    nv = tokens(f, "khong");
    assert_int_equal(sl__vectors_token(&v, &f->toks[0], nv, b), 2);
    assert_memory_not_equal(a, b, sizeof a);
    nv = tokens(f, "đẹp dep");
    assert_int_equal(sl__vectors_token(&v, &f->toks[0], nv, a), 1);
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, b), 1);
    assert_memory_equal(a, b, sizeof a);

    assert_int_equal(sl__vectors_bind(&v, f->file, f->len, &err), SL_OK);
    assert_int_equal(v.flags, 0);
    nv = tokens(f, "thằng khốn");
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, a), 2);
    nv = tokens(f, "thang khon");
    assert_int_equal(sl__vectors_token(&v, &f->toks[1], nv, b), 2);
    assert_memory_not_equal(a, b, sizeof a);
    free(copy);
    free(file);
}

/* No n-gram table: unknown words have no vector; a key of 0 is stored and found as 1. */
static void test_no_ngrams_and_zero_key(void **state)
{
    fixture *f = *state;
    uint64_t saved = f->keys[1];
    f->keys[1] = 0;
    sl__vectors_src src = source(f, 0);
    unsigned char *buf;
    size_t len;
    sl_error err;
    assert_int_equal(sl__vectors_serialize(&src, &buf, &len, &err), SL_OK);
    f->keys[1] = saved;
    unsigned char *file = aligned_copy(buf, len);
    free(buf);
    assert_true(len < f->len);
    sl__vectors v;
    assert_int_equal(sl__vectors_bind(&v, file, len, &err), SL_OK);
    assert_null(v.ngram_w);
    const sl_view *nv = tokens(f, "xyzabc");
    float out[DIM];
    assert_int_equal(sl__vectors_token(&v, &f->toks[0], nv, out), 0);
    sl__tok t = f->toks[0];
    t.h = 0;
    assert_int_equal(sl__vectors_token(&v, &t, nv, out), 1);
    assert_close(out, f->words + DIM, 1.0f / 254 + 1e-6f);
    t.h = 1;
    assert_int_equal(sl__vectors_token(&v, &t, nv, out), 1);
    free(file);
}

static void test_write_file(void **state)
{
    fixture *f = *state;
    char path[] = "/tmp/sl_vectors_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sl__vectors_src src = source(f, BBITS);
    sl_error err;
    assert_int_equal(sl__vectors_write(&src, path, &err), SL_OK);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    unsigned char *got = aligned_alloc(64, (f->len + 64) / 64 * 64);
    assert_int_equal(fread(got, 1, f->len + 1, fp), f->len);
    fclose(fp);
    remove(path);
    assert_memory_equal(got, f->file, f->len);
    free(got);
    /* duplicate keys and non-finite vectors are refused */
    uint64_t keys[NWORDS] = {5, 7, 5};
    src.keys = keys;
    unsigned char *buf;
    size_t len;
    assert_int_equal(sl__vectors_serialize(&src, &buf, &len, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "duplicate"));
    src.keys = f->keys;
    float w = f->words[3];
    f->words[3] = 1.0f / 0.0f;
    assert_int_equal(sl__vectors_serialize(&src, &buf, &len, &err), SL_ERR_ARG);
    f->words[3] = w;
}

/* Binds a corrupted copy; refused with SL_ERR_MODEL and a message containing `want`. When fix
 * is set the checksum is recomputed, so the structural checks are what refuses it. */
static void refused(const fixture *f, size_t off, const void *bytes, size_t n, size_t len, int fix,
                    const char *want)
{
    unsigned char *c = aligned_copy(f->file, f->len);
    if (bytes) memcpy(c + off, bytes, n);
    if (fix) {
        uint64_t sum = sl__checksum(c + 64, f->len - 64);
        memcpy(c + 48, &sum, 8);
    }
    sl__vectors v;
    sl_error err = {0};
    assert_int_equal(sl__vectors_bind(&v, c, len, &err), SL_ERR_MODEL);
    if (!strstr(err.message, want)) fail_msg("'%s' does not say '%s'", err.message, want);
    free(c);
}

static void test_corrupt_files(void **state)
{
    fixture *f = *state;
    refused(f, 0, NULL, 0, f->len - 1, 0, "truncated");
    refused(f, 0, NULL, 0, 10, 0, "truncated");
    refused(f, 0, "SLVECZ", 6, f->len, 0, "bad magic");
    const uint32_t two = 2, zero = 0, big = 600, dim16 = 16, bits = 30;
    refused(f, 8, &two, 4, f->len, 0, "format 2");
    refused(f, 12, &zero, 4, f->len, 0, "dimension 0");
    refused(f, 12, &big, 4, f->len, 0, "dimension 600");
    refused(f, 12, &dim16, 4, f->len, 0, "sizes say"); /* dim 16 */
    refused(f, 20, &bits, 4, f->len, 0, "slot bits 30");
    const uint32_t many = 100;
    refused(f, 16, &many, 4, f->len, 0, "do not fit");
    refused(f, 24, &bits, 4, f->len, 0, "bucket bits 30");
    refused(f, 28, &big, 4, f->len, 0, "n-gram lengths");
    unsigned char x = 0x5a;
    refused(f, f->len / 2, &x, 1, f->len, 0, "checksum");
    /* structural damage behind a valid checksum: a row out of range, a bad scale, no NUL */
    const uint64_t *keys = (const uint64_t *)(f->file + 64);
    size_t used = 0;
    sl__vectors v;
    sl_error err;
    assert_int_equal(sl__vectors_bind(&v, f->file, f->len, &err), SL_OK);
    while (!keys[used]) used++;
    size_t rows_off = (size_t)((const unsigned char *)v.rows - f->file);
    uint32_t row = NWORDS;
    refused(f, rows_off + 4 * used, &row, 4, f->len, 1, "names row 3");
    size_t scale_off = (size_t)((const unsigned char *)v.word_s - f->file);
    float nan = 0.0f / 0.0f, neg = -1.0f;
    refused(f, scale_off, &nan, 4, f->len, 1, "scale");
    refused(f, scale_off + 4, &neg, 4, f->len, 1, "scale");
    size_t ng_off = (size_t)((const unsigned char *)v.ngram_s - f->file);
    refused(f, ng_off + 8, &zero, 4, f->len, 1, "scale");
    uint64_t stray = 0x1234;
    size_t empty = 0;
    while (keys[empty]) empty++;
    refused(f, 64 + 8 * empty, &stray, 8, f->len, 1, "keys for 3 words");
    char bang = '!';
    refused(f, f->len - 1, &bang, 1, f->len, 1, "NUL");
    /* a misaligned base pointer */
    unsigned char *c = aligned_alloc(64, (f->len + 127) / 64 * 64);
    memcpy(c + 8, f->file, f->len);
    assert_int_equal(sl__vectors_bind(&v, c + 8, f->len, &err), SL_ERR_MODEL);
    assert_non_null(strstr(err.message, "aligned"));
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_folded_words, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_ngrams_and_zero_key, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corrupt_files, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
