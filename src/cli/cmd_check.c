/* sangloc check — screens posts from JSON lines (or plain lines) and prints one verdict per
 * input line, in input order.
 *
 * Threads work in batches: the main thread reads up to BATCH lines, the workers (each with its
 * own scan) take posts from a shared counter and render each verdict to its own string, and the
 * main thread prints the batch in order. Exit status is grep's: 0 all allowed, 1 something
 * flagged (or a line that could not be screened), 2 an error that stopped the run. */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/check_explain.h"
#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/input.h"
#include "sangloc/engine.h"

#define BATCH       1024
#define MAX_BANKS   16
#define MAX_THREADS 64

typedef struct post {
    char *id_json;
    char *text;
    size_t len;
    bool has_error;
    sl_error error;
    size_t line; /* 1-based input line, for errors found by the engine */
    char *out;   /* rendered verdict (JSON line or explanation) */
    bool flagged;
} post;

typedef struct options {
    const char *policy;
    const char *model;
    bool no_model;
    const char *banks[MAX_BANKS];
    size_t nbanks;
    const char *cache_dir;
    size_t max_bytes;
    int threads;
    bool explain;
    int color; /* -1 auto */
    bool plain_text;
    bool progress;
} options;

static void usage(FILE *out)
{
    fprintf(out,
            "usage: sangloc check [OPTIONS] [FILES...]\n"
            "Screens posts against a policy; prints one JSON verdict per input line.\n"
            "Input: JSON lines {\"id\": ..., \"text\": ...} from FILES or stdin.\n\n"
            "  --policy FILE     policy (default: the shipped policies/default.yaml)\n"
            "  --model FILE      model (default: the shipped models/default.slm if present)\n"
            "  --no-model        run without a model\n"
            "  --bank FILE       match against a bank of known content (repeatable)\n"
            "  --text            each input line is a text; ids are line numbers\n"
            "  -j, --jobs N      worker threads (default 1)\n"
            "  --explain         human-readable report with the spans highlighted\n"
            "  --color WHEN      auto, always or never (for --explain)\n"
            "  --max-bytes N     posts above N bytes get an error verdict (default: policy's)\n"
            "  --cache-dir DIR   where compiled pattern databases are cached\n"
            "  --no-progress     no progress bar on stderr\n"
            "Exit status: 0 all allowed, 1 something flagged, 2 an error stopped the run.\n");
}

