/* cli/cmd_train.c — `sangloc train`: builds a model file from JSON-lines data named on the
 * command line. Every file is read with the shared line reader; a bad line is reported with its
 * file, line and byte and skipped, so one broken record never loses a training run. The data
 * sets' names and licences go into the model header (known data sets are recognised by their
 * folder name; --source NAME=LICENCE names any other). */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/defaults.h"
#include "cli/input.h"
#include "cli/output.h"
#include "sangloc/model.h"

#define MAX_FILES 32
#define MAX_SPANS 1024

typedef struct train_file {
    const char *path;
    sl_train_task task;
    int dev;
} train_file;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: sangloc train [--classify FILE]... [--dev FILE]... [--spans FILE]...\n"
            "                     [--spans-dev FILE]... [--constructive FILE]...\n"
            "                     [--constructive-dev FILE]... -o MODEL [options]\n"
            "Builds a model file from JSON-lines data (docs/model.md gives the command that\n"
            "builds the shipped model and how long it takes).\n"
            "  --classify FILE          JSON lines {text, label: clean|offensive|hate}\n"
            "  --dev FILE               the same, dev split (figures in the model header)\n"
            "  --spans FILE             JSON lines {text, spans: [[start,end),...]} (UTF-8 bytes)\n"
            "  --spans-dev FILE         the same, dev split (span threshold and gate)\n"
            "  --constructive FILE      JSON lines {text, constructive: 0|1, toxic: 0|1}\n"
            "  --constructive-dev FILE  the same, dev split (thresholds)\n"
            "  -o, --output MODEL       the model file to write\n"
            "  --source NAME=LICENCE    name a data set that is not recognised by its folder\n"
            "  --epochs N               upper bound on classifier epochs, 1..1000 (12)\n"
            "  --runs N                 classifier runs averaged, 1..100 (3)\n"
            "  --folds N                cross-validation folds, 1..10 (10; 1: none)\n"
            "  --lr X                   Adagrad step size (0.2)\n"
            "  --class-power X          class weight power of the binary heads and spans (0.5)\n"
            "  --cls-class-power X      class weight power of the classifier (0.3)\n"
            "  --label-smoothing X      classifier label smoothing (0.1; negative: none)\n"
            "  --other-weight X         weight of examples from other data sets (0.5)\n"
            "  --cls-bits N             log2 rows of the comment feature table, 10..24 (20)\n"
            "  --span-bits N            log2 rows of the token feature table, 10..24 (19)\n"
            "  --seed N                 shuffling seed\n"
            "  --vectors FILE           pretrained vectors (sangloc pretrain) read as features\n"
            "                           and embedded in the model\n"
            "  --vectors-for LIST       heads that read them: comment (classifier and\n"
            "                           constructive), toxic, spans (comment,toxic,spans)\n"
            "  --no-augment             no unaccented copies of classifier texts\n"
            "  --no-ctsd-clean          no non-toxic ViCTSD texts as clean classifier examples\n"
            "  --no-augment-heads       no unaccented copies of ViCTSD and ViHOS texts\n"
            "  --quiet                  no progress on stderr\n"
            "  -h, --help               this help\n"
            "Exit status: 0 model written, 1 training failed, 2 usage error.\n");
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
        sl__cli_error("train", r->file, r->line, "missing or invalid label fields, skipped");
        return 0;
    }
    sl_error err = {0};
    if (sl_trainer_add(t, f->task, f->dev, r->text, r->text_len, label, label2, spans, nspans,
                       &err)) {
        sl__cli_error("train", r->file, r->line, "byte %zu: %s, skipped", err.byte, err.message);
        return 0;
    }
    return 1;
}

static int read_file(sl_trainer *t, const train_file *f, uint32_t *spans)
{
    char *paths[1] = {(char *)f->path};
    sl_input in = {.cmd = "train", .paths = paths, .npaths = 1, .json_objects = true};
    sl_input_record r;
    long added = 0, skipped = 0;
    int st;
    while ((st = sl__input_next(&in, &r)) != 0) {
        if (st < 0) break;
        if (r.has_error) {
            sl__cli_error("train", r.file, r.line, "byte %zu: %s, skipped", r.error.byte,
                          r.error.message);
            skipped++;
            continue;
        }
        if (add_record(t, f, &r, spans))
            added++;
        else
            skipped++;
    }
    sl__input_close(&in);
    sl__cli_error("train", f->path, 0, "%ld examples, %ld skipped", added, skipped);
    return st < 0 || added == 0 ? -1 : 0;
}

