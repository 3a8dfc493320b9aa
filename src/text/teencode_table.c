/* The teencode / abbreviation table: written by hand for sangloc, checked against how often each
 * word is rewritten in the ViLexNorm train split (the data itself is not in the repository).
 *
 * Rules for adding an entry: the key is a case-folded NFC word as people type it; the value is
 * the standard word most readers would write for it. Keep ambiguous keys only when one reading
 * clearly dominates ("t" is "tôi" far more often than "tao"), and add a flag when context
 * decides ("50 k" is a price). Profanity abbreviations are never expanded in NORM (lexicons
 * match "vl", "đm", "clgt" as written): their readings, if any, are SL__TC_STD_ONLY. */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text/teencode.h"

#define NA SL__TC_NOT_AFTER_NUM
#define SO SL__TC_STD_ONLY
#define NB SL__TC_NOT_BEFORE_NUM

static sl__teencode table[] = {
    /* one letter: only the dominant readings */
    {"t", "tôi", NA | NB},
    {"k", "không", NA | NB},
    {"e", "em", 0},
    {"r", "rồi", NA},
    {"m", "mày", NA | NB},
    {"z", "vậy", 0},
    {"a", "anh", 0},
    {"b", "bạn", NA | NB},
    {"j", "gì", 0},
    {"v", "vậy", NA | NB},
    {"c", "cậu", NA | NB},
    {"h", "giờ", NB},
    {"s", "sao", NA | NB},
    {"n", "nó", NA | NB},
    {"g", "giờ", NA | NB},
    {"p", "phải", NA | NB},
    {"đ", "đéo", SO | NA | NB},
    {"l", "lồn", SO | NA | NB},
    {"i", "đi", NA | NB},
    {"trg", "trường", 0},
    {"đúm", "đúng", 0},
    {"thiệt", "thật", SO},
    {"ă", "á", 0},
    {"quãi", "vãi", 0},
    {"zữ", "dữ", 0},
    {"zẻ", "vẻ", 0},
    {"hòi", "hồi", SO},
    {"củm", "cảm", 0},
    {"lụ", "nụ", 0},
    {"mak", "mà", 0},
    {"giựt", "giật", SO},
    {"zà", "và", 0},
    {"ưn", "ơn", 0},
    {"ne", "nè", 0},
    {"trúy", "trí", 0},
    {"vaii", "vãi", 0},
    {"màk", "mà", 0},
    {"àk", "à", 0},
    /* không */
    {"ko", "không", 0},
    {"kh", "không", 0},
    {"khum", "không", 0},
    {"hong", "không", 0},
    {"hông", "không", 0},
    {"hok", "không", 0},
    {"khong", "không", 0},
    {"hỏng", "không", SO},
    {"kg", "không", NA},
    {"hổng", "không", 0},
    {"hk", "không", 0},
    {"khom", "không", 0},
    {"hem", "không", 0},
    {"hum", "không", 0},
    {"hơm", "không", 0},
    {"khôm", "không", 0},
    {"hăm", "không", 0},
    {"hõng", "không", 0},
    {"kô", "không", 0},
    {"khôg", "không", 0},
    {"khoq", "không", 0},
    {"kum", "không", 0},
    {"k0", "không", 0},
    /* được */
    {"đc", "được", 0},
    {"dc", "được", 0},
    {"đk", "được", 0},
    {"dk", "được", 0},
    {"đx", "được", 0},
    {"đượt", "được", 0},
    {"dx", "được", 0},
    /* pronouns and people */
    {"ng", "người", 0},
    {"ngừi", "người", 0},
    {"ngừ", "người", 0},
    {"ngta", "người ta", 0},
    {"mn", "mọi người", 0},
    {"mng", "mọi người", 0},
    {"mk", "mình", 0},
    {"mik", "mình", 0},
    {"mh", "mình", 0},
    {"mìn", "mình", 0},
    {"mih", "mình", 0},
    {"mềnh", "mình", 0},
    {"mừn", "mình", 0},
    {"toi", "tôi", 0},
    {"toy", "tôi", 0},
    {"tôy", "tôi", 0},
    {"tuôi", "tôi", 0},
    {"toai", "tôi", 0},
    {"tau", "tao", 0},
    {"kao", "tao", 0},
    {"mài", "mày", 0},
    {"bn", "bạn", 0},
    {"pạn", "bạn", 0},
    {"bạng", "bạn", 0},
    {"iem", "em", 0},
    {"iêm", "em", 0},
    {"ck", "chồng", 0},
    {"chg", "chồng", 0},
    {"vk", "vợ", 0},
    {"cj", "chị", 0},
    {"chụy", "chị", 0},
    {"ank", "anh", 0},
    {"ôg", "ông", 0},
    {"pà", "bà", 0},
    {"boà", "bà", 0},
    {"pé", "bé", 0},
    {"thg", "thằng", 0},
    {"tk", "thằng", 0},
    {"bme", "bố mẹ", 0},
    {"bm", "bố mẹ", 0},
    {"ctrai", "con trai", 0},
    {"cgai", "con gái", 0},
    {"ny", "người yêu", 0},
    {"gđ", "gia đình", 0},
    {"gd", "gia đình", 0},
    {"ae", "anh em", 0},
    {"ace", "anh chị em", 0},
    {"mqh", "mối quan hệ", 0},
    {"cta", "chúng ta", 0},
    {"mịa", "mẹ", 0},
    {"moẹ", "mẹ", 0},
    {"mie", "mẹ", 0},
    {"mé", "má", 0},
    {"mắ", "má", 0},
    {"mă", "má", 0},
    {"móa", "má", 0},
    {"moá", "má", 0},
    /* common words */
    {"gòi", "rồi", 0},
    {"rùi", "rồi", 0},
    {"ròi", "rồi", 0},
    {"roài", "rồi", 0},
    {"òi", "rồi", 0},
    {"gòy", "rồi", 0},
    {"ùi", "rồi", 0},
    {"oy", "rồi", 0},
    {"gồi", "rồi", 0},
    {"rầu", "rồi", 0},
    {"dòi", "rồi", 0},
    {"roy", "rồi", 0},
    {"zị", "vậy", 0},
    {"zậy", "vậy", 0},
    {"dị", "vậy", 0},
    {"dzị", "vậy", 0},
    {"zay", "vậy", 0},
    {"dzậy", "vậy", 0},
    {"zạy", "vậy", 0},
    {"dẫy", "vậy", 0},
    {"vs", "với", 0},
    {"zới", "với", 0},
    {"dới", "với", 0},
    {"dzới", "với", 0},
    {"iu", "yêu", 0},
    {"iêu", "yêu", 0},
    {"lun", "luôn", 0},
    {"luông", "luôn", 0},
    {"luon", "luôn", 0},
    {"tr", "trời", NB},
    {"chời", "trời", 0},
    {"chòi", "trời", 0},
    {"chài", "trời", 0},
    {"trùi", "trời", 0},
    {"trừi", "trời", 0},
    {"trc", "trước", 0},
    {"cx", "cũng", 0},
    {"cũm", "cũng", 0},
    {"cũn", "cũng", 0},
    {"củng", "cũng", 0},
    {"cg", "cũng", 0},
    {"cũg", "cũng", 0},
    {"lm", "làm", 0},
    {"thui", "thôi", 0},
    {"thoi", "thôi", 0},
    {"thoai", "thôi", 0},
    {"hoy", "thôi", 0},
    {"thoy", "thôi", 0},
    {"nhìu", "nhiều", 0},
    {"zô", "vô", 0},
    {"dô", "vô", 0},
    {"dzô", "vô", 0},
    {"bt", "biết", 0},
    {"bít", "biết", 0},
    {"bik", "biết", 0},
    {"bic", "biết", 0},
    {"bíc", "biết", 0},
    {"biếc", "biết", 0},
    {"bit", "biết", 0},
    {"bk", "biết", 0},
    {"zui", "vui", 0},
    {"dui", "vui", 0},
    {"dzui", "vui", 0},
    {"ik", "đi", 0},
    {"cừi", "cười", 0},
    {"chiện", "chuyện", 0},
    {"chuỵn", "chuyện", 0},
    {"nc", "nước", 0},
    {"zai", "trai", 0},
    {"oi", "ơi", 0},
    {"ưi", "ơi", 0},
    {"êi", "ơi", 0},
    {"quơi", "ơi", 0},
    {"nx", "nữa", 0},
    {"nựa", "nữa", 0},
    {"nứa", "nữa", 0},
    {"mún", "muốn", 0},
    {"hèng", "hèn", 0},
    {"ms", "mới", 0},
    {"mí", "mấy", 0},
    {"lũi", "lỗi", 0},
    {"lõi", "lỗi", 0},
    {"dùm", "giùm", SO},
    {"ns", "nói", 0},
    {"lói", "nói", 0},
    {"ni", "này", 0},
    {"nì", "này", 0},
    {"nài", "này", 0},
    {"lày", "này", 0},
    {"hoi", "thôi", SO},
    {"ún", "uống", 0},
    {"hỉu", "hiểu", 0},
    {"qá", "quá", 0},
    {"qa", "quá", 0},
    {"wa", "quá", 0},
    {"qué", "quá", 0},
    {"coá", "có", 0},
    {"cóa", "có", 0},
    {"bùn", "buồn", 0},
    {"chớ", "chứ", SO},
    {"gi", "gì", SO},
    {"đỉm", "điểm", 0},
    {"đag", "đang", 0},
    {"dg", "đang", 0},
    {"típ", "tiếp", 0},
    {"kím", "kiếm", 0},
    {"hc", "học", 0},
    {"nhể", "nhỉ", 0},
    {"nhở", "nhỉ", 0},
    {"nhề", "nhỉ", 0},
    {"đoá", "đó", 0},
    {"đók", "đó", 0},
    {"đóa", "đó", 0},
    {"dìa", "về", 0},
    {"zìa", "về", 0},
    {"dề", "về", 0},
    {"zề", "về", 0},
    {"chẹo", "triệu", 0},
    {"trẹo", "triệu", 0},
    {"trịu", "triệu", 0},
    {"íu", "yếu", 0},
    {"pónk", "bóng", 0},
    {"nhao", "nhau", 0},
    {"cụa", "của", 0},
    {"cíu", "cứu", 0},
    {"éo", "đéo", SO},
    {"méo", "đéo", SO},
    {"del", "đéo", SO},
    {"đell", "đéo", SO},
    {"deo", "đéo", SO},
    {"moè", "mèo", 0},
    {"mòe", "mèo", 0},
    {"ăng", "ăn", 0},
    {"xog", "xong", 0},
    {"xg", "xong", 0},
    {"shao", "sao", 0},
    {"seo", "sao", 0},
    {"ngoo", "ngu", 0},
    {"quài", "hoài", 0},
    {"nhg", "nhưng", 0},
    {"nhưg", "nhưng", 0},
    {"dừa", "vừa", SO},
    {"zừa", "vừa", 0},
    {"ẻ", "ỉa", 0},
    {"siu", "siêu", 0},
    {"pải", "phải", 0},
    {"fai", "phải", 0},
    {"mụt", "một", 0},
    {"khók", "khóc", 0},
    {"khox", "khóc", 0},
    {"khok", "khóc", 0},
    {"thiệc", "thiệt", 0},
    {"chít", "chết", 0},
    {"chớt", "chết", 0},
    {"nhiu", "nhiêu", 0},
    {"thậc", "thật", 0},
    {"thặc", "thật", 0},
    {"nka", "nha", 0},
    {"nhoa", "nha", 0},
    {"nek", "nè", 0},
    {"nèk", "nè", 0},
    {"kiu", "kêu", 0},
    {"hùi", "hồi", 0},
    {"gớt", "rớt", 0},
    {"ghia", "ghê", 0},
    {"dà", "già", SO},
    {"cừ", "cười", SO},
    {"chái", "trái", 0},
    {"tym", "tim", 0},
    {"nao", "nào", 0},
    {"nèo", "nào", 0},
    {"kỉu", "kiểu", 0},
    {"khùm", "khùng", 0},
    {"khùg", "khùng", 0},
    {"huông", "thương", 0},
    {"thưn", "thương", 0},
    {"chs", "chơi", 0},
    {"chx", "chưa", 0},
    {"xĩu", "xỉu", 0},
    {"độk", "độc", 0},
    {"đếy", "đấy", 0},
    {"đếi", "đấy", 0},
    {"đou", "đâu", 0},
    {"đôu", "đâu", 0},
    {"xiền", "tiền", 0},
    {"thik", "thích", 0},
    {"sin", "xin", SO},
    {"mợt", "mệt", 0},
    {"mịt", "mệt", 0},
    {"mệc", "mệt", 0},
    {"gất", "rất", 0},
    {"gấc", "rất", 0},
    {"rấc", "rất", 0},
    {"guột", "ruột", 0},
    {"chổ", "chỗ", 0},
    {"đúi", "đuối", 0},
    {"đin", "điên", 0},
    {"đao", "đau", 0},
    {"xún", "xuống", 0},
    {"tró", "chó", 0},
    {"thuii", "thôi", 0},
    {"sài", "xài", SO},
    {"nọi", "nội", 0},
    {"nhỗi", "lỗi", 0},
    {"kảm", "cảm", 0},
    {"koi", "coi", 0},
    {"coai", "coi", 0},
    {"ghéc", "ghét", 0},
    {"cúi", "cuối", SO},
    {"coan", "con", 0},
    {"chầm", "trầm", SO},
    {"chưn", "chân", 0},
    {"nhứt", "nhất", 0},
    {"trog", "trong", 0},
    {"thíu", "thiếu", 0},
    {"péo", "béo", 0},
    {"nhoé", "nhé", 0},
    {"nhó", "nhé", 0},
    {"vc", "việc", 0},
    {"ziệc", "việc", 0},
    {"trúa", "chúa", 0},
    {"lém", "lắm", 0},
    {"gio", "giờ", SO},
    {"jo", "giờ", 0},
    {"ji", "gì", 0},
    {"zì", "gì", 0},
    {"rì", "gì", SO},
    {"gê", "ghê", 0},
    {"côg", "công", 0},
    {"nhụm", "nhuộm", 0},
    {"nhin", "nhiên", SO},
    {"ziên", "duyên", 0},
    {"chánh", "chính", SO},
    {"tiu", "tiêu", 0},
    {"ũa", "ủa", 0},
    {"ợ", "ạ", 0},
    {"đẽ", "đã", 0},
    {"đuýt", "đít", 0},
    {"thé", "thế", 0},
    {"nhứ", "nhé", 0},
    {"lp", "lớp", 0},
    {"ht", "hết", 0},
    {"het", "hết", 0},
    {"hinh", "hình", 0},
    {"hoc", "học", 0},
    {"cai", "cái", SO},
    {"lam", "làm", SO},
    {"binh", "bình", SO},
    {"phai", "phải", 0},
    {"ntn", "như thế nào", 0},
    {"bh", "bao giờ", 0},
    {"bjo", "bây giờ", 0},
    {"bâyh", "bây giờ", 0},
    {"đt", "điện thoại", 0},
    {"sn", "sinh nhật", 0},
    {"sđt", "số điện thoại", 0},
    {"kq", "kết quả", 0},
    {"vd", "ví dụ", 0},
    {"tl", "trả lời", 0},
    {"ib", "nhắn tin", 0},
    {"trl", "trả lời", 0},
    {"cmt", "bình luận", 0},
    {"stt", "trạng thái", 0},
    {"cv", "công việc", 0},
    {"hs", "học sinh", 0},
    {"sv", "sinh viên", 0},
    {"gv", "giáo viên", 0},
    {"ad", "quản trị viên", 0},
    {"kb", "kết bạn", 0},
    {"nt", "nhắn tin", 0},
    {"đth", "dễ thương", 0},
    {"dth", "dễ thương", 0},
};

