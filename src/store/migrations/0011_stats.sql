-- 0011: what the dashboard counts (GET /v1/stats, src/store/sqlite_stats.c).
--
-- item_rules: one row per rule an item's stored verdict hit (its hits' rule and category, each
-- rule once per item), kept by triggers whenever a verdict is written (ingest, rescreen, purge),
-- so the counts by category and by rule read small rows instead of parsing every verdict's JSON
-- (2-6 s for 100,000 items; docs/api.md, GET /v1/stats). Derived data: no author, no text.
CREATE TABLE item_rules (
    item        INTEGER NOT NULL REFERENCES items (id),
    org         INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    rule        TEXT NOT NULL,
    category    TEXT NOT NULL,
    PRIMARY KEY (item, rule)
) WITHOUT ROWID;
CREATE INDEX item_rules_received ON item_rules (org, received_at);

CREATE TRIGGER item_rules_insert AFTER INSERT ON items WHEN json_valid(new.verdict) BEGIN
    INSERT OR IGNORE INTO item_rules (item, org, received_at, rule, category)
    SELECT new.id, new.org, new.received_at, json_extract(h.value, '$.rule'),
           coalesce(json_extract(h.value, '$.category'), '')
    FROM json_each(new.verdict, '$.hits') h
    WHERE typeof(json_extract(h.value, '$.rule')) = 'text';
END;

CREATE TRIGGER item_rules_update AFTER UPDATE OF verdict ON items BEGIN
    DELETE FROM item_rules WHERE item = old.id;
    INSERT OR IGNORE INTO item_rules (item, org, received_at, rule, category)
    SELECT new.id, new.org, new.received_at, json_extract(h.value, '$.rule'),
           coalesce(json_extract(h.value, '$.category'), '')
    FROM json_each(new.verdict, '$.hits') h
    WHERE json_valid(new.verdict) AND typeof(json_extract(h.value, '$.rule')) = 'text';
END;

CREATE TRIGGER item_rules_delete AFTER DELETE ON items BEGIN
    DELETE FROM item_rules WHERE item = old.id;
END;

-- the items that exist already
INSERT OR IGNORE INTO item_rules (item, org, received_at, rule, category)
SELECT i.id, i.org, i.received_at, json_extract(h.value, '$.rule'),
       coalesce(json_extract(h.value, '$.category'), '')
FROM items i, json_each(i.verdict, '$.hits') h
WHERE json_valid(i.verdict) AND typeof(json_extract(h.value, '$.rule')) = 'text';

-- items by the time they were received, and appeals decided in a window
CREATE INDEX items_received ON items (org, received_at);
CREATE INDEX appeals_decided ON appeals (org, decided_at) WHERE decided_at IS NOT NULL;
