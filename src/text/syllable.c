/* Vietnamese syllable shape and teencode spelling repairs.
 *
 * The check strips the tone mark (table-driven via the text layer's per-code-point table: the
 * toneless form of a letter is computed once from ICU's decomposition), then tries each onset
 * that prefixes the word and looks the rest up among the rhymes of standard spelling. It ignores
 * the rule that stop codas (p t c ch) take only sắc or nặng, which is enough here.
 *
 * Repairs, tried only on words that carry a Vietnamese diacritic (English never does, so "fan",
 * "see" or "kill" are safe) and that are not valid syllables, and kept only when the result is:
 *   final doubled letter dropped  "emm" -> "em", "nhaa" -> "nha" (any word, but not ee/oo)
 *   codas   k -> c, nk -> nh, a lone g after a vowel -> ng   "khók", "lạnk", "đág"
 *   onsets  k -> c (before a/o/u), f -> ph, w -> qu, j -> gi, z and dz -> v, p -> b, ck -> ch
 *           "kảm", "fải", "wá", "jờ", "zậy", "dzô", "pạn", "ckồng"
 * (the onset and coda repairs together, then the coda alone, then the onset alone). */
#include "text/syllable.h"

#include <string.h>

#include "text/chars.h"
#include "text/utf8.h"

static const char *const onsets[] = {"ngh", "ch", "gh", "gi", "kh", "ng", "nh", "ph", "qu", "th",
                                     "tr",  "b",  "c",  "d",  "đ",  "g",  "h",  "k",  "l",  "m",
                                     "n",   "p",  "r",  "s",  "t",  "v",  "x",  ""};

static const char *const rhymes[] = {
    "a",    "ai",  "ao",   "au",   "ay",   "am",   "an",   "ang",  "anh", "ap",   "at",   "ac",
    "ach",  "ăm",  "ăn",   "ăng",  "ăp",   "ăt",   "ăc",   "âu",   "ây",  "âm",   "ân",   "âng",
    "âp",   "ât",  "âc",   "e",    "eo",   "em",   "en",   "eng",  "ep",  "et",   "ec",   "ê",
    "êu",   "êm",  "ên",   "ênh",  "êp",   "êt",   "êch",  "i",    "ia",  "iu",   "im",   "in",
    "inh",  "ip",  "it",   "ich",  "iêu",  "iêm",  "iên",  "iêng", "iêp", "iêt",  "iêc",  "o",
    "oa",   "oai", "oao",  "oay",  "oam",  "oan",  "oang", "oanh", "oap", "oat",  "oac",  "oach",
    "oăm",  "oăn", "oăng", "oăt",  "oăc",  "oe",   "oeo",  "oen",  "oet", "oi",   "om",   "on",
    "ong",  "op",  "ot",   "oc",   "ooc",  "oong", "ô",    "ôi",   "ôm",  "ôn",   "ông",  "ôp",
    "ôt",   "ôc",  "ơ",    "ơi",   "ơm",   "ơn",   "ơp",   "ơt",   "u",   "ua",   "uân",  "uâng",
    "uât",  "uây", "uôi",  "uôm",  "uôn",  "uông", "uôt",  "uôc",  "ui",  "um",   "un",   "ung",
    "up",   "ut",  "uc",   "uê",   "uênh", "uêch", "uy",   "uya",  "uyu", "uyên", "uyêt", "uynh",
    "uych", "uyt", "uyn",  "uơ",   "ư",    "ưa",   "ưi",   "ưu",   "ưm",  "ưn",   "ưng",  "ưt",
    "ưc",   "ươi", "ươu",  "ươm",  "ươn",  "ương", "ươp",  "ươt",  "ươc", "y",    "yêu",  "yêm",
    "yên",  "yêt", "uyêu", "oong", "uâc",  "oen",  "uơn",
};

static int in_list(const char *s, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++) /* the first byte rejects most without a strlen */
        if (list[i][0] == s[0] && strlen(list[i]) == n && !memcmp(list[i], s, n)) return 1;
    return 0;
}

static int front_vowel(const char *r)
{
    return r[0] == 'i' || r[0] == 'e' || r[0] == 'y' || !strncmp(r, "ê", strlen("ê"));
}

/* Onset/rhyme pairs that standard spelling rules out (k, gh, ngh only before front vowels;
 * c, g, ng not before them; qu needs a vowel after it). */
static int onset_fits(const char *o, const char *r)
{
    int front = front_vowel(r);
    if (!strcmp(o, "k") || !strcmp(o, "gh") || !strcmp(o, "ngh")) return front;
    if (!strcmp(o, "c") || !strcmp(o, "ng")) return !front;
    if (!strcmp(o, "g")) return !front || r[0] == 'i';
    if (!strcmp(o, "qu")) return r[0] != 'u' && r[0] != 'o';
    return 1;
}

/* A rhyme ending in a stop (p t c ch) takes only the acute or the dot-below tone. */
static int stop_fits(const char *r, size_t rl, int tone)
{
    char last = r[rl - 1];
    int stop = last == 'p' || last == 't' || last == 'c' || (rl >= 2 && !strcmp(r + rl - 2, "ch"));
    return !stop || tone == 2 || tone == 5;
}

