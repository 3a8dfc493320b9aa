/* pii_eval — precision and recall of the personal-data detectors, per type, on labelled cases.
 *
 * A case is one JSON line: {"text": "...", "pii": [["pii.phone", "0912 345 678"], ...],
 * "kind": "neg.price"}. Each expected value is located in the text (in order, each search
 * starting after the previous value), so the hand-written file needs no byte offsets. A hit counts
 * as a true positive only with the expected type AND the exact span; any other hit is a false
 * positive of its type, any unmatched value a false negative of its type. Cases with an empty
 * "pii" list are hard negatives (prices, dates, hotlines, tax codes, public accounts ...).
 *
 * The generated set comes from a fixed-seed generator in this file (templates of Vietnamese
 * social-media phrasing, with and without diacritics, random valid numbers); it is built in
 * memory, or written out with --gen.
 *
 * usage: pii_eval [--gen SEED N]                 write the generated set (JSON lines) to stdout
 *        pii_eval [-v] [--generated SEED N] [--min-precision P] [--min-recall R] [FILES.jsonl]
 * Each source (the generated set, each file) is scored on its own; with floors, the exit status
 * is 1 when any type of any source is below them. */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "detect/pii_internal.h"
#include "sangloc/detect.h"
#include "sangloc/text.h"

#define PII_BITS (SL_DET_ALL & ~(unsigned)SL_DET_MARKING)
#define MAXE     4

static const char *const types[] = {"pii.phone", "pii.cccd",         "pii.cmnd",     "pii.card",
                                    "pii.email", "pii.bank_account", "pii.passport", NULL};
#define NTYPES 7

typedef struct ecase {
    char text[768];
    char kind[32];
    int ne;
    const char *type[MAXE];
    char value[MAXE][64];
} ecase;

/* ---- the generator ------------------------------------------------------------------------- */

static uint64_t rng_state;

static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int rn(int n)
{
    return (int)(rnd() % (uint64_t)n);
}

#define PICK(a) ((a)[rn((int)(sizeof(a) / sizeof((a)[0])))])

static void digits(char *d, int n)
{
    for (int i = 0; i < n; i++) d[i] = (char)('0' + rn(10));
    d[n] = '\0';
}

/* Writes the digits of d (n of them) grouped by sizes g[] joined by sep. */
static void grouped(char *out, const char *d, const int *g, int ng, char sep)
{
    size_t o = 0;
    for (int k = 0, p = 0; k < ng; k++) {
        if (k && sep) out[o++] = sep;
        memcpy(out + o, d + p, (size_t)g[k]);
        o += (size_t)g[k];
        p += g[k];
    }
    out[o] = '\0';
}

static void gen_phone(char *v)
{
    static const char *const mob[] = {"032", "033", "034", "035", "036", "037", "038", "039",
                                      "052", "056", "058", "070", "076", "077", "078", "079",
                                      "081", "083", "084", "085", "086", "088", "090", "091",
                                      "093", "094", "096", "097", "098", "099"};
    char d[16];
    int f = rn(14);
    if (f == 13) { /* landline */
        bool hn = rn(2);
        snprintf(d, sizeof d, "%s", hn ? "024" : "028");
        digits(d + 3, 8);
        d[3] = (char)('3' + rn(4));
        static const int g[] = {3, 4, 4};
        if (rn(2)) {
            char rest[12];
            grouped(rest, d + 3, (const int[]){4, 4}, 2, ' ');
            sprintf(v, "(%s) %s", hn ? "024" : "028", rest);
        } else {
            grouped(v, d, g, 3, rn(2) ? '.' : ' ');
        }
        return;
    }
    memcpy(d, PICK(mob), 3);
    digits(d + 3, 7);
    static const int g433[] = {4, 3, 3}, g343[] = {3, 4, 3}, g3331[] = {3, 3, 4};
    switch (f) {
    case 0:
    case 1:
    case 2:
        strcpy(v, d);
        break;
    case 3:
        grouped(v, d, g433, 3, ' ');
        break;
    case 4:
        grouped(v, d, g433, 3, '.');
        break;
    case 5:
        grouped(v, d, g433, 3, '-');
        break;
    case 6:
        grouped(v, d, g343, 3, '.');
        break;
    case 7:
        grouped(v, d, g3331, 3, ' ');
        break;
    case 8:
        sprintf(v, "+84%s", d + 1);
        break;
    case 9: {
        char r[16];
        grouped(r, d + 1, g343, 3, ' ');
        sprintf(v, "+84 %s", r);
        break;
    }
    case 11: /* two separator kinds */
        sprintf(v, "%.4s.%.3s %.3s", d, d + 4, d + 7);
        break;
    case 12:
        sprintf(v, "%.4s %.6s", d, d + 4);
        break;
    default:
        sprintf(v, "(+84) %.3s %.3s %.3s", d + 1, d + 4, d + 7);
        break;
    }
}