static int parse_options(int argc, char **argv, options *o, int *first_file)
{
    enum {
        O_POLICY = 256,
        O_MODEL,
        O_NO_MODEL,
        O_BANK,
        O_TEXT,
        O_EXPLAIN,
        O_COLOR,
        O_MAX,
        O_CACHE,
        O_NO_PROGRESS
    };
    static const struct option longs[] = {{"policy", required_argument, 0, O_POLICY},
                                          {"model", required_argument, 0, O_MODEL},
                                          {"no-model", no_argument, 0, O_NO_MODEL},
                                          {"bank", required_argument, 0, O_BANK},
                                          {"text", no_argument, 0, O_TEXT},
                                          {"jobs", required_argument, 0, 'j'},
                                          {"explain", no_argument, 0, O_EXPLAIN},
                                          {"color", required_argument, 0, O_COLOR},
                                          {"max-bytes", required_argument, 0, O_MAX},
                                          {"cache-dir", required_argument, 0, O_CACHE},
                                          {"no-progress", no_argument, 0, O_NO_PROGRESS},
                                          {"help", no_argument, 0, 'h'},
                                          {0, 0, 0, 0}};
    memset(o, 0, sizeof *o);
    o->threads = 1;
    o->color = -1;
    o->progress = true;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "j:h", longs, NULL)) != -1) {
        switch (c) {
        case O_POLICY:
            o->policy = optarg;
            break;
        case O_MODEL:
            o->model = optarg;
            break;
        case O_NO_MODEL:
            o->no_model = true;
            break;
        case O_BANK:
            if (o->nbanks == MAX_BANKS) {
                fprintf(stderr, "sangloc check: at most %d banks\n", MAX_BANKS);
                return 2;
            }
            o->banks[o->nbanks++] = optarg;
            break;
        case O_TEXT:
            o->plain_text = true;
            break;
        case 'j':
            o->threads = atoi(optarg);
            if (o->threads < 1 || o->threads > MAX_THREADS) {
                fprintf(stderr, "sangloc check: -j takes 1..%d\n", MAX_THREADS);
                return 2;
            }
            break;
        case O_EXPLAIN:
            o->explain = true;
            break;
        case O_COLOR:
            o->color = !strcmp(optarg, "always") ? 1 : !strcmp(optarg, "never") ? 0 : -1;
            break;
        case O_MAX:
            o->max_bytes = strtoull(optarg, NULL, 10);
            break;
        case O_CACHE:
            o->cache_dir = optarg;
            break;
        case O_NO_PROGRESS:
            o->progress = false;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    *first_file = optind;
    return 0;
}

static void render(sl_scan *scan, const options *o, post *p)
{
    const sl_verdict *v = NULL;
    if (p->has_error) {
        v = sl_scan_error_verdict(scan, &p->error);
    } else if (sl_engine_check(sl_scan_engine(scan), scan, p->text, p->len, &v) != SL_OK) {
        sl_error err;
        sl_error_set(&err, SL_ERR_NOMEM, SL_NO_POS, "out of memory screening this post");
        v = sl_scan_error_verdict(scan, &err);
    }
    if (v->has_error && !v->error.line) {
        sl_error located = v->error;
        located.line = p->line;
        v = sl_scan_error_verdict(scan, &located);
    }
    p->flagged = v->action != SL_ACTION_ALLOW;
    if (o->explain) {
        p->out = sl__explain_render(scan, v, p->id_json, p->text, p->len, o->color == 1);
        return;
    }
    size_t n = 0;
    const char *json =
        sl_scan_verdict_json(scan, p->id_json, p->has_error ? NULL : p->text, p->len, &n);
    p->out = json ? strndup(json, n) : NULL;
}

static void free_post(post *p)
{
    free(p->id_json);
    free(p->text);
    free(p->out);
    memset(p, 0, sizeof *p);
}

static bool take_record(post *p, const sl_record *r, bool plain)
{
    memset(p, 0, sizeof *p);
    p->has_error = r->has_error;
    p->error = r->error;
    p->line = r->line;
    if (r->id_json) {
        p->id_json = strdup(r->id_json);
        if (!p->id_json) return false;
    } else if (plain) {
        /* plain text lines have no id: the line number identifies them */
        char num[32];
        snprintf(num, sizeof num, "%zu", r->line);
        p->id_json = strdup(num);
        if (!p->id_json) return false;
    }
    if (!r->has_error) {
        p->text = malloc(r->text_len + 1);
        if (!p->text) return false;
        memcpy(p->text, r->text, r->text_len);
        p->text[r->text_len] = '\0';
        p->len = r->text_len;
    }
    return true;
}

/* ---- progress ------------------------------------------------------------------------- */

typedef struct progress {
    bool on;
    off_t total;
    size_t done_posts;
    double last;
} progress;

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void progress_init(progress *pg, const options *o, char **files, int nfiles)
{
    memset(pg, 0, sizeof *pg);
    if (!o->progress || !isatty(STDERR_FILENO) || nfiles == 0) return;
    for (int i = 0; i < nfiles; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0 && S_ISREG(st.st_mode)) pg->total += st.st_size;
    }
    pg->on = pg->total > (1 << 20); /* only worth drawing for long inputs */
}

static void progress_draw(progress *pg, const sl_input *in, char **files, bool final)
{
    if (!pg->on) return;
    double t = seconds_now();
    if (!final && t - pg->last < 0.2) return;
    pg->last = t;
    off_t done = 0;
    for (int i = 0; i + 1 < in->cur && i < in->npaths; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0) done += st.st_size;
    }
    if (in->f) done += ftello(in->f);
    if (final) done = pg->total;
    int pct = pg->total ? (int)(100.0 * done / pg->total) : 100;
    int bar = pct * 30 / 100;
    fprintf(stderr, "\r[%.*s%*s] %3d%% %zu posts", bar, "##############################", 30 - bar,
            "", pct, pg->done_posts);
    if (final) fputc('\n', stderr);
}

/* ---- main loop ------------------------------------------------------------------------ */

/* Worker pool for -j N: N threads, each with its own scan, render the posts of the current
 * batch (taken one at a time from a shared counter) while the main thread reads the next batch
 * and prints the previous one, so reading, screening and writing overlap. */
typedef struct pool {
    const sl_engine *engine;
    const options *opt;
    pthread_mutex_t mu;
    pthread_cond_t work, done;
    post *posts;
    size_t n;
    atomic_size_t next;
    unsigned generation;
    int finished, nthreads;
    bool quit;
    atomic_int failed;
    pthread_t tids[MAX_THREADS];
} pool;

