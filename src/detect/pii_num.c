/* Number-shaped personal data: phones, citizen IDs (CCCD, CMND), payment cards, bank accounts.
 *
 * How a number is read. A candidate starts at a digit (or "+84", "(+84)", "(028)") whose left
 * neighbour is not a letter, digit or a joiner of a bigger number ("1.0912", "12/0912"). Its
 * digits are read as groups separated by ONE kind of separator (space, '.', or '-'); a space next
 * to a group of 8+ digits ends the number ("số 1 0912345678" is two numbers). A detector takes
 * the first k groups whose digits add up to its length; what follows must not glue it to a
 * bigger number: a letter, '/', '@', '%', a '.'/'-'/',' before a digit, or a currency word
 * ("đ", "đồng", "VND", "triệu") all reject it.
 *
 * Which detector. The nearest context keyword before the number on its line (within
 * CTX_WINDOW cells, not crossing another number) decides: tax-code and order/document words
 * reject the number, bank words make it a bank account, card/ID words select those checks,
 * phone words raise a phone's score. Lengths then separate the rest: phones have 10-11 national
 * digits, CMND 9, CCCD 12, cards 13-19; each is validated by structure (prefixes and area codes,
 * province/century/year, Luhn and issuer ranges; after a card word any issuer). A bank account
 * whose clause names an organization (Mặt trận, Quỹ, Công ty ...) is public, not reported. */
#include <string.h>
#include <time.h>

#include "detect/pii_internal.h"

#define MAXG       12 /* groups read per number */
#define MAXD       24 /* digits kept per number; longer runs are never personal data here */
#define CTX_WINDOW 60 /* cells of context looked at before a number */

/* CTX_SOCIAL: a social-network name ("TK Facebook", "tài khoản zalo"): the account is not a bank
 * account, and a phone after it is still a phone. */
enum ctx {
    CTX_NONE,
    CTX_PHONE,
    CTX_BANK,
    CTX_CARD,
    CTX_CCCD,
    CTX_CMND,
    CTX_TAX,
    CTX_ORDER,
    CTX_SOCIAL
};

