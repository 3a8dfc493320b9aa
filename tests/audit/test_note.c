/* Unit tests of audit/note and audit/keys: a checkpoint signed, parsed and verified; its exact
 * text and key hash recomputed here from the C2SP formats; every one-byte change of a signed
 * note refused; wrong keys refused; a table of malformed notes, each with the byte where the
 * parser must stop; verifier key strings; the key file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <sodium.h>

#include "sangloc/audit.h"

#define ORIGIN "sangloc/test.example"

typedef struct keys {
    uint8_t pk[32], sk[64];
    sl_note_signer signer;
} keys;

static void make_keys(keys *k, const char *name)
{
    crypto_sign_ed25519_keypair(k->pk, k->sk);
    sl_error err = {0};
    if (sl_note_signer_init(&k->signer, name, strlen(name), k->sk, &err))
        fail_msg("%s", err.message);
}

static size_t sign(const keys *k, uint64_t size, uint8_t fill, char note[SL_CHECKPOINT_NOTE_SIZE])
{
    sl_checkpoint c = {.origin = ORIGIN, .origin_len = strlen(ORIGIN), .size = size};
    memset(c.root, fill, sizeof c.root);
    size_t len = 0;
    assert_int_equal(sl_checkpoint_sign(&k->signer, &c, note, &len, NULL), SL_OK);
    assert_int_equal(strlen(note), len);
    return len;
}

static int setup(void **state)
{
    return sl_audit_init() == SL_OK ? 0 : -1;
}

/* The key hash as the signed-note spec defines it, computed here on its own. */
static void spec_key_hash(const char *name, const uint8_t pk[32], uint8_t out[4])
{
    uint8_t buf[512], h[32];
    size_t n = strlen(name);
    memcpy(buf, name, n);
    buf[n] = '\n';
    buf[n + 1] = 0x01;
    memcpy(buf + n + 2, pk, 32);
    crypto_hash_sha256(h, buf, n + 34);
    memcpy(out, h, 4);
}