static void *pool_worker(void *arg)
{
    pool *pl = arg;
    sl_scan *scan = sl_scan_new(pl->engine);
    if (!scan) atomic_store(&pl->failed, 1);
    unsigned seen = 0;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (pl->generation == seen && !pl->quit) pthread_cond_wait(&pl->work, &pl->mu);
        if (pl->quit) {
            pthread_mutex_unlock(&pl->mu);
            break;
        }
        seen = pl->generation;
        pthread_mutex_unlock(&pl->mu);
        for (size_t i; scan && (i = atomic_fetch_add(&pl->next, 1)) < pl->n;)
            render(scan, pl->opt, &pl->posts[i]);
        pthread_mutex_lock(&pl->mu);
        if (++pl->finished == pl->nthreads) pthread_cond_signal(&pl->done);
        pthread_mutex_unlock(&pl->mu);
    }
    sl_scan_free(scan);
    return NULL;
}

static int pool_start(pool *pl, const sl_engine *engine, const options *o)
{
    memset(pl, 0, sizeof *pl);
    pl->engine = engine;
    pl->opt = o;
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->work, NULL);
    pthread_cond_init(&pl->done, NULL);
    for (int t = 0; t < o->threads; t++) {
        if (pthread_create(&pl->tids[t], NULL, pool_worker, pl)) break;
        pl->nthreads++;
    }
    return pl->nthreads ? 0 : -1;
}

static void pool_submit(pool *pl, post *posts, size_t n)
{
    pthread_mutex_lock(&pl->mu);
    pl->posts = posts;
    pl->n = n;
    atomic_store(&pl->next, 0);
    pl->finished = 0;
    pl->generation++;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
}

static int pool_wait(pool *pl)
{
    pthread_mutex_lock(&pl->mu);
    while (pl->finished < pl->nthreads) pthread_cond_wait(&pl->done, &pl->mu);
    pthread_mutex_unlock(&pl->mu);
    return atomic_load(&pl->failed) ? -1 : 0;
}

static void pool_stop(pool *pl)
{
    pthread_mutex_lock(&pl->mu);
    pl->quit = true;
    pthread_cond_broadcast(&pl->work);
    pthread_mutex_unlock(&pl->mu);
    for (int t = 0; t < pl->nthreads; t++) pthread_join(pl->tids[t], NULL);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->work);
    pthread_cond_destroy(&pl->done);
}

static int print_batch(post *posts, size_t n, bool *flagged)
{
    for (size_t i = 0; i < n; i++) {
        if (!posts[i].out) {
            fprintf(stderr, "sangloc check: out of memory rendering a verdict\n");
            return -1;
        }
        fputs(posts[i].out, stdout);
        fputc('\n', stdout);
        if (posts[i].flagged) *flagged = true;
        free_post(&posts[i]);
    }
    return 0;
}

/* Reads up to BATCH records into posts; returns how many. *more turns false at the end of the
 * input; *status becomes 2 for an unreadable file or exhausted memory. */
static size_t read_batch(sl_input *in, const options *o, post *posts, bool *more, int *status)
{
    size_t n = 0;
    while (n < BATCH && *more) {
        sl_record rec;
        int r = sl__input_next(in, &rec);
        if (r == 0) {
            *more = false;
        } else if (r < 0) {
            *status = 2; /* unreadable file: reported; go on with the others */
        } else if (!take_record(&posts[n++], &rec, o->plain_text)) {
            fprintf(stderr, "sangloc check: out of memory\n");
            *status = 2;
            *more = false;
        }
    }
    return n;
}

typedef struct run_state {
    sl_input in;
    post *batches[2];
    progress pg;
    char **files;
    bool flagged;
    int status;
} run_state;

static void after_batch(run_state *rs, size_t n, bool last)
{
    rs->pg.done_posts += n;
    progress_draw(&rs->pg, &rs->in, rs->files, last);
}

static int screen_serial(const sl_engine *engine, const options *o, run_state *rs)
{
    sl_scan *scan = sl_scan_new(engine);
    if (!scan) return -1;
    for (bool more = true; more;) {
        size_t n = read_batch(&rs->in, o, rs->batches[0], &more, &rs->status);
        for (size_t i = 0; i < n; i++) render(scan, o, &rs->batches[0][i]);
        if (print_batch(rs->batches[0], n, &rs->flagged)) {
            sl_scan_free(scan);
            return -1;
        }
        after_batch(rs, n, !more);
    }
    sl_scan_free(scan);
    return 0;
}

