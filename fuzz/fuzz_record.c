/* Fuzz target: the record parser (sangloc/record.h) on arbitrary bytes as one line.
 * Invariants: the id is a slice of the input, at most SL_RECORD_ID_MAX bytes, valid UTF-8, and
 * itself a JSON string or integer; a good record's text and fields are valid UTF-8 without NUL;
 * an error's byte is inside the line; and whatever the parser accepts, cJSON reads too, with the
 * same text (a second reader agreeing is what keeps content from hiding between them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sangloc/record.h"
#include "sangloc/text.h"

static sl_record rec; /* reused, as the readers do */

static void check_str(const sl_record_str *s)
{
    if (!s->data) return;
    if (sl_utf8_validate(s->data, s->len, NULL) != SL_OK) abort(); /* also rejects NUL */
}

static void same_as_cjson(const cJSON *o, const char *key, const sl_record_str *s)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!s->data) {
        if (v && !cJSON_IsNull(v)) abort();
        return;
    }
    if (!cJSON_IsString(v) || strlen(v->valuestring) != s->len ||
        memcmp(v->valuestring, s->data, s->len))
        abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    /* an exact-size copy: the parser must not need a terminator */
    char *line = malloc(size ? size : 1);
    if (!line) return 0;
    memcpy(line, data, size);
    sl_record_limits lim = {.max_text = size % 3 ? 0 : 64};
    if (sl_record_parse(line, size, &lim, &rec) != SL_OK) abort();
    if (rec.id) {
        if (rec.id < line || rec.id_len == 0 || rec.id_len > SL_RECORD_ID_MAX ||
            rec.id + rec.id_len > line + size)
            abort();
        if (sl_utf8_validate(rec.id, rec.id_len, NULL) != SL_OK) abort();
        char c = rec.id[0];
        if (!(c == '"' && rec.id[rec.id_len - 1] == '"' && rec.id_len >= 2) &&
            !(c == '-' || (c >= '0' && c <= '9')))
            abort();
    }
    if (rec.has_error) {
        if (rec.error.byte != SL_NO_POS && rec.error.byte > size) abort();
        if (!rec.error.message[0] || rec.text.data) abort();
    } else {
        if (!rec.text.data) abort();
        size_t max = lim.max_text ? lim.max_text : SL_RECORD_DEFAULT_MAX_TEXT;
        if (rec.text.len > max) abort();
        check_str(&rec.text);
        check_str(&rec.channel);
        check_str(&rec.author);
        check_str(&rec.kind);
        check_str(&rec.created_at);
        /* a second reader agrees (cJSON is only used here, on one thread) */
        cJSON *o = cJSON_ParseWithLength(line, size);
        if (!cJSON_IsObject(o)) abort();
        same_as_cjson(o, "text", &rec.text);
        same_as_cjson(o, "channel", &rec.channel);
        same_as_cjson(o, "author", &rec.author);
        same_as_cjson(o, "kind", &rec.kind);
        same_as_cjson(o, "created_at", &rec.created_at);
        if (rec.id) {
            const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, "id");
            if (!id || !(rec.id[0] == '"' ? cJSON_IsString(id) : cJSON_IsNumber(id))) abort();
        }
        cJSON_Delete(o);
    }
    free(line);
    return 0;
}