static const unsigned char provinces[] = {1,  2,  4,  8,  10, 15, 22, 24, 26, 27, 30, 31, 33, 34,
                                          36, 38, 40, 42, 44, 46, 48, 49, 51, 52, 56, 58, 60, 66,
                                          68, 72, 74, 75, 79, 80, 82, 83, 86, 89, 92, 96};

static void gen_cccd(char *v)
{
    char d[16];
    int year = 1950 + rn(58); /* born 1950-2007 */
    int cent = year >= 2000 ? 2 : 0;
    sprintf(d, "%03d%d%02d", PICK(provinces), cent + rn(2), year % 100);
    digits(d + 6, 6);
    static const int g[] = {3, 3, 3, 3};
    int f = rn(6);
    if (f < 4)
        strcpy(v, d);
    else
        grouped(v, d, g, 4, f == 4 ? ' ' : '.');
}

static void gen_cmnd(char *v)
{
    char d[12];
    digits(d, 9);
    d[0] = (char)('0' + rn(4));
    if (rn(4) == 0) {
        static const int g[] = {3, 3, 3};
        grouped(v, d, g, 3, ' ');
    } else {
        strcpy(v, d);
    }
}

static void luhn_fix(char *d, int n)
{
    d[n - 1] = '0';
    for (int x = 0; x < 10; x++) {
        d[n - 1] = (char)('0' + x);
        if (sl__luhn_ok(d, (size_t)n)) return;
    }
}

/* unknown: an issuer range not in the detector's table (only written after a card word). */
static int gen_card_digits(char *d, bool unknown)
{
    int n = 16;
    if (unknown) {
        static const char *const pre[] = {"5890", "6800", "7012", "8123", "1234", "5020", "6390"};
        memcpy(d, PICK(pre), 4);
    } else {
        switch (rn(7)) {
        case 0:
        case 1:
            d[0] = '4', d[1] = (char)('0' + rn(10)), d[2] = '1', d[3] = '7';
            break;
        case 2:
            sprintf(d, "5%d%02d", 1 + rn(5), rn(100));
            break;
        case 3:
            sprintf(d, "35%d%d", 3 + rn(5), rn(10)), d[2] = '5', d[3] = '4';
            break;
        case 4:
            memcpy(d, "9704", 4);
            break;
        case 5:
            memcpy(d, rn(2) ? "3412" : "3782", 4), n = 15;
            break;
        default:
            memcpy(d, "6200", 4);
            break;
        }
    }
    digits(d + 4, n - 4);
    luhn_fix(d, n);
    return n;
}

static void gen_card(char *v, bool unknown)
{
    char d[24];
    int n = gen_card_digits(d, unknown);
    int f = rn(4);
    if (n == 15) {
        static const int g[] = {4, 6, 5};
        if (f == 0)
            strcpy(v, d);
        else
            grouped(v, d, g, 3, f == 1 ? '-' : ' ');
        return;
    }
    static const int g[] = {4, 4, 4, 4};
    if (f == 0)
        strcpy(v, d);
    else
        grouped(v, d, g, 4, f == 1 ? '-' : ' ');
}

/* Bank account numbers: 8-14 digits, never a valid card nor ending in 000 (an amount). */
static void gen_bank(char *v, bool after)
{
    char d[24];
    int n;
    do {
        n = 8 + rn(7);
        if (after && n < 9) n = 9;
        digits(d, n);
        if (d[0] == '0' && rn(2)) d[0] = '1';
    } while (!memcmp(d + n - 3, "000", 3) ||
             (n >= 13 && sl__luhn_ok(d, (size_t)n) && sl__card_iin_ok(d, (size_t)n)));
    int f = rn(6);
    if (f == 5 && n == 12) {
        static const int g[] = {4, 4, 4};
        grouped(v, d, g, 3, ' ');
    } else if (f == 4 && n == 13) {
        static const int g[] = {4, 4, 5};
        grouped(v, d, g, 3, ' ');
    } else {
        strcpy(v, d);
    }
}

static void gen_passport(char *v)
{
    static const char let[] = "BCNKP";
    char d[8];
    digits(d, 7);
    int f = rn(8);
    sprintf(v, f == 0 ? "%c %s" : "%c%s", let[rn(5)], d);
}

static const char *const given[] = {"lan",  "hoa",   "minh", "tuan",   "huong", "thao",  "hung",
                                    "linh", "trang", "duc",  "phuong", "nam",   "quynh", "khoa"};