static void test_round_trip(void **state)
{
    keys k;
    make_keys(&k, ORIGIN);
    char note[SL_CHECKPOINT_NOTE_SIZE];
    size_t len = sign(&k, 1234, 0xAB, note);

    /* the text is exactly the checkpoint body, then a blank line and one signature line */
    uint8_t root[32];
    memset(root, 0xAB, 32);
    char b64[64];
    sodium_bin2base64(b64, sizeof b64, root, 32, sodium_base64_VARIANT_ORIGINAL);
    char want[256];
    int wl = snprintf(want, sizeof want, ORIGIN "\n1234\n%s\n\n\xE2\x80\x94 " ORIGIN " ", b64);
    assert_memory_equal(note, want, (size_t)wl);

    /* the signature line: key hash || Ed25519 signature of the text */
    uint8_t raw[68];
    size_t raw_len;
    const char *sig = note + wl;
    assert_int_equal(sodium_base642bin(raw, sizeof raw, sig, len - (size_t)wl - 1, NULL, &raw_len,
                                       NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_int_equal(raw_len, 68);
    uint8_t kh[4];
    spec_key_hash(ORIGIN, k.pk, kh);
    assert_memory_equal(raw, kh, 4);
    size_t text_len = strlen(ORIGIN) + 6 + strlen(b64) + 1;
    assert_int_equal(
        crypto_sign_ed25519_verify_detached(raw + 4, (const uint8_t *)note, text_len, k.pk), 0);

    sl_note n;
    sl_error err = {0};
    assert_int_equal(sl_note_parse(note, len, &n, &err), SL_OK);
    assert_int_equal(n.text_len, text_len);
    assert_int_equal(n.nsigs, 1);
    assert_int_equal(sl_note_verify(note, len, &n, &k.signer.verifier, &err), SL_OK);
    sl_checkpoint c;
    assert_int_equal(sl_checkpoint_open(note, len, &k.signer.verifier, &c, &err), SL_OK);
    assert_string_equal(c.origin, ORIGIN);
    assert_int_equal(c.size, 1234);
    assert_memory_equal(c.root, root, 32);
    sl_note_signer_wipe(&k.signer);
}

static void test_every_flipped_byte_fails(void **state)
{
    keys k;
    make_keys(&k, ORIGIN);
    char note[SL_CHECKPOINT_NOTE_SIZE];
    size_t len = sign(&k, 42, 0x11, note);
    for (size_t i = 0; i < len; i++)
        for (unsigned bit = 0; bit < 8; bit++) {
            note[i] ^= (char)(1u << bit);
            sl_checkpoint c;
            sl_error err = {0};
            sl_status st = sl_checkpoint_open(note, len, &k.signer.verifier, &c, &err);
            if (st == SL_OK) fail_msg("byte %zu bit %u flipped: still verifies", i, bit);
            if (err.byte > len)
                fail_msg("byte %zu flipped: error at %zu past the end", i, err.byte);
            note[i] ^= (char)(1u << bit);
        }
    sl_checkpoint c;
    assert_int_equal(sl_checkpoint_open(note, len, &k.signer.verifier, &c, NULL), SL_OK);
}

static void test_wrong_keys(void **state)
{
    keys k, other, same_name;
    make_keys(&k, ORIGIN);
    make_keys(&other, "someone.else");
    make_keys(&same_name, ORIGIN);
    char note[SL_CHECKPOINT_NOTE_SIZE];
    size_t len = sign(&k, 7, 0x22, note);
    sl_checkpoint c;
    sl_error err = {0};
    assert_int_equal(sl_checkpoint_open(note, len, &other.signer.verifier, &c, &err), SL_ERR_NOTE);
    assert_non_null(strstr(err.message, "no signature"));
    assert_int_equal(sl_checkpoint_open(note, len, &same_name.signer.verifier, &c, &err),
                     SL_ERR_NOTE);
    /* a verifier that claims k's key hash but holds another key: the signature does not verify */
    sl_note_verifier forged = k.signer.verifier;
    memcpy(forged.pubkey, same_name.pk, 32);
    assert_int_equal(sl_checkpoint_open(note, len, &forged, &c, &err), SL_ERR_NOTE);
    assert_non_null(strstr(err.message, "does not verify"));
    assert_int_equal(err.byte, strchr(note, '\xE2') - note + 4);

    /* a note signed by two keys verifies for each of them */
    char two[2 * SL_CHECKPOINT_NOTE_SIZE];
    char note2[SL_CHECKPOINT_NOTE_SIZE];
    size_t len2 = sign(&other, 7, 0x22, note2);
    size_t body = (size_t)(strstr(note2, "\n\n") - note2) + 2;
    memcpy(two, note, len);
    memcpy(two + len, note2 + body, len2 - body);
    size_t tl = len + len2 - body;
    assert_int_equal(sl_checkpoint_open(two, tl, &k.signer.verifier, &c, &err), SL_OK);
    assert_int_equal(sl_checkpoint_open(two, tl, &other.signer.verifier, &c, &err), SL_OK);
}

static void test_verifier_key_string(void **state)
{
    keys k;
    make_keys(&k, ORIGIN);
    char s[SL_VERIFIER_KEY_SIZE];
    size_t n = sl_note_verifier_format(&k.signer.verifier, s);
    assert_int_equal(n, strlen(s));
    uint8_t kh[4], enc[33] = {0x01};
    spec_key_hash(ORIGIN, k.pk, kh);
    memcpy(enc + 1, k.pk, 32);
    char b64[64], want[SL_VERIFIER_KEY_SIZE];
    sodium_bin2base64(b64, sizeof b64, enc, sizeof enc, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, ORIGIN "+%02x%02x%02x%02x+%s", kh[0], kh[1], kh[2], kh[3], b64);
    assert_string_equal(s, want);
    sl_note_verifier v;
    sl_error err = {0};
    assert_int_equal(sl_note_verifier_parse(s, n, &v, &err), SL_OK);
    assert_memory_equal(&v, &k.signer.verifier, sizeof v);

    size_t hash_at = strlen(ORIGIN) + 1;
    s[hash_at] = s[hash_at] == '0' ? '1' : '0'; /* a key hash that does not match */
    assert_int_equal(sl_note_verifier_parse(s, n, &v, &err), SL_ERR_NOTE);
    assert_int_equal(err.byte, hash_at);
    struct {
        const char *s;
        size_t byte;
    } bad[] = {
        {"", 0},
        {"name", 0},
        {"+01234567+AQ==", 0},
        {"na me+01234567+AQ==", 2},
        {"name+0123456+AQ==", 12},
        {"name+0123456G+AQ==", 12},
        {"name+0123456A+AQ==", 12},
        {"name+01234567", 13},
        {"name+01234567-AQ==", 13},
        {"name+01234567+AQ==", 14},
        {"name+01234567+AgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 14},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sl_error e = {0};
        if (sl_note_verifier_parse(bad[i].s, strlen(bad[i].s), &v, &e) != SL_ERR_NOTE ||
            e.byte != bad[i].byte)
            fail_msg("\"%s\": want error at %zu, got %s at %zu (%s)", bad[i].s, bad[i].byte,
                     sl_status_name(e.code), e.byte, e.message);
    }
}

/* Malformed notes: each must fail with the status and at the byte given. */
static void test_malformed_notes(void **state)
{
    static char big[SL_NOTE_MAX + 2];
    memset(big, 'a', sizeof big - 1);
    struct {
        const char *s;
        size_t len; /* 0: strlen */
        sl_status code;
        size_t byte;
    } cases[] = {
        {"", 0, SL_ERR_NOTE, 0},
        {"text\n", 0, SL_ERR_NOTE, 0},
        {"text\n\n", 0, SL_ERR_NOTE, 6},
        {"text\n\n\xE2\x80\x94 a AAAAAAA=", 0, SL_ERR_NOTE, 20},
        {"te\txt\n\n", 0, SL_ERR_NOTE, 2},
        {"te\0xt\n\n", 7, SL_ERR_NOTE, 2},
        {"t\xC3\n\n", 0, SL_ERR_NOTE, 1},
        {"t\xED\xA0\x80\n\n", 0, SL_ERR_NOTE, 1},
        {"text\n\n- a AAAAAAA=\n", 0, SL_ERR_NOTE, 6},
        {"text\n\n\xE2\x80\x94 AAAAAAA=\n", 0, SL_ERR_NOTE, 10},
        {"text\n\n\xE2\x80\x94  AAAAAAA=\n", 0, SL_ERR_NOTE, 10},
        {"text\n\n\xE2\x80\x94 a+b AAAAAAA=\n", 0, SL_ERR_NOTE, 11},
        {"text\n\n\xE2\x80\x94 a AAAA\n", 0, SL_ERR_NOTE, 12},
        {"text\n\n\xE2\x80\x94 a AAAAAAA\n", 0, SL_ERR_NOTE, 12},
        {"text\n\n\xE2\x80\x94 a AAAAAAB=\n", 0, SL_ERR_NOTE, 12},
        {"text\n\n\xE2\x80\x94 a AAAAAAA=\n\n", 0, SL_ERR_NOTE, 22},
        {"text\n\n\xE2\x80\x94 a AAAAAAA= \n", 0, SL_ERR_NOTE, 12},
        {big, sizeof big - 1, SL_ERR_TOO_LARGE, SL_NOTE_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len = cases[i].len ? cases[i].len : strlen(cases[i].s);
        sl_note n;
        sl_error e = {0};
        sl_status st = sl_note_parse(cases[i].s, len, &n, &e);
        if (st != cases[i].code || e.byte != cases[i].byte)
            fail_msg("case %zu: want %s at %zu, got %s at %zu (%s)", i,
                     sl_status_name(cases[i].code), cases[i].byte, sl_status_name(st), e.byte,
                     e.message);
    }
    /* the shortest well-formed note: one line of text, one signature of an unknown key */
    sl_note n;
    assert_int_equal(sl_note_parse("text\n\n\xE2\x80\x94 a AAAAAAA=\n", 21, &n, NULL), SL_OK);
    assert_int_equal(n.text_len, 5);
    assert_int_equal(n.sigs[0].sig_len, 1);
    /* 17 signatures are too many */
    char many[1024] = "text\n\n";
    for (int i = 0; i < SL_NOTE_MAX_SIGS + 1; i++) strcat(many, "\xE2\x80\x94 a AAAAAAA=\n");
    sl_error e = {0};
    assert_int_equal(sl_note_parse(many, strlen(many), &n, &e), SL_ERR_TOO_LARGE);
    assert_int_equal(e.byte, 6 + 15 * SL_NOTE_MAX_SIGS);
}

static void test_malformed_checkpoints(void **state)
{
    const char *root = "q6urq6urq6urq6urq6urq6urq6urq6urq6urq6urq6s=";
    char good[128];
    snprintf(good, sizeof good, "o\n5\n%s\n", root);
    sl_checkpoint c;
    assert_int_equal(sl_checkpoint_parse(good, strlen(good), &c, NULL), SL_OK);
    assert_int_equal(c.size, 5);
    struct {
        const char *fmt;
        size_t byte;
    } cases[] = {
        {"o\n5\n%s", 0},                      /* no final newline: byte is the length */
        {"\n5\n%s\n", 0},                     /* empty origin */
        {"o\n05\n%s\n", 2},                   /* leading zero */
        {"o\n\n%s\n", 2},                     /* empty size */
        {"o\n-5\n%s\n", 2},                   /* sign */
        {"o\n5x\n%s\n", 3},                   /* not a number */
        {"o\n9223372036854775808\n%s\n", 20}, /* 2^63 */
        {"o\n5\nAAAA%s\n", 4},                /* root too long */
        {"o\n5\n%s\n\n", 49},                 /* empty extension line */
        {"o\n5\n%s\next", 49},                /* extension without newline */
        {"o\r\n5\n%s\n", 1},                  /* control character */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char s[256];
        snprintf(s, sizeof s, cases[i].fmt, root);
        size_t len = strlen(s);
        size_t want = i == 0 ? len : cases[i].byte;
        sl_error e = {0};
        sl_status st = sl_checkpoint_parse(s, len, &c, &e);
        if (st != SL_ERR_NOTE || e.byte != want)
            fail_msg("case %zu: want note at %zu, got %s at %zu (%s)", i, want, sl_status_name(st),
                     e.byte, e.message);
    }
    snprintf(good, sizeof good, "o\n9223372036854775807\n%s\next one\n", root);
    assert_int_equal(sl_checkpoint_parse(good, strlen(good), &c, NULL), SL_OK);
    assert_int_equal(c.size, (uint64_t)INT64_MAX);
}

static void test_signer_checks(void **state)
{
    keys k;
    make_keys(&k, ORIGIN);
    sl_note_signer s;
    assert_int_equal(sl_note_signer_init(&s, "a b", 3, k.sk, NULL), SL_ERR_ARG);
    assert_int_equal(sl_note_signer_init(&s, "a+b", 3, k.sk, NULL), SL_ERR_ARG);
    assert_int_equal(sl_note_signer_init(&s, "", 0, k.sk, NULL), SL_ERR_ARG);
    k.sk[40] ^= 1; /* the public half no longer matches the seed */
    assert_int_equal(sl_note_signer_init(&s, "a", 1, k.sk, NULL), SL_ERR_ARG);
    k.sk[40] ^= 1;
    sl_checkpoint c = {.origin = "bad origin", .origin_len = 10, .size = 1};
    char note[SL_CHECKPOINT_NOTE_SIZE];
    size_t len;
    assert_int_equal(sl_checkpoint_sign(&k.signer, &c, note, &len, NULL), SL_ERR_ARG);
}

static void test_key_file(void **state)
{
    char dir[] = "/tmp/sl_audit_key_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[128];
    snprintf(path, sizeof path, "%s/audit.key", dir);
    uint8_t a[64], b[64];
    sl_error err = {0};
    assert_int_equal(sl_audit_key_load(path, a, &err), SL_OK);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(st.st_size, 64);
    assert_int_equal(sl_audit_key_load(path, b, &err), SL_OK);
    assert_memory_equal(a, b, 64);
    sl_note_signer s;
    assert_int_equal(sl_note_signer_init(&s, "n", 1, a, NULL), SL_OK);

    chmod(path, 0640);
    assert_int_equal(sl_audit_key_load(path, b, &err), SL_ERR_IO);
    assert_non_null(strstr(err.message, "chmod 600"));
    chmod(path, 0600);
    a[40] ^= 1; /* a key file whose halves do not match */
    FILE *f = fopen(path, "wb");
    fwrite(a, 1, 64, f);
    fclose(f);
    assert_int_equal(sl_audit_key_load(path, b, &err), SL_ERR_ARG);
    f = fopen(path, "wb");
    fwrite(a, 1, 32, f);
    fclose(f);
    assert_int_equal(sl_audit_key_load(path, b, &err), SL_ERR_IO);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),      cmocka_unit_test(test_every_flipped_byte_fails),
        cmocka_unit_test(test_wrong_keys),      cmocka_unit_test(test_verifier_key_string),
        cmocka_unit_test(test_malformed_notes), cmocka_unit_test(test_malformed_checkpoints),
        cmocka_unit_test(test_signer_checks),   cmocka_unit_test(test_key_file),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
