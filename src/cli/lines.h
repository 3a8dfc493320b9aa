/* cli/lines.h — reads a file line by line, plain or xz-compressed (by the ".xz" suffix), for
 * inputs too large to hold whole (`sangloc pretrain` reads 85 MB of Wikipedia from 17 MB of
 * xz). A line longer than the limit is skipped to its end and reported as too long, so memory
 * stays bounded. */
#ifndef SL_CLI_LINES_H
#define SL_CLI_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct sl_lines sl_lines;

/* Opens path; NULL with a message in why[0, cap) when it cannot be opened. */
sl_lines *sl__lines_open(const char *path, size_t max_line, char *why, size_t cap);

/* The next line without its '\n' (NUL-terminated, valid until the next call): 1 with a line,
 * 0 at the end, -1 on a read or decompression error (message in why). *too_long is set when
 * the line was longer than the limit (then *line is empty). *lineno is the 1-based line. */
int sl__lines_next(sl_lines *r, const char **line, size_t *len, size_t *lineno, bool *too_long,
                   char *why, size_t cap);

void sl__lines_close(sl_lines *r);

#endif
