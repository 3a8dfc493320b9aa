/* Fuzz target: the JSON-lines reader on arbitrary bytes. Every record must either carry an
 * error with a position inside its line, or a text that is valid UTF-8 without NUL. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/input.h"
#include "sangloc/text.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (size == 0) return 0;
    FILE *f = fmemopen((void *)data, size, "rb");
    if (!f) return 0;
    sl_input in = {.f = f,
                   .cur = 1,
                   .plain_text = size % 2,
                   .json_objects = size % 3 == 0,
                   .max_line = 4096,
                   .max_text = 1024};
    sl_input_record rec;
    while (sl__input_next(&in, &rec) == 1) {
        if (rec.has_error) {
            if (rec.error.line == 0) abort();
            if (rec.error.byte != SL_NO_POS && rec.error.byte > size) abort();
            continue;
        }
        if (rec.text_len > 1024) abort();
        if (in.json_objects && !in.plain_text && !cJSON_IsObject(rec.object)) abort();
        if (sl_utf8_validate(rec.text, rec.text_len, NULL) != SL_OK) abort();
        if (rec.id_json && sl_utf8_validate(rec.id_json, strlen(rec.id_json), NULL) != SL_OK)
            abort();
    }
    sl__input_close(&in);
    return 0;
}