int sl__vn_syllable(const uint32_t *w, size_t n)
{
    char s[64];
    size_t len = 0;
    int tone = 0;
    if (!n || n > 8) return 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = w[i] < SL__CP_TABLE_SIZE ? sl__cp_table[w[i]].toneless : w[i];
        int t = w[i] < SL__CP_TABLE_SIZE ? sl__cp_table[w[i]].tone : 0;
        if (t && tone) return 0; /* one tone mark per syllable */
        if (t) tone = t;
        if (c >= 0x80 && c != 0xE2 && c != 0x103 && c != 0xEA && c != 0xF4 && c != 0x1A1 &&
            c != 0x1B0 && c != 0x111)
            return 0;
        if (c < 'a' || (c > 'z' && c < 0x80)) return 0;
        len += sl__utf8_encode(c, s + len);
    }
    for (size_t k = 0; k < sizeof onsets / sizeof onsets[0]; k++) {
        if (onsets[k][0] && onsets[k][0] != s[0]) continue; /* most, before strlen */
        size_t ol = strlen(onsets[k]);
        if (ol > len || memcmp(s, onsets[k], ol)) continue;
        const char *r = s + ol;
        size_t rl = len - ol;
        if (rl == 0) continue;
        if (in_list(r, rl, rhymes, sizeof rhymes / sizeof rhymes[0])) {
            char rz[64];
            memcpy(rz, r, rl);
            rz[rl] = '\0';
            if (onset_fits(onsets[k], rz) && stop_fits(rz, rl, tone)) return 1;
        }
    }
    return 0;
}

int sl__vn_marked(const uint32_t *w, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (w[i] >= 0xC0 && w[i] < SL__CP_TABLE_SIZE && (sl__cp_table[w[i]].flags & SL__F_LATIN))
            return 1;
    return 0;
}

static size_t copy_ident(const uint32_t *w, size_t n, uint32_t *out, size_t *from)
{
    for (size_t i = 0; i < n; i++) {
        out[i] = w[i];
        from[i] = i;
    }
    return n;
}

static int is_vowel(uint32_t c)
{
    uint32_t t = c < SL__CP_TABLE_SIZE ? sl__cp_table[c].base : c;
    return t == 'a' || t == 'e' || t == 'i' || t == 'o' || t == 'u' || t == 'y';
}

/* Teencode onsets and their standard spelling, tried on marked words. */
static const char *initial_fix(const uint32_t *w, size_t n, size_t *old)
{
    static const struct {
        const char *from, *to;
        size_t len;
    } fixes[] = {{"dz", "v", 2}, {"ck", "ch", 2}, {"ph", NULL, 2}, {"k", "c", 1}, {"f", "ph", 1},
                 {"w", "qu", 1}, {"z", "v", 1},   {"p", "b", 1},   {"j", "gi", 1}};
    if (w[0] != 'd' && w[0] != 'c' && w[0] != 'p' && w[0] != 'k' && w[0] != 'f' && w[0] != 'w' &&
        w[0] != 'z' && w[0] != 'j')
        return NULL; /* the common case, without string work */
    for (size_t i = 0; i < sizeof fixes / sizeof fixes[0]; i++) {
        size_t k = fixes[i].len;
        if (n <= k || w[0] != (unsigned char)fixes[i].from[0]) continue;
        if (k == 2 && w[1] != (unsigned char)fixes[i].from[1]) continue;
        *old = k;
        if (fixes[i].to && w[0] == 'j' && w[1] == 'i') return "g";
        return fixes[i].to;
    }
    return NULL;
}

/* Teencode codas: final k -> c, nk -> nh, a lone final g after a vowel -> ng. */
static const char *final_fix(const uint32_t *w, size_t n, size_t *old)
{
    uint32_t a = w[n - 2], b = w[n - 1];
    if (a == 'n' && b == 'k') return *old = 2, "nh";
    if (b == 'k') return *old = 1, "c";
    if (b == 'g' && is_vowel(a)) return *old = 1, "ng";
    return NULL;
}

/* out = ini + w[ho, n - to) + fin; `from` maps each output code point to its source. */
static size_t splice(const uint32_t *w, size_t n, const char *ini, size_t ho, const char *fin,
                     size_t to, uint32_t *out, size_t *from)
{
    size_t k = 0;
    for (size_t i = 0; ini && ini[i]; i++, k++) {
        out[k] = (unsigned char)ini[i];
        from[k] = i < ho ? i : ho - 1;
    }
    for (size_t i = ho; i < n - to; i++, k++) {
        out[k] = w[i];
        from[k] = i;
    }
    for (size_t i = 0; fin && fin[i]; i++, k++) {
        out[k] = (unsigned char)fin[i];
        from[k] = n - to + (i < to ? i : to - 1);
    }
    return k;
}

/* Whether any repair could apply, cheaply, before the syllable checks (most words). */
static int repair_candidate(const uint32_t *w, size_t n)
{
    uint32_t last = w[n - 1];
    if (last == w[n - 2] && last != 'e' && last != 'o') return 1;
    size_t old;
    if (!initial_fix(w, n, &old) && !final_fix(w, n, &old)) return 0;
    return sl__vn_marked(w, n);
}

size_t sl__vn_repair(const uint32_t *w, size_t n, uint32_t *out, size_t *from)
{
    if (n < 2 || n > 8 || !repair_candidate(w, n) || sl__vn_syllable(w, n)) return 0;
    uint32_t last = w[n - 1];
    if (last == w[n - 2] && last != 'e' && last != 'o' && sl__vn_syllable(w, n - 1))
        return copy_ident(w, n - 1, out, from);
    if (!sl__vn_marked(w, n)) return 0;
    size_t ho = 0, to = 0, m;
    const char *ini = initial_fix(w, n, &ho), *fin = final_fix(w, n, &to);
    if (ini && fin && ho + to < n) {
        m = splice(w, n, ini, ho, fin, to, out, from);
        if (sl__vn_syllable(out, m)) return m;
    }
    if (fin) {
        m = splice(w, n, NULL, 0, fin, to, out, from);
        if (sl__vn_syllable(out, m)) return m;
    }
    if (ini) {
        m = splice(w, n, ini, ho, NULL, 0, out, from);
        if (sl__vn_syllable(out, m)) return m;
    }
    return 0;
}
