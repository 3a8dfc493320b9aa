/* sangloc/server.h — the service: an HTTP JSON API over the engine (sangloc/reload.h) and the
 * store (sangloc/store.h). docs/server.md lists the routes, roles and error replies.
 *
 * A server owns one listening socket and N worker threads; each worker has its own event loop
 * accepting on that socket, its own scan and its own store handle, and answers a request from
 * start to end on its thread. The engine lives in a reload slot shared by the workers.
 *
 * Lifecycle: sl_server_new (builds the engine, opens and migrates the store, binds the socket:
 * port 0 picks a free one, see sl_server_port) -> sl_server_start (workers run) ->
 * sl_server_reload any number of times from any thread -> sl_server_stop (stops accepting,
 * lets in-flight replies finish, joins the workers) -> sl_server_free.
 *
 * Signals are the program's business: a process should ignore SIGPIPE (a client that hangs up
 * must not kill the server) and handle SIGTERM/SIGHUP on one thread (src/cli/cmd_serve.c). */
#ifndef SANGLOC_SERVER_H
#define SANGLOC_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/engine.h"
#include "sangloc/status.h"

typedef struct sl_server sl_server;

#define SL_SERVER_MAX_THREADS     64
#define SL_SERVER_DEFAULT_BODY    ((size_t)4 * 1024 * 1024)
#define SL_SERVER_MAX_BATCH_ITEMS 1000 /* items in one /v1/items or /v1/check request */

typedef struct sl_server_options {
    const char *host;         /* numeric address or name to listen on; NULL: 127.0.0.1 */
    uint16_t port;            /* 0: any free port */
    const char *db;           /* store URL (sangloc/store.h); required */
    const char *key_file;     /* pseudonym key (sl_store_options.key_file); required to ingest */
    sl_engine_options engine; /* copied by the reload slot */
    int threads;              /* worker threads, 1..SL_SERVER_MAX_THREADS; 0: 2 */
    size_t max_body;          /* request bodies above this are refused with 413; 0: default */
    /* The organizations file (docs/server.md, "Organizations"): each org with its policy,
     * model (default: engine.model_path) and banks. NULL: one org, "default", with engine. */
    const char *config;
    double rate_limit; /* requests a second per token (429 above it); 0: no limit */
    double rate_burst; /* requests a token may send at once; 0: max(1, rate_limit) */
    /* Purge raw text this many days after the last decision (sl_store_purge), at start and then
     * daily, on a thread of its own; 0: the server never purges (docs/privacy.md). */
    int retention_days;
    /* Webhooks of the one org without --config (docs/server.md, "Webhooks"); with --config
     * each org names its own. NULL url: none. */
    const char *webhook_url, *webhook_secret_file;
    int webhook_attempts; /* attempts before a delivery is given up; 0: 12 */
    /* The Ed25519 key file that signs the audit log's checkpoints, kept outside the database
     * (created 0600 when missing); NULL: no checkpoints are signed. Their origin (and the
     * key's name) is "sangloc/" + audit_name, or + the host name when audit_name is NULL. */
    const char *audit_key;
    const char *audit_name;
    /* The pages (docs/pages.md): a session lasts session_hours (0: 8); public_check opens the
     * draft checker (/check, POST /v1/check) without a token, limited per address;
     * secure_cookies marks the session cookie Secure and makes https:// the server's own
     * origin (behind a TLS proxy). */
    int session_hours;
    bool public_check, secure_cookies;
} sl_server_options;

sl_status sl_server_new(const sl_server_options *options, sl_server **out, sl_error *err);

/* The port actually bound (the free one picked for port 0). */
uint16_t sl_server_port(const sl_server *server);

/* Starts the worker threads. The caller's signal mask is inherited by them. */
sl_status sl_server_start(sl_server *server, sl_error *err);

/* Rebuilds every organization's engine from the same files (policy, model, banks); an org whose
 * build fails keeps its old engine and err says why for the first such org (err->line: the
 * policy line), while the others are reloaded. Each org's reload is logged in the audit log
 * (by the system: no token). Any thread. */
sl_status sl_server_reload(sl_server *server, sl_error *err);

/* Stops accepting, gives replies in flight a short grace to be written, joins the workers.
 * Call once, from a thread that is not a worker. */
void sl_server_stop(sl_server *server);

void sl_server_free(sl_server *server); /* stops it first when needed; NULL is fine */

/* ---- webhooks ---- */

#define SL_WEBHOOK_MAX_GRACE_HOURS 8760

/* `sangloc webhook rotate`: writes a new secret to the file at path (mode 0600; created when
 * missing) and keeps the one it replaces in path.prev, whose modification time is set to the
 * end of the grace: until then deliveries carry both signatures. grace_hours 0 removes
 * path.prev. A running server reads the files again on reload and every minute. */
sl_status sl_webhook_secret_rotate(const char *path, double grace_hours, sl_error *err);

#endif
