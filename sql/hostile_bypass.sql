-- No silent bypass by an owner: a command that leaves a tracked table's
-- capture triggers disabled, dropped, renamed or replaced is refused (and
-- rolled back), for the table's owner and for admins alike; capture stops
-- only through untrack().  (Issue 11, third hole.)
--
-- Every object here is named hb_*; no activity id is printed.
CREATE ROLE hb_owner;
CREATE ROLE hb_admin IN ROLE activity_log_admin;
CREATE SCHEMA hb AUTHORIZATION hb_owner;
GRANT USAGE ON SCHEMA hb TO PUBLIC;
GRANT CREATE ON SCHEMA hb TO hb_admin;

SET ROLE hb_owner;
CREATE TABLE hb.t (id int PRIMARY KEY, v text);
CREATE TABLE hb.p (id int, part int, v text, PRIMARY KEY (id, part)) PARTITION BY LIST (part);
CREATE TABLE hb.p1 PARTITION OF hb.p FOR VALUES IN (1);
CREATE FUNCTION hb.nothing() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
SELECT activity_log.track('hb.t');
SELECT activity_log.track('hb.p');
INSERT INTO hb.t VALUES (1, 'a');

SELECT c AS command, try_sql(c) AS result FROM unnest(ARRAY[
	'ALTER TABLE hb.t DISABLE TRIGGER "Activity_log_capture"',
	'ALTER TABLE hb.t DISABLE TRIGGER "Activity_log_truncate"',
	'ALTER TABLE hb.t DISABLE TRIGGER USER',
	'ALTER TABLE hb.t ENABLE REPLICA TRIGGER "Activity_log_capture"',
	'DROP TRIGGER "Activity_log_capture" ON hb.t',
	'DROP TRIGGER "Activity_log_truncate" ON hb.t',
	'ALTER TRIGGER "Activity_log_capture" ON hb.t RENAME TO quiet',
	'CREATE OR REPLACE TRIGGER "Activity_log_capture" AFTER INSERT ON hb.t FOR EACH ROW EXECUTE FUNCTION hb.nothing()',
	'ALTER TABLE hb.p1 DISABLE TRIGGER USER',
	'ALTER TABLE hb.p DISABLE TRIGGER "Activity_log_capture"',
	'DROP TRIGGER "Activity_log_truncate" ON hb.p1',
	-- what stays allowed: enabling, ALWAYS, other triggers, other DDL
	'ALTER TABLE hb.t ENABLE TRIGGER USER',
	'ALTER TABLE hb.t ENABLE ALWAYS TRIGGER "Activity_log_capture"',
	'ALTER TABLE hb.t ENABLE TRIGGER "Activity_log_capture"',
	'CREATE TRIGGER hb_other AFTER INSERT ON hb.t FOR EACH ROW EXECUTE FUNCTION hb.nothing()',
	'ALTER TABLE hb.t DISABLE TRIGGER hb_other',
	'DROP TRIGGER hb_other ON hb.t',
	'ALTER TABLE hb.t ADD COLUMN w text'
]) AS c;
-- in one transaction: disable, write, enable is refused at the first step
BEGIN;
SELECT try_sql('ALTER TABLE hb.t DISABLE TRIGGER USER') AS disable_in_transaction;
UPDATE hb.t SET v = 'b' WHERE id = 1;
COMMIT;
RESET ROLE;

-- an admin that owns a tracked table is refused too
SET ROLE hb_admin;
CREATE TABLE hb.a (id int PRIMARY KEY);
SELECT activity_log.track('hb.a');
SELECT try_sql('ALTER TABLE hb.a DISABLE TRIGGER "Activity_log_capture"') AS disable_by_admin;
SELECT activity_log.untrack('hb.a');
RESET ROLE;

-- capture is intact: every change above was logged
SELECT "table", active FROM activity_log.tracked WHERE collection IN ('hb.t', 'hb.p') ORDER BY 1;
SELECT action, item FROM activity_log.activity WHERE collection = 'hb.t' ORDER BY id;

-- untrack() stops it, dropping the table forgets it, and a partition
-- detached from a tracked table loses its trigger: all allowed
SET ROLE hb_owner;
SELECT try_sql('ALTER TABLE hb.p DETACH PARTITION hb.p1') AS detach;
SELECT try_sql($$SELECT activity_log.untrack('hb.t')$$) AS untrack;
SELECT try_sql('DROP TABLE hb.p') AS drop_table;
RESET ROLE;
SELECT count(*) AS registrations_left FROM activity_log.tracking WHERE collection IN ('hb.t', 'hb.p');

-- a superuser may still do anything; tracked shows it
SELECT activity_log.track('hb.t');
ALTER TABLE hb.t DISABLE TRIGGER "Activity_log_capture";
SELECT active FROM activity_log.tracked WHERE collection = 'hb.t';
ALTER TABLE hb.t ENABLE TRIGGER "Activity_log_capture";
SELECT activity_log.untrack('hb.t');

SET client_min_messages = warning;
DROP SCHEMA hb CASCADE;
RESET client_min_messages;
DROP ROLE hb_owner;
DROP ROLE hb_admin;
