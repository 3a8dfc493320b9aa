/* bench_serve — the service's throughput over loopback with keep-alive: single-comment
 * POST /v1/check requests/s, comments/s through batched /v1/check and through batched
 * POST /v1/items (stored), with latency percentiles; the baseline is the CLI's own rate on the
 * same comments (`sangloc check` on a file of them, one thread), run in the same process.
 *
 * It starts the server in-process (sangloc/server.h) on a free port with a fresh store in a
 * temporary folder and the shipped policy and model, makes a token in the store, then runs C
 * client threads, each with one keep-alive connection sending one request at a time.
 *
 * usage: bench_serve [--data FILE.jsonl] [--seconds S] [--clients C] [--threads N]
 *                    [--batch B] [--sangloc BIN] [--mode all|check1|checkn|items]
 * A --mode other than all runs that mode alone, without the CLI baseline (for profiling and
 * bench/soak_serve.sh). --port P --token T load a server already running on 127.0.0.1:P
 * (another process, whose memory bench/soak_serve.sh watches) instead of starting one; they
 * need a --mode other than all. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "corpus.h"
#include "sangloc/server.h"
#include "sangloc/store.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

typedef enum { M_CHECK1, M_CHECKN, M_ITEMS } mode;

typedef struct run {
    mode m;
    const corpus *c;
    uint16_t port;
    const char *token;
    int batch;
    double seconds;
    atomic_ulong requests, comments, errors;
} run;

typedef struct client {
    run *r;
    int index;
    double *lat;
    size_t nlat, caplat;
    char *json;
    size_t json_len, json_cap;
} client;

static void jput(client *c, const char *s, size_t n)
{
    if (c->json_len + n + 1 > c->json_cap) {
        c->json_cap = (c->json_len + n + 1) * 2;
        c->json = realloc(c->json, c->json_cap);
        if (!c->json) exit(2);
    }
    memcpy(c->json + c->json_len, s, n);
    c->json_len += n;
}

static void jstr(client *c, const char *s, size_t n)
{
    jput(c, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            jput(c, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            jput(c, esc, 6);
        } else {
            jput(c, s + i, 1);
        }
    }
    jput(c, "\"", 1);
}

/* The body of request number k of this client. Returns the comments it carries. */
static int build(client *c, unsigned long k)
{
    run *r = c->r;
    c->json_len = 0;
    size_t n = r->c->n;
    if (r->m == M_CHECK1) {
        size_t i = (k * 7919 + (size_t)c->index * 104729) % n;
        jput(c, "{\"text\":", 8);
        jstr(c, r->c->texts[i], r->c->lens[i]);
        jput(c, "}", 1);
        return 1;
    }
    jput(c, "{\"items\":[", 10);
    for (int j = 0; j < r->batch; j++) {
        size_t i = (k * (size_t)r->batch + (size_t)j + (size_t)c->index * 104729) % n;
        char head[160];
        int hl = r->m == M_ITEMS
                     ? snprintf(head, sizeof head,
                                "%s{\"id\":\"p%d-c%d-%lu-%d\",\"channel\":\"bench\","
                                "\"kind\":\"comment\",\"author\":\"a%zu\",\"text\":",
                                j ? "," : "", (int)getpid(), c->index, k, j, i % 1000)
                     : snprintf(head, sizeof head, "%s{\"id\":%d,\"text\":", j ? "," : "", j);
        jput(c, head, (size_t)hl);
        jstr(c, r->c->texts[i], r->c->lens[i]);
        jput(c, "}", 1);
    }
    jput(c, "]}", 2);
    return r->batch;
}

static int connect_to(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a)) return -1;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static char *find(char *hay, size_t n, const char *needle, size_t m)
{
    for (size_t i = 0; i + m <= n; i++)
        if (hay[i] == needle[0] && !memcmp(hay + i, needle, m)) return hay + i;
    return NULL;
}

/* Reads one response; true when its status is 200. buf keeps bytes across calls. */
static bool read_response(int fd, char **buf, size_t *cap, size_t *have)
{
    for (;;) {
        char *end = *have ? find(*buf, *have, "\r\n\r\n", 4) : NULL;
        if (end) {
            size_t hlen = (size_t)(end - *buf) + 4;
            const char *cl = find(*buf, hlen, "Content-Length:", 15);
            size_t blen = cl ? strtoul(cl + 15, NULL, 10) : 0;
            if (*have >= hlen + blen) {
                bool ok = *have > 12 && !memcmp(*buf + 9, "200", 3);
                memmove(*buf, *buf + hlen + blen, *have - hlen - blen);
                *have -= hlen + blen;
                return ok;
            }
        }
        if (*have + 65536 > *cap) {
            *cap = (*have + 65536) * 2;
            *buf = realloc(*buf, *cap);
            if (!*buf) exit(2);
        }
        ssize_t n = read(fd, *buf + *have, *cap - *have);
        if (n <= 0) return false;
        *have += (size_t)n;
    }
}

