/* The shipped model on the ViHSD dev split: macro-F1 must stay at or above 0.62 (0.657 when
 * shipped; dev chose none of its settings, which come from cross-validation on train), through
 * the public API. Skipped with a message when the data is missing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "model/metrics.h"
#include "sangloc/model.h"
#include "sangloc/text.h"
#include "text/utf8.h"

/* Decodes the JSON string that starts after `"key": "` in line into out; returns its length
 * or -1. Enough JSON for the data files (escapes, \u with surrogate pairs). */
static long json_field(const char *line, const char *key, char *out, size_t cap)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"%s\": \"", key);
    const char *p = strstr(line, pat);
    if (!p) return -1;
    p += strlen(pat);
    size_t n = 0;
    while (*p && *p != '"' && n + 4 < cap) {
        if (*p != '\\') {
            out[n++] = *p++;
            continue;
        }
        p++;
        char c = *p++;
        if (c == 'u') {
            uint32_t cp = (uint32_t)strtoul((char[5]){p[0], p[1], p[2], p[3], 0}, NULL, 16);
            p += 4;
            if (cp >= 0xd800 && cp < 0xdc00 && p[0] == '\\' && p[1] == 'u') {
                uint32_t lo = (uint32_t)strtoul((char[5]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            }
            n += sl__utf8_encode(cp, out + n);
        } else {
            out[n++] = c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
        }
    }
    out[n] = '\0';
    return (long)n;
}

static int label_index(const char *s)
{
    return !strcmp(s, "clean") ? 0 : !strcmp(s, "offensive") ? 1 : !strcmp(s, "hate") ? 2 : -1;
}

static void test_vihsd_dev_macro_f1(void **state)
{
    FILE *f = fopen(SL_DATA_DIR "/vihsd/dev.jsonl", "r");
    if (!f) {
        printf("SKIP: %s/vihsd/dev.jsonl not found (datasets are not shipped)\n", SL_DATA_DIR);
        skip();
    }
    sl_model *m;
    sl_model_scratch *s;
    sl_text *text = sl_text_new();
    sl_error err = {0};
    assert_int_equal(sl_model_load(SL_SOURCE_DIR "/models/default.slm", &m, &err), SL_OK);
    assert_int_equal(sl_model_scratch_new(m, &s), SL_OK);
    static char line[1 << 20], buf[1 << 20], lab[32];
    long conf[9] = {0};
    clock_t t0 = clock();
    while (fgets(line, sizeof line, f)) {
        long n = json_field(line, "text", buf, sizeof buf);
        if (n < 0 || json_field(line, "label", lab, sizeof lab) < 0) continue;
        int y = label_index(lab);
        sl_prediction p;
        assert_true(y >= 0);
        assert_int_equal(sl_text_build(text, buf, (size_t)n, &err), SL_OK);
        assert_int_equal(sl_model_predict(m, s, text, &p), SL_OK);
        conf[y * 3 + p.label]++;
    }
    fclose(f);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    sl__prf prf[3];
    double mf = sl__macro_f1(conf, 3, prf);
    printf("ViHSD dev: macro-F1 %.4f (clean %.4f, offensive %.4f, hate %.4f), %ld texts in "
           "%.2f s\n",
           mf, prf[0].f, prf[1].f, prf[2].f,
           conf[0] + conf[1] + conf[2] + conf[3] + conf[4] + conf[5] + conf[6] + conf[7] + conf[8],
           secs);
    assert_true(mf >= 0.62);
    sl_text_free(text);
    sl_model_scratch_free(s);
    sl_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vihsd_dev_macro_f1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
