-- Capture stays right when tracked tables change shape: columns added,
-- dropped, renamed and retyped; tables renamed, moved, dropped; primary
-- keys replaced; keys of several types; partitions and inheritance.
--
-- Every table here is named ddl_*, and every query of the log is limited to
-- the collections of this file; no activity id is printed.
SET timezone = 'UTC';

CREATE VIEW ddl_log AS
SELECT a.id, a.action, a.collection, a.item, r.previous_item, r.data, r.delta
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection LIKE 'ddl\_%';

-- the newest logged image of each row of a table equals to_jsonb() of the row
-- (tab is a FROM item: a table name, or ONLY and a name)
CREATE FUNCTION ddl_latest_match(tab text, coll text, keycol text)
RETURNS TABLE (rows bigint, matching bigint)
LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT count(*), count(*) FILTER (WHERE l.data = to_jsonb(t))
		 FROM %s t
		 LEFT JOIN LATERAL (SELECT data FROM ddl_log
		                    WHERE collection = %L AND item = t.%I::text
		                    ORDER BY id DESC LIMIT 1) l ON true',
		tab, coll, keycol);
END
$$;

--------------------------------------------------------------------------
-- Columns added, dropped, renamed, retyped after track()
--------------------------------------------------------------------------
CREATE TABLE ddl_cols (id int PRIMARY KEY, a text, b int, c text);
SELECT activity_log.track('ddl_cols');
INSERT INTO ddl_cols VALUES (1, 'one', 10, 'c1'), (2, 'two', 20, 'c2');

-- ADD COLUMN with a default: the existing row shows it at its next change
ALTER TABLE ddl_cols ADD COLUMN d int DEFAULT 7;
UPDATE ddl_cols SET a = 'ONE' WHERE id = 1;
INSERT INTO ddl_cols (id, a) VALUES (3, 'three');
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 2;

-- DROP COLUMN: never appears again, in data nor delta
ALTER TABLE ddl_cols DROP COLUMN b;
UPDATE ddl_cols SET c = 'c1!' WHERE id = 1;
DELETE FROM ddl_cols WHERE id = 2;
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 2;

-- RENAME COLUMN: the new name
ALTER TABLE ddl_cols RENAME COLUMN c TO see;
UPDATE ddl_cols SET see = 'renamed' WHERE id = 1;
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;

-- ALTER COLUMN TYPE: the new type's JSON form (int -> text -> numeric)
ALTER TABLE ddl_cols ALTER COLUMN d TYPE text;
UPDATE ddl_cols SET a = 'text d' WHERE id = 1;
SELECT data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;
ALTER TABLE ddl_cols ALTER COLUMN d TYPE numeric(6,2) USING d::numeric;
UPDATE ddl_cols SET d = d + 0.5 WHERE id = 1;
SELECT data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;

-- a column re-added under a dropped column's name is a new column
ALTER TABLE ddl_cols DROP COLUMN a, ADD COLUMN a boolean;
UPDATE ddl_cols SET a = true WHERE id = 3;
SELECT data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;

-- inside one transaction: cached before the ALTER, new shape right after it
BEGIN;
UPDATE ddl_cols SET see = 'in xact' WHERE id = 3;
ALTER TABLE ddl_cols ADD COLUMN e text DEFAULT 'e';
UPDATE ddl_cols SET see = 'after add' WHERE id = 3;
ALTER TABLE ddl_cols DROP COLUMN see;
UPDATE ddl_cols SET e = 'after drop' WHERE id = 3;
COMMIT;
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 3;

-- an ALTER rolled back leaves the old shape in use
BEGIN;
ALTER TABLE ddl_cols ADD COLUMN gone int DEFAULT 1;
UPDATE ddl_cols SET e = 'with gone' WHERE id = 3;
ROLLBACK;
UPDATE ddl_cols SET e = 'without gone' WHERE id = 3;
SELECT data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;

-- DDL itself logs nothing: row 1, unchanged since, still has its old image
SELECT * FROM ddl_latest_match('ddl_cols', 'ddl_cols', 'id');
UPDATE ddl_cols SET e = 'touched' WHERE id = 1;
SELECT data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 1;
SELECT * FROM ddl_latest_match('ddl_cols', 'ddl_cols', 'id');

-- the key column retyped: int -> bigint -> text
ALTER TABLE ddl_cols ALTER COLUMN id TYPE bigint;
INSERT INTO ddl_cols (id, e) VALUES (9007199254740993, 'big');
ALTER TABLE ddl_cols ALTER COLUMN id TYPE text;
UPDATE ddl_cols SET id = id || '-x' WHERE id = '3';
SELECT action, item, previous_item, data, delta FROM ddl_log WHERE collection = 'ddl_cols' ORDER BY id DESC LIMIT 2;

