-- 0006 (PostgreSQL): retention.
-- The PostgreSQL twin of src/store/migrations/0006_retention.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

ALTER TABLE items ADD COLUMN purged_at BIGINT;

CREATE INDEX items_unpurged ON items (received_at, id) WHERE purged_at IS NULL;
