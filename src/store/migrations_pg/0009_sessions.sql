-- 0009 (PostgreSQL): browser sessions.
-- The PostgreSQL twin of src/store/migrations/0009_sessions.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

CREATE TABLE sessions (
    id_hash    BYTEA PRIMARY KEY,
    token      BIGINT NOT NULL REFERENCES tokens (id),
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);
