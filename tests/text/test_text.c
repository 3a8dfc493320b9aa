/* Unit tests of the text layer: each transformation (table-driven, with the original span of a
 * match checked through every step), the offset-map invariants over generated strings and the
 * dataset lines, the UTF-8 validator's error positions, limits and the teencode table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "sangloc/text.h"
#include "text/utf8.h"
#include "text/teencode.h"

typedef struct view_case {
    const char *in;
    sl_view_kind kind;
    const char *want;
} view_case;

static sl_text *T;

static int setup(void **state)
{
    T = sl_text_new();
    return T ? 0 : -1;
}

static int teardown(void **state)
{
    sl_text_free(T);
    return 0;
}

static const sl_view *build(const char *in, sl_view_kind kind)
{
    sl_error err;
    sl_status st = sl_text_build(T, in, strlen(in), &err);
    if (st) print_error("build(%s): %s\n", in, err.message);
    assert_int_equal(st, SL_OK);
    return sl_text_view(T, kind);
}

/* ---- invariants -------------------------------------------------------------------------- */

static void check_invariants(const char *data, size_t len)
{
    sl_error err;
    if (sl_text_build(T, data, len, &err) != SL_OK) return;
    for (int k = 0; k < SL_VIEW_COUNT_; k++) {
        const sl_view *v = sl_text_view(T, (sl_view_kind)k);
        assert_int_equal(v->data[v->len], '\0');
        assert_int_equal(sl_utf8_validate(v->data, v->len, &err), SL_OK);
        for (size_t i = 0; i < v->len; i++) {
            if (!(v->orig_start[i] <= v->orig_end[i] && v->orig_end[i] <= len))
                print_error("view %d byte %zu: [%u,%u) len %zu\n", k, i, v->orig_start[i],
                            v->orig_end[i], len);
            assert_true(v->orig_start[i] <= v->orig_end[i]);
            assert_true(v->orig_end[i] <= len);
            if (i) assert_true(v->orig_start[i - 1] <= v->orig_start[i]);
        }
    }
}

static void check_views(const view_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const sl_view *v = build(cases[i].in, cases[i].kind);
        if (strcmp(v->data, cases[i].want))
            print_error("case %zu %s(\"%s\"): got \"%s\" want \"%s\"\n", i,
                        sl_view_name(cases[i].kind), cases[i].in, v->data, cases[i].want);
        assert_string_equal(v->data, cases[i].want);
        assert_int_equal(strlen(v->data), v->len);
        check_invariants(cases[i].in, strlen(cases[i].in)); /* maps of every view */
    }
}

/* A match of `needle` in a view maps to exactly `orig` in the original. */
typedef struct span_case {
    const char *in;
    sl_view_kind kind;
    const char *needle;
    const char *orig;
} span_case;

static void check_spans(const span_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const sl_view *v = build(cases[i].in, cases[i].kind);
        const char *at = strstr(v->data, cases[i].needle);
        if (!at) print_error("case %zu: \"%s\" not in \"%s\"\n", i, cases[i].needle, v->data);
        assert_non_null(at);
        size_t a = (size_t)(at - v->data), os, oe;
        sl_view_span(v, a, a + strlen(cases[i].needle), &os, &oe);
        size_t olen;
        const char *orig = sl_text_original(T, &olen);
        assert_true(os <= oe && oe <= olen);
        if (oe - os != strlen(cases[i].orig) || memcmp(orig + os, cases[i].orig, oe - os))
            print_error("case %zu: span of \"%s\" is \"%.*s\", want \"%s\"\n", i, cases[i].needle,
                        (int)(oe - os), orig + os, cases[i].orig);
        assert_int_equal(oe - os, strlen(cases[i].orig));
        assert_memory_equal(orig + os, cases[i].orig, oe - os);
    }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void test_nfc(void **state)
{
    static const view_case c[] = {
        {"xin chào", SL_VIEW_NFC, "xin chào"},
        {"cha\xCC\x80o", SL_VIEW_NFC, "chào"},                 /* a + grave */
        {"Vie\xCC\xA3\xCC\x82t Nam", SL_VIEW_NFC, "Việt Nam"}, /* e + dot below + circumflex */
        {"Vie\xCC\x82\xCC\xA3t", SL_VIEW_NFC, "Việt"},         /* other mark order */
        {"\xCC\x81x", SL_VIEW_NFC, "\xCC\x81x"},               /* mark at the start stays */
        {"A\xE2\x84\xAB", SL_VIEW_NFC, "A\xC3\x85"},           /* angstrom sign -> Å */
        {"", SL_VIEW_NFC, ""},
        {"ASCII only", SL_VIEW_NFC, "ASCII only"},
        {"\xF0\x9F\x98\x80 ok", SL_VIEW_NFC, "\xF0\x9F\x98\x80 ok"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"xin cha\xCC\x80o ba\xCC\xA3n", SL_VIEW_NFC, "chào", "cha\xCC\x80o"},
        {"Vie\xCC\xA3\xCC\x82t", SL_VIEW_NFC, "ệ", "e\xCC\xA3\xCC\x82"},
        {"Vie\xCC\xA3\xCC\x82t", SL_VIEW_NORM, "việt", "Vie\xCC\xA3\xCC\x82t"},
        {"Vie\xCC\xA3\xCC\x82t", SL_VIEW_FOLD, "e", "e\xCC\xA3\xCC\x82"},
    };
    check_spans(s, N(s));
}

