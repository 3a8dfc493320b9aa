/* Fuzz target: the signed-note, checkpoint and verifier-key parsers (src/audit/note.c, keys.c)
 * on arbitrary bytes. Notes and keys come from auditors and servers, so the parsers must never
 * read past the input, must put any error's byte inside it (or at its end), and must accept
 * only canonical text: a parsed checkpoint prints back to exactly its text's first three lines,
 * a parsed verifier key prints back to exactly the input. A fixed key is tried on every parsed
 * note, which must never verify (nobody holds its secret but this file, and it signs nothing). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "sangloc/audit.h"

static sl_note_verifier fixed;

static void check_checkpoint(const char *s, size_t len)
{
    sl_checkpoint c;
    sl_error err = {0};
    if (sl_checkpoint_parse(s, len, &c, &err)) {
        if (err.byte > len) abort();
        return;
    }
    char root[64], again[SL_NOTE_NAME_MAX + 128];
    sodium_bin2base64(root, sizeof root, c.root, sizeof c.root, sodium_base64_VARIANT_ORIGINAL);
    int n = snprintf(again, sizeof again, "%.*s\n%" PRIu64 "\n%s\n", (int)c.origin_len, c.origin,
                     c.size, root);
    if (n < 0 || (size_t)n > len || memcmp(again, s, (size_t)n) || c.size > (uint64_t)INT64_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!fixed.name_len) {
        uint8_t pk[32], sk[64];
        sl_audit_init();
        crypto_sign_ed25519_seed_keypair(pk, sk,
                                         (const uint8_t *)"fuzz-note-fixed-seed-32-bytes!!!");
        sl_note_signer s;
        if (sl_note_signer_init(&s, "fuzz", 4, sk, NULL)) abort();
        fixed = s.verifier;
    }
    char *copy = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!copy) return 0;
    memcpy(copy, data, size);

    sl_note note;
    sl_error err = {0};
    if (sl_note_parse(copy, size, &note, &err) == SL_OK) {
        if (note.text_len >= size || note.nsigs < 1 || note.nsigs > SL_NOTE_MAX_SIGS) abort();
        for (size_t i = 0; i < note.nsigs; i++)
            if (note.sigs[i].name_off + note.sigs[i].name_len > size ||
                note.sigs[i].sig_len > SL_NOTE_SIG_MAX)
                abort();
        if (sl_note_verify(copy, size, &note, &fixed, &err) == SL_OK || err.byte > size) abort();
        check_checkpoint(copy, note.text_len);
    } else if (err.byte > size) {
        abort();
    }
    check_checkpoint(copy, size);

    sl_note_verifier v;
    if (sl_note_verifier_parse(copy, size, &v, &err) == SL_OK) {
        char again[SL_VERIFIER_KEY_SIZE];
        size_t n = sl_note_verifier_format(&v, again);
        if (n != size || memcmp(again, copy, size)) abort();
    } else if (err.byte > size) {
        abort();
    }
    free(copy);
    return 0;
}
