/* server/notice.c — renders the statement of reasons an author receives (see notice.h).
 *
 * Both renderings start from the same prepared facts: the verdict's hits in notice order (the
 * cited rule's first), each span clamped to the text and widened to whole characters, and the
 * personal-data spans merged into sorted ranges. A quote is then the span's text with every
 * personal-data range inside it replaced by the redaction mark, cut at SL__NOTICE_MAX_QUOTE
 * bytes. The plain text additionally passes every piece of outside text through clean() with
 * one_line set, which is what keeps a post from writing its own lines into the notice. */
#include "server/notice.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sangloc/detect.h"
#include "sangloc/text.h"
#include "server/verdict_hits.h"
#include "text/utf8.h"

typedef struct range {
    size_t s, e;
} range;

typedef struct nctx {
    const sl__notice_facts *f;
    bool en;
    sl__vhits hits;
    size_t *ord; /* hit indices in notice order */
    range *span; /* per hit (same index as hits.v): clamped when there is a text */
    range *pd;   /* merged personal-data ranges, sorted */
    size_t npd;
    bool any_pd;   /* the verdict lists personal data */
    bool redacted; /* a quote had something redacted */
    sl_buf tmp, tmp2;
} nctx;

static const char *tr(const nctx *c, const char *vi, const char *en)
{
    return c->en ? en : vi;
}

const char *sl__notice_redaction(sl__notice_lang lang)
{
    return lang == SL_NOTICE_EN ? "[redacted]" : "[đã che]";
}

static bool empty(const char *s)
{
    return !s || !*s;
}

/* ---- text cleaning ------------------------------------------------------------------------ */

/* Code points that reorder or hide text (bidi embeddings, overrides, isolates and marks). */
static bool is_bidi(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Appends s[0..len) to out as valid UTF-8 (invalid bytes become U+FFFD). With one_line, C0/C1
 * controls, DEL and U+2028/U+2029 become a space and bidi controls are dropped, so the piece
 * stays on the line it was put on and reads in the order it is written. */
static sl_status clean(sl_buf *out, const char *s, size_t len, bool one_line)
{
    sl_status st = SL_OK;
    size_t run = 0; /* start of the pending run of bytes copied as they are */
    for (size_t i = 0; i < len && !st;) {
        uint32_t cp;
        size_t n = sl__utf8_decode(s + i, len - i, &cp);
        bool bad = n == 0;
        if (bad) n = 1;
        bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x2028 || cp == 0x2029;
        if (!bad && !(one_line && (control || is_bidi(cp)))) {
            i += n;
            continue;
        }
        st = sl_buf_append(out, s + run, i - run);
        if (!st && bad)
            st = sl_buf_puts(out, "\xEF\xBF\xBD");
        else if (!st && control)
            st = sl_buf_puts(out, " ");
        i += n;
        run = i;
    }
    if (!st) st = sl_buf_append(out, s + run, len - run);
    return st;
}

static sl_status put_line(sl_buf *out, const char *s)
{
    return clean(out, s, strlen(s), true);
}

/* A JSON string of outside text: valid UTF-8 guaranteed, then escaped by the writer. */
static sl_status put_json(nctx *c, sl_buf *out, const char *s, size_t len)
{
    sl_buf_clear(&c->tmp2);
    sl_status st = clean(&c->tmp2, s, len, false);
    if (!st) st = sl_buf_json_string(out, c->tmp2.data ? c->tmp2.data : "", c->tmp2.len);
    return st;
}

static sl_status put_json_z(nctx *c, sl_buf *out, const char *s)
{
    return put_json(c, out, s, strlen(s));
}

/* ---- times -------------------------------------------------------------------------------- */

/* Formats ms since the epoch, shifted by offset_s, with strftime's fmt. */
static void fmt_time(int64_t ms, long offset_s, const char *fmt, char *out, size_t size)
{
    int64_t sec = ms / 1000 - (ms % 1000 < 0);
    time_t t = (time_t)(sec + offset_s);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(out, size, fmt, &tm)) snprintf(out, size, "?");
}