static const char *const family[] = {"nguyen", "tran", "le",  "pham", "hoang",
                                     "vu",     "dang", "bui", "do",   "ngo"};
static const char *const mailhost[] = {"gmail.com",   "yahoo.com",  "outlook.com",    "fpt.edu.vn",
                                       "hotmail.com", "vnu.edu.vn", "company.com.vn", "icloud.com"};

static void gen_email(char *v)
{
    switch (rn(4)) {
    case 0:
        sprintf(v, "%s.%s%d@%s", PICK(given), PICK(family), rn(100), PICK(mailhost));
        break;
    case 1:
        sprintf(v, "%s%s%d@%s", PICK(family), PICK(given), 1980 + rn(30), PICK(mailhost));
        break;
    case 2:
        sprintf(v, "%s_%s@%s", PICK(given), PICK(family), PICK(mailhost));
        break;
    default:
        sprintf(v, "%c%s%d@%s", PICK(given)[0], PICK(family), rn(1000), PICK(mailhost));
        break;
    }
}

/* Templates: %s is the value. Written with diacritics; the generator strips them from about a
 * third of the cases. */
static const char *const t_phone[] = {
    "Ai cần mua thì liên hệ mình qua số %s nhé",
    "sđt %s ib zalo giúp e",
    "Cần tuyển gấp 2 bạn nữ phụ bán hàng, gọi %s",
    "Nhà còn 1 phòng trống gần ĐH Bách Khoa, lh chị Hoa %s",
    "Số của nó là %s, ai gặp thì báo giúp",
    "%s - đây là số thằng lừa đảo, mọi người cẩn thận",
    "Shop nhận order, zalo: %s",
    "ĐT: %s (Anh Tuấn)",
    "cho xin sdt đi bạn ơi. Mình nè %s",
    "Alo %s có ai nghe không vậy",
    "Bán xe SH chính chủ giá tốt, call %s",
    "Nhắn tin cho em qua %s em tư vấn ạ",
    "Mất ví ở Hồ Gươm, ai nhặt được xin gọi %s, hậu tạ",
    "Điện thoại: %s. Địa chỉ: 12 Trần Phú",
    "Gia sư toán lớp 9, lh %s",
    "Thông tin liên hệ:\n%s",
    "Hotline cá nhân của bé %s ạ",
    "Cho thuê nhà nguyên căn Q7, chính chủ %s miễn trung gian",
    "ai có nhu cầu thì ib hoặc gọi số %s",
    "Số điện thoại của anh ấy %s",
};
static const char *const t_cccd[] = {
    "CCCD: %s cấp ngày 10/10/2021",
    "Số căn cước công dân %s",
    "số định danh cá nhân của tôi là %s",
    "cccd của e %s nhé",
    "Chụp mặt trước CCCD số %s gửi qua đây",
    "Họ tên: Nguyễn Văn A\nCăn cước: %s",
    "mình bị lộ cccd %s rồi mọi người ơi",
    "Thẻ căn cước %s do Cục CSQLHC cấp",
    "%s là số CCCD của ông ta",
    "làm lại căn cước, số cũ %s",
};
static const char *const t_cmnd[] = {
    "CMND: %s",  "số chứng minh nhân dân %s cấp tại Hà Nội", "cmnd của anh %s",
    "Số CMT %s", "Chứng minh thư số %s, ngày cấp 2012",      "xin số cmnd %s để làm hồ sơ",
};
static const char *const t_card[] = {
    "Số thẻ %s hết hạn 09/28",
    "Thẻ Visa của mình %s bị trừ tiền lạ",
    "card: %s exp 12/27",
    "thẻ tín dụng %s cvv 123",
    "Mastercard %s",
    "Ai nhặt được thẻ ATM số %s xin liên hệ",
    "thanh toán bằng thẻ %s được không ạ",
    "%s đây là thẻ của ổng",
    "số thẻ của chị %s, hết hạn 03/29",
    "Visa %s - tên chủ thẻ TRAN VAN B",
};
static const char *const t_card_unknown[] = {
    "Thẻ của chị ấy %s, hết hạn 09/28",
    "số thẻ %s",
    "thẻ %s hsd 11/27",
    "Card number: %s",
    "Số thẻ ghi nợ %s của bà ngoại",
    "thẻ tín dụng của e %s",
    "visa %s",
    "master %s",
};
static const char *const t_bank[] = {
    "STK: %s Vietcombank",
    "stk %s techcombank chủ tk Nguyễn Thị Lan",
    "Số tài khoản: %s ngân hàng Vietinbank chi nhánh Thái Nguyên",
    "Số TK %s - BIDV - Trần Văn Nam",
    "tk %s mb bank nha",
    "ck vào stk %s giúp e",
    "Chuyển khoản về tài khoản %s, ngân hàng Agribank",
    "acc %s vpbank",
    "Tài khoản ngân hàng của mình %s (Sacombank)",
    "ai thương thì chuyển khoản qua %s ACB",
    "Vietcombank %s chủ tài khoản Lê Văn C",
    "số tk: %s tại ngân hàng TPBank",
    "stk của thằng lừa đảo %s vietinbank mọi người né",
    "Chủ tk Phạm Thị D, số tk %s, NH Quân đội",
    "STK %s chi nhánh Đống Đa",
    "Techcombank - %s",
    "Ngân hàng Á Châu, stk %s",
    "tk nh %s",
    "ck trước giúp mình vào tk %s nhé",
    "MB %s Nguyễn Văn Hùng",
};
static const char *const t_bank_after[] = {
    "%s Vietcombank",
    "%s - Techcombank - Nguyễn Văn A",
    "Chị gửi giúp em vào %s BIDV nhé",
    "%s ngân hàng Vietinbank",
    "Nguyễn Thị E %s (Agribank)",
    "%s NH Công Thương",
    "%s | VPBank",
};
static const char *const t_passport[] = {
    "Hộ chiếu số %s, hết hạn 2030", "passport: %s",
    "số hộ chiếu của tôi là %s",    "Passport No. %s",
    "số HC %s cấp tại Hà Nội",      "gửi ảnh hộ chiếu %s để làm visa",
};
static const char *const t_email[] = {
    "email: %s",
    "gửi cv về %s nhé các bạn",
    "Mail mình %s, ai có tài liệu thì gửi giúp",
    "liên hệ qua %s hoặc inbox",
    "(%s)",
    "gmail của nó nè %s",
    "Email cá nhân: %s.",
};

