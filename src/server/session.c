/* server/session.c — browser sessions (docs/pages.md): POST /login turns a token into a session
 * cookie, POST /logout ends it, GET /session tells the page who is logged in; API routes take
 * the cookie as an alternative to the Bearer header, with a CSRF check on every state-changing
 * request. Sessions live in the store (sangloc/store.h), so they survive a restart and work
 * across server processes. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "server/pages.h"
#include "server/ratelimit.h"
#include "server/webform.h"

sl_status sl__session_init(sl_server *s, sl_error *err)
{
    s->login_rl = sl__ratelimit_new(SL_LOGIN_FAILS_PER_MIN / 60.0, SL_LOGIN_FAILS_PER_MIN);
    s->public_rl = sl__ratelimit_new(SL_PUBLIC_CHECKS_PER_MIN / 60.0, 20);
    s->guess_rl = sl__ratelimit_new(SL_TOKEN_GUESSES_PER_MIN / 60.0, SL_TOKEN_GUESSES_PER_MIN);
    if (!s->login_rl || !s->public_rl || !s->guess_rl)
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    return SL_OK;
}

void sl__session_free(sl_server *s)
{
    sl__ratelimit_free(s->login_rl);
    sl__ratelimit_free(s->public_rl);
    sl__ratelimit_free(s->guess_rl);
    s->login_rl = s->public_rl = s->guess_rl = NULL;
}

static const char *header(const sl__rq *r, const char *name)
{
    return evhttp_find_header(evhttp_request_get_input_headers(r->req), name);
}

bool sl__pages_https(const sl__rq *r)
{
    return r->w->srv->opt.secure_cookies;
}

/* The remote address as a bucket key of the rate limiters (a hash of its text; never 0). */
static int64_t peer_key(const sl__rq *r)
{
    char *addr = NULL;
    uint16_t port = 0;
    struct evhttp_connection *c = evhttp_request_get_connection(r->req);
    if (c) evhttp_connection_get_peer(c, &addr, &port);
    uint64_t h = 1469598103934665603ull;
    for (const char *p = addr ? addr : ""; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return (int64_t)(h >> 1) | 1;
}

static double mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void reply_limited(sl__rq *r, unsigned wait, const char *msg)
{
    char v[16];
    snprintf(v, sizeof v, "%u", wait);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", v);
    sl__reply_error(r, 429, "rate_limited", msg, SL_NO_POS, -1, 0);
}

bool sl__session_of(sl__rq *r, sl_session *out)
{
    const char *c = header(r, "Cookie"), *v;
    size_t n;
    if (!c || !sl__cookie_find(c, strlen(c), SL_SESSION_COOKIE, &v, &n)) return false;
    sl_error err = {0};
    return sl_store_session_find(r->w->store, v, n, out, &err) == SL_OK;
}

static bool state_changing(const sl__rq *r)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    return m == EVHTTP_REQ_POST || m == EVHTTP_REQ_PUT || m == EVHTTP_REQ_DELETE ||
           m == EVHTTP_REQ_PATCH;
}

/* 403 unless a state-changing request carries the session's CSRF token from our origin. */
static bool csrf_ok(sl__rq *r, const sl_session *s)
{
    if (!state_changing(r)) return true;
    sl__csrf_result c = sl__csrf_check(header(r, "X-CSRF-Token"), s->csrf, header(r, "Origin"),
                                       header(r, "Referer"), header(r, "Host"), sl__pages_https(r));
    if (c == SL_CSRF_OK) return true;
    sl__reply_error(r, 403, "csrf",
                    c == SL_CSRF_BAD_ORIGIN
                        ? "the request does not come from this server's pages (Origin)"
                        : "a page's request must carry its X-CSRF-Token",
                    SL_NO_POS, -1, 0);
    return false;
}

int sl__session_authenticate(sl__rq *r)
{
    sl_session s;
    if (!sl__session_of(r, &s)) return 0;
    if (!csrf_ok(r, &s)) return -1;
    r->tok = s.token;
    r->via_session = true;
    return 1;
}

