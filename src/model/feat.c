/* model/feat.c — tokenization, group-reference masking and feature hashing for the model.
 *
 * Tokens: runs of letters/digits are words; each emoji (with its modifiers) and each run of
 * ASCII punctuation is a symbol token (":)))" and "😒" carry signal, and ViHOS marks emoji as
 * offensive spans). Hashes are FNV-1a over code points, finished by a 64-bit mixer when turned
 * into a bucket; every feature kind has its own namespace so kinds do not collide on purpose.
 *
 * Group references are masked before hashing: the comment features skip them altogether, the
 * span tagger sees one placeholder. That is what makes the label independent of whom a
 * sentence is about: "công an ăn hại" and "phụ nữ ăn hại" produce the same features. The list
 * holds neutral names of groups and institutions only, never slurs: slurs are insults and must
 * keep their own weights. */
#include "model/feat.h"

#include <stdlib.h>
#include <string.h>

#include "text/chars.h"
#include "text/utf8.h"

#define FNV_OFFSET       0xcbf29ce484222325ull
#define FNV_PRIME        0x100000001b3ull
#define PLACEHOLDER_HASH 0x7a2c9e1b3d5f4861ull

enum {
    NS_NORM_UNI = 1,
    NS_NORM_BI,
    NS_FOLD_UNI,
    NS_FOLD_BI,
    NS_FOLD_CHAR,
    NS_BIAS,
    NS_T_NORM = 16,
    NS_T_FOLD,
    NS_T_PREV1,
    NS_T_NEXT1,
    NS_T_PREV2,
    NS_T_NEXT2,
    NS_T_BI_PREV,
    NS_T_BI_NEXT,
    NS_T_CHAR,
    NS_T_PBAD,
    NS_T_PBAD_TOK,
    NS_T_SHAPE,
};

static inline uint64_t hstep(uint64_t h, uint32_t x)
{
    return (h ^ x) * FNV_PRIME;
}

/* The namespace's share of a bucket, separate so a loop over one namespace computes it once. */
static inline uint64_t ns_key(uint32_t ns)
{
    return (uint64_t)ns * 0x9e3779b97f4a7c15ull;
}

static inline uint32_t bucket_keyed(uint64_t h, uint64_t key, unsigned bits)
{
    h ^= key;
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return (uint32_t)(h >> (64 - bits));
}

static inline uint32_t bucket(uint64_t h, uint32_t ns, unsigned bits)
{
    return bucket_keyed(h, ns_key(ns), bits);
}

static inline uint64_t pair_hash(uint64_t a, uint64_t b)
{
    return (a * 0x9e3779b97f4a7c15ull) ^ (b + 0x632be59bd9b4e019ull + (a << 6));
}

/* ---- code points ----------------------------------------------------------------------------- */

/* Decodes one code point; ASCII without a call (most bytes of FOLD, half of NORM). */
static inline size_t decode(const char *s, size_t avail, uint32_t *cp)
{
    if ((unsigned char)s[0] < 0x80) {
        *cp = (unsigned char)s[0];
        return 1;
    }
    return sl__utf8_decode(s, avail, cp);
}

/* The text layer's folding (one definition, a table read for every common code point). */
static inline uint32_t fold(uint32_t cp)
{
    return sl__cp_base(cp);
}

/* ---- tokens ------------------------------------------------------------------------------ */

static inline int is_space(uint32_t cp)
{
    return cp <= 0x20 || cp == 0x7f || cp == 0x85 || cp == 0xa0 || (cp >= 0x2000 && cp <= 0x200b) ||
           cp == 0x2028 || cp == 0x2029 || cp == 0x202f || cp == 0x205f || cp == 0x3000 ||
           cp == 0xfeff;
}

/* Joiners and modifiers that belong to the symbol before them. */
static int is_modifier(uint32_t cp)
{
    return cp == 0x200d || (cp >= 0xfe00 && cp <= 0xfe0f) || (cp >= 0x1f3fb && cp <= 0x1f3ff) ||
           cp == 0x20e3;
}

/* Word code points: the text layer's definition, without the '*' mask the views keep inside
 * words (the model reads masked words as their pieces). */
static inline int is_word(uint32_t cp)
{
    if (cp < 0x80) return (cp >= '0' && cp <= '9') || ((cp | 32) >= 'a' && (cp | 32) <= 'z');
    return sl__cp_is_word(cp);
}

