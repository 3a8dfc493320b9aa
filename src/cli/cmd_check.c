/* sangloc check — screens posts from JSON lines (or plain lines) and prints one verdict per
 * input line, in input order.
 *
 * Threads work in batches: the main thread reads up to BATCH lines, the library's batch pool
 * (sangloc/batch.h: workers each with its own scan) renders each verdict to its own string, and
 * the main thread prints the batch in order. Exit status is grep's: 0 all allowed, 1 something
 * flagged (or a line that could not be screened), 2 an error that stopped the run. */
#include <getopt.h>
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
#include "cli/output.h"
#include "sangloc/batch.h"
#include "sangloc/engine.h"
#include "sangloc/text.h"

#define BATCH       1024
#define MAX_BANKS   16
#define MAX_THREADS 64

/* One batch of posts: the pool's items and the copies of ids and texts they point at (the
 * reader reuses its buffers from line to line). */
typedef struct batch {
    sl_batch_item items[BATCH];
    char *ids[BATCH];
    char *texts[BATCH];
} batch;

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
            "  --color WHEN      auto, always or never (for --explain); auto colours a\n"
            "                    terminal unless NO_COLOR is set\n"
            "  --max-bytes N     posts above N bytes get an error verdict (default: policy's)\n"
            "  --cache-dir DIR   where compiled pattern databases are cached\n"
            "  --no-progress     no progress bar on stderr\n"
            "  -h, --help        this help\n"
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
    unsigned long long n = 0;
    opterr = 0; /* errors are reported below, in the shape of every other message */
    while ((c = getopt_long(argc, argv, ":j:h", longs, NULL)) != -1) {
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
            if (o->nbanks == MAX_BANKS)
                return sl__cli_usage_error("check", NULL, "at most %d banks", MAX_BANKS);
            o->banks[o->nbanks++] = optarg;
            break;
        case O_TEXT:
            o->plain_text = true;
            break;
        case 'j':
            if (!sl__cli_parse_uint("check", "--jobs", optarg, 1, MAX_THREADS, &n)) return 2;
            o->threads = (int)n;
            break;
        case O_EXPLAIN:
            o->explain = true;
            break;
        case O_COLOR:
            if (!sl__cli_parse_color("check", optarg, &o->color)) return 2;
            break;
        case O_MAX:
            if (!sl__cli_parse_uint("check", "--max-bytes", optarg, 1, SL_TEXT_MAX_BYTES, &n))
                return 2;
            o->max_bytes = (size_t)n;
            break;
        case O_CACHE:
            o->cache_dir = optarg;
            break;
        case O_NO_PROGRESS:
            o->progress = false;
            break;
        case 'h':
            usage(stdout);
            return -1; /* done: exit 0 */
        default:
            return sl__cli_getopt_error("check", usage, c, argv);
        }
    }
    *first_file = optind;
    return 0;
}

/* --explain: the pool's render callback (runs on the worker threads) */
static char *explain_item(void *ctx, sl_scan *scan, const sl_verdict *v, const sl_batch_item *it,
                          size_t *len)
{
    const options *o = ctx;
    char *out = sl__explain_render(scan, v, it->id_json, it->text, it->text_len, o->color == 1);
    *len = out ? strlen(out) : 0;
    return out;
}

static void free_post(batch *b, size_t i)
{
    free(b->ids[i]);
    free(b->texts[i]);
    sl_batch_items_clear(&b->items[i], 1);
    b->ids[i] = b->texts[i] = NULL;
    memset(&b->items[i], 0, sizeof b->items[i]);
}