/* Folded keywords (see pii_cells.h). Bank names are bank context: "VCB 0011004..." */
static const sl__kw context_words[] = {{"sdt", CTX_PHONE, NULL},
                                       {"so dt", CTX_PHONE, NULL},
                                       {"so dien thoai", CTX_PHONE, NULL},
                                       {"dien thoai", CTX_PHONE, NULL},
                                       {"dt", CTX_PHONE, NULL},
                                       {"dd", CTX_PHONE, NULL},
                                       {"di dong", CTX_PHONE, NULL},
                                       {"phone", CTX_PHONE, NULL},
                                       {"tel", CTX_PHONE, NULL},
                                       {"mobile", CTX_PHONE, NULL},
                                       {"hotline", CTX_PHONE, NULL},
                                       {"lien he", CTX_PHONE, NULL},
                                       {"lh", CTX_PHONE, NULL},
                                       {"goi", CTX_PHONE, NULL},
                                       {"call", CTX_PHONE, NULL},
                                       {"zalo", CTX_PHONE, NULL},
                                       {"alo", CTX_PHONE, NULL},
                                       {"sms", CTX_PHONE, NULL},
                                       {"nhan tin", CTX_PHONE, NULL},
                                       {"viber", CTX_PHONE, NULL},
                                       {"whatsapp", CTX_PHONE, NULL},
                                       {"momo", CTX_PHONE, NULL},
                                       {"fax", CTX_PHONE, NULL},
                                       {"stk", CTX_BANK, NULL},
                                       {"so tk", CTX_BANK, NULL},
                                       {"tk", CTX_BANK, NULL},
                                       {"so tai khoan", CTX_BANK, NULL},
                                       {"tai khoan", CTX_BANK, NULL},
                                       {"tai khoan so", CTX_BANK, NULL},
                                       {"account", CTX_BANK, NULL},
                                       {"account no", CTX_BANK, NULL},
                                       {"account number", CTX_BANK, NULL},
                                       {"acc", CTX_BANK, NULL},
                                       {"acct", CTX_BANK, NULL},
                                       {"ngan hang", CTX_BANK, NULL},
                                       {"bank", CTX_BANK, NULL},
                                       {"chuyen khoan", CTX_BANK, NULL},
                                       {"ck", CTX_BANK, NULL},
                                       {"vietcombank", CTX_BANK, NULL},
                                       {"vcb", CTX_BANK, NULL},
                                       {"techcombank", CTX_BANK, NULL},
                                       {"tcb", CTX_BANK, NULL},
                                       {"bidv", CTX_BANK, NULL},
                                       {"agribank", CTX_BANK, NULL},
                                       {"mb", CTX_BANK, NULL},
                                       {"mbbank", CTX_BANK, NULL},
                                       {"mb bank", CTX_BANK, NULL},
                                       {"acb", CTX_BANK, NULL},
                                       {"tpbank", CTX_BANK, NULL},
                                       {"tp bank", CTX_BANK, NULL},
                                       {"vpbank", CTX_BANK, NULL},
                                       {"vp bank", CTX_BANK, NULL},
                                       {"sacombank", CTX_BANK, NULL},
                                       {"vietinbank", CTX_BANK, NULL},
                                       {"shb", CTX_BANK, NULL},
                                       {"hdbank", CTX_BANK, NULL},
                                       {"ocb", CTX_BANK, NULL},
                                       {"msb", CTX_BANK, NULL},
                                       {"vib", CTX_BANK, NULL},
                                       {"seabank", CTX_BANK, NULL},
                                       {"eximbank", CTX_BANK, NULL},
                                       {"lpbank", CTX_BANK, NULL},
                                       {"lienvietpostbank", CTX_BANK, NULL},
                                       {"scb", CTX_BANK, NULL},
                                       {"pvcombank", CTX_BANK, NULL},
                                       {"abbank", CTX_BANK, NULL},
                                       {"nam a bank", CTX_BANK, NULL},
                                       {"bac a bank", CTX_BANK, NULL},
                                       {"kienlongbank", CTX_BANK, NULL},
                                       {"timo", CTX_BANK, NULL},
                                       {"so tai khoan ngan hang", CTX_BANK, NULL},
                                       {"tai khoan ngan hang", CTX_BANK, NULL},
                                       {"tk ngan hang", CTX_BANK, NULL},
                                       {"tknh", CTX_BANK, NULL},
                                       {"stk nh", CTX_BANK, NULL},
                                       {"so acc", CTX_BANK, NULL},
                                       {"bank acc", CTX_BANK, NULL},
                                       {"bank account", CTX_BANK, NULL},
                                       {"chu tk", CTX_BANK, NULL},
                                       {"chu tai khoan", CTX_BANK, NULL},
                                       {"vietin", CTX_BANK, NULL},
                                       {"viettinbank", CTX_BANK, NULL},
                                       {"viettin", CTX_BANK, NULL},
                                       {"vietcom", CTX_BANK, NULL},
                                       {"techcom", CTX_BANK, NULL},
                                       {"sacom", CTX_BANK, NULL},
                                       {"agri", CTX_BANK, NULL},
                                       {"vpb", CTX_BANK, NULL},
                                       {"tpb", CTX_BANK, NULL},
                                       {"bvbank", CTX_BANK, NULL},
                                       {"vietbank", CTX_BANK, NULL},
                                       {"ncb", CTX_BANK, NULL},
                                       {"oceanbank", CTX_BANK, NULL},
                                       {"gpbank", CTX_BANK, NULL},
                                       {"pgbank", CTX_BANK, NULL},
                                       {"saigonbank", CTX_BANK, NULL},
                                       {"dong a bank", CTX_BANK, NULL},
                                       {"donga bank", CTX_BANK, NULL},
                                       {"vietabank", CTX_BANK, NULL},
                                       {"baovietbank", CTX_BANK, NULL},
                                       {"tnex", CTX_BANK, NULL},
                                       {"ubank", CTX_BANK, NULL},
                                       {"shinhan", CTX_BANK, NULL},
                                       {"hsbc", CTX_BANK, NULL},
                                       {"uob", CTX_BANK, NULL},
                                       {"woori", CTX_BANK, NULL},
                                       {"so the", CTX_CARD, NULL},
                                       {"the", CTX_CARD, "thẻ"},
                                       {"master", CTX_CARD, NULL},
                                       {"the cao", CTX_ORDER, NULL},
                                       {"the nap", CTX_ORDER, NULL},
                                       {"the game", CTX_ORDER, NULL},
                                       {"the dien thoai", CTX_ORDER, NULL},
                                       {"the dt", CTX_ORDER, NULL},
                                       {"the thanh vien", CTX_ORDER, NULL},
                                       {"the hoi vien", CTX_ORDER, NULL},
                                       {"the khach hang", CTX_ORDER, NULL},
                                       {"the tich diem", CTX_ORDER, NULL},
                                       {"the vip", CTX_ORDER, NULL},
                                       {"the sinh vien", CTX_ORDER, NULL},
                                       {"the nhan vien", CTX_ORDER, NULL},
                                       {"the xe", CTX_ORDER, NULL},
                                       {"the thu vien", CTX_ORDER, NULL},
                                       {"the bhyt", CTX_ORDER, NULL},
                                       {"the bao hiem", CTX_ORDER, NULL},
                                       {"the qua tang", CTX_ORDER, NULL},
                                       {"gift card", CTX_ORDER, NULL},
                                       {"the visa", CTX_CARD, NULL},
                                       {"the tin dung", CTX_CARD, NULL},
                                       {"the ghi no", CTX_CARD, NULL},
                                       {"the atm", CTX_CARD, NULL},
                                       {"card", CTX_CARD, NULL},
                                       {"visa", CTX_CARD, NULL},
                                       {"mastercard", CTX_CARD, NULL},
                                       {"master card", CTX_CARD, NULL},
                                       {"jcb", CTX_CARD, NULL},
                                       {"amex", CTX_CARD, NULL},
                                       {"napas", CTX_CARD, NULL},
                                       {"credit card", CTX_CARD, NULL},
                                       {"debit card", CTX_CARD, NULL},
                                       {"cccd", CTX_CCCD, NULL},
                                       {"can cuoc", CTX_CCCD, NULL},
                                       {"can cuoc cong dan", CTX_CCCD, NULL},
                                       {"so dinh danh", CTX_CCCD, NULL},
                                       {"dinh danh", CTX_CCCD, NULL},
                                       {"ma dinh danh", CTX_CCCD, NULL},
                                       {"citizen id", CTX_CCCD, NULL},
                                       {"id card", CTX_CCCD, NULL},
                                       {"cmnd", CTX_CMND, NULL},
                                       {"chung minh nhan dan", CTX_CMND, NULL},
                                       {"chung minh thu", CTX_CMND, NULL},
                                       {"chung minh", CTX_CMND, NULL},
                                       {"cmt", CTX_CMND, NULL},
                                       {"cmtnd", CTX_CMND, NULL},
                                       {"so cm", CTX_CMND, NULL},
                                       {"giay cm", CTX_CMND, NULL},
                                       {"mst", CTX_TAX, NULL},
                                       {"ma so thue", CTX_TAX, NULL},
                                       {"ma thue", CTX_TAX, NULL},
                                       {"tax code", CTX_TAX, NULL},
                                       {"tax id", CTX_TAX, NULL},
                                       {"msdn", CTX_TAX, NULL},
                                       {"ma so doanh nghiep", CTX_TAX, NULL},
                                       {"ma doanh nghiep", CTX_TAX, NULL},
                                       {"dkkd", CTX_TAX, NULL},
                                       {"ma don", CTX_ORDER, NULL},
                                       {"ma don hang", CTX_ORDER, NULL},
                                       {"don hang", CTX_ORDER, NULL},
                                       {"van don", CTX_ORDER, NULL},
                                       {"ma van don", CTX_ORDER, NULL},
                                       {"order", CTX_ORDER, NULL},
                                       {"order id", CTX_ORDER, NULL},
                                       {"ma gd", CTX_ORDER, NULL},
                                       {"ma giao dich", CTX_ORDER, NULL},
                                       {"giao dich", CTX_ORDER, NULL},
                                       {"hoa don", CTX_ORDER, NULL},
                                       {"so hoa don", CTX_ORDER, NULL},
                                       {"invoice", CTX_ORDER, NULL},
                                       {"tracking", CTX_ORDER, NULL},
                                       {"ma kien", CTX_ORDER, NULL},
                                       {"ma vach", CTX_ORDER, NULL},
                                       {"barcode", CTX_ORDER, NULL},
                                       {"sku", CTX_ORDER, NULL},
                                       {"serial", CTX_ORDER, NULL},
                                       {"seri", CTX_ORDER, NULL},
                                       {"imei", CTX_ORDER, NULL},
                                       {"ma sp", CTX_ORDER, NULL},
                                       {"ma san pham", CTX_ORDER, NULL},
                                       {"otp", CTX_ORDER, NULL},
                                       {"ma xac nhan", CTX_ORDER, NULL},
                                       {"ma xac thuc", CTX_ORDER, NULL},
                                       {"ma pin", CTX_ORDER, NULL},
                                       {"so cong van", CTX_ORDER, NULL},
                                       {"so van ban", CTX_ORDER, NULL},
                                       {"quyet dinh", CTX_ORDER, NULL},
                                       {"so hieu", CTX_ORDER, NULL},
                                       {"ma ho so", CTX_ORDER, NULL},
                                       {"so ho so", CTX_ORDER, NULL},
                                       {"bien so", CTX_ORDER, NULL},
                                       {"so bao danh", CTX_ORDER, NULL},
                                       {"sbd", CTX_ORDER, NULL},
                                       {"mssv", CTX_ORDER, NULL},
                                       {"ma sinh vien", CTX_ORDER, NULL},
                                       {"ma nhan vien", CTX_ORDER, NULL},
                                       {"ma kh", CTX_ORDER, NULL},
                                       {"ma khach hang", CTX_ORDER, NULL},
                                       {"bhxh", CTX_ORDER, NULL},
                                       {"bhyt", CTX_ORDER, NULL},
                                       {"ma so", CTX_ORDER, NULL},
                                       {"code", CTX_ORDER, NULL},
                                       {"ref", CTX_ORDER, NULL},
                                       {"ma", CTX_ORDER, "=mã"},
                                       {"hop dong", CTX_ORDER, NULL},
                                       {"so hd", CTX_ORDER, NULL},
                                       {"ma hd", CTX_ORDER, NULL},
                                       {"phieu", CTX_ORDER, NULL},
                                       {"ma tra cuu", CTX_ORDER, NULL},
                                       {"ma dat cho", CTX_ORDER, NULL},
                                       {"ma booking", CTX_ORDER, NULL},
                                       {"ma ve", CTX_ORDER, NULL},
                                       {"so ve", CTX_ORDER, NULL},
                                       {"ma hang", CTX_ORDER, NULL},
                                       {"ma bao hanh", CTX_ORDER, NULL},
                                       {"ma thanh toan", CTX_ORDER, NULL},
                                       {"so giao dich", CTX_ORDER, NULL},
                                       {"ma tham chieu", CTX_ORDER, NULL},
                                       {"so tham chieu", CTX_ORDER, NULL},
                                       {"reference", CTX_ORDER, NULL},
                                       {"so lo", CTX_ORDER, NULL},
                                       {"ma lo", CTX_ORDER, NULL},
                                       {"ma buu chinh", CTX_ORDER, NULL},
                                       {"postal code", CTX_ORDER, NULL},
                                       {"ma the", CTX_ORDER, NULL},
                                       {"ma nap", CTX_ORDER, NULL},
                                       {"lo hang", CTX_ORDER, NULL},
                                       {"kien hang", CTX_ORDER, NULL},
                                       {"giam gia", CTX_ORDER, NULL},
                                       {"voucher", CTX_ORDER, NULL},
                                       {"coupon", CTX_ORDER, NULL},
                                       {"khuyen mai", CTX_ORDER, NULL},
                                       {"facebook", CTX_SOCIAL, NULL},
                                       {"fb", CTX_SOCIAL, NULL},
                                       {"face", CTX_SOCIAL, NULL},
                                       {"instagram", CTX_SOCIAL, NULL},
                                       {"insta", CTX_SOCIAL, NULL},
                                       {"ig", CTX_SOCIAL, NULL},
                                       {"tiktok", CTX_SOCIAL, NULL},
                                       {"tik tok", CTX_SOCIAL, NULL},
                                       {"telegram", CTX_SOCIAL, NULL},
                                       {"twitter", CTX_SOCIAL, NULL},
                                       {"skype", CTX_SOCIAL, NULL},
                                       {"wechat", CTX_SOCIAL, NULL},
                                       {"gpkd", CTX_TAX, NULL},
                                       {"giay phep", CTX_TAX, NULL},
                                       {NULL, 0, NULL}};