bool sl__public_check_admit(sl__rq *r)
{
    sl_server *s = r->w->srv;
    unsigned wait = 1;
    if (!sl__ratelimit_take(s->public_rl, peer_key(r), mono_now(), &wait)) {
        reply_limited(r, wait, "too many checks from this address; retry later");
        return false;
    }
    const char *h = header(r, "X-Sangloc-Org");
    long k = h ? sl__org_find(s, h, strlen(h)) : 0;
    if (k < 0) {
        sl__reply_error(r, 404, "not_found", "no such organization", SL_NO_POS, -1, 0);
        return false;
    }
    r->tok = (sl_token_info){0};
    r->org = s->orgs[k].conf.id;
    r->orgi = k;
    return true;
}

bool sl__token_guess_admit(sl__rq *r)
{
    unsigned wait = 1;
    if (sl__ratelimit_peek(r->w->srv->guess_rl, peer_key(r), mono_now(), &wait)) return true;
    reply_limited(r, wait, "too many wrong appeal tokens from this address; retry later");
    return false;
}

void sl__token_guess_failed(sl__rq *r)
{
    unsigned wait = 1;
    sl__ratelimit_take(r->w->srv->guess_rl, peer_key(r), mono_now(), &wait);
}

/* Set-Cookie for the session (value "" and Max-Age 0 clears it). */
static void set_cookie(sl__rq *r, const char *value, long max_age)
{
    char c[160];
    snprintf(c, sizeof c, "%s=%s; Path=/; Max-Age=%ld; HttpOnly; SameSite=Strict%s",
             SL_SESSION_COOKIE, value, max_age, sl__pages_https(r) ? "; Secure" : "");
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie", c);
}

/* {"name":..,"role":..,"org":..|null,"expires_at":MS,"csrf":..[,"orgs":[{"id","name"}]]} */
static sl_status session_json(sl__rq *r, const sl_session *s, sl_buf *b)
{
    const sl_token_info *t = &s->token;
    sl_status st = sl_buf_puts(b, "{\"name\":");
    if (!st) st = sl__json_text(b, t->name, strlen(t->name));
    if (!st) st = sl_buf_printf(b, ",\"role\":\"%s\",\"org\":", sl_role_name(t->role));
    if (!st) st = t->org[0] ? sl__json_text(b, t->org, strlen(t->org)) : sl_buf_puts(b, "null");
    if (!st)
        st =
            sl_buf_printf(b, ",\"expires_at\":%" PRId64 ",\"csrf\":\"%s\"", s->expires_at, s->csrf);
    /* a global token picks the org it acts for: the orgs the server serves */
    sl_server *srv = r->w->srv;
    if (!st && !t->org[0]) {
        st = sl_buf_puts(b, ",\"orgs\":[");
        for (size_t k = 0; k < srv->norgs && !st; k++) {
            const sl__org_conf *o = &srv->orgs[k].conf;
            st = sl_buf_puts(b, k ? ",{\"id\":" : "{\"id\":");
            if (!st) st = sl__json_text(b, o->id, strlen(o->id));
            if (!st) st = sl_buf_puts(b, ",\"name\":");
            const char *name = o->name ? o->name : o->id;
            if (!st) st = sl__json_text(b, name, strlen(name));
            if (!st) st = sl_buf_puts(b, "}");
        }
        if (!st) st = sl_buf_puts(b, "]");
    }
    if (!st) st = sl_buf_puts(b, "}");
    return st;
}

