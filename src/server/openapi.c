/* server/openapi.c — GET /openapi.json: the OpenAPI 3.1 document of the repository
 * (docs/openapi.json), compiled into the binary by src/server/embed_openapi.cmake so that the
 * running server describes itself with the file its tests check. */
#include "server/internal.h"

extern const char sl__openapi_json[];
extern const size_t sl__openapi_json_len;

void sl__route_openapi(sl__rq *r)
{
    sl__reply(r, 200, sl__openapi_json, sl__openapi_json_len);
}