static const sl__kw currency_words[] = {
    {"d", 1, NULL},      {"dong", 1, NULL}, {"vnd", 1, NULL},    {"usd", 1, NULL},
    {"trieu", 1, NULL},  {"ty", 1, NULL},   {"ti", 1, NULL},     {"nghin", 1, NULL},
    {"ngan", 1, "ngàn"}, {"eur", 1, NULL},  {"euro", 1, NULL},   {"yen", 1, NULL},
    {"xu", 1, NULL},     {"cent", 1, NULL}, {"dollar", 1, NULL}, {NULL, 0, NULL}};

/* Does a currency word start at cell j? "ngân hàng" (also written "ngan hang") after a number
 * names its bank, it is not "ngàn", thousand. Returns the cell after the word, or 0. */
static size_t currency_at(const sl__cells *c, size_t j)
{
    for (int k = 0; currency_words[k].w; k++) {
        if (j >= c->n || c->f[j] != currency_words[k].w[0]) continue;
        size_t e = sl__kw_at(c, j, currency_words[k].w);
        bool bare;
        if (!e ||
            (currency_words[k].exact && !sl__cells_exact(c, j, e, currency_words[k].exact, &bare)))
            continue;
        if (c->f[j] == 'n' && sl__kw_at(c, j, "ngan hang")) continue;
        return e;
    }
    return 0;
}

/* A number as read: groups of digits with one separator kind. */
typedef struct numtok {
    size_t gs[MAXG], ge[MAXG]; /* cells of each group */
    int ng;
    char sep;         /* ' ', '.', '-' or 0 for a single group (the first one when mixed) */
    char seps[MAXG];  /* seps[g]: the separator before group g (g >= 1) */
    bool mixed;       /* read with read_mixed and its separators differ */
    char d[MAXD + 1]; /* the digits (the first MAXD) */
    int nd;           /* total digits, may exceed MAXD */
} numtok;

static int glen(const numtok *t, int k)
{
    return (int)(t->ge[k] - t->gs[k]);
}

static bool is_sep(char ch)
{
    return ch == ' ' || ch == '.' || ch == '-';
}

/* Reads the groups of the number whose first digit is cell i; `mixed` lets the separator kind
 * change between groups ("024.6650 6222", "0912-345.678"), which only phones accept. */
static void read_groups(const sl__cells *c, size_t i, numtok *t, bool mixed)
{
    memset(t, 0, sizeof *t);
    for (;;) {
        size_t j = i;
        while (sl__c_digit(c, j)) {
            if (t->nd < MAXD) t->d[t->nd] = c->f[j];
            t->nd++;
            j++;
        }
        t->gs[t->ng] = i;
        t->ge[t->ng] = j;
        t->ng++;
        if (t->ng == MAXG || j + 1 >= c->n || !is_sep(c->f[j]) || !sl__c_digit(c, j + 1)) break;
        if (t->sep && c->f[j] != t->sep && !mixed) break;
        if (c->f[j] == ' ') { /* a long group stands alone: "số 1 0912345678" */
            size_t k = j + 1;
            while (sl__c_digit(c, k)) k++;
            if (j - i >= 8 || k - (j + 1) >= 8) break;
        }
        if (t->sep && c->f[j] != t->sep) t->mixed = true;
        if (!t->sep) t->sep = c->f[j];
        t->seps[t->ng] = c->f[j];
        i = j + 1;
    }
    t->d[t->nd < MAXD ? t->nd : MAXD] = '\0';
}