static void *client_main(void *arg)
{
    client *c = arg;
    run *r = c->r;
    int fd = connect_to(r->port);
    if (fd < 0) {
        atomic_fetch_add(&r->errors, 1);
        return NULL;
    }
    const char *path = r->m == M_ITEMS ? "/v1/items" : "/v1/check";
    char *req = NULL, *in = NULL;
    size_t req_cap = 0, in_cap = 0, have = 0;
    double end = now_s() + r->seconds;
    for (unsigned long k = 0;; k++) {
        double t0 = now_s();
        if (t0 >= end) break;
        int comments = build(c, k);
        size_t need = c->json_len + 512;
        if (need > req_cap) {
            req_cap = need * 2;
            req = realloc(req, req_cap);
            if (!req) exit(2);
        }
        int hl = snprintf(req, req_cap,
                          "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                          path, r->token, c->json_len);
        memcpy(req + hl, c->json, c->json_len);
        if (!write_all(fd, req, (size_t)hl + c->json_len) ||
            !read_response(fd, &in, &in_cap, &have)) {
            atomic_fetch_add(&r->errors, 1);
            break;
        }
        if (c->nlat == c->caplat) {
            c->caplat = c->caplat ? c->caplat * 2 : 4096;
            c->lat = realloc(c->lat, c->caplat * sizeof *c->lat);
            if (!c->lat) exit(2);
        }
        c->lat[c->nlat++] = now_s() - t0;
        atomic_fetch_add(&r->requests, 1);
        atomic_fetch_add(&r->comments, (unsigned long)comments);
    }
    close(fd);
    free(req);
    free(in);
    return NULL;
}

/* Resident memory of this process (server and clients), in MB; 0 when unknown. */
static double rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double mb = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmRSS:", 6)) mb = atof(line + 6) / 1024;
    if (f) fclose(f);
    return mb;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void run_mode(run *r, int nclients, const char *name)
{
    client *cs = calloc((size_t)nclients, sizeof *cs);
    pthread_t *th = calloc((size_t)nclients, sizeof *th);
    if (!cs || !th) exit(2);
    double t0 = now_s();
    for (int i = 0; i < nclients; i++) {
        cs[i] = (client){.r = r, .index = i};
        pthread_create(&th[i], NULL, client_main, &cs[i]);
    }
    size_t total = 0;
    for (int i = 0; i < nclients; i++) {
        pthread_join(th[i], NULL);
        total += cs[i].nlat;
    }
    double dt = now_s() - t0;
    double *all = malloc((total ? total : 1) * sizeof *all);
    size_t k = 0;
    for (int i = 0; i < nclients; i++) {
        memcpy(all + k, cs[i].lat, cs[i].nlat * sizeof *all);
        k += cs[i].nlat;
        free(cs[i].lat);
        free(cs[i].json);
    }
    qsort(all, total, sizeof *all, cmp_double);
    double p50 = total ? all[total / 2] : 0, p99 = total ? all[(size_t)(total * 0.99)] : 0;
    printf("%-32s %9.0f req/s %10.0f comments/s  p50 %5.2f ms  p99 %5.2f ms  errors %lu  RSS %.0f "
           "MB\n",
           name, (double)atomic_load(&r->requests) / dt, (double)atomic_load(&r->comments) / dt,
           p50 * 1e3, p99 * 1e3, atomic_load(&r->errors), rss_mb());
    free(all);
    free(cs);
    free(th);
}

/* The CLI's own rate on the same comments: `sangloc check` on a file of them, one thread. */
static void cli_baseline(const char *bin, const corpus *c, const char *dir)
{
    char path[512], cmd[1200];
    snprintf(path, sizeof path, "%s/in.jsonl", dir);
    FILE *f = fopen(path, "w");
    if (!f) return;
    client tmp = {0};
    size_t n = 0;
    for (int rep = 0; rep < 4; rep++)
        for (size_t i = 0; i < c->n; i++, n++) {
            tmp.json_len = 0;
            jstr(&tmp, c->texts[i], c->lens[i]);
            fprintf(f, "{\"id\":%zu,\"text\":%.*s}\n", n, (int)tmp.json_len, tmp.json);
        }
    free(tmp.json);
    fclose(f);
    snprintf(cmd, sizeof cmd, "'%s' check --no-progress '%s' >/dev/null", bin, path);
    double t0 = now_s();
    int rc = system(cmd);
    double dt = now_s() - t0;
    /* exit status 1 means "something flagged" */
    if (rc != -1 && WIFEXITED(rc) && WEXITSTATUS(rc) <= 1)
        printf("%-32s %9s       %10.0f comments/s   (%zu comments, one thread)\n",
               "baseline: sangloc check", "", (double)n / dt, n);
    else
        printf("baseline: sangloc check failed (%s)\n", bin);
}

int main(int argc, char **argv)
{
    const char *data = SL_SOURCE_DIR "/../shared/data/vihsd/dev.jsonl";
    const char *bin = "build/sangloc";
    double seconds = 3;
    int clients = 2, threads = 2, batch = 100;
    const char *only = "all", *ext_token = NULL;
    int ext_port = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--data"))
            data = argv[i + 1];
        else if (!strcmp(argv[i], "--seconds"))
            seconds = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--clients"))
            clients = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--batch"))
            batch = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--sangloc"))
            bin = argv[i + 1];
        else if (!strcmp(argv[i], "--mode"))
            only = argv[i + 1];
        else if (!strcmp(argv[i], "--port"))
            ext_port = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--token"))
            ext_token = argv[i + 1];
        else {
            fprintf(stderr, "bench_serve: unknown option %s\n", argv[i]);
            return 2;
        }
    }
    if (clients < 1 || clients > 256 || batch < 1 || batch > SL_SERVER_MAX_BATCH_ITEMS) return 2;
    bool all = !strcmp(only, "all");
    if (!all && strcmp(only, "check1") && strcmp(only, "checkn") && strcmp(only, "items")) {
        fprintf(stderr, "bench_serve: --mode all, check1, checkn or items\n");
        return 2;
    }
    if ((ext_port || ext_token) && (all || !ext_token || ext_port < 1 || ext_port > 65535)) {
        fprintf(stderr, "bench_serve: --port and --token go together, with a --mode\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    corpus c = {0};
    if (corpus_load(&c, data) || !c.n) {
        fprintf(stderr, "bench_serve: cannot read %s\n", data);
        return 2;
    }
    if (ext_port) { /* another process's server: load it, nothing else */
        run r = {.m = !strcmp(only, "check1")   ? M_CHECK1
                      : !strcmp(only, "checkn") ? M_CHECKN
                                                : M_ITEMS,
                 .c = &c,
                 .port = (uint16_t)ext_port,
                 .token = ext_token,
                 .batch = !strcmp(only, "check1") ? 1 : batch,
                 .seconds = seconds};
        run_mode(&r, clients, only);
        corpus_free(&c);
        return atomic_load(&r.errors) ? 1 : 0;
    }
    char dir[] = "/tmp/bench_serve.XXXXXX";
    if (!mkdtemp(dir)) return 2;
    char db[600], key[600];
    snprintf(db, sizeof db, "%s/s.db", dir);
    snprintf(key, sizeof key, "%s/s.key", dir);
    sl_store *st = NULL;
    sl_error err = {0};
    char token[SL_TOKEN_SECRET_SIZE];
    if (sl_store_open(db, NULL, &st, &err) ||
        sl_store_token_create(st, "bench", SL_ROLE_INTEGRATION, "default", token, NULL, &err)) {
        fprintf(stderr, "bench_serve: %s\n", err.message);
        return 2;
    }
    sl_store_close(st);
    sl_server_options o = {.db = db,
                           .key_file = key,
                           .engine = {.policy_path = SL_SOURCE_DIR "/policies/default.yaml",
                                      .model_path = SL_SOURCE_DIR "/models/default.slm"},
                           .threads = threads,
                           .max_body = 64u << 20};
    sl_server *srv = NULL;
    if (sl_server_new(&o, &srv, &err) || sl_server_start(srv, &err)) {
        fprintf(stderr, "bench_serve: %s\n", err.message);
        return 2;
    }
    printf("bench_serve: %zu comments from %s; server %d threads, %d keep-alive clients, %.0f s "
           "a mode, batches of %d\n",
           c.n, data, threads, clients, seconds, batch);
    printf("RSS after start: %.0f MB\n", rss_mb());
    if (all) cli_baseline(bin, &c, dir);
    run r1 = {.m = M_CHECK1,
              .c = &c,
              .port = sl_server_port(srv),
              .token = token,
              .batch = 1,
              .seconds = seconds};
    if (all || !strcmp(only, "check1")) run_mode(&r1, clients, "POST /v1/check, 1 comment");
    run r2 = r1;
    r2.m = M_CHECKN;
    r2.batch = batch;
    atomic_store(&r2.requests, 0);
    atomic_store(&r2.comments, 0);
    atomic_store(&r2.errors, 0);
    char name[64];
    snprintf(name, sizeof name, "POST /v1/check, %d a request", batch);
    if (all || !strcmp(only, "checkn")) run_mode(&r2, clients, name);
    run r3 = r2;
    r3.m = M_ITEMS;
    atomic_store(&r3.requests, 0);
    atomic_store(&r3.comments, 0);
    atomic_store(&r3.errors, 0);
    snprintf(name, sizeof name, "POST /v1/items, %d a request", batch);
    if (all || !strcmp(only, "items")) run_mode(&r3, clients, name);
    sl_server_free(srv);
    corpus_free(&c);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return 0;
}
