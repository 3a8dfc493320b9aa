/* server/internal.h — what the server's files share (internal): workers, the request context,
 * routes and their counters, and the reply helpers. */
#ifndef SL_SERVER_INTERNAL_H
#define SL_SERVER_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sangloc/record.h"
#include "sangloc/reload.h"
#include "sangloc/server.h"
#include "sangloc/store.h"
#include "sangloc/buf.h"
#include "server/config.h"
#include "server/metrics.h"
#include "server/tokcache.h"

struct event_base;
struct evhttp;
struct evhttp_bound_socket;
struct evhttp_request;
struct event;

typedef enum sl__route {
    SL_ROUTE_HEALTHZ,
    SL_ROUTE_CHECK,
    SL_ROUTE_ITEMS,
    SL_ROUTE_ITEM,
    SL_ROUTE_QUEUE,
    SL_ROUTE_CLAIM,
    SL_ROUTE_RELOAD,
    SL_ROUTE_METRICS,
    SL_ROUTE_BANKS,      /* GET /v1/banks */
    SL_ROUTE_BANK_ITEMS, /* GET, POST /v1/banks/{name}/items */
    SL_ROUTE_BANK_ITEM,  /* DELETE /v1/banks/{name}/items/{id} */
    SL_ROUTE_OPENAPI,
    SL_ROUTE_RESCREEN,        /* POST /v1/admin/rescreen (rescreen.c) */
    SL_ROUTE_DECISION,        /* POST /v1/items/{channel}/{id}/decision (workflow.c) */
    SL_ROUTE_NOTICE,          /* GET /v1/notices/{id} */
    SL_ROUTE_REPORTS,         /* POST /v1/reports */
    SL_ROUTE_APPEALS,         /* POST /v1/appeals */
    SL_ROUTE_APPEAL_DECISION, /* POST /v1/appeals/{id}/decision */
    SL_ROUTE_QUEUES,          /* GET /v1/queues */
    SL_ROUTE_WQUEUE,          /* GET /v1/queues/{reported|appeals} */
    SL_ROUTE_WCLAIM,          /* POST /v1/queues/{reported|appeals}/claim */
    SL_ROUTE_STATEMENTS,      /* GET /v1/transparency/statements (transparency.c) */
    SL_ROUTE_AUDIT,           /* GET /v1/audit/... (server/audit_routes.c) */
    SL_ROUTE_PAGE,            /* the pages (server/pages.c) */
    SL_ROUTE_ASSET,           /* GET /assets/... (server/pages.c) */
    SL_ROUTE_SESSION,         /* /login, /logout, /session (server/session.c) */
    SL_ROUTE_REVEAL,          /* POST /v1/items/{channel}/{id}/reveal (server/review.c) */
    SL_ROUTE_POLICY_RULES,    /* GET /v1/policy/rules (server/review.c) */
    SL_ROUTE_STATS,           /* GET /v1/stats (server/stats.c) */
    SL_ROUTE_OTHER,
    SL_ROUTE_COUNT
} sl__route;

/* The statuses the server answers, for the request counters; the last slot counts the rest. */
#define SL_NSTATUS 14
extern const int sl__status_codes[SL_NSTATUS];

typedef struct sl__metrics {
    _Atomic uint64_t requests[SL_ROUTE_COUNT][SL_NSTATUS + 1];
    _Atomic uint64_t verdicts[4]; /* by sl_action: every comment screened (check and items) */
    _Atomic uint64_t items_created, items_duplicate;
    _Atomic uint64_t reloads_ok, reloads_failed;
} sl__metrics;

typedef struct sl__worker {
    struct sl_server *srv;
    pthread_t thread;
    bool started;
    struct event_base *base;
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct event *stop_ev;
    sl_store *store;
    sl_scan *scan;   /* the scan of the request's org (one of scans[]) */
    sl_scan **scans; /* one per org, made lazily, replaced when the org's engine changes */
    sl_record rec;
    sl_buf out, arena, idbuf, parentbuf, tmp;
    sl__tokcache tokens; /* tokcache.h */
} sl__worker;

/* One organization served: its engine slot and the files it was built from (server/orgs.c). */
typedef struct sl__org {
    sl__org_conf conf; /* its id, name and files (model: the server's default when unset) */
    sl_engine_slot *slot;
    pthread_mutex_t edit; /* one bank edit (and its reload) at a time */
} sl__org;