/* Hard negatives: each fills its own numbers. */
static void gen_neg(char *out, size_t cap, char *kind)
{
    char a[32], b[32];
    int pick = rn(22);
    switch (pick) {
    case 0:
        strcpy(kind, "neg.price");
        snprintf(out, cap, "%s giá %d.%03d.000đ, freeship",
                 PICK(((const char *[]){"Áo khoác", "Giày", "Tai nghe", "Nồi chiên"})), 1 + rn(30),
                 rn(1000));
        break;
    case 1:
        strcpy(kind, "neg.price");
        snprintf(out, cap, "Thanh lý %d.%03d.%03d VND, ai lấy ib", 1 + rn(99), rn(1000), rn(1000));
        break;
    case 2:
        strcpy(kind, "neg.price");
        snprintf(out, cap, "con này giá %dtr%d thôi, rẻ hơn %dk so với shop", 1 + rn(20), rn(10),
                 50 + rn(900));
        break;
    case 3:
        strcpy(kind, "neg.price");
        snprintf(out, cap, "lương %d.%03d.000 đồng/tháng, thưởng %d triệu", 5 + rn(40), rn(1000),
                 1 + rn(50));
        break;
    case 4:
        strcpy(kind, "neg.date");
        snprintf(out, cap, "Hẹn ngày %02d/%02d/%d lúc %02d:%02d nhé", 1 + rn(28), 1 + rn(12),
                 2000 + rn(27), rn(24), rn(60));
        break;
    case 5:
        strcpy(kind, "neg.date");
        snprintf(out, cap, "sinh năm %d, tốt nghiệp %d-%02d-%02d", 1960 + rn(45), 2000 + rn(26),
                 1 + rn(12), 1 + rn(28));
        break;
    case 6:
        strcpy(kind, "neg.order");
        digits(a, 12 + rn(4));
        snprintf(
            out, cap, "%s %s shop check giúp em với",
            PICK(((const char *[]){"Mã đơn hàng", "mã đơn", "Mã vận đơn:", "mã gd", "Đơn hàng #"})),
            a);
        break;
    case 7:
        strcpy(kind, "neg.order");
        digits(a, 10);
        snprintf(out, cap, "vận đơn SPXVN%s đã giao chưa ạ", a);
        break;
    case 8:
        strcpy(kind, "neg.hotline");
        digits(a, 4);
        snprintf(out, cap, "Gọi tổng đài %s %s để được hỗ trợ", rn(2) ? "1900" : "1800", a);
        break;
    case 9:
        strcpy(kind, "neg.hotline");
        digits(a, 4);
        snprintf(out, cap, "hotline 19%s%s hoặc %s", rn(2) ? "00" : "00.", a,
                 PICK(((const char *[]){"113", "114", "115", "1800 1090"})));
        break;
    case 10:
        strcpy(kind, "neg.tax");
        digits(a, 10);
        a[0] = '0';
        snprintf(out, cap, "%s %s",
                 PICK(((const char *[]){"MST:", "Mã số thuế", "mst", "ma so thue"})), a);
        break;
    case 11:
        strcpy(kind, "neg.tax");
        digits(a, 10);
        a[0] = '0';
        snprintf(out, cap, "Công ty TNHH ABC, MST %s-00%d", a, 1 + rn(9));
        break;
    case 12:
    case 13: {
        strcpy(kind, "neg.org_account");
        digits(a, 13);
        a[12] = (char)('1' + rn(9));
        static const char *const f[] = {
            ("Ủng hộ đồng bào lũ lụt qua tài khoản Ban cứu trợ Mặt trận Tổ quốc Việt Nam số %s tại "
             "Vietcombank"),
            "STK Quỹ Bảo trợ trẻ em: %s BIDV",
            "Tài khoản Hội Chữ thập đỏ tỉnh: %s, Agribank",
            "ủng hộ miền Trung qua stk %s - Ủy ban MTTQ tỉnh Quảng Bình",
            "STK công ty: %s Techcombank - Công ty TNHH Minh Phát",
            "tk ubnd xã %s",
        };
        snprintf(out, cap, PICK(f), a);
        break;
    }
    case 14:
        strcpy(kind, "neg.product");
        digits(a, 10);
        snprintf(out, cap, "Mã sp: SP%s, model RTX%d", a, 3000 + rn(1000));
        break;
    case 15:
        strcpy(kind, "neg.plate");
        snprintf(out, cap, "xe biển số %dA-%03d.%02d tông vào người", 11 + rn(88), rn(1000),
                 rn(100));
        break;
    case 16:
        strcpy(kind, "neg.invalid_phone");
        digits(a, 7);
        snprintf(out, cap, "số này %s%s có ai biết không",
                 PICK(((const char *[]){"012", "095", "020", "011", "060"})), a);
        break;
    case 17:
        strcpy(kind, "neg.invalid_phone");
        digits(a, 8 + rn(2)); /* 11 digits, or 10 after a 1 */
        snprintf(out, cap, "đếm được %s09%s lượt xem", strlen(a) == 8 ? "1" : "", a);
        break;
    case 18:
        strcpy(kind, "neg.count");
        snprintf(out, cap, "Video đạt %d.%03d.%03d lượt xem sau %d ngày", 1 + rn(99), rn(1000),
                 rn(1000), 2 + rn(20));
        break;
    case 19:
        strcpy(kind, "neg.scratch_card");
        digits(a, 13 + rn(3));
        digits(b, 14);
        snprintf(out, cap, "tặng mn thẻ cào viettel mã %s seri %s", a, b);
        break;
    case 20:
        strcpy(kind, "neg.card_invalid");
        {
            char d[24];
            int n = gen_card_digits(d, false);
            d[n - 1] = (char)('0' + (d[n - 1] - '0' + 1) % 10); /* breaks Luhn */
            snprintf(out, cap, "mã tham chiếu %s", d);
        }
        break;
    default:
        strcpy(kind, "neg.time");
        snprintf(out, cap, "%dh%02d sáng mai, phòng %d tầng %d", 6 + rn(12), rn(60), 100 + rn(900),
                 1 + rn(30));
        break;
    }
}