/* The groups of the number whose first digit is cell i, with one separator kind. */
static void read_token(const sl__cells *c, size_t i, numtok *t)
{
    read_groups(c, i, t, false);
}

/* Digits in the run starting at cell s. */
static size_t run_after(const sl__cells *c, size_t s)
{
    size_t n = 0;
    while (sl__c_digit(c, s)) s++, n++;
    return n;
}

/* Digits of the grouped number ending before cell e ("0972.169.129" -> 9). */
static size_t digits_before(const sl__cells *c, size_t e)
{
    size_t n = 0; /* stops at 9: the callers only ask for a phone's worth */
    for (; e > 0 && n < 9; e--) {
        if (sl__c_digit(c, e - 1))
            n++;
        else if (!(e > 1 && is_sep(c->f[e - 1]) && sl__c_digit(c, e - 2)))
            break;
    }
    return n;
}

static bool ends_with(const sl__cells *c, size_t e, const char *w)
{
    size_t n = strlen(w);
    return e >= n && memcmp(c->f + e - n, w, n) == 0;
}

/* Phones are written in lists and glued to their label more than other numbers are:
 * "0985864545/0936819993", "0906877098_0985659997", "zalo.me/0962330141", "sđt0912345678",
 * "#Sđt_0367387746". Left of cell s, is one of those? */
static bool phone_left_relaxed(const sl__cells *c, size_t s)
{
    size_t p = s - 1;
    char ch = c->f[p];
    if ((ch == '/' || ch == '_') && digits_before(c, p) >= 9) return true;
    if ((ch == '_' || ch == '/') && (p == 0 || !sl__c_alnum(c, p - 1))) return true;
    if (ch == '/' && (ends_with(c, p, "zalo.me") || ends_with(c, p, "wa.me"))) return true;
    size_t e = ch == '_' ? p : s, w = e;
    while (w > 0 && sl__c_alpha(c, w - 1) && e - w < 16) w--;
    if (w == e || (w > 0 && sl__c_alnum(c, w - 1))) return false;
    for (size_t j = w; j < e; j++)
        if (c->fl[j] & SL__CF_MARKED) return true; /* a Vietnamese word: "nhé0971079388" */
    static const char *const words[] = {"ngay", "so",  "em",  "anh", "chi", "minh",
                                        "la",   "nha", "nhe", "qua", "toi", NULL};
    for (int k = 0; words[k]; k++) /* the same words typed without diacritics, in lowercase */
        if (strlen(words[k]) == e - w && memcmp(c->f + w, words[k], e - w) == 0 &&
            (c->fl[w] & SL__CF_LOWER) && (c->fl[e - 1] & SL__CF_LOWER))
            return true;
    for (int k = 0; context_words[k].w; k++)
        if (context_words[k].tag == CTX_PHONE && strlen(context_words[k].w) == e - w &&
            memcmp(c->f + w, context_words[k].w, e - w) == 0)
            return true;
    return false;
}

/* Right of a phone ending at cell e: another phone after '/' or '_', a '/' closing the list,
 * or a Vietnamese word glued on ("0918830308gặp": codes are ASCII, words carry diacritics). */
static bool phone_right_relaxed(const sl__cells *c, size_t e)
{
    char ch = c->f[e];
    if (ch == '/' || ch == '_') { /* another phone, or the end of the list */
        size_t j = e + 1;
        if (j >= c->n || !sl__c_alnum(c, j)) return ch == '/';
        return c->f[j] == '0' && run_after(c, j) >= 3;
    }
    if (!sl__c_alpha(c, e)) return false;
    size_t w = e;
    while (sl__c_alpha(c, w)) w++;
    for (int k = 0; currency_words[k].w; k++) /* "0912.345.678đ" is a price */
        if (strlen(currency_words[k].w) == w - e &&
            memcmp(c->f + e, currency_words[k].w, w - e) == 0)
            return false;
    for (size_t j = e; j < w && j - e < 12; j++)
        if (c->fl[j] & SL__CF_MARKED) return true;
    return false;
}

/* Is cell e (just after a number) a clean right edge? `phone` allows the phone-list forms. */
static bool right_edge_ok(const sl__cells *c, size_t e, bool phone)
{
    if (e >= c->n) return true;
    if (phone && phone_right_relaxed(c, e)) return true;
    char ch = c->f[e];
    if (sl__c_alnum(c, e) || ch == '/' || ch == '@' || ch == '_' || ch == '%' || ch == '\\')
        return false;
    if ((ch == '.' || ch == '-' || ch == ',' || ch == ':' || ch == '+') && sl__c_digit(c, e + 1))
        return false;
    size_t j = e;
    while (sl__c_space(c, j)) j++;
    if (j < c->n && c->f[j] == '$') return false;
    return !currency_at(c, j);
}

/* Is the number whose first cell is s free on its left? */
static bool left_edge_ok(const sl__cells *c, size_t s)
{
    if (s == 0) return true;
    size_t p = s - 1;
    char ch = c->f[p];
    if (sl__c_alnum(c, p) || ch == '_' || ch == '@' || ch == '/' || ch == '\\' || ch == '$' ||
        ch == '#' || ch == '&')
        return false;
    if ((ch == '.' || ch == '-' || ch == ',' || ch == ':' || ch == '+') && p > 0 &&
        sl__c_digit(c, p - 1))
        return false;
    if (ch == '+' && c->f[s] != '+') return false;
    return true;
}

/* After taking k of t's groups: may the number end there? A following group is allowed only
 * after a space, when the taken part was one run or the next group starts like a new phone. */
static bool split_ok(const sl__cells *c, const numtok *t, int k, bool phone)
{
    if (k < t->ng) {
        if (t->sep != ' ') return false;
        return k == 1 || c->f[t->gs[k]] == '0';
    }
    return right_edge_ok(c, t->ge[k - 1], phone);
}

/* The nearest context keyword before cell s (same line, not across another number). */
static int context_before(const sl__cells *c, size_t s)
{
    size_t from = sl__line_window(c, s, CTX_WINDOW);
    for (size_t i = s; i > from; i--) {
        if (!sl__c_digit(c, i - 1)) continue;
        /* a code of letters and digits ("240512ABCXYZ") is not a number: a list of codes after
         * "mã đơn hàng" keeps its context */
        size_t a = i - 1, e = i;
        bool letters = false;
        while (a > from && sl__c_alnum(c, a - 1)) letters |= sl__c_alpha(c, --a);
        while (sl__c_alnum(c, e) && e < s) letters |= sl__c_alpha(c, e++);
        if (letters && (c->fl[a] & SL__CF_ASCII) && e < s) {
            i = a + 1;
            continue;
        }
        from = i;
        break;
    }
    int k = sl__kw_last(c, from, s, context_words, NULL);
    return k < 0 ? CTX_NONE : context_words[k].tag;
}

