/* URL finding: "http(s)://host/path", "www.host", and bare domains with a known TLD.
 *
 * Runs on the same folded cells as the personal-data detectors, so a URL split by a zero-width
 * space still maps to exact original bytes. Bare domains are where false positives live ("v.v.",
 * "file.doc", "xong.Me"), so they need a last label from a short list of TLDs, written in lower
 * case (or the whole host in upper case), ASCII only, and a registrable label of 2+ characters;
 * a short list of link shorteners (bit.ly, t.co, ...) is accepted whatever their TLD. The host
 * of an e-mail address is not a URL. */
#include <string.h>

#include "detect/pii_internal.h"

static const char *const tlds[] = {
    "com",      "vn",     "net",   "org",     "info",   "xyz",   "top",  "link",  "me",
    "io",       "co",     "biz",   "club",    "online", "site",  "shop", "store", "app",
    "dev",      "tk",     "ml",    "ga",      "cf",     "gq",    "ru",   "cn",    "us",
    "uk",       "asia",   "live",  "vip",     "cc",     "pro",   "tv",   "ai",    "edu",
    "gov",      "mobi",   "tech",  "website", "space",  "fun",   "icu",  "cyou",  "buzz",
    "work",     "today",  "news",  "blog",    "page",   "win",   "bid",  "loan",  "click",
    "download", "stream", "gg",    "jp",      "kr",     "sg",    "th",   "kh",    "eu",
    "au",       "cloud",  "email", "world",   "one",    "store", "live", NULL};

static const char *const shorteners[] = {
    "bit.ly", "t.co",        "goo.gl",    "tinyurl.com", "is.gd",       "cutt.ly",
    "rb.gy",  "shorturl.at", "ow.ly",     "tiny.cc",     "s.id",        "v.gd",
    "t.ly",   "rebrand.ly",  "bitly.com", "shope.ee",    "s.shopee.vn", "tiki.vn",
    "fb.me",  "m.me",        "youtu.be",  "zalo.me",     NULL};

static bool ascii_host_char(const sl__cells *c, size_t i)
{
    return i < c->n && (c->fl[i] & SL__CF_ASCII) && (sl__c_alnum(c, i) || c->f[i] == '-');
}

/* Host characters after a scheme or "www.": also letters with diacritics (IDN). */
static bool idn_host_char(const sl__cells *c, size_t i)
{
    return ascii_host_char(c, i) || sl__c_alpha(c, i);
}

/* Reads dot-separated labels from cell i; returns the cell after the host and the label count;
 * *last gets the first cell of the last label, *prev of the one before it. */
static size_t read_host(const sl__cells *c, size_t i, bool idn, int *labels, size_t *last,
                        size_t *prev)
{
    *labels = 0;
    *last = *prev = i;
    size_t end = i;
    for (;;) {
        size_t s = i;
        while (idn ? idn_host_char(c, i) : ascii_host_char(c, i)) i++;
        if (i == s || c->f[s] == '-' || c->f[i - 1] == '-') break;
        (*labels)++;
        *prev = *last;
        *last = s;
        end = i;
        if (i + 1 >= c->n || c->f[i] != '.' ||
            !(idn ? idn_host_char(c, i + 1) : ascii_host_char(c, i + 1)))
            break;
        i++;
    }
    return end;
}

static bool word_is(const sl__cells *c, size_t a, size_t e, const char *w)
{
    size_t n = strlen(w);
    return e - a == n && memcmp(c->f + a, w, n) == 0;
}

static bool in_list(const sl__cells *c, size_t a, size_t e, const char *const *list)
{
    for (size_t k = 0; list[k]; k++)
        if (word_is(c, a, e, list[k])) return true;
    return false;
}

/* A bare host [a, e) with labels: is it a domain somebody meant? */
static bool bare_domain_ok(const sl__cells *c, size_t a, size_t e, int labels, size_t last,
                           size_t prev)
{
    if (labels < 2) return false;
    if (in_list(c, a, e, shorteners)) return true;
    if (!in_list(c, last, e, tlds)) return false;
    if (last - 1 - prev < 2) return false; /* registrable label: "a.co" is not meant */
    bool tld_lower = true, host_upper = true;
    for (size_t i = a; i < e; i++) {
        if (!sl__c_alpha(c, i)) continue;
        if (i >= last && !(c->fl[i] & SL__CF_LOWER)) tld_lower = false;
        if (!(c->fl[i] & SL__CF_UPPER)) host_upper = false;
    }
    return tld_lower || host_upper;
}