static int is_ascii_punct(uint32_t cp)
{
    return cp < 0x80 && !is_space(cp) && !is_word(cp);
}

typedef struct cursor {
    const sl_view *v;
    size_t i;
} cursor;

static uint32_t peek(const cursor *c, size_t *n)
{
    uint32_t cp;
    *n = decode(c->v->data + c->i, c->v->len - c->i, &cp);
    if (!*n) *n = 1;
    return cp;
}

static void add_cp(sl__tok *t, uint32_t cp)
{
    t->h = hstep(t->h, cp);
    t->fh = hstep(t->fh, fold(cp));
}

/* Extends a token from c->i while `keep` accepts the next code point. */
static void extend(cursor *c, sl__tok *t, int kind)
{
    while (c->i < c->v->len) {
        size_t n;
        uint32_t cp = peek(c, &n);
        int ok = kind == 1   ? (is_word(cp) || (cp >= 0x300 && cp < 0x370))
                 : kind == 2 ? is_ascii_punct(cp)
                             : is_modifier(cp);
        if (!ok) break;
        add_cp(t, cp);
        c->i += n;
    }
}

/* The original span of view bytes [vs, ve): the hull of their maps (maps are monotonic, but
 * a hull costs little and never trusts that). */
static void finish_token(const sl_view *v, sl__tok *t, size_t end)
{
    t->ve = (uint32_t)end;
    uint32_t os = UINT32_MAX, oe = 0;
    for (size_t i = t->vs; i < end; i++) {
        if (v->orig_start[i] < os) os = v->orig_start[i];
        if (v->orig_end[i] > oe) oe = v->orig_end[i];
    }
    t->os = os;
    t->oe = oe;
}

size_t sl__tokenize(const sl_view *v, sl__tok *out, size_t cap)
{
    cursor c = {v, 0};
    size_t n = 0;
    while (c.i < v->len && n < cap) {
        size_t len;
        uint32_t cp = peek(&c, &len);
        if (is_space(cp)) {
            c.i += len;
            continue;
        }
        sl__tok *t = &out[n++];
        memset(t, 0, sizeof *t);
        t->vs = (uint32_t)c.i;
        t->h = t->fh = FNV_OFFSET;
        t->word = (uint8_t)is_word(cp);
        add_cp(t, cp);
        c.i += len;
        extend(&c, t, t->word ? 1 : is_ascii_punct(cp) ? 2 : 3);
        finish_token(v, t, c.i);
    }
    return n;
}

/* ---- group references ---------------------------------------------------------------------- */

/* Neutral names of groups and institutions. A leading '~' allows unaccented matches (only for
 * names whose unaccented spelling is not an everyday word: "dang" is also "đang"). */
static const char *const target_names[] = {
    "~cán bộ",
    "~quan chức",
    "~lãnh đạo",
    "~chính quyền",
    "~công an",
    "~cảnh sát",
    "~csgt",
    "~bộ trưởng",
    "~thủ tướng",
    "~chủ tịch",
    "~bộ công an",
    "~bộ y tế",
    "~bộ giáo dục",
    "~bộ tài chính",
    "~nhà nước",
    "~chính phủ",
    "~quốc hội",
    "đảng",
    "~đảng viên",
    "~ủy ban",
    "~ubnd",
    "~tòa án",
    "~quân đội",
    "~bộ đội",
    "~chính trị gia",
    "~phật giáo",
    "~công giáo",
    "~thiên chúa giáo",
    "~tin lành",
    "~hồi giáo",
    "~đạo phật",
    "~đạo thiên chúa",
    "~người công giáo",
    "~nhà sư",
    "~linh mục",
    "~tín đồ",
    "~giáo hội",
    "~miền bắc",
    "~miền nam",
    "~miền trung",
    "~miền tây",
    "~người miền bắc",
    "~người miền nam",
    "~người miền trung",
    "~người miền tây",
    "~người bắc",
    "~người nam",
    "~dân miền bắc",
    "~dân miền nam",
    "~người hà nội",
    "~người sài gòn",
    "~người nghệ an",
    "~người thanh hóa",
    "~người huế",
    "~phụ nữ",
    "~đàn bà",
    "~đàn ông",
    "~người phụ nữ",
    "~người đồng tính",
    "~đồng tính",
    "~gay",
    "~lgbt",
    "~người chuyển giới",
    "~người nước ngoài",
    "~nước ngoài",
    "~người trung quốc",
    "~trung quốc",
    "~người mỹ",
    "~người nhật",
    "~người hàn quốc",
    "~hàn quốc",
    "~người da đen",
    "~người da trắng",
    "~người ấn độ",
    "~người lào",
    "~người campuchia",
    "~người thái",
    "~người việt",
    "~dân tộc thiểu số",
    "~người dân tộc",
    "~người khuyết tật",
    "~người già",
    "~sinh viên",
    "~giáo viên",
    "~bác sĩ",
    "~nhà báo",
    "~doanh nhân",
    "~nông dân",
    "~công nhân",
};

