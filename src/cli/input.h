/* cli/input.h — reads posts from JSON lines (or plain text lines) in files or stdin.
 *
 * One record per input line, in order, each with its file and 1-based line number. Each JSON
 * line is parsed by the library (sangloc/record.h), so the CLI accepts and rejects exactly what
 * a server would. A bad line never stops the reader: the record comes back with `error` set
 * (code, message, byte offset within the line) and the next call reads the next line. Blank
 * lines of JSON input separate records: they are skipped (and still counted in line numbers).
 * Lines longer than max_line are skipped to their end and reported as SL_ERR_TOO_LARGE, so
 * memory stays bounded. */
#ifndef SL_CLI_INPUT_H
#define SL_CLI_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "sangloc/record.h"
#include "sangloc/status.h"

typedef struct sl_input {
    const char *cmd; /* subcommand named in error messages (NULL: none) */
    char **paths;    /* files to read in order; none means stdin ("-" also means stdin) */
    int npaths;
    bool plain_text;   /* --text: each line is a text; the id is the line number */
    bool json_objects; /* also hand over each good JSON line as a cJSON object (other fields) */
    size_t max_line;   /* bytes; 0 means 8 MiB */
    size_t max_text;   /* bytes of decoded text; 0 means 64 KiB */
    /* state */
    int cur;
    FILE *f;
    size_t line;
    char *buf;
    size_t cap;
    sl_record parsed;
    cJSON *json;
    char id[SL_RECORD_ID_MAX + 1];
} sl_input;

typedef struct sl_input_record {
    const char *file;    /* path, or "-" for stdin */
    size_t line;         /* 1-based line in that file */
    const char *id_json; /* the id as written (e.g. "\"a1\"" or "42"), or NULL when absent */
    const char *text;    /* the text (not NUL-terminated for our purposes), valid until next */
    size_t text_len;
    const sl_record *fields; /* the parsed record (channel, author, ...); NULL in plain mode */
    const cJSON *object;     /* with json_objects: the whole object; NULL otherwise */
    bool has_error;
    sl_error error; /* error.byte is an offset within the line */
} sl_input_record;

/* Returns 1 with a record, 0 at the end of all input, -1 when a file cannot be opened or read
 * (message printed to stderr; the caller decides whether to go on with the next call). */
int sl__input_next(sl_input *in, sl_input_record *rec);

/* Releases buffers and closes the current file. */
void sl__input_close(sl_input *in);

#endif
