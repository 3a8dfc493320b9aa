/* cli/cmd_train.c — `sangloc train`: builds a model file from JSON-lines data named on the
 * command line. Every file is read with the shared line reader; a bad line is reported with its
 * file, line and byte and skipped, so one broken record never loses a training run. The data
 * sets' names and licences go into the model header (known data sets are recognised by their
 * folder name; --source NAME=LICENCE names any other). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "sangloc/model.h"

#define MAX_FILES 32
#define MAX_SPANS 1024

typedef struct train_file {
    const char *path;
    sl_train_task task;
    int dev;
} train_file;

static const struct known {
    const char *folder, *name, *licence;
} known_sets[] = {
    {"vihsd", "ViHSD", "research only"},
    {"vlsp2019", "VLSP2019 hate speech", "research only"},
    {"vihos", "ViHOS", "MIT"},
    {"victsd", "UIT-ViCTSD", "research only"},
};

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sangloc train [--classify FILE]... [--dev FILE]... [--spans FILE]...\n"
            "                     [--spans-dev FILE]... [--constructive FILE]...\n"
            "                     [--constructive-dev FILE]... -o MODEL [options]\n"
            "  --classify FILE        JSON lines {text, label: clean|offensive|hate}\n"
            "  --spans FILE           JSON lines {text, spans: [[start,end),...]} (UTF-8 bytes)\n"
            "  --constructive FILE    JSON lines {text, constructive: 0|1, toxic: 0|1}\n"
            "  --source NAME=LICENCE  name a data set that is not recognised by its folder\n"
            "  --epochs N --runs N --folds N --lr X --class-power X --cls-bits N --span-bits N\n"
            "  --seed N --quiet\n"
            "  --no-augment           no unaccented copies of classifier texts\n"
            "  --no-ctsd-clean        no non-toxic ViCTSD texts as clean classifier examples\n");
}

static int parse_label(const cJSON *o, int *label)
{
    const cJSON *l = cJSON_GetObjectItemCaseSensitive(o, "label");
    static const char *const names[3] = {"clean", "offensive", "hate"};
    if (cJSON_IsNumber(l) && l->valueint >= 0 && l->valueint <= 2) {
        *label = l->valueint;
        return 1;
    }
    for (int i = 0; cJSON_IsString(l) && i < 3; i++)
        if (!strcmp(l->valuestring, names[i])) return *label = i, 1;
    return 0;
}

static int parse_spans(const cJSON *o, uint32_t *out, size_t *n, size_t text_len)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, "spans"), *it;
    *n = 0;
    if (!cJSON_IsArray(a)) return 0;
    cJSON_ArrayForEach(it, a)
    {
        const cJSON *s = cJSON_GetArrayItem(it, 0), *e = cJSON_GetArrayItem(it, 1);
        if (!cJSON_IsNumber(s) || !cJSON_IsNumber(e) || *n == MAX_SPANS) return 0;
        if (s->valuedouble < 0 || e->valuedouble < s->valuedouble ||
            e->valuedouble > (double)text_len)
            return 0;
        out[2 * *n] = (uint32_t)s->valuedouble;
        out[2 * *n + 1] = (uint32_t)e->valuedouble;
        (*n)++;
    }
    return 1;
}

static int parse_bit(const cJSON *o, const char *key, int *v)
{
    const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!cJSON_IsNumber(b) || (b->valueint != 0 && b->valueint != 1)) return 0;
    *v = b->valueint;
    return 1;
}

/* Adds one record; returns 0 when it was skipped (message printed). */
static int add_record(sl_trainer *t, const train_file *f, const sl_input_record *r, uint32_t *spans)
{
    int label = 0, label2 = 0, ok = 1;
    size_t nspans = 0;
    if (f->task == SL_TASK_CLASSIFY)
        ok = parse_label(r->object, &label);
    else if (f->task == SL_TASK_SPANS)
        ok = parse_spans(r->object, spans, &nspans, r->text_len);
    else
        ok = parse_bit(r->object, "constructive", &label) && parse_bit(r->object, "toxic", &label2);
    if (!ok) {
        fprintf(stderr, "sangloc train: %s:%zu: missing or invalid label fields, skipped\n",
                r->file, r->line);
        return 0;
    }
    sl_error err = {0};
    if (sl_trainer_add(t, f->task, f->dev, r->text, r->text_len, label, label2, spans, nspans,
                       &err)) {
        fprintf(stderr, "sangloc train: %s:%zu: byte %zu: %s, skipped\n", r->file, r->line,
                err.byte, err.message);
        return 0;
    }
    return 1;
}

static int read_file(sl_trainer *t, const train_file *f, uint32_t *spans)
{
    char *paths[1] = {(char *)f->path};
    sl_input in = {.paths = paths, .npaths = 1, .json_objects = true};
    sl_input_record r;
    long added = 0, skipped = 0;
    int st;
    while ((st = sl__input_next(&in, &r)) != 0) {
        if (st < 0) break;
        if (r.has_error) {
            fprintf(stderr, "sangloc train: %s:%zu: byte %zu: %s, skipped\n", r.file, r.line,
                    r.error.byte, r.error.message);
            skipped++;
            continue;
        }
        if (add_record(t, f, &r, spans))
            added++;
        else
            skipped++;
    }
    sl__input_close(&in);
    fprintf(stderr, "sangloc train: %s: %ld examples, %ld skipped\n", f->path, added, skipped);
    return st < 0 || added == 0 ? -1 : 0;
}