static int screen_parallel(const sl_engine *engine, const options *o, run_state *rs)
{
    pool pl;
    if (pool_start(&pl, engine, o)) return -1;
    int rc = 0;
    bool more = true;
    int cur = 0;
    size_t n = read_batch(&rs->in, o, rs->batches[cur], &more, &rs->status);
    while (n > 0) {
        pool_submit(&pl, rs->batches[cur], n);
        size_t next_n = more ? read_batch(&rs->in, o, rs->batches[1 - cur], &more, &rs->status) : 0;
        if (pool_wait(&pl) || print_batch(rs->batches[cur], n, &rs->flagged)) {
            rc = -1;
            break;
        }
        after_batch(rs, n, next_n == 0);
        cur = 1 - cur;
        n = next_n;
    }
    pool_stop(&pl);
    return rc;
}

static int screen_all(const sl_engine *engine, const options *o, char **files, int nfiles)
{
    /* the engine enforces the text limit; the reader only bounds a line's memory */
    size_t max_line = o->max_bytes > ((size_t)1 << 20) ? 6 * o->max_bytes + 1024 : 0;
    run_state rs = {.in = {.paths = files,
                           .npaths = nfiles,
                           .plain_text = o->plain_text,
                           .max_line = max_line,
                           .max_text = SIZE_MAX / 2},
                    .files = files};
    progress_init(&rs.pg, o, files, nfiles);
    rs.batches[0] = calloc(BATCH, sizeof(post));
    rs.batches[1] = calloc(BATCH, sizeof(post));
    int rc = -1;
    if (rs.batches[0] && rs.batches[1])
        rc = o->threads == 1 ? screen_serial(engine, o, &rs) : screen_parallel(engine, o, &rs);
    if (rc) {
        fprintf(stderr, "sangloc check: out of memory\n");
        rs.status = 2;
    }
    fflush(stdout);
    sl__input_close(&rs.in);
    for (int b = 0; b < 2; b++) {
        for (size_t i = 0; rs.batches[b] && i < BATCH; i++) free_post(&rs.batches[b][i]);
        free(rs.batches[b]);
    }
    if (rs.status) return rs.status;
    return rs.flagged ? 1 : 0;
}

/* Builds the engine from the options, filling in the shipped defaults. */
static sl_engine *open_engine(options *o, char **owned_policy, char **owned_model)
{
    if (!o->policy) {
        *owned_policy = sl__cli_find_default("policies/default.yaml");
        if (!*owned_policy) {
            fprintf(stderr, "sangloc: the default policy was not found; use --policy FILE\n");
            return NULL;
        }
        o->policy = *owned_policy;
    }
    if (!o->model && !o->no_model) {
        *owned_model = sl__cli_find_default("models/default.slm");
        o->model = *owned_model;
    }
    sl_engine_options eo = {.policy_path = o->policy,
                            .model_path = o->no_model ? NULL : o->model,
                            .bank_paths = o->banks,
                            .nbanks = o->nbanks,
                            .cache_dir = o->cache_dir,
                            .max_text_bytes = o->max_bytes,
                            .allow_missing_model = o->no_model};
    sl_engine *engine = NULL;
    sl_error err = {0};
    sl_status st = sl_engine_new(&eo, &engine, &err);
    if (st) {
        fprintf(stderr, "sangloc: %s", err.message[0] ? err.message : sl_strerror(st));
        if (err.line) fprintf(stderr, " (line %zu)", err.line);
        fputc('\n', stderr);
        return NULL;
    }
    const sl_policy *pol = sl_engine_policy(engine);
    for (size_t i = 0; o->no_model && i < pol->nrules; i++)
        if (pol->rules[i].kind == SL_RULE_MODEL) {
            fprintf(stderr,
                    "sangloc: warning: --no-model: the policy's model rules (first: '%s', "
                    "line %zu) never fire\n",
                    pol->rules[i].id, pol->rules[i].line);
            break;
        }
    return engine;
}

int sl_cmd_check(int argc, char **argv)
{
    options o;
    int first = 0;
    if (parse_options(argc, argv, &o, &first)) return 2;
    if (o.color < 0) o.color = isatty(STDOUT_FILENO);
    char *owned_policy = NULL, *owned_model = NULL;
    sl_engine *engine = open_engine(&o, &owned_policy, &owned_model);
    int status = 2;
    if (engine) status = screen_all(engine, &o, argv + first, argc - first);
    sl_engine_free(engine);
    free(owned_policy);
    free(owned_model);
    return status;
}
