/* Fuzz target: the whole screening path on arbitrary bytes, with the shipped default policy and
 * model. Every input must give a verdict whose JSON parses back, with every span inside the
 * text; invalid input must give an error verdict, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "sangloc/engine.h"

static sl_engine *engine;
static sl_scan *scan;

static void setup(void)
{
    sl_engine_options o = {.policy_path = SL_SOURCE_DIR "/policies/default.yaml",
                           .model_path = SL_SOURCE_DIR "/models/default.slm",
                           .cache_dir = "/tmp/sangloc-fuzz-cache"};
    sl_error err = {0};
    if (sl_engine_new(&o, &engine, &err)) {
        fprintf(stderr, "fuzz_check: %s\n", err.message);
        abort();
    }
    scan = sl_scan_new(engine);
    if (!scan) abort();
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    if (!engine) setup();
    const char *text = (const char *)data;
    const sl_verdict *v = NULL;
    if (sl_engine_check(engine, scan, text, size, &v) != SL_OK || !v) abort();
    for (size_t i = 0; i < v->nhits; i++)
        if (v->hits[i].start > v->hits[i].end || v->hits[i].end > size) abort();
    for (size_t i = 0; i < v->noffensive_spans; i++)
        if (v->offensive_spans[2 * i] >= v->offensive_spans[2 * i + 1] ||
            v->offensive_spans[2 * i + 1] > size)
            abort();
    size_t n = 0;
    const char *json = sl_scan_verdict_json(scan, "\"f\"", v->has_error ? NULL : text, size, &n);
    if (!json) abort();
    cJSON *parsed = cJSON_ParseWithLength(json, n);
    if (!parsed || !cJSON_GetObjectItem(parsed, "action")) abort();
    cJSON_Delete(parsed);
    return 0;
}
