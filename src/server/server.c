/* server/server.c — the service's lifecycle (socket, worker threads, stop, reload) and the
 * dispatch of one request: route, method, token and role, content type, then the route's
 * handler (routes.c). Replies are JSON; docs/server.md is the contract. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/thread.h>
#include <event2/util.h>

#include "server/audit_routes.h"
#include "server/internal.h"
#include "server/pages.h"
#include "server/ratelimit.h"
#include "server/retention.h"
#include "server/review.h"
#include "server/webhooks.h"
#include "text/utf8.h"

const int sl__status_codes[SL_NSTATUS] = {200, 400, 401, 403, 404, 405, 409,
                                          413, 415, 422, 500, 503, 204, 429};

_Static_assert(SL_ROUTE_COUNT <= SL_MX_ROUTES, "metrics.h: SL_MX_ROUTES too small");

static const char *reason(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 303:
        return "See Other";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

static void count(sl__rq *r, int status)
{
    int k = 0;
    while (k < SL_NSTATUS && sl__status_codes[k] != status) k++;
    atomic_fetch_add_explicit(&r->w->srv->metrics.requests[r->route][k], 1, memory_order_relaxed);
    sl__mx_observe(&r->w->srv->mx, r->route, sl__mx_now() - r->t0);
}

void sl__reply(sl__rq *r, int status, const char *json, size_t len)
{
    sl__reply_as(r, status, "application/json", json, len);
}

void sl__reply_as(sl__rq *r, int status, const char *type, const char *json, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Content-Type", type);
    /* the request's own output buffer: no evbuffer made and freed per reply */
    struct evbuffer *b = evhttp_request_get_output_buffer(r->req);
    if (b && evbuffer_add(b, json, len) == 0) {
        evhttp_send_reply(r->req, status, reason(status), NULL);
    } else {
        evhttp_send_error(r->req, 500, "out of memory");
        status = 500;
    }
    count(r, status);
}

sl_status sl__json_text(sl_buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(s + i, len - i, &cp);
        if (n && cp) {
            i += n;
            continue;
        }
        /* not text: rebuild with U+FFFD for each bad byte */
        sl_buf t = {.max = len * 3 + 4};
        for (size_t k = 0; k < len;) {
            size_t m = sl__utf8_decode(s + k, len - k, &cp);
            sl_status st =
                m && cp ? sl_buf_append(&t, s + k, m) : sl_buf_append(&t, "\xEF\xBF\xBD", 3);
            if (st) {
                sl_buf_free(&t);
                return st;
            }
            k += m && cp ? m : 1;
        }
        sl_status st = sl_buf_json_string(b, t.data ? t.data : "", t.len);
        sl_buf_free(&t);
        return st;
    }
    return sl_buf_json_string(b, s, len);
}

void sl__reply_error(sl__rq *r, int status, const char *code, const char *message, size_t byte,
                     long item, size_t line)
{
    sl_buf *b = &r->w->tmp;
    sl_buf_clear(b);
    sl_status st = sl_buf_puts(b, "{\"error\":{\"code\":");
    if (!st) st = sl__json_text(b, code, strlen(code));
    if (!st) st = sl_buf_puts(b, ",\"message\":");
    if (!st) st = sl__json_text(b, message, strlen(message));
    if (!st && byte != SL_NO_POS) st = sl_buf_printf(b, ",\"byte\":%zu", byte);
    if (!st && item >= 0) st = sl_buf_printf(b, ",\"item\":%ld", item);
    if (!st && line) st = sl_buf_printf(b, ",\"line\":%zu", line);
    if (!st) st = sl_buf_puts(b, "}}");
    if (st) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        sl__reply(r, 500, oom, sizeof oom - 1);
        return;
    }
    sl__reply(r, status, b->data, b->len);
}

