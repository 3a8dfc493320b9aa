-- 0003: the review workflow: decisions with reasons, notices to authors (statements of
-- reasons), reader reports and appeals (docs/workflow.md). Texts (note, statement, report and
-- appeal texts, reasons) live only here, never in the audit log, which cites their SHA-256.

-- Why a case was closed ("decided", "appeal_overturned", ...), and the case's subject when it
-- is not only its item (an appeals case: the appeal).
ALTER TABLE cases ADD COLUMN close_reason TEXT;
CREATE INDEX cases_closed ON cases (org, queue, closed_at) WHERE closed_at IS NOT NULL;
CREATE INDEX cases_item_open ON cases (item, queue) WHERE closed_at IS NULL;

-- A person's decision on an item. decided_by_name is the person (the token's name at the
-- time): the one who may never decide an appeal of it. rule, rule_category and rule_clause are
-- copied from the policy at decision time, so the notice stays the same when the policy moves.
CREATE TABLE decisions (
    id                  INTEGER PRIMARY KEY,
    org                 INTEGER NOT NULL REFERENCES organizations (pk),
    item                INTEGER NOT NULL REFERENCES items (id),
    case_id             INTEGER REFERENCES cases (id),   -- the first case it closed, if any
    outcome             TEXT NOT NULL CHECK (outcome IN ('remove', 'restore', 'keep')),
    rule                TEXT NOT NULL,
    rule_category       TEXT NOT NULL,
    rule_clause         TEXT NOT NULL,
    note                TEXT NOT NULL,                   -- private to reviewers
    statement           TEXT,                            -- optional words to the author
    decided_by          INTEGER NOT NULL REFERENCES tokens (id),
    decided_by_name     TEXT NOT NULL,
    decided_at          INTEGER NOT NULL,
    from_state          INTEGER NOT NULL CHECK (from_state BETWEEN 0 AND 2),
    to_state            INTEGER NOT NULL CHECK (to_state BETWEEN 0 AND 2),
    policy_version      TEXT NOT NULL,                   -- of the item's screening
    engine_version      TEXT NOT NULL,
    automated_detection INTEGER NOT NULL CHECK (automated_detection IN (0, 1)),
    automated_decision  INTEGER NOT NULL DEFAULT 0 CHECK (automated_decision = 0),
    appeal_until        INTEGER NOT NULL,                -- end of the appeal window
    overruled_by        INTEGER                          -- the appeal that overturned it
);
CREATE INDEX decisions_item ON decisions (item, id);

-- A reader's report, made by the integration on the reader's behalf. reporter is a keyed
-- pseudonym (HMAC-SHA-256 like authors) or NULL; the appeal token's hash lets the reporter
-- appeal a decision that left the item up.
CREATE TABLE reports (
    id            INTEGER PRIMARY KEY,
    org           INTEGER NOT NULL REFERENCES organizations (pk),
    item          INTEGER NOT NULL REFERENCES items (id),
    case_id       INTEGER NOT NULL REFERENCES cases (id),
    reason        TEXT NOT NULL,                     -- a category of the org's policy
    text          TEXT,
    reporter      BLOB,
    created_at    INTEGER NOT NULL,
    appeal_lookup INTEGER NOT NULL,
    appeal_hash   BLOB NOT NULL CHECK (length(appeal_hash) = 32)
);
CREATE INDEX reports_case ON reports (case_id);
CREATE INDEX reports_lookup ON reports (appeal_lookup);

-- A statement of reasons to the author. id is random (16 bytes, base64url): unguessable.
-- Only the hash of the appeal token is kept; the token is returned once.
CREATE TABLE notices (
    id             TEXT PRIMARY KEY,
    org            INTEGER NOT NULL REFERENCES organizations (pk),
    item           INTEGER NOT NULL REFERENCES items (id),
    kind           TEXT NOT NULL CHECK (kind IN ('decision', 'automated_hide', 'appeal_outcome')),
    decision       INTEGER REFERENCES decisions (id),
    appeal         INTEGER,
    rule           TEXT NOT NULL,
    rule_category  TEXT NOT NULL,
    rule_clause    TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    appeal_until   INTEGER NOT NULL,                 -- 0: no appeal (an appeal's outcome)
    lang           TEXT NOT NULL DEFAULT 'vi',
    appeal_lookup  INTEGER,
    appeal_hash    BLOB CHECK (appeal_hash IS NULL OR length(appeal_hash) = 32)
) WITHOUT ROWID;
CREATE INDEX notices_lookup ON notices (appeal_lookup);
CREATE INDEX notices_item ON notices (item);

-- An appeal: of a notice (the author: its decision, or an automated hide) or of a report (the
-- reporter, against the decision that left the item up). One per notice, one per report.
CREATE TABLE appeals (
    id              INTEGER PRIMARY KEY,
    org             INTEGER NOT NULL REFERENCES organizations (pk),
    item            INTEGER NOT NULL REFERENCES items (id),
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    notice          TEXT UNIQUE REFERENCES notices (id),
    report          INTEGER UNIQUE REFERENCES reports (id),
    decision        INTEGER REFERENCES decisions (id),   -- the decision appealed (NULL: a hide)
    text            TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    decided_by      INTEGER REFERENCES tokens (id),
    decided_by_name TEXT,
    decided_at      INTEGER,
    outcome         TEXT CHECK (outcome IS NULL OR outcome IN ('uphold', 'overturn')),
    reason          TEXT,
    CHECK ((notice IS NULL) <> (report IS NULL))
);
CREATE INDEX appeals_case ON appeals (case_id);