static const char *const prefixes[] = {"",      "",      "",           "Mọi người ơi, ", "ib nha. ",
                                       "Hic, ", "@Lan ", "[Cần gấp] ", "Share giúp: "};
static const char *const suffixes[] = {
    "", "", "", " nhé", " ạ", " nha mn", " !!!", " 😊", "\nCảm ơn cả nhà", " (đã xác minh)"};

/* Vietnamese letters and their ASCII base, to write a case without diacritics. */
static void strip_diacritics(char *s)
{
    static const char *const groups[] = {"aàáảãạăằắẳẵặâầấẩẫậ",
                                         "AÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ",
                                         "eèéẻẽẹêềếểễệ",
                                         "EÈÉẺẼẸÊỀẾỂỄỆ",
                                         "iìíỉĩị",
                                         "IÌÍỈĨỊ",
                                         "oòóỏõọôồốổỗộơờớởỡợ",
                                         "OÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ",
                                         "uùúủũụưừứửữự",
                                         "UÙÚỦŨỤƯỪỨỬỮỰ",
                                         "yỳýỷỹỵ",
                                         "YỲÝỶỸỴ",
                                         "dđ",
                                         "DĐ"};
    char *w = s;
    for (const char *r = s; *r;) {
        if ((unsigned char)*r < 0x80) {
            *w++ = *r++;
            continue;
        }
        size_t len = 1;
        while (((unsigned char)r[len] & 0xC0) == 0x80) len++;
        char base = 0;
        for (size_t g = 0; g < sizeof groups / sizeof groups[0] && !base; g++) {
            for (const char *q = groups[g] + 1; *q;) {
                size_t ql = 1;
                while (((unsigned char)q[ql] & 0xC0) == 0x80) ql++;
                if (ql == len && !memcmp(q, r, len)) {
                    base = groups[g][0];
                    break;
                }
                q += ql;
            }
        }
        if (base) {
            *w++ = base;
        } else {
            memmove(w, r, len);
            w += len;
        }
        r += len;
    }
    *w = '\0';
}

