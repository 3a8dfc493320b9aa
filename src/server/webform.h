/* server/webform.h — the pages' parsers of outside input (internal): the Cookie header, form
 * bodies (application/x-www-form-urlencoded), the Origin / Referer check, the page language.
 * No libevent here, so that fuzz/fuzz_webform.c drives them. Every function reads only the
 * bytes it is given and allocates at most its output's limit. */
#ifndef SL_SERVER_WEBFORM_H
#define SL_SERVER_WEBFORM_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

/* The value of cookie `name` in a Cookie header (h[0, len)): *val points into h. false when
 * the cookie is absent or appears twice (a second one could be planted by a sibling domain:
 * ambiguous, so neither is used). Values may be quoted ("v"); the quotes are not returned. */
bool sl__cookie_find(const char *h, size_t len, const char *name, const char **val, size_t *vlen);

/* Decodes field `name` of a form body into out (NUL-terminated; '+' is a space, %XX a byte),
 * at most max bytes decoded. SL_ERR_NOT_FOUND when absent; SL_ERR_ARG with err->byte for a bad
 * escape, a NUL, bytes that are not UTF-8, a value over max, or the field given twice. */
sl_status sl__form_field(const char *body, size_t len, const char *name, size_t max, sl_buf *out,
                         sl_error *err);

/* Whether v (an Origin header, or a Referer URL when referer) names the origin
 * "http[s]://HOST" of this server, HOST being the request's Host header (host, compared
 * case-insensitively; scheme https when https). "null", another scheme, host or port: false. */
bool sl__same_origin(const char *v, size_t len, bool referer, const char *host, bool https);

/* The page language: "en" when the query has lang=en, or else the cookie lang is "en"; "vi"
 * otherwise (query: the URL's query string or NULL; cookie: the Cookie header or NULL). */
const char *sl__page_lang(const char *query, const char *cookie);

/* Appends s[0, len) to b with &, <, >, " and ' escaped (an HTML attribute or text). */
sl_status sl__html_escape(sl_buf *b, const char *s, size_t len);

/* The check of a state-changing request (POST, PUT, DELETE, PATCH) carried by a session
 * cookie: the X-CSRF-Token header (token, NULL when absent) must equal the session's secret
 * (compared in constant time), and the Origin header (or, without one, the Referer) must be
 * this server's (sl__same_origin). A request with neither header is refused: browsers send
 * Origin with every fetch() POST. */
typedef enum sl__csrf_result {
    SL_CSRF_OK,
    SL_CSRF_NO_TOKEN,  /* no X-CSRF-Token header */
    SL_CSRF_BAD_TOKEN, /* not the session's */
    SL_CSRF_BAD_ORIGIN /* another origin, "null", or none */
} sl__csrf_result;
sl__csrf_result sl__csrf_check(const char *token, const char *secret, const char *origin,
                               const char *referer, const char *host, bool https);

#endif
