/* Per-code-point table for the text layer, computed once from ICU at first use.
 *
 * Why a table: views are built for every post, so per code point we want one array read, not
 * several ICU calls. The table covers U+0000..U+2FFF (all of Latin, Vietnamese, combining marks,
 * Greek, Cyrillic, general punctuation); above it ICU answers directly (rare in our input).
 * Look-alike letters are a short hand-written list (Cyrillic and Greek letters that readers take
 * for Latin ones) plus compatibility forms whose NFKC form is one ASCII letter (circled,
 * fullwidth, mathematical letters). */
#include "text/chars.h"

#include <pthread.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uscript.h>

sl__cpent sl__cp_table[SL__CP_TABLE_SIZE];
sl__cpent sl__cp_fe[SL__CP_FE_SIZE];
sl__cpent sl__cp_emoji[SL__CP_EMOJI_SIZE];

static pthread_once_t table_once = PTHREAD_ONCE_INIT;
static const UNormalizer2 *nfc_norm, *nfd_norm, *nfkc_norm;

/* Cyrillic and Greek letters that look like Latin ones: {code point, Latin letter}. */
static const uint16_t confusables[][2] = {
    /* Cyrillic lowercase */
    {0x0430, 'a'},
    {0x0432, 'b'},
    {0x0435, 'e'},
    {0x043A, 'k'},
    {0x043C, 'm'},
    {0x043D, 'h'},
    {0x043E, 'o'},
    {0x0440, 'p'},
    {0x0441, 'c'},
    {0x0442, 't'},
    {0x0443, 'y'},
    {0x0445, 'x'},
    {0x0455, 's'},
    {0x0456, 'i'},
    {0x0458, 'j'},
    {0x0501, 'd'},
    {0x051B, 'q'},
    {0x051D, 'w'},
    {0x04BB, 'h'},
    {0x0457, 'i'},
    {0x0451, 'e'},
    /* Cyrillic uppercase */
    {0x0410, 'A'},
    {0x0412, 'B'},
    {0x0415, 'E'},
    {0x041A, 'K'},
    {0x041C, 'M'},
    {0x041D, 'H'},
    {0x041E, 'O'},
    {0x0420, 'P'},
    {0x0421, 'C'},
    {0x0422, 'T'},
    {0x0423, 'Y'},
    {0x0425, 'X'},
    {0x0405, 'S'},
    {0x0406, 'I'},
    {0x0408, 'J'},
    {0x04AE, 'Y'},
    {0x0500, 'D'},
    {0x051A, 'Q'},
    {0x051C, 'W'},
    {0x04C0, 'I'},
    /* Greek lowercase */
    {0x03B1, 'a'},
    {0x03B5, 'e'},
    {0x03B9, 'i'},
    {0x03BA, 'k'},
    {0x03BD, 'v'},
    {0x03BF, 'o'},
    {0x03C1, 'p'},
    {0x03C4, 't'},
    {0x03C5, 'u'},
    {0x03C7, 'x'},
    {0x03C9, 'w'},
    {0x03B2, 'b'},
    /* Greek uppercase */
    {0x0391, 'A'},
    {0x0392, 'B'},
    {0x0395, 'E'},
    {0x0396, 'Z'},
    {0x0397, 'H'},
    {0x0399, 'I'},
    {0x039A, 'K'},
    {0x039C, 'M'},
    {0x039D, 'N'},
    {0x039F, 'O'},
    {0x03A1, 'P'},
    {0x03A4, 'T'},
    {0x03A5, 'Y'},
    {0x03A7, 'X'},
    /* Latin look-alikes outside ASCII */
    {0x0131, 'i'},
    {0x0251, 'a'},
    {0x0261, 'g'},
    {0x026A, 'i'},
    {0x1D00, 'a'},
};

