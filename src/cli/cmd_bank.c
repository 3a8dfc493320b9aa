/* `sangloc bank`: build and inspect banks of known content (include/sangloc/bank.h) and match
 * posts against them, so a bank can be filled and tried before the engine loads it.
 *   add     JSON lines {id, text, source?, added?} -> the bank (bad lines reported, rest added)
 *   rm      remove items by id
 *   list    JSON lines of the live items
 *   stats   one JSON object with counts and sizes
 *   compact fold the log into a new base segment
 *   repair  drop a torn last log record and temporary files of interrupted writes
 *   match   JSON lines of posts -> one JSON object per post with its matches */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/output.h"
#include "sangloc/bank.h"
#include "sangloc/text.h"
#include "sangloc/buf.h"

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: sangloc bank add --bank FILE --kind hoax|document|spam [ITEMS.jsonl...]\n"
        "       sangloc bank rm --bank FILE ID...\n"
        "       sangloc bank list --bank FILE\n"
        "       sangloc bank stats --bank FILE\n"
        "       sangloc bank compact --bank FILE\n"
        "       sangloc bank repair --bank FILE\n"
        "       sangloc bank match --bank FILE [--min-similarity X] [POSTS.jsonl...]\n"
        "\n"
        "add reads JSON lines {\"id\", \"text\", \"source\"?, \"added\"?} (stdin when no file);\n"
        "a bad line is reported with its line number and the other lines are added. The\n"
        "bank is created when FILE does not exist. match reads JSON lines {\"id\", \"text\"}\n"
        "and prints {\"id\", \"matches\": [{\"id\", \"kind\", \"source\", \"similarity\",\n"
        "\"start\", \"end\"}]} per post (byte spans of the original text); the default\n"
        "minimum similarity is %.2f. repair drops a torn last log record (left by a crash\n"
        "in the middle of an edit; every whole record is kept) and temporary files of\n"
        "interrupted writes, and prints what it cut.\n"
        "\n"
        "Exit status: 0 fine, 1 some line had an error, 2 usage error or bank failure.\n",
        (double)SL_BANK_DEFAULT_MIN_SIMILARITY);
}

/* Fills an item from one parsed JSON line (strings point into the cJSON object). Used by
 * `bank add` and by fuzz/fuzz_bank.c. */
sl_status sl__bank_item_from_json(const cJSON *obj, sl_bank_kind kind, sl_bank_item *it,
                                  sl_error *err)
{
    memset(it, 0, sizeof *it);
    it->kind = kind;
    if (!cJSON_IsObject(obj)) return sl_error_set(err, SL_ERR_JSON, 0, "a line must be an object");
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
    const cJSON *src = cJSON_GetObjectItemCaseSensitive(obj, "source");
    const cJSON *added = cJSON_GetObjectItemCaseSensitive(obj, "added");
    if (!cJSON_IsString(id) || !id->valuestring[0])
        return sl_error_set(err, SL_ERR_MISSING_FIELD, 0,
                            "field \"id\" must be a non-empty string");
    if (!cJSON_IsString(text))
        return sl_error_set(err, SL_ERR_MISSING_FIELD, 0, "field \"text\" must be a string");
    if ((src && !cJSON_IsString(src) && !cJSON_IsNull(src)) ||
        (added && !cJSON_IsString(added) && !cJSON_IsNull(added)))
        return sl_error_set(err, SL_ERR_MISSING_FIELD, 0, "\"source\" and \"added\" are strings");
    it->id = id->valuestring, it->id_len = strlen(id->valuestring);
    it->text = text->valuestring, it->text_len = strlen(text->valuestring);
    if (cJSON_IsString(src)) it->source = src->valuestring, it->source_len = strlen(it->source);
    if (cJSON_IsString(added)) it->added = added->valuestring, it->added_len = strlen(it->added);
    return sl_bank_check_item(it, err);
}

typedef struct opts {
    const char *bank, *kind;
    float min_sim;
    char **rest;
    int nrest;
} opts;

