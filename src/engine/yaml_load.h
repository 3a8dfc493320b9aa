/* engine/yaml_load.h — loading the one YAML document of a file we are given (a policy, the
 * server's config), with the limits libyaml lacks (internal).
 *
 * libyaml's scanner rescans its stack of possible simple keys, one per open flow collection,
 * for every token, so `[[[[...` costs the square of its depth (3 s at 20,000 levels), and
 * yaml_parser_load() silently stops after the first document. sl__yaml_load_one() checks the
 * event stream first (produced lazily, so a deep input stops at the level past the bound) and
 * only then builds the tree. */
#ifndef SL_ENGINE_YAML_LOAD_H
#define SL_ENGINE_YAML_LOAD_H

#include <stdbool.h>
#include <stddef.h>

#include <yaml.h>

/* Mappings and lists nested deeper than this are refused (a policy needs 6 levels). */
#define SL__YAML_MAX_DEPTH 64

typedef enum sl__yaml_fault {
    SL__YAML_OK = 0,
    SL__YAML_NOMEM,      /* libyaml could not allocate */
    SL__YAML_SYNTAX,     /* problem: libyaml's words */
    SL__YAML_TOO_DEEP,   /* nested deeper than SL__YAML_MAX_DEPTH */
    SL__YAML_SECOND_DOC, /* a second document starts at mark */
} sl__yaml_fault;

typedef struct sl__yaml_problem {
    sl__yaml_fault fault;
    yaml_mark_t mark;    /* where it is */
    const char *problem; /* SL__YAML_SYNTAX: libyaml's description (static), else NULL */
} sl__yaml_problem;

/* Loads data[0, len) (UTF-8) into *doc: true, and the caller deletes *doc; false with *p set,
 * and nothing to delete. */
bool sl__yaml_load_one(const char *data, size_t len, yaml_document_t *doc, sl__yaml_problem *p);

#endif