static void test_case_and_space(void **state)
{
    static const view_case c[] = {
        {"XIN Chào BẠN", SL_VIEW_NORM, "xin chào bạn"},
        {"  a\t\t b \n\n c  ", SL_VIEW_NORM, "anh bạn cậu"},
        {"ĐƯỜNG", SL_VIEW_NORM, "đường"},
        {"ĐƯỜNG", SL_VIEW_FOLD, "duong"},
        {"Xin  Chào", SL_VIEW_STANDARD, "Xin Chào"},
        {"x\xC2\xA0y", SL_VIEW_NORM, "x y"}, /* no-break space */
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"xin   chào", SL_VIEW_NORM, " ", "   "},
        {"XIN CHÀO", SL_VIEW_NORM, "chào", "CHÀO"},
    };
    check_spans(s, N(s));
}

static void test_invisibles(void **state)
{
    static const view_case c[] = {
        {"đ\xE2\x80\x8Bm", SL_VIEW_NORM, "đm"},               /* zero-width space */
        {"ng\xC2\xADu", SL_VIEW_NORM, "ngu"},                 /* soft hyphen */
        {"l\xE2\x81\xA0o\xEF\xBB\xBFn", SL_VIEW_NORM, "lon"}, /* word joiner, BOM */
        {"ch\xE2\x80\x8D\xE2\x80\x8Co", SL_VIEW_FOLD, "cho"}, /* ZWJ, ZWNJ */
        {"\xE2\x80\x8B", SL_VIEW_NORM, ""},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"a đ\xE2\x80\x8Bm b", SL_VIEW_NORM, "đm", "đ\xE2\x80\x8Bm"},
    };
    check_spans(s, N(s));
}

static void test_confusables(void **state)
{
    static const view_case c[] = {
        {"\xD1\x81\xE1\xBA\xB7\xD1\x81", SL_VIEW_NORM, "cặc"},      /* Cyrillic с + ặ + с */
        {"ng\xD0\xBE", SL_VIEW_NORM, "ngo"},                        /* Cyrillic о */
        {"\xD0\xBC\xD0\xB0\xD0\xBC\xD0\xB0", SL_VIEW_NORM, "mama"}, /* all look-alikes */
        {"\xD0\xBB\xD0\xB8\xD1\x81", SL_VIEW_NORM, "\xD0\xBB\xD0\xB8\xD1\x81"}, /* real Russian */
        {"\xCE\xBD\xCE\xBF", SL_VIEW_NORM, "vo"},                               /* Greek ν ο */
        {"\xEF\xBC\xAE\xEF\xBD\x87\xEF\xBD\x95", SL_VIEW_NORM, "ngu"},          /* fullwidth */
        {"\xEF\xBC\xAE\xEF\xBD\x87\xEF\xBD\x95", SL_VIEW_STANDARD, "Ngu"},
        {"\xE2\x93\x9D\xE2\x93\x96\xE2\x93\xA4", SL_VIEW_NORM, "ngu"}, /* circled */
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"x \xD1\x81\xE1\xBA\xB7\xD1\x81 y", SL_VIEW_NORM, "cặc", "\xD1\x81\xE1\xBA\xB7\xD1\x81"},
    };
    check_spans(s, N(s));
}