static bool take_record(batch *b, size_t i, const sl_input_record *r, bool plain)
{
    sl_batch_item *p = &b->items[i];
    memset(p, 0, sizeof *p);
    p->has_error = r->has_error;
    p->error = r->error;
    p->line = r->line;
    if (r->id_json) {
        b->ids[i] = strdup(r->id_json);
        if (!b->ids[i]) return false;
    } else if (plain) {
        /* plain text lines have no id: the line number identifies them */
        char num[32];
        snprintf(num, sizeof num, "%zu", r->line);
        b->ids[i] = strdup(num);
        if (!b->ids[i]) return false;
    }
    p->id_json = b->ids[i];
    if (!r->has_error) {
        b->texts[i] = malloc(r->text_len + 1);
        if (!b->texts[i]) return false;
        memcpy(b->texts[i], r->text, r->text_len);
        b->texts[i][r->text_len] = '\0';
        p->text = b->texts[i];
        p->text_len = r->text_len;
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

static int print_batch(batch *posts, size_t n, bool *flagged)
{
    for (size_t i = 0; i < n; i++) {
        if (!posts->items[i].out) {
            fprintf(stderr, "sangloc check: out of memory rendering a verdict\n");
            return -1;
        }
        fputs(posts->items[i].out, stdout);
        fputc('\n', stdout);
        if (sl__cli_output_failed()) return -1; /* stop; main() reports the write error */
        if (posts->items[i].action != SL_ACTION_ALLOW) *flagged = true;
        free_post(posts, i);
    }
    return 0;
}

/* Reads up to BATCH records into posts; returns how many. *more turns false at the end of the
 * input; *status becomes 2 for an unreadable file or exhausted memory. */
static size_t read_batch(sl_input *in, const options *o, batch *posts, bool *more, int *status)
{
    size_t n = 0;
    while (n < BATCH && *more) {
        sl_input_record rec;
        int r = sl__input_next(in, &rec);
        if (r == 0) {
            *more = false;
        } else if (r < 0) {
            *status = 2; /* unreadable file: reported; go on with the others */
        } else if (!take_record(posts, n++, &rec, o->plain_text)) {
            fprintf(stderr, "sangloc check: out of memory\n");
            *status = 2;
            *more = false;
        }
    }
    return n;
}

typedef struct run_state {
    sl_input in;
    batch *batches[2];
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

/* The pool screens one batch while this thread reads the next and then prints the finished one
 * in input order, so reading, screening and writing overlap. With -j 1 the pool has no threads:
 * it screens inside sl_batch_wait, and the next batch is read after the print. */
static int screen_batches(const sl_engine *engine, const options *o, run_state *rs)
{
    sl_batch_options bo = {.threads = o->threads == 1 ? 0 : o->threads};
    if (o->explain) {
        bo.render = explain_item;
        bo.render_ctx = (void *)o;
    }
    sl_batch_pool *pl = NULL;
    if (sl_batch_pool_new(&bo, &pl)) return -1;
    int rc = 0;
    bool more = true;
    int cur = 0;
    size_t n = read_batch(&rs->in, o, rs->batches[cur], &more, &rs->status);
    bool ahead = bo.threads > 0; /* without threads, reading ahead would only cost memory */
    while (n > 0) {
        sl_batch_submit(pl, engine, rs->batches[cur]->items, n);
        size_t next_n = 0;
        if (ahead && more)
            next_n = read_batch(&rs->in, o, rs->batches[1 - cur], &more, &rs->status);
        if (sl_batch_wait(pl) || print_batch(rs->batches[cur], n, &rs->flagged)) {
            rc = -1;
            break;
        }
        if (!ahead && more)
            next_n = read_batch(&rs->in, o, rs->batches[1 - cur], &more, &rs->status);
        after_batch(rs, n, next_n == 0);
        cur = 1 - cur;
        n = next_n;
    }
    sl_batch_pool_free(pl);
    return rc;
}

static int screen_all(const sl_engine *engine, const options *o, char **files, int nfiles)
{
    /* the engine enforces the text limit; the reader only bounds a line's memory (a JSON
     * escape takes at most 6 bytes per byte of text; saturate rather than wrap) */
    size_t max_line = 0;
    if (o->max_bytes > ((size_t)1 << 20))
        max_line = o->max_bytes > (SIZE_MAX - 1024) / 6 ? SIZE_MAX : 6 * o->max_bytes + 1024;
    run_state rs = {.in = {.cmd = "check",
                           .paths = files,
                           .npaths = nfiles,
                           .plain_text = o->plain_text,
                           .max_line = max_line,
                           .max_text = SIZE_MAX / 2},
                    .files = files};
    progress_init(&rs.pg, o, files, nfiles);
    rs.batches[0] = calloc(1, sizeof(batch));
    rs.batches[1] = calloc(1, sizeof(batch));
    int rc = -1;
    if (rs.batches[0] && rs.batches[1]) rc = screen_batches(engine, o, &rs);
    if (rc) {
        if (!sl__cli_output_failed()) fprintf(stderr, "sangloc check: out of memory\n");
        rs.status = 2;
    }
    sl__input_close(&rs.in);
    for (int b = 0; b < 2; b++) {
        for (size_t i = 0; rs.batches[b] && i < BATCH; i++) free_post(rs.batches[b], i);
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
            sl__cli_error("check", NULL, 0, "the default policy was not found; use --policy FILE");
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
        /* name the file that failed: a model or bank error starts with its path */
        const char *path = o->policy, *msg = err.message[0] ? err.message : sl_strerror(st);
        for (size_t i = 0; i <= o->nbanks; i++) {
            const char *p = i < o->nbanks ? o->banks[i] : eo.model_path;
            size_t pl = p ? strlen(p) : 0;
            if (pl && !err.line && !strncmp(msg, p, pl) && msg[pl] == ':') path = p;
        }
        sl__cli_error("check", path, err.line, "%s", msg);
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
    int r = parse_options(argc, argv, &o, &first);
    if (r) return r < 0 ? 0 : 2;
    o.color = sl__cli_use_color(o.color, STDOUT_FILENO);
    char *owned_policy = NULL, *owned_model = NULL;
    sl_engine *engine = open_engine(&o, &owned_policy, &owned_model);
    int status = 2;
    if (engine) status = screen_all(engine, &o, argv + first, argc - first);
    sl_engine_free(engine);
    free(owned_policy);
    free(owned_model);
    return status;
}
