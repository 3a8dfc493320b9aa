/* Signed notes (C2SP signed-note) and checkpoints (C2SP tlog-checkpoint): parsing, signing and
 * verification.
 *
 * Notes come from outside (an auditor's saved checkpoint, a server's answer), so the parser takes
 * only the exact form: the whole note is UTF-8 without control characters but newline and ends in
 * one; the text ends at the last blank line; then come 1..SL_NOTE_MAX_SIGS lines "— NAME SIG",
 * SIG being padded standard base64 of a 4-byte key hash and the signature. The first fault found
 * is reported with its byte offset. Signatures of unknown keys are kept but never trusted. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "audit/note_internal.h"
#include "sangloc/audit.h"

static const char sig_prefix[] = "\xE2\x80\x94 "; /* U+2014 EM DASH and a space */
#define SIG_PREFIX_LEN (sizeof sig_prefix - 1)

/* The offset of the first control character (other than newline) or invalid UTF-8 byte of
 * s[0, len), or len. */
static size_t text_error(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\n') || c == 0x7F) return i;
    }
    return sl__note_utf8_error(s, len);
}

static const char *line_end(const char *s, size_t from, size_t len)
{
    return memchr(s + from, '\n', len - from);
}

/* One signature line s[p, e) (e at its newline) into *sig. */
static sl_status parse_sig_line(const char *s, size_t p, size_t e, sl_note_sig *sig, sl_error *err)
{
    if (e - p < SIG_PREFIX_LEN || memcmp(s + p, sig_prefix, SIG_PREFIX_LEN))
        return sl_error_set(err, SL_ERR_NOTE, p, "a signature line starts with \"\u2014 \"");
    size_t n = p + SIG_PREFIX_LEN;
    const char *sp = memchr(s + n, ' ', e - n);
    if (!sp) return sl_error_set(err, SL_ERR_NOTE, n, "signature line: no space after the name");
    size_t name_len = (size_t)(sp - (s + n));
    size_t bad;
    if (!sl__note_name_ok(s + n, name_len, &bad))
        return sl_error_set(err, SL_ERR_NOTE, n + bad, "signature line: bad name");
    size_t b = n + name_len + 1;
    uint8_t raw[SL_NOTE_KEYHASH_LEN + SL_NOTE_SIG_MAX];
    size_t raw_len;
    if (!sl__note_b64_decode(s + b, e - b, raw, sizeof raw, &raw_len) ||
        raw_len <= SL_NOTE_KEYHASH_LEN)
        return sl_error_set(err, SL_ERR_NOTE, b,
                            "signature line: base64 of a key hash and a signature expected");
    sig->name_off = n;
    sig->name_len = name_len;
    memcpy(sig->key_hash, raw, SL_NOTE_KEYHASH_LEN);
    sig->sig_len = raw_len - SL_NOTE_KEYHASH_LEN;
    memcpy(sig->sig, raw + SL_NOTE_KEYHASH_LEN, sig->sig_len);
    return SL_OK;
}

sl_status sl_note_parse(const char *s, size_t len, sl_note *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > SL_NOTE_MAX)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NOTE_MAX, "a note is at most %d bytes",
                            SL_NOTE_MAX);
    size_t bad = text_error(s, len);
    if (bad != len)
        return sl_error_set(err, SL_ERR_NOTE, bad, "a note is UTF-8 without control characters");
    if (len == 0 || s[len - 1] != '\n')
        return sl_error_set(err, SL_ERR_NOTE, len, "a note ends with a newline");
    size_t blank = len; /* the last "\n\n": the text ends at its first newline */
    for (size_t i = len - 1; i > 0; i--)
        if (s[i] == '\n' && s[i - 1] == '\n') {
            blank = i - 1;
            break;
        }
    if (blank == len)
        return sl_error_set(err, SL_ERR_NOTE, 0, "no blank line between text and signatures");
    out->text_len = blank + 1;
    for (size_t p = blank + 2; p < len;) {
        size_t e = (size_t)(line_end(s, p, len) - s);
        if (out->nsigs == SL_NOTE_MAX_SIGS)
            return sl_error_set(err, SL_ERR_TOO_LARGE, p, "more than %d signatures",
                                SL_NOTE_MAX_SIGS);
        sl_status st = parse_sig_line(s, p, e, &out->sigs[out->nsigs], err);
        if (st) return st;
        out->nsigs++;
        p = e + 1;
    }
    if (out->nsigs == 0)
        return sl_error_set(err, SL_ERR_NOTE, len, "a note has at least one signature");
    return SL_OK;
}

sl_status sl_note_verify(const char *s, size_t len, const sl_note *note, const sl_note_verifier *v,
                         sl_error *err)
{
    bool found = false;
    for (size_t i = 0; i < note->nsigs; i++) {
        const sl_note_sig *g = &note->sigs[i];
        if (g->name_off + g->name_len > len || g->name_len != v->name_len ||
            memcmp(s + g->name_off, v->name, v->name_len) ||
            memcmp(g->key_hash, v->key_hash, SL_NOTE_KEYHASH_LEN))
            continue;
        if (g->sig_len != SL_NOTE_SIG_LEN || note->text_len > len ||
            crypto_sign_ed25519_verify_detached(g->sig, (const uint8_t *)s, note->text_len,
                                                v->pubkey))
            return sl_error_set(err, SL_ERR_NOTE, g->name_off,
                                "the signature by %s does not verify", v->name);
        found = true;
    }
    if (!found)
        return sl_error_set(err, SL_ERR_NOTE, note->text_len < len ? note->text_len + 1 : len,
                            "no signature by the key %s", v->name);
    return SL_OK;
}