static void human_time(const nctx *c, int64_t ms, char *out, size_t size)
{
    if (c->en)
        fmt_time(ms, 0, "%Y-%m-%d %H:%M UTC", out, size);
    else
        fmt_time(ms, 7 * 3600, "%H:%M ngày %d/%m/%Y (giờ Việt Nam)", out, size);
}

/* ---- preparing the facts ------------------------------------------------------------------ */

static sl_status check_facts(const sl__notice_facts *f, sl_error *err)
{
    if (!f) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no facts");
    const char *miss = empty(f->notice_id)        ? "notice_id"
                       : empty(f->channel)        ? "channel"
                       : empty(f->item_id)        ? "item_id"
                       : empty(f->rule_id)        ? "rule_id"
                       : empty(f->clause)         ? "clause"
                       : empty(f->category)       ? "category"
                       : empty(f->policy_version) ? "policy_version"
                                                  : NULL;
    if (miss) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "notice: %s is required", miss);
    if ((unsigned)f->kind > SL_NOTICE_APPEAL || (unsigned)f->lang > SL_NOTICE_EN ||
        (unsigned)f->appeal_outcome > SL_APPEAL_OVERTURNED)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "notice: unknown kind, lang or outcome");
    if ((f->kind == SL_NOTICE_APPEAL) != (f->appeal_outcome != SL_APPEAL_NONE))
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS,
                            "notice: an appeal outcome goes with an appeal notice, and only there");
    if (!f->text && f->text_len)
        return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "notice: text length without text");
    return SL_OK;
}

/* Clamps [*s, *e) to the text and widens it to whole UTF-8 characters. */
static void clamp_span(const char *t, size_t len, size_t *s, size_t *e)
{
    if (*s > len) *s = len;
    if (*e > len) *e = len;
    if (*e < *s) *e = *s;
    while (*s > 0 && *s < len && ((unsigned char)t[*s] & 0xC0) == 0x80) (*s)--;
    while (*e < len && ((unsigned char)t[*e] & 0xC0) == 0x80) (*e)++;
}

static int range_cmp(const void *a, const void *b)
{
    const range *x = a, *y = b;
    return x->s < y->s ? -1 : x->s > y->s;
}

/* Adds the personal data the built-in detectors find in the text to the ranges to redact: a
 * verdict lists at most 256 hits, and a policy may not screen personal data at all, yet a
 * quote must not show a phone number that falls inside another rule's span. A text that does
 * not build (invalid UTF-8, a NUL byte) is left to the verdict's hits. */
static sl_status detect_personal(nctx *c, sl_error *err)
{
    const sl__notice_facts *f = c->f;
    if (!f->text || !f->text_len) return SL_OK;
    sl_text *t = sl_text_new();
    sl_hits found = {.max = 4096};
    sl_status st = t ? SL_OK : SL_ERR_NOMEM;
    sl_error ignored = {0};
    if (!st && !sl_text_build(t, f->text, f->text_len, &ignored))
        st = sl_detect_run(t, SL_DET_ALL & ~SL_DET_MARKING, &found);
    range *pd = st || !found.count ? NULL : realloc(c->pd, (c->npd + found.count) * sizeof *pd);
    if (!st && found.count && !pd) st = SL_ERR_NOMEM;
    if (pd) c->pd = pd;
    for (size_t k = 0; !st && k < found.count; k++) {
        range r = {found.items[k].start, found.items[k].end};
        clamp_span(f->text, f->text_len, &r.s, &r.e);
        if (r.e > r.s) c->pd[c->npd++] = r;
    }
    sl_hits_free(&found);
    sl_text_free(t);
    if (st) return sl_error_set(err, st, SL_NO_POS, "notice: %s", sl_strerror(st));
    return SL_OK;
}

