/* sl_pretrain (sangloc/pretrain.h) on a synthetic corpus: two words that always share their
 * contexts end nearer to each other than to words of other contexts; one thread is
 * deterministic for a seed; the file binds and names its inputs and sources; bad settings, bad
 * texts and an empty vocabulary are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "model/vectors.h"
#include "sangloc/pretrain.h"

static const char *const ctx_a[] = {"bedo", "fani", "gosu", "hama", "jeku", "mivo"};
static const char *const ctx_b[] = {"tavo", "nixe", "roba", "suke", "wupa", "yelo"};

static uint32_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* kiwa and lopu only ever appear among the words of ctx_a; zerd and qumi among ctx_b. */
/* Settings for a small synthetic corpus: every word kept, nothing subsampled. */
static sl_pretrain_config small_config(uint64_t seed, unsigned threads)
{
    sl_pretrain_config c;
    sl_pretrain_defaults(&c);
    c.dim = 16;
    c.window = 3;
    c.epochs = 8;
    c.min_count = 1;
    c.bucket_bits = 10;
    c.sample = 0;
    c.threads = threads;
    c.seed = seed;
    return c;
}

static sl_pretrainer *train(uint64_t seed, unsigned threads)
{
    sl_pretrain_config c = small_config(seed, threads);
    sl_pretrainer *p;
    sl_error err;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_OK);
    assert_int_equal(sl_pretrainer_add_source(p, "Synthetic", "public domain"), SL_OK);
    assert_int_equal(sl_pretrainer_begin_file(p, "corpus-a"), SL_OK);
    uint64_t r = 7;
    for (int i = 0; i < 3000; i++) {
        int b = i % 2;
        const char *const *ctx = b ? ctx_b : ctx_a;
        const char *centre =
            b ? (next(&r) % 2 ? "zerd" : "qumi") : (next(&r) % 2 ? "kiwa" : "lopu");
        char text[128];
        snprintf(text, sizeof text, "%s %s %s %s %s", ctx[next(&r) % 6], ctx[next(&r) % 6], centre,
                 ctx[next(&r) % 6], ctx[next(&r) % 6]);
        if (i == 1500) assert_int_equal(sl_pretrainer_begin_file(p, "corpus-b"), SL_OK);
        assert_int_equal(sl_pretrainer_add_text(p, text, strlen(text), &err), SL_OK);
    }
    assert_int_equal(sl_pretrainer_run(p, &err), SL_OK);
    return p;
}

static float cosine_to(const sl_pretrain_neighbour *nb, size_t n, const char *w)
{
    for (size_t i = 0; i < n; i++)
        if (nb[i].len == strlen(w) && !memcmp(nb[i].word, w, nb[i].len)) return nb[i].cosine;
    fail_msg("%s is not among the neighbours", w);
    return 0;
}

static void test_shared_contexts_are_near(void **state)
{
    sl_pretrainer *p = train(3, 1);
    uint32_t words;
    uint64_t texts, tokens;
    sl_pretrainer_counts(p, &texts, &tokens, &words);
    assert_int_equal(texts, 3000);
    assert_int_equal(tokens, 15000);
    assert_int_equal(words, 16);
    sl_pretrain_neighbour nb[16];
    size_t n = sl_pretrainer_nearest(p, "kiwa", 4, nb, 16);
    assert_int_equal(n, 15); /* every word but itself */
    float pair = cosine_to(nb, n, "lopu");
    assert_true(pair > cosine_to(nb, n, "zerd") + 0.2f);
    assert_true(pair > cosine_to(nb, n, "qumi") + 0.2f);
    n = sl_pretrainer_nearest(p, "zerd", 4, nb, 16);
    assert_true(cosine_to(nb, n, "qumi") > cosine_to(nb, n, "lopu") + 0.2f);
    /* an unknown word still has an (n-gram) vector; symbols alone do not */
    assert_true(sl_pretrainer_nearest(p, "kiwax", 5, nb, 3) == 3);
    assert_int_equal(sl_pretrainer_nearest(p, "???", 3, nb, 3), 0);
    sl_pretrainer_free(p);
}

/* The bytes of a written file before its meta text (which holds the creation time). */
static unsigned char *written(sl_pretrainer *p, size_t *len, sl__vectors *v)
{
    char path[] = "/tmp/sl_pretrain_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    sl_error err;
    assert_int_equal(sl_pretrainer_write(p, path, &err), SL_OK);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    *len = (size_t)ftell(f);
    rewind(f);
    unsigned char *b = aligned_alloc(64, (*len + 63) / 64 * 64);
    assert_int_equal(fread(b, 1, *len, f), *len);
    fclose(f);
    remove(path);
    if (sl__vectors_bind(v, b, *len, &err)) fail_msg("%s", err.message);
    return b;
}