void sl__route_login(sl__rq *r)
{
    sl_server *srv = r->w->srv;
    sl__pages_security_headers(r);
    /* login CSRF: a form posted from another site must not log the browser in */
    const char *origin = header(r, "Origin");
    if (origin &&
        !sl__same_origin(origin, strlen(origin), false, header(r, "Host"), sl__pages_https(r))) {
        sl__reply_error(r, 403, "csrf", "the request does not come from this server's pages",
                        SL_NO_POS, -1, 0);
        return;
    }
    const char *ct = header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) ||
        (ct[33] && ct[33] != ';')) {
        sl__reply_error(r, 415, "unsupported_media_type",
                        "send Content-Type: application/x-www-form-urlencoded", SL_NO_POS, -1, 0);
        return;
    }
    int64_t who = peer_key(r);
    double now = mono_now();
    unsigned wait = 1;
    if (!sl__ratelimit_peek(srv->login_rl, who, now, &wait)) {
        reply_limited(r, wait, "too many failed logins from this address; retry later");
        return;
    }
    struct evbuffer *in = evhttp_request_get_input_buffer(r->req);
    size_t len = evbuffer_get_length(in);
    const char *body = len && len <= 4096 ? (const char *)evbuffer_pullup(in, -1) : NULL;
    sl_buf tok = {.max = 256};
    sl_error err = {0};
    sl_token_info info;
    sl_status st = body ? sl__form_field(body, len, "token", 128, &tok, &err) : SL_ERR_ARG;
    if (!st) st = sl_store_token_lookup(r->w->store, tok.data, tok.len, &info, &err);
    sl_buf_free(&tok);
    if (st == SL_ERR_BUSY || st == SL_ERR_STORE || st == SL_ERR_NOMEM) {
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), "try again",
                        SL_NO_POS, -1, 0);
        return;
    }
    if (st) {
        /* one message for every bad token: malformed, unknown, revoked */
        sl__ratelimit_take(srv->login_rl, who, now, &wait);
        sl__reply_error(r, 401, "unauthorized", "this token was not accepted", SL_NO_POS, -1, 0);
        return;
    }
    char id[SL_SESSION_ID_SIZE];
    sl_session s;
    int64_t life = (int64_t)srv->opt.session_hours * 3600 * 1000;
    st = sl_store_session_create(r->w->store, info.id, life, id, &s, &err);
    if (st) {
        sl__reply_error(r,
                        st == SL_ERR_BUSY   ? 503
                        : st == SL_ERR_AUTH ? 401
                                            : 500,
                        sl_status_name(st), err.message, SL_NO_POS, -1, 0);
        return;
    }
    set_cookie(r, id, (long)(life / 1000));
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    if (session_json(r, &s, b)) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    sl__reply(r, 200, b->data, b->len);
}

void sl__route_logout(sl__rq *r)
{
    sl__pages_security_headers(r);
    const char *c = header(r, "Cookie"), *v;
    size_t n;
    sl_session s;
    if (!c || !sl__cookie_find(c, strlen(c), SL_SESSION_COOKIE, &v, &n) ||
        sl_store_session_find(r->w->store, v, n, &s, &(sl_error){0})) {
        set_cookie(r, "", 0);
        sl__reply_error(r, 401, "unauthorized", "no session", SL_NO_POS, -1, 0);
        return;
    }
    if (!csrf_ok(r, &s)) return;
    sl_error err = {0};
    sl_status st = sl_store_session_end(r->w->store, v, n, &err);
    if (st && st != SL_ERR_AUTH) {
        sl__reply_error(r, st == SL_ERR_BUSY ? 503 : 500, sl_status_name(st), err.message,
                        SL_NO_POS, -1, 0);
        return;
    }
    set_cookie(r, "", 0);
    static const char ok[] = "{\"ok\":true}";
    sl__reply(r, 200, ok, sizeof ok - 1);
}

void sl__route_session(sl__rq *r)
{
    sl__pages_security_headers(r);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    sl_session s;
    if (!sl__session_of(r, &s)) {
        sl__reply_error(r, 401, "unauthorized", "no session", SL_NO_POS, -1, 0);
        return;
    }
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    if (session_json(r, &s, b)) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    sl__reply(r, 200, b->data, b->len);
}