const sl_engine *sl__engine_for(sl__rq *r)
{
    sl__worker *w = r->w;
    size_t k = r->orgi > 0 ? (size_t)r->orgi : 0; /* the org's engine screens its items */
    const sl_engine *e = sl_engine_slot_get(w->srv->orgs[k].slot);
    if (!w->scans[k] || sl_scan_engine(w->scans[k]) != e) {
        sl_scan_free(w->scans[k]);
        w->scans[k] = sl_scan_new(e);
        if (!w->scans[k]) {
            sl_engine_release(e);
            sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
            return NULL;
        }
    }
    w->scan = w->scans[k];
    return e;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

#define R(role) (1u << (role))

typedef struct route_def {
    sl__route route;
    enum evhttp_cmd_type method;
    unsigned roles; /* 0: no token needed */
} route_def;

/* The one path with two methods: GET and POST /v1/banks/{name}/items. */
static enum evhttp_cmd_type second_method(sl__route route)
{
    return route == SL_ROUTE_BANK_ITEMS ? EVHTTP_REQ_POST : (enum evhttp_cmd_type)0;
}

static const route_def defs[] = {
    [SL_ROUTE_HEALTHZ] = {SL_ROUTE_HEALTHZ, EVHTTP_REQ_GET, 0},
    [SL_ROUTE_CHECK] = {SL_ROUTE_CHECK, EVHTTP_REQ_POST, R(SL_ROLE_INTEGRATION) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_ITEMS] = {SL_ROUTE_ITEMS, EVHTTP_REQ_POST, R(SL_ROLE_INTEGRATION)},
    [SL_ROUTE_ITEM] = {SL_ROUTE_ITEM, EVHTTP_REQ_GET,
                       R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_AUDITOR) |
                           R(SL_ROLE_ADMIN)},
    [SL_ROUTE_QUEUE] = {SL_ROUTE_QUEUE, EVHTTP_REQ_GET, R(SL_ROLE_REVIEWER) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_CLAIM] = {SL_ROUTE_CLAIM, EVHTTP_REQ_POST, R(SL_ROLE_REVIEWER)},
    [SL_ROUTE_RELOAD] = {SL_ROUTE_RELOAD, EVHTTP_REQ_POST, R(SL_ROLE_ADMIN)},
    [SL_ROUTE_METRICS] = {SL_ROUTE_METRICS, EVHTTP_REQ_GET, R(SL_ROLE_AUDITOR) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_BANKS] = {SL_ROUTE_BANKS, EVHTTP_REQ_GET, R(SL_ROLE_CURATOR) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_BANK_ITEMS] = {SL_ROUTE_BANK_ITEMS, EVHTTP_REQ_GET,
                             R(SL_ROLE_CURATOR) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_BANK_ITEM] = {SL_ROUTE_BANK_ITEM, EVHTTP_REQ_DELETE,
                            R(SL_ROLE_CURATOR) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_OPENAPI] = {SL_ROUTE_OPENAPI, EVHTTP_REQ_GET, 0},
    [SL_ROUTE_RESCREEN] = {SL_ROUTE_RESCREEN, EVHTTP_REQ_POST, R(SL_ROLE_ADMIN)},
    /* the review workflow (workflow.c); 0 roles: the route authenticates itself (an appeal
       token, or a Bearer token for a notice); the queues check the role per queue */
    [SL_ROUTE_DECISION] = {SL_ROUTE_DECISION, EVHTTP_REQ_POST,
                           R(SL_ROLE_REVIEWER) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_NOTICE] = {SL_ROUTE_NOTICE, EVHTTP_REQ_GET, 0},
    [SL_ROUTE_REPORTS] = {SL_ROUTE_REPORTS, EVHTTP_REQ_POST, R(SL_ROLE_INTEGRATION)},
    [SL_ROUTE_APPEALS] = {SL_ROUTE_APPEALS, EVHTTP_REQ_POST, 0},
    [SL_ROUTE_APPEAL_DECISION] = {SL_ROUTE_APPEAL_DECISION, EVHTTP_REQ_POST, R(SL_ROLE_APPEALS)},
    [SL_ROUTE_QUEUES] = {SL_ROUTE_QUEUES, EVHTTP_REQ_GET,
                         R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_AUDITOR) |
                             R(SL_ROLE_ADMIN)},
    [SL_ROUTE_WQUEUE] = {SL_ROUTE_WQUEUE, EVHTTP_REQ_GET,
                         R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_AUDITOR) |
                             R(SL_ROLE_ADMIN)},
    [SL_ROUTE_WCLAIM] = {SL_ROUTE_WCLAIM, EVHTTP_REQ_POST,
                         R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS)},
    [SL_ROUTE_STATEMENTS] = {SL_ROUTE_STATEMENTS, EVHTTP_REQ_GET,
                             R(SL_ROLE_AUDITOR) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_AUDIT] = {SL_ROUTE_AUDIT, EVHTTP_REQ_GET, R(SL_ROLE_AUDITOR) | R(SL_ROLE_ADMIN)},
    /* the reviewer's page (review.c) */
    [SL_ROUTE_REVEAL] = {SL_ROUTE_REVEAL, EVHTTP_REQ_POST,
                         R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_ADMIN)},
    [SL_ROUTE_POLICY_RULES] = {SL_ROUTE_POLICY_RULES, EVHTTP_REQ_GET,
                               R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_AUDITOR) |
                                   R(SL_ROLE_ADMIN)},
    [SL_ROUTE_STATS] = {SL_ROUTE_STATS, EVHTTP_REQ_GET, R(SL_ROLE_AUDITOR) | R(SL_ROLE_ADMIN)},
};