static bool path_char(const sl__cells *c, size_t i)
{
    if (i >= c->n) return false;
    char ch = c->f[i];
    return !(ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '<' || ch == '>' ||
             ch == '"' || ch == '`' || ch == '\\' || ch == '{' || ch == '}' || ch == '|');
}

/* Extends a URL over its port and path; trims trailing sentence punctuation. */
static size_t url_tail(const sl__cells *c, size_t e, bool any_start)
{
    if (e < c->n && c->f[e] == ':' && sl__c_digit(c, e + 1)) {
        e++;
        while (sl__c_digit(c, e)) e++;
    }
    if (e >= c->n || !(c->f[e] == '/' || (any_start && (c->f[e] == '?' || c->f[e] == '#'))))
        return e;
    int depth = 0;
    size_t j = e;
    while (path_char(c, j)) {
        if (c->f[j] == '(') depth++;
        if (c->f[j] == ')') {
            if (depth == 0) break;
            depth--;
        }
        j++;
    }
    while (j > e + 1 && strchr(".,;:!?'*", c->f[j - 1])) j--;
    return j;
}

static bool url_start_ok(const sl__cells *c, size_t i)
{
    if (i == 0) return true;
    char ch = c->f[i - 1];
    return !(sl__c_alnum(c, i - 1) || strchr(".-_@/:%+=&#~", ch));
}

static bool at_str(const sl__cells *c, size_t i, const char *s)
{
    for (; *s; s++, i++)
        if (i >= c->n || c->f[i] != *s || !(c->fl[i] & SL__CF_ASCII)) return false;
    return true;
}

/* Finds one URL starting at cell i; returns its end cell (0: none) and the host cells. */
static size_t url_at(const sl__cells *c, size_t i, size_t *hs, size_t *he)
{
    size_t h = i;
    bool marked = false;
    if (at_str(c, i, "https://")) {
        h = i + 8;
        marked = true;
    } else if (at_str(c, i, "http://")) {
        h = i + 7;
        marked = true;
    } else if (at_str(c, i, "www.")) {
        marked = true;
    }
    int labels;
    size_t last, prev;
    size_t e = read_host(c, h, marked, &labels, &last, &prev);
    if (e == h) return 0;
    if (e < c->n && (c->f[e] == '@' || c->f[e] == '_' || sl__c_alnum(c, e))) return 0;
    if (marked ? labels < 2 && !at_str(c, h, "localhost")
               : !bare_domain_ok(c, h, e, labels, last, prev))
        return 0;
    *hs = h;
    *he = e;
    return url_tail(c, e, marked);
}

/* URLs over built cells. */
static size_t urls_of_cells(const sl__cells *c, sl_url *out, size_t max)
{
    size_t found = 0;
    for (size_t i = 0; i < c->n && found < max; i++) {
        if (!(c->fl[i] & SL__CF_ASCII) || !sl__c_alnum(c, i) || !url_start_ok(c, i)) continue;
        size_t hs, he, e = url_at(c, i, &hs, &he);
        if (!e) {
            while (i + 1 < c->n && (sl__c_alnum(c, i + 1) || c->f[i + 1] == '.' ||
                                    c->f[i + 1] == '-' || c->f[i + 1] == '@'))
                i++; /* not a URL: skip the rest of this word, e-mail included */
            continue;
        }
        sl_url *u = &out[found++];
        sl__cells_span(c, i, e, &u->start, &u->end);
        sl__cells_span(c, hs, he, &u->host_start, &u->host_end);
        i = e - 1;
    }
    return found;
}

size_t sl_detect_urls(const sl_text *text, sl_url *out, size_t max)
{
    if (!text || (!out && max)) return 0;
    sl__cells c = {0};
    if (sl__cells_build(&c, sl_text_view(text, SL_VIEW_NFC))) return 0;
    size_t found = urls_of_cells(&c, out, max);
    sl__cells_free(&c);
    return found;
}

size_t sl_detect_urls_prepared(sl_detect_scratch *s, sl_url *out, size_t max)
{
    if (!s || (!out && max)) return 0;
    return urls_of_cells(&s->cells, out, max);
}