/* Unit words read differently after a number. */
static const struct {
    const char *key, *val;
} after_number[] = {{"tr", "triệu"}};

const char *sl__teencode_after_number(const char *key, size_t len)
{
    for (size_t i = 0; i < sizeof after_number / sizeof after_number[0]; i++)
        if (strlen(after_number[i].key) == len && !memcmp(after_number[i].key, key, len))
            return after_number[i].val;
    return NULL;
}

static pthread_once_t once = PTHREAD_ONCE_INIT;
static size_t table_len, max_key_len;

/* Open-addressing hash over the keys (built once): a lookup per word must cost a hash and
 * usually one comparison, as every word of every post is looked up. */
#define SLOTS 2048u
static uint16_t slots[SLOTS]; /* index + 1 into table, 0 = empty */
static uint8_t key_lens[sizeof table / sizeof table[0]];

static uint32_t hash(const char *k, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)k[i]) * 16777619u;
    return h;
}

static int by_key(const void *a, const void *b)
{
    return strcmp(((const sl__teencode *)a)->key, ((const sl__teencode *)b)->key);
}

/* Sorts (for sl__teencode_all), drops repeated keys (tests check there are none) and hashes. */
static void build(void)
{
    size_t n = sizeof table / sizeof table[0];
    qsort(table, n, sizeof table[0], by_key);
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        if (!w || strcmp(table[w - 1].key, table[i].key)) table[w++] = table[i];
    table_len = w;
    for (size_t i = 0; i < w; i++) {
        size_t l = strlen(table[i].key);
        key_lens[i] = (uint8_t)l;
        if (l > max_key_len) max_key_len = l;
        uint32_t h = hash(table[i].key, l) & (SLOTS - 1);
        while (slots[h]) h = (h + 1) & (SLOTS - 1);
        slots[h] = (uint16_t)(i + 1);
    }
}

void sl__teencode_init(void)
{
    pthread_once(&once, build);
}

const sl__teencode *sl__teencode_find(const char *key, size_t len)
{
    sl__teencode_init();
    if (!len || len > max_key_len) return NULL;
    uint32_t h = hash(key, len) & (SLOTS - 1);
    for (uint16_t e; (e = slots[h]) != 0; h = (h + 1) & (SLOTS - 1))
        if (key_lens[e - 1] == len && !memcmp(table[e - 1].key, key, len)) return &table[e - 1];
    return NULL;
}

const sl__teencode *sl__teencode_all(size_t *count)
{
    sl__teencode_init();
    *count = table_len;
    return table;
}