/* The workflow's paths with a parameter; *rest is what follows the fixed prefix. */
static sl__route find_workflow_route(const char *path, const char **rest)
{
    static const struct {
        const char *prefix;
        sl__route route;
    } pre[] = {
        {"/v1/notices/", SL_ROUTE_NOTICE},
        {"/v1/appeals/", SL_ROUTE_APPEAL_DECISION},
        {"/v1/queues/", SL_ROUTE_WQUEUE},
    };
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t n = strlen(pre[k].prefix);
        if (strncmp(path, pre[k].prefix, n) || !path[n]) continue;
        *rest = path + n;
        size_t len = strlen(*rest);
        if (pre[k].route == SL_ROUTE_WQUEUE && len > 6 && !strcmp(*rest + len - 6, "/claim"))
            return SL_ROUTE_WCLAIM;
        return pre[k].route;
    }
    return SL_ROUTE_OTHER;
}

/* /v1/banks/{name}/items[/{id}]: *rest is what follows "/v1/banks/". */
static sl__route find_bank_route(const char *path, const char **rest)
{
    if (!strcmp(path, "/v1/banks")) return SL_ROUTE_BANKS;
    if (strncmp(path, "/v1/banks/", 10)) return SL_ROUTE_OTHER;
    const char *p = path + 10, *slash = strchr(p, '/');
    if (!slash || slash == p || strncmp(slash, "/items", 6)) return SL_ROUTE_OTHER;
    *rest = p;
    if (!slash[6]) return SL_ROUTE_BANK_ITEMS;
    if (slash[6] == '/' && slash[7] && !strchr(slash + 7, '/')) return SL_ROUTE_BANK_ITEM;
    return SL_ROUTE_OTHER;
}

/* The route of a path; *rest is what follows "/v1/items/" for SL_ROUTE_ITEM. */
static sl__route find_route(const char *path, const char **rest)
{
    static const struct {
        const char *path;
        sl__route route;
    } exact[] = {
        {"/healthz", SL_ROUTE_HEALTHZ},         {"/metrics", SL_ROUTE_METRICS},
        {"/v1/check", SL_ROUTE_CHECK},          {"/v1/items", SL_ROUTE_ITEMS},
        {"/v1/queues/pending", SL_ROUTE_QUEUE}, {"/v1/queues/pending/claim", SL_ROUTE_CLAIM},
        {"/v1/admin/reload", SL_ROUTE_RELOAD},  {"/openapi.json", SL_ROUTE_OPENAPI},
        {"/v1/reports", SL_ROUTE_REPORTS},      {"/v1/appeals", SL_ROUTE_APPEALS},
        {"/v1/queues", SL_ROUTE_QUEUES},
    };
    for (size_t k = 0; k < sizeof exact / sizeof exact[0]; k++)
        if (!strcmp(path, exact[k].path)) return exact[k].route;
    if (!strcmp(path, "/v1/admin/rescreen")) return SL_ROUTE_RESCREEN;
    if (!strcmp(path, "/v1/transparency/statements")) return SL_ROUTE_STATEMENTS;
    if (!strcmp(path, "/v1/policy/rules")) return SL_ROUTE_POLICY_RULES;
    if (!strcmp(path, "/v1/stats")) return SL_ROUTE_STATS;
    if (!strncmp(path, "/v1/audit/", 10)) { /* audit_routes.c tells the rest */
        *rest = path + 10;
        return SL_ROUTE_AUDIT;
    }
    if (!strncmp(path, "/v1/items/", 10)) {
        const char *p = path + 10, *slash = strchr(p, '/');
        /* exactly two non-empty segments: {channel}/{id} */
        if (slash && slash > p && slash[1] && !strchr(slash + 1, '/')) {
            *rest = p;
            return SL_ROUTE_ITEM;
        }
        const char *last = strrchr(p, '/');
        if (slash && slash > p && last > slash + 1 && !strcmp(last, "/decision") &&
            memchr(slash + 1, '/', (size_t)(last - slash - 1)) == NULL) {
            *rest = p;
            return SL_ROUTE_DECISION;
        }
        if (slash && slash > p && last > slash + 1 && !strcmp(last, "/reveal") &&
            memchr(slash + 1, '/', (size_t)(last - slash - 1)) == NULL) {
            *rest = p;
            return SL_ROUTE_REVEAL;
        }
    }
    sl__route wf = find_workflow_route(path, rest);
    if (wf != SL_ROUTE_OTHER) return wf;
    return find_bank_route(path, rest);
}

