/* Confidentiality markings: MẬT, TỐI MẬT, TUYỆT MẬT, NỘI BỘ, KHÔNG PHỔ BIẾN, CONFIDENTIAL.
 *
 * The words are common ("bí mật", "mật ong", "nội bộ đội bóng"), so a marking is recognized by
 * how it is set, never by the word alone. A level phrase (matched on folded cells, then checked
 * letter by letter against its exact spelling so "MẶT", "MẤT" and "MÁT" are not "MẬT"; a phrase
 * written entirely without diacritics is accepted as such) becomes a hit when:
 *   key        it is the value of a "Độ mật:" / "Classification:" field
 *   enclosed   it sits alone inside [ ], ( ), * *, < >, { }, quotes
 *   document   "TÀI LIỆU MẬT", "VĂN BẢN TỐI MẬT", "lưu hành nội bộ": uppercase, or standing as a
 *              header (line start or decoration on the left, line end or decoration on the right)
 *   stamp      uppercase and standing alone: line start/end or decoration on both sides
 *   follow-up  "không phổ biến" right after another marking ("Tài liệu nội bộ - không phổ biến")
 *   title      "Confidential" capitalized at the start of a line, ending in a line end or ':'
 * "mật" next to a word it forms a compound with ("mật ong", "bảo mật", "mật khẩu") never counts.
 * Longer levels are tried first, so TUYỆT MẬT wins over the MẬT inside it. */
#include <pthread.h>
#include <string.h>

#include "detect/pii_internal.h"
#include "text/utf8.h"

typedef struct level {
    const char *fold;  /* folded phrase */
    const char *exact; /* lowercase with diacritics */
    int output;        /* sl_detector_output */
    bool vietnamese;
} level;

static const level levels[] = {
    {"tuyet mat", "tuyệt mật", SL_DETOUT_MARKING_TUYET_MAT, true},
    {"toi mat", "tối mật", SL_DETOUT_MARKING_TOI_MAT, true}, /* L_TOP_LAST */
    {"khong pho bien ra ngoai", "không phổ biến ra ngoài", SL_DETOUT_MARKING_KHONG_PHO_BIEN, true},
    {"khong duoc pho bien", "không được phổ biến", SL_DETOUT_MARKING_KHONG_PHO_BIEN, true},
    {"khong pho bien", "không phổ biến", SL_DETOUT_MARKING_KHONG_PHO_BIEN, true},
    {"noi bo", "nội bộ", SL_DETOUT_MARKING_NOI_BO, true},
    {"strictly confidential", "strictly confidential", SL_DETOUT_MARKING_CONFIDENTIAL, false},
    {"company confidential", "company confidential", SL_DETOUT_MARKING_CONFIDENTIAL, false},
    {"confidential", "confidential", SL_DETOUT_MARKING_CONFIDENTIAL, false},
    {"internal use only", "internal use only", SL_DETOUT_MARKING_NOI_BO, false},
    {"mat", "mật", SL_DETOUT_MARKING_MAT, true},
};
#define NLEVELS (sizeof levels / sizeof levels[0])

/* The first folded letters of the levels, so most words are passed over with one test. */
static uint64_t level_firsts[4];
static pthread_once_t level_firsts_once = PTHREAD_ONCE_INIT;

static void level_firsts_init(void)
{
    for (size_t lv = 0; lv < NLEVELS; lv++) {
        unsigned char ch = (unsigned char)levels[lv].fold[0];
        level_firsts[ch / 64] |= 1ull << (ch % 64);
    }
}

static bool may_start_level(char ch)
{
    unsigned char u = (unsigned char)ch;
    return level_firsts[u / 64] >> (u % 64) & 1;
}

enum { L_MAT = NLEVELS - 1, L_TOP_LAST = 1, L_KHONG_FIRST = 2, L_KHONG_LAST = 4, L_NOIBO = 5 };

