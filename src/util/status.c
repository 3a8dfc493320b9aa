/* Status names and messages. The tables are indexed by the enum's stable numbers. */
#include "sangloc/status.h"

#include <stdarg.h>
#include <stdio.h>

static const char *const messages[SL_STATUS_COUNT_] = {
    [SL_OK] = "success",
    [SL_ERR_NOMEM] = "out of memory",
    [SL_ERR_INVALID_UTF8] = "invalid UTF-8",
    [SL_ERR_NUL_BYTE] = "NUL byte in text",
    [SL_ERR_TOO_LARGE] = "input too large",
    [SL_ERR_JSON] = "malformed JSON",
    [SL_ERR_MISSING_FIELD] = "missing or mistyped field",
    [SL_ERR_POLICY] = "invalid policy",
    [SL_ERR_PATTERN] = "pattern failed to compile",
    [SL_ERR_IO] = "input/output error",
    [SL_ERR_MODEL] = "invalid model file",
    [SL_ERR_BANK] = "invalid bank file",
    [SL_ERR_ARG] = "invalid argument",
    [SL_ERR_INTERNAL] = "internal error",
    [SL_ERR_ENGINE_MISMATCH] = "scan made for another engine",
    [SL_ERR_UNSUPPORTED] = "not supported",
    [SL_ERR_NOT_FOUND] = "not found",
    [SL_ERR_STORE] = "database error",
    [SL_ERR_SCHEMA] = "database schema mismatch",
    [SL_ERR_AUTH] = "invalid token",
    [SL_ERR_CURSOR] = "malformed cursor",
    [SL_ERR_BUSY] = "database busy",
    [SL_ERR_CONFLICT] = "conflict with the current state",
    [SL_ERR_NOTE] = "malformed or unverified signed note",
};

static const char *const names[SL_STATUS_COUNT_] = {
    [SL_OK] = "ok",
    [SL_ERR_NOMEM] = "nomem",
    [SL_ERR_INVALID_UTF8] = "invalid_utf8",
    [SL_ERR_NUL_BYTE] = "nul_byte",
    [SL_ERR_TOO_LARGE] = "too_large",
    [SL_ERR_JSON] = "json",
    [SL_ERR_MISSING_FIELD] = "missing_field",
    [SL_ERR_POLICY] = "policy",
    [SL_ERR_PATTERN] = "pattern",
    [SL_ERR_IO] = "io",
    [SL_ERR_MODEL] = "model",
    [SL_ERR_BANK] = "bank",
    [SL_ERR_ARG] = "arg",
    [SL_ERR_INTERNAL] = "internal",
    [SL_ERR_ENGINE_MISMATCH] = "engine_mismatch",
    [SL_ERR_UNSUPPORTED] = "unsupported",
    [SL_ERR_NOT_FOUND] = "not_found",
    [SL_ERR_STORE] = "store",
    [SL_ERR_SCHEMA] = "schema",
    [SL_ERR_AUTH] = "auth",
    [SL_ERR_CURSOR] = "cursor",
    [SL_ERR_BUSY] = "busy",
    [SL_ERR_CONFLICT] = "conflict",
    [SL_ERR_NOTE] = "note",
};

const char *sl_strerror(sl_status status)
{
    if ((unsigned)status >= SL_STATUS_COUNT_ || !messages[status]) return "unknown status";
    return messages[status];
}

const char *sl_status_name(sl_status status)
{
    if ((unsigned)status >= SL_STATUS_COUNT_ || !names[status]) return "unknown";
    return names[status];
}

sl_status sl_error_set(sl_error *err, sl_status code, size_t byte, const char *fmt, ...)
{
    if (!err) return code;
    err->code = code;
    err->byte = byte;
    err->line = 0;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return code;
}
