/* cli/lines.c — line reading of plain and xz-compressed files (cli/lines.h), with liblzma. */
#include "cli/lines.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lzma.h>

#define CHUNK (1u << 16)

struct sl_lines {
    FILE *f;
    bool xz, eof_in, done;
    lzma_stream z;
    unsigned char in[CHUNK];
    unsigned char out[CHUNK];
    size_t out_pos, out_len; /* decoded (or read) bytes not consumed yet */
    char *line;
    size_t len, cap, max, lineno;
};

sl_lines *sl__lines_open(const char *path, size_t max_line, char *why, size_t cap)
{
    sl_lines *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(why, cap, "out of memory");
        return NULL;
    }
    r->max = max_line;
    r->f = fopen(path, "rb");
    if (!r->f) {
        snprintf(why, cap, "cannot open: %s", strerror(errno));
        free(r);
        return NULL;
    }
    size_t n = strlen(path);
    r->xz = n > 3 && !strcmp(path + n - 3, ".xz");
    if (r->xz) {
        lzma_stream init = LZMA_STREAM_INIT;
        r->z = init;
        if (lzma_stream_decoder(&r->z, UINT64_MAX, LZMA_CONCATENATED) != LZMA_OK) {
            snprintf(why, cap, "cannot start the xz decoder");
            fclose(r->f);
            free(r);
            return NULL;
        }
    }
    return r;
}

/* Refills out[]; 1 with bytes, 0 at the end, -1 on an error. */
static int refill(sl_lines *r, char *why, size_t cap)
{
    r->out_pos = 0;
    r->out_len = 0;
    if (r->done) return 0;
    if (!r->xz) {
        r->out_len = fread(r->out, 1, CHUNK, r->f);
        if (r->out_len) return 1;
        if (ferror(r->f)) {
            snprintf(why, cap, "read error: %s", strerror(errno));
            return -1;
        }
        r->done = true;
        return 0;
    }
    r->z.next_out = r->out;
    r->z.avail_out = CHUNK;
    while (r->z.avail_out == CHUNK) {
        if (!r->z.avail_in && !r->eof_in) {
            r->z.next_in = r->in;
            r->z.avail_in = fread(r->in, 1, CHUNK, r->f);
            if (ferror(r->f)) {
                snprintf(why, cap, "read error: %s", strerror(errno));
                return -1;
            }
            if (!r->z.avail_in) r->eof_in = true;
        }
        lzma_ret ret = lzma_code(&r->z, r->eof_in ? LZMA_FINISH : LZMA_RUN);
        if (ret == LZMA_STREAM_END) {
            r->done = true;
            break;
        }
        if (ret != LZMA_OK) {
            snprintf(why, cap, "xz: %s",
                     ret == LZMA_DATA_ERROR || ret == LZMA_FORMAT_ERROR ? "corrupt data"
                     : ret == LZMA_BUF_ERROR                            ? "truncated data"
                     : ret == LZMA_MEM_ERROR                            ? "out of memory"
                                                                        : "decoder error");
            return -1;
        }
    }
    r->out_len = CHUNK - r->z.avail_out;
    return r->out_len ? 1 : 0;
}

int sl__lines_next(sl_lines *r, const char **line, size_t *len, size_t *lineno, bool *too_long,
                   char *why, size_t cap)
{
    r->len = 0;
    *too_long = false;
    bool any = false;
    for (;;) {
        if (r->out_pos == r->out_len) {
            int st = refill(r, why, cap);
            if (st < 0) return -1;
            if (st == 0) {
                if (!any) return 0;
                break;
            }
        }
        any = true;
        unsigned char *s = r->out + r->out_pos;
        size_t avail = r->out_len - r->out_pos;
        unsigned char *nl = memchr(s, '\n', avail);
        size_t take = nl ? (size_t)(nl - s) : avail;
        if (!*too_long && r->len + take > r->max) {
            *too_long = true;
            r->len = 0;
        }
        if (!*too_long) {
            if (r->len + take + 1 > r->cap) {
                size_t nc = r->cap ? r->cap : 4096;
                while (nc < r->len + take + 1) nc *= 2;
                char *b = realloc(r->line, nc);
                if (!b) {
                    snprintf(why, cap, "out of memory");
                    return -1;
                }
                r->line = b;
                r->cap = nc;
            }
            memcpy(r->line + r->len, s, take);
            r->len += take;
        }
        r->out_pos += take + (nl ? 1 : 0);
        if (nl) break;
    }
    r->lineno++;
    if (!r->line) {
        r->line = malloc(1);
        if (!r->line) {
            snprintf(why, cap, "out of memory");
            return -1;
        }
        r->cap = 1;
    }
    r->line[r->len] = '\0';
    *line = r->line;
    *len = r->len;
    *lineno = r->lineno;
    return 1;
}

void sl__lines_close(sl_lines *r)
{
    if (!r) return;
    if (r->xz) lzma_end(&r->z);
    if (r->f) fclose(r->f);
    free(r->line);
    free(r);
}