static bool is_khong(size_t lv)
{
    return lv >= L_KHONG_FIRST && lv <= L_KHONG_LAST;
}

static const sl__kw key_words[] = {
    {"do mat", 1, NULL},         {"muc do mat", 1, NULL},
    {"classification", 1, NULL}, {"security classification", 1, NULL},
    {"phan loai", 1, NULL},      {NULL, 0, NULL}};

/* Words that make a level a document phrase: 1 any level, 2 "nội bộ" only, 3 "nội bộ" and a
 * phrase that counts anywhere ("lưu hành nội bộ" is only ever said of a document). */
static const sl__kw doc_words[] = {
    {"tai lieu", 1, NULL}, {"van ban", 1, NULL},  {"ho so", 1, NULL}, {"su dung", 2, NULL},
    {"dung", 2, NULL},     {"luu hanh", 3, NULL}, {NULL, 0, NULL}};

/* Words that make "mật" part of another word: before it, and after it. */
static const char *const mat_before[] = {"bi",   "than", "bao", "co",  "tui",   "soi", "duong",
                                         "ngot", "hu",   "mat", "ong", "thuoc", NULL};
static const char *const mat_after[] = {
    "ong", "khau", "do",  "ma",   "thiet", "ngot", "gau", "mia",  "ri",   "danh",
    "vu",  "tham", "thu", "hieu", "lenh",  "uoc",  "dam", "nghi", "tich", "khu",
    "ngu", "cat",  "bao", "dao",  "sat",   "bo",   "mat", "tinh", "ket",  NULL};

enum edge { E_NONE, E_DECOR, E_LINE };

static bool decor(char ch)
{
    return ch && strchr("[](){}<>*-:|#=_\"'~!./;,?+", ch) != NULL;
}

/* A gap of two or more spaces, or a tab, separates columns of a header line. */
static bool wide_gap(const sl__cells *c, size_t from, size_t to)
{
    for (size_t j = from; j < to; j++)
        if (c->f[j] == '\t') return true;
    return to - from >= 2;
}

static enum edge left_edge(const sl__cells *c, size_t a)
{
    size_t j = a;
    while (j > 0 && sl__c_space(c, j - 1)) j--;
    if (j == 0 || sl__c_newline(c, j - 1)) return E_LINE;
    if (wide_gap(c, j, a)) return E_DECOR;
    return (decor(c->f[j - 1]) && c->f[j - 1] != ',') ? E_DECOR : E_NONE;
}

static enum edge right_edge(const sl__cells *c, size_t e)
{
    size_t j = e;
    while (sl__c_space(c, j)) j++;
    if (j >= c->n || sl__c_newline(c, j)) return E_LINE;
    if (wide_gap(c, e, j)) return E_DECOR;
    return decor(c->f[j]) ? E_DECOR : E_NONE;
}

/* Nothing but spaces and decoration between the phrase and both ends of its line. */
static bool line_alone(const sl__cells *c, size_t a, size_t e)
{
    for (size_t j = a; j > 0 && !sl__c_newline(c, j - 1); j--)
        if (!sl__c_space(c, j - 1) && !decor(c->f[j - 1])) return false;
    for (size_t j = e; j < c->n && !sl__c_newline(c, j); j++)
        if (!sl__c_space(c, j) && !decor(c->f[j])) return false;
    return true;
}

/* Folded word of letters next to [a, e) across spaces only ("" when none). */
static void word_before(const sl__cells *c, size_t a, char *w, size_t cap)
{
    size_t j = a;
    while (j > 0 && sl__c_space(c, j - 1)) j--;
    size_t e = j;
    while (j > 0 && sl__c_alpha(c, j - 1) && e - j + 1 < cap) j--;
    if (j == a || (j > 0 && sl__c_alpha(c, j - 1))) e = j;
    memcpy(w, c->f + j, e - j);
    w[e - j] = '\0';
}

