-- 0007 (PostgreSQL): indexes for the export of statements of reasons.
-- The PostgreSQL twin of src/store/migrations/0007_statement_indexes.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

CREATE INDEX decisions_org_time ON decisions (org, decided_at);
CREATE INDEX notices_org_kind_time ON notices (org, kind, created_at);
CREATE INDEX appeals_org_time ON appeals (org, decided_at) WHERE outcome = 'overturn';