static void test_leet(void **state)
{
    static const view_case c[] = {
        {"l0n", SL_VIEW_NORM, "lon"},
        {"ch3t", SL_VIEW_NORM, "chet"},
        {"ng@", SL_VIEW_NORM, "nga"},
        {"d1t", SL_VIEW_NORM, "dit"},
        {"sh!t", SL_VIEW_NORM, "shit"},
        {"covid19", SL_VIEW_NORM, "covid19"},
        {"4g", SL_VIEW_NORM, "4g"},
        {"mp3", SL_VIEW_NORM, "mp3"},
        {"50k", SL_VIEW_NORM, "50k"},
        {"0912345678", SL_VIEW_NORM, "0912345678"},
        {"1.500.000đ", SL_VIEW_NORM, "1.500.000đ"},
        {"a@b.com", SL_VIEW_NORM, "a@b.com"},
        {"@tuan", SL_VIEW_NORM, "@tuan"},
        {"$100", SL_VIEW_NORM, "$100"},
        {"h2o", SL_VIEW_NORM, "h2o"},
        /* a letter on one side only: when the word becomes a Vietnamese syllable */
        {"7hằng", SL_VIEW_NORM, "thằng"},
        {"7h4ng", SL_VIEW_NORM, "thang"},
        {"ng0", SL_VIEW_NORM, "ngo"},
        {"cứ7", SL_VIEW_NORM, "cứt"},
        {"c0n ch0", SL_VIEW_NORM, "con cho"},
        {"đ1t", SL_VIEW_NORM, "đit"},
        {"(7hằng)", SL_VIEW_NORM, "(thằng)"},
        /* number-like tokens, codes and model names stay */
        {"5g", SL_VIEW_NORM, "5g"},
        {"f0", SL_VIEW_NORM, "f0"},
        {"f1", SL_VIEW_NORM, "f1"},
        {"b1", SL_VIEW_NORM, "b1"},
        {"b2", SL_VIEW_NORM, "b2"},
        {"2tr", SL_VIEW_NORM, "2tr"},
        {"3h", SL_VIEW_NORM, "3h"},
        {"10h30", SL_VIEW_NORM, "10h30"},
        {"1m70", SL_VIEW_NORM, "1m70"},
        {"20kg", SL_VIEW_NORM, "20kg"},
        {"x2", SL_VIEW_NORM, "x2"},
        {"u23", SL_VIEW_NORM, "u23"},
        {"sea games 31", SL_VIEW_NORM, "sea games 31"},
        {"win7", SL_VIEW_NORM, "win7"},
        {"iphone5", SL_VIEW_NORM, "iphone5"},
        {"covid17", SL_VIEW_NORM, "covid17"},
        {"5ao", SL_VIEW_NORM, "5ao"},
        {"4nh", SL_VIEW_NORM, "4nh"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"đồ l0n", SL_VIEW_NORM, "lon", "l0n"},
        {"con 7hằng ng0", SL_VIEW_NORM, "thằng", "7hằng"},
        {"con 7hằng ng0", SL_VIEW_NORM, "ngo", "ng0"},
        {"đồ l0n", SL_VIEW_FOLD, "do lon", "đồ l0n"},
    };
    check_spans(s, N(s));
}

static void test_separators(void **state)
{
    static const view_case c[] = {
        {"đ.m", SL_VIEW_NORM, "đm"},
        {"l-ồ-n", SL_VIEW_NORM, "lồn"},
        {"v.c.l", SL_VIEW_NORM, "vcl"},
        {"n g u", SL_VIEW_NORM, "ngu"},
        {"đ ị t", SL_VIEW_NORM, "địt"},
        {"a c e", SL_VIEW_NORM, "anh chị em"}, /* phrase of one-letter words: not joined */
        {"đ*t", SL_VIEW_NORM, "đ*t"},          /* a mask stays a mask */
        {"đ**t", SL_VIEW_NORM, "đ*t"},
        {"n*g*u", SL_VIEW_NORM, "ngu"},
        {"e-mail", SL_VIEW_NORM, "e-mail"}, /* long groups: a real hyphen */
        {"ok.thanks", SL_VIEW_NORM, "ok.thanks"},
        {"(đ.m)", SL_VIEW_NORM, "(đm)"},
        {"3.5", SL_VIEW_NORM, "3.5"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"đồ l-ồ-n nhé", SL_VIEW_NORM, "lồn", "l-ồ-n"},
        {"đồ l-ồ-n nhé", SL_VIEW_FOLD, "lon", "l-ồ-n"},
        {"thằng n g u này", SL_VIEW_NORM, "ngu", "n g u"},
        {"x đ.m y", SL_VIEW_NORM, "đm", "đ.m"},
    };
    check_spans(s, N(s));
}

