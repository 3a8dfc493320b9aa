-- 0011 (PostgreSQL): what the dashboard counts.
-- The PostgreSQL twin of src/store/migrations/0011_stats.sql, whose comments say what and why:
-- the same tables, columns in the same order, keys, checks and indexes, in PostgreSQL's dialect
-- (docs/store.md, "PostgreSQL: driver and schema"). INTEGER is BIGINT (times are milliseconds),
-- BLOB is BYTEA, REAL is DOUBLE PRECISION, SQLite's rowid keys are identity columns.

CREATE TABLE item_rules (
    item        BIGINT NOT NULL REFERENCES items (id),
    org         BIGINT NOT NULL,
    received_at BIGINT NOT NULL,
    rule        TEXT NOT NULL,
    category    TEXT NOT NULL,
    PRIMARY KEY (item, rule)
);
CREATE INDEX item_rules_received ON item_rules (org, received_at);

-- The rules of one item's verdict, as SQLite's json_each over '$.hits' reads them: the elements
-- of an array, or the values of an object; a verdict that is not JSON has none.
CREATE FUNCTION item_rules_add(i items) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v jsonb;
BEGIN
    -- most verdicts hit nothing: no "rule" key anywhere, so no JSON to parse (the parse below
    -- costs a subtransaction per item; the engine never writes the key with escapes)
    IF position('"rule"' IN i.verdict) = 0 THEN
        RETURN;
    END IF;
    BEGIN
        v := i.verdict::jsonb;
    EXCEPTION WHEN others THEN
        RETURN; -- not JSON (SQLite's json_valid is false): no rules
    END;
    INSERT INTO item_rules (item, org, received_at, rule, category)
    SELECT i.id, i.org, i.received_at, h ->> 'rule', coalesce(h ->> 'category', '')
    FROM (SELECT value AS h FROM jsonb_array_elements(
              CASE jsonb_typeof(v -> 'hits') WHEN 'array' THEN v -> 'hits' ELSE '[]' END)
          UNION ALL
          SELECT value FROM jsonb_each(
              CASE jsonb_typeof(v -> 'hits') WHEN 'object' THEN v -> 'hits' ELSE '{}' END)) hits
    WHERE jsonb_typeof(h -> 'rule') = 'string'
    ON CONFLICT DO NOTHING;
END $$;

CREATE FUNCTION item_rules_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM item_rules_add(NEW);
    RETURN NULL;
END $$;
CREATE TRIGGER item_rules_insert AFTER INSERT ON items
    FOR EACH ROW EXECUTE FUNCTION item_rules_insert();

CREATE FUNCTION item_rules_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_rules WHERE item = OLD.id;
    PERFORM item_rules_add(NEW);
    RETURN NULL;
END $$;
CREATE TRIGGER item_rules_update AFTER UPDATE OF verdict ON items
    FOR EACH ROW EXECUTE FUNCTION item_rules_update();

-- BEFORE, so that the rows citing the item are gone when its foreign keys are checked
CREATE FUNCTION item_rules_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM item_rules WHERE item = OLD.id;
    RETURN OLD;
END $$;
CREATE TRIGGER item_rules_delete BEFORE DELETE ON items
    FOR EACH ROW EXECUTE FUNCTION item_rules_delete();

-- the items that exist already
SELECT item_rules_add(i) FROM items i;

CREATE INDEX items_received ON items (org, received_at);
CREATE INDEX appeals_decided ON appeals (org, decided_at) WHERE decided_at IS NOT NULL;
