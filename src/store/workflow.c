/* The store's front for the review workflow (sangloc/store.h): names, argument checks, notice
 * ids and appeal tokens. The backend then runs each change in one transaction.
 *
 * Appeal tokens work like API tokens (secrets.c): 32 random bytes shown once as "sla_" +
 * unpadded base64url; the store keeps a BLAKE2b-256 hash under a label of its own (so an API
 * token's hash can never match an appeal token's), finds candidates by the hash's first 8
 * bytes and compares the whole hash in constant time. */
#include <sodium.h>
#include <string.h>

#include "store/backend.h"
#include "store/secrets.h"

#define CHECK(expr)                                                                                \
    do {                                                                                           \
        sl_status st_ = (expr);                                                                    \
        if (st_) return st_;                                                                       \
    } while (0)

/* ---- names -------------------------------------------------------------------------------- */

static const char *const outcome_names[] = {"remove", "restore", "keep"};
static const char *const appeal_names[] = {NULL, "uphold", "overturn"};
static const char *const refusal_names[] = {
    [SL_REFUSE_NONE] = "conflict",
    [SL_REFUSE_STALE] = "stale",
    [SL_REFUSE_ALREADY_DECIDED] = "already_decided",
    [SL_REFUSE_APPEAL_OPEN] = "appeal_open",
    [SL_REFUSE_NOT_RESTRICTED] = "not_restricted",
    [SL_REFUSE_ALREADY_APPEALED] = "already_appealed",
    [SL_REFUSE_WINDOW_CLOSED] = "appeal_window_closed",
    [SL_REFUSE_NOT_APPEALABLE] = "not_appealable",
    [SL_REFUSE_SUPERSEDED] = "superseded",
    [SL_REFUSE_APPEAL_DECIDED] = "appeal_decided",
    [SL_REFUSE_CONFLICT_OF_INTEREST] = "conflict_of_interest",
};

static bool name_is(const char *name, const char *s, size_t len)
{
    return name && strlen(name) == len && !memcmp(name, s, len);
}

const char *sl_store_outcome_name(sl_store_outcome o)
{
    return (unsigned)o <= SL_STORE_KEEP ? outcome_names[o] : NULL;
}

bool sl_store_outcome_parse(const char *s, size_t len, sl_store_outcome *out)
{
    for (int i = 0; s && i <= SL_STORE_KEEP; i++)
        if (name_is(outcome_names[i], s, len)) {
            *out = (sl_store_outcome)i;
            return true;
        }
    return false;
}

const char *sl_store_appeal_outcome_name(sl_store_appeal_outcome o)
{
    return o == SL_STORE_UPHOLD || o == SL_STORE_OVERTURN ? appeal_names[o] : NULL;
}

bool sl_store_appeal_outcome_parse(const char *s, size_t len, sl_store_appeal_outcome *out)
{
    for (int i = SL_STORE_UPHOLD; s && i <= SL_STORE_OVERTURN; i++)
        if (name_is(appeal_names[i], s, len)) {
            *out = (sl_store_appeal_outcome)i;
            return true;
        }
    return false;
}

const char *sl_store_refusal_name(sl_store_refusal r)
{
    return (unsigned)r <= SL_REFUSE_CONFLICT_OF_INTEREST ? refusal_names[r] : "conflict";
}

/* ---- notice ids and appeal tokens --------------------------------------------------------- */

static const unsigned char appeal_label[] = "sangloc-appeal-v1";

static void hash_raw(const unsigned char raw[32], unsigned char hash[SL_STORE_HASH_LEN])
{
    crypto_generichash(hash, SL_STORE_HASH_LEN, raw, 32, appeal_label, sizeof appeal_label - 1);
}

