/* JSON-lines reader with per-line errors. Validation order matters for error positions: the
 * raw line is checked for UTF-8 first (so the byte offset points into the line as received),
 * then parsed by cJSON, then the fields are checked. */
#include "cli/input.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sangloc/text.h"

#define DEFAULT_MAX_LINE ((size_t)8 * 1024 * 1024)
#define DEFAULT_MAX_TEXT ((size_t)64 * 1024)
#define ID_MAX           256

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
            fprintf(stderr, "sangloc: %s: %s\n", p, strerror(errno));
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

/* Is there a \u0000 escape in a JSON text? cJSON would silently cut the string there. */
static size_t find_escaped_nul(const char *s, size_t len)
{
    for (size_t i = 0; i + 6 <= len; i++) {
        if (s[i] != '\\') continue;
        if (s[i + 1] == 'u' && !memcmp(s + i + 2, "0000", 4)) return i;
        i++; /* skip the escaped character so "\\u0000" is not taken for an escape */
    }
    return SL_NO_POS;
}

/* Recovers the id of a line that is otherwise rejected, so its verdict can still name it. */
static void find_id(sl_input *in, sl_record *rec, const char *line, size_t len)
{
    in->json = cJSON_ParseWithLengthOpts(line, len, NULL, 0);
    const cJSON *id = in->json ? cJSON_GetObjectItemCaseSensitive(in->json, "id") : NULL;
    if (id && (cJSON_IsString(id) || cJSON_IsNumber(id))) {
        in->id_owned = cJSON_PrintUnformatted(id);
        size_t n = in->id_owned ? strlen(in->id_owned) : 0;
        if (n && n <= ID_MAX && sl_utf8_validate(in->id_owned, n, NULL) == SL_OK)
            rec->id_json = in->id_owned;
    }
}

static void parse_json_record(sl_input *in, sl_record *rec, const char *line, size_t len,
                              size_t max_text)
{
    const char *end = NULL;
    in->json = cJSON_ParseWithLengthOpts(line, len, &end, 0);
    if (!in->json) {
        const char *at = cJSON_GetErrorPtr();
        size_t pos = (at && at >= line && at <= line + len) ? (size_t)(at - line) : 0;
        rec->has_error = true;
        sl_error_set(&rec->error, SL_ERR_JSON, pos, "malformed JSON near byte %zu", pos);
        return;
    }
    if (!cJSON_IsObject(in->json)) {
        rec->has_error = true;
        sl_error_set(&rec->error, SL_ERR_JSON, 0, "a line must be a JSON object");
        return;
    }
    rec->object = in->json;
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(in->json, "id");
    if (id) {
        in->id_owned = cJSON_PrintUnformatted(id);
        if (in->id_owned && strlen(in->id_owned) <= ID_MAX) rec->id_json = in->id_owned;
    }
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(in->json, "text");
    if (!text || !cJSON_IsString(text)) {
        rec->has_error = true;
        sl_error_set(&rec->error, SL_ERR_MISSING_FIELD, 0,
                     text ? "field \"text\" must be a string" : "field \"text\" is missing");
        return;
    }
    size_t nul = find_escaped_nul(line, len);
    if (nul != SL_NO_POS) {
        rec->has_error = true;
        sl_error_set(&rec->error, SL_ERR_NUL_BYTE, nul, "NUL character (\\u0000) at byte %zu", nul);
        return;
    }
    rec->text = text->valuestring;
    rec->text_len = strlen(text->valuestring);
    if (rec->text_len > max_text) {
        rec->has_error = true;
        sl_error_set(&rec->error, SL_ERR_TOO_LARGE, 0, "text is %zu bytes, above the limit of %zu",
                     rec->text_len, max_text);
    }
}

static void reset_record_state(sl_input *in, sl_record *rec)
{
    cJSON_Delete(in->json);
    in->json = NULL;
    cJSON_free(in->id_owned);
    in->id_owned = NULL;
    memset(rec, 0, sizeof *rec);
}

int sl__input_next(sl_input *in, sl_record *rec)
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
                fprintf(stderr, "sangloc: %s: read error\n", current_name(in));
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
        } else if (sl_utf8_validate(line, len, &rec->error) != SL_OK) {
            rec->has_error = true;
            if (!in->plain_text) find_id(in, rec, line, len);
        } else if (in->plain_text) {
            rec->text = line;
            rec->text_len = len;
            if (len > max_text) {
                rec->has_error = true;
                sl_error_set(&rec->error, SL_ERR_TOO_LARGE, 0,
                             "text is %zu bytes, above the limit of %zu", len, max_text);
            }
        } else if (strspn(line, " \t\r") == len) {
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
    cJSON_free(in->id_owned);
    in->id_owned = NULL;
    free(in->buf);
    in->buf = NULL;
    in->cap = 0;
}
