/* Fuzz target: the built-in detectors and URL finding on arbitrary bytes. Invalid UTF-8 must be
 * refused by the text layer; on valid text every hit and URL span must lie inside the input,
 * start and end on UTF-8 character boundaries, and hosts must sit inside their URL. */
#include <stdlib.h>
#include <string.h>

#include "sangloc/detect.h"
#include "sangloc/text.h"

static int boundary(const unsigned char *d, size_t size, uint32_t at)
{
    return at == size || (at < size && (d[at] & 0xC0) != 0x80);
}

static void check_span(const unsigned char *d, size_t size, uint32_t s, uint32_t e)
{
    if (s > e || e > size || !boundary(d, size, s) || !boundary(d, size, e)) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    static sl_text *t;
    static sl_domain_set *set;
    if (!t) t = sl_text_new();
    if (!set) {
        set = sl_domain_set_new();
        if (set) sl_domain_set_add(set, "example.com", 11);
    }
    if (!t || !set) return 0;
    sl_error err;
    if (sl_text_build(t, (const char *)data, size, &err) != SL_OK) return 0;
    sl_hits hits = {0};
    if (sl_detect_run(t, SL_DET_ALL, &hits) != SL_OK) abort();
    for (size_t i = 0; i < hits.count; i++) {
        check_span(data, size, hits.items[i].start, hits.items[i].end);
        if (hits.items[i].start == hits.items[i].end) abort();
        if (!(hits.items[i].score > 0.0f && hits.items[i].score <= 1.0f)) abort();
        if (!sl_detector_bit(hits.items[i].rule)) abort();
    }
    sl_hits_free(&hits);
    sl_url urls[64];
    size_t n = sl_detect_urls(t, urls, 64);
    if (n > 64) abort();
    for (size_t i = 0; i < n; i++) {
        check_span(data, size, urls[i].start, urls[i].end);
        check_span(data, size, urls[i].host_start, urls[i].host_end);
        if (urls[i].host_start < urls[i].start || urls[i].host_end > urls[i].end) abort();
        sl_domain_set_contains(set, (const char *)data + urls[i].host_start,
                               urls[i].host_end - urls[i].host_start);
    }
    if (size <= 300 && sl_domain_set_size(set) < 10000)
        sl_domain_set_add(set, (const char *)data, size); /* any bytes: must not crash */
    return 0;
}
