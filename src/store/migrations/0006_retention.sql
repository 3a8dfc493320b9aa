-- 0006: retention. A purged item keeps its row (its number, state, action, score, policy
-- version and history, which the audit log and the queues cite) but loses its text, its author
-- pseudonym and the quotes of its text in the verdict; purged_at says when (docs/privacy.md).
ALTER TABLE items ADD COLUMN purged_at INTEGER;

-- The purge looks for items not yet purged and received before its cutoff.
CREATE INDEX items_unpurged ON items (received_at, id) WHERE purged_at IS NULL;