static sl_status prepare(nctx *c, const sl__notice_facts *f, sl_error *err)
{
    memset(c, 0, sizeof *c);
    c->f = f;
    sl_status st = check_facts(f, err);
    if (st) return st;
    c->en = f->lang == SL_NOTICE_EN;
    c->tmp.max = c->tmp2.max = 1 << 20;
    if ((st =
             sl__vhits_parse(f->verdict_json, f->verdict_json ? f->verdict_len : 0, &c->hits, err)))
        return st;
    size_t n = c->hits.n;
    c->ord = malloc((n ? n : 1) * sizeof *c->ord);
    c->span = malloc((n ? n : 1) * sizeof *c->span);
    c->pd = malloc((n ? n : 1) * sizeof *c->pd);
    if (!c->ord || !c->span || !c->pd)
        return sl_error_set(err, SL_ERR_NOMEM, SL_NO_POS, "out of memory");
    size_t k = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < n; i++)
            if ((strcmp(c->hits.v[i].rule, f->rule_id) == 0) == (pass == 0)) c->ord[k++] = i;
    for (size_t i = 0; i < n; i++) {
        range r = {c->hits.v[i].start, c->hits.v[i].end};
        if (f->text) clamp_span(f->text, f->text_len, &r.s, &r.e);
        c->span[i] = r;
        if (!sl__vhit_is_personal(&c->hits.v[i])) continue;
        c->any_pd = true;
        if (r.e > r.s) c->pd[c->npd++] = r;
    }
    if ((st = detect_personal(c, err))) return st;
    qsort(c->pd, c->npd, sizeof *c->pd, range_cmp);
    size_t m = 0; /* merge overlapping and touching ranges */
    for (size_t i = 0; i < c->npd; i++) {
        if (m && c->pd[i].s <= c->pd[m - 1].e) {
            if (c->pd[i].e > c->pd[m - 1].e) c->pd[m - 1].e = c->pd[i].e;
        } else {
            c->pd[m++] = c->pd[i];
        }
    }
    c->npd = m;
    return SL_OK;
}

static void release(nctx *c)
{
    sl__vhits_free(&c->hits);
    free(c->ord);
    free(c->span);
    free(c->pd);
    sl_buf_free(&c->tmp);
    sl_buf_free(&c->tmp2);
}

/* Appends the quote of text[s..e) to out: personal data replaced by the mark, cut after
 * SL__NOTICE_MAX_QUOTE bytes of the text with "…". */
static sl_status quote(nctx *c, size_t s, size_t e, bool one_line, sl_buf *out)
{
    const char *t = c->f->text;
    size_t limit = s + SL__NOTICE_MAX_QUOTE, pos = s, r = 0;
    sl_status st = SL_OK;
    bool cut = false;
    while (pos < e && !st) {
        while (r < c->npd && c->pd[r].e <= pos) r++;
        if (r < c->npd && c->pd[r].s <= pos) {
            st = sl_buf_puts(out, sl__notice_redaction(c->f->lang));
            c->redacted = true;
            pos = c->pd[r].e;
            continue;
        }
        if (pos >= limit) {
            cut = true;
            break;
        }
        size_t next = r < c->npd && c->pd[r].s < e ? c->pd[r].s : e;
        size_t stop = next < limit ? next : limit;
        while (stop > pos && stop < c->f->text_len && ((unsigned char)t[stop] & 0xC0) == 0x80)
            stop--;
        st = clean(out, t + pos, stop - pos, one_line);
        if (stop < next) {
            cut = true;
            break;
        }
        pos = next;
    }
    if (!st && cut) st = sl_buf_puts(out, "…");
    return st;
}

static bool quotes_shown(const nctx *c)
{
    return c->f->text && c->f->appeal_outcome != SL_APPEAL_OVERTURNED;
}

static const char *restriction(const sl__notice_facts *f)
{
    if (f->kind == SL_NOTICE_AUTO_HIDE) return "hidden";
    if (f->kind == SL_NOTICE_APPEAL && f->appeal_outcome == SL_APPEAL_OVERTURNED) return "restored";
    return "removed";
}

/* ---- plain text --------------------------------------------------------------------------- */