-- a composite type used by a column gains an attribute: the data shows it
CREATE TYPE ddl_pair AS (x int, y text);
CREATE TABLE ddl_comptype (id int PRIMARY KEY, p ddl_pair);
SELECT activity_log.track('ddl_comptype');
INSERT INTO ddl_comptype VALUES (1, ROW(1, 'one'));
ALTER TYPE ddl_pair ADD ATTRIBUTE z boolean;
UPDATE ddl_comptype SET p.z = true;
ALTER TYPE ddl_pair RENAME ATTRIBUTE y TO why;
UPDATE ddl_comptype SET p.x = 2;
SELECT action, data, delta FROM ddl_log WHERE collection = 'ddl_comptype' ORDER BY id;
SELECT * FROM ddl_latest_match('ddl_comptype', 'ddl_comptype', 'id');

-- an excluded column: renamed, it stays excluded; dropped, nothing breaks
CREATE TABLE ddl_excl (id int PRIMARY KEY, v text, secret text, other text);
SELECT activity_log.track('ddl_excl', exclude => '{secret,other}');
INSERT INTO ddl_excl VALUES (1, 'v', 's', 'o');
ALTER TABLE ddl_excl RENAME COLUMN secret TO hidden;
SELECT exclude FROM activity_log.tracked WHERE "table" = 'ddl_excl'::regclass;
UPDATE ddl_excl SET hidden = 's2';                -- only an excluded column: nothing
UPDATE ddl_excl SET hidden = 's3', v = 'v2';
ALTER TABLE ddl_excl DROP COLUMN other;
UPDATE ddl_excl SET v = 'v3';
SELECT action, data, delta FROM ddl_log WHERE collection = 'ddl_excl' ORDER BY id;

--------------------------------------------------------------------------
-- RENAME TABLE, SET SCHEMA, DROP TABLE
--------------------------------------------------------------------------
CREATE TABLE ddl_moving (id int PRIMARY KEY, v text);
SELECT activity_log.track('ddl_moving');
INSERT INTO ddl_moving VALUES (1, 'a');
ALTER TABLE ddl_moving RENAME TO ddl_moved;
UPDATE ddl_moved SET v = 'b';
CREATE SCHEMA ddl_elsewhere;
ALTER TABLE ddl_moved SET SCHEMA ddl_elsewhere;
UPDATE ddl_elsewhere.ddl_moved SET v = 'c';
SELECT "table", collection, active FROM activity_log.tracked WHERE collection = 'ddl_moving';
SELECT action, collection, item, delta FROM ddl_log WHERE collection LIKE 'ddl_mov%' ORDER BY id;

-- DROP TABLE: the registration goes, the history stays
SELECT count(*) AS history FROM ddl_log WHERE collection = 'ddl_moving';
DROP TABLE ddl_elsewhere.ddl_moved;
SELECT count(*) AS registered FROM activity_log.tracking WHERE collection = 'ddl_moving';
SELECT count(*) AS history FROM ddl_log WHERE collection = 'ddl_moving';
-- the collection name is free again
CREATE TABLE ddl_elsewhere.ddl_moving2 (id int PRIMARY KEY);
SELECT activity_log.track('ddl_elsewhere.ddl_moving2', 'ddl_moving');
SELECT "table", collection FROM activity_log.tracked WHERE collection = 'ddl_moving';
-- DROP SCHEMA ... CASCADE removes its registrations too
DROP SCHEMA ddl_elsewhere CASCADE;
SELECT count(*) AS registered FROM activity_log.tracking WHERE collection = 'ddl_moving';
-- a DROP TABLE rolled back keeps the registration and the capture
CREATE TABLE ddl_kept (id int PRIMARY KEY);
SELECT activity_log.track('ddl_kept');
BEGIN;
DROP TABLE ddl_kept;
ROLLBACK;
INSERT INTO ddl_kept VALUES (1);
SELECT "table", collection, active FROM activity_log.tracked WHERE collection = 'ddl_kept';
SELECT action, item FROM ddl_log WHERE collection = 'ddl_kept';

