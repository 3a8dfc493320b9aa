-- 0005: the webhook outbox. The audit log is the outbox: a per-org cursor says which entries
-- were already turned into deliveries, and each delivery keeps its own retry state, so a
-- restart neither loses nor repeats a delivery (docs/server.md, "Webhooks").
CREATE TABLE webhook_cursors (
    org      TEXT PRIMARY KEY,              -- the organization's id, as in audit_log.org
    last_seq INTEGER NOT NULL               -- the last audit seq turned into deliveries; -1: none
);

CREATE TABLE webhook_deliveries (
    id              INTEGER PRIMARY KEY,    -- sent as X-Sangloc-Delivery
    org             TEXT NOT NULL,
    audit_seq       INTEGER NOT NULL,
    event           TEXT NOT NULL,          -- "queue.entered", "decision.made", ...
    body            TEXT NOT NULL,          -- the JSON body, fixed when the delivery is made
    created_at      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    delivered_at    INTEGER,
    last_status     INTEGER,                -- the receiver's HTTP status; 0: no answer
    last_error      TEXT,
    given_up_at     INTEGER,
    UNIQUE (audit_seq, event)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (org, next_attempt_at)
    WHERE delivered_at IS NULL AND given_up_at IS NULL;