static sl_status text_opening(const nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    sl_status st =
        sl_buf_puts(o, tr(c, "THÔNG BÁO VỀ BÌNH LUẬN CỦA BẠN\n", "NOTICE ABOUT YOUR COMMENT\n"));
    if (!st) st = sl_buf_puts(o, tr(c, "Mã thông báo: ", "Notice: "));
    if (!st) st = put_line(o, f->notice_id);
    if (!st) st = sl_buf_puts(o, tr(c, "\nBình luận: mã ", "\nComment: "));
    if (!st) st = put_line(o, f->item_id);
    if (!st) st = sl_buf_puts(o, tr(c, " trên kênh ", " in channel "));
    if (!st) st = put_line(o, f->channel);
    if (!st) st = sl_buf_puts(o, tr(c, "\n\nXin chào bạn,\n\n", "\n\nHello,\n\n"));
    if (st) return st;
    if (f->kind == SL_NOTICE_REMOVAL)
        return sl_buf_puts(
            o, tr(c,
                  "Chúng tôi xin thông báo: sau khi xem xét, người kiểm duyệt của chúng tôi đã "
                  "quyết định gỡ bỏ bình luận của bạn. Bình luận không còn hiển thị trên trang.\n",
                  "After review, one of our moderators decided to remove your comment. It is no "
                  "longer shown on the page.\n"));
    if (f->kind == SL_NOTICE_AUTO_HIDE)
        return sl_buf_puts(
            o, tr(c,
                  "Chúng tôi xin thông báo: bình luận của bạn đang tạm thời bị ẩn. Hệ thống sàng "
                  "lọc tự động nhận thấy bình luận có thể vi phạm quy định, nên đã ẩn bình luận "
                  "cho đến khi người kiểm duyệt xem xét. Người kiểm duyệt sẽ quyết định hiển thị "
                  "lại hay gỡ bỏ bình luận.\n",
                  "Your comment is temporarily hidden. Our automated screening found that it may "
                  "break the posting rules, so it is hidden until a moderator reviews it. The "
                  "moderator will then either publish it again or remove it.\n"));
    if (f->appeal_outcome == SL_APPEAL_UPHELD)
        return sl_buf_puts(
            o, tr(c,
                  "Chúng tôi đã xem xét khiếu nại của bạn. Một người kiểm duyệt khác, không phải "
                  "người đã ra quyết định ban đầu, đã giữ nguyên quyết định: bình luận vẫn bị gỡ "
                  "bỏ.\n",
                  "We have reviewed your appeal. A moderator other than the one who made the "
                  "original decision has upheld it: your comment stays removed.\n"));
    return sl_buf_puts(
        o, tr(c,
              "Chúng tôi đã xem xét khiếu nại của bạn và nhận thấy quyết định trước đây chưa "
              "đúng. Quyết định đã được hủy bỏ và bình luận của bạn đã được hiển thị lại. Chúng "
              "tôi thành thật xin lỗi vì sự bất tiện này.\n",
              "We have reviewed your appeal and found that the earlier decision was wrong. It "
              "has been overturned and your comment is shown again. We apologise for the "
              "inconvenience.\n"));
}

static sl_status text_clause(const nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    sl_status st = SL_OK;
    if (f->kind == SL_NOTICE_APPEAL && !empty(f->appeal_reason)) {
        st = sl_buf_puts(o, tr(c, "\nLý do của quyết định về khiếu nại: ",
                               "\nReason for the appeal decision: "));
        if (!st) st = put_line(o, f->appeal_reason);
        if (!st) st = sl_buf_puts(o, "\n");
    }
    bool overturned = f->appeal_outcome == SL_APPEAL_OVERTURNED;
    if (!st)
        st = sl_buf_puts(o, overturned ? tr(c, "\nQuyết định trước đây đã dựa trên quy định sau",
                                            "\nThe earlier decision relied on this rule")
                                       : tr(c, "\nLý do: bình luận vi phạm quy định sau",
                                            "\nReason: the comment breaks this rule"));
    if (!st) st = sl_buf_puts(o, tr(c, " (quy tắc ", " (rule "));
    if (!st) st = put_line(o, f->rule_id);
    if (!st) st = sl_buf_puts(o, tr(c, ", nhóm ", ", category "));
    if (!st) st = put_line(o, f->category);
    if (!st) st = sl_buf_puts(o, tr(c, ", phiên bản quy định ", ", policy version "));
    if (!st) st = put_line(o, f->policy_version);
    if (!st) st = sl_buf_puts(o, "):\n    ");
    if (!st) st = put_line(o, f->clause);
    if (!st) st = sl_buf_puts(o, "\n");
    return st;
}