--------------------------------------------------------------------------
-- Primary key replaced
--------------------------------------------------------------------------
CREATE TABLE ddl_pk (id int PRIMARY KEY, code text NOT NULL, v text);
SELECT activity_log.track('ddl_pk');
INSERT INTO ddl_pk VALUES (1, 'A', 'x'), (2, 'B', 'y');
BEGIN;
ALTER TABLE ddl_pk DROP CONSTRAINT ddl_pk_pkey;
-- without a primary key, a change is refused rather than logged without item
SAVEPOINT s;
UPDATE ddl_pk SET v = 'no key' WHERE id = 1;
ROLLBACK TO s;
ALTER TABLE ddl_pk ADD PRIMARY KEY (code);
UPDATE ddl_pk SET v = 'z' WHERE id = 1;
COMMIT;
-- in another transaction, with the cache of the new key
UPDATE ddl_pk SET code = 'B2' WHERE id = 2;
-- and to a composite key
ALTER TABLE ddl_pk DROP CONSTRAINT ddl_pk_pkey, ADD PRIMARY KEY (code, id);
DELETE FROM ddl_pk WHERE id = 1;
SELECT action, item, previous_item, delta FROM ddl_log WHERE collection = 'ddl_pk' ORDER BY id;

--------------------------------------------------------------------------
-- Keys: composite, updated in place, uuid, text, bigint
--------------------------------------------------------------------------
CREATE TABLE ddl_comp (lang text, n int, sub bigint, label text, PRIMARY KEY (n, lang, sub));
SELECT activity_log.track('ddl_comp');
INSERT INTO ddl_comp VALUES ('en', 7, 1, 'seven'), ('say "hi"', 8, -1, 'quoted'), ('ü\', 9, 0, 'odd');
UPDATE ddl_comp SET lang = 'de' WHERE n = 7;              -- one key column changes
UPDATE ddl_comp SET n = 80, sub = 2 WHERE n = 8;          -- two of them
UPDATE ddl_comp SET label = 'odd!' WHERE n = 9;           -- none
SELECT action, item, previous_item, delta FROM ddl_log WHERE collection = 'ddl_comp' ORDER BY id;
-- the item parses back into the key
SELECT bool_and((item::jsonb)->>0 = (data->>'n') AND (item::jsonb)->>1 = (data->>'lang')
                AND (item::jsonb)->>2 = (data->>'sub')) AS items_parse
FROM ddl_log WHERE collection = 'ddl_comp';

CREATE TABLE ddl_uuid (id uuid PRIMARY KEY, v text);
CREATE TABLE ddl_text (id text PRIMARY KEY, v text);
CREATE TABLE ddl_big (id bigint PRIMARY KEY, v text);
SELECT activity_log.track('ddl_uuid'), activity_log.track('ddl_text'), activity_log.track('ddl_big');
INSERT INTO ddl_uuid VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 'u');
UPDATE ddl_uuid SET id = '00000000-0000-0000-0000-000000000000';
INSERT INTO ddl_text VALUES ('Straße "1"', 't'), ('', 'empty key');
UPDATE ddl_text SET id = 'Straße 2' WHERE id = 'Straße "1"';
INSERT INTO ddl_big VALUES (9223372036854775807, 'max'), (-9223372036854775808, 'min');
UPDATE ddl_big SET id = 0 WHERE id = 9223372036854775807;
SELECT collection, action, quote_nullable(item) AS item, quote_nullable(previous_item) AS previous_item FROM ddl_log
WHERE collection IN ('ddl_uuid', 'ddl_text', 'ddl_big') ORDER BY id;

--------------------------------------------------------------------------
-- Partitioned tables
--------------------------------------------------------------------------
CREATE TABLE ddl_part (id int, region text, v text, PRIMARY KEY (id, region))
	PARTITION BY LIST (region);
CREATE TABLE ddl_part_eu PARTITION OF ddl_part FOR VALUES IN ('eu');
-- a partition cannot be tracked on its own
SELECT activity_log.track('ddl_part_eu');
SELECT activity_log.track('ddl_part');
SELECT activity_log.track('ddl_part_eu');
-- created after track()
CREATE TABLE ddl_part_us PARTITION OF ddl_part FOR VALUES IN ('us');
-- attached after track(), with other column order and a dropped column
CREATE TABLE ddl_part_asia (junk int, v text, region text NOT NULL, id int NOT NULL);
ALTER TABLE ddl_part_asia DROP COLUMN junk;
ALTER TABLE ddl_part ATTACH PARTITION ddl_part_asia FOR VALUES IN ('asia');
-- a sub-partitioned partition, created later
CREATE TABLE ddl_part_other PARTITION OF ddl_part DEFAULT PARTITION BY RANGE (id);
CREATE TABLE ddl_part_other_lo PARTITION OF ddl_part_other FOR VALUES FROM (MINVALUE) TO (100);
CREATE TABLE ddl_part_other_hi PARTITION OF ddl_part_other FOR VALUES FROM (100) TO (MAXVALUE);
SELECT activity_log.track('ddl_part_other_hi');
INSERT INTO ddl_part VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'asia', 'c'), (4, 'af', 'd'), (400, 'af', 'e');
-- changes made directly on partitions are logged under the root's name
UPDATE ddl_part_asia SET v = 'c!';
UPDATE ddl_part_other_hi SET v = 'e!';
SELECT action, collection, item, data FROM ddl_log WHERE collection LIKE 'ddl_part%' ORDER BY id;

