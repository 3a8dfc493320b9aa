/* text/syllable.h — Vietnamese syllable shape, for spelling repairs that must not touch other
 * languages (internal).
 *
 * A written Vietnamese syllable is onset + rhyme (+ one tone mark). sl__vn_syllable() checks a
 * lowercase word against the onsets and rhymes of standard spelling, ignoring the tone mark;
 * sl__vn_repair() uses it to undo common teencode spellings of a word that is not a valid
 * syllable but becomes one (see syllable.c for the list). */
#ifndef SL_TEXT_SYLLABLE_H
#define SL_TEXT_SYLLABLE_H

#include <stddef.h>
#include <stdint.h>

/* Whether lowercase code points w[0..n) spell a Vietnamese syllable (tone mark ignored). */
int sl__vn_syllable(const uint32_t *w, size_t n);

/* Whether w has a letter with a Vietnamese diacritic (tone or shape mark, or đ). */
int sl__vn_marked(const uint32_t *w, size_t n);

/* Spelling repairs. Writes the repaired word to out (room for n + 2 code points) and for each
 * output code point the index of the input code point it came from; returns the new length, or
 * 0 when no repair applies. */
size_t sl__vn_repair(const uint32_t *w, size_t n, uint32_t *out, size_t *from);

#endif
