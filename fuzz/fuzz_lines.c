/* Fuzz target: the line reader of `sangloc pretrain` (cli/lines.h) on arbitrary bytes, as a
 * plain file and as an .xz file (the first byte chooses; seeds are small xz streams, so
 * mutations reach inside the decoder), with a small line limit so too-long lines are hit. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/lines.h"

static char plain[64], xz[64];

static void setup(void)
{
    if (plain[0]) return;
    snprintf(plain, sizeof plain, "/tmp/fuzz_lines_%ld", (long)getpid());
    snprintf(xz, sizeof xz, "/tmp/fuzz_lines_%ld.xz", (long)getpid());
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    if (!size) return 0;
    const char *path = data[0] & 1 ? xz : plain;
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data + 1, 1, size - 1, f);
    fclose(f);
    char why[128];
    sl_lines *r = sl__lines_open(path, data[0] & 2 ? 16 : 1 << 20, why, sizeof why);
    if (!r) abort(); /* the file exists: opening cannot fail */
    const char *line;
    size_t len, lineno, total = 0;
    bool too_long, any_long = false;
    int st;
    while ((st = sl__lines_next(r, &line, &len, &lineno, &too_long, why, sizeof why)) == 1) {
        if (line[len] != '\0' || memchr(line, '\n', len)) abort();
        if (too_long && len) abort();
        any_long |= too_long;
        total += len + 1;
    }
    /* plain, no line skipped: every byte is read */
    if (!(data[0] & 1) && !any_long && st == 0 && total < size - 1) abort();
    sl__lines_close(r);
    remove(path);
    return 0;
}