/* A tax-code word right after the number: "0101234567 (MST)". */
static bool tax_after(const sl__cells *c, size_t e)
{
    size_t to = e;
    while (to < c->n && to - e < 16 && !sl__c_newline(c, to) && !sl__c_digit(c, to)) to++;
    int k = sl__kw_last(c, e, to, context_words, NULL);
    return k >= 0 && context_words[k].tag == CTX_TAX;
}

/* Bank names that count as context when written right after the number ("0011004123456
 * Vietcombank", "190312345678 - Techcombank"). Generic words (STK, ngân hàng) and names that are
 * also common abbreviations ("MB" is megabytes) only count before the number. */
static const char *const banks_after[] = {
    "vietcombank", "vcb",       "techcombank", "tcb",        "bidv",       "agribank",
    "mbbank",      "mb bank",   "acb",         "tpbank",     "tp bank",    "vpbank",
    "vp bank",     "sacombank", "vietinbank",  "shb",        "hdbank",     "ocb",
    "msb",         "vib",       "seabank",     "eximbank",   "lpbank",     "lienvietpostbank",
    "scb",         "pvcombank", "abbank",      "nam a bank", "bac a bank", "kienlongbank",
    "timo",        "vietin",    "viettinbank", "vietcom",    "techcom",    "bvbank",
    "vietbank",    "ncb",       "oceanbank",   "saigonbank", "pgbank",     "gpbank",
    "hsbc",        "shinhan",   "woori",       "uob",        "tpb",        "vpb",
    "baovietbank", "vietabank", "sacom",       NULL};

/* Names banks go by in Vietnamese, after "ngân hàng" / "NH": "NH Công Thương". */
static const char *const banks_vn[] = {"cong thuong", "ngoai thuong",
                                       "nong nghiep", "quan doi",
                                       "dau tu",      "a chau",
                                       "ky thuong",   "sai gon",
                                       "tien phong",  "thinh vuong",
                                       "buu dien",    "quoc te",
                                       "hang hai",    "phuong dong",
                                       "dong nam a",  "xuat nhap khau",
                                       "ban viet",    "bac a",
                                       "nam a",       "quoc dan",
                                       "an binh",     "kien long",
                                       "chinh sach",  "viet nam",
                                       "tmcp",        NULL};

static bool word_in(const sl__cells *c, size_t j, const char *const *list)
{
    for (int k = 0; list[k]; k++)
        if (c->f[j] == list[k][0] && sl__kw_at(c, j, list[k])) return true;
    return false;
}

/* Is a bank name directly after the plain number at d0, on its line (spaces and one of
 * "- : ( |" between)? Only for 8+ digits not ending in 000: short or round numbers before a bank
 * name are more often amounts ("chuyển 25000000 Vietcombank") than accounts. */
static bool bank_after(const sl__cells *c, size_t d0)
{
    numtok t;
    read_token(c, d0, &t);
    if (t.nd < 8 || t.nd > MAXD || memcmp(t.d + t.nd - 3, "000", 3) == 0) return false;
    size_t j = t.ge[t.ng - 1];
    while (sl__c_space(c, j)) j++;
    if (j < c->n && strchr("-:(|", c->f[j])) {
        j++;
        while (sl__c_space(c, j)) j++;
    }
    if (j >= c->n || !sl__c_alpha(c, j)) return false;
    size_t w = sl__kw_at(c, j, "ngan hang"); /* "0123456789 ngân hàng Vietinbank" */
    if (!w) w = sl__kw_at(c, j, "nh");
    if (w) {
        while (sl__c_space(c, w)) w++;
        return w < c->n && (word_in(c, w, banks_after) || word_in(c, w, banks_vn));
    }
    return word_in(c, j, banks_after);
}

/* Organizations whose accounts are published for donations or payments: "tài khoản Ban cứu trợ
 * Mặt trận Tổ quốc ... số 0011...", "STK 0123... chủ TK Công ty TNHH ABC". */
static const sl__kw org_words[] = {{"mat tran", 1, NULL},
                                   {"mttq", 1, NULL},
                                   {"ubmttq", 1, NULL},
                                   {"uy ban", 1, NULL},
                                   {"ubnd", 1, NULL},
                                   {"ban cuu tro", 1, NULL},
                                   {"cuu tro", 1, NULL},
                                   {"ban van dong", 1, NULL},
                                   {"chu thap do", 1, NULL},
                                   {"quy", 1, "=quỹ"},
                                   {"quy tu thien", 1, NULL},
                                   {"quy bao tro", 1, NULL},
                                   {"cong ty", 1, NULL},
                                   {"cty", 1, NULL},
                                   {"tnhh", 1, NULL},
                                   {"co phan", 1, NULL},
                                   {"jsc", 1, NULL},
                                   {"doanh nghiep", 1, NULL},
                                   {"benh vien", 1, NULL},
                                   {"trung tam", 1, NULL},
                                   {"truong dai hoc", 1, NULL},
                                   {"dai hoc", 1, NULL},
                                   {"truong thpt", 1, NULL},
                                   {"truong thcs", 1, NULL},
                                   {"truong tieu hoc", 1, NULL},
                                   {"hoi phu nu", 1, NULL},
                                   {"hoi nong dan", 1, NULL},
                                   {"hoi khuyen hoc", 1, NULL},
                                   {"doan thanh nien", 1, NULL},
                                   {"to chuc", 1, NULL},
                                   {"kho bac", 1, NULL},
                                   {"ngan sach", 1, NULL},
                                   {"toa soan", 1, NULL},
                                   {"ban quan ly", 1, NULL},
                                   {"bql", 1, NULL},
                                   {"van phong", 1, NULL},
                                   {"chua", 1, "=chùa"},
                                   {"nha tho", 1, NULL},
                                   {"hoi dong", 1, NULL},
                                   {NULL, 0, NULL}};

static bool clause_end(const sl__cells *c, size_t i)
{
    return sl__c_newline(c, i) || c->f[i] == '!' || c->f[i] == '?' || c->f[i] == ';' ||
           (c->f[i] == '.' && !(i > 0 && sl__c_digit(c, i - 1) && sl__c_digit(c, i + 1)));
}

/* Is an organization named as the holder of the account at cells [s, e): in its clause, within
 * CTX_WINDOW cells before it or 48 after it? Such accounts are public, not personal data. */
