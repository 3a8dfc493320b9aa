/* server/pages.c — the pages (docs/pages.md): their table, the HTML shell every page shares,
 * the files under /assets/ and the security headers. A page is a shell written here (language,
 * CSRF token, its stylesheet and script) whose content its script builds from the JSON API;
 * the script and styles are files of web/, compiled in (assets.c). */
#include <stdio.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "server/assets.h"
#include "server/pages.h"
#include "server/webform.h"

#define R(role) (1u << (role))

typedef enum page_access {
    PAGE_SESSION,     /* a session is needed (else: to /login); roles says whose */
    PAGE_OPEN,        /* anyone (the login page; a notice, whose link carries its token) */
    PAGE_PUBLIC_CHECK /* a session, or anyone when the server runs with --public-check */
} page_access;

typedef struct page {
    const char *path; /* the exact path, or a prefix ending in '/' (prefix true) */
    bool prefix;
    const char *name;   /* its script web/js/pages/NAME.js; <body data-page="NAME"> */
    page_access access; /* who may open it */
    unsigned roles;     /* with a session: the roles that may (R(SL_ROLE_...) bits); 0: any */
    const char *script; /* a classic script loaded before the page's module, or NULL */
} page;

/* The pages. Add one here (docs/pages.md, "How to add a page"). */
static const page pages[] = {
    {"/login", false, "login", PAGE_OPEN, 0, NULL},
    {"/check", false, "check", PAGE_PUBLIC_CHECK, 0, NULL},
    {"/notice/", true, "notice", PAGE_OPEN, 0, NULL},
    {"/review", false, "review", PAGE_SESSION,
     R(SL_ROLE_REVIEWER) | R(SL_ROLE_APPEALS) | R(SL_ROLE_ADMIN), NULL},
    {"/dashboard", false, "dashboard", PAGE_SESSION, R(SL_ROLE_AUDITOR) | R(SL_ROLE_ADMIN),
     "/assets/vendor/chart.min.js"},
};

static const char csp[] = "default-src 'self'; script-src 'self'; style-src 'self'; "
                          "img-src 'self' data:; connect-src 'self'; font-src 'self'; "
                          "object-src 'none'; base-uri 'none'; form-action 'self'; "
                          "frame-ancestors 'none'";

void sl__pages_security_headers(sl__rq *r)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Content-Security-Policy", csp);
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(h, "Referrer-Policy", "no-referrer");
    evhttp_add_header(h, "X-Frame-Options", "DENY");
    evhttp_add_header(h, "Cross-Origin-Opener-Policy", "same-origin");
}

const sl__asset *sl__asset_find(const char *path)
{
    for (size_t k = 0; k < sl__nassets; k++)
        if (!strcmp(sl__assets[k].path, path)) return &sl__assets[k];
    return NULL;
}

static void method_not_allowed(sl__rq *r, const char *allow)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Allow", allow);
    char msg[48];
    snprintf(msg, sizeof msg, "use %s", allow);
    sl__reply_error(r, 405, "method_not_allowed", msg, SL_NO_POS, -1, 0);
}

static bool is_get(const sl__rq *r)
{
    enum evhttp_cmd_type m = evhttp_request_get_command(r->req);
    return m == EVHTTP_REQ_GET || m == EVHTTP_REQ_HEAD;
}

/* GET /assets/...: the file with its ETag; 304 when the browser has it. */
static void serve_asset(sl__rq *r)
{
    r->route = SL_ROUTE_ASSET;
    sl__pages_security_headers(r);
    if (!is_get(r)) return method_not_allowed(r, "GET");
    const sl__asset *a = sl__asset_find(r->path);
    if (!a) {
        sl__reply_error(r, 404, "not_found", "no such file", SL_NO_POS, -1, 0);
        return;
    }
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "ETag", a->etag);
    /* revalidated on every use (304 when unchanged): the modules import each other by plain
       paths, so a version in the URL could not reach them after an upgrade */
    evhttp_add_header(h, "Cache-Control", "public, no-cache");
    const char *inm = evhttp_find_header(evhttp_request_get_input_headers(r->req), "If-None-Match");
    if (inm && strstr(inm, a->etag)) {
        evhttp_send_reply(r->req, 304, "Not Modified", NULL);
        return;
    }
    sl__reply_as(r, 200, a->type, (const char *)a->data, a->len);
}

static void redirect(sl__rq *r, const char *to)
{
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Location", to);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    sl__reply_as(r, 303, "text/plain; charset=utf-8", "", 0);
}

/* To the login page, coming back to this path afterwards (percent-encoded, local only). */
static void to_login(sl__rq *r)
{
    sl_buf *b = &r->w->tmp;
    sl_buf_clear(b);
    sl_status st = sl_buf_puts(b, "/login?next=");
    for (const char *p = r->path; *p && !st; p++) {
        unsigned char c = (unsigned char)*p;
        bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                     c == '/' || c == '-' || c == '_' || c == '.';
        st = plain ? sl_buf_append(b, p, 1) : sl_buf_printf(b, "%%%02X", c);
    }
    if (!st) st = sl_buf_append(b, "", 1);
    if (st) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    redirect(r, b->data);
}