/* Names the data set of a file from its folder and makes it the trainer's current one. */
static void name_source(sl_trainer *t, const char *path)
{
    for (size_t i = 0; i < sizeof known_sets / sizeof known_sets[0]; i++) {
        char needle[64];
        snprintf(needle, sizeof needle, "%s/", known_sets[i].folder);
        if (strstr(path, needle)) {
            sl_trainer_add_source(t, known_sets[i].name, known_sets[i].licence);
            return;
        }
    }
}

typedef struct train_args {
    train_file files[MAX_FILES];
    int nfiles;
    const char *out;
    const char *sources[MAX_FILES];
    int nsources;
    sl_train_config cfg;
} train_args;

static int add_file(train_args *a, const char *path, sl_train_task task, int dev)
{
    if (a->nfiles == MAX_FILES) return -1;
    a->files[a->nfiles++] = (train_file){path, task, dev};
    return 0;
}

static int parse_file_opt(train_args *a, const char *opt, const char *val)
{
    static const struct {
        const char *name;
        sl_train_task task;
        int dev;
    } opts[] = {
        {"--classify", SL_TASK_CLASSIFY, 0},
        {"--dev", SL_TASK_CLASSIFY, 1},
        {"--spans", SL_TASK_SPANS, 0},
        {"--spans-dev", SL_TASK_SPANS, 1},
        {"--constructive", SL_TASK_CONSTRUCTIVE, 0},
        {"--constructive-dev", SL_TASK_CONSTRUCTIVE, 1},
    };
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
        if (!strcmp(opt, opts[i].name)) return add_file(a, val, opts[i].task, opts[i].dev) ? -1 : 1;
    return 0;
}

static int parse_num_opt(train_args *a, const char *opt, const char *val)
{
    sl_train_config *c = &a->cfg;
    if (!strcmp(opt, "--epochs"))
        c->epochs = (unsigned)atoi(val);
    else if (!strcmp(opt, "--runs"))
        c->runs = (unsigned)atoi(val);
    else if (!strcmp(opt, "--lr"))
        c->lr = (float)atof(val);
    else if (!strcmp(opt, "--class-power"))
        c->class_power = (float)atof(val);
    else if (!strcmp(opt, "--cls-class-power"))
        c->cls_class_power = (float)atof(val);
    else if (!strcmp(opt, "--label-smoothing"))
        c->label_smoothing = (float)atof(val);
    else if (!strcmp(opt, "--other-weight"))
        c->other_weight = (float)atof(val);
    else if (!strcmp(opt, "--cls-bits"))
        c->cls_bits = (unsigned)atoi(val);
    else if (!strcmp(opt, "--span-bits"))
        c->span_bits = (unsigned)atoi(val);
    else if (!strcmp(opt, "--folds"))
        c->folds = (unsigned)atoi(val);
    else if (!strcmp(opt, "--seed"))
        c->seed = strtoull(val, NULL, 10);
    else if (!strcmp(opt, "-o") || !strcmp(opt, "--output"))
        a->out = val;
    else if (!strcmp(opt, "--source") && a->nsources < MAX_FILES)
        a->sources[a->nsources++] = val;
    else
        return 0;
    return 1;
}

static int parse_args(train_args *a, int argc, char **argv)
{
    a->cfg.log = stderr;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--quiet")) {
            a->cfg.log = NULL;
            continue;
        }
        if (!strcmp(argv[i], "--no-augment") || !strcmp(argv[i], "--no-ctsd-clean")) {
            *(argv[i][5] == 'a' ? &a->cfg.no_augment : &a->cfg.no_ctsd_clean) = 1;
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
        if (i + 1 >= argc) {
            fprintf(stderr, "sangloc train: %s needs a value\n", argv[i]);
            return 2;
        }
        int r = parse_file_opt(a, argv[i], argv[i + 1]);
        if (!r) r = parse_num_opt(a, argv[i], argv[i + 1]);
        if (r <= 0) {
            fprintf(stderr, "sangloc train: bad option '%s'\n", argv[i]);
            return 2;
        }
        i++;
    }
    if (!a->out || !a->nfiles) return 2;
    return 0;
}

static int add_sources(sl_trainer *t, const train_args *a)
{
    for (int i = 0; i < a->nfiles; i++) name_source(t, a->files[i].path);
    for (int i = 0; i < a->nsources; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", a->sources[i]);
        char *eq = strchr(buf, '=');
        if (!eq) {
            fprintf(stderr, "sangloc train: --source wants NAME=LICENCE\n");
            return -1;
        }
        *eq = '\0';
        sl_trainer_add_source(t, buf, eq + 1);
    }
    return 0;
}

int sl_cmd_train(int argc, char **argv)
{
    train_args a = {0};
    int r = parse_args(&a, argc, argv);
    if (r) {
        usage(r == 1 ? stdout : stderr);
        return r == 1 ? 0 : 2;
    }
    sl_trainer *t;
    if (sl_trainer_new(&a.cfg, &t)) {
        fprintf(stderr, "sangloc train: invalid settings or out of memory\n");
        return 1;
    }
    uint32_t *spans = malloc(2 * MAX_SPANS * sizeof *spans);
    int rc = spans && !add_sources(t, &a) ? 0 : 1;
    for (int i = 0; !rc && i < a.nfiles; i++) {
        name_source(t, a.files[i].path);
        if (read_file(t, &a.files[i], spans)) rc = 1;
    }
    sl_error err = {0};
    if (!rc && sl_trainer_run(t, a.out, &err)) {
        fprintf(stderr, "sangloc train: %s\n", err.message);
        rc = 1;
    }
    if (!rc) fprintf(stderr, "sangloc train: wrote %s\n", a.out);
    free(spans);
    sl_trainer_free(t);
    return rc;
}