static int is_extra_invisible(uint32_t cp)
{
    return cp == 0x034F || cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 ||
           (cp >= 0x180B && cp <= 0x180F) || (cp >= 0xFE00 && cp <= 0xFE0F) ||
           (cp >= 0xE0100 && cp <= 0xE01EF) || cp == 0x2800;
}

static uint8_t class_of(uint32_t cp)
{
    if (is_extra_invisible(cp)) return SL__C_INVIS;
    if (u_isUWhiteSpace((UChar32)cp)) return SL__C_SPACE;
    switch (u_charType((UChar32)cp)) {
    case U_UPPERCASE_LETTER:
    case U_LOWERCASE_LETTER:
    case U_TITLECASE_LETTER:
    case U_MODIFIER_LETTER:
    case U_OTHER_LETTER:
        return SL__C_LETTER;
    case U_NON_SPACING_MARK:
    case U_COMBINING_SPACING_MARK:
    case U_ENCLOSING_MARK:
        return SL__C_MARK;
    case U_DECIMAL_DIGIT_NUMBER:
        return SL__C_DIGIT;
    case U_FORMAT_CHAR:
        return SL__C_INVIS;
    default:
        return SL__C_OTHER;
    }
}

/* First code point of the canonical decomposition when the rest are combining marks. */
static uint32_t strip_marks(uint32_t cp)
{
    if (cp == 0x0111) return 'd'; /* đ has no decomposition */
    if (cp < 0xC0) return cp;
    UChar buf[16];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = unorm2_getDecomposition(nfd_norm, (UChar32)cp, buf, 16, &st);
    if (U_FAILURE(st) || n <= 0) return cp;
    UChar32 first;
    int32_t i = 0;
    U16_NEXT(buf, i, n, first);
    for (int32_t j = i; j < n;) {
        UChar32 c;
        U16_NEXT(buf, j, n, c);
        if (u_getCombiningClass(c) == 0 && u_charType(c) != U_NON_SPACING_MARK) return cp;
    }
    return (uint32_t)first;
}

/* The letter without a Vietnamese tone mark (grave, acute, tilde, hook above, dot below). */
static uint32_t strip_tone(uint32_t cp)
{
    if (cp < 0xC0) return cp;
    UChar buf[16], keep[16], out[16];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = unorm2_getDecomposition(nfd_norm, (UChar32)cp, buf, 16, &st);
    if (U_FAILURE(st) || n <= 0) return cp;
    int32_t k = 0;
    for (int32_t i = 0; i < n; i++)
        if (buf[i] != 0x300 && buf[i] != 0x301 && buf[i] != 0x303 && buf[i] != 0x309 &&
            buf[i] != 0x323)
            keep[k++] = buf[i];
    int32_t m = unorm2_normalize(nfc_norm, keep, k, out, 16, &st);
    if (U_FAILURE(st) || m != 1) return cp;
    return out[0];
}

/* Which Vietnamese tone mark the letter carries (see sl__cpent.tone). */
static uint8_t tone_of(uint32_t cp)
{
    static const UChar marks[] = {0x300, 0x301, 0x303, 0x309, 0x323};
    if (cp < 0xC0) return 0;
    UChar buf[16];
    UErrorCode st = U_ZERO_ERROR;
    int32_t n = unorm2_getDecomposition(nfd_norm, (UChar32)cp, buf, 16, &st);
    for (int32_t i = 0; U_SUCCESS(st) && i < n; i++)
        for (int k = 0; k < 5; k++)
            if (buf[i] == marks[k]) return (uint8_t)(k + 1);
    return 0;
}

/* The ASCII letter a compatibility form stands for (circled, fullwidth, math), or 0. */
static uint32_t nfkc_letter(uint32_t cp)
{
    UChar src[2], dst[8];
    int32_t n = 0;
    U16_APPEND_UNSAFE(src, n, (UChar32)cp);
    UErrorCode st = U_ZERO_ERROR;
    int32_t m = unorm2_normalize(nfkc_norm, src, n, dst, 8, &st);
    if (U_FAILURE(st) || m != 1) return 0;
    if ((dst[0] >= 'a' && dst[0] <= 'z') || (dst[0] >= 'A' && dst[0] <= 'Z')) return dst[0];
    return 0;
}

