/* Fuzz target: the service's request parsing (src/server/request.c, json.c) on arbitrary bytes.
 * The first byte picks what the rest is: a POST /v1/items or /v1/check body (the envelope, then
 * every item as /v1/items parses it), a claim body, a queue query string, or a path segment.
 * Nothing may read past the input; an error's byte lies inside it; what is accepted keeps the
 * documented limits. */
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"
#include "server/request.h"

static void check_err(sl_status st, const sl_error *err, size_t size)
{
    if (st && err->byte != SL_NO_POS && err->byte > size) abort();
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
    sl_status st;
    if (mode == 0) {
        sl__envelope env;
        st = sl__req_envelope(s, size, 1000, &env, &err);
        check_err(st, &err, size);
        if (!st) {
            if (env.n > 1000) abort();
            sl_record rec = {0};
            sl_buf idb = {0}, pb = {0};
            for (size_t i = 0; i < env.n; i++) {
                sl__span sp = env.items[i];
                if (sp.off + sp.len > size || s[sp.off] != '{') abort();
                sl__ingest_fields f;
                sl_error e2 = {0};
                sl_status s2 = sl__req_ingest_item(s, sp, &rec, &idb, &pb, &f, &e2);
                check_err(s2, &e2, size);
                if (!s2 && (!f.id.len || f.id.len > SL_STORE_MAX_ITEM_ID || !f.channel.len ||
                            f.channel.len > SL_STORE_MAX_CHANNEL || !f.kind.len ||
                            f.kind.len > SL_STORE_MAX_KIND || !f.author.len ||
                            f.author.len > SL_STORE_MAX_AUTHOR || !f.text.data ||
                            f.parent.len > SL_STORE_MAX_ITEM_ID || !f.id_json))
                    abort();
            }
            sl_record_free(&rec);
            sl_buf_free(&idb);
            sl_buf_free(&pb);
            sl__envelope_free(&env);
        }
    } else if (mode == 1) {
        uint64_t n = 0, lease = 0;
        st = sl__req_claim(s, size, &n, &lease, &err);
        check_err(st, &err, size);
        if (!st &&
            (n < 1 || n > SL_STORE_MAX_PAGE || lease < 1 || lease > SL_STORE_MAX_LEASE_SECONDS))
            abort();
    } else if (mode == 2) {
        sl__queue_query q;
        st = sl__req_queue_query(s, size, &q, &err);
        check_err(st, &err, size);
        if (!st && (q.limit < 1 || q.limit > SL_STORE_MAX_PAGE ||
                    q.cursor_len > SL_STORE_CURSOR_LEN || strlen(q.cursor) != q.cursor_len))
            abort();
    } else {
        sl_buf out = {0};
        st = sl__req_path_segment(s, size, SL_STORE_MAX_ITEM_ID, &out);
        if (!st && (out.len > SL_STORE_MAX_ITEM_ID || !out.len || memchr(out.data, 0, out.len)))
            abort();
        sl_buf_free(&out);
    }
    free(s);
    return 0;
}