static bool is_json(const char *ct)
{
    if (!ct) return false;
    while (*ct == ' ') ct++;
    if (strncasecmp(ct, "application/json", 16)) return false;
    ct += 16;
    while (*ct == ' ') ct++;
    return *ct == '\0' || *ct == ';';
}

/* The token's rate limit (--rate-limit): 429 with Retry-After when its bucket is empty. */
static bool admit(sl__rq *r)
{
    sl__ratelimit *rl = r->w->srv->rl;
    if (!rl) return true;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    unsigned wait = 1;
    if (sl__ratelimit_take(rl, r->tok.id, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9, &wait))
        return true;
    char v[16], msg[96];
    snprintf(v, sizeof v, "%u", wait);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", v);
    snprintf(msg, sizeof msg, "this token is over its rate limit; retry in %u s", wait);
    sl__reply_error(r, 429, "rate_limited", msg, SL_NO_POS, -1, 0);
    return false;
}

bool sl__authenticate(sl__rq *r, unsigned roles)
{
    struct evkeyvalq *in = evhttp_request_get_input_headers(r->req);
    const char *h = evhttp_find_header(in, "Authorization");
    /* the pages: a session cookie instead of the Bearer header (session.c) */
    int ses = h ? 0 : sl__session_authenticate(r);
    if (ses < 0) return false;
    if (!ses && !h && r->route == SL_ROUTE_CHECK && r->w->srv->opt.public_check)
        return sl__public_check_admit(r); /* the anonymous draft checker (--public-check) */
    if (ses) goto authenticated;
    if (!h || strncasecmp(h, "Bearer ", 7)) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
                          "Bearer realm=\"sangloc\"");
        sl__reply_error(r, 401, "unauthorized", "an Authorization: Bearer token is required",
                        SL_NO_POS, -1, 0);
        return false;
    }
    const char *t = h + 7;
    while (*t == ' ') t++;
    sl_error err = {0};
    sl_status st =
        sl__tokcache_lookup(&r->w->tokens, r->w->store, t, strlen(t), r->t0, &r->tok, &err);
    if (st == SL_ERR_AUTH) {
        evhttp_add_header(evhttp_request_get_output_headers(r->req), "WWW-Authenticate",
                          "Bearer realm=\"sangloc\", error=\"invalid_token\"");
        sl__reply_error(r, 401, "unauthorized", "unknown, malformed or revoked token", SL_NO_POS,
                        -1, 0);
        return false;
    }
    if (st) {
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), err.message,
                        SL_NO_POS, -1, 0);
        return false;
    }
authenticated:
    /* the draft checker page is for every role */
    if (!(roles & R(r->tok.role)) && !(r->via_session && r->route == SL_ROUTE_CHECK)) {
        char msg[120];
        snprintf(msg, sizeof msg, "the %s role may not use this route", sl_role_name(r->tok.role));
        sl__reply_error(r, 403, "forbidden", msg, SL_NO_POS, -1, 0);
        return false;
    }
    /* every route but reload, metrics and the audit log acts inside one organization */
    if (!sl__select_org(r, r->route != SL_ROUTE_RELOAD && r->route != SL_ROUTE_METRICS &&
                               r->route != SL_ROUTE_AUDIT))
        return false;
    return admit(r);
}

