/* sangloc/status.h — one status enum for the whole library, and parse-error details.
 *
 * Numbers are stable: never renumber, only append. sl_strerror() never returns NULL. */
#ifndef SANGLOC_STATUS_H
#define SANGLOC_STATUS_H

#include <stddef.h>

typedef enum sl_status {
    SL_OK = 0,
    SL_ERR_NOMEM = 1,            /* an allocation failed */
    SL_ERR_INVALID_UTF8 = 2,     /* input is not valid UTF-8 (error byte says where) */
    SL_ERR_NUL_BYTE = 3,         /* input contains a NUL byte */
    SL_ERR_TOO_LARGE = 4,        /* input or a buffer would exceed its limit */
    SL_ERR_JSON = 5,             /* malformed JSON */
    SL_ERR_MISSING_FIELD = 6,    /* a required field is absent or of the wrong type */
    SL_ERR_POLICY = 7,           /* the policy file is invalid */
    SL_ERR_PATTERN = 8,          /* a regular expression or lexicon failed to compile */
    SL_ERR_IO = 9,               /* a file could not be read or written */
    SL_ERR_MODEL = 10,           /* a model file is invalid or of another version */
    SL_ERR_BANK = 11,            /* a bank file is invalid or of another version */
    SL_ERR_ARG = 12,             /* an argument is invalid (NULL, out of range) */
    SL_ERR_INTERNAL = 13,        /* a library call failed unexpectedly */
    SL_ERR_ENGINE_MISMATCH = 14, /* a scan was used with an engine it was not made for */
    SL_ERR_UNSUPPORTED = 15,     /* not supported (yet), e.g. a store URL without a backend */
    SL_ERR_NOT_FOUND = 16,       /* no such item, token or organization (or not visible) */
    SL_ERR_STORE = 17,           /* the database failed (message says why) */
    SL_ERR_SCHEMA = 18,          /* the database schema is newer than this program, or broken */
    SL_ERR_AUTH = 19,            /* unknown, malformed or revoked token */
    SL_ERR_CURSOR = 20,          /* a malformed pagination cursor (error byte says where) */
    SL_ERR_BUSY = 21,            /* the database stayed locked past the busy timeout */
    SL_ERR_CONFLICT = 22,        /* refused by the item's state or history (stale, decided...) */
    SL_ERR_NOTE = 23,            /* a malformed signed note or checkpoint, or a bad signature */
    SL_STATUS_COUNT_ = 24        /* not a status: one past the last */
} sl_status;

/* A short English description of a status; static storage, never NULL. */
const char *sl_strerror(sl_status status);

/* The stable machine name of a status, e.g. "invalid_utf8"; static storage, never NULL. */
const char *sl_status_name(sl_status status);

/* Where and why something failed. `byte` is the offset into the input that was being parsed
 * (or SL_NO_POS), `line` the 1-based line (or 0 when not line-oriented). */
#define SL_NO_POS ((size_t)-1)
typedef struct sl_error {
    sl_status code;
    size_t byte;
    size_t line;
    char message[160];
} sl_error;

/* Fills *err (when err is not NULL) and returns code. printf-style message. */
sl_status sl_error_set(sl_error *err, sl_status code, size_t byte, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