void sl__notice_new_make(sl__notice_new *n, int appeal_days)
{
    memset(n, 0, sizeof *n);
    unsigned char raw[32];
    randombytes_buf(raw, 16);
    sodium_bin2base64(n->id, sizeof n->id, raw, 16, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    if (appeal_days <= 0) return;
    randombytes_buf(raw, sizeof raw);
    memcpy(n->token, SL_APPEAL_TOKEN_PREFIX, 4);
    sodium_bin2base64(n->token + 4, sizeof n->token - 4, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    hash_raw(raw, n->hash);
    sodium_memzero(raw, sizeof raw);
    n->lookup = sl__token_lookup_key(n->hash);
    n->window_ms = (int64_t)appeal_days * 86400 * 1000;
}

sl_status sl__appeal_token_hash(const char *token, size_t len,
                                unsigned char hash[SL_STORE_HASH_LEN])
{
    if (!token || len != SL_APPEAL_TOKEN_LEN || memcmp(token, SL_APPEAL_TOKEN_PREFIX, 4))
        return SL_ERR_AUTH;
    unsigned char raw[32];
    size_t rawlen = 0;
    const char *end = NULL;
    if (sodium_base642bin(raw, sizeof raw, token + 4, len - 4, NULL, &rawlen, &end,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) ||
        rawlen != sizeof raw || end != token + len)
        return SL_ERR_AUTH;
    hash_raw(raw, hash);
    sodium_memzero(raw, sizeof raw);
    return SL_OK;
}

/* ---- argument checks ---------------------------------------------------------------------- */

static sl_status check_text(const char *what, const char *s, size_t len, size_t max, bool required,
                            sl_error *err)
{
    if (!s && (len || required))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is missing", what);
    if (required && len == 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is empty", what);
    if (len > max)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "%s longer than %zu bytes", what,
                            max);
    if (s && !sl__store_is_text(s, len))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "%s is not UTF-8 text without NUL", what);
    return SL_OK;
}

static sl_status check_cstr(const char *what, const char *s, size_t max, bool required,
                            sl_error *err)
{
    return check_text(what, s ? s : "", s ? strnlen(s, max + 1) : 0, max, required, err);
}

static sl_status check_org(const char *org, sl_error *err)
{
    if (!org || !*org) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no organization");
    size_t len = strnlen(org, SL_STORE_MAX_ORG_ID + 1);
    if (len > SL_STORE_MAX_ORG_ID)
        return sl_error_set(err, SL_ERR_TOO_LARGE, SL_NO_POS, "organization id too long");
    return SL_OK;
}

sl_status sl__store_check_rule(const sl_store_rule_ref *r, bool required, sl_error *err)
{
    if (!r) return required ? sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no rule") : SL_OK;
    CHECK(check_cstr("rule", r->id, SL_STORE_MAX_RULE, required, err));
    CHECK(check_cstr("rule category", r->category, SL_STORE_MAX_RULE, false, err));
    return check_cstr("rule clause", r->clause, SL_STORE_MAX_CLAUSE, false, err);
}

static sl_status check_days(int days, sl_error *err)
{
    if (days < 0 || days > SL_STORE_MAX_APPEAL_DAYS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "appeal days must be 0 to %d",
                            SL_STORE_MAX_APPEAL_DAYS);
    return SL_OK;
}

static sl_status check_item_key(const char *channel, size_t channel_len, const char *id,
                                size_t id_len, sl_error *err)
{
    if (!channel || !id || !channel_len || !id_len || channel_len > SL_STORE_MAX_CHANNEL ||
        id_len > SL_STORE_MAX_ITEM_ID)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such item");
    return SL_OK;
}

/* ---- the calls ---------------------------------------------------------------------------- */

sl_status sl_store_item_version(sl_store *store, const char *org, const char *channel,
                                size_t channel_len, const char *id, size_t id_len, int64_t *version,
                                sl_error *err)
{
    if (!version) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    *version = 0;
    CHECK(check_org(org, err));
    CHECK(check_item_key(channel, channel_len, id, id_len, err));
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->item_version(db, org, channel, channel_len, id, id_len, version, err);
}

sl_status sl_store_decide(sl_store *store, const char *org, int64_t actor,
                          const sl_store_decision_in *in, sl_store_decision_out *out,
                          sl_store_refusal *refusal, sl_error *err)
{
    sl_store_refusal tmp;
    if (!refusal) refusal = &tmp;
    *refusal = SL_REFUSE_NONE;
    if (!in || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no input or output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    if (actor <= 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no token");
    CHECK(check_item_key(in->channel, in->channel_len, in->id, in->id_len, err));
    if (!sl_store_outcome_name(in->outcome))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "unknown outcome");
    CHECK(sl__store_check_rule(&in->rule, true, err));
    CHECK(check_text("note", in->note, in->note_len, SL_STORE_MAX_NOTE, true, err));
    CHECK(check_text("statement", in->statement, in->statement_len, SL_STORE_MAX_NOTE, false, err));
    CHECK(
        check_cstr("engine version", in->engine_version, SL_STORE_MAX_ENGINE_VERSION, false, err));
    CHECK(check_days(in->appeal_days, err));
    sl__notice_new n;
    sl__notice_new_make(&n, in->appeal_days ? in->appeal_days : SL_STORE_DEFAULT_APPEAL_DAYS);
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st = be->decide(db, org, actor, in, &n, now, out, refusal, err);
    if (st) memset(out, 0, sizeof *out);
    sodium_memzero(&n, sizeof n);
    return st;
}

sl_status sl_store_notice_get(sl_store *store, const char *org, const char *id, size_t id_len,
                              const char *token, size_t token_len, sl_store_notice *out,
                              sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    if (org) CHECK(check_org(org, err));
    if (!org && !token)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "an org or an appeal token is needed");
    if (!id || id_len != SL_NOTICE_ID_LEN)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such notice");
    char idz[SL_NOTICE_ID_SIZE];
    memcpy(idz, id, id_len);
    idz[id_len] = '\0';
    unsigned char hash[SL_STORE_HASH_LEN];
    if (token && sl__appeal_token_hash(token, token_len, hash))
        return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "malformed appeal token");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st = be->notice_get(db, org, idz, token ? hash : NULL, out, err);
    if (st) sl_store_notice_free(out);
    return st;
}

