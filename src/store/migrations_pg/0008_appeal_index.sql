-- 0008 (PostgreSQL): appeals by decision.
-- The PostgreSQL twin of src/store/migrations/0008_appeal_index.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

CREATE INDEX appeals_decision ON appeals (decision);
