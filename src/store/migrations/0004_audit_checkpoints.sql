-- 0004: signed checkpoints of the audit log (C2SP tlog-checkpoint notes, Ed25519). Each row is
-- a note the service signed over the log's first `size` entries (root: their Merkle root) with
-- the key whose verifier key string is `key`; the signing key itself stays outside the database.
-- Checkpoints are kept, never changed: `sangloc audit verify` checks each against the log and
-- each against the next (a rewrite or a fork of the log shows up as a mismatch).
CREATE TABLE audit_checkpoints (
    id   INTEGER PRIMARY KEY,
    at   INTEGER NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    root BLOB NOT NULL CHECK (length(root) = 32),
    note TEXT NOT NULL,
    key  TEXT NOT NULL
);
CREATE INDEX audit_checkpoints_size ON audit_checkpoints (size);

CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit checkpoints are append-only'); END;