static void test_repeats(void **state)
{
    static const view_case c[] = {
        {"nguuuu", SL_VIEW_NORM, "ngu"},      {"NGUUUU", SL_VIEW_STANDARD, "NGU"},
        {"ngủuuu", SL_VIEW_NORM, "ngủ"},      {"vãiiii", SL_VIEW_FOLD, "vai"},
        {"đmm", SL_VIEW_NORM, "đmm"}, /* two stay */
        {"1000000", SL_VIEW_NORM, "1000000"}, {"www.abc.com", SL_VIEW_NORM, "www.abc.com"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"đồ nguuuu", SL_VIEW_NORM, "ngu", "nguuuu"},
        {"đồ nguuuu!", SL_VIEW_NORM, "u", "uuuu"},
    };
    check_spans(s, N(s));
}

static void test_teencode(void **state)
{
    static const view_case c[] = {
        {"t thấy k đc", SL_VIEW_NORM, "tôi thấy không được"},
        {"t thấy k đc", SL_VIEW_STANDARD, "tôi thấy không được"},
        {"ko bik j", SL_VIEW_NORM, "không biết gì"},
        {"hk", SL_VIEW_NORM, "không"},
        {"khong", SL_VIEW_NORM, "không"},
        {"mn ơi", SL_VIEW_NORM, "mọi người ơi"},
        {"vs", SL_VIEW_NORM, "với"},
        {"ng ta", SL_VIEW_NORM, "người ta"},
        {"giá 50 k thôi", SL_VIEW_NORM, "giá 50 k thôi"}, /* thousand after a number */
        {"50k", SL_VIEW_NORM, "50k"},
        {"k, ko.", SL_VIEW_NORM, "không, không."},
        {"vl", SL_VIEW_NORM, "vl"}, /* profanity abbreviations stay for lexicons */
        {"vkl đm dm đmm clgt cc", SL_VIEW_NORM, "vkl đm dm đmm clgt cc"},
        {"vc sv dou", SL_VIEW_NORM, "vc sv dou"}, /* readings include an insult: kept */
        {"đ biết", SL_VIEW_NORM, "đ biết"},
        {"đ biết", SL_VIEW_STANDARD, "đéo biết"},
        {"Ko", SL_VIEW_STANDARD, "Không"},
        {"KO", SL_VIEW_STANDARD, "KHÔNG"},
        {"Mn ơi", SL_VIEW_STANDARD, "Mọi người ơi"},
        {"Ko", SL_VIEW_FOLD, "khong"},
        {"5 tr", SL_VIEW_STANDARD, "5 triệu"}, /* after a number "tr" is triệu */
        {"tr ơi", SL_VIEW_STANDARD, "trời ơi"},
        {"kkkk", SL_VIEW_STANDARD, "kkkk"}, /* laughter, not "k" */
        {"tui", SL_VIEW_STANDARD, "tui"},   /* a dialect word, kept */
        {"size L", SL_VIEW_STANDARD, "size L"},
        {"như b***", SL_VIEW_NORM, "như b***"}, /* a masked word is not "bạn" */
        {"t thấy", SL_VIEW_NORM, "tôi thấy"},
        {"t bảo m rồi", SL_VIEW_NORM, "tao bảo mày rồi"}, /* t with m in the post: tao */
        {"c ơi", SL_VIEW_NORM, "cậu ơi"},
        {"c cho e hỏi", SL_VIEW_NORM, "chị cho em hỏi"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"t thấy k đc", SL_VIEW_NORM, "không", "k"},
        {"t thấy k đc", SL_VIEW_NORM, "thấy không được", "thấy k đc"},
        {"t thấy k đc", SL_VIEW_FOLD, "duoc", "đc"},
        {"(ko)", SL_VIEW_NORM, "không", "ko"},
    };
    check_spans(s, N(s));
}

