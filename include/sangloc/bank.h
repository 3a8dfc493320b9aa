/* sangloc/bank.h — banks of known content (debunked hoaxes, confidential documents, spam) and
 * near-duplicate matching of posts against them.
 *
 * A bank is ONE file: an immutable base segment (items, strings, and an inverted index from
 * word-shingle hashes to items, sorted so it is used straight from mmap) followed by an
 * append-only log of additions and removals. Opening maps the file and replays the log into a
 * small in-memory index; sl_bank_compact() folds the log into a new base (written to a temporary
 * file and renamed over the old one, so readers holding the old mapping are unaffected).
 * docs/bank.md describes the format.
 *
 * Matching works on the FOLD view of the text layer (lowercase, no diacritics, teencode
 * expanded): the post's word 3-shingles are looked up, items sharing enough distinct shingles
 * are scored, and each match carries the byte span of the ORIGINAL post that matches.
 *
 * Thread-safety: an opened sl_bank is read-only and may be shared by any number of threads;
 * each thread matches with its own sl_bank_scratch. The editing functions (sl_bank_append,
 * sl_bank_remove, sl_bank_compact) work on a path, take an exclusive lock on the file, and never
 * change what an already opened sl_bank sees: open the bank again to see the edits.
 *
 * Limits: item id 1..SL_BANK_MAX_ID bytes, text up to SL_BANK_MAX_TEXT bytes and at least
 * SL_BANK_MIN_TOKENS words, source up to SL_BANK_MAX_SOURCE bytes, added up to SL_BANK_MAX_ADDED
 * bytes; all valid UTF-8 without NUL. Posts: only the first SL_BANK_MAX_POST_TOKENS words are
 * matched. Files are little-endian (checked). */
#ifndef SANGLOC_BANK_H
#define SANGLOC_BANK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/status.h"
#include "sangloc/text.h"

#define SL_BANK_MAX_ID          256
#define SL_BANK_MAX_TEXT        (64u * 1024u)
#define SL_BANK_MAX_SOURCE      1024
#define SL_BANK_MAX_ADDED       64
#define SL_BANK_MIN_TOKENS      8
#define SL_BANK_MAX_POST_TOKENS 20000

/* Default min_similarity for sl_bank_match_*, chosen on the dev material (docs/bank.md): at
 * this threshold edited reposts of registered posts (excerpts of 60%, added commentary,
 * reordered sentences, dropped words, teencode, missing diacritics) are found with recall
 * >= 0.95 while unrelated posts and comments match nothing in >= 99.5% of cases. */
#define SL_BANK_DEFAULT_MIN_SIMILARITY 0.5f

typedef enum sl_bank_kind {
    SL_BANK_HOAX = 0,
    SL_BANK_DOCUMENT = 1,
    SL_BANK_SPAM = 2,
    SL_BANK_KIND_COUNT_ = 3
} sl_bank_kind;

/* "hoax", "document", "spam"; "unknown" for anything else. Static storage. */
const char *sl_bank_kind_name(sl_bank_kind kind);
/* Parses a kind name; false when unknown. */
bool sl_bank_kind_parse(const char *name, sl_bank_kind *out);

/* One item, as given to sl_bank_append and as read back by sl_bank_next. Strings are
 * (pointer, length), not NUL-terminated; source and added may be empty. Read back, they point
 * into the bank (valid until sl_bank_close) and are NUL-terminated. */
typedef struct sl_bank_item {
    const char *id;
    size_t id_len;
    sl_bank_kind kind;
    const char *text;
    size_t text_len;
    const char *source;
    size_t source_len;
    const char *added;
    size_t added_len;
} sl_bank_item;

/* One match. id, kind and source are NUL-terminated and live as long as the bank. similarity
 * is in 0..1; [start, end) is the span of the ORIGINAL post text that matches the item. */
typedef struct sl_bank_match {
    const char *id;
    const char *kind;
    const char *source;
    float similarity;
    uint32_t start, end;
    uint32_t shared;        /* distinct shingles the post shares with the item */
    uint32_t item_shingles; /* distinct (non-stop) shingles of the item */
} sl_bank_match;

typedef struct sl_bank sl_bank;
typedef struct sl_bank_scratch sl_bank_scratch;

/* Opens a bank file by mmap, checks its header, sizes and checksums, and replays its log.
 * A torn last log record (an append cut short by a crash) is left out: the bank opens with
 * every whole record (sl_bank_stats.torn_bytes says how much was skipped). Damage followed by
 * further records is corruption, not a torn tail.
 * Errors: SL_ERR_IO (cannot open/read, not a regular file), SL_ERR_BANK (not a bank, an empty
 * file, other version, corrupt, truncated base; err->byte is the file offset where it went
 * wrong), SL_ERR_NOMEM. */
