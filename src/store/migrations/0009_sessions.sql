-- 0008: browser sessions of the pages (docs/pages.md). A session is a token's login from a
-- browser: only the SHA-256 of its random id is kept (the cookie holds the id), with the CSRF
-- secret the pages send back in X-CSRF-Token. Kept in the store so that sessions survive a
-- restart and work across server processes. Logging out deletes the row; expired rows are
-- deleted when a new session is made.
CREATE TABLE sessions (
    id_hash    BLOB PRIMARY KEY,                          -- SHA-256 of the session id
    token      INTEGER NOT NULL REFERENCES tokens (id),
    csrf       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX sessions_expiry ON sessions (expires_at);