struct sl_server {
    sl_server_options opt;
    char *host, *db, *key_file;
    sl_engine_slot *slot; /* the first org's (orgs[0].slot), for the deployment-wide gauges */
    sl__org *orgs;
    size_t norgs;
    bool configured; /* --config: tokens of orgs it does not list find nothing */
    int fd;
    uint16_t port;
    int nworkers;
    sl__worker *workers;
    bool running;
    sl__metrics metrics;
    struct sl__ratelimit *rl; /* NULL: no rate limit */
    sl__mx mx;                /* histograms, categories (metrics.h) */
    /* the daily purge (retention.h); NULL: none */
    struct sl__retention *retention;
    struct sl__hooks *hooks; /* the webhook delivery thread (webhooks.h); NULL: none */
    struct sl__audit *audit; /* the checkpoint signer (audit_routes.c); NULL: none */
    /* per-address limits of failed logins and of anonymous draft checks (session.c) */
    struct sl__ratelimit *login_rl, *public_rl, *guess_rl;
};

/* One request being answered. */
typedef struct sl__rq {
    sl__worker *w;
    struct evhttp_request *req;
    sl__route route;
    sl_token_info tok;
    bool via_session; /* tok came from a session cookie (server/session.c) */
    const char *org;  /* the org acted for (server/orgs.c: sl__select_org); NULL: none named */
    long orgi;        /* its index in srv->orgs (whose engine screens), -1 when it has none */
    const char *body;
    size_t body_len;
    const char *path;
    double t0; /* arrival at the handler, for the latency histogram */
} sl__rq;

/* Sends body (JSON) with the status and counts it. */
void sl__reply(sl__rq *r, int status, const char *json, size_t len);
void sl__reply_as(sl__rq *r, int status, const char *type, const char *body, size_t len);
/* {"error":{"code":CODE,"message":MESSAGE[,"byte":N][,"item":I][,"line":L]}}; byte SL_NO_POS,
 * item -1 and line 0 leave those out. */
void sl__reply_error(sl__rq *r, int status, const char *code, const char *message, size_t byte,
                     long item, size_t line);
/* Appends s as a JSON string, bytes that are not UTF-8 replaced by U+FFFD. */
sl_status sl__json_text(sl_buf *b, const char *s, size_t len);

/* The current engine with a scan of it in w->scan; release the engine when done. NULL when out
 * of memory (an error was replied). */
const sl_engine *sl__engine_for(sl__rq *r);

void sl__route_check(sl__rq *r);
void sl__route_items(sl__rq *r);
void sl__route_item_get(sl__rq *r, const char *rest, size_t rest_len, const char *query);
void sl__route_queue(sl__rq *r, const char *query);
void sl__route_claim(sl__rq *r);
void sl__route_reload(sl__rq *r);
void sl__route_metrics(sl__rq *r);
void sl__route_banks(sl__rq *r);
void sl__route_bank_items(sl__rq *r, const char *rest, const char *query);
void sl__route_bank_item_delete(sl__rq *r, const char *rest);
void sl__route_rescreen(sl__rq *r);

/* ---- the review workflow (server/workflow.c) ---- */
void sl__route_decision(sl__rq *r, const char *rest);
void sl__route_notice(sl__rq *r, const char *id, const char *query);
void sl__route_report(sl__rq *r);
void sl__route_appeal(sl__rq *r);
void sl__route_appeal_decision(sl__rq *r, const char *rest);
void sl__route_queues(sl__rq *r);
void sl__route_wqueue(sl__rq *r, const char *rest, const char *query);
void sl__route_wclaim(sl__rq *r, const char *rest);
/* GET /v1/transparency/statements (server/transparency.c) */
void sl__route_statements(sl__rq *r, const char *query);
/* GET /v1/stats (server/stats.c) */
void sl__route_stats(sl__rq *r, const char *query);
/* Authenticates the request's Bearer token for one of roles (a bit per sl_role) and selects
 * its org; replies (401, 403, 404, 429) and returns false when it may not go on. */
bool sl__authenticate(sl__rq *r, unsigned roles);

/* ---- organizations (server/orgs.c) ---- */

/* Builds srv->orgs from the options (--config, or the one org "default") and creates the
 * configured orgs in the store. */
sl_status sl__orgs_init(sl_server *s, sl_store *store, sl_error *err);
void sl__orgs_free(sl_server *s);
/* The org whose name is id[0, len), or -1. */
long sl__org_find(const sl_server *s, const char *id, size_t len);
/* Rebuilds one org's engine from its files; counts the reload. */
sl_status sl__org_reload(sl_server *s, size_t k, sl_error *err);
/* After authentication: which org the request acts for (the token's; a global token names one
 * with the X-Sangloc-Org header). Replies (400, 404) and returns false when the route needs an
 * org and there is none the token may use. */
bool sl__select_org(sl__rq *r, bool needs_org);
void sl__route_openapi(sl__rq *r);
const char *sl__route_name(int route);
/* the route's metrics label */ /* openapi.c: docs/openapi.json, compiled in */

#endif