static void word_after(const sl__cells *c, size_t e, char *w, size_t cap)
{
    size_t j = e;
    while (sl__c_space(c, j)) j++;
    size_t s = j;
    while (sl__c_alpha(c, j) && j - s + 1 < cap) j++;
    if (j == e || sl__c_alpha(c, j)) j = s;
    memcpy(w, c->f + s, j - s);
    w[j - s] = '\0';
}

static bool in_list(const char *w, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(w, list[i]) == 0) return true;
    return false;
}

static bool mat_compound(const sl__cells *c, size_t a, size_t e)
{
    char w[24];
    word_before(c, a, w, sizeof w);
    if (in_list(w, mat_before)) return true;
    word_after(c, e, w, sizeof w);
    return in_list(w, mat_after);
}

static bool all_upper(const sl__cells *c, size_t a, size_t e)
{
    for (size_t i = a; i < e; i++)
        if (sl__c_alpha(c, i) && !(c->fl[i] & SL__CF_UPPER)) return false;
    return true;
}

/* The keyword of list that ends (modulo spaces) right at cell a: returns its start or a. */
static size_t phrase_before(const sl__cells *c, size_t a, const sl__kw *list, int *tag)
{
    size_t from = sl__line_window(c, a, 40);
    for (size_t i = from; i < a; i++) {
        if (!sl__c_alpha(c, i)) continue;
        for (int k = 0; list[k].w; k++) {
            size_t e = sl__kw_at(c, i, list[k].w);
            if (!e) continue;
            while (e < a && sl__c_space(c, e)) e++;
            if (e == a && e > i) {
                *tag = list[k].tag;
                return i;
            }
        }
    }
    return a;
}

/* "Độ mật: " before cell a? */
static bool key_before(const sl__cells *c, size_t a)
{
    size_t j = a;
    while (j > 0 && sl__c_space(c, j - 1)) j--;
    if (j == 0 || (c->f[j - 1] != ':' && c->f[j - 1] != '-' && c->f[j - 1] != '=')) return false;
    j--;
    while (j > 0 && sl__c_space(c, j - 1)) j--;
    int tag;
    return phrase_before(c, j, key_words, &tag) < j;
}

static char closer_of(const sl__cells *c, size_t i)
{
    switch (c->f[i]) {
    case '[':
        return ']';
    case '(':
        return ')';
    case '{':
        return '}';
    case '<':
        return '>';
    case '*':
        return '*';
    case '"':
        return '"';
    case '\'':
        return '\'';
    case '~': {
        uint32_t cp = sl__cell_cp(c, i); /* «, “, 【 */
        return (cp == 0xAB || cp == 0x201C || cp == 0x3010) ? '~' : 0;
    }
    default:
        return 0;
    }
}

static bool enclosed(const sl__cells *c, size_t a, size_t e)
{
    size_t l = a, r = e;
    while (l > 0 && sl__c_space(c, l - 1)) l--;
    while (sl__c_space(c, r)) r++;
    if (l == 0 || r >= c->n) return false;
    char want = closer_of(c, l - 1);
    return want && c->f[r] == want;
}

/* Is the word next to [a, e) (across spaces) written in capitals, or missing? A capitalized
 * phrase inside a capitalized sentence is shouting, not a stamp. */
static bool upper_neighbour(const sl__cells *c, size_t a, size_t e)
{
    size_t l = a, r = e;
    while (l > 0 && sl__c_space(c, l - 1)) l--;
    while (sl__c_space(c, r)) r++;
    bool lu = l > 0 && sl__c_alpha(c, l - 1) && (c->fl[l - 1] & SL__CF_UPPER);
    bool ru = sl__c_alpha(c, r) && sl__c_alpha(c, r + 1) && (c->fl[r + 1] & SL__CF_UPPER);
    return lu || ru;
}