/* Names the data set of a file from its folder and makes it the trainer's current one. */
static void name_source(sl_trainer *t, const char *path)
{
    const char *licence, *name = sl__cli_data_set(path, &licence);
    if (name) sl_trainer_add_source(t, name, licence);
}

typedef struct train_args {
    train_file files[MAX_FILES];
    int nfiles;
    const char *out;
    const char *sources[MAX_FILES];
    int nsources;
    const char *vectors; /* --vectors FILE */
    unsigned vec_use;
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
    for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++) {
        if (strcmp(opt, opts[i].name)) continue;
        if (!val) return -2;
        if (add_file(a, val, opts[i].task, opts[i].dev)) {
            sl__cli_usage_error("train", NULL, "at most %d data files", MAX_FILES);
            return -1;
        }
        return 1;
    }
    return 0;
}

/* Returns 1 when opt was a value option (set), 0 when unknown, -1 for a bad value (reported),
 * -2 when val is NULL (the option is the last word). */
static int parse_num_opt(train_args *a, const char *opt, const char *val)
{
    sl_train_config *c = &a->cfg;
    /* numeric settings: an unsigned or a float field each, with the range the trainer takes */
    const struct {
        const char *name;
        unsigned *u;
        float *f;
        double min, max;
    } nums[] = {
        {"--epochs", &c->epochs, NULL, 1, 1000},
        {"--runs", &c->runs, NULL, 1, 100},
        {"--folds", &c->folds, NULL, 1, 10},
        {"--cls-bits", &c->cls_bits, NULL, 10, 24},
        {"--span-bits", &c->span_bits, NULL, 10, 24},
        {"--lr", NULL, &c->lr, 1e-6, 10},
        {"--class-power", NULL, &c->class_power, 0, 4},
        {"--cls-class-power", NULL, &c->cls_class_power, 0, 4},
        {"--label-smoothing", NULL, &c->label_smoothing, -1, 0.5},
        {"--other-weight", NULL, &c->other_weight, 0, 10},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        if (strcmp(opt, nums[i].name)) continue;
        if (!val) return -2;
        unsigned long long u;
        double d;
        if (nums[i].u && !sl__cli_parse_uint("train", opt, val, (unsigned long long)nums[i].min,
                                             (unsigned long long)nums[i].max, &u))
            return -1;
        if (nums[i].f && !sl__cli_parse_real("train", opt, val, nums[i].min, nums[i].max, &d))
            return -1;
        if (nums[i].u)
            *nums[i].u = (unsigned)u;
        else
            *nums[i].f = (float)d;
        return 1;
    }
    bool other = !strcmp(opt, "--seed") || !strcmp(opt, "-o") || !strcmp(opt, "--output") ||
                 !strcmp(opt, "--source") || !strcmp(opt, "--vectors") ||
                 !strcmp(opt, "--vectors-for");
    if (other && !val) return -2;
    if (!strcmp(opt, "--seed")) {
        unsigned long long v;
        if (!sl__cli_parse_uint("train", opt, val, 0, UINT64_MAX, &v)) return -1;
        c->seed = v;
    } else if (!strcmp(opt, "-o") || !strcmp(opt, "--output"))
        a->out = val;
    else if (!strcmp(opt, "--vectors"))
        a->vectors = val;
    else if (!strcmp(opt, "--vectors-for")) {
        /* a comma-separated list of comment, toxic, spans */
        a->vec_use = 0;
        for (const char *p = val; *p;) {
            size_t n = strcspn(p, ",");
            unsigned bit = n == 7 && !strncmp(p, "comment", 7) ? SL_VEC_COMMENT
                           : n == 5 && !strncmp(p, "toxic", 5) ? SL_VEC_TOXIC
                           : n == 5 && !strncmp(p, "spans", 5) ? SL_VEC_SPANS
                                                               : 0;
            if (!bit) {
                sl__cli_usage_error("train", NULL,
                                    "--vectors-for is a list of comment, toxic and spans");
                return -1;
            }
            a->vec_use |= bit;
            p += n + (p[n] == ',');
        }
    } else
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
        if (!strcmp(argv[i], "--no-augment-heads")) {
            a->cfg.no_augment_heads = 1;
            continue;
        }
        if (!strcmp(argv[i], "--no-augment") || !strcmp(argv[i], "--no-ctsd-clean")) {
            *(argv[i][5] == 'a' ? &a->cfg.no_augment : &a->cfg.no_ctsd_clean) = 1;
            continue;
        }
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) return 1;
        const char *val = i + 1 < argc ? argv[i + 1] : NULL;
        int r = parse_file_opt(a, argv[i], val);
        if (!r) r = parse_num_opt(a, argv[i], val);
        if (r == 0) sl__cli_usage_error("train", usage, "unknown option '%s'", argv[i]);
        if (r == -2) sl__cli_usage_error("train", usage, "option '%s' needs a value", argv[i]);
        if (r <= 0) return 3; /* reported */
        i++;
    }
    if (!a->out || !a->nfiles) {
        sl__cli_usage_error("train", usage, "give -o MODEL and at least one data file");
        return 3;
    }
    return 0;
}

