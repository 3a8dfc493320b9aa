/* server/assets.h — the pages' files (web/, and Debian's Chart.js), compiled into the binary by
 * src/server/embed_assets.cmake and served under /assets/ (internal). */
#ifndef SL_SERVER_ASSETS_H
#define SL_SERVER_ASSETS_H

#include <stddef.h>

typedef struct sl__asset {
    const char *path; /* "/assets/js/dom.js" */
    const unsigned char *data;
    size_t len;
    const char *type; /* Content-Type */
    const char *etag; /* a strong ETag (quoted): a hash of the bytes */
} sl__asset;

extern const sl__asset sl__assets[]; /* ends with an entry whose path is NULL */
extern const size_t sl__nassets;

/* The asset of path, or NULL. */
const sl__asset *sl__asset_find(const char *path);

#endif