/* Teencode: the short forms chats use for common words (whole words only). */
static void teencode(char *s, size_t cap)
{
    static const char *const rep[][2] = {{"số tài khoản", "stk"},
                                         {"Số tài khoản", "STK"},
                                         {"tài khoản", "tk"},
                                         {"chuyển khoản", "ck"},
                                         {"điện thoại", "đt"},
                                         {"liên hệ", "lh"},
                                         {"không", "ko"},
                                         {"được", "dc"},
                                         {"mình", "mk"},
                                         {"gì", "j"},
                                         {"vậy", "z"},
                                         {"biết", "bít"},
                                         {"em", "e"},
                                         {"anh", "a"},
                                         {"chị", "c"},
                                         {"với", "vs"},
                                         {"bạn", "bn"},
                                         {"nhé", "nha"},
                                         {"ạ", "ak"},
                                         {"thì", "thỳ"},
                                         {"mọi người", "mn"}};
    char out[768];
    size_t o = 0;
    for (size_t i = 0; s[i] && o + 1 < sizeof out;) {
        bool left = i == 0 || strchr(" ,.:;!?()\n-", s[i - 1]);
        size_t r = 0, len = 0;
        for (size_t k = 0; left && k < sizeof rep / sizeof rep[0] && !len; k++) {
            size_t n = strlen(rep[k][0]);
            if (!strncmp(s + i, rep[k][0], n) && (!s[i + n] || strchr(" ,.:;!?()\n-", s[i + n])))
                r = k, len = n;
        }
        if (len) {
            size_t n = strlen(rep[r][1]);
            if (o + n + 1 >= sizeof out) break;
            memcpy(out + o, rep[r][1], n);
            o += n;
            i += len;
        } else {
            out[o++] = s[i++];
        }
    }
    out[o] = '\0';
    snprintf(s, cap, "%s", out);
}

/* Fills one case from a template with one value; the value keeps its place through the prefix,
 * the suffix, the teencode and the stripping (values are ASCII). */
static void fill(ecase *c, const char *kind, const char *type, const char *fmt, const char *v)
{
    char body[600];
    snprintf(body, sizeof body, fmt, v);
    snprintf(c->text, sizeof c->text, "%s%s%s", PICK(prefixes), body, PICK(suffixes));
    if (rn(4) == 0) teencode(c->text, sizeof c->text);
    if (rn(3) == 0) strip_diacritics(c->text);
    snprintf(c->kind, sizeof c->kind, "%s", kind);
    c->ne = 1;
    c->type[0] = type;
    snprintf(c->value[0], sizeof c->value[0], "%s", v);
}

static void gen_case(ecase *c, int i)
{
    char v[64], w[64];
    memset(c, 0, sizeof *c);
    int slot = i % 20;
    if (slot < 3) {
        gen_phone(v);
        fill(c, "phone", "pii.phone", PICK(t_phone), v);
    } else if (slot < 5) {
        gen_cccd(v);
        fill(c, "cccd", "pii.cccd", PICK(t_cccd), v);
    } else if (slot < 6) {
        gen_cmnd(v);
        fill(c, "cmnd", "pii.cmnd", PICK(t_cmnd), v);
    } else if (slot < 7) {
        gen_card(v, false);
        fill(c, "card", "pii.card", PICK(t_card), v);
    } else if (slot < 8) {
        gen_card(v, true);
        fill(c, "card.any_issuer", "pii.card", PICK(t_card_unknown), v);
    } else if (slot < 10) {
        gen_bank(v, false);
        fill(c, "bank", "pii.bank_account", PICK(t_bank), v);
    } else if (slot < 11) {
        gen_bank(v, true);
        fill(c, "bank.name_after", "pii.bank_account", PICK(t_bank_after), v);
    } else if (slot < 12) {
        gen_passport(v);
        fill(c, "passport", "pii.passport", PICK(t_passport), v);
    } else if (slot < 13) {
        gen_email(v);
        fill(c, "email", "pii.email", PICK(t_email), v);
    } else if (slot < 14) { /* two values in one post */
        gen_phone(v);
        gen_email(w);
        snprintf(c->text, sizeof c->text, "%s: sđt %s, mail %s", PICK(given), v, w);
        if (rn(2)) strip_diacritics(c->text);
        strcpy(c->kind, "multi");
        c->ne = 2;
        c->type[0] = "pii.phone", c->type[1] = "pii.email";
        strcpy(c->value[0], v), strcpy(c->value[1], w);
    } else {
        gen_neg(c->text, sizeof c->text, c->kind);
        if (rn(4) == 0) teencode(c->text, sizeof c->text);
        if (rn(3) == 0) strip_diacritics(c->text);
    }
}

