/* server/bank_request.c — one item of POST /v1/banks/{name}/items (server/bank_request.h). */
#include <string.h>

#include "server/bank_request.h"
#include "server/json.h"

static sl_status member(void *ctx, const char *key, size_t key_len, const char *s, size_t len,
                        size_t *i, sl_error *err)
{
    sl__bank_req_item *it = ctx;
    sl_buf *dst = NULL;
    bool *has = NULL, nullable = false;
    if (key_len == 2 && !memcmp(key, "id", 2)) dst = &it->id, has = &it->has_id;
    if (key_len == 4 && !memcmp(key, "kind", 4)) dst = &it->kind, has = &it->has_kind;
    if (key_len == 4 && !memcmp(key, "text", 4)) dst = &it->text, has = &it->has_text;
    if (key_len == 6 && !memcmp(key, "source", 6)) dst = &it->source, nullable = true;
    if (key_len == 5 && !memcmp(key, "added", 5)) dst = &it->added, nullable = true;
    if (!dst) return sl__json_skip(s, len, i, err); /* other keys are ignored */
    if (*i < len && s[*i] == '"') {
        if (has) *has = true;
        return sl__json_string(s, len, i, dst, err);
    }
    size_t start = *i;
    sl_status st = sl__json_skip(s, len, i, err);
    if (!st && !(nullable && *i - start == 4 && !memcmp(s + start, "null", 4)) && !it->bad)
        it->bad = has ? "\"id\", \"kind\" and \"text\" must be strings"
                      : "\"source\" and \"added\" are strings or null";
    return st;
}

static const char *str(const sl_buf *b)
{
    return b->data ? b->data : "";
}

sl_status sl__req_bank_item(const char *body, sl__span sp, sl__bank_req_item *it, sl_error *err)
{
    memset(it, 0, sizeof *it);
    it->id.max = it->kind.max = it->source.max = it->added.max = it->text.max = SL_BANK_MAX_TEXT;
    size_t i = sp.off;
    sl_status st = sl__json_object(body, sp.off + sp.len, &i, 16, member, it, err);
    if (st == SL_ERR_NOMEM || st == SL_ERR_TOO_LARGE || st == SL_ERR_JSON) return st;
    if (st) it->bad = "malformed item";
    if (!st && i != sp.off + sp.len)
        return sl_error_set(err, SL_ERR_JSON, i, "malformed JSON at byte %zu: after the item", i);
    sl_bank_kind kind = SL_BANK_HOAX;
    if (!it->bad && (!it->has_id || !it->has_text || !it->has_kind))
        it->bad = "an item needs \"id\", \"kind\" and \"text\"";
    if (!it->bad && !sl_bank_kind_parse(str(&it->kind), &kind))
        it->bad = "\"kind\" must be hoax, document or spam";
    if (!it->bad && !it->id.len) it->bad = "field \"id\" must be a non-empty string";
    if (!it->bad)
        it->item = (sl_bank_item){.id = str(&it->id),
                                  .id_len = it->id.len,
                                  .kind = kind,
                                  .text = str(&it->text),
                                  .text_len = it->text.len,
                                  .source = str(&it->source),
                                  .source_len = it->source.len,
                                  .added = str(&it->added),
                                  .added_len = it->added.len};
    return SL_OK;
}

void sl__bank_req_item_free(sl__bank_req_item *it)
{
    sl_buf_free(&it->id);
    sl_buf_free(&it->kind);
    sl_buf_free(&it->text);
    sl_buf_free(&it->source);
    sl_buf_free(&it->added);
}