static void test_one_thread_is_deterministic(void **state)
{
    sl_pretrainer *a = train(11, 1), *b = train(11, 1), *c = train(12, 1);
    size_t la, lb, lc;
    sl__vectors va, vb, vc;
    unsigned char *fa = written(a, &la, &va), *fb = written(b, &lb, &vb),
                  *fc = written(c, &lc, &vc);
    size_t body = (size_t)((const unsigned char *)va.meta - fa);
    assert_true(body > 64);
    assert_memory_equal(fa + 64, fb + 64, body - 64);
    assert_memory_not_equal(fa + 64, fc + 64, body - 64);
    assert_int_equal(va.nwords, 16);
    assert_int_equal(va.dim, 16);
    assert_non_null(strstr(va.meta, "input: corpus-a (1500 texts, 7500 tokens)"));
    assert_non_null(strstr(va.meta, "input: corpus-b (1500 texts, 7500 tokens)"));
    assert_non_null(strstr(va.meta, "source: Synthetic (public domain)"));
    assert_non_null(strstr(va.meta, "seed: 11"));
    assert_non_null(strstr(vc.meta, "seed: 12"));
    free(fa);
    free(fb);
    free(fc);
    sl_pretrainer_free(a);
    sl_pretrainer_free(b);
    sl_pretrainer_free(c);
}

/* Two threads (Hogwild) learn the same structure. */
static void test_threads(void **state)
{
    sl_pretrainer *p = train(5, 2);
    sl_pretrain_neighbour nb[16];
    size_t n = sl_pretrainer_nearest(p, "lopu", 4, nb, 16);
    assert_true(cosine_to(nb, n, "kiwa") > cosine_to(nb, n, "zerd") + 0.2f);
    sl_pretrainer_free(p);
}

static void test_refusals(void **state)
{
    sl_pretrain_config c;
    sl_pretrainer *p;
    sl_error err;
    sl_pretrain_defaults(&c);
    c.dim = 0;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "dim"));
    sl_pretrain_defaults(&c);
    c.minn = 7;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_ERR_ARG);
    sl_pretrain_defaults(&c);
    c.bucket_bits = 5;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_ERR_ARG);
    sl_pretrain_defaults(&c);
    c.threads = 1;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_OK);
    assert_int_equal(sl_pretrainer_add_text(p, "ab\xff", 3, &err), SL_ERR_INVALID_UTF8);
    assert_int_equal(err.byte, 2);
    assert_int_equal(sl_pretrainer_add_text(p, "một hai ba", strlen("một hai ba"), &err), SL_OK);
    uint64_t texts;
    sl_pretrainer_counts(p, &texts, NULL, NULL);
    assert_int_equal(texts, 1);
    /* every word seen once, min_count 5: nothing to learn */
    assert_int_equal(sl_pretrainer_run(p, &err), SL_ERR_ARG);
    assert_non_null(strstr(err.message, "nothing to learn"));
    assert_int_equal(sl_pretrainer_write(p, "/tmp/never.slv", &err), SL_ERR_ARG);
    sl_pretrainer_free(p);
}

/* Mixed copies: "kíwa" and "zérd" are only ever typed with their diacritics, yet their
 * unaccented spellings get vectors next to them, not next to each other. */
static void test_mixed_copies(void **state)
{
    (void)state;
    sl_pretrain_config c = small_config(1, 1);
    sl_pretrainer *p;
    sl_error err;
    assert_int_equal(sl_pretrainer_new(&c, &p, &err), SL_OK);
    sl_pretrainer_set_mixed(p, 1);
    uint64_t r = 5;
    for (int i = 0; i < 2000; i++) {
        int b = i % 2;
        const char *const *ctx = b ? ctx_b : ctx_a;
        char text[128];
        snprintf(text, sizeof text, "%s %s %s %s %s", ctx[next(&r) % 6], ctx[next(&r) % 6],
                 b ? "zérd" : "kíwa", ctx[next(&r) % 6], ctx[next(&r) % 6]);
        assert_int_equal(sl_pretrainer_add_text(p, text, strlen(text), &err), SL_OK);
    }
    /* plain texts add no copy: nothing to strip */
    assert_int_equal(sl_pretrainer_add_text(p, "bedo fani", 9, &err), SL_OK);
    assert_int_equal(sl_pretrainer_run(p, &err), SL_OK);
    uint32_t words;
    uint64_t texts, tokens;
    sl_pretrainer_counts(p, &texts, &tokens, &words);
    assert_int_equal(texts, 2001);
    assert_int_equal(tokens, 2000 * 5 * 2 + 2);
    assert_int_equal(words, 16); /* 12 context words, both centres in two spellings */
    sl_pretrain_neighbour nb[16];
    size_t n = sl_pretrainer_nearest(p, "kíwa", strlen("kíwa"), nb, 16);
    float same = cosine_to(nb, n, "kiwa"), other = cosine_to(nb, n, "zerd");
    printf("kíwa: kiwa %.3f, zerd %.3f\n", (double)same, (double)other);
    assert_true(same > 0.8f);
    assert_true(same > other + 0.3f);
    sl_pretrainer_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_contexts_are_near),
        cmocka_unit_test(test_one_thread_is_deterministic),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_mixed_copies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