/* ---- reading cases ------------------------------------------------------------------------- */

static const char *type_id(const char *s)
{
    for (int t = 0; types[t]; t++)
        if (strcmp(types[t], s) == 0) return types[t];
    return NULL;
}

/* Parses one JSON line into c; false (with a message) when malformed. */
static bool parse_case(const char *line, ecase *c, const char *where)
{
    memset(c, 0, sizeof *c);
    cJSON *j = cJSON_Parse(line);
    const char *text = cJSON_GetStringValue(cJSON_GetObjectItem(j, "text"));
    cJSON *pii = cJSON_GetObjectItem(j, "pii");
    bool ok = text && strlen(text) < sizeof c->text && cJSON_IsArray(pii);
    if (ok) {
        snprintf(c->text, sizeof c->text, "%s", text);
        const char *kind = cJSON_GetStringValue(cJSON_GetObjectItem(j, "kind"));
        snprintf(c->kind, sizeof c->kind, "%s", kind ? kind : "");
        cJSON *e;
        cJSON_ArrayForEach(e, pii)
        {
            const char *t = cJSON_GetStringValue(cJSON_GetArrayItem(e, 0));
            const char *v = cJSON_GetStringValue(cJSON_GetArrayItem(e, 1));
            if (!t || !v || !type_id(t) || c->ne == MAXE || strlen(v) >= sizeof c->value[0]) {
                ok = false;
                break;
            }
            c->type[c->ne] = type_id(t);
            snprintf(c->value[c->ne++], sizeof c->value[0], "%s", v);
        }
    }
    if (!ok) fprintf(stderr, "%s: malformed case\n", where);
    cJSON_Delete(j);
    return ok;
}

static void json_str(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            fprintf(o, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", o);
        else
            fputc(*s, o);
    }
    fputc('"', o);
}

static void write_case(FILE *o, const ecase *c)
{
    fputs("{\"text\":", o);
    json_str(o, c->text);
    fputs(",\"pii\":[", o);
    for (int e = 0; e < c->ne; e++) {
        fprintf(o, "%s[\"%s\",", e ? "," : "", c->type[e]);
        json_str(o, c->value[e]);
        fputc(']', o);
    }
    fputs("],\"kind\":", o);
    json_str(o, c->kind);
    fputs("}\n", o);
}

/* ---- scoring ------------------------------------------------------------------------------- */

typedef struct score {
    long tp[NTYPES], fp[NTYPES], fn[NTYPES];
    long cases, negatives, bad;
} score;

static int type_index(const char *rule)
{
    for (int t = 0; types[t]; t++)
        if (strcmp(types[t], rule) == 0) return t;
    return -1;
}

static bool verbose;

static void eval_case(sl_text *tx, sl_hits *h, const ecase *c, score *sc, const char *src)
{
    sl_error err;
    sl_hits_clear(h);
    sc->cases++;
    sc->negatives += c->ne == 0;
    if (sl_text_build(tx, c->text, strlen(c->text), &err) != SL_OK ||
        sl_detect_run(tx, PII_BITS, h) != SL_OK) {
        fprintf(stderr, "%s: cannot screen '%s'\n", src, c->text);
        sc->bad++;
        return;
    }
    uint32_t es[MAXE], ee[MAXE];
    bool matched[MAXE] = {false};
    size_t from = 0;
    for (int e = 0; e < c->ne; e++) {
        const char *at = strstr(c->text + from, c->value[e]);
        if (!at) {
            fprintf(stderr, "%s: value '%s' not in text '%s'\n", src, c->value[e], c->text);
            sc->bad++;
            es[e] = ee[e] = UINT32_MAX;
            continue;
        }
        es[e] = (uint32_t)(at - c->text);
        ee[e] = es[e] + (uint32_t)strlen(c->value[e]);
        from = ee[e];
    }
    bool wrong = false;
    for (size_t k = 0; k < h->count; k++) {
        const sl_hit *x = &h->items[k];
        int t = type_index(x->rule);
        if (t < 0) continue;
        int hit = -1;
        for (int e = 0; e < c->ne && hit < 0; e++)
            if (!matched[e] && c->type[e] == types[t] && es[e] == x->start && ee[e] == x->end)
                hit = e;
        if (hit >= 0) {
            matched[hit] = true;
            sc->tp[t]++;
        } else {
            sc->fp[t]++;
            wrong = true;
        }
    }
    for (int e = 0; e < c->ne; e++)
        if (!matched[e]) {
            sc->fn[type_index(c->type[e])]++;
            wrong = true;
        }
    if (wrong && verbose) {
        fprintf(stderr, "[%s] %s: %s\n  expected:", src, c->kind, c->text);
        for (int e = 0; e < c->ne; e++) fprintf(stderr, " %s '%s'", c->type[e], c->value[e]);
        fprintf(stderr, "\n  got:");
        for (size_t k = 0; k < h->count; k++)
            fprintf(stderr, " %s '%.*s'", h->items[k].rule,
                    (int)(h->items[k].end - h->items[k].start), c->text + h->items[k].start);
        fprintf(stderr, "\n");
    }
}

