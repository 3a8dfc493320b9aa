-- 0002: the audit log, an append-only sequence of entries hashed into a Merkle tree
-- (RFC 6962/9162: leaf = SHA-256(0x00 || entry)). seq counts from 0 without gaps; entry is the
-- canonical JSON the store wrote (docs/audit.md); leaf is its leaf hash, kept so that trees and
-- proofs are computed without rehashing every entry. `sangloc audit verify` recomputes both.
CREATE TABLE audit_log (
    seq   INTEGER PRIMARY KEY CHECK (seq >= 0),
    at    INTEGER NOT NULL,
    org   TEXT NOT NULL,                  -- the organization's id; '' for the deployment
    entry BLOB NOT NULL,
    leaf  BLOB NOT NULL CHECK (length(leaf) = 32)
);
CREATE INDEX audit_log_org ON audit_log (org, seq);

-- The log is append-only: the store never updates or deletes an entry. These triggers stop
-- mistakes; a deliberate rewrite (dropping them) is what the signed checkpoints catch.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