static void handle(struct evhttp_request *req, void *arg)
{
    sl__worker *w = arg;
    sl__rq r = {.w = w, .req = req, .route = SL_ROUTE_OTHER, .t0 = sl__mx_now()};
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
    const char *path = u ? evhttp_uri_get_path(u) : NULL;
    const char *rest = NULL;
    if (path) r.route = find_route(path, &rest);
    r.path = path;
    if (path && r.route == SL_ROUTE_OTHER && sl__pages_handle(&r)) return; /* pages.c */
    if (r.route == SL_ROUTE_OTHER) {
        sl__reply_error(&r, 404, "not_found", "no such route", SL_NO_POS, -1, 0);
        return;
    }
    const route_def *d = &defs[r.route];
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    enum evhttp_cmd_type method2 = second_method(r.route);
    if (cmd != d->method && (!method2 || cmd != method2)) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow",
                          method2                          ? "GET, POST"
                          : d->method == EVHTTP_REQ_DELETE ? "DELETE"
                          : d->method == EVHTTP_REQ_GET    ? "GET"
                                                           : "POST");
        sl__reply_error(&r, 405, "method_not_allowed",
                        d->method == EVHTTP_REQ_GET ? "use GET" : "use POST", SL_NO_POS, -1, 0);
        return;
    }
    if (d->roles && !sl__authenticate(&r, d->roles)) return;
    if (cmd == EVHTTP_REQ_POST) {
        struct evkeyvalq *in = evhttp_request_get_input_headers(req);
        struct evbuffer *body = evhttp_request_get_input_buffer(req);
        size_t len = evbuffer_get_length(body);
        if (len > w->srv->opt.max_body) {
            sl__reply_error(&r, 413, "too_large", "the body is over the limit", SL_NO_POS, -1, 0);
            return;
        }
        if (len && !is_json(evhttp_find_header(in, "Content-Type"))) {
            sl__reply_error(&r, 415, "unsupported_media_type",
                            "send Content-Type: application/json", SL_NO_POS, -1, 0);
            return;
        }
        r.body = len ? (const char *)evbuffer_pullup(body, -1) : "";
        r.body_len = len;
        if (!r.body) {
            sl__reply_error(&r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
            return;
        }
    }
    switch (r.route) {
    case SL_ROUTE_HEALTHZ: {
        char buf[96];
        int n = snprintf(buf, sizeof buf, "{\"status\":\"ok\",\"engine_generation\":%llu}",
                         (unsigned long long)sl_engine_slot_generation(w->srv->slot));
        sl__reply(&r, 200, buf, (size_t)n);
        break;
    }
    case SL_ROUTE_CHECK:
        sl__route_check(&r);
        break;
    case SL_ROUTE_ITEMS:
        sl__route_items(&r);
        break;
    case SL_ROUTE_ITEM:
        sl__route_item_get(&r, rest, strlen(rest), evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_QUEUE:
        sl__route_queue(&r, evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_CLAIM:
        sl__route_claim(&r);
        break;
    case SL_ROUTE_RELOAD:
        sl__route_reload(&r);
        break;
    case SL_ROUTE_METRICS:
        sl__route_metrics(&r);
        break;
    case SL_ROUTE_BANKS:
        sl__route_banks(&r);
        break;
    case SL_ROUTE_BANK_ITEMS:
        sl__route_bank_items(&r, rest, cmd == EVHTTP_REQ_GET ? evhttp_uri_get_query(u) : NULL);
        break;
    case SL_ROUTE_BANK_ITEM:
        sl__route_bank_item_delete(&r, rest);
        break;
    case SL_ROUTE_OPENAPI:
        sl__route_openapi(&r);
        break;
    case SL_ROUTE_RESCREEN:
        sl__route_rescreen(&r);
        break;
    case SL_ROUTE_DECISION:
        sl__route_decision(&r, rest);
        break;
    case SL_ROUTE_NOTICE:
        sl__route_notice(&r, rest, evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_REPORTS:
        sl__route_report(&r);
        break;
    case SL_ROUTE_APPEALS:
        sl__route_appeal(&r);
        break;
    case SL_ROUTE_APPEAL_DECISION:
        sl__route_appeal_decision(&r, rest);
        break;
    case SL_ROUTE_QUEUES:
        sl__route_queues(&r);
        break;
    case SL_ROUTE_WQUEUE:
        sl__route_wqueue(&r, rest, evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_WCLAIM:
        sl__route_wclaim(&r, rest);
        break;
    case SL_ROUTE_STATEMENTS:
        sl__route_statements(&r, evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_AUDIT:
        sl__route_audit(&r, rest, evhttp_uri_get_query(u));
        break;
    case SL_ROUTE_REVEAL:
        sl__route_reveal(&r, rest);
        break;
    case SL_ROUTE_POLICY_RULES:
        sl__route_policy_rules(&r);
        break;
    case SL_ROUTE_STATS:
        sl__route_stats(&r, evhttp_uri_get_query(u));
        break;
    default:
        sl__reply_error(&r, 404, "not_found", "no such route", SL_NO_POS, -1, 0);
    }
}

/* ---- lifecycle ---------------------------------------------------------------------------- */

static void worker_free(sl__worker *w)
{
    if (w->stop_ev) event_free(w->stop_ev);
    if (w->http) evhttp_free(w->http);
    if (w->base) event_base_free(w->base);
    for (size_t k = 0; w->scans && k < w->srv->norgs; k++) sl_scan_free(w->scans[k]);
    free(w->scans);
    sl_store_close(w->store);
    sl_record_free(&w->rec);
    sl_buf_free(&w->out);
    sl_buf_free(&w->arena);
    sl_buf_free(&w->idbuf);
    sl_buf_free(&w->parentbuf);
    sl_buf_free(&w->tmp);
    memset(w, 0, sizeof *w);
}

/* On the worker's own thread: stop accepting, then leave the loop after a grace that lets the
 * replies already handed to libevent be written. */
static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
    sl__worker *w = arg;
    if (w->bound) {
        evhttp_del_accept_socket(w->http, w->bound);
        w->bound = NULL;
    }
    struct timeval grace = {0, 200 * 1000};
    event_base_loopexit(w->base, &grace);
}

static sl_status worker_init(sl_server *s, sl__worker *w, sl_error *err)
{
    w->srv = s;
    w->scans = calloc(s->norgs, sizeof *w->scans);
    if (!w->scans) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    sl_store_options so = {.key_file = s->key_file};
    sl_status st = sl_store_open(s->db, &so, &w->store, err);
    if (st) return st;
    w->base = event_base_new();
    w->http = w->base ? evhttp_new(w->base) : NULL;
    w->stop_ev = w->base ? event_new(w->base, -1, 0, stop_cb, w) : NULL;
    if (!w->http || !w->stop_ev)
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "cannot make an event loop");
    evhttp_set_max_body_size(w->http, (ev_ssize_t)s->opt.max_body);
    evhttp_set_max_headers_size(w->http, 16 * 1024);
    evhttp_set_timeout(w->http, 60);
    evhttp_set_flags(w->http, EVHTTP_SERVER_LINGERING_CLOSE);
    evhttp_set_allowed_methods(w->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_PATCH);
    evhttp_set_gencb(w->http, handle, w);
    /* each loop gets its own descriptor of the one socket: libevent closes it when the loop
       stops accepting */
    int fd = fcntl(s->fd, F_DUPFD_CLOEXEC, 0);
    w->bound = fd >= 0 ? evhttp_accept_socket_with_handle(w->http, fd) : NULL;
    if (!w->bound) {
        if (fd >= 0) close(fd);
    }
    if (!w->bound)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot accept on the socket: %s",
                            strerror(errno));
    w->out.max = SL_BUF_DEFAULT_MAX;
    w->arena.max = SL_BUF_DEFAULT_MAX;
    return SL_OK;
}

static sl_status listen_on(sl_server *s, sl_error *err)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    char port[8];
    snprintf(port, sizeof port, "%u", (unsigned)s->opt.port);
    int rc = getaddrinfo(s->host, port, &hints, &ai);
    if (rc)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot resolve %s: %s", s->host,
                            gai_strerror(rc));
    int fd = -1, e = 0;
    for (struct addrinfo *a = ai; a; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd < 0) {
            e = errno;
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        /* accepted sockets inherit it (Linux): a reply written in two pieces must not wait
           for the client's delayed ACK (40 ms a request with keep-alive) */
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 1024) == 0) break;
        e = errno;
        close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    if (fd < 0)
        return sl_error_set(err, SL_ERR_IO, SL_NO_POS, "cannot listen on %s:%u: %s", s->host,
                            (unsigned)s->opt.port, strerror(e));
    evutil_make_socket_nonblocking(fd);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
        s->port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                 : ((struct sockaddr_in *)&ss)->sin_port);
    s->fd = fd;
    return SL_OK;
}