static bool org_account(const sl__cells *c, size_t s, size_t e)
{
    size_t from = sl__line_window(c, s, CTX_WINDOW);
    for (size_t i = s; i > from; i--)
        if (clause_end(c, i - 1)) {
            from = i;
            break;
        }
    if (sl__kw_last(c, from, s, org_words, NULL) >= 0) return true;
    size_t to = e;
    while (to < c->n && to - e < 48 && !clause_end(c, to)) to++;
    return sl__kw_last(c, e, to, org_words, NULL) >= 0;
}

/* ---- validators ---------------------------------------------------------------------------- */

static int num(const char *d, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) v = v * 10 + (d[i] - '0');
    return v;
}

bool sl__phone_national_ok(const char *d, size_t n)
{
    if (n < 10 || d[0] != '0') return false;
    int p = num(d + 1, 2);
    if (n == 10) {
        static const char mobile[] = "32 33 34 35 36 37 38 39 52 55 56 58 59 70 76 77 78 79 "
                                     "81 82 83 84 85 86 87 88 89 90 91 92 93 94 96 97 98 99 ";
        char key[4] = {d[1], d[2], ' ', 0};
        return d[1] != '2' && strstr(mobile, key) && (strstr(mobile, key) - mobile) % 3 == 0;
    }
    if (n != 11 || d[1] != '2') return false;
    if (p == 24 || p == 28) return true; /* Hà Nội, TP HCM: 02x + 8 digits */
    static const short area[] = {203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 213, 214, 215,
                                 216, 218, 219, 220, 221, 222, 225, 226, 227, 228, 229, 232, 233,
                                 234, 235, 236, 237, 238, 239, 251, 252, 254, 255, 256, 257, 258,
                                 259, 260, 261, 262, 263, 269, 270, 271, 272, 273, 274, 275, 276,
                                 277, 290, 291, 292, 293, 294, 296, 297, 299};
    int a = num(d + 1, 3);
    for (size_t i = 0; i < sizeof area / sizeof area[0]; i++)
        if (area[i] == a) return true;
    return false;
}

bool sl__cccd_ok(const char *d, int this_year)
{
    static const unsigned char province[] = {
        1,  2,  4,  6,  8,  10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33,
        34, 35, 36, 37, 38, 40, 42, 44, 45, 46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66,
        67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92, 93, 94, 95, 96};
    for (int i = 0; i < 12; i++)
        if (d[i] < '0' || d[i] > '9') return false;
    int code = num(d, 3);
    bool known = false;
    for (size_t i = 0; i < sizeof province; i++) known |= province[i] == code;
    if (!known) return false;
    int century = 1900 + ((d[3] - '0') / 2) * 100; /* 0/1: 1900s, 2/3: 2000s, 4/5: 2100s ... */
    int year = century + num(d + 4, 2);
    return year <= this_year;
}

bool sl__luhn_ok(const char *d, size_t n)
{
    int sum = 0;
    for (size_t i = 0; i < n; i++) {
        int v = d[n - 1 - i] - '0';
        if (i % 2 == 1) {
            v *= 2;
            if (v > 9) v -= 9;
        }
        sum += v;
    }
    return n > 0 && sum % 10 == 0;
}

