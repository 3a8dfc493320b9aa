/* One YAML document, depth-bounded (engine/yaml_load.h). */
#include "engine/yaml_load.h"

#include <string.h>

static bool init(yaml_parser_t *parser, const char *data, size_t len, sl__yaml_problem *p)
{
    if (!yaml_parser_initialize(parser)) {
        p->fault = SL__YAML_NOMEM;
        return false;
    }
    yaml_parser_set_input_string(parser, (const unsigned char *)data, len);
    yaml_parser_set_encoding(parser, YAML_UTF8_ENCODING);
    return true;
}

static void parser_fault(const yaml_parser_t *parser, sl__yaml_problem *p)
{
    p->fault = parser->error == YAML_MEMORY_ERROR ? SL__YAML_NOMEM : SL__YAML_SYNTAX;
    p->mark = parser->problem_mark;
    p->problem = parser->problem ? parser->problem : "unknown";
}

/* One pass over the events: nesting within the bound and a single document. */
static bool check_stream(const char *data, size_t len, sl__yaml_problem *p)
{
    yaml_parser_t parser;
    if (!init(&parser, data, len, p)) return false;
    size_t depth = 0, docs = 0;
    bool ok = true, end = false;
    while (ok && !end) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            parser_fault(&parser, p);
            ok = false;
            break;
        }
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) {
            if (++depth > SL__YAML_MAX_DEPTH) {
                p->fault = SL__YAML_TOO_DEEP;
                p->mark = ev.start_mark;
                ok = false;
            }
        } else if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            depth--;
        } else if (ev.type == YAML_DOCUMENT_START_EVENT && ++docs > 1) {
            p->fault = SL__YAML_SECOND_DOC;
            p->mark = ev.start_mark;
            ok = false;
        }
        end = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok;
}

bool sl__yaml_load_one(const char *data, size_t len, yaml_document_t *doc, sl__yaml_problem *p)
{
    memset(p, 0, sizeof *p);
    if (!check_stream(data, len, p)) return false;
    yaml_parser_t parser;
    if (!init(&parser, data, len, p)) return false;
    bool ok = yaml_parser_load(&parser, doc);
    if (!ok) parser_fault(&parser, p);
    yaml_parser_delete(&parser);
    return ok;
}