static void test_spelling_repairs(void **state)
{
    static const view_case c[] = {
        {"emm", SL_VIEW_NORM, "em"}, /* doubled final letter */
        {"nhaa", SL_VIEW_STANDARD, "nha"},
        {"thoii", SL_VIEW_STANDARD, "thôi"}, /* then teencode */
        {"khók", SL_VIEW_NORM, "khóc"},      /* final k -> c */
        {"độk", SL_VIEW_NORM, "độc"},
        {"kảm", SL_VIEW_NORM, "cảm"},    /* k before a -> c */
        {"fải", SL_VIEW_NORM, "phải"},   /* f -> ph */
        {"Wá", SL_VIEW_STANDARD, "Quá"}, /* w -> qu, case kept */
        {"jờ", SL_VIEW_NORM, "giờ"},     /* j -> gi */
        /* English and unmarked words stay */
        {"fan see miss kill coffee", SL_VIEW_NORM, "fan see miss kill coffee"},
        {"màk", SL_VIEW_NORM, "mà"},
    };
    check_views(c, N(c));
    static const span_case s[] = {
        {"x fải y", SL_VIEW_NORM, "phải", "fải"}, {"x fải y", SL_VIEW_NORM, "ph", "f"},
        {"x emm y", SL_VIEW_NORM, "em", "emm"},   {"x dzạy y", SL_VIEW_NORM, "v", "dz"},
        {"x bág y", SL_VIEW_NORM, "ng", "g"},
    };
    check_spans(s, N(s));
}

static void test_teencode_table(void **state)
{
    size_t n;
    const sl__teencode *tc = sl__teencode_all(&n);
    assert_true(n >= 200);
    static const char *const profanity[] = {"vl",  "vkl", "đm", "dm",  "đmm", "clgt", "cc",  "vcl",
                                            "dcm", "đcm", "cl", "cmm", "đéo", "vc",   "dou", "sv"};
    for (size_t i = 0; i < n; i++) {
        if (i) assert_true(strcmp(tc[i - 1].key, tc[i].key) < 0);
        assert_true(strlen(tc[i].key) > 0 && strlen(tc[i].key) < 28);
        assert_null(strchr(tc[i].key, ' '));
        for (size_t k = 0; k < N(profanity); k++)
            if (!strcmp(tc[i].key, profanity[k])) assert_true(tc[i].flags & SL__TC_STD_ONLY);
        /* keys are what a case-folded NORM token looks like */
        const sl_view *v = build(tc[i].key, SL_VIEW_NFC);
        assert_string_equal(v->data, tc[i].key);
    }
    assert_non_null(sl__teencode_find("ko", 2));
    assert_null(sl__teencode_find("kox", 3));
    assert_null(sl__teencode_find("", 0));
}

static const char *const pieces[] = {
    "a",
    "đ",
    "Đ",
    "ng",
    "k",
    "ko",
    "t",
    " ",
    "  ",
    "\t",
    "\n",
    ".",
    "-",
    "*",
    "@",
    "$",
    "0",
    "1",
    "3",
    "4",
    "\xCC\x81",
    "\xCC\xA3",
    "\xCC\x82",
    "e",
    "ệ",
    "\xE2\x80\x8B",
    "\xC2\xAD",
    "\xD0\xBE",
    "\xD1\x81",
    "\xEF\xBC\xAE",
    "\xF0\x9F\x98\x80",
    "uuu",
    "l",
    "n",
    "g",
    "u",
    "mn",
    "50",
    "www.",
    "://",
    "x@y.z",
    "\xE1\x84\x80\xE1\x85\xA1\xE1\x86\xA8", /* Hangul jamo */
    "\xE2\x84\xAB",
    "ﬁ",
    "ß",
    "İ",
    "Σ",
    "\xCD\x85",
};

static void test_map_invariants_generated(void **state)
{
    char buf[256];
    unsigned seed = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t len = 0;
        int parts = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
        for (int p = 0; p < parts; p++) {
            seed = seed * 1103515245u + 12345u;
            const char *s = pieces[(seed >> 16) % N(pieces)];
            size_t l = strlen(s);
            if (len + l >= sizeof buf) break;
            memcpy(buf + len, s, l);
            len += l;
        }
        check_invariants(buf, len);
    }
    /* random bytes: mostly invalid, which must fail cleanly */
    for (int round = 0; round < 20000; round++) {
        size_t len = (size_t)(round % 40);
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = (char)(seed >> 16);
        }
        check_invariants(buf, len);
    }
}

