/* store/webhooks.h — what every backend shares for webhooks (internal): which events an audit
 * entry makes, the body of each, and the retry backoff. Pure functions: the backend reads the
 * entry and the item, these decide what is delivered. */
#ifndef SL_STORE_WEBHOOKS_H
#define SL_STORE_WEBHOOKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sangloc/buf.h"
#include "sangloc/status.h"

/* One member of an entry's "data" object: its key and its value as JSON text. */
typedef struct sl__hook_member {
    const char *key;
    const char *json;
} sl__hook_member;

/* An audit entry as the webhooks read it, with its item when it has one. */
typedef struct sl__hook_entry {
    int64_t seq, at;
    const char *org, *action, *target, *after;
    const sl__hook_member *data;
    size_t ndata;
    bool has_item; /* the item was found: channel, id and state below */
    const char *channel, *item_id;
    int item_state; /* an sl_item_state */
} sl__hook_entry;

#define SL_HOOK_MAX_EVENTS 2

/* The events entry e makes (0..SL_HOOK_MAX_EVENTS names, static strings); the rest of e but
 * action, target, after and data is not read. */
size_t sl__webhook_events(const sl__hook_entry *e, const char *names[SL_HOOK_MAX_EVENTS]);

/* The item an entry is about: "item:N" targets, else the "item" member of its data; 0: none. */
int64_t sl__webhook_item_of(const sl__hook_entry *e);

/* Appends the body of `event` for e to b (docs/server.md, "Webhooks"): the allow-listed
 * members of data only, so no text, note, hash of a text or author ever leaves. */
sl_status sl__webhook_body(sl_buf *b, const sl__hook_entry *e, const char *event);

/* The wait before attempt `attempts` + 1, after `attempts` (>= 1) failed: 1 s, 2 s, 4 s ...
 * at most SL_WEBHOOK_MAX_BACKOFF_MS, scaled by a jitter of 50..100 % drawn from rnd. */
int64_t sl__webhook_backoff_ms(int attempts, uint32_t rnd);

#endif