/* "TÀI LIỆU MẬT", "Tài liệu MẬT", "Tài liệu nội bộ" as a header, "lưu hành nội bộ": the score,
 * or 0; *start moves to the first word of the phrase. */
static float document_phrase(const sl__cells *c, size_t a, size_t e, size_t lv, bool upper,
                             enum edge re, size_t *start)
{
    int tag = 0;
    size_t ds = is_khong(lv) ? a : phrase_before(c, a, doc_words, &tag);
    if (ds == a || !(tag == 1 || lv == L_NOIBO)) return 0;
    bool header = left_edge(c, ds) != E_NONE && re != E_NONE;
    float score = 0;
    if (upper)
        score = all_upper(c, ds, a) ? 0.9f : 0.85f;
    else if (header || tag == 3)
        score = 0.8f;
    if (score > 0) *start = ds;
    return score;
}

/* Applies the rules to level lv matched at cells [a, e); returns the score or 0. */
static float judge(const sl__cells *c, size_t a, size_t e, size_t lv, size_t last_end,
                   size_t *start)
{
    bool bare, upper = all_upper(c, a, e);
    if (!sl__cells_exact(c, a, e, levels[lv].exact, &bare)) return 0;
    if (!levels[lv].vietnamese) bare = false;
    if (lv == L_MAT && mat_compound(c, a, e)) return 0;
    enum edge le = left_edge(c, a), re = right_edge(c, e);
    float pen = bare ? 0.1f : 0.0f;
    *start = a;
    if (key_before(c, a) && re != E_NONE) return 0.95f - pen;
    if (enclosed(c, a, e)) {
        if (lv == L_MAT) return upper ? (bare ? 0.7f : 0.95f) : 0.6f;
        return (upper ? 0.95f : 0.75f) - pen;
    }
    float doc = document_phrase(c, a, e, lv, upper, re, start);
    if (doc > 0) return doc - pen;
    if (is_khong(lv) && last_end && a >= last_end && a - last_end <= 4) {
        bool sep = true;
        for (size_t j = last_end; j < a; j++)
            sep &= sl__c_space(c, j) || strchr("-,;:~", c->f[j]) != NULL;
        if (sep) return 0.85f - pen;
    }
    if (upper && le != E_NONE && re != E_NONE) {
        bool alone = line_alone(c, a, e);
        if (lv == L_MAT && bare && !alone) return 0;
        if (lv == L_MAT && bare) return 0.6f;
        return (alone ? 0.95f : 0.85f) - pen;
    }
    /* "tài liệu TUYỆT MẬT, cấm phát tán": the top levels set in capitals inside lowercase text */
    if (lv <= L_TOP_LAST && upper && !bare && !upper_neighbour(c, a, e)) return 0.7f;
    bool title = (c->fl[a] & SL__CF_UPPER) && !levels[lv].vietnamese;
    if (title && le == E_LINE && (re == E_LINE || c->f[e] == ':')) return 0.7f;
    return 0;
}

sl_status sl__markings(sl__cells *c, sl_hits *out)
{
    size_t last_end = 0;
    pthread_once(&level_firsts_once, level_firsts_init);
    for (size_t i = 0; i < c->n; i++) {
        if (!sl__c_alpha(c, i) || (i > 0 && sl__c_alnum(c, i - 1))) continue;
        if (!may_start_level(c->f[i])) continue;
        for (size_t lv = 0; lv < NLEVELS; lv++) {
            if (c->f[i] != levels[lv].fold[0]) continue;
            size_t e = sl__kw_at(c, i, levels[lv].fold);
            if (!e) continue;
            size_t start;
            float score = judge(c, i, e, lv, last_end, &start);
            if (score <= 0) continue;
            uint32_t os, oe;
            sl__cells_span(c, start, e, &os, &oe);
            sl_status st = sl__push_output(out, levels[lv].output, os, oe, score);
            if (st) return st;
            last_end = e;
            i = e - 1;
            break;
        }
    }
    return SL_OK;
}