static void test_map_invariants_datasets(void **state)
{
    static const char *const files[] = {"vilexnorm/train.jsonl", "vihsd/dev.jsonl",
                                        "posts/dev.jsonl"};
    int found = 0;
    for (size_t f = 0; f < N(files); f++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", SL_DATA_DIR, files[f]);
        FILE *in = fopen(path, "rb");
        if (!in) continue;
        found++;
        char *line = NULL;
        size_t cap = 0;
        ssize_t n;
        while ((n = getline(&line, &cap, in)) > 0) check_invariants(line, (size_t)n);
        free(line);
        fclose(in);
    }
    if (!found) {
        printf("skipped: no dataset under %s\n", SL_DATA_DIR);
        skip();
    }
}

static void test_validator_positions(void **state)
{
    static const struct {
        const char *s;
        size_t len;
        sl_status st;
        size_t byte;
    } c[] = {
        {"abc", 3, SL_OK, 0},
        {"ab\x80", 3, SL_ERR_INVALID_UTF8, 2},
        {"a\xC3", 2, SL_ERR_INVALID_UTF8, 1},              /* truncated */
        {"\xC0\xAF", 2, SL_ERR_INVALID_UTF8, 0},           /* overlong */
        {"xy\xE0\x80\xAF", 5, SL_ERR_INVALID_UTF8, 2},     /* overlong 3-byte */
        {"\xED\xA0\x80", 3, SL_ERR_INVALID_UTF8, 0},       /* surrogate */
        {"ok\xF4\x90\x80\x80", 6, SL_ERR_INVALID_UTF8, 2}, /* above U+10FFFF */
        {"ệ\xFF", 4, SL_ERR_INVALID_UTF8, 3},
        {"ab\0c", 4, SL_ERR_NUL_BYTE, 2},
        {"\xF0\x9F\x98\x80", 4, SL_OK, 0},
        {"\xE1\x80", 2, SL_ERR_INVALID_UTF8, 0},
    };
    for (size_t i = 0; i < N(c); i++) {
        sl_error err = {0};
        assert_int_equal(sl_utf8_validate(c[i].s, c[i].len, &err), c[i].st);
        assert_int_equal(sl_text_build(T, c[i].s, c[i].len, &err), c[i].st);
        if (c[i].st) {
            assert_int_equal(err.byte, c[i].byte);
            assert_int_equal(sl_text_view(T, SL_VIEW_NORM)->len, 0);
        }
    }
}

/* One folding for every layer: the FOLD view is made of sl_text_fold_cp() of each code point. */
static void test_fold_cp(void **state)
{
    (void)state;
    assert_int_equal(sl_text_fold_cp('A'), 'a');
    assert_int_equal(sl_text_fold_cp(0x1EBE), 'e');    /* Ế */
    assert_int_equal(sl_text_fold_cp(0x1EF9), 'y');    /* ỹ */
    assert_int_equal(sl_text_fold_cp(0x0110), 'd');    /* Đ */
    assert_int_equal(sl_text_fold_cp(0x0111), 'd');    /* đ */
    assert_int_equal(sl_text_fold_cp(0x03A9), 0x03C9); /* Ω -> ω: other scripts keep letters */
    assert_int_equal(sl_text_fold_cp('7'), '7');
    const sl_view *nfc = build("Đề nghị Ủy ban", SL_VIEW_NFC);
    char want[64];
    size_t n = 0;
    for (size_t i = 0; i < nfc->len;) {
        uint32_t cp;
        size_t k = sl__utf8_decode(nfc->data + i, nfc->len - i, &cp);
        assert_true(k > 0);
        i += k;
        n += sl__utf8_encode(sl_text_fold_cp(cp), want + n);
    }
    const sl_view *fold = build("Đề nghị Ủy ban", SL_VIEW_FOLD);
    assert_int_equal(fold->len, n);
    assert_memory_equal(fold->data, want, n);
}