void sl_store_notice_free(sl_store_notice *n)
{
    if (!n) return;
    free(n->statement);
    free(n->appeal_reason);
    free(n->text);
    free(n->verdict_json);
    n->statement = n->appeal_reason = n->text = n->verdict_json = NULL;
}

sl_status sl_store_report(sl_store *store, const char *org, int64_t actor,
                          const sl_store_report_in *in, sl_store_report_out *out, sl_error *err)
{
    if (!in || !out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no input or output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    if (actor <= 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no token");
    CHECK(check_item_key(in->channel, in->channel_len, in->id, in->id_len, err));
    CHECK(check_text("reason", in->reason, in->reason_len, SL_STORE_MAX_RULE, true, err));
    CHECK(check_text("text", in->text, in->text_len, SL_STORE_MAX_NOTE, false, err));
    CHECK(check_text("reporter", in->reporter, in->reporter_len, SL_STORE_MAX_AUTHOR, false, err));
    unsigned char reporter[SL_STORE_HASH_LEN];
    if (in->reporter && in->reporter_len)
        CHECK(sl__store_pseudonym(store, in->reporter, in->reporter_len, reporter, err));
    sl__notice_new tok;
    sl__notice_new_make(&tok, SL_STORE_DEFAULT_APPEAL_DAYS);
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st =
        be->report(db, org, actor, in, in->reporter && in->reporter_len ? reporter : NULL, &tok,
                   now, out, err);
    if (!st)
        memcpy(out->appeal_token, tok.token, sizeof out->appeal_token);
    else
        memset(out, 0, sizeof *out);
    sodium_memzero(&tok, sizeof tok);
    sodium_memzero(reporter, sizeof reporter);
    return st;
}

sl_status sl_store_case_reports_get(sl_store *store, const char *org, int64_t case_id,
                                    sl_store_case_reports *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->case_reports(db, org, case_id, out, err);
}

sl_status sl_store_appeal(sl_store *store, const char *token, size_t token_len, const char *text,
                          size_t text_len, sl_store_appeal_out *out, sl_store_refusal *refusal,
                          sl_error *err)
{
    sl_store_refusal tmp;
    if (!refusal) refusal = &tmp;
    *refusal = SL_REFUSE_NONE;
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    CHECK(check_text("text", text, text_len, SL_STORE_MAX_NOTE, true, err));
    unsigned char hash[SL_STORE_HASH_LEN];
    if (sl__appeal_token_hash(token, token_len, hash))
        return sl_error_set(err, SL_ERR_AUTH, SL_NO_POS, "malformed appeal token");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->appeal(db, sl__token_lookup_key(hash), hash, text, text_len, now, out, refusal, err);
}

sl_status sl_store_appeal_get(sl_store *store, const char *org, int64_t id, int64_t case_id,
                              sl_store_appeal_info *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    if (id <= 0 && case_id <= 0)
        return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such appeal");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->appeal_get(db, org, id, case_id, out, err);
}

sl_status sl_store_appeal_decide(sl_store *store, const char *org, int64_t actor, int64_t id,
                                 sl_store_appeal_outcome outcome, const char *reason,
                                 size_t reason_len, sl_store_appeal_decision_out *out,
                                 sl_store_refusal *refusal, sl_error *err)
{
    sl_store_refusal tmp;
    if (!refusal) refusal = &tmp;
    *refusal = SL_REFUSE_NONE;
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    if (actor <= 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no token");
    if (id <= 0) return sl_error_set(err, SL_ERR_NOT_FOUND, SL_NO_POS, "no such appeal");
    if (!sl_store_appeal_outcome_name(outcome))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "unknown appeal outcome");
    CHECK(check_text("reason", reason, reason_len, SL_STORE_MAX_NOTE, true, err));
    sl__notice_new n;
    sl__notice_new_make(&n, 0); /* no token: the outcome of an appeal is not appealed here */
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    sl_status st = be->appeal_decide(db, org, actor, id, outcome, reason, reason_len, &n, now, out,
                                     refusal, err);
    if (st) memset(out, 0, sizeof *out);
    return st;
}

sl_status sl_store_queue_times(sl_store *store, const char *org, const char *queue,
                               int64_t window_ms, sl_queue_times *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output");
    memset(out, 0, sizeof *out);
    CHECK(check_org(org, err));
    CHECK(check_cstr("queue", queue, SL_STORE_MAX_QUEUE, true, err));
    if (window_ms <= 0) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "empty window");
    void *db;
    int64_t now;
    const sl_store_backend *be = sl__store_be(store, &db, &now);
    return be->queue_times(db, org, queue, now - window_ms, out, err);
}