/* Reads the vector file into memory and gives it to the trainer; -1 when it fails (reported). */
static int add_vectors(sl_trainer *t, const train_args *a)
{
    FILE *f = fopen(a->vectors, "rb");
    long size = -1;
    if (f && !fseek(f, 0, SEEK_END)) size = ftell(f);
    if (!f || size < 0 || (unsigned long)size > SL_MODEL_MAX_BYTES || fseek(f, 0, SEEK_SET)) {
        sl__cli_error("train", a->vectors, 0, "%s",
                      f ? "not a readable file of at most 256 MB" : strerror(errno));
        if (f) fclose(f);
        return -1;
    }
    char *buf = malloc((size_t)size + 1);
    int ok = buf && fread(buf, 1, (size_t)size, f) == (size_t)size;
    fclose(f);
    sl_error err = {0};
    unsigned use = a->vec_use ? a->vec_use : SL_VEC_COMMENT | SL_VEC_TOXIC | SL_VEC_SPANS;
    if (!ok)
        sl__cli_error("train", a->vectors, 0, "cannot read the file");
    else if (sl_trainer_set_vectors(t, buf, (size_t)size, use, &err)) {
        sl__cli_error("train", a->vectors, 0, "%s", err.message);
        ok = 0;
    }
    free(buf);
    return ok ? 0 : -1;
}

static int add_sources(sl_trainer *t, const train_args *a)
{
    for (int i = 0; i < a->nfiles; i++) name_source(t, a->files[i].path);
    for (int i = 0; i < a->nsources; i++) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", a->sources[i]);
        char *eq = strchr(buf, '=');
        if (!eq) {
            sl__cli_error("train", "--source", 0, "'%s' is not NAME=LICENCE", a->sources[i]);
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
    if (r == 1) usage(stdout);
    if (r) return r == 1 ? 0 : 2; /* 3: reported with the usage */
    sl_trainer *t;
    if (sl_trainer_new(&a.cfg, &t)) {
        fprintf(stderr, "sangloc train: invalid settings or out of memory\n");
        return 1;
    }
    uint32_t *spans = malloc(2 * MAX_SPANS * sizeof *spans);
    int rc = spans && !add_sources(t, &a) && (!a.vectors || !add_vectors(t, &a)) ? 0 : 1;
    for (int i = 0; !rc && i < a.nfiles; i++) {
        name_source(t, a.files[i].path);
        if (read_file(t, &a.files[i], spans)) rc = 1;
    }
    sl_error err = {0};
    if (!rc && sl_trainer_run(t, a.out, &err)) {
        sl__cli_error("train", a.out, 0, "%s", err.message);
        rc = 1;
    }
    if (!rc) sl__cli_error("train", a.out, 0, "written");
    free(spans);
    sl_trainer_free(t);
    return rc;
}
