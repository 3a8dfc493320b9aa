/* sangloc/reload.h — a slot holding the current engine of a long-running service.
 *
 * Screening threads take the current engine with sl_engine_slot_get() (a retained reference),
 * make or keep a scan for it, and release it when done. sl_engine_slot_reload() builds a new
 * engine from the (changed) files while the old one keeps screening, then swaps it in: later
 * gets return the new engine, and the old one is freed when its last reference (a thread or a
 * scan still using it) is dropped. A reload that fails (a bad policy, a missing file) leaves the
 * current engine in place and reports why, with the policy line, in err.
 *
 * A thread that keeps a scan between posts should compare sl_engine_slot_get()'s engine with
 * sl_scan_engine(scan) and make a new scan when they differ (sl_engine_check() refuses a scan
 * of another engine with SL_ERR_ENGINE_MISMATCH).
 *
 * Thread-safety: get, reload and generation may be called from any thread at any time (reloads
 * are serialized); sl_engine_slot_free must not race with them (stop the threads first). */
#ifndef SANGLOC_RELOAD_H
#define SANGLOC_RELOAD_H

#include <stdint.h>

#include "sangloc/engine.h"

typedef struct sl_engine_slot sl_engine_slot;

/* Builds the first engine from options (copied: paths are kept for later reloads). */
sl_status sl_engine_slot_new(const sl_engine_options *options, sl_engine_slot **out, sl_error *err);

/* Frees the slot and drops its reference to the current engine (threads and scans still
 * holding it keep it alive). NULL is a no-op. */
void sl_engine_slot_free(sl_engine_slot *slot);

/* The current engine, retained: the caller releases it with sl_engine_release(). */
const sl_engine *sl_engine_slot_get(sl_engine_slot *slot);

/* Builds a new engine and swaps it in. options NULL: the options the slot was made with (the
 * same file names, re-read); otherwise they replace the slot's options when the build succeeds.
 * On failure the current engine stays and err says why (err->line: the policy line). */
sl_status sl_engine_slot_reload(sl_engine_slot *slot, const sl_engine_options *options,
                                sl_error *err);

/* How many engines the slot has held (1 after sl_engine_slot_new, +1 per successful reload). */
uint64_t sl_engine_slot_generation(sl_engine_slot *slot);

#endif