sl_status sl_server_new(const sl_server_options *options, sl_server **out, sl_error *err)
{
    *out = NULL;
    if (!options || !options->db) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no store given");
    if (options->threads < 0 || options->threads > SL_SERVER_MAX_THREADS)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "threads must be 1 to %d",
                            SL_SERVER_MAX_THREADS);
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, (void (*)(void))evthread_use_pthreads);
    sl_server *s = calloc(1, sizeof *s);
    if (!s) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    s->fd = -1;
    sl__mx_init(&s->mx);
    s->opt = *options;
    if (!s->opt.threads) s->opt.threads = 2;
    if (!s->opt.max_body) s->opt.max_body = SL_SERVER_DEFAULT_BODY;
    s->host = strdup(options->host ? options->host : "127.0.0.1");
    s->db = strdup(options->db);
    s->key_file = options->key_file ? strdup(options->key_file) : NULL;
    sl_status st = SL_OK;
    if (!s->host || !s->db || (options->key_file && !s->key_file)) {
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        goto fail;
    }
    /* the store first: it is created and migrated once, before the workers open it */
    sl_store *first = NULL;
    sl_store_options so = {.key_file = s->key_file};
    if ((st = sl_store_open(s->db, &so, &first, err))) goto fail;
    st = sl__orgs_init(s, first, err); /* the orgs' engines; configured orgs made in the store */
    sl_store_close(first);
    if (st) goto fail;
    if (options->rate_limit > 0) {
        double burst = options->rate_burst > 0 ? options->rate_burst : options->rate_limit;
        s->rl = sl__ratelimit_new(options->rate_limit, burst < 1 ? 1 : burst);
        if (!s->rl) {
            st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
            goto fail;
        }
    }
    if (!s->opt.session_hours) s->opt.session_hours = 8;
    if ((st = sl__session_init(s, err))) goto fail;
    if ((st = sl__hooks_new(s, &s->hooks, err))) goto fail;
    if ((st = sl__audit_new(s, err))) goto fail;
    if ((st = listen_on(s, err))) goto fail;
    s->workers = calloc((size_t)s->opt.threads, sizeof *s->workers);
    if (!s->workers) {
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        goto fail;
    }
    for (int k = 0; k < s->opt.threads; k++) {
        s->nworkers = k + 1;
        if ((st = worker_init(s, &s->workers[k], err))) goto fail;
    }
    if (s->opt.retention_days > 0 &&
        (st = sl__retention_new(s->db, s->opt.retention_days, &s->retention, err)))
        goto fail;
    if ((st = sl__audit_attach(s, &s->workers[0], err))) goto fail;
    *out = s;
    return SL_OK;