bool sl__card_iin_ok(const char *d, size_t n)
{
    int p2 = num(d, 2), p3 = num(d, 3), p4 = num(d, 4);
    if (d[0] == '4') return n == 13 || n == 16 || n == 19;                    /* Visa */
    if ((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) return n == 16; /* Mastercard */
    if (p2 == 34 || p2 == 37) return n == 15;                                 /* Amex */
    if (p4 >= 3528 && p4 <= 3589) return n >= 16;                             /* JCB */
    if (p4 == 9704) return n == 16 || n == 19;                                /* NAPAS */
    if (p2 == 62) return n >= 16;                                             /* UnionPay */
    if (p4 == 6011 || p2 == 65 || (p3 >= 644 && p3 <= 649)) return n >= 16;   /* Discover */
    if ((p3 >= 300 && p3 <= 305) || p2 == 36 || p2 == 38 || p2 == 39) return n >= 14; /* Diners */
    return false;
}

static int this_year(void)
{
    time_t now = time(NULL);
    struct tm tm;
    if (!gmtime_r(&now, &tm)) return 2026;
    return tm.tm_year + 1900;
}

/* ---- phones -------------------------------------------------------------------------------- */

typedef struct phone {
    size_t end; /* cell after the last digit */
    int groups; /* groups of the token consumed */
    float score;
} phone;

/* Skips one optional separator. */
static size_t opt_sep(const sl__cells *c, size_t q)
{
    return (q < c->n && is_sep(c->f[q])) ? q + 1 : q;
}

static bool at(const sl__cells *c, size_t i, const char *s)
{
    for (; *s; s++, i++)
        if (i >= c->n || c->f[i] != *s) return false;
    return true;
}

enum { P_DOMESTIC, P_PLUS, P_BARE, P_AREA };

#define NONE ((size_t)-1)

/* An area code in parentheses at cell q ("(028)", "(0203)", or "(24)" after +84): appends its
 * digits to pre and returns the cell after ')', or NONE. */
static size_t area_paren(const sl__cells *c, size_t q, char *pre, int *npre)
{
    int start = *npre;
    q++;
    while (sl__c_digit(c, q) && *npre - start < 5) pre[(*npre)++] = c->f[q++];
    if (*npre < 3 || *npre > 4 || pre[0] != '0' || pre[1] != '2' || !at(c, q, ")")) return NONE;
    return q + 1;
}

/* Reads the prefix of a phone at cell s: sets *kind, the national prefix digits (area code in
 * parentheses, or "0" for +84), and returns the cell of the first digit of the rest (NONE: none).
 */
static size_t phone_prefix(const sl__cells *c, size_t s, int *kind, char *pre, int *npre)
{
    size_t q = s;
    *npre = 0;
    if (c->f[q] == '(') {
        q++;
        if (at(c, q, "+84)") || at(c, q, "84)")) {
            *kind = P_PLUS;
            q += c->f[q] == '+' ? 4 : 3;
        } else if (c->f[q] == '0') {
            q = area_paren(c, q - 1, pre, npre);
            if (q == NONE) return NONE;
            *kind = P_AREA;
        } else {
            return NONE;
        }
        if (sl__c_space(c, q)) q++;
        return sl__c_digit(c, q) ? q : NONE;
    }
    if (c->f[q] == '+') {
        q++;
        if (sl__c_space(c, q)) q++;
        if (!at(c, q, "84")) return NONE;
        *kind = P_PLUS;
        q = opt_sep(c, q + 2);
        if (at(c, q, "(0)")) q = opt_sep(c, q + 3);
        if (c->f[q] == '(') { /* "+84 (24) 3825 3536" */
            pre[(*npre)++] = '0';
            q = area_paren(c, q, pre, npre);
            if (q == NONE) return NONE;
            *kind = P_AREA;
            if (sl__c_space(c, q)) q++;
        }
        return sl__c_digit(c, q) ? q : NONE;
    }
    if (at(c, q, "0084")) {
        *kind = P_PLUS;
        q = opt_sep(c, q + 4);
        return sl__c_digit(c, q) ? q : NONE;
    }
    if (at(c, q, "84")) {
        *kind = P_BARE;
        q += 2;
        if (sl__c_space(c, q)) q++;
        return sl__c_digit(c, q) ? q : NONE;
    }
    *kind = P_DOMESTIC;
    return c->f[q] == '0' ? q : NONE;
}

/* Did the groups taken so far ([0, k) of a mixed token) change separator kind? */
static bool taken_mixed(const numtok *t, int k)
{
    for (int g = 2; g < k; g++)
        if (t->seps[g] != t->seps[1]) return true;
    return false;
}

/* May a phone read from a mixed token end after its first k groups? Only when the phone itself
 * mixes separators (else the one-kind reading decided), and then like split_ok: the end of the
 * number, or a space before another phone. "0912.345.678-901" and "0356.789.012-001" stay
 * rejected. */
static bool mixed_split_ok(const sl__cells *c, const numtok *t, int k)
{
    if (!taken_mixed(t, k)) return false;
    if (k < t->ng) return t->seps[k] == ' ' && c->f[t->gs[k]] == '0';
    return right_edge_ok(c, t->ge[k - 1], true);
}

/* A national number from the groups of t after the prefix digits nat[0, npre). */
static bool phone_from_token(const sl__cells *c, int kind, const char *pre, int npre,
                             const numtok *t, phone *ph)
{
    char nat[16];
    memcpy(nat, pre, (size_t)npre);
    int k = 0, n = npre;
    for (; k < t->ng && n < 11; k++) {
        if (n + glen(t, k) > 11) break;
        memcpy(nat + n, t->d + (n - npre), (size_t)glen(t, k));
        n += glen(t, k);
        if (n >= 3 && n == (nat[1] == '2' ? 11 : 10)) {
            k++;
            break;
        }
    }
    if (n < 10 || n != (nat[1] == '2' ? 11 : 10) || !sl__phone_national_ok(nat, (size_t)n))
        return false;
    int shortg = 0;
    for (int g = 0; g < k; g++) /* "(0236) 3 821 234": a landline's first digit may stand alone */
        shortg += glen(t, g) < 2 && !(kind == P_AREA && g == 0);
    bool spaced = false;
    if (t->mixed) { /* "024.6650 6222": 2-4 groups of 2+ digits, written the usual ways */
        if (shortg || k > 4 || !mixed_split_ok(c, t, k)) return false;
    } else {
        spaced = shortg == k && k >= 9; /* "0 9 1 2 3 4 5 6 7 8": spaced out to evade filters */
        if ((!spaced && (shortg || k > 5)) || !split_ok(c, t, k, true)) return false;
    }
    ph->end = t->ge[k - 1];
    ph->groups = k;
    ph->score = nat[1] == '2' ? 0.8f : 0.85f;
    if (kind == P_BARE || spaced) ph->score = 0.7f;
    if (k == 5) ph->score -= 0.1f;
    return true;
}

/* Parses a phone starting at cell s (a digit, '+' or '('): with one separator kind, else with
 * mixed ones. */
static bool parse_phone(const sl__cells *c, size_t s, phone *ph)
{
    int kind, npre;
    char nat[16];
    size_t q = phone_prefix(c, s, &kind, nat, &npre);
    if (q == NONE) return false;
    if (kind == P_PLUS || kind == P_BARE) {
        if (c->f[q] == '0' && kind == P_PLUS) /* "+84 0912..." keeps its 0 */
            npre = 0;
        else
            nat[npre++] = '0';
    }
    numtok t;
    read_token(c, q, &t);
    if (kind == P_BARE && t.sep && t.sep != ' ') return false; /* "84.912.345.678" is money */
    if (phone_from_token(c, kind, nat, npre, &t, ph)) return true;
    if (kind == P_BARE) return false; /* "84 912.345 678": too little to go on */
    read_groups(c, q, &t, true);
    return t.mixed && phone_from_token(c, kind, nat, npre, &t, ph);
}

/* ---- the other numbers --------------------------------------------------------------------- */

/* Takes the first groups of t holding exactly `want` digits; returns how many, or 0. */
static int take_digits(const sl__cells *c, const numtok *t, int want)
{
    int n = 0;
    for (int k = 0; k < t->ng; k++) {
        n += glen(t, k);
        if (n == want) return split_ok(c, t, k + 1, false) ? k + 1 : 0;
        if (n > want) return 0;
    }
    return 0;
}

/* Card groupings: one run, fours with a shorter last group, Amex 4-6-5, Diners 4-6-4. */
static bool card_groups_ok(const numtok *t, int k)
{
    if (k == 1) return true;
    if (t->sep == '.') return false;
    if (k == 3 && glen(t, 0) == 4 && glen(t, 1) == 6 && (glen(t, 2) == 5 || glen(t, 2) == 4))
        return true;
    for (int g = 0; g < k - 1; g++)
        if (glen(t, g) != 4) return false;
    return glen(t, k - 1) >= 1 && glen(t, k - 1) <= 4;
}

/* An expiry date written right after a card, "4111 1111 1111 1111 09/28": the group after the
 * card is a month followed by '/'. */
static bool expiry_next(const sl__cells *c, const numtok *t, int k)
{
    if (k >= t->ng || t->seps[k] != ' ' || glen(t, k) != 2 || t->ge[k] >= c->n) return false;
    return c->f[t->ge[k]] == '/' && sl__c_digit(c, t->ge[k] + 1);
}

/* A card: 13-19 Luhn-valid digits in a card grouping, from a known issuer range unless a card
 * word stands before it (any_issuer: "Thẻ của chị ấy 5890 1234 5678 9017"). */
static int try_card(const sl__cells *c, const numtok *t, bool any_issuer)
{
    for (int want = 13; want <= 19; want++) {
        int k = take_digits(c, t, want);
        if (!k) { /* the digits may be followed by the expiry date */
            int n = 0;
            for (k = 0; k < t->ng && n < want; k++) n += glen(t, k);
            if (n != want || !expiry_next(c, t, k)) k = 0;
        }
        if (k > 1 && k < t->ng && glen(t, k) <= 4 && !expiry_next(c, t, k))
            k = 0; /* "6304 0000 0000 0000 0000": one more group of the same number */
        if (k && card_groups_ok(t, k) && sl__luhn_ok(t->d, (size_t)want) &&
            (any_issuer || sl__card_iin_ok(t->d, (size_t)want)))
            return k;
    }
    return 0;
}

/* Groups of three after a dot, like 1.200.000, are an amount of money. */
static bool money_shaped(const numtok *t)
{
    if (t->sep != '.' && t->sep != ',') return false;
    for (int g = 1; g < t->ng; g++)
        if (glen(t, g) != 3) return false;
    return glen(t, 0) <= 3;
}

typedef struct found {
    int output; /* sl_detector_output */
    size_t start, end;
    float score;
    unsigned bit;
} found;

/* Citizen IDs: CCCD by structure (any context but a foreign one), CMND only after ID words. */
static int as_id(const sl__cells *c, const numtok *t, size_t s, int ctx, int year, found *f)
{
    bool id_ctx = ctx == CTX_CCCD || ctx == CTX_CMND;
    int k = take_digits(c, t, 12);
    if (k && sl__cccd_ok(t->d, year) && !tax_after(c, t->ge[k - 1])) {
        if (ctx != CTX_NONE && ctx != CTX_PHONE && !id_ctx) return 0;
        *f = (found){SL_DETOUT_CCCD, s, t->ge[k - 1], id_ctx ? 0.95f : 0.65f, SL_DET_CCCD};
        return k;
    }
    k = take_digits(c, t, 9);
    if (k && id_ctx) {
        *f = (found){SL_DETOUT_CMND, s, t->ge[k - 1], 0.9f, SL_DET_CMND};
        return k;
    }
    return 0;
}

/* A bank account: the whole number, 6-19 digits, not an amount of money. A number that goes on
 * with another separator kind ("STK 0011.004 123456") is read whole, not cut at the change. */
static int as_bank(const sl__cells *c, const numtok *t, size_t s, found *f)
{
    numtok m;
    size_t e = t->ge[t->ng - 1];
    if (e + 1 < c->n && is_sep(c->f[e]) && sl__c_digit(c, e + 1)) {
        read_groups(c, t->gs[0], &m, true);
        t = &m;
    }
    if (t->nd < 6 || t->nd > 19 || money_shaped(t) || !split_ok(c, t, t->ng, false)) return 0;
    *f = (found){SL_DETOUT_BANK_ACCOUNT, s, t->ge[t->ng - 1], 0.9f, SL_DET_BANK_ACCOUNT};
    return t->ng;
}

/* Decides what the number at s (first digit d0) is; returns the groups consumed or 0.
 * phone_only: its left edge is one only phones may have (a list joiner, a glued label). */
static int classify(const sl__cells *c, size_t s, size_t d0, int ctx, int year, bool phone_only,
                    found *f)
{
    if (ctx == CTX_TAX || ctx == CTX_ORDER) return 0;
    numtok t;
    read_token(c, d0, &t);
    bool plain = s == d0 && !phone_only; /* digits only: no "+84" or "(" before them */
    int k = plain ? try_card(c, &t, ctx == CTX_CARD) : 0;
    int card_digits = 0;
    for (int g = 0; g < k; g++) card_digits += glen(&t, g);
    if (ctx == CTX_BANK && card_digits == 13) /* Agribank's 13-digit accounts, not old Visas */
        k = 0;
    if (k) { /* a valid card number is a card, whichever bank is named before it */
        *f = (found){SL_DETOUT_CARD, s, t.ge[k - 1], ctx == CTX_CARD ? 0.98f : 0.9f, SL_DET_CARD};
        return k;
    }
    if (plain && ctx == CTX_BANK) {
        k = as_bank(c, &t, s, f);
        return k && org_account(c, s, f->end) ? 0 : k;
    }
    phone ph;
    if (parse_phone(c, s, &ph) && (ctx != CTX_BANK || s != d0)) {
        if (tax_after(c, ph.end)) return 0;
        float sc = ph.score + (ctx == CTX_PHONE ? 0.1f : 0.0f);
        *f = (found){SL_DETOUT_PHONE, s, ph.end, sc > 0.98f ? 0.98f : sc, SL_DET_PHONE};
        return ph.groups;
    }
    return plain ? as_id(c, &t, s, ctx, year, f) : 0;
}

static bool number_start(const sl__cells *c, size_t i, size_t *d0)
{
    char ch = c->f[i];
    if (sl__c_digit(c, i)) {
        *d0 = i;
        return true;
    }
    size_t j = i + 1;
    if (ch == '(' && j < c->n && c->f[j] == '+') j++;
    if (ch == '+' && sl__c_space(c, j)) j++;
    if ((ch == '(' || ch == '+') && sl__c_digit(c, j)) {
        *d0 = j;
        return true;
    }
    return false;
}

/* The cell after a number that was not personal data: its groups as read, and anything joined
 * to them without a space ("12/05/2023", "1.200.000"). "39 0977744315" stops after 39. */
static size_t skip_number(const sl__cells *c, size_t d0)
{
    numtok t;
    read_token(c, d0, &t);
    size_t i = t.ge[t.ng - 1];
    while (i + 1 < c->n && strchr(".-,/:", c->f[i]) && sl__c_digit(c, i + 1)) {
        i++;
        while (sl__c_digit(c, i)) i++;
    }
    return i;
}

/* Fewer than 6 digits from d0 on, however its separators are read: every detector here needs
 * more (bank accounts 6, CMND 9, phones 10). */
static bool too_short(const sl__cells *c, size_t d0)
{
    int n = 0;
    for (size_t j = d0; j < c->n && n < 6; j++) {
        if (sl__c_digit(c, j))
            n++;
        else if (!(is_sep(c->f[j]) && sl__c_digit(c, j + 1)))
            break;
    }
    return n < 6;
}

sl_status sl__pii_numbers(sl__cells *c, unsigned enabled, sl_hits *out)
{
    int year = this_year();
    size_t i = 0;
    while (i < c->n) {
        size_t d0;
        if ((c->fl[i] & SL__CF_USED) || !number_start(c, i, &d0)) {
            i++;
            continue;
        }
        bool strict = left_edge_ok(c, i);
        if (!strict && !phone_left_relaxed(c, i)) {
            i = skip_number(c, d0);
            continue;
        }
        if (i == d0 && too_short(c, d0)) { /* "2", "10", "2024": most numbers, no context */
            i = skip_number(c, d0);
            continue;
        }
        found f = {0};
        int ctx = context_before(c, i);
        if (ctx == CTX_NONE && i == d0 && strict && bank_after(c, d0)) ctx = CTX_BANK;
        int k = classify(c, i, d0, ctx, year, !strict, &f);
        if (!k && d0 != i) /* "(0935 123 456)", "+1 ..." : the digits alone */
            k = classify(c, d0, d0, ctx, year, !strict, &f);
        if (!k) {
            i = skip_number(c, d0);
            continue;
        }
        if (enabled & f.bit) {
            uint32_t os, oe;
            sl__cells_span(c, f.start, f.end, &os, &oe);
            sl_status st = sl__push_output(out, f.output, os, oe, f.score);
            if (st) return st;
        }
        i = f.end;
    }
    return SL_OK;
}