static sl_status text_fact(nctx *c, size_t h, sl_buf *o)
{
    const sl__vhit *hit = &c->hits.v[h];
    sl_status st = sl_buf_puts(o, "  - “");
    if (!st) st = quote(c, c->span[h].s, c->span[h].e, true, o);
    if (!st) st = sl_buf_puts(o, tr(c, "” (quy tắc ", "” (rule "));
    if (!st) st = put_line(o, hit->rule);
    if (!st && sl__vhit_is_personal(hit))
        st = sl_buf_puts(o, tr(c, "; thông tin cá nhân đã được che", "; personal data redacted"));
    if (!st) st = sl_buf_puts(o, ")\n");
    return st;
}

static sl_status text_facts(nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    if (f->appeal_outcome == SL_APPEAL_OVERTURNED) return SL_OK;
    if (!f->text)
        return sl_buf_puts(o, tr(c,
                                 "\nNội dung bình luận không còn được lưu giữ, nên chúng tôi không "
                                 "thể trích dẫn lại những đoạn đã được đánh dấu.\n",
                                 "\nThe text of the comment is no longer kept, so the flagged "
                                 "passages cannot be quoted.\n"));
    if (!c->hits.n)
        return sl_buf_puts(o, tr(c,
                                 "\nKhông có đoạn nào được đánh dấu riêng; quyết định dựa trên "
                                 "toàn bộ bình luận.\n",
                                 "\nNo passage was flagged on its own; the decision concerns "
                                 "the comment as a whole.\n"));
    sl_status st = sl_buf_puts(o, tr(c, "\nNhững đoạn được đánh dấu trong bình luận:\n",
                                     "\nThe flagged passages of the comment:\n"));
    size_t shown = c->hits.n < SL__NOTICE_MAX_QUOTES ? c->hits.n : SL__NOTICE_MAX_QUOTES;
    for (size_t k = 0; k < shown && !st; k++) st = text_fact(c, c->ord[k], o);
    if (!st && shown < c->hits.n)
        st = sl_buf_printf(o, tr(c, "  (và %zu đoạn khác)\n", "  (and %zu more)\n"),
                           c->hits.n - shown);
    if (!st && (c->any_pd || c->redacted))
        st = sl_buf_puts(o, tr(c,
                               "Thông tin cá nhân trong bình luận đã được che đi để bảo vệ người "
                               "liên quan.\n",
                               "Personal data in the comment is redacted to protect the people "
                               "concerned.\n"));
    return st;
}

static sl_status text_how(const nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    char when[64];
    human_time(c, f->decided_at, when, sizeof when);
    sl_status st = SL_OK;
    if (!empty(f->statement)) {
        st = sl_buf_puts(o,
                         tr(c, "\nLời nhắn của người kiểm duyệt: ", "\nNote from the moderator: "));
        if (!st) st = put_line(o, f->statement);
        if (!st) st = sl_buf_puts(o, "\n");
    }
    if (!st) st = sl_buf_puts(o, tr(c, "\nCách đưa ra quyết định:\n", "\nHow this was decided:\n"));
    if (!st)
        st = sl_buf_puts(
            o, f->automated_detection
                   ? tr(c, "  - Phát hiện: bình luận được công cụ tự động phát hiện.\n",
                        "  - Detection: the comment was flagged by automated means.\n")
                   : tr(c,
                        "  - Phát hiện: không dùng công cụ tự động (ví dụ: qua báo cáo của người "
                        "đọc).\n",
                        "  - Detection: not by automated means (for example, a reader's "
                        "report).\n"));
    if (!st)
        st = sl_buf_puts(
            o, f->automated_decision
                   ? tr(c,
                        "  - Quyết định: do hệ thống đưa ra tự động; chưa có người nào xem "
                        "xét.\n",
                        "  - Decision: taken automatically; no person has reviewed it yet.\n")
                   : tr(c, "  - Quyết định: do một người kiểm duyệt đưa ra, không tự động.\n",
                        "  - Decision: taken by a person, not by automated means.\n"));
    if (!st) st = sl_buf_printf(o, "%s%s\n", tr(c, "  - Thời điểm: ", "  - Time: "), when);
    if (!st && !empty(f->engine_version)) {
        st = sl_buf_puts(
            o, tr(c, "  - Phiên bản công cụ sàng lọc: sangloc ", "  - Screening engine: sangloc "));
        if (!st) st = put_line(o, f->engine_version);
        if (!st) st = sl_buf_puts(o, "\n");
    }
    return st;
}