/* Prints the table of one source; returns false when a type is below the floors. */
static bool report(const char *src, const score *sc, double minp, double minr)
{
    bool ok = sc->bad == 0;
    printf("%s: %ld cases (%ld hard negatives)%s\n", src, sc->cases, sc->negatives,
           sc->bad ? ", MALFORMED CASES" : "");
    printf("  %-18s %6s %6s %6s %6s %10s %8s\n", "type", "values", "tp", "fp", "fn", "precision",
           "recall");
    for (int t = 0; t < NTYPES; t++) {
        long tp = sc->tp[t], fp = sc->fp[t], fn = sc->fn[t];
        double p = tp + fp ? (double)tp / (double)(tp + fp) : 1.0;
        double r = tp + fn ? (double)tp / (double)(tp + fn) : 1.0;
        bool low = p < minp || r < minr;
        ok &= !low;
        printf("  %-18s %6ld %6ld %6ld %6ld %10.4f %8.4f%s\n", types[t], tp + fn, tp, fp, fn, p, r,
               low ? "  BELOW FLOOR" : "");
    }
    return ok;
}

int main(int argc, char **argv)
{
    double minp = 0, minr = 0;
    long gseed = -1, gn = 0;
    int first_file = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--gen") && i + 2 < argc) {
            rng_state = strtoull(argv[i + 1], NULL, 10);
            long n = strtol(argv[i + 2], NULL, 10);
            ecase c;
            for (long k = 0; k < n; k++) {
                gen_case(&c, (int)k);
                write_case(stdout, &c);
            }
            return 0;
        } else if (!strcmp(argv[i], "--generated") && i + 2 < argc) {
            gseed = strtol(argv[++i], NULL, 10);
            gn = strtol(argv[++i], NULL, 10);
        } else if (!strcmp(argv[i], "--min-precision") && i + 1 < argc) {
            minp = strtod(argv[++i], NULL);
        } else if (!strcmp(argv[i], "--min-recall") && i + 1 < argc) {
            minr = strtod(argv[++i], NULL);
        } else if (!strcmp(argv[i], "-v")) {
            verbose = true;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: pii_eval [--gen SEED N] | [-v] [--generated SEED N] "
                            "[--min-precision P] [--min-recall R] [FILES.jsonl]\n");
            return 2;
        } else {
            first_file = i;
            break;
        }
    }
    sl_text *tx = sl_text_new();
    sl_hits h = {0};
    bool ok = true;
    ecase c;
    if (gseed >= 0) {
        score sc = {0};
        rng_state = (uint64_t)gseed;
        for (long k = 0; k < gn; k++) {
            gen_case(&c, (int)k);
            eval_case(tx, &h, &c, &sc, "generated");
        }
        char name[64];
        snprintf(name, sizeof name, "generated (seed %ld)", gseed);
        ok &= report(name, &sc, minp, minr);
    }
    for (int i = first_file; i < argc; i++) {
        FILE *in = fopen(argv[i], "rb");
        if (!in) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 2;
        }
        score sc = {0};
        char *line = NULL;
        size_t cap = 0;
        long ln = 0;
        while (getline(&line, &cap, in) > 0) {
            ln++;
            if (line[0] == '\n' || line[0] == '#') continue;
            char where[512];
            snprintf(where, sizeof where, "%s:%ld", argv[i], ln);
            if (!parse_case(line, &c, where)) {
                sc.bad++;
                continue;
            }
            eval_case(tx, &h, &c, &sc, where);
        }
        free(line);
        fclose(in);
        ok &= report(argv[i], &sc, minp, minr);
    }
    sl_hits_free(&h);
    sl_text_free(tx);
    return ok ? 0 : 1;
}
