/* Talking to people, shared by every subcommand (see cli/output.h). Posts, ids, file names and
 * the messages that quote them are outside input: shown raw, an ESC sequence can clear a
 * reviewer's screen and a bidi override can make a line read as something it is not, so all of
 * them go through sl__cli_put_visible on their way to a terminal. */
#include "cli/output.h"
#include "sangloc/store.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Length of the well-formed UTF-8 sequence at s (and its code point), or 0 when s does not
 * start one (stray continuation byte, overlong form, surrogate, beyond U+10FFFF, cut short). */
static size_t utf8_seq(const unsigned char *s, size_t len, unsigned *cp)
{
    unsigned c = s[0];
    if (c < 0x80) return *cp = c, 1;
    size_t n;
    unsigned lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2, *cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3, *cp = c & 0x0F, lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4, *cp = c & 0x07, lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
    else
        return 0;
    if (len < n || s[1] < lo || s[1] > hi) return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        *cp = (*cp << 6) | (s[i] & 0x3F);
    }
    return n;
}

/* Code points above ASCII that act on a terminal or on the order of what it shows. */
static bool invisible_control(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
           (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

sl_status sl__cli_put_visible(sl_buf *b, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    sl_status st = SL_OK;
    for (size_t i = 0; i < len && !st;) {
        unsigned cp = 0;
        size_t n = utf8_seq(u + i, len - i, &cp);
        if (n == 0) {
            st = sl_buf_printf(b, "\\x%02x", u[i]); /* not UTF-8: a lone byte, shown as such */
            i++;
            continue;
        }
        if (cp == '\n')
            st = sl_buf_puts(b, "\\n");
        else if (cp == '\r')
            st = sl_buf_puts(b, "\\r");
        else if (cp == '\t')
            st = sl_buf_puts(b, "\\t");
        else if (cp < 0x20 || cp == 0x7F)
            st = sl_buf_printf(b, "\\x%02x", cp);
        else if (invisible_control(cp))
            st = sl_buf_printf(b, "\\u%04x", cp);
        else
            st = sl_buf_append(b, s + i, n);
        i += n;
    }
    return st;
}

void sl__cli_fput_visible(FILE *f, const char *s, size_t len)
{
    sl_buf b = {0};
    if (sl__cli_put_visible(&b, s, len) == SL_OK && b.len) fwrite(b.data, 1, b.len, f);
    sl_buf_free(&b);
}

void sl__cli_put_located(sl_buf *b, const char *path, size_t line, const char *message)
{
    const char *m = message ? message : "";
    size_t skip_at = 0, skip_len = 0;
    if (path && *path) {
        size_t pl = strlen(path);
        const char *in;
        if (!strncmp(m, path, pl) && m[pl] == ':' && m[pl + 1] == ' ') {
            skip_len = pl + 2; /* "PATH: message" */
        } else if ((in = strstr(m, path)) && in > m && in[-1] == ' ' && in[pl] == ':') {
            skip_at = (size_t)(in - 1 - m), skip_len = pl + 1; /* "cannot open PATH: ..." */
        }
        sl__cli_put_visible(b, path, pl);
        if (line) sl_buf_printf(b, ":%zu", line);
        sl_buf_puts(b, ": ");
    }
    sl__cli_put_visible(b, m, skip_at);
    sl__cli_put_visible(b, m + skip_at + skip_len, strlen(m + skip_at + skip_len));
}

/* vsnprintf into a malloc'd string (NULL when out of memory). */
static char *format(const char *fmt, va_list ap)
{
    va_list again;
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
    if (s) vsnprintf(s, (size_t)n + 1, fmt, again);
    va_end(again);
    return s;
}

static void print_error(const char *cmd, const char *path, size_t line, const char *message)
{
    sl_buf b = {0};
    sl_buf_puts(&b, cmd ? "sangloc " : "sangloc");
    if (cmd) sl_buf_puts(&b, cmd);
    sl_buf_puts(&b, ": ");
    sl__cli_put_located(&b, path, line, message ? message : "out of memory");
    sl_buf_puts(&b, "\n");
    if (b.data) fwrite(b.data, 1, b.len, stderr);
    sl_buf_free(&b);
}

void sl__cli_error(const char *cmd, const char *path, size_t line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = format(fmt, ap);
    va_end(ap);
    char shown[1024]; /* a database URL is shown without its password */
    if (path && strstr(path, "://")) {
        sl_store_url_redact(path, shown, sizeof shown);
        path = shown;
    }
    print_error(cmd, path, line, m);
    free(m);
}

int sl__cli_usage_error(const char *cmd, void (*usage)(FILE *), const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *m = format(fmt, ap);
    va_end(ap);
    print_error(cmd, NULL, 0, m);
    free(m);
    if (usage) usage(stderr);
    return 2;
}

int sl__cli_getopt_error(const char *cmd, void (*usage)(FILE *), int c, char **argv)
{
    /* a long option is the word just consumed; a short one (maybe inside "-vx") is optopt */
    const char *word = optind > 0 ? argv[optind - 1] : "";
    char shortopt[3] = {'-', (char)optopt, '\0'};
    const char *name = !strncmp(word, "--", 2) ? word : shortopt;
    if (c == ':') return sl__cli_usage_error(cmd, usage, "option '%s' needs a value", name);
    return sl__cli_usage_error(cmd, usage, "unknown option '%s'", name);
}

/* The number in text must be the whole string and start with a digit (or '.' for reals, or
 * '-' for a real whose range is below 0): strtoull would otherwise take "-1" as 2^64-1 and
 * " 5" or "5x" as 5. */
static bool plain_number(const char *text, bool real, bool negative)
{
    if (!text || !*text) return false;
    if (negative && text[0] == '-') text++;
    if (!(text[0] >= '0' && text[0] <= '9') && !(real && text[0] == '.')) return false;
    for (const char *p = text; *p; p++)
        if (!((*p >= '0' && *p <= '9') ||
              (real && (*p == '.' || *p == 'e' || *p == 'E' || *p == '-' || *p == '+'))))
            return false;
    return true;
}

static void not_a_number(const char *cmd, const char *opt, const char *text, const char *min,
                         const char *max)
{
    sl__cli_error(cmd, opt, 0, "'%s' is not a number between %s and %s", text ? text : "", min,
                  max);
}

bool sl__cli_parse_uint(const char *cmd, const char *opt, const char *text, unsigned long long min,
                        unsigned long long max, unsigned long long *out)
{
    if (plain_number(text, false, false)) {
        char *end = NULL;
        errno = 0;
        unsigned long long v = strtoull(text, &end, 10);
        if (!errno && end && !*end && v >= min && v <= max) {
            *out = v;
            return true;
        }
    }
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%llu", min);
    snprintf(hi, sizeof hi, "%llu", max);
    not_a_number(cmd, opt, text, lo, hi);
    return false;
}

bool sl__cli_parse_real(const char *cmd, const char *opt, const char *text, double min, double max,
                        double *out)
{
    if (plain_number(text, true, min < 0)) {
        char *end = NULL;
        errno = 0;
        double v = strtod(text, &end);
        if (!errno && end && !*end && isfinite(v) && v >= min && v <= max) {
            *out = v;
            return true;
        }
    }
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%g", min);
    snprintf(hi, sizeof hi, "%g", max);
    not_a_number(cmd, opt, text, lo, hi);
    return false;
}

bool sl__cli_parse_color(const char *cmd, const char *text, int *when)
{
    if (!strcmp(text, "always"))
        *when = 1;
    else if (!strcmp(text, "never"))
        *when = 0;
    else if (!strcmp(text, "auto"))
        *when = -1;
    else {
        sl__cli_error(cmd, "--color", 0, "'%s' is not one of always, never, auto", text);
        return false;
    }
    return true;
}

bool sl__cli_use_color(int when, int fd)
{
    if (when >= 0) return when == 1;
    const char *no = getenv("NO_COLOR");
    if (no && *no) return false;
    return isatty(fd) == 1;
}

static int output_errno; /* the reason of the first failed write seen by sl__cli_output_failed */

bool sl__cli_output_failed(void)
{
    if (!ferror(stdout)) return false;
    if (!output_errno) output_errno = errno; /* still the write's, if checked right after it */
    return true;
}

int sl__cli_finish_output(const char *cmd, int status)
{
    errno = 0;
    int bad = fflush(stdout) != 0;
    int e = bad ? errno : output_errno;
    bad |= ferror(stdout) != 0;
    /* closing reports what only the close can (a full quota on a network file system) */
    if (!bad) {
        errno = 0;
        bad = fclose(stdout) != 0;
        e = errno;
    }
    if (!bad) return status;
    /* the reason is known when this flush failed; an earlier failed flush keeps only the flag */
    if (e)
        sl__cli_error(cmd, "standard output", 0, "write error: %s", strerror(e));
    else
        sl__cli_error(cmd, "standard output", 0, "write error");
    return 2;
}
