/* server/workflow_req.h — strict parsing of the review workflow's request bodies (internal).
 *
 * The bodies of POST /v1/items/{channel}/{id}/decision, /v1/reports, /v1/appeals and
 * /v1/appeals/{id}/decision are small flat JSON objects. A route lists the members it takes
 * (sl__wf_field); sl__wf_body() accepts exactly those: an unknown or repeated key, a value of
 * the wrong type, a string over its limit or a missing required member is refused with the
 * byte where it happened. No libevent here, so the fuzz target (fuzz/fuzz_workflow.c) drives
 * it directly. */
#ifndef SL_SERVER_WORKFLOW_REQ_H
#define SL_SERVER_WORKFLOW_REQ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

typedef enum sl__wf_type {
    SL__WF_STR = 0,  /* a JSON string, decoded (UTF-8, no NUL) */
    SL__WF_UINT = 1, /* a non-negative integer */
    SL__WF_ID = 2    /* an item id: a string, or an integer kept as its digits (as /v1/items) */
} sl__wf_type;

#define SL__WF_MAX_FIELDS 8

typedef struct sl__wf_field {
    const char *key;
    sl__wf_type type;
    size_t max;    /* STR: most bytes once decoded; UINT: the highest value */
    bool required; /* absent (or null): SL_ERR_MISSING_FIELD; a required string may not be "" */
    /* filled by sl__wf_body */
    bool present;
    size_t at;  /* byte of the value in the body */
    sl_buf str; /* STR: the decoded value, NUL-terminated; free with sl__wf_free() */
    uint64_t num;
} sl__wf_field;

/* Parses body as one object of the fields f[0, n) (n <= SL__WF_MAX_FIELDS); null is the same
 * as absent. Errors: SL_ERR_JSON (malformed, unknown key, wrong type), SL_ERR_TOO_LARGE (a
 * string or number over its limit), SL_ERR_MISSING_FIELD; err->byte in the body when it
 * applies. The fields' buffers are reset first and must be freed after, even on error. */
sl_status sl__wf_body(const char *body, size_t len, sl__wf_field *f, size_t n, sl_error *err);
void sl__wf_free(sl__wf_field *f, size_t n);

/* GET /v1/notices/{id}?token=&lang=: token an appeal token (its exact form is the store's to
 * check; at most SL_APPEAL_TOKEN_LEN bytes of [A-Za-z0-9_-]), lang "vi" or "en". Unknown or
 * repeated keys refused (SL_ERR_ARG with the byte). q may be NULL. */
typedef struct sl__notice_query {
    char token[64];
    size_t token_len; /* 0: none */
    int lang;         /* -1: not given; 0 vi; 1 en */
} sl__notice_query;
sl_status sl__wf_notice_query(const char *q, size_t len, sl__notice_query *out, sl_error *err);

#endif
