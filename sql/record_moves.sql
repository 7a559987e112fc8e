-- The record is true across savepoints: an UPDATE that moves a row to
-- another partition is one change, logged once, and only if it happened.
-- (Issue 10, cases 1, 5 and 6.)
--
-- Every table here is named rm_*; no activity id is printed.
SET timezone = 'UTC';

CREATE VIEW rm_log AS
SELECT a.id, a.action, a.collection, a.item, r.previous_item, r.data, r.delta
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection LIKE 'rm\_%';

CREATE TABLE rm_mv (id int, region text, v text, PRIMARY KEY (id, region))
	PARTITION BY LIST (region);
CREATE TABLE rm_mv_eu PARTITION OF rm_mv FOR VALUES IN ('eu');
CREATE TABLE rm_mv_us PARTITION OF rm_mv FOR VALUES IN ('us');
SELECT activity_log.track('rm_mv');

-- an AFTER DELETE trigger on the source partition that refuses some rows:
-- it fires after the capture trigger saw the DELETE half of the move
CREATE FUNCTION rm_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF OLD.v LIKE 'boom%' THEN
		RAISE EXCEPTION 'refused';
	END IF;
	RETURN NULL;
END
$$;
CREATE TRIGGER zz_refuse AFTER DELETE ON rm_mv_eu
	FOR EACH ROW EXECUTE FUNCTION rm_refuse();

INSERT INTO rm_mv VALUES (1, 'eu', 'boom'), (2, 'eu', 'fine');

--------------------------------------------------------------------------
-- 1. a failed move rolled back to a savepoint logs nothing
--------------------------------------------------------------------------
BEGIN;
SAVEPOINT s;
UPDATE rm_mv SET region = 'us' WHERE id = 1;
ROLLBACK TO s;
COMMIT;
SELECT action, item FROM rm_log WHERE collection = 'rm_mv' ORDER BY id;

-- ... nor when an exception block catches it
DO $$
BEGIN
	UPDATE rm_mv SET region = 'us' WHERE id = 1;
EXCEPTION WHEN raise_exception THEN
	NULL;
END
$$;
SELECT action, item FROM rm_log WHERE collection = 'rm_mv' ORDER BY id;

--------------------------------------------------------------------------
-- 6. the stale half is not flushed by the next change, and a later real
-- delete is logged once; undo of that transaction works
--------------------------------------------------------------------------
BEGIN;
SAVEPOINT s;
UPDATE rm_mv SET region = 'us' WHERE id = 1;
ROLLBACK TO s;
UPDATE rm_mv SET v = 'fine!' WHERE id = 2;
COMMIT;
SELECT action, item, delta FROM rm_log WHERE collection = 'rm_mv' ORDER BY id;
SELECT * FROM rm_mv ORDER BY id;

UPDATE rm_mv SET v = 'gone' WHERE id = 1;
BEGIN;
DELETE FROM rm_mv WHERE id = 1;
CREATE TEMP TABLE rm_xact AS SELECT pg_current_xact_id() AS x;
COMMIT;
SELECT action, item FROM rm_log WHERE collection = 'rm_mv' ORDER BY id;
SELECT activity_log.undo_transaction((SELECT x FROM rm_xact));
SELECT * FROM rm_mv ORDER BY id;
DROP TABLE rm_xact;

-- with an out-of-line TOAST value, COMMIT right after ROLLBACK TO works
INSERT INTO rm_mv VALUES (3, 'eu', 'boom ' || (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 200) g));
BEGIN;
SAVEPOINT s;
UPDATE rm_mv SET region = 'us' WHERE id = 3;
ROLLBACK TO s;
COMMIT;
SELECT action, item FROM rm_log WHERE collection = 'rm_mv' AND item LIKE '%3%' ORDER BY id;

-- a move whose source partition's AFTER DELETE trigger writes to another
-- tracked table is still one update (and that write is logged too)
CREATE TABLE rm_side (id serial PRIMARY KEY, note text);
SELECT activity_log.track('rm_side');
CREATE FUNCTION rm_note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO rm_side (note) VALUES ('left ' || OLD.region);
	RETURN NULL;
END
$$;
CREATE TRIGGER zz_note AFTER DELETE ON rm_mv_eu
	FOR EACH ROW EXECUTE FUNCTION rm_note();
UPDATE rm_mv SET region = 'us' WHERE id = 2;
SELECT action, collection, item, previous_item, delta FROM rm_log
WHERE collection IN ('rm_mv', 'rm_side') ORDER BY id DESC LIMIT 2;
DROP TRIGGER zz_note ON rm_mv_eu;

--------------------------------------------------------------------------
-- 5. a move whose INSERT half never comes (a BEFORE INSERT trigger on the
-- new partition drops the row) is a delete, even when the table changes
-- shape before COMMIT
--------------------------------------------------------------------------
CREATE FUNCTION rm_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	RETURN NULL;
END
$$;
CREATE TRIGGER rm_drop BEFORE INSERT ON rm_mv_us
	FOR EACH ROW EXECUTE FUNCTION rm_drop();
INSERT INTO rm_mv VALUES (4, 'eu', 'four'), (5, 'eu', 'five');

BEGIN;
UPDATE rm_mv SET region = 'us' WHERE id = 4;
ALTER TABLE rm_mv ADD COLUMN extra int DEFAULT 42;
COMMIT;
SELECT action, item, data FROM rm_log WHERE collection = 'rm_mv' ORDER BY id DESC LIMIT 1;

-- ... and is logged before what the transaction does next to that key
BEGIN;
INSERT INTO rm_mv VALUES (6, 'eu', 'six');
UPDATE rm_mv SET region = 'us' WHERE id = 6;
INSERT INTO rm_mv VALUES (6, 'eu', 'six again');
COMMIT;
SELECT action, item, data->>'v' AS v FROM rm_log WHERE collection = 'rm_mv' AND item = '["6", "eu"]' ORDER BY id;
SELECT activity_log.item_at('rm_mv', '["6", "eu"]', now()) ->> 'v' AS now_v;

-- (last: the PL/pgSQL triggers above would need a new session after it)
BEGIN;
UPDATE rm_mv SET region = 'us' WHERE id = 5;
ALTER TABLE rm_mv ALTER COLUMN v TYPE varchar;
COMMIT;
SELECT action, item, data FROM rm_log WHERE collection = 'rm_mv' ORDER BY id DESC LIMIT 1;

DROP TRIGGER rm_drop ON rm_mv_us;

DROP VIEW rm_log;
DROP TABLE rm_mv, rm_side;
DROP FUNCTION rm_refuse(), rm_note(), rm_drop();
