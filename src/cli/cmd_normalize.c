/* `sangloc normalize`: prints the views of the text layer for each input line, so people can see
 * (and tests can pin) what the detectors match against. One JSON object out per input line, in
 * order; a bad line gives an error object and the next lines go on. */
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "cli/input.h"
#include "cli/output.h"
#include "sangloc/text.h"
#include "sangloc/buf.h"

static void help(FILE *out)
{
    fprintf(
        out,
        "usage: sangloc normalize [--text] [FILES...]\n"
        "\n"
        "Reads JSON lines {\"id\": ..., \"text\": ...} (or, with --text, one plain text per\n"
        "line) from FILES or stdin and writes one JSON object per line:\n"
        "  {\"id\", \"text\", \"norm\", \"fold\", \"standard\"}   (id omitted when absent)\n"
        "A bad line gives {\"id\"?, \"error\": {\"code\", \"message\", \"line\", \"byte\"}} and\n"
        "the next lines are still processed.\n"
        "\n"
        "  norm      case-folded, whitespace collapsed, obfuscation undone, teencode expanded\n"
        "  fold      norm without diacritics\n"
        "  standard  readable standard spelling, case kept\n"
        "\n"
        "  --text    plain text lines\n"
        "  -h, --help  this help\n"
        "\n"
        "Exit status: 0 all lines fine, 1 some line had an error, 2 usage error or a file\n"
        "could not be read.\n");
}

static void put_view(sl_buf *b, const char *name, const sl_view *v)
{
    sl_buf_printf(b, ",\"%s\":", name);
    sl_buf_json_string(b, v->data, v->len);
}

static void put_error(sl_buf *b, const sl_input_record *rec, const sl_error *err)
{
    sl_buf_puts(b, "\"error\":{\"code\":");
    sl_buf_json_string(b, sl_status_name(err->code), strlen(sl_status_name(err->code)));
    sl_buf_puts(b, ",\"message\":");
    sl_buf_json_string(b, err->message, strlen(err->message));
    sl_buf_printf(b, ",\"line\":%zu,\"byte\":", rec->line);
    if (err->byte == SL_NO_POS)
        sl_buf_puts(b, "null}");
    else
        sl_buf_printf(b, "%zu}", err->byte);
}

/* Writes the output object of one record; returns 1 if it was an error. */
static int one_record(sl_text *text, const sl_input_record *rec, bool plain, sl_buf *out)
{
    sl_buf_clear(out);
    sl_buf_puts(out, "{");
    if (rec->id_json)
        sl_buf_printf(out, "\"id\":%s,", rec->id_json);
    else if (plain)
        sl_buf_printf(out, "\"id\":%zu,", rec->line); /* as `check --text` does */
    int bad = 0;
    if (rec->has_error) {
        put_error(out, rec, &rec->error);
        bad = 1;
    } else {
        sl_error err;
        if (sl_text_build(text, rec->text, rec->text_len, &err) != SL_OK) {
            put_error(out, rec, &err);
            bad = 1;
        } else {
            sl_buf_puts(out, "\"text\":");
            sl_buf_json_string(out, rec->text, rec->text_len);
            put_view(out, "norm", sl_text_view(text, SL_VIEW_NORM));
            put_view(out, "fold", sl_text_view(text, SL_VIEW_FOLD));
            put_view(out, "standard", sl_text_view(text, SL_VIEW_STANDARD));
        }
    }
    sl_buf_puts(out, "}\n");
    fwrite(out->data, 1, out->len, stdout);
    return bad;
}

int sl_cmd_normalize(int argc, char **argv)
{
    sl_input in = {.cmd = "normalize"};
    char *paths[256];
    int npaths = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            help(stdout);
            return 0;
        } else if (!strcmp(argv[i], "--text")) {
            in.plain_text = true;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return sl__cli_usage_error("normalize", help, "unknown option '%s'", argv[i]);
        } else if (npaths < (int)(sizeof paths / sizeof paths[0])) {
            paths[npaths++] = argv[i];
        } else {
            return sl__cli_usage_error("normalize", NULL, "at most %zu files",
                                       sizeof paths / sizeof paths[0]);
        }
    }
    in.paths = paths;
    in.npaths = npaths;
    sl_text *text = sl_text_new();
    if (!text) {
        sl__cli_error("normalize", NULL, 0, "out of memory");
        return 2;
    }
    sl_buf out = {0};
    sl_input_record rec;
    int status = 0, r;
    while ((r = sl__input_next(&in, &rec)) != 0) {
        if (r < 0) {
            status = 2;
            continue;
        }
        if (one_record(text, &rec, in.plain_text, &out) && status == 0) status = 1;
    }
    sl_buf_free(&out);
    sl__input_close(&in);
    sl_text_free(text);
    return status;
}
