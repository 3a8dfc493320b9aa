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
 *   final k -> c                  "khók" -> "khóc", "độk" -> "độc"
 *   initial k -> c before a/o/u   "kảm" -> "cảm"
 *   initial f -> ph, w -> qu, j -> gi   "fải" -> "phải", "wá" -> "quá", "jờ" -> "giờ" */
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
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && !memcmp(list[i], s, n)) return 1;
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

/* Replaces w[0] by the code points of `with` (1 or 2 letters). */
static size_t swap_initial(const uint32_t *w, size_t n, const char *with, uint32_t *out,
                           size_t *from)
{
    size_t k = strlen(with);
    for (size_t i = 0; i < k; i++) {
        out[i] = (unsigned char)with[i];
        from[i] = 0;
    }
    for (size_t i = 1; i < n; i++) {
        out[k + i - 1] = w[i];
        from[k + i - 1] = i;
    }
    return n - 1 + k;
}

/* Whether any repair could apply, cheaply, before the syllable checks (most words). */
static int repair_candidate(const uint32_t *w, size_t n)
{
    uint32_t last = w[n - 1];
    if (last == w[n - 2] && last != 'e' && last != 'o') return 1;
    if (last != 'k' && w[0] != 'k' && w[0] != 'f' && w[0] != 'w' && w[0] != 'j') return 0;
    return sl__vn_marked(w, n);
}

size_t sl__vn_repair(const uint32_t *w, size_t n, uint32_t *out, size_t *from)
{
    if (n < 2 || n > 8 || !repair_candidate(w, n) || sl__vn_syllable(w, n)) return 0;
    uint32_t last = w[n - 1];
    if (last == w[n - 2] && last != 'e' && last != 'o' && sl__vn_syllable(w, n - 1))
        return copy_ident(w, n - 1, out, from);
    if (!sl__vn_marked(w, n)) return 0;
    size_t m = copy_ident(w, n, out, from);
    if (last == 'k') {
        out[n - 1] = 'c';
        if (sl__vn_syllable(out, n)) return m;
        out[n - 1] = 'k';
    }
    const char *with = w[0] == 'k' ? "c" : w[0] == 'f' ? "ph" : w[0] == 'w' ? "qu" : NULL;
    if (w[0] == 'j') with = w[1] == 'i' ? "g" : "gi";
    if (!with) return 0;
    m = swap_initial(w, n, with, out, from);
    return sl__vn_syllable(out, m) ? m : 0;
}
