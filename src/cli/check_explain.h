/* cli/check_explain.h — the human-readable report of `sangloc check --explain`. */
#ifndef SL_CLI_CHECK_EXPLAIN_H
#define SL_CLI_CHECK_EXPLAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "sangloc/engine.h"

/* Renders one verdict as a few lines of text: the action, the text with flagged spans
 * highlighted (ANSI colour when `color`, [[brackets]] otherwise), then one line per hit with its
 * rule, category and the policy clause it enforces. Returns a malloc'd string, or NULL. */
char *sl__explain_render(sl_scan *scan, const sl_verdict *v, const char *id_json, const char *text,
                         size_t len, bool color);

#endif
