/* Fuzz target: the service's configuration file parser (src/server/config.c) on arbitrary
 * bytes, from memory and without touching files. Nothing may read past the input; an error's
 * byte lies inside it and its line is at least 1; what is accepted keeps the documented limits
 * (ids unique and valid, banks' base names unique within an org, webhook keys together). */
#include <stdlib.h>
#include <string.h>

#include "sangloc/store.h"
#include "server/config.h"
#include "server/webhooks.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
    char *s = malloc(size ? size : 1); /* exact size: ASan catches a read past the end */
    if (!s) return 0;
    memcpy(s, data, size);
    sl__config c;
    sl_error err = {0};
    sl_status st = sl__config_parse(s, size, (size & 1) ? "/etc/sangloc" : NULL, false, &c, &err);
    if (st) {
        if (err.byte != SL_NO_POS && err.byte > size) abort();
        if (st != SL_ERR_NOMEM && st != SL_ERR_TOO_LARGE && err.line < 1) abort();
        if (c.n || c.orgs) abort();
    } else {
        if (!c.n || c.n > SL_CONFIG_MAX_ORGS) abort();
        for (size_t k = 0; k < c.n; k++) {
            const sl__org_conf *o = &c.orgs[k];
            if (!o->id[0] || strlen(o->id) > SL_STORE_MAX_ORG_ID || !o->policy[0]) abort();
            if (strlen(o->name) > SL_STORE_MAX_NAME) abort();
            for (size_t j = 0; j < k; j++)
                if (!strcmp(c.orgs[j].id, o->id)) abort();
            if (o->nbanks > SL_CONFIG_MAX_BANKS) abort();
            /* a webhook has both keys, and its URL is http(s) */
            if (!o->webhook_url != !o->webhook_secret_file) abort();
            if (o->webhook_url && !sl__hooks_url_ok(o->webhook_url)) abort();
            for (size_t b = 0; b < o->nbanks; b++) {
                const char *base = sl__config_basename(o->banks[b]);
                if (sl__config_bank(o, base, strlen(base)) != (long)b) abort();
            }
        }
        sl__config_free(&c);
    }
    free(s);
    return 0;
}