/* The decimal size s[p, e): no sign, no leading zero, at most INT64_MAX. */
static sl_status parse_size(const char *s, size_t p, size_t e, uint64_t *out, sl_error *err)
{
    if (e == p || (s[p] == '0' && e - p > 1))
        return sl_error_set(err, SL_ERR_NOTE, p, "checkpoint: a tree size without leading zeros");
    uint64_t v = 0;
    for (size_t i = p; i < e; i++) {
        if (s[i] < '0' || s[i] > '9')
            return sl_error_set(err, SL_ERR_NOTE, i, "checkpoint: the tree size is a number");
        unsigned d = (unsigned)(s[i] - '0');
        if (v > ((uint64_t)INT64_MAX - d) / 10)
            return sl_error_set(err, SL_ERR_NOTE, i, "checkpoint: tree size too large");
        v = v * 10 + d;
    }
    *out = v;
    return SL_OK;
}

sl_status sl_checkpoint_parse(const char *s, size_t len, sl_checkpoint *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    if (len > SL_NOTE_MAX)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NOTE_MAX, "a checkpoint is at most %d bytes",
                            SL_NOTE_MAX);
    size_t bad = text_error(s, len);
    if (bad != len)
        return sl_error_set(err, SL_ERR_NOTE, bad, "checkpoint: UTF-8 without control characters");
    size_t ends[3], p = 0;
    for (int i = 0; i < 3; i++, p = ends[i - 1] + 1) {
        const char *e = p < len ? line_end(s, p, len) : NULL;
        if (!e) return sl_error_set(err, SL_ERR_NOTE, len, "checkpoint: 3 lines expected");
        ends[i] = (size_t)(e - s);
    }
    if (ends[0] == 0 || ends[0] > SL_NOTE_NAME_MAX)
        return sl_error_set(err, SL_ERR_NOTE, 0, "checkpoint: origin of 1 to %d bytes expected",
                            SL_NOTE_NAME_MAX);
    memcpy(out->origin, s, ends[0]);
    out->origin_len = ends[0];
    sl_status st = parse_size(s, ends[0] + 1, ends[1], &out->size, err);
    if (st) return st;
    size_t b = ends[1] + 1, root_len;
    if (!sl__note_b64_decode(s + b, ends[2] - b, out->root, SL_MERKLE_HASH_LEN, &root_len) ||
        root_len != SL_MERKLE_HASH_LEN)
        return sl_error_set(err, SL_ERR_NOTE, b, "checkpoint: base64 of a 32-byte root expected");
    for (p = ends[2] + 1; p < len;) { /* extension lines: signed, kept, not interpreted */
        const char *e = line_end(s, p, len);
        if (!e || (size_t)(e - s) == p)
            return sl_error_set(err, SL_ERR_NOTE, p,
                                "checkpoint: an extension line is not empty "
                                "and ends with a newline");
        p = (size_t)(e - s) + 1;
    }
    return SL_OK;
}

sl_status sl_checkpoint_open(const char *s, size_t len, const sl_note_verifier *v,
                             sl_checkpoint *out, sl_error *err)
{
    memset(out, 0, sizeof *out);
    sl_note note;
    sl_status st = sl_note_parse(s, len, &note, err);
    if (!st) st = sl_checkpoint_parse(s, note.text_len, out, err);
    if (!st) st = sl_note_verify(s, len, &note, v, err);
    return st;
}

sl_status sl_checkpoint_sign(const sl_note_signer *s, const sl_checkpoint *c,
                             char out[SL_CHECKPOINT_NOTE_SIZE], size_t *len, sl_error *err)
{
    *len = 0;
    out[0] = 0;
    size_t bad;
    if (!sl__note_name_ok(c->origin, c->origin_len, &bad))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "checkpoint: bad origin");
    if (c->size > (uint64_t)INT64_MAX)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "checkpoint: tree size too large");
    char root[sodium_base64_ENCODED_LEN(SL_MERKLE_HASH_LEN, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(root, sizeof root, c->root, SL_MERKLE_HASH_LEN,
                      sodium_base64_VARIANT_ORIGINAL);
    int text_len = snprintf(out, SL_CHECKPOINT_NOTE_SIZE, "%.*s\n%" PRIu64 "\n%s\n",
                            (int)c->origin_len, c->origin, c->size, root);
    uint8_t raw[SL_NOTE_KEYHASH_LEN + SL_NOTE_SIG_LEN];
    memcpy(raw, s->verifier.key_hash, SL_NOTE_KEYHASH_LEN);
    crypto_sign_ed25519_detached(raw + SL_NOTE_KEYHASH_LEN, NULL, (const uint8_t *)out,
                                 (size_t)text_len, s->secret);
    char sig[sodium_base64_ENCODED_LEN(sizeof raw, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig, sizeof sig, raw, sizeof raw, sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(out + text_len, SL_CHECKPOINT_NOTE_SIZE - (size_t)text_len, "\n%s%s %s\n",
                     sig_prefix, s->verifier.name, sig);
    *len = (size_t)text_len + (size_t)n;
    return SL_OK;
}
