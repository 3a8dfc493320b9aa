/* Fuzz target: sl_store_url_redact (src/store/store.c). A store URL comes from the command line
 * and is printed in errors, so the redaction must stay inside its buffer and always terminate
 * it (any input, any buffer size), and must never let a password through: a password made of
 * the input's bytes, put in the userinfo or in a "password=" parameter of a URL, never appears
 * in the output. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"

#define OUT_MAX 256

static void redact_bounded(const char *url, size_t cap, char *out)
{
    memset(out, 'X', OUT_MAX + 16);
    sl_store_url_redact(url, out, cap);
    if (strnlen(out, cap) >= cap) abort(); /* terminated inside */
    for (size_t i = cap; i < OUT_MAX + 16; i++)
        if (out[i] != 'X') abort(); /* nothing written past it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size > 4096) return 0;
    char out[OUT_MAX + 16];
    char *url = malloc(size + 64);
    if (!url) return 0;
    /* any bytes, any buffer size */
    memcpy(url, data + 1, size - 1);
    url[size - 1] = '\0';
    redact_bounded(url, (size_t)data[0] % OUT_MAX + 1, out);

    /* a password of the input's bytes (without the characters that end it in a URL) */
    char secret[64];
    size_t n = 0;
    for (size_t i = 1; i < size && n < sizeof secret - 1; i++)
        if (data[i] && !strchr("@/?&#*", data[i])) secret[n++] = (char)data[i];
    secret[n] = '\0';
    if (n >= 4 && !strstr("postgresql://u:***@h/x?sslmode=require&password=***", secret)) {
        snprintf(url, size + 64, "postgresql://u:%s@h/x", secret);
        redact_bounded(url, OUT_MAX, out);
        if (strstr(out, secret)) abort();
        snprintf(url, size + 64, "postgresql://h/x?sslmode=require&password=%s", secret);
        redact_bounded(url, OUT_MAX, out);
        if (strstr(out, secret)) abort();
    }
    free(url);
    return 0;
}