static void test_word_edges(void **state)
{
    assert_true(sl_text_is_word_cp('a'));
    assert_true(sl_text_is_word_cp(0x1EC7)); /* ệ */
    assert_true(sl_text_is_word_cp('7'));
    assert_true(sl_text_is_word_cp('*'));
    assert_false(sl_text_is_word_cp(' '));
    assert_false(sl_text_is_word_cp('.'));
    assert_false(sl_text_is_word_cp(0x1F600));
    const sl_view *v = build("đồ ngu, ngủ", SL_VIEW_NORM); /* "đồ ngu, ngủ" */
    const char *at = strstr(v->data, "ngu");
    size_t a = (size_t)(at - v->data);
    assert_true(sl_view_is_word_edge(v, a));
    assert_true(sl_view_is_word_edge(v, a + 3));
    assert_false(sl_view_is_word_edge(v, a + 1));
    assert_true(sl_view_is_word_edge(v, 0));
    assert_true(sl_view_is_word_edge(v, v->len));
    assert_false(sl_view_is_word_edge(v, 1)); /* inside "đ" */
    at = strstr(v->data, "ngủ");
    assert_false(sl_view_is_word_edge(v, (size_t)(at - v->data) + 2)); /* before "ủ" */
}

/* Long adversarial inputs: every rule must stay linear (a quadratic rule would hang here). */
static void test_long_inputs_linear(void **state)
{
    static const char *const units[] = {"a ", "@",  "a@", "e\xCC\x81", "\xCC\x81", "n g ",    "x",
                                        "0a", ".a", "k ", "ab.",       "@a.b",     "a a a b "};
    size_t len = 2u * 1024 * 1024;
    char *buf = malloc(len);
    assert_non_null(buf);
    for (size_t u = 0; u < N(units); u++) {
        size_t l = strlen(units[u]), n = 0;
        while (n + l <= len) {
            memcpy(buf + n, units[u], l);
            n += l;
        }
        sl_error err;
        assert_int_equal(sl_text_build(T, buf, n, &err), SL_OK);
        assert_true(sl_text_view(T, SL_VIEW_NFC)->len > 0);
    }
    free(buf);
    /* the scratch grown for 2 MB is released for a small post, and works again */
    const sl_view *v = build("Ko sao", SL_VIEW_NORM);
    assert_string_equal(v->data, "không sao");
}

static void test_limits_and_api(void **state)
{
    sl_error err;
    size_t big = SL_TEXT_MAX_BYTES + 1;
    char *p = malloc(big);
    assert_non_null(p);
    memset(p, 'a', big);
    assert_int_equal(sl_text_build(T, p, big, &err), SL_ERR_TOO_LARGE);
    free(p);
    assert_string_equal(sl_view_name(SL_VIEW_NFC), "nfc");
    assert_string_equal(sl_view_name(SL_VIEW_NORM), "norm");
    assert_string_equal(sl_view_name(SL_VIEW_FOLD), "fold");
    assert_string_equal(sl_view_name(SL_VIEW_STANDARD), "standard");
    sl_text *fresh = sl_text_new();
    assert_int_equal(sl_text_view(fresh, SL_VIEW_NORM)->len, 0);
    size_t len = 9;
    sl_text_original(fresh, &len);
    assert_int_equal(len, 0);
    sl_text_free(fresh);
    sl_text_free(NULL);
    const sl_view *v = build("ab", SL_VIEW_NFC);
    size_t os, oe;
    sl_view_span(v, 2, 2, &os, &oe);
    assert_int_equal(os, 2);
    assert_int_equal(oe, 2);
    sl_view_span(v, 0, 0, &os, &oe);
    assert_int_equal(os, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_nfc),
        cmocka_unit_test(test_case_and_space),
        cmocka_unit_test(test_invisibles),
        cmocka_unit_test(test_confusables),
        cmocka_unit_test(test_leet),
        cmocka_unit_test(test_separators),
        cmocka_unit_test(test_repeats),
        cmocka_unit_test(test_teencode),
        cmocka_unit_test(test_spelling_repairs),
        cmocka_unit_test(test_teencode_table),
        cmocka_unit_test(test_map_invariants_generated),
        cmocka_unit_test(test_map_invariants_datasets),
        cmocka_unit_test(test_validator_positions),
        cmocka_unit_test(test_fold_cp),
        cmocka_unit_test(test_word_edges),
        cmocka_unit_test(test_long_inputs_linear),
        cmocka_unit_test(test_limits_and_api),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
