/* text/chars.h — per-code-point facts the text layer needs, by table lookup (internal).
 *
 * For code points below SL__CP_TABLE_SIZE (Latin, Vietnamese, Greek, Cyrillic, combining marks,
 * general punctuation) the facts are precomputed once from ICU into a static table, so building
 * views costs one array read per code point. Rarer code points are answered by ICU directly.
 * sl__chars_init() must have run (sl_text_new() does it; it is idempotent and thread-safe). */
#ifndef SL_TEXT_CHARS_H
#define SL_TEXT_CHARS_H

#include <stddef.h>
#include <stdint.h>

/* Character classes, as the normalizer sees them. */
enum {
    SL__C_OTHER = 0, /* punctuation, symbols, emoji, anything else */
    SL__C_SPACE = 1, /* White_Space */
    SL__C_LETTER = 2,
    SL__C_MARK = 3,  /* combining marks (Mn, Mc, Me) */
    SL__C_DIGIT = 4, /* Nd */
    SL__C_INVIS = 5  /* Cf and other invisible characters: dropped from NORM, FOLD, STANDARD */
};

/* Flags. */
#define SL__F_BOUNDARY 0x01 /* NFC boundary before this code point */
#define SL__F_NFC_SELF 0x02 /* NFC-normalized on its own */
#define SL__F_LATIN    0x04 /* Latin script letter */
#define SL__F_UPPER    0x08 /* uppercase or titlecase letter */

typedef struct sl__cpinfo {
    uint32_t lower; /* simple case fold */
    uint32_t base;  /* lower without diacritics ("ế" -> "e", "đ" -> "d"); = lower otherwise */
    uint32_t conf;  /* Latin look-alike with case kept (Cyrillic "а" -> "a"), or 0 */
    uint8_t cls;
    uint8_t flags;
} sl__cpinfo;

#define SL__CP_TABLE_SIZE 0x3000u

typedef struct sl__cpent {
    uint32_t lower, base;
    uint16_t conf;
    uint16_t toneless; /* lower without the Vietnamese tone mark ("ế" -> "ê"), shape kept */
    uint8_t cls, flags;
    uint8_t tone; /* Vietnamese tone mark: 0 none, 1 grave, 2 acute, 3 tilde, 4 hook, 5 dot */
} sl__cpent;

extern sl__cpent sl__cp_table[SL__CP_TABLE_SIZE];

/* Two more ranges common in social media: U+FE00-U+FFFF (variation selectors, BOM, fullwidth
 * forms) and U+1F000-U+1FFFF (emoji). */
#define SL__CP_FE_BASE    0xFE00u
#define SL__CP_FE_SIZE    0x200u
#define SL__CP_EMOJI_BASE 0x1F000u
#define SL__CP_EMOJI_SIZE 0x1000u
extern sl__cpent sl__cp_fe[SL__CP_FE_SIZE];
extern sl__cpent sl__cp_emoji[SL__CP_EMOJI_SIZE];

/* The table entry of cp, or NULL when cp is in no table. */
static inline const sl__cpent *sl__cp_entry(uint32_t cp)
{
    if (cp < SL__CP_TABLE_SIZE) return &sl__cp_table[cp];
    if (cp - SL__CP_FE_BASE < SL__CP_FE_SIZE) return &sl__cp_fe[cp - SL__CP_FE_BASE];
    if (cp - SL__CP_EMOJI_BASE < SL__CP_EMOJI_SIZE) return &sl__cp_emoji[cp - SL__CP_EMOJI_BASE];
    return NULL;
}

/* Builds the table (once per process; later calls return at once). */
void sl__chars_init(void);

/* Facts about a code point above the table (uses ICU). */
void sl__cp_slow(uint32_t cp, sl__cpinfo *out);

static inline void sl__cp_get(uint32_t cp, sl__cpinfo *out)
{
    const sl__cpent *e = sl__cp_entry(cp);
    if (e) {
        out->lower = e->lower;
        out->base = e->base;
        out->conf = e->conf;
        out->cls = e->cls;
        out->flags = e->flags;
        return;
    }
    sl__cp_slow(cp, out);
}

/* The diacritic-free form of a case-folded code point (for FOLD). */
static inline uint32_t sl__cp_base(uint32_t cp)
{
    const sl__cpent *e = sl__cp_entry(cp);
    if (e) return e->base;
    sl__cpinfo i;
    sl__cp_slow(cp, &i);
    return i.base;
}

/* Letters, combining marks and digits: the one definition of a word code point (the views add
 * the '*' mask, see sl_text_is_word_cp()). */
static inline int sl__cp_is_word(uint32_t cp)
{
    const sl__cpent *e = sl__cp_entry(cp);
    uint8_t cls;
    if (e) {
        cls = e->cls;
    } else {
        sl__cpinfo i;
        sl__cp_slow(cp, &i);
        cls = i.cls;
    }
    return cls == SL__C_LETTER || cls == SL__C_MARK || cls == SL__C_DIGIT;
}

#endif