static int nfc_self(uint32_t cp)
{
    UChar src[2];
    int32_t n = 0;
    U16_APPEND_UNSAFE(src, n, (UChar32)cp);
    UErrorCode st = U_ZERO_ERROR;
    UBool ok = unorm2_isNormalized(nfc_norm, src, n, &st);
    return U_SUCCESS(st) && ok;
}

static void compute(uint32_t cp, sl__cpinfo *out)
{
    out->cls = class_of(cp);
    UChar32 low = u_foldCase((UChar32)cp, U_FOLD_CASE_DEFAULT);
    out->lower = (uint32_t)low;
    out->base = out->cls == SL__C_LETTER ? strip_marks(out->lower) : out->lower;
    out->conf = 0;
    if (cp >= 0x80 && (out->cls == SL__C_LETTER || out->cls == SL__C_OTHER))
        out->conf = nfkc_letter(cp);
    out->flags = 0;
    if (unorm2_hasBoundaryBefore(nfc_norm, (UChar32)cp)) out->flags |= SL__F_BOUNDARY;
    if (nfc_self(cp)) out->flags |= SL__F_NFC_SELF;
    if (out->cls == SL__C_LETTER) {
        UErrorCode st = U_ZERO_ERROR;
        if (uscript_getScript((UChar32)cp, &st) == USCRIPT_LATIN) out->flags |= SL__F_LATIN;
        if (u_isupper((UChar32)cp) || u_istitle((UChar32)cp)) out->flags |= SL__F_UPPER;
    }
    if (out->conf) { /* a compatibility letter acts as the letter it stands for */
        out->cls = SL__C_LETTER;
    }
}

static void fill(sl__cpent *table, uint32_t base, uint32_t size)
{
    for (uint32_t k = 0; k < size; k++) {
        uint32_t cp = base + k;
        sl__cpinfo i;
        compute(cp, &i);
        sl__cpent *e = &table[k];
        e->lower = i.lower;
        e->base = i.base;
        e->conf = (uint16_t)i.conf;
        e->cls = i.cls;
        e->flags = i.flags;
        uint32_t tl = i.cls == SL__C_LETTER ? strip_tone(i.lower) : i.lower;
        e->toneless = (uint16_t)(tl < 0x10000 ? tl : 0xFFFF);
        e->tone = i.cls == SL__C_LETTER ? tone_of(i.lower) : 0;
    }
}

static void build_table(void)
{
    UErrorCode st = U_ZERO_ERROR;
    nfc_norm = unorm2_getNFCInstance(&st);
    nfd_norm = unorm2_getNFDInstance(&st);
    nfkc_norm = unorm2_getNFKCInstance(&st);
    fill(sl__cp_table, 0, SL__CP_TABLE_SIZE);
    fill(sl__cp_fe, SL__CP_FE_BASE, SL__CP_FE_SIZE);
    fill(sl__cp_emoji, SL__CP_EMOJI_BASE, SL__CP_EMOJI_SIZE);
    for (size_t k = 0; k < sizeof confusables / sizeof confusables[0]; k++)
        sl__cp_table[confusables[k][0]].conf = confusables[k][1];
}

void sl__chars_init(void)
{
    pthread_once(&table_once, build_table);
}

void sl__cp_slow(uint32_t cp, sl__cpinfo *out)
{
    sl__chars_init();
    compute(cp, out);
    if (cp >= 0xFF01 && cp <= 0xFF5E) { /* fullwidth ASCII */
        uint32_t a = cp - 0xFEE0;
        if ((a >= 'a' && a <= 'z') || (a >= 'A' && a <= 'Z')) out->conf = a;
    }
}
