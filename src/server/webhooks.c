/* The webhook delivery thread (server/webhooks.h): libcurl for the POSTs, the store for what
 * to send and what happened, webhook_secret.h for the signatures. */
#include "server/webhooks.h"

#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>

#include "server/internal.h"
#include "server/webhook_secret.h"

#define TICK_MS         200 /* how often new audit entries are looked for */
#define SECRETS_EVERY_S 60  /* secret files are read again at least this often */
#define TAKE_MAX        200 /* audit entries turned into deliveries at once */
#define DUE_MAX         32  /* deliveries sent, then recorded with one commit, a round */
#define CONNECT_MS      2000
#define TOTAL_MS        5000

typedef struct hook_org {
    const char *id, *url, *secret_file; /* the server's config strings */
    sl__hook_secret secret;
} hook_org;

struct sl__hooks {
    char *db, *key_file;
    int max_attempts;
    hook_org *orgs;
    size_t n;
    pthread_t thread;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool woken; /* under mu: a wake since the last wait */
    atomic_bool stop, reload;
    sl_store *store;
    CURL *curl;
    time_t secrets_at;
};

bool sl__hooks_url_ok(const char *url)
{
    if (!url || strlen(url) > SL_HOOK_MAX_URL) return false;
    const char *rest = !strncasecmp(url, "http://", 7)    ? url + 7
                       : !strncasecmp(url, "https://", 8) ? url + 8
                                                          : NULL;
    if (!rest || !*rest || *rest == '/') return false;
    for (const char *p = url; *p; p++)
        if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f) return false;
    return true;
}

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(stderr, "sangloc serve: webhooks: %s\n", msg);
}

/* Reads every org's secrets; an org whose files fail keeps the secrets it had. */
static sl_status load_secrets(sl__hooks *h, bool at_start, sl_error *err)
{
    time_t now = time(NULL);
    for (size_t k = 0; k < h->n; k++) {
        sl_error e = {0};
        sl__hook_secret s;
        if (sl__hook_secret_load(h->orgs[k].secret_file, now, at_start, &s, &e)) {
            if (at_start) {
                if (err) *err = e;
                return e.code ? e.code : SL_ERR_IO;
            }
            log_line("org %s: keeping the secret it had: %s", h->orgs[k].id, e.message);
            continue;
        }
        h->orgs[k].secret = s;
        sodium_memzero(&s, sizeof s);
    }
    h->secrets_at = now;
    return SL_OK;
}

static void global_init(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

sl_status sl__hooks_new(sl_server *s, sl__hooks **out, sl_error *err)
{
    *out = NULL;
    size_t n = 0;
    for (size_t k = 0; k < s->norgs; k++) n += s->orgs[k].conf.webhook_url != NULL;
    if (!n) return SL_OK;
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, global_init);
    sl__hooks *h = calloc(1, sizeof *h);
    if (!h) return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->cv, NULL);
    h->max_attempts =
        s->opt.webhook_attempts > 0 ? s->opt.webhook_attempts : SL_WEBHOOK_DEFAULT_ATTEMPTS;
    h->db = strdup(s->db);
    h->key_file = s->key_file ? strdup(s->key_file) : NULL;
    h->orgs = calloc(n, sizeof *h->orgs);
    h->curl = curl_easy_init();
    sl_status st = SL_OK;
    if (!h->db || (s->key_file && !h->key_file) || !h->orgs || !h->curl)
        st = sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    for (size_t k = 0; !st && k < s->norgs; k++) {
        const sl__org_conf *c = &s->orgs[k].conf;
        if (!c->webhook_url) continue;
        if (!sl__hooks_url_ok(c->webhook_url) || !c->webhook_secret_file)
            st = sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                              "organization %s: a webhook needs an http(s) URL and a secret file",
                              c->id);
        h->orgs[h->n++] = (hook_org){c->id, c->webhook_url, c->webhook_secret_file, {.cur_len = 0}};
    }
    if (!st) st = load_secrets(h, true, err);
    if (!st) {
        sl_store_options so = {.key_file = h->key_file};
        st = sl_store_open(h->db, &so, &h->store, err);
    }
    /* before the server accepts: an org's first take makes its cursor at the end of the log,
       so every change this server makes comes after it */
    for (size_t k = 0; !st && k < h->n; k++) {
        size_t entries, made;
        st = sl_store_webhook_take(h->store, h->orgs[k].id, TAKE_MAX, &entries, &made, err);
    }
    if (st) {
        sl__hooks_free(h);
        return st;
    }
    *out = h;
    return SL_OK;
}

