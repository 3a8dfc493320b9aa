/* Fuzz target: notices to authors and DSA statements (src/server/notice.c, dsa.c,
 * verdict_hits.c) on arbitrary bytes. The first byte picks what the rest is:
 *   0: the item's text, with three hits whose spans come from the next bytes (one of them
 *      personal data): the plain text must be valid UTF-8 with no control or bidi character
 *      but line feeds, and exactly as many lines as the notice of a harmless text of the same
 *      length; the JSON must be one strict JSON value;
 *   1: a stored verdict for a fixed text (the notice succeeds or fails inside the input);
 *   2: a statement for sl__dsa_check (errors inside the input);
 *   3: a stored verdict for a statement, which must then pass sl__dsa_check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/text.h"
#include "server/dsa.h"
#include "server/json.h"
#include "server/notice.h"

static void check_err(sl_status st, const sl_error *err, size_t size)
{
    if (st && err->byte != SL_NO_POS && err->byte > size) abort();
}

static void check_json(const sl_buf *b)
{
    sl_error err = {0};
    size_t i = 0;
    if (sl__json_skip(b->data, b->len, &i, &err) || sl__json_end(b->data, b->len, i, &err)) abort();
}

static sl__notice_facts base(const char *text, size_t len, const char *verdict, size_t vlen)
{
    return (sl__notice_facts){.notice_id = "n",
                              .channel = "c",
                              .item_id = "i",
                              .text = text,
                              .text_len = len,
                              .verdict_json = verdict,
                              .verdict_len = vlen,
                              .rule_id = "a",
                              .clause = "Điều 1.",
                              .category = "insult",
                              .policy_version = "1",
                              .decided_at = 1796030045000,
                              .appeal_until = 1797239645000};
}

static size_t lines(const sl_buf *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->len; i++) n += b->data[i] == '\n';
    return n;
}

static void plain_text_safe(const sl_buf *b)
{
    sl_error err = {0};
    if (sl_utf8_validate(b->data, b->len, &err)) abort();
    for (size_t i = 0; i < b->len; i++) {
        unsigned char c = (unsigned char)b->data[i];
        if ((c < 0x20 && c != '\n') || c == 0x7f) abort();
        if (c == 0xC2 && i + 1 < b->len && (unsigned char)b->data[i + 1] < 0xA0) abort(); /* C1 */
        if (c == 0xE2 && i + 2 < b->len && (unsigned char)b->data[i + 1] == 0x80 &&
            ((unsigned char)b->data[i + 2] >= 0xA8 && (unsigned char)b->data[i + 2] <= 0xAE))
            abort(); /* U+2028..U+202E */
    }
}

static void spans_mode(const unsigned char *d, size_t size, const char *s)
{
    if (size < 6) return;
    size_t len = size - 6;
    const char *text = s + 6;
    char v[512];
    snprintf(v, sizeof v,
             "{\"hits\":[{\"rule\":\"a\",\"category\":\"insult\",\"start\":%u,\"end\":%u},"
             "{\"rule\":\"pii.phone\",\"category\":\"personal_data\",\"start\":%u,\"end\":%u},"
             "{\"rule\":\"b\",\"category\":\"threat\",\"start\":%u,\"end\":%u}]}",
             d[0], d[0] + d[1], d[2], d[2] + d[3], d[4], d[4] + d[5] * 3u);
    sl__notice_facts f = base(text, len, v, strlen(v));
    char *statement = malloc(len + 1), *plain = malloc(len ? len : 1);
    if (!statement || !plain) {
        free(statement);
        free(plain);
        return;
    }
    memcpy(statement, text, len);
    statement[len] = '\0';
    f.statement = statement;
    f.lang = (sl__notice_lang)(d[1] & 1);
    memset(plain, 'a', len);
    sl__notice_facts g = f;
    g.text = plain;
    g.statement = *statement ? "a" : "";
    sl_buf a = {0}, b = {0}, j = {0};
    sl_error err = {0};
    if (sl__notice_text(&f, &a, &err) || sl__notice_text(&g, &b, &err) ||
        sl__notice_json(&f, &j, &err))
        abort();
    plain_text_safe(&a);
    if (lines(&a) != lines(&b)) abort();
    check_json(&j);
    sl_buf_free(&a);
    sl_buf_free(&b);
    sl_buf_free(&j);
    free(statement);
    free(plain);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size < 1) return 0;
    unsigned mode = data[0] & 3;
    size--;
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data + 1, size);
    sl_error err = {0};
    sl_buf out = {0};
    sl_status st;
    if (mode == 0) {
        spans_mode(data + 1, size, s);
    } else if (mode == 1) {
        static const char text[] = "Thằng ngu, gọi 0912 345 678";
        sl__notice_facts f = base(text, sizeof text - 1, s, size);
        st = sl__notice_json(&f, &out, &err);
        check_err(st, &err, size);
        if (!st) check_json(&out);
    } else if (mode == 2) {
        st = sl__dsa_check(s, size, &err);
        check_err(st, &err, size);
    } else {
        sl__dsa_facts f = {.org = "o",
                           .rule_id = "a",
                           .clause = "Điều 1.",
                           .category = "insult",
                           .policy_version = "1",
                           .verdict_json = s,
                           .verdict_len = size,
                           .content_at = 1796030045000,
                           .applied_at = 1796030045000};
        st = sl__dsa_statement(&f, &out, &err);
        check_err(st, &err, size);
        if (!st && sl__dsa_check(out.data, out.len, &err)) abort();
    }
    sl_buf_free(&out);
    free(s);
    return 0;
}
