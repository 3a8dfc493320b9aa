/* store/audit.h — entries of the audit log, as every backend writes them (internal).
 *
 * Each state change the store makes appends one entry in the same transaction: the change and
 * its entry commit together or not at all. An entry is canonical JSON, its keys always in this
 * order (docs/audit.md):
 *   {"seq":N,"at":MS,"org":"ORG","actor":{"token":ID,"name":"NAME"},"action":"ACTION",
 *    "target":"TARGET","before":"STATE","after":"STATE","policy_version":"V","data":{...}}
 * Texts (posts, notes) never enter an entry: only their SHA-256, so that a purge keeps the log
 * verifiable and the log holds no post. */
#ifndef SL_STORE_AUDIT_H
#define SL_STORE_AUDIT_H

#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"
#include "sangloc/store.h"

#define SL_AUDIT_HASH_LEN 32

typedef struct sl__audit_rec {
    const char *org;            /* the org's id; "" for the deployment */
    int64_t actor;              /* token id; 0: the system (the CLI, a timer) */
    const char *action;         /* "item.ingest", "case.claim", "token.create", ... */
    const char *target;         /* "item:12", "case:7", "token:3", ... */
    const char *before, *after; /* states; "" when none */
    const char *policy_version; /* "" when none */
    const char *data;           /* a JSON object's text, or NULL for {} */
} sl__audit_rec;

/* Appends the canonical entry for rec, as entry number seq at time at by the token named
 * actor_name ("" for the system), to b. */
sl_status sl__audit_encode(sl_buf *b, int64_t seq, int64_t at, const char *actor_name,
                           const sl__audit_rec *rec);

/* Lowercase hex SHA-256 of (p, len) into out (65 bytes with the NUL): how entries cite texts. */
void sl__audit_sha256_hex(const void *p, size_t len, char out[2 * SL_AUDIT_HASH_LEN + 1]);

/* Runs the backend's derived-table checks (store.c, for audit_verify.c). */
sl_status sl__store_audit_check_tables(sl_store *store, sl_audit_report *report, sl_error *err);

/* Records the first problem a verification finds (later ones are ignored): the entry seq (or
 * -1) and the checkpoint id (or -1) it concerns, and a message. */
void sl__audit_problem(sl_audit_report *r, int64_t seq, int64_t checkpoint, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
