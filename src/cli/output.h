/* cli/output.h — what every sangloc subcommand shares about talking to people: showing outside
 * text safely on a terminal, error messages of one shape, option values checked the same way,
 * colour choice, and a failed write of the output reported instead of lost. */
#ifndef SL_CLI_OUTPUT_H
#define SL_CLI_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sangloc/buf.h"

/* Appends s[0, len) for a human reader: every character that can act on a terminal or reorder
 * what is shown becomes a visible escape — C0 controls and DEL (\n \r \t \x1b ...), C1 controls
 * U+0080..U+009F (\u0085), the bidirectional controls U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069 and the separators U+2028, U+2029 (\u202e), and bytes that are not UTF-8
 * (\xff). Everything else, Vietnamese included, is copied as it is. */
sl_status sl__cli_put_visible(sl_buf *b, const char *s, size_t len);

/* The same, written to a stream. */
void sl__cli_fput_visible(FILE *f, const char *s, size_t len);

/* Appends "PATH:LINE: MESSAGE" ("PATH: MESSAGE" when line is 0, "MESSAGE" when path is NULL),
 * all made visible. The path is said once: a message that already starts with "PATH: " or says
 * " PATH:" (as "cannot open PATH: ...") has that copy removed. */
void sl__cli_put_located(sl_buf *b, const char *path, size_t line, const char *message);

/* Prints "sangloc CMD: PATH:LINE: MESSAGE" on stderr, the one shape of every error message
 * (cmd NULL: "sangloc: ..."; path NULL and line 0 drop their parts). printf-style. */
void sl__cli_error(const char *cmd, const char *path, size_t line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Reports a bad command line ("sangloc CMD: MESSAGE"), prints the usage on stderr, returns 2. */
int sl__cli_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* After getopt_long (optstring starting with ':') returned '?' or ':': reports the unknown
 * option or the missing value, prints the usage on stderr, returns 2. */
int sl__cli_getopt_error(const char *cmd, void (*usage)(FILE *), int c, char **argv);

/* Option values. Each accepts the whole string only (no sign, no spaces, no trailing text) in
 * [min, max]; otherwise it prints "sangloc CMD: OPT: 'TEXT' is not a number between MIN and MAX"
 * and returns false. */
bool sl__cli_parse_uint(const char *cmd, const char *opt, const char *text, unsigned long long min,
                        unsigned long long max, unsigned long long *out);
bool sl__cli_parse_real(const char *cmd, const char *opt, const char *text, double min, double max,
                        double *out);

/* --color WHEN: always (1), never (0) or auto (-1); anything else is reported, false. */
bool sl__cli_parse_color(const char *cmd, const char *text, int *when);

/* Whether to colour output going to fd: always/never as asked; auto colours a terminal unless
 * the NO_COLOR environment variable is set and not empty (https://no-color.org). */
bool sl__cli_use_color(int when, int fd);

/* True once a write to standard output has failed (remembering the reason for
 * sl__cli_finish_output), so a long run can stop instead of screening into a full disk. */
bool sl__cli_output_failed(void);

/* Flushes standard output and checks that every write to it succeeded. On a failed write prints
 * "sangloc CMD: standard output: write error: REASON" and returns 2; otherwise returns status.
 * main() calls it after every subcommand, so no command can lose its output silently; a
 * subcommand should not flush stdout itself at its end (the reason of a failure would be lost). */
int sl__cli_finish_output(const char *cmd, int status);

#endif