static int parse_opts(int argc, char **argv, opts *o, const char *cmd)
{
    *o = (opts){.min_sim = SL_BANK_DEFAULT_MIN_SIMILARITY};
    o->rest = calloc((size_t)argc + 1, sizeof *o->rest);
    if (!o->rest) return 2;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            help(stdout);
            return 0;
        }
        if ((!strcmp(a, "--bank") || !strcmp(a, "--kind") || !strcmp(a, "--min-similarity")) &&
            i + 1 >= argc)
            return sl__cli_usage_error(cmd, help, "option '%s' needs a value", a);
        if (!strcmp(a, "--bank"))
            o->bank = argv[++i];
        else if (!strcmp(a, "--kind"))
            o->kind = argv[++i];
        else if (!strcmp(a, "--min-similarity")) {
            double v;
            if (!sl__cli_parse_real(cmd, a, argv[++i], 0, 1, &v)) return 2;
            o->min_sim = (float)v;
        } else if (a[0] == '-' && a[1])
            return sl__cli_usage_error(cmd, help, "unknown option '%s'", a);
        else
            o->rest[o->nrest++] = argv[i];
    }
    if (!o->bank) return sl__cli_usage_error(cmd, help, "--bank FILE is required");
    return -1;
}

/* ---- add ---- */

typedef struct pending {
    sl_bank_item *items;
    size_t *lines;
    cJSON **json;
    const char **files;
    size_t n, cap;
} pending;

static bool keep(pending *p, cJSON *json, const sl_bank_item *it, const sl_input_record *rec)
{
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 64;
        sl_bank_item *a = realloc(p->items, cap * sizeof *a);
        if (a) p->items = a;
        size_t *l = realloc(p->lines, cap * sizeof *l);
        if (l) p->lines = l;
        cJSON **j = realloc(p->json, cap * sizeof *j);
        if (j) p->json = j;
        const char **f = realloc(p->files, cap * sizeof *f);
        if (f) p->files = f;
        if (!a || !l || !j || !f) return false;
        p->cap = cap;
    }
    p->items[p->n] = *it;
    p->lines[p->n] = rec->line;
    p->json[p->n] = json;
    p->files[p->n] = rec->file;
    p->n++;
    return true;
}

static void report(const char *file, size_t line, const sl_error *e)
{
    sl__cli_error("bank add", file, line, "%s: %s", sl_status_name(e->code), e->message);
}