static sl_status text_appeal(const nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    sl_status st = sl_buf_puts(o, tr(c, "\nKhiếu nại:\n", "\nAppeal:\n"));
    if (st) return st;
    if (!f->appeal_until)
        return sl_buf_puts(o, tr(c, "  Quyết định này không thể khiếu nại thêm.\n",
                                 "  This decision cannot be appealed further.\n"));
    char until[64];
    human_time(c, f->appeal_until, until, sizeof until);
    st = sl_buf_printf(
        o,
        tr(c,
           "  Nếu bạn cho rằng quyết định này chưa đúng, bạn có thể khiếu nại đến hết %s. Hãy gửi "
           "khiếu nại qua trang của đơn vị (yêu cầu POST /v1/appeals), kèm mã khiếu nại được cấp "
           "cùng thông báo này và lời giải thích của bạn. Khiếu nại sẽ do một người khác, không "
           "phải người đã ra quyết định, xem xét.\n",
           "  If you think this decision is wrong, you can appeal until %s. Send your appeal "
           "through the organization's page (the request POST /v1/appeals) with the appeal token "
           "given to you with this notice and your explanation. A person other than the one who "
           "decided will review it.\n"),
        until);
    return st;
}

static sl_status render_text(nctx *c, sl_buf *o)
{
    sl_status st = text_opening(c, o);
    if (!st) st = text_clause(c, o);
    if (!st) st = text_facts(c, o);
    if (!st) st = text_how(c, o);
    if (!st) st = text_appeal(c, o);
    if (!st) st = sl_buf_puts(o, tr(c, "\nTrân trọng.\n", "\nKind regards.\n"));
    return st;
}

/* ---- JSON --------------------------------------------------------------------------------- */

static sl_status json_member(nctx *c, sl_buf *o, const char *key, const char *value)
{
    sl_status st = sl_buf_printf(o, ",\"%s\":", key);
    if (!st) st = put_json_z(c, o, value);
    return st;
}

static sl_status json_time(sl_buf *o, const char *key, int64_t ms)
{
    char t[40];
    fmt_time(ms, 0, "%Y-%m-%dT%H:%M:%SZ", t, sizeof t);
    return sl_buf_printf(o, ",\"%s\":\"%s\"", key, t);
}

static sl_status json_fact(nctx *c, size_t h, sl_buf *o)
{
    const sl__vhit *hit = &c->hits.v[h];
    sl_status st = sl_buf_puts(o, "{\"rule\":");
    if (!st) st = put_json_z(c, o, hit->rule);
    if (!st) st = sl_buf_puts(o, ",\"category\":");
    if (!st) st = put_json_z(c, o, hit->category);
    if (!st)
        st = sl_buf_printf(o, ",\"start\":%zu,\"end\":%zu,\"personal_data\":%s", c->span[h].s,
                           c->span[h].e, sl__vhit_is_personal(hit) ? "true" : "false");
    if (!st && quotes_shown(c)) {
        sl_buf_clear(&c->tmp);
        st = quote(c, c->span[h].s, c->span[h].e, false, &c->tmp);
        if (!st) st = sl_buf_puts(o, ",\"quote\":");
        if (!st) st = sl_buf_json_string(o, c->tmp.data ? c->tmp.data : "", c->tmp.len);
    }
    if (!st) st = sl_buf_puts(o, "}");
    return st;
}