-- an UPDATE that moves a row to another partition is one "update"
UPDATE ddl_part SET region = 'asia' WHERE id = 1;                    -- eu -> asia: key changes
UPDATE ddl_part SET region = 'us', v = 'moved' WHERE id = 3;        -- asia -> us
UPDATE ddl_part SET id = 40 WHERE id = 400;                          -- other_hi -> other_lo
SELECT action, item, previous_item, data, delta FROM ddl_log
WHERE collection = 'ddl_part' ORDER BY id DESC LIMIT 3;
-- a move where the key stays: the partition key is not in the primary key
CREATE TABLE ddl_part2 (id int PRIMARY KEY, bucket int, v text) PARTITION BY RANGE (id);
CREATE TABLE ddl_part2_a PARTITION OF ddl_part2 FOR VALUES FROM (0) TO (10);
CREATE TABLE ddl_part2_b PARTITION OF ddl_part2 FOR VALUES FROM (10) TO (20);
SELECT activity_log.track('ddl_part2');
INSERT INTO ddl_part2 VALUES (1, 1, 'x'), (2, 2, 'y');
UPDATE ddl_part2 SET id = id + 10;                                    -- both rows move
SELECT action, item, previous_item, delta FROM ddl_log WHERE collection = 'ddl_part2' ORDER BY id;
SELECT count(*) AS activities FROM ddl_log WHERE collection LIKE 'ddl_part%' AND action = 'delete';

-- TRUNCATE of one partition is logged under the root's collection, once
TRUNCATE ddl_part_us;
TRUNCATE ddl_part;
SELECT action, collection, item FROM ddl_log WHERE collection = 'ddl_part' AND action = 'truncate';

-- a detached partition is no longer captured
INSERT INTO ddl_part VALUES (5, 'eu', 'f');
ALTER TABLE ddl_part DETACH PARTITION ddl_part_eu;
UPDATE ddl_part_eu SET v = 'detached';
TRUNCATE ddl_part_eu;
SELECT count(*) AS logged_after_detach FROM ddl_log WHERE collection = 'ddl_part' AND data->>'v' = 'detached';
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'ddl_part_eu'::regclass;
SELECT count(*) AS truncates FROM ddl_log WHERE collection = 'ddl_part' AND action = 'truncate';

-- a table tracked on its own is refused as a partition while it is tracked
-- (its own capture trigger is in the way); untracked, it is attached and
-- its rows are logged under the root's collection
CREATE TABLE ddl_part_sa (id int NOT NULL, region text NOT NULL, v text, PRIMARY KEY (id, region));
SELECT activity_log.track('ddl_part_sa');
INSERT INTO ddl_part_sa VALUES (9, 'sa', 'own');
ALTER TABLE ddl_part ATTACH PARTITION ddl_part_sa FOR VALUES IN ('sa');
SELECT activity_log.untrack('ddl_part_sa');
ALTER TABLE ddl_part ATTACH PARTITION ddl_part_sa FOR VALUES IN ('sa');
UPDATE ddl_part SET v = 'under the root' WHERE region = 'sa';
SELECT action, collection, item, delta FROM ddl_log
WHERE collection IN ('ddl_part', 'ddl_part_sa') AND item LIKE '%sa%' ORDER BY id;

-- a column added to the partitioned table: every partition's rows show it
ALTER TABLE ddl_part ADD COLUMN w int DEFAULT 0;
INSERT INTO ddl_part VALUES (6, 'asia', 'g'), (7, 'us', 'h'), (8, 'af', 'i'), (800, 'af', 'j');
UPDATE ddl_part SET w = id;
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_part' ORDER BY id DESC LIMIT 5;
SELECT count(*) AS rows, count(*) FILTER (WHERE l.data = to_jsonb(t)) AS matching
FROM ddl_part t
LEFT JOIN LATERAL (SELECT data FROM ddl_log
                   WHERE collection = 'ddl_part' AND item = jsonb_build_array(t.id::text, t.region)::text
                   ORDER BY id DESC LIMIT 1) l ON true;