static int cmd_add(opts *o)
{
    sl_bank_kind kind;
    if (!o->kind || !sl_bank_kind_parse(o->kind, &kind)) {
        return sl__cli_usage_error("bank add", help, "--kind must be hoax, document or spam");
    }
    sl_input in = {.cmd = "bank add",
                   .paths = o->rest,
                   .npaths = o->nrest,
                   .max_text = SL_BANK_MAX_TEXT,
                   .json_objects = true};
    sl_input_record rec;
    pending p = {0};
    int bad = 0, r, rc = 0;
    while ((r = sl__input_next(&in, &rec)) != 0) {
        if (r < 0) {
            rc = 2;
            continue;
        }
        sl_bank_item it;
        sl_error e = rec.error;
        if (!rec.has_error && !sl__bank_item_from_json(rec.object, kind, &it, &e)) {
            /* keep the parsed object alive: the reader frees its own at the next line */
            cJSON *copy = cJSON_Duplicate(rec.object, 1);
            if (copy && !sl__bank_item_from_json(copy, kind, &it, &e) && keep(&p, copy, &it, &rec))
                continue;
            cJSON_Delete(copy);
            sl_error_set(&e, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
        }
        report(rec.file, rec.line, &e);
        bad = 1;
    }
    sl__input_close(&in);
    sl_status *stv = calloc(p.n + 1, sizeof *stv);
    sl_error *ev = calloc(p.n + 1, sizeof *ev), err = {0};
    size_t added = 0;
    sl_status st =
        stv && ev ? sl_bank_append(o->bank, p.items, p.n, stv, ev, &added, &err) : SL_ERR_NOMEM;
    for (size_t i = 0; !st && i < p.n; i++)
        if (stv[i]) report(p.files[i], p.lines[i], &ev[i]), bad = 1;
    if (st)
        sl__cli_error("bank add", o->bank, 0, "%s", err.message);
    else
        sl__cli_error("bank add", o->bank, 0, "%zu item(s) added", added);
    for (size_t i = 0; i < p.n; i++) cJSON_Delete(p.json[i]);
    free(p.items), free(p.lines), free(p.json), free(p.files), free(stv), free(ev);
    return st ? 2 : (rc ? rc : bad);
}

/* ---- rm, compact, list, stats ---- */

static int cmd_rm(opts *o)
{
    if (o->nrest == 0) {
        return sl__cli_usage_error("bank rm", help, "give at least one ID");
    }
    size_t removed = 0, missing = 0;
    sl_error err = {0};
    sl_status st = sl_bank_remove(o->bank, (const char *const *)o->rest, (size_t)o->nrest, &removed,
                                  &missing, &err);
    if (st) {
        sl__cli_error("bank rm", o->bank, 0, "%s", err.message);
        return 2;
    }
    sl__cli_error("bank rm", o->bank, 0, "%zu removed, %zu not found", removed, missing);
    return missing ? 1 : 0;
}

static int cmd_compact(opts *o)
{
    sl_error err = {0};
    if (sl_bank_compact(o->bank, &err)) {
        sl__cli_error("bank compact", o->bank, 0, "%s", err.message);
        return 2;
    }
    return 0;
}

static int cmd_repair(opts *o)
{
    sl_error err = {0};
    sl_bank_repair_report r;
    sl_status st = sl_bank_repair(o->bank, &r, &err);
    if (r.temps_removed)
        fprintf(stderr,
                "sangloc bank repair: %zu temporary file(s) of interrupted writes removed\n",
                r.temps_removed);
    if (st) {
        fprintf(stderr, "sangloc bank repair: %s\n", err.message);
        return 2;
    }
    if (r.cut_bytes)
        printf("%s: cut a torn last record of %zu byte(s) at byte %zu; %zu whole log record(s) "
               "kept\n",
               o->bank, r.cut_bytes, r.cut_at, r.records_kept);
    else
        printf("%s: nothing to cut; %zu whole log record(s)\n", o->bank, r.records_kept);
    return 0;
}

static sl_bank *open_or_complain(const char *path)
{
    sl_bank *b = NULL;
    sl_error err = {0};
    if (sl_bank_open(path, &b, &err)) {
        sl__cli_error("bank", path, 0, "%s (%s)", err.message, sl_status_name(err.code));
        return NULL;
    }
    return b;
}

static void put_field(sl_buf *out, const char *name, const char *s, size_t len)
{
    sl_buf_printf(out, ",\"%s\":", name);
    sl_buf_json_string(out, s, len);
}

static int cmd_list(opts *o)
{
    sl_bank *b = open_or_complain(o->bank);
    if (!b) return 2;
    sl_buf out = {0};
    sl_bank_item it;
    for (size_t cur = 0; sl_bank_next(b, &cur, &it);) {
        sl_buf_clear(&out);
        sl_buf_puts(&out, "{\"id\":");
        sl_buf_json_string(&out, it.id, it.id_len);
        sl_buf_printf(&out, ",\"kind\":\"%s\"", sl_bank_kind_name(it.kind));
        put_field(&out, "text", it.text, it.text_len);
        if (it.source_len) put_field(&out, "source", it.source, it.source_len);
        if (it.added_len) put_field(&out, "added", it.added, it.added_len);
        sl_buf_puts(&out, "}\n");
        fwrite(out.data, 1, out.len, stdout);
    }
    sl_buf_free(&out);
    sl_bank_close(b);
    return 0;
}

static int cmd_stats(opts *o)
{
    sl_bank *b = open_or_complain(o->bank);
    if (!b) return 2;
    sl_bank_stats s;
    sl_bank_get_stats(b, &s);
    printf("{\"version\":\"%s\",\"live\":%zu,\"base_items\":%zu,\"log_items\":%zu,"
           "\"removed\":%zu,\"log_records\":%zu,\"index_entries\":%zu,\"stop_df\":%zu,"
           "\"file_bytes\":%zu}\n",
           sl_bank_version(b), s.live, s.base_items, s.log_items, s.removed, s.log_records,
           s.index_entries, s.stop_df, s.file_bytes);
    sl_bank_close(b);
    return 0;
}

/* ---- match ---- */

static void put_matches(sl_buf *out, const sl_bank_match *m, size_t n)
{
    sl_buf_puts(out, ",\"matches\":[");
    for (size_t i = 0; i < n; i++) {
        sl_buf_puts(out, i ? ",{\"id\":" : "{\"id\":");
        sl_buf_json_string(out, m[i].id, strlen(m[i].id));
        sl_buf_printf(out, ",\"kind\":\"%s\"", m[i].kind);
        put_field(out, "source", m[i].source, strlen(m[i].source));
        sl_buf_printf(out,
                      ",\"similarity\":%.3f,\"start\":%u,\"end\":%u,\"shared\":%u,"
                      "\"item_shingles\":%u}",
                      (double)m[i].similarity, m[i].start, m[i].end, m[i].shared,
                      m[i].item_shingles);
    }
    sl_buf_puts(out, "]");
}

static int match_one(const sl_bank *b, sl_bank_scratch *s, sl_text *t, const sl_input_record *rec,
                     float min_sim, sl_buf *out)
{
    sl_bank_match m[16];
    size_t n = 0;
    sl_error err = rec->error;
    sl_status st =
        rec->has_error ? rec->error.code : sl_text_build(t, rec->text, rec->text_len, &err);
    if (!st) st = sl_bank_match_text(b, s, t, min_sim, m, 16, &n);
    sl_buf_clear(out);
    sl_buf_puts(out, "{");
    if (rec->id_json)
        sl_buf_printf(out, "\"id\":%s", rec->id_json);
    else
        sl_buf_printf(out, "\"line\":%zu", rec->line);
    if (st) {
        if (!rec->has_error && st != err.code)
            sl_error_set(&err, st, SL_NO_POS, "%s", sl_strerror(st));
        sl_buf_printf(out,
                      ",\"error\":{\"code\":\"%s\",\"line\":%zu,\"message\":", sl_status_name(st),
                      rec->line);
        sl_buf_json_string(out, err.message, strlen(err.message));
        sl_buf_puts(out, "}");
    } else {
        put_matches(out, m, n);
    }
    sl_buf_puts(out, "}\n");
    fwrite(out->data, 1, out->len, stdout);
    return st != SL_OK;
}

static int cmd_match(opts *o)
{
    sl_bank *b = open_or_complain(o->bank);
    if (!b) return 2;
    sl_bank_scratch *s = NULL;
    sl_text *t = sl_text_new();
    if (!t || sl_bank_scratch_new(b, &s)) {
        sl__cli_error("bank match", NULL, 0, "out of memory");
        sl_text_free(t);
        sl_bank_close(b);
        return 2;
    }
    sl_input in = {.cmd = "bank match", .paths = o->rest, .npaths = o->nrest};
    sl_input_record rec;
    sl_buf out = {0};
    int bad = 0, r;
    while ((r = sl__input_next(&in, &rec)) != 0) {
        if (r < 0)
            bad = 2;
        else if (match_one(b, s, t, &rec, o->min_sim, &out) && !bad)
            bad = 1;
    }
    sl__input_close(&in);
    sl_buf_free(&out);
    sl_bank_scratch_free(s);
    sl_text_free(t);
    sl_bank_close(b);
    return bad;
}

int sl_cmd_bank(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        help(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (argv[1][0] == '-') return sl__cli_usage_error("bank", help, "unknown option '%s'", argv[1]);
    char cmd[64]; /* "bank ACTION", the name errors go under */
    snprintf(cmd, sizeof cmd, "bank %s", argv[1]);
    opts o;
    int rc = parse_opts(argc, argv, &o, cmd);
    if (rc < 0) {
        const char *c = argv[1];
        rc = !strcmp(c, "add")       ? cmd_add(&o)
             : !strcmp(c, "rm")      ? cmd_rm(&o)
             : !strcmp(c, "list")    ? cmd_list(&o)
             : !strcmp(c, "stats")   ? cmd_stats(&o)
             : !strcmp(c, "compact") ? cmd_compact(&o)
             : !strcmp(c, "repair")  ? cmd_repair(&o)
             : !strcmp(c, "match")   ? cmd_match(&o)
                                     : -1;
        if (rc < 0) rc = sl__cli_usage_error("bank", help, "unknown action '%s'", c);
    }
    free(o.rest);
    return rc;
}