fail:
    sl_server_free(s);
    return st;
}

uint16_t sl_server_port(const sl_server *server)
{
    return server->port;
}

static void *worker_main(void *arg)
{
    sl__worker *w = arg;
    event_base_dispatch(w->base);
    return NULL;
}

sl_status sl_server_start(sl_server *s, sl_error *err)
{
    for (int k = 0; k < s->nworkers; k++) {
        if (pthread_create(&s->workers[k].thread, NULL, worker_main, &s->workers[k])) {
            sl_server_stop(s);
            return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "cannot start a thread");
        }
        s->workers[k].started = true;
    }
    s->running = true;
    sl_status st = s->retention ? sl__retention_start(s->retention, err) : SL_OK;
    return st ? st : sl__hooks_start(s->hooks, err);
}

void sl_server_stop(sl_server *s)
{
    if (!s) return;
    sl__retention_free(s->retention); /* waits for a purge in progress to end */
    s->retention = NULL;
    for (int k = 0; k < s->nworkers; k++)
        if (s->workers[k].started) event_active(s->workers[k].stop_ev, 0, 0);
    for (int k = 0; k < s->nworkers; k++)
        if (s->workers[k].started) {
            pthread_join(s->workers[k].thread, NULL);
            s->workers[k].started = false;
        }
    s->running = false;
    sl__hooks_stop(s->hooks);
}

void sl_server_free(sl_server *s)
{
    if (!s) return;
    sl_server_stop(s);
    sl__hooks_free(s->hooks);
    sl__audit_free(s); /* its timer lives on the first worker's loop */
    for (int k = 0; k < s->nworkers; k++) worker_free(&s->workers[k]);
    free(s->workers);
    if (s->fd >= 0) close(s->fd);
    sl__orgs_free(s);
    sl__ratelimit_free(s->rl);
    sl__session_free(s);
    sl__mx_destroy(&s->mx);
    free(s->host);
    free(s->db);
    free(s->key_file);
    free(s);
}
