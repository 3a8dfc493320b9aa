/* Word splitting and shingle hashing for the bank, plus the hand-written list of filler phrases
 * whose shingles never count as evidence (they appear in every kind of post, so sharing them
 * says nothing about sharing content). */
#include "bank/shingle.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <xxhash.h>

#include "text/utf8.h"

/* Filler phrases, already folded (lowercase, no diacritics). Common calls to share, warnings
 * and hedges that posts put around any content. */
static const char *const fillers[] = {
    "moi nguoi can than nhe",
    "moi nguoi oi",
    "cac ban oi",
    "share cho moi nguoi cung biet",
    "chia se cho moi nguoi cung biet",
    "chia se de moi nguoi cung biet",
    "hay chia se cho nguoi than",
    "lam on chia se giup",
    "xin hay chia se rong rai",
    "ai chua biet thi doc ngay",
    "doc ngay keo mat",
    "khong biet co that khong",
    "that khong the tin duoc",
    "nghe noi la",
    "tin nong khan cap",
    "canh bao khan cap",
    "moi nguoi nen biet dieu nay",
    "ban co biet khong",
    "xem them tai day",
    "nguon internet",
    "theo nguon tin",
    "cap nhat moi nhat",
    "nhan day cho moi nguoi",
    "nhu tieu de",
    "tin hay khong tuy ban",
    "co ai biet khong",
};

static bool word_cp(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9');
    if (cp >= 0x2000 && cp <= 0x2BFF) return false; /* punctuation, arrows, symbols */
    if (cp >= 0x3000 && cp <= 0x303F) return false;
    if (cp >= 0xFE00 && cp <= 0xFE0F) return false;   /* variation selectors */
    if (cp >= 0x1F000 && cp <= 0x1FAFF) return false; /* emoji */
    if (cp == 0x00A0 || cp == 0xFEFF || cp == 0xFFFD) return false;
    if (cp >= 0x00A1 && cp <= 0x00BF) return false; /* Latin-1 punctuation */
    return true;
}

static sl_status grow_words(sl__shingles *s)
{
    size_t cap = s->wcap ? s->wcap * 2 : 64;
    uint32_t *a = realloc(s->wstart, cap * sizeof *a);
    if (!a) return SL_ERR_NOMEM;
    s->wstart = a;
    uint32_t *b = realloc(s->wend, cap * sizeof *b);
    if (!b) return SL_ERR_NOMEM;
    s->wend = b;
    uint64_t *h = realloc(s->whash, cap * sizeof *h);
    if (!h) return SL_ERR_NOMEM;
    s->whash = h;
    s->wcap = cap;
    return SL_OK;
}

/* Next word at or after *i: returns false at the end. */
static bool next_word(const char *d, size_t len, size_t *i, size_t *ws, size_t *we)
{
    size_t p = *i;
    bool in = false;
    while (p < len) {
        uint32_t cp = 0;
        size_t k = sl__utf8_decode(d + p, len - p, &cp);
        if (!k) k = 1;
        bool w = k > 0 && cp != 0xFFFD && word_cp(cp);
        if (w && !in) {
            in = true;
            *ws = p;
        } else if (!w && in) {
            break;
        }
        p += k;
    }
    *i = p;
    if (in) *we = p;
    return in;
}

size_t sl__count_words(const char *data, size_t len)
{
    size_t i = 0, ws = 0, we = 0, n = 0;
    while (next_word(data, len, &i, &ws, &we)) n++;
    return n;
}

sl_status sl__shingles_build(sl__shingles *s, const char *data, size_t len, unsigned k,
                             size_t max_words)
{
    s->nwords = s->nsh = 0;
    size_t i = 0, ws = 0, we = 0;
    while (s->nwords < max_words && next_word(data, len, &i, &ws, &we)) {
        if (s->nwords == s->wcap && grow_words(s)) return SL_ERR_NOMEM;
        s->wstart[s->nwords] = (uint32_t)ws;
        s->wend[s->nwords] = (uint32_t)we;
        s->whash[s->nwords] = XXH3_64bits(data + ws, we - ws);
        s->nwords++;
    }
    if (k == 0 || s->nwords < k) return SL_OK;
    size_t n = s->nwords - k + 1;
    if (n > s->shcap) {
        sl__shingle *sh = realloc(s->sh, n * sizeof *sh);
        if (!sh) return SL_ERR_NOMEM;
        s->sh = sh;
        s->shcap = n;
    }
    for (size_t p = 0; p < n; p++) {
        s->sh[p].hash = XXH3_64bits(s->whash + p, k * sizeof(uint64_t));
        s->sh[p].pos = (uint32_t)p;
    }
    s->nsh = n;
    return SL_OK;
}

void sl__shingles_free(sl__shingles *s)
{
    free(s->wstart);
    free(s->wend);
    free(s->whash);
    free(s->sh);
    memset(s, 0, sizeof *s);
}

int sl__u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int shingle_cmp(const void *a, const void *b)
{
    const sl__shingle *x = a, *y = b;
    if (x->hash != y->hash) return x->hash < y->hash ? -1 : 1;
    return x->pos < y->pos ? -1 : x->pos > y->pos;
}

size_t sl__shingles_distinct(sl__shingle *sh, size_t n, uint64_t *uniq)
{
    qsort(sh, n, sizeof *sh, shingle_cmp);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || uniq[u - 1] != sh[i].hash) uniq[u++] = sh[i].hash;
    return u;
}

uint64_t *sl__filler_hashes(unsigned k, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; i < sizeof fillers / sizeof fillers[0]; i++)
        cap += sl__count_words(fillers[i], strlen(fillers[i]));
    uint64_t *out = malloc((cap + 1) * sizeof *out);
    sl__shingles s = {0};
    size_t m = 0;
    for (size_t i = 0; out && i < sizeof fillers / sizeof fillers[0]; i++) {
        if (sl__shingles_build(&s, fillers[i], strlen(fillers[i]), k, 64)) {
            free(out);
            out = NULL;
            break;
        }
        for (size_t j = 0; j < s.nsh; j++) out[m++] = s.sh[j].hash;
    }
    sl__shingles_free(&s);
    if (out) qsort(out, m, sizeof *out, sl__u64_cmp);
    *n = out ? m : 0;
    return out;
}