sl_status sl_bank_open(const char *path, sl_bank **out, sl_error *err);

/* The same over a caller's buffer, which must outlive the bank (not copied). */
sl_status sl_bank_open_memory(const void *data, size_t len, sl_bank **out, sl_error *err);

/* Unmaps and frees; NULL is a no-op. Invalidates every pointer the bank handed out. */
void sl_bank_close(sl_bank *bank);

/* "items=N segs=B+L xxh=HEX": live items, base+log item counts and a content hash of the file
 * as opened. Owned by the bank. */
const char *sl_bank_version(const sl_bank *bank);

/* Live (not removed) items. */
size_t sl_bank_count(const sl_bank *bank);

typedef struct sl_bank_stats {
    size_t base_items, log_items, removed, live;
    size_t index_entries, index_keys_bits, stop_df;
    size_t file_bytes, log_records;
    size_t torn_bytes; /* a torn last log record left out of this view (see sl_bank_repair) */
} sl_bank_stats;
void sl_bank_get_stats(const sl_bank *bank, sl_bank_stats *out);

/* Iterates live items: set *cursor = 0 first; returns false at the end. */
bool sl_bank_next(const sl_bank *bank, size_t *cursor, sl_bank_item *out);

/* Finds a live item by id; false when absent or removed. */
bool sl_bank_find(const sl_bank *bank, const char *id, size_t id_len, sl_bank_item *out);

/* Per-thread matching scratch sized for this bank; free with sl_bank_scratch_free. */
sl_status sl_bank_scratch_new(const sl_bank *bank, sl_bank_scratch **out);
void sl_bank_scratch_free(sl_bank_scratch *scratch);

/* Matches a text (built by sl_text_build) against the bank on its FOLD view. Writes up to `max`
 * matches with similarity >= min_similarity to out[], best first; *n is the number written.
 * Returns SL_ERR_ARG on NULL arguments or a scratch of another bank, SL_ERR_NOMEM. */
sl_status sl_bank_match_text(const sl_bank *bank, sl_bank_scratch *scratch, const sl_text *text,
                             float min_similarity, sl_bank_match *out, size_t max, size_t *n);

/* The same on any view whose maps lead to the original text (sl_bank_match_text passes the
 * FOLD view). */
sl_status sl_bank_match_view(const sl_bank *bank, sl_bank_scratch *scratch, const sl_view *fold,
                             float min_similarity, sl_bank_match *out, size_t max, size_t *n);

/* Checks one item against the limits: SL_ERR_ARG / SL_ERR_INVALID_UTF8 / SL_ERR_TOO_LARGE /
 * SL_ERR_MISSING_FIELD with a message saying which field and why (e.g. too few words). */
sl_status sl_bank_check_item(const sl_bank_item *item, sl_error *err);

/* Adds items. Creates the file (as a compacted base, written whole under a temporary name and
 * linked into place, so a crash leaves no bank or a whole one) when it does not exist;
 * otherwise appends them to the log, and compacts when the log holds more than
 * max(1024, base/8) records. A torn last record is dropped on the way (as sl_bank_repair).
 * Each item is checked; a bad item or an id already live in the bank is skipped and its status
 * written to item_status[i] (may be NULL) with the message in item_err[i] (may be NULL).
 * *added (may be NULL) counts the items written. Returns SL_OK unless the bank itself fails. */
sl_status sl_bank_append(const char *path, const sl_bank_item *items, size_t n,
                         sl_status *item_status, sl_error *item_err, size_t *added, sl_error *err);

/* Removes items by id (an id not live in the bank is counted in *missing). */
sl_status sl_bank_remove(const char *path, const char *const *ids, size_t n, size_t *removed,
                         size_t *missing, sl_error *err);

/* Rewrites the bank as one base segment without log, tombstones or removed items. When path is
 * a symlink, the file it points to is replaced and the link kept. */
sl_status sl_bank_compact(const char *path, sl_error *err);

typedef struct sl_bank_repair_report {
    size_t records_kept;  /* whole log records in the repaired file */
    size_t cut_at;        /* file offset where the torn tail started (= file size when none) */
    size_t cut_bytes;     /* bytes of the torn last record removed; 0 when the file was whole */
    size_t temps_removed; /* temporary files of interrupted writes (dead writers) removed */
} sl_bank_repair_report;

/* Drops a torn last log record (keeping every whole record, byte for byte) by writing the rest
 * as a new file renamed over the old one, and removes the temporary files that writers killed
 * mid-write left next to the bank. Corruption elsewhere is reported as by sl_bank_open and
 * the file is left alone. `report` may be NULL. */
sl_status sl_bank_repair(const char *path, sl_bank_repair_report *report, sl_error *err);

#endif