/* ---- one delivery ------------------------------------------------------------------------- */

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/* libcurl asks this during a transfer: a stopping server abandons the request. */
static int progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    return atomic_load(&((sl__hooks *)ctx)->stop) ? 1 : 0;
}

/* POSTs one delivery and fills its outcome (why: the failure's reason); false when the server
 * is stopping and the request was abandoned (it stays due, sent again after a restart). */
static bool post(sl__hooks *h, hook_org *o, const sl_webhook_delivery *d, sl_webhook_outcome *out,
                 char why[128])
{
    time_t now = time(NULL);
    char ts[24], sig[SL_HOOK_SIG_MAX], line[SL_HOOK_SIG_MAX + 64];
    snprintf(ts, sizeof ts, "%lld", (long long)now);
    sl__hook_sign(&o->secret, now, ts, d->body, d->body_len, sig);
    struct curl_slist *hd = NULL, *t;
    const char *fixed[] = {"Content-Type: application/json",
                           "Expect:", "User-Agent: sangloc-webhooks/1"};
    for (size_t k = 0; k < 3; k++) hd = (t = curl_slist_append(hd, fixed[k])) ? t : hd;
    snprintf(line, sizeof line, "X-Sangloc-Event: %s", d->event);
    hd = (t = curl_slist_append(hd, line)) ? t : hd;
    snprintf(line, sizeof line, "X-Sangloc-Delivery: %" PRId64, d->id);
    hd = (t = curl_slist_append(hd, line)) ? t : hd;
    snprintf(line, sizeof line, "X-Sangloc-Timestamp: %s", ts);
    hd = (t = curl_slist_append(hd, line)) ? t : hd;
    snprintf(line, sizeof line, "X-Sangloc-Signature: %s", sig);
    hd = (t = curl_slist_append(hd, line)) ? t : hd;
    CURL *c = h->curl;
    curl_easy_reset(c); /* keeps the connection cache: a receiver's keep-alive is reused */
    curl_easy_setopt(c, CURLOPT_URL, o->url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)TOTAL_MS);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, d->body);
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)d->body_len);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
    CURLcode rc = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hd);
    sodium_memzero(sig, sizeof sig);
    if (rc == CURLE_ABORTED_BY_CALLBACK) return false;
    *out = (sl_webhook_outcome){.id = d->id, .status = rc == CURLE_OK ? (int)status : 0};
    out->delivered = rc == CURLE_OK && status >= 200 && status < 300;
    if (rc != CURLE_OK)
        snprintf(why, 128, "%s", curl_easy_strerror(rc));
    else
        snprintf(why, 128, "HTTP %ld", status);
    out->error = out->delivered ? NULL : why;
    return true;
}

/* New entries into deliveries, then what is due, sent and recorded with one commit (a crash
 * before it sends them again, under the same ids); true when more is due right away. A
 * receiver that does not answer at all (refused, timed out) ends the org's round, so that its
 * other deliveries do not time out one after another while other orgs wait. */
static bool serve_org(sl__hooks *h, hook_org *o)
{
    sl_error err = {0};
    size_t entries = 0, made = 0;
    for (int k = 0; k < 8 && !atomic_load(&h->stop); k++) {
        if (sl_store_webhook_take(h->store, o->id, TAKE_MAX, &entries, &made, &err)) {
            if (err.code != SL_ERR_BUSY) log_line("org %s: %s", o->id, err.message);
            break;
        }
        if (entries < TAKE_MAX) break;
    }
    sl_webhook_delivery *d = NULL;
    size_t n = 0, sent = 0;
    if (sl_store_webhook_due(h->store, o->id, DUE_MAX, &d, &n, &err)) {
        if (err.code != SL_ERR_BUSY) log_line("org %s: %s", o->id, err.message);
        return false;
    }
    sl_webhook_outcome out[DUE_MAX];
    char why[DUE_MAX][128];
    bool answered = true;
    while (sent < n && answered && !atomic_load(&h->stop) &&
           post(h, o, &d[sent], &out[sent], why[sent])) {
        answered = out[sent].status != 0;
        sent++;
    }
    if (sent && sl_store_webhook_record(h->store, out, sent, h->max_attempts, &err))
        log_line("org %s: recording %zu deliveries: %s", o->id, sent, err.message);
    else
        for (size_t k = 0; k < sent; k++) {
            if (out[k].delivered) continue;
            if (out[k].gave_up)
                log_line("org %s: delivery %" PRId64 " (%s) given up after %d attempts: %s", o->id,
                         d[k].id, d[k].event, h->max_attempts, why[k]);
            else
                log_line("org %s: delivery %" PRId64 " (%s) failed (%s), retried later", o->id,
                         d[k].id, d[k].event, why[k]);
        }
    sl_webhook_deliveries_free(d, n);
    return n == DUE_MAX && answered && sent == n;
}

