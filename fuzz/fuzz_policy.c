/* Fuzz target: the policy parser and linter on arbitrary bytes. Relative file names resolve in
 * the test fixtures, so inputs can cite real lexicons. Load and lint must agree (a policy loads
 * exactly when lint finds no problem), every problem must carry a line inside the input, and a
 * loaded policy's patterns must compile or fail cleanly. */
#include <stdlib.h>
#include <string.h>

#include "sangloc/matcher.h"
#include "sangloc/policy.h"

#define FIXTURES SL_SOURCE_DIR "/tests/fixtures/policies"

typedef struct lint_state {
    size_t problems, lines;
} lint_state;

static void count(const sl_error *err, void *ctx)
{
    lint_state *s = ctx;
    s->problems++;
    if (err->line > s->lines) abort(); /* a line past the end of the input */
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    const char *text = (const char *)data;
    lint_state ls = {0, 1};
    for (size_t i = 0; i < size; i++) /* an upper bound: every byte that may end a line */
        ls.lines += text[i] == '\n' || text[i] == '\r' || (unsigned char)text[i] >= 0x85;
    sl_policy *p = NULL;
    sl_error err = {0};
    sl_status st = sl_policy_parse_buffer(text, size, FIXTURES, "fuzz", &p, &err);
    sl_status lint = sl_policy_lint_buffer(text, size, FIXTURES, count, &ls);
    if ((st == SL_OK) != (lint == SL_OK) || (lint == SL_OK) != (ls.problems == 0)) abort();
    if (st != SL_OK) {
        if (p || err.line > ls.lines || (err.byte != SL_NO_POS && err.byte > size)) abort();
        return 0;
    }
    sl_matcher *m = NULL;
    if (sl_rules_build_matcher(p, "", &m, &err) == SL_OK) sl_matcher_free(m);
    sl_policy_free(p);
    return 0;
}
