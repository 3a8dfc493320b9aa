/* Fuzz target: the visible rendering of outside text for people (src/cli/output.c). Whatever
 * the bytes, the rendering must hold no byte a terminal acts on (C0 controls, DEL), no C1 code
 * and no bidi control as UTF-8, and must itself be valid UTF-8; rendering it again changes
 * nothing, so the rendering cannot be escaped by being rendered twice. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"

static int bad_at(const unsigned char *s, size_t n, size_t i)
{
    if (s[i] < 0x20 || s[i] == 0x7f) return 1;
    if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) return 1;
    if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x80 && s[i + 2] >= 0xaa && s[i + 2] <= 0xae)
        return 1;
    if (s[i] == 0xe2 && i + 2 < n && s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)
        return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    sl_buf a = {0}, b = {0};
    if (sl__cli_put_visible(&a, (const char *)data, size) == SL_OK) {
        const unsigned char *s = (const unsigned char *)a.data;
        for (size_t i = 0; i < a.len; i++)
            if (bad_at(s, a.len, i)) abort();
        /* valid UTF-8 with no controls renders as itself */
        if (sl__cli_put_visible(&b, a.data ? a.data : "", a.len) == SL_OK &&
            (a.len != b.len || (a.len && memcmp(a.data, b.data, a.len))))
            abort();
    }
    sl_buf_free(&a);
    sl_buf_free(&b);
    return 0;
}