/* Sorts entry indices by first token hash so a token finds its candidates by binary search
 * instead of trying every entry. Insertion sort: the list is short and sorted once. */
static sl_status index_targets(sl__targets *t)
{
    t->by_first = malloc((t->n ? t->n : 1) * sizeof *t->by_first);
    if (!t->by_first) {
        sl__targets_free(t);
        return SL_ERR_NOMEM;
    }
    for (size_t i = 0; i < t->n; i++) {
        size_t j = i;
        while (j > 0 && t->seq[t->by_first[j - 1]][0] > t->seq[i][0]) {
            t->by_first[j] = t->by_first[j - 1];
            j--;
        }
        t->by_first[j] = (uint32_t)i;
        uint64_t bit = t->seq[i][0] >> 52;
        t->first_filter[bit / 64] |= 1ull << (bit % 64);
    }
    return SL_OK;
}

/* Index in by_first of the first entry whose first hash is >= h. */
static size_t lower_bound(const sl__targets *t, uint64_t h)
{
    size_t lo = 0, hi = t->n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (t->seq[t->by_first[mid]][0] < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static size_t hash_words(const char *s, uint64_t seq[4], uint64_t fseq[4])
{
    sl_view v = {s, strlen(s), NULL, NULL};
    size_t n = 0, i = 0;
    while (i < v.len && n < 4) {
        while (i < v.len && s[i] == ' ') i++;
        if (i >= v.len) break;
        uint64_t h = FNV_OFFSET, fh = FNV_OFFSET;
        while (i < v.len && s[i] != ' ') {
            uint32_t cp;
            size_t k = sl__utf8_decode(s + i, v.len - i, &cp);
            if (!k) k = 1;
            h = hstep(h, cp);
            fh = hstep(fh, sl__cp_base(cp));
            i += k;
        }
        seq[n] = h;
        fseq[n] = fh;
        n++;
    }
    return n;
}

sl_status sl__targets_init(sl__targets *t)
{
    size_t base = sizeof target_names / sizeof target_names[0];
    memset(t, 0, sizeof *t);
    /* each name is stored twice: accented hashes, then folded hashes (when allowed) */
    t->seq = calloc(2 * base, sizeof *t->seq);
    t->len = calloc(2 * base, 1);
    t->fold_ok = calloc(2 * base, 1);
    if (!t->seq || !t->len || !t->fold_ok) {
        sl__targets_free(t);
        return SL_ERR_NOMEM;
    }
    for (size_t i = 0; i < base; i++) {
        const char *s = target_names[i];
        int fold = s[0] == '~';
        uint64_t fseq[4] = {0};
        size_t k = hash_words(s + fold, t->seq[t->n], fseq);
        t->len[t->n++] = (uint8_t)k;
        if (!fold) continue;
        memcpy(t->seq[t->n], fseq, sizeof fseq);
        t->fold_ok[t->n] = 1;
        t->len[t->n++] = (uint8_t)k;
    }
    return index_targets(t);
}

void sl__targets_free(sl__targets *t)
{
    free(t->by_first);
    free(t->seq);
    free(t->len);
    free(t->fold_ok);
    memset(t, 0, sizeof *t);
}

/* Does entry e match the tokens at toks[i..]? Folded entries match only unaccented tokens. */
static int entry_matches(const sl__targets *t, size_t e, const sl__tok *toks, size_t n, size_t i)
{
    size_t k = t->len[e];
    if (!k || i + k > n) return 0;
    for (size_t j = 0; j < k; j++) {
        const sl__tok *tk = &toks[i + j];
        uint64_t h = t->fold_ok[e] ? tk->fh : tk->h;
        if (h != t->seq[e][j] || (t->fold_ok[e] && tk->h != tk->fh)) return 0;
    }
    return 1;
}

/* Longest entry starting at token i whose first hash is h. */
static size_t longest_from(const sl__targets *t, uint64_t h, const sl__tok *toks, size_t n,
                           size_t i, size_t best)
{
    uint64_t bit = h >> 52;
    if (!(t->first_filter[bit / 64] >> (bit % 64) & 1)) return best;
    for (size_t k = lower_bound(t, h); k < t->n && t->seq[t->by_first[k]][0] == h; k++) {
        size_t e = t->by_first[k];
        if (t->len[e] > best && entry_matches(t, e, toks, n, i)) best = t->len[e];
    }
    return best;
}

void sl__mask_targets(const sl__targets *t, sl__tok *toks, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        size_t best = longest_from(t, toks[i].h, toks, n, i, 0);
        if (!best) continue;
        toks[i].masked = 1;
        for (size_t j = 1; j < best; j++) toks[i + j].masked = 2;
        i += best - 1;
    }
}

void sl__mask_align(const sl__tok *norm, size_t nn, sl__tok *fold, size_t nf)
{
    size_t j = 0;
    for (size_t i = 0; i < nf; i++) {
        while (j < nn && norm[j].oe <= fold[i].os && norm[j].os < fold[i].os) j++;
        fold[i].masked = 0;
        if (j < nn && norm[j].masked && fold[i].os >= norm[j].os && fold[i].os < norm[j].oe)
            fold[i].masked = norm[j].masked;
    }
}

/* ---- comment features ---------------------------------------------------------------------- */

typedef struct sink {
    uint32_t *out;
    size_t n, cap;
    unsigned bits;
    const char *rows; /* table to prefetch from, or NULL */
    size_t row_bytes;
} sink;

static sink sink_new(uint32_t *out, size_t cap, unsigned bits, const sl__rows *rows)
{
    return (sink){out, 0, cap, bits, rows ? rows->base : NULL, rows ? rows->row_bytes : 0};
}

static inline void emit(sink *s, uint64_t h, uint32_t ns)
{
    if (s->n >= s->cap) return;
    uint32_t b = bucket(h, ns, s->bits);
    s->out[s->n++] = b;
    if (s->rows) __builtin_prefetch(s->rows + (size_t)b * s->row_bytes);
}

static uint64_t tok_hash(const sl__tok *t, int folded)
{
    if (t->masked) return PLACEHOLDER_HASH;
    return folded ? t->fh : t->h;
}

/* Word unigrams and bigrams of one token list. A group reference adds no feature at all, and
 * no bigram joins the words on either side of it: mentioning a group is evidence of nothing
 * (in the training data groups are named mostly in hateful comments, and a placeholder weight
 * learnt from that would push civil sentences about any group towards "hate"); only the words
 * around it say how it is spoken of. */
static void word_features(sink *s, const sl__tok *toks, size_t n, int folded, uint32_t ns_uni,
                          uint32_t ns_bi)
{
    uint64_t prev = 0x5bd1e995ull; /* start-of-text marker; 0: after a group reference */
    for (size_t i = 0; i < n; i++) {
        if (toks[i].masked) {
            prev = 0;
            continue;
        }
        uint64_t h = tok_hash(&toks[i], folded);
        emit(s, h, ns_uni);
        if (prev) emit(s, pair_hash(prev, h), ns_bi);
        prev = h;
    }
    if (prev) emit(s, pair_hash(prev, 0x1b873593ull), ns_bi);
}

/* Character n-grams of data[vs, ve) with '<' and '>' as word boundary marks. */
static void char_ngrams(sink *s, const char *data, uint32_t vs, uint32_t ve, uint32_t ns)
{
    uint32_t cps[SL__NGRAM_MAX_CPS + 2];
    size_t n = 0, i = vs;
    cps[n++] = '<';
    while (i < ve && n < SL__NGRAM_MAX_CPS + 1) {
        size_t k = decode(data + i, ve - i, &cps[n]);
        i += k ? k : 1;
        n++;
    }
    cps[n++] = '>';
    if (s->cap - s->n >= n * (SL__NGRAM_MAX - SL__NGRAM_MIN + 1)) {
        /* room for every n-gram: the same features without a bounds check each */
        uint64_t key = ns_key(ns);
        uint32_t *o = s->out + s->n;
        const char *rows = s->rows;
        size_t row_bytes = s->row_bytes;
        unsigned bits = s->bits;
        for (size_t a = 0; a + SL__NGRAM_MIN <= n; a++) {
            uint64_t h = hstep(FNV_OFFSET, cps[a]);
            size_t end = a + SL__NGRAM_MAX < n ? a + SL__NGRAM_MAX : n;
            for (size_t b = a + 1; b < end; b++) {
                h = hstep(h, cps[b]);
                uint32_t bk = bucket_keyed(h, key, bits);
                *o++ = bk;
                if (rows) __builtin_prefetch(rows + (size_t)bk * row_bytes);
            }
        }
        s->n = (size_t)(o - s->out);
        return;
    }
    for (size_t a = 0; a + SL__NGRAM_MIN <= n; a++) {
        uint64_t h = FNV_OFFSET;
        for (size_t b = a; b < n && b - a < SL__NGRAM_MAX; b++) {
            h = hstep(h, cps[b]);
            if (b - a + 1 >= SL__NGRAM_MIN) emit(s, h, ns);
        }
    }
}

size_t sl__comment_features(const sl__tok *norm, size_t nn, const sl__tok *fold, size_t nf,
                            const sl_view *fold_view, unsigned bits, const sl__rows *rows,
                            uint32_t *out, size_t cap)
{
    sink s = sink_new(out, cap, bits, rows);
    emit(&s, 0, NS_BIAS);
    word_features(&s, norm, nn, 0, NS_NORM_UNI, NS_NORM_BI);
    word_features(&s, fold, nf, 1, NS_FOLD_UNI, NS_FOLD_BI);
    for (size_t i = 0; i < nf; i++)
        if (fold[i].word && !fold[i].masked)
            char_ngrams(&s, fold_view->data, fold[i].vs, fold[i].ve, NS_FOLD_CHAR);
    return s.n;
}

/* ---- token features ------------------------------------------------------------------------ */

/* Character n-grams of a NORM token after folding its code points. */
static void folded_ngrams(sink *s, const sl_view *v, const sl__tok *t)
{
    char buf[4 * SL__NGRAM_MAX_CPS];
    size_t n = 0, i = t->vs;
    while (i < t->ve && n + 4 <= sizeof buf) {
        uint32_t cp;
        size_t k = decode(v->data + i, t->ve - i, &cp);
        i += k ? k : 1;
        n += sl__utf8_encode(fold(cp), buf + n);
    }
    char_ngrams(s, buf, 0, (uint32_t)n, NS_T_CHAR);
}

static uint64_t neighbour(const sl__tok *toks, size_t n, size_t t, long d)
{
    long j = (long)t + d;
    if (j < 0) return 0x11ull;
    if ((size_t)j >= n) return 0x22ull;
    return tok_hash(&toks[j], 1);
}

size_t sl__token_features(const sl__tok *norm, size_t nn, size_t t, const sl_view *norm_view,
                          float p_bad, unsigned bits, const sl__rows *rows, uint32_t *out,
                          size_t cap)
{
    sink s = sink_new(out, cap, bits, rows);
    const sl__tok *tk = &norm[t];
    uint64_t fh = tok_hash(tk, 1);
    uint32_t pb = p_bad < 0 ? 0 : p_bad >= 1 ? 9 : (uint32_t)(p_bad * 10);
    emit(&s, 0, NS_BIAS);
    emit(&s, tok_hash(tk, 0), NS_T_NORM);
    emit(&s, fh, NS_T_FOLD);
    emit(&s, neighbour(norm, nn, t, -1), NS_T_PREV1);
    emit(&s, neighbour(norm, nn, t, 1), NS_T_NEXT1);
    emit(&s, neighbour(norm, nn, t, -2), NS_T_PREV2);
    emit(&s, neighbour(norm, nn, t, 2), NS_T_NEXT2);
    emit(&s, pair_hash(neighbour(norm, nn, t, -1), fh), NS_T_BI_PREV);
    emit(&s, pair_hash(fh, neighbour(norm, nn, t, 1)), NS_T_BI_NEXT);
    emit(&s, pb, NS_T_PBAD);
    emit(&s, pair_hash(fh, pb), NS_T_PBAD_TOK);
    emit(&s, (uint64_t)tk->word * 2 + (tk->masked != 0), NS_T_SHAPE);
    if (tk->word && !tk->masked) folded_ngrams(&s, norm_view, tk);
    return s.n;
}