static sl_status json_head(nctx *c, sl_buf *o)
{
    const sl__notice_facts *f = c->f;
    static const char *const kinds[] = {"removal", "automated_hide", "appeal_outcome"};
    sl_status st = sl_buf_puts(o, "{\"notice\":");
    if (!st) st = put_json_z(c, o, f->notice_id);
    if (!st)
        st = sl_buf_printf(o, ",\"kind\":\"%s\",\"lang\":\"%s\",\"item\":{\"channel\":",
                           kinds[f->kind], c->en ? "en" : "vi");
    if (!st) st = put_json_z(c, o, f->channel);
    if (!st) st = sl_buf_puts(o, ",\"id\":");
    if (!st) st = put_json_z(c, o, f->item_id);
    if (!st) st = sl_buf_printf(o, "},\"restriction\":\"%s\"", restriction(f));
    if (!st && f->kind == SL_NOTICE_APPEAL)
        st = sl_buf_printf(o, ",\"outcome\":\"%s\"",
                           f->appeal_outcome == SL_APPEAL_UPHELD ? "upheld" : "overturned");
    if (!st && f->kind == SL_NOTICE_APPEAL && !empty(f->appeal_reason))
        st = json_member(c, o, "appeal_reason", f->appeal_reason);
    if (!st) st = sl_buf_puts(o, ",\"rule\":{\"id\":");
    if (!st) st = put_json_z(c, o, f->rule_id);
    if (!st) st = json_member(c, o, "category", f->category);
    if (!st) st = json_member(c, o, "clause", f->clause);
    if (!st) st = sl_buf_puts(o, "}");
    if (!st) st = json_member(c, o, "policy_version", f->policy_version);
    if (!st && !empty(f->engine_version))
        st = json_member(c, o, "engine_version", f->engine_version);
    if (!st)
        st = sl_buf_printf(o, ",\"automated_detection\":%s,\"automated_decision\":%s",
                           f->automated_detection ? "true" : "false",
                           f->automated_decision ? "true" : "false");
    if (!st) st = json_time(o, "decided_at", f->decided_at);
    if (!st && !empty(f->statement)) st = json_member(c, o, "statement", f->statement);
    return st;
}

static sl_status render_json(nctx *c, sl_buf *o, const sl_buf *message)
{
    const sl__notice_facts *f = c->f;
    sl_status st = json_head(c, o);
    if (!st)
        st = sl_buf_printf(o, ",\"text_available\":%s,\"facts\":[", f->text ? "true" : "false");
    for (size_t k = 0; k < c->hits.n && !st; k++) {
        if (k) st = sl_buf_puts(o, ",");
        if (!st) st = json_fact(c, c->ord[k], o);
    }
    if (!st)
        st = sl_buf_printf(o, "],\"appeal\":{\"possible\":%s", f->appeal_until ? "true" : "false");
    if (!st && f->appeal_until) st = json_time(o, "until", f->appeal_until);
    if (!st && f->appeal_until)
        st = sl_buf_puts(o, ",\"how\":\"POST /v1/appeals with {\\\"appeal_token\\\", "
                            "\\\"text\\\"}; the token is given once, with the notice\"");
    if (!st) st = sl_buf_puts(o, "},\"message\":");
    if (!st) st = sl_buf_json_string(o, message->data ? message->data : "", message->len);
    if (!st) st = sl_buf_puts(o, "}");
    return st;
}

/* ---- entry points ------------------------------------------------------------------------- */

static sl_status finish(sl_buf *out, size_t mark, sl_status st, sl_error *err)
{
    if (!st) return SL_OK;
    out->len = mark;
    if (out->data) out->data[mark] = '\0';
    if (st == SL_ERR_NOMEM || st == SL_ERR_TOO_LARGE)
        sl_error_set(err, st, SL_NO_POS, "notice: %s", sl_strerror(st));
    return st;
}

sl_status sl__notice_text(const sl__notice_facts *facts, sl_buf *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output buffer");
    nctx c;
    size_t mark = out->len;
    sl_status st = prepare(&c, facts, err);
    if (!st) st = finish(out, mark, render_text(&c, out), err);
    release(&c);
    return st;
}

sl_status sl__notice_json(const sl__notice_facts *facts, sl_buf *out, sl_error *err)
{
    if (!out) return sl_error_set(err, SL_ERR_ARG, SL_NO_POS, "no output buffer");
    nctx c;
    size_t mark = out->len;
    sl_buf message = {.max = out->max};
    sl_status st = prepare(&c, facts, err);
    if (!st) st = finish(&message, 0, render_text(&c, &message), err);
    if (!st) st = finish(out, mark, render_json(&c, out, &message), err);
    sl_buf_free(&message);
    release(&c);
    return st;
}
