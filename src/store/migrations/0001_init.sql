-- 0001: organizations, tokens, items, cases (queues) and item history.
-- Times are milliseconds since the Unix epoch; 0 or NULL means never. Applied in one
-- transaction by the store on open (src/store/sqlite.c); never edit a released migration:
-- add the next numbered file instead.

CREATE TABLE organizations (
    pk   INTEGER PRIMARY KEY,
    id   TEXT NOT NULL UNIQUE,            -- the slug callers use, e.g. "so-y-te"
    name TEXT NOT NULL
);
INSERT INTO organizations (id, name) VALUES ('default', 'default');

-- Only a hash of each secret is kept; lookup_key (the first 8 bytes of the hash) finds the
-- candidates, and the full hash is then compared in constant time.
CREATE TABLE tokens (
    id           INTEGER PRIMARY KEY,
    name         TEXT NOT NULL,           -- the person or the integration holding it
    role         INTEGER NOT NULL CHECK (role BETWEEN 1 AND 6),
    org          INTEGER REFERENCES organizations (pk),  -- NULL: global (admin only)
    lookup_key   INTEGER NOT NULL,
    hash         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX tokens_lookup ON tokens (lookup_key);

-- An item is unique by (org, channel, ext_id); author is a keyed pseudonym (HMAC-SHA-256
-- under a key kept outside this file), never the raw id.
CREATE TABLE items (
    id             INTEGER PRIMARY KEY,
    org            INTEGER NOT NULL REFERENCES organizations (pk),
    channel        TEXT NOT NULL,
    ext_id         TEXT NOT NULL,
    kind           TEXT NOT NULL,
    author         BLOB NOT NULL,
    text           TEXT NOT NULL,
    created_at     TEXT,                  -- as sent by the caller
    parent         TEXT,
    received_at    INTEGER NOT NULL,
    state          INTEGER NOT NULL CHECK (state BETWEEN 0 AND 2),  -- published, hidden, removed
    verdict        TEXT NOT NULL,         -- the verdict JSON as answered
    action         INTEGER NOT NULL CHECK (action BETWEEN 0 AND 3), -- allow, warn, review, hide
    score          REAL NOT NULL,
    policy_version TEXT NOT NULL,
    UNIQUE (org, channel, ext_id)
);

-- A case puts an item in a queue until a person closes it; queues hold cases, not copies.
-- severity is the verdict score in millionths (an integer, so cursors compare exactly).
CREATE TABLE cases (
    id          INTEGER PRIMARY KEY,
    org         INTEGER NOT NULL REFERENCES organizations (pk),
    queue       TEXT NOT NULL,
    item        INTEGER NOT NULL REFERENCES items (id),
    severity    INTEGER NOT NULL,
    opened_at   INTEGER NOT NULL,
    closed_at   INTEGER,
    lease_until INTEGER,
    leased_by   INTEGER REFERENCES tokens (id)
);
CREATE INDEX cases_open ON cases (org, queue, severity DESC, opened_at, id)
    WHERE closed_at IS NULL;
CREATE INDEX cases_item ON cases (item);

-- What happened to an item, when and by whom (the token; NULL for the system).
CREATE TABLE item_events (
    id         INTEGER PRIMARY KEY,
    item       INTEGER NOT NULL REFERENCES items (id),
    at         INTEGER NOT NULL,
    actor      INTEGER REFERENCES tokens (id),
    what       TEXT NOT NULL,
    from_state INTEGER,
    to_state   INTEGER,
    detail     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX item_events_item ON item_events (item, id);