static void *hooks_main(void *arg)
{
    sl__hooks *h = arg;
    while (!atomic_load(&h->stop)) {
        if (atomic_exchange(&h->reload, false) || time(NULL) - h->secrets_at >= SECRETS_EVERY_S)
            load_secrets(h, false, NULL);
        bool busy = false;
        for (size_t k = 0; k < h->n && !atomic_load(&h->stop); k++)
            busy |= serve_org(h, &h->orgs[k]);
        if (busy) continue;
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += TICK_MS * 1000000L;
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
        pthread_mutex_lock(&h->mu);
        /* a wake that came while the round ran is not lost: woken is set under the lock */
        while (!h->woken && !atomic_load(&h->stop) &&
               pthread_cond_timedwait(&h->cv, &h->mu, &until) == 0) {
        }
        h->woken = false;
        pthread_mutex_unlock(&h->mu);
    }
    return NULL;
}

sl_status sl__hooks_start(sl__hooks *h, sl_error *err)
{
    if (!h || h->started) return SL_OK;
    atomic_store(&h->stop, false);
    if (pthread_create(&h->thread, NULL, hooks_main, h))
        return sl_error_set(err, SL_ERR_INTERNAL, SL_NO_POS, "cannot start the webhook thread");
    h->started = true;
    return SL_OK;
}

static void wake(sl__hooks *h)
{
    pthread_mutex_lock(&h->mu);
    h->woken = true;
    pthread_cond_signal(&h->cv);
    pthread_mutex_unlock(&h->mu);
}

void sl__hooks_wake(sl__hooks *h)
{
    if (h) wake(h);
}

void sl__hooks_reload(sl__hooks *h)
{
    if (!h) return;
    atomic_store(&h->reload, true);
    wake(h);
}

void sl__hooks_stop(sl__hooks *h)
{
    if (!h || !h->started) return;
    atomic_store(&h->stop, true);
    wake(h);
    pthread_join(h->thread, NULL);
    h->started = false;
}

void sl__hooks_free(sl__hooks *h)
{
    if (!h) return;
    sl__hooks_stop(h);
    sl_store_close(h->store);
    if (h->curl) curl_easy_cleanup(h->curl);
    if (h->orgs) sodium_memzero(h->orgs, h->n * sizeof *h->orgs);
    free(h->orgs);
    free(h->db);
    free(h->key_file);
    pthread_cond_destroy(&h->cv);
    pthread_mutex_destroy(&h->mu);
    free(h);
}

sl_status sl__hooks_metrics(sl_store *store, const char *org, sl_buf *b)
{
    sl_webhook_stats st;
    sl_error err = {0};
    if (sl_store_webhook_stats(store, org, &st, &err)) return SL_OK; /* a busy store: left out */
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    int64_t now_ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    double age = st.oldest_pending_at ? (double)(now_ms - st.oldest_pending_at) / 1000.0 : 0;
    return sl_buf_printf(
        b,
        "# HELP sangloc_webhook_deliveries Webhook deliveries in the store, by outcome.\n"
        "# TYPE sangloc_webhook_deliveries gauge\n"
        "sangloc_webhook_deliveries{outcome=\"delivered\"} %" PRId64 "\n"
        "sangloc_webhook_deliveries{outcome=\"pending\"} %" PRId64 "\n"
        "sangloc_webhook_deliveries{outcome=\"given_up\"} %" PRId64 "\n"
        "# HELP sangloc_webhook_failed_attempts Webhook attempts that did not deliver.\n"
        "# TYPE sangloc_webhook_failed_attempts gauge\n"
        "sangloc_webhook_failed_attempts %" PRId64 "\n"
        "# HELP sangloc_webhook_oldest_pending_seconds Age of the oldest undelivered one.\n"
        "# TYPE sangloc_webhook_oldest_pending_seconds gauge\n"
        "sangloc_webhook_oldest_pending_seconds %.3f\n",
        st.delivered, st.pending, st.given_up, st.failed_attempts, age < 0 ? 0 : age);
}
