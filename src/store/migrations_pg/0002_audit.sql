-- 0002 (PostgreSQL): the append-only audit log.
-- The PostgreSQL twin of src/store/migrations/0002_audit.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

-- seq is numbered by the store (no identity): gapless from 0
CREATE TABLE audit_log (
    seq   BIGINT PRIMARY KEY CHECK (seq >= 0),
    at    BIGINT NOT NULL,
    org   TEXT NOT NULL,
    entry BYTEA NOT NULL,
    leaf  BYTEA NOT NULL CHECK (length(leaf) = 32)
);
CREATE INDEX audit_log_org ON audit_log (org, seq);

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
-- SQLite has no TRUNCATE; here it would empty the log without a row trigger
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- SQLite's json_extract(doc, '$.a.b') on jsonb, for the statements both databases share (the
-- audit checks): the value at the path as text, NULL when it is missing.
CREATE FUNCTION json_extract(doc jsonb, path text) RETURNS text LANGUAGE sql IMMUTABLE STRICT AS $$
    SELECT doc #>> string_to_array(substr(path, 3), '.')
$$;