/* The shell of page p: its language, CSRF token (with a session), stylesheet and scripts. */
static void serve_page(sl__rq *r, const page *p, const sl_session *s, int status)
{
    const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(r->req);
    const char *lang =
        sl__page_lang(u ? evhttp_uri_get_query(u) : NULL,
                      evhttp_find_header(evhttp_request_get_input_headers(r->req), "Cookie"));
    sl_buf *b = &r->w->out;
    sl_buf_clear(b);
    sl_status st = sl_buf_printf(b,
                                 "<!doctype html>\n<html lang=\"%s\">\n<head>\n"
                                 "<meta charset=\"utf-8\">\n"
                                 "<meta name=\"viewport\" content=\"width=device-width, "
                                 "initial-scale=1\">\n",
                                 lang);
    if (!st && s) st = sl_buf_puts(b, "<meta name=\"csrf-token\" content=\"");
    if (!st && s) st = sl__html_escape(b, s->csrf, strlen(s->csrf)); /* base64url: for safety */
    if (!st && s) st = sl_buf_puts(b, "\">\n");
    if (!st)
        st = sl_buf_puts(b, "<title>sangloc</title>\n<link rel=\"icon\" href=\"data:,\">\n"
                            "<link rel=\"stylesheet\" href=\"/assets/css/app.css\">\n");
    if (!st && p->script) st = sl_buf_printf(b, "<script src=\"%s\"></script>\n", p->script);
    if (!st)
        st = sl_buf_printf(b,
                           "<script type=\"module\" src=\"/assets/js/pages/%s.js\"></script>\n"
                           "</head>\n<body data-page=\"%s\" data-status=\"%d\"%s>\n"
                           "<noscript><p>%s</p></noscript>\n</body>\n</html>\n",
                           p->name, p->name, status, s ? " data-session=\"1\"" : "",
                           strcmp(lang, "en") ? "Trang này cần JavaScript."
                                              : "This page needs JavaScript.");
    if (st) {
        sl__reply_error(r, 500, "internal", "out of memory", SL_NO_POS, -1, 0);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Cache-Control", "no-store");
    sl__reply_as(r, status, "text/html; charset=utf-8", b->data, b->len);
}

static const page *find_page(const char *path)
{
    for (size_t k = 0; k < sizeof pages / sizeof pages[0]; k++) {
        const page *p = &pages[k];
        size_t n = strlen(p->path);
        if (p->prefix ? !strncmp(path, p->path, n) && path[n] && !strchr(path + n, '/')
                      : !strcmp(path, p->path))
            return p;
    }
    return NULL;
}

static void open_page(sl__rq *r, const page *p)
{
    r->route = SL_ROUTE_PAGE;
    sl__pages_security_headers(r);
    if (!is_get(r)) return method_not_allowed(r, "GET");
    sl_session s;
    bool has = sl__session_of(r, &s);
    if (p->access == PAGE_OPEN || (p->access == PAGE_PUBLIC_CHECK && r->w->srv->opt.public_check))
        return serve_page(r, p, has ? &s : NULL, 200);
    if (!has) return to_login(r);
    /* the page says why: its script shows a message for 403 */
    int status = !p->roles || (p->roles & R(s.token.role)) ? 200 : 403;
    serve_page(r, p, &s, status);
}

/* Where "/" leads: the page of the person's work when the server has it, else the checker. */
static const char *home(sl__rq *r)
{
    sl_session s;
    if (!sl__session_of(r, &s)) return "/check";
    sl_role role = s.token.role;
    const char *want = role == SL_ROLE_REVIEWER || role == SL_ROLE_APPEALS ? "/review"
                       : role == SL_ROLE_ADMIN || role == SL_ROLE_AUDITOR  ? "/dashboard"
                                                                           : "/check";
    return find_page(want) ? want : "/check";
}

bool sl__pages_handle(sl__rq *r)
{
    const char *path = r->path;
    if (!strncmp(path, "/assets/", 8)) {
        serve_asset(r);
        return true;
    }
    bool post = evhttp_request_get_command(r->req) == EVHTTP_REQ_POST;
    if (!strcmp(path, "/login") && post) {
        r->route = SL_ROUTE_SESSION;
        sl__route_login(r);
        return true;
    }
    if (!strcmp(path, "/logout") || !strcmp(path, "/session")) {
        r->route = SL_ROUTE_SESSION;
        bool logout = path[1] == 'l';
        if (logout != post) {
            sl__pages_security_headers(r);
            method_not_allowed(r, logout ? "POST" : "GET");
        } else if (logout) {
            sl__route_logout(r);
        } else {
            sl__route_session(r);
        }
        return true;
    }
    if (!strcmp(path, "/")) {
        r->route = SL_ROUTE_PAGE;
        sl__pages_security_headers(r);
        redirect(r, home(r));
        return true;
    }
    const page *p = find_page(path);
    if (!p) return false;
    open_page(r, p);
    return true;
}