-- an excluded column renamed on the partitioned table stays excluded in
-- every partition
SELECT activity_log.track('ddl_part', exclude => '{w}');
ALTER TABLE ddl_part RENAME COLUMN w TO width;
SELECT exclude FROM activity_log.tracked WHERE "table" = 'ddl_part'::regclass;
UPDATE ddl_part SET width = width + 1;
UPDATE ddl_part SET v = v || '+', width = 0 WHERE id IN (6, 800);
SELECT action, item, data, delta FROM ddl_log WHERE collection = 'ddl_part' ORDER BY id DESC LIMIT 2;
SELECT count(*) AS width_logged FROM ddl_log
WHERE collection = 'ddl_part' AND (data ? 'width' OR delta = '{}');
SELECT * FROM ddl_latest_match('ddl_part2', 'ddl_part2', 'id');

-- A row that leaves its partition but whose INSERT into the new one is
-- skipped by a BEFORE trigger is gone from the table: that is a "delete",
-- and the next INSERT of the table in the same transaction is a "create".
CREATE TABLE ddl_part3 (id int PRIMARY KEY, v text) PARTITION BY RANGE (id);
CREATE TABLE ddl_part3_a PARTITION OF ddl_part3 FOR VALUES FROM (0) TO (100);
CREATE TABLE ddl_part3_b PARTITION OF ddl_part3 FOR VALUES FROM (100) TO (200);
SELECT activity_log.track('ddl_part3');
CREATE FUNCTION ddl_skip() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER ddl_skip BEFORE INSERT ON ddl_part3_b FOR EACH ROW EXECUTE FUNCTION ddl_skip();
INSERT INTO ddl_part3 VALUES (1, 'a');
BEGIN;
UPDATE ddl_part3 SET id = 150 WHERE id = 1;
INSERT INTO ddl_part3 VALUES (3, 'c');
COMMIT;
SELECT id FROM ddl_part3 ORDER BY id;
SELECT action, item, previous_item FROM ddl_log WHERE collection = 'ddl_part3' ORDER BY id;

--------------------------------------------------------------------------
-- Inheritance
--------------------------------------------------------------------------
CREATE TABLE ddl_parent (id int PRIMARY KEY, v text);
CREATE TABLE ddl_child (extra text, PRIMARY KEY (id)) INHERITS (ddl_parent);
CREATE TABLE ddl_child_untracked (PRIMARY KEY (id)) INHERITS (ddl_parent);
SELECT activity_log.track('ddl_parent'), activity_log.track('ddl_child');
INSERT INTO ddl_parent VALUES (1, 'p');
INSERT INTO ddl_child VALUES (2, 'c', 'x');
INSERT INTO ddl_child_untracked VALUES (3, 'u');
-- statements on the parent reach the children: each row is logged under its
-- own table's collection, and rows of the untracked child not at all
UPDATE ddl_parent SET v = v || '!';
DELETE FROM ddl_parent WHERE id IN (2, 3);
SELECT action, collection, item, data, delta FROM ddl_log
WHERE collection IN ('ddl_parent', 'ddl_child', 'ddl_child_untracked') ORDER BY id;
-- a column added to the parent reaches the child's log too
ALTER TABLE ddl_parent ADD COLUMN w int DEFAULT 5;
INSERT INTO ddl_child VALUES (4, 'c4', 'y');
UPDATE ddl_parent SET w = w + id;
SELECT action, collection, item, data, delta FROM ddl_log
WHERE collection IN ('ddl_parent', 'ddl_child') ORDER BY id DESC LIMIT 3;
SELECT * FROM ddl_latest_match('ONLY ddl_parent', 'ddl_parent', 'id');
SELECT * FROM ddl_latest_match('ddl_child', 'ddl_child', 'id');

--------------------------------------------------------------------------
-- Clean up: dropping the tables removes their registrations (partitioned,
-- detached and inheriting ones too); the history stays
--------------------------------------------------------------------------
DROP TABLE ddl_cols, ddl_comptype, ddl_excl, ddl_kept, ddl_pk, ddl_comp, ddl_uuid, ddl_text,
	ddl_big, ddl_part, ddl_part_eu, ddl_part2, ddl_part3, ddl_parent, ddl_child, ddl_child_untracked;
SELECT count(*) AS registered FROM activity_log.tracking WHERE collection LIKE 'ddl\_%';
SELECT count(DISTINCT collection) AS collections_with_history FROM ddl_log;
DROP VIEW ddl_log;
DROP FUNCTION ddl_latest_match(text, text, text), ddl_skip();
DROP TYPE ddl_pair;
