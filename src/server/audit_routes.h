/* server/audit_routes.h — the audit log in the service (internal): the checkpoint signer and
 * the routes GET /v1/audit/{checkpoint,entries,proof/inclusion,proof/consistency}.
 *
 * The server signs checkpoints of the store's audit log with an Ed25519 key kept outside the
 * database (--audit-key): when the log has grown, at most every SL_AUDIT_SIGN_SECONDS (a timer
 * on the first worker's loop), and on demand when a checkpoint is asked for. It keeps one
 * compact range of the log (sangloc/audit.h) per process, extended with the new leaves only, so
 * signing costs one read of what was appended since the last time. */
#ifndef SL_SERVER_AUDIT_ROUTES_H
#define SL_SERVER_AUDIT_ROUTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"

#define SL_AUDIT_SIGN_SECONDS 5

struct sl_server;
struct sl__worker;
struct sl__rq;
struct sl_engine;
struct sl_store;

/* Loads (or creates) the signing key of server->opt.audit_key; nothing when it is NULL (the
 * audit routes then answer 503 for checkpoints). */
sl_status sl__audit_new(struct sl_server *server, sl_error *err);
/* Starts the signing timer on w's loop (the first worker's). */
sl_status sl__audit_attach(struct sl_server *server, struct sl__worker *w, sl_error *err);
/* Stops the timer and wipes the key; before the workers' loops are freed. */
void sl__audit_free(struct sl_server *server);

/* Logs a reload of org's engine as an audit entry "policy.reload" by the token actor (0: the
 * system, for SIGHUP), with the policy versions before and after, through store; a failure to
 * log is printed on standard error (the reload itself stands). */
void sl__audit_reload(struct sl_store *store, int64_t actor, const char *org,
                      const struct sl_engine *before, const struct sl_engine *after, bool ok);

/* GET /v1/audit/...: rest is what follows "/v1/audit/", query the query string or NULL. */
void sl__route_audit(struct sl__rq *r, const char *rest, const char *query);

/* Parses a query string q[0, len) of name=value pairs whose values are decimal numbers up to
 * INT64_MAX: names[k] gets values[k] and present[k]. Unknown names, repeated names, values that
 * are not plain numbers and empty values are errors naming the parameter, with the byte. */
sl_status sl__audit_query(const char *q, size_t len, const char *const *names, size_t n,
                          int64_t *values, bool *present, sl_error *err);

#endif
