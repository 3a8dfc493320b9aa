/* Line reader with per-line errors: files and stdin in order, bounded line length, line
 * numbers; each JSON line goes to the library's record parser (src/io/record.c). */
#include "cli/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli/output.h"
#include "sangloc/text.h"

#define DEFAULT_MAX_LINE ((size_t)8 * 1024 * 1024)
#define DEFAULT_MAX_TEXT ((size_t)64 * 1024)

static int open_next_file(sl_input *in)
{
    while (!in->f) {
        if (in->npaths == 0 && in->cur == 0) {
            in->f = stdin;
            in->cur = 1;
            break;
        }
        if (in->cur >= in->npaths) return 0;
        const char *p = in->paths[in->cur++];
        in->line = 0;
        if (!strcmp(p, "-")) {
            in->f = stdin;
            break;
        }
        in->f = fopen(p, "rb");
        if (!in->f) {
            sl__cli_error(in->cmd, p, 0, "%s", strerror(errno));
            return -1;
        }
    }
    return 1;
}

static const char *current_name(const sl_input *in)
{
    if (in->npaths == 0 || in->cur == 0) return "-";
    return in->paths[in->cur - 1];
}

/* Reads one line into in->buf without the newline. Returns its length, or -1 at EOF.
 * *too_long is set when the line exceeded max_line (its content is then discarded). */
static long read_line(sl_input *in, size_t max_line, bool *too_long, bool *io_error)
{
    size_t len = 0;
    int c = 0;
    *too_long = false;
    *io_error = false;
    bool any = false;
    while ((c = getc(in->f)) != EOF) {
        any = true;
        if (c == '\n') break;
        if (len >= max_line) {
            *too_long = true;
            continue;
        }
        if (len + 1 >= in->cap) {
            size_t cap = in->cap ? in->cap * 2 : 4096;
            char *b = realloc(in->buf, cap);
            if (!b) {
                *too_long = true;
                continue;
            }
            in->buf = b;
            in->cap = cap;
        }
        in->buf[len++] = (char)c;
    }
    if (c == EOF && ferror(in->f)) *io_error = true;
    if (!any) return -1;
    if (len && in->buf[len - 1] == '\r') len--;
    if (in->buf) in->buf[len] = '\0';
    return (long)len;
}

/* A JSON line, through the library's record parser. */
static void parse_json_record(sl_input *in, sl_input_record *rec, const char *line, size_t len,
                              size_t max_text)
{
    const sl_record_limits lim = {.max_text = max_text};
    sl_record *r = &in->parsed;
    sl_record_parse(line, len, &lim, r); /* out of memory shows as the record's error */
    if (r->id) {
        memcpy(in->id, r->id, r->id_len); /* id_len <= SL_RECORD_ID_MAX */
        in->id[r->id_len] = '\0';
        rec->id_json = in->id;
    }
    rec->fields = r;
    if (r->has_error) {
        rec->has_error = true;
        rec->error = r->error;
        return;
    }
    rec->text = r->text.data;
    rec->text_len = r->text.len;
    if (in->json_objects) {
        /* single-threaded CLI code: cJSON's global error pointer is not read */
        in->json = cJSON_ParseWithLength(line, len);
        if (!in->json) {
            rec->has_error = true;
            sl_error_set(&rec->error, SL_ERR_JSON, SL_NO_POS, "cJSON could not read the line");
            return;
        }
        rec->object = in->json;
    }
}

static void reset_record_state(sl_input *in, sl_input_record *rec)
{
    cJSON_Delete(in->json);
    in->json = NULL;
    memset(rec, 0, sizeof *rec);
}

int sl__input_next(sl_input *in, sl_input_record *rec)
{
    size_t max_line = in->max_line ? in->max_line : DEFAULT_MAX_LINE;
    size_t max_text = in->max_text ? in->max_text : DEFAULT_MAX_TEXT;
    reset_record_state(in, rec);
    for (;;) {
        int st = open_next_file(in);
        if (st <= 0) return st;
        bool too_long, io_error;
        long n = read_line(in, max_line, &too_long, &io_error);
        if (n < 0) {
            if (in->f != stdin) fclose(in->f);
            in->f = NULL;
            if (io_error) {
                sl__cli_error(in->cmd, current_name(in), 0, "read error");
                return -1;
            }
            continue;
        }
        in->line++;
        rec->file = current_name(in);
        rec->line = in->line;
        const char *line = in->buf ? in->buf : "";
        size_t len = (size_t)n;
        if (too_long) {
            rec->has_error = true;
            sl_error_set(&rec->error, SL_ERR_TOO_LARGE, max_line, "line longer than %zu bytes",
                         max_line);
        } else if (in->plain_text) {
            if (sl_utf8_validate(line, len, &rec->error) != SL_OK) {
                rec->has_error = true;
            } else if (len > max_text) {
                rec->has_error = true;
                sl_error_set(&rec->error, SL_ERR_TOO_LARGE, 0,
                             "text is %zu bytes, above the limit of %zu", len, max_text);
            } else {
                rec->text = line;
                rec->text_len = len;
            }
        } else if (sl_record_is_blank(line, len)) {
            continue; /* blank lines separate records; they are not posts */
        } else {
            parse_json_record(in, rec, line, len, max_text);
        }
        if (rec->has_error) rec->error.line = rec->line;
        return 1;
    }
}

void sl__input_close(sl_input *in)
{
    if (in->f && in->f != stdin) fclose(in->f);
    in->f = NULL;
    cJSON_Delete(in->json);
    in->json = NULL;
    sl_record_free(&in->parsed);
    free(in->buf);
    in->buf = NULL;
    in->cap = 0;
}
