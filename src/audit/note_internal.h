/* audit/note_internal.h — text checks and encodings shared by the note parser and the keys
 * (internal). */
#ifndef SL_AUDIT_NOTE_INTERNAL_H
#define SL_AUDIT_NOTE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/audit.h"

/* The offset of the first byte of s[0, len) that does not start valid UTF-8 (shortest form, no
 * surrogate, at most U+10FFFF), or len when all of it is valid. */
size_t sl__note_utf8_error(const char *s, size_t len);

/* Whether s[0, len) is a valid key name: 1..SL_NOTE_NAME_MAX bytes of UTF-8 without space,
 * control character or '+'. If not, *bad is the offset of the first bad byte (0 for a bad
 * length). */
bool sl__note_name_ok(const char *s, size_t len, size_t *bad);

/* The first 4 bytes of SHA-256(name || "\n" || 0x01 || pubkey). */
void sl__note_key_hash(const char *name, size_t name_len, const uint8_t pubkey[32],
                       uint8_t out[SL_NOTE_KEYHASH_LEN]);

/* Whether s[0, len) is, whole, padded standard base64 of at most cap bytes (with zero padding
 * bits), decoded into out[0, *out_len). */
bool sl__note_b64_decode(const char *s, size_t len, uint8_t *out, size_t cap, size_t *out_len);

#endif
