/* server/pages.h — the pages served by `sangloc serve` (internal; docs/pages.md): their files
 * (assets.c), sessions (session.c) and the page shell and table (pages.c). */
#ifndef SL_SERVER_PAGES_H
#define SL_SERVER_PAGES_H

#include <stdbool.h>

#include "server/internal.h"

/* Answers the request when its path is one of the pages' (/, /login, /logout, /session,
 * /assets/..., a page of the table in pages.c): true when it did. Called before the API's
 * routes. */
bool sl__pages_handle(sl__rq *r);

/* Adds the security headers every page and asset carries (CSP, nosniff, no referrer, no
 * framing). */
void sl__pages_security_headers(sl__rq *r);

/* ---- session.c ---- */

/* Failed logins a minute per address, and anonymous draft checks (--public-check). */
#define SL_LOGIN_FAILS_PER_MIN   10
#define SL_PUBLIC_CHECKS_PER_MIN 60
/* Wrong appeal tokens a minute per address (POST /v1/appeals, GET /v1/notices/{id}?token=) */
#define SL_TOKEN_GUESSES_PER_MIN 30
#define SL_SESSION_COOKIE        "sl_session"

/* Makes the per-address limiters of logins and public checks (server start). */
sl_status sl__session_init(sl_server *s, sl_error *err);
void sl__session_free(sl_server *s);

/* A request without an Authorization header, by its session cookie: 1 authenticated (r->tok
 * set, r->via_session; a state-changing method passed the CSRF check), 0 no live session
 * (nothing replied), -1 refused (403 replied). */
int sl__session_authenticate(sl__rq *r);

/* The live session of the request's cookie into *out; false when none. */
bool sl__session_of(sl__rq *r, sl_session *out);

/* An anonymous POST /v1/check when --public-check is on: admits it (per-address limit, the org
 * of X-Sangloc-Org among the configured ones, or the first) or replies 429/404 and returns false.
 */
bool sl__public_check_admit(sl__rq *r);
/* The routes whose credential is an appeal token rather than a Bearer token or a session:
 * false (429 replied) while the address is over its wrong tokens a minute; a wrong token counts
 * with sl__token_guess_failed(). The tokens are 256-bit, so this bounds the work a guesser
 * costs the server rather than the odds of a guess. */
bool sl__token_guess_admit(sl__rq *r);
void sl__token_guess_failed(sl__rq *r);

/* The request's own origin is https (--secure-cookies). */
bool sl__pages_https(const sl__rq *r);

void sl__route_login(sl__rq *r);   /* POST /login */
void sl__route_logout(sl__rq *r);  /* POST /logout */
void sl__route_session(sl__rq *r); /* GET /session */

#endif
