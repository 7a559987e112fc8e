-- test/tracking.sql: track(), untrack(), the tracked view, the refusals of
-- track(), and what happens to a tracked table's registration when the
-- table changes or goes.
--
-- Everything happens in one transaction that is rolled back.

BEGIN;
SET LOCAL client_min_messages = warning;

SELECT plan(82);

CREATE TEMP VIEW al_tap_log AS
SELECT a.id, a.action, a.collection, a.item, r.id AS rev, r.data, r.delta
  FROM activity_log.activity a
  LEFT JOIN activity_log.revisions r ON r.activity = a.id;

-- track() ------------------------------------------------------------------

CREATE TABLE al_tap_tr (id integer PRIMARY KEY, title text, note text);

SELECT is_empty(
    $$SELECT 1 FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    'a new table is not tracked');
SELECT lives_ok($$SELECT activity_log.track('al_tap_tr')$$, 'track() with the defaults');
SELECT results_eq(
    $$SELECT "table", collection, mode, exclude, active
        FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    $$VALUES ('al_tap_tr'::regclass, 'al_tap_tr', 'all', '{}'::text[], true)$$,
    'tracked shows the table with the default options, active');
SELECT has_trigger('public', 'al_tap_tr', 'Activity_log_capture', 'track() creates trigger "Activity_log_capture"');
SELECT has_trigger('public', 'al_tap_tr', 'Activity_log_truncate', 'track() creates trigger "Activity_log_truncate"');
SELECT trigger_is('public', 'al_tap_tr', 'Activity_log_capture', 'activity_log', 'capture',
    'activity_log_capture calls activity_log.capture()');
SELECT is(
    (SELECT pg_get_triggerdef(oid) FROM pg_trigger
      WHERE tgrelid = 'al_tap_tr'::regclass AND tgname = 'Activity_log_capture'),
    'CREATE TRIGGER "Activity_log_capture" AFTER INSERT OR DELETE OR UPDATE ON public.al_tap_tr FOR EACH ROW EXECUTE FUNCTION activity_log.capture()',
    'the row trigger is AFTER INSERT OR UPDATE OR DELETE, FOR EACH ROW');
SELECT is(
    (SELECT pg_get_triggerdef(oid) FROM pg_trigger
      WHERE tgrelid = 'al_tap_tr'::regclass AND tgname = 'Activity_log_truncate'),
    'CREATE TRIGGER "Activity_log_truncate" AFTER TRUNCATE ON public.al_tap_tr FOR EACH STATEMENT EXECUTE FUNCTION activity_log.capture()',
    'the truncate trigger is AFTER TRUNCATE, FOR EACH STATEMENT');

INSERT INTO al_tap_tr VALUES (1, 'first', 'n1');
SELECT results_eq(
    $$SELECT action, collection, item, data FROM al_tap_log WHERE collection = 'al_tap_tr'$$,
    $$VALUES ('create', 'al_tap_tr', '1', '{"id": 1, "title": "first", "note": "n1"}'::jsonb)$$,
    'a change right after track() in the same transaction is captured');

-- track() again changes the options
SELECT lives_ok(
    $$SELECT activity_log.track('al_tap_tr', 'al_tap_renamed', 'activity', ARRAY['note'])$$,
    'track() of a tracked table with new options');
SELECT results_eq(
    $$SELECT "table", collection, mode, exclude, active
        FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    $$VALUES ('al_tap_tr'::regclass, 'al_tap_renamed', 'activity', '{note}'::text[], true)$$,
    'tracked shows the new options');
SELECT is(
    (SELECT count(*) FROM activity_log.tracking WHERE relid = 'al_tap_tr'::regclass),
    1::bigint,
    'still one registration for the table');
SELECT is(
    (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'al_tap_tr'::regclass),
    2::bigint,
    'still exactly two triggers on the table');

INSERT INTO al_tap_tr VALUES (2, 'second', 'n2');
SELECT results_eq(
    $$SELECT action, collection, item, rev FROM al_tap_log
       WHERE collection IN ('al_tap_tr', 'al_tap_renamed') ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('create', 'al_tap_renamed', '2', NULL::bigint)$$,
    'the next capture uses the new collection and mode (no revision)');

SELECT lives_ok(
    $$SELECT activity_log.track('al_tap_tr', 'al_tap_renamed', 'all', ARRAY['note'])$$,
    'track() again, back to mode all, note still excluded');
UPDATE al_tap_tr SET note = 'changed' WHERE id = 1;
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection IN ('al_tap_tr', 'al_tap_renamed')),
    2::bigint,
    'an update of the newly excluded column logs nothing');
UPDATE al_tap_tr SET title = 'first!' WHERE id = 1;
SELECT results_eq(
    $$SELECT action, collection, data, delta FROM al_tap_log
       WHERE collection IN ('al_tap_tr', 'al_tap_renamed') ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('update', 'al_tap_renamed', '{"id": 1, "title": "first!"}'::jsonb, '{"title": "first!"}'::jsonb)$$,
    'the next capture has a revision without the excluded column');
SELECT results_eq(
    $$SELECT collection, action, item FROM activity_log.activity
       WHERE collection IN ('al_tap_tr', 'al_tap_renamed') ORDER BY id$$,
    $$VALUES ('al_tap_tr', 'create', '1'), ('al_tap_renamed', 'create', '2'),
             ('al_tap_renamed', 'update', '1')$$,
    'changing the collection does not rewrite the history');

SELECT lives_ok($$SELECT activity_log.track('al_tap_tr')$$, 'track() with the defaults again');
SELECT results_eq(
    $$SELECT collection, mode, exclude FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    $$VALUES ('al_tap_tr', 'all', '{}'::text[])$$,
    'the defaults reset collection, mode and exclude');

-- untrack() ----------------------------------------------------------------

SELECT lives_ok($$SELECT activity_log.untrack('al_tap_tr')$$, 'untrack() a tracked table');
SELECT is_empty(
    $$SELECT 1 FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    'the table is no longer in tracked');
SELECT hasnt_trigger('public', 'al_tap_tr', 'Activity_log_capture', 'untrack() drops trigger "Activity_log_capture"');
SELECT hasnt_trigger('public', 'al_tap_tr', 'Activity_log_truncate', 'untrack() drops trigger "Activity_log_truncate"');
INSERT INTO al_tap_tr VALUES (3, 'third', 'n3');
UPDATE al_tap_tr SET title = 'untracked';
DELETE FROM al_tap_tr WHERE id = 2;
TRUNCATE al_tap_tr;
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection IN ('al_tap_tr', 'al_tap_renamed')),
    3::bigint,
    'after untrack() changes are not captured, and the history stays');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions WHERE collection IN ('al_tap_tr', 'al_tap_renamed')),
    2::bigint,
    'the revisions stay too');
SELECT throws_ok($$SELECT activity_log.untrack('al_tap_tr')$$,
    '42704', 'table "al_tap_tr" is not tracked',
    'untrack() of a table that is not tracked fails with 42704');

-- Refusals of track() ----------------------------------------------------------

CREATE TABLE al_tap_nopk (v integer UNIQUE NOT NULL);
CREATE VIEW al_tap_view AS SELECT 1 AS id;
CREATE TEMP TABLE al_tap_temp (id integer PRIMARY KEY);
CREATE TABLE al_tap_ok (id integer PRIMARY KEY, a text, b text);
CREATE SEQUENCE al_tap_seq;

SELECT throws_ok($$SELECT activity_log.track('al_tap_nopk')$$,
    '55000', 'table "al_tap_nopk" has no primary key',
    'a table without primary key (even with a unique key) is refused with 55000');
SELECT throws_ok($$SELECT activity_log.track('al_tap_view')$$,
    '42809', '"al_tap_view" is not a table',
    'a view is refused with 42809');
SELECT throws_ok($$SELECT activity_log.track('al_tap_seq')$$,
    '42809', '"al_tap_seq" is not a table',
    'a sequence is refused with 42809');
SELECT throws_ok($$SELECT activity_log.track('al_tap_temp')$$,
    '0A000', 'cannot track temporary table "al_tap_temp"',
    'a temporary table is refused with 0A000');
SELECT throws_ok($$SELECT activity_log.track('pg_class')$$,
    '0A000', 'cannot track system table "pg_class"',
    'a system catalog is refused with 0A000');
SELECT throws_ok($$SELECT activity_log.track('activity_log.activity')$$,
    '22023', 'cannot track relation "activity" of the activity_log extension',
    'activity_log.activity itself is refused with 22023');
SELECT throws_ok($$SELECT activity_log.track('activity_log.revisions')$$,
    '22023', 'cannot track relation "revisions" of the activity_log extension',
    'activity_log.revisions is refused with 22023');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', exclude => ARRAY['a', 'nope'])$$,
    '42703', 'column "nope" of relation "al_tap_ok" does not exist',
    'excluding a column that does not exist is refused with 42703');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', exclude => ARRAY['id'])$$,
    '22023', 'cannot exclude primary key column "id"',
    'excluding a primary key column is refused with 22023');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', mode => 'everything')$$,
    '22023', 'unrecognized mode "everything"',
    'an unknown mode is refused with 22023');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', mode => NULL)$$,
    '22004', 'mode must not be null',
    'a NULL mode is refused with 22004');
SELECT throws_ok($$SELECT activity_log.track(NULL)$$,
    '22004', 'table to track must not be null',
    'a NULL table is refused with 22004');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', collection => ' ')$$,
    '22023', 'collection name must not be empty',
    'a blank collection name is refused with 22023');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', exclude => ARRAY['a', NULL])$$,
    '22004', 'column names in exclude must not be null',
    'a NULL excluded column name is refused with 22004');

SELECT lives_ok($$SELECT activity_log.track('al_tap_tr')$$, 'track al_tap_tr again (collection al_tap_tr)');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', 'al_tap_tr')$$,
    '42710', 'collection "al_tap_tr" is already used by table public.al_tap_tr',
    'a collection name used by another table is refused with 42710');
SELECT is_empty(
    $$SELECT 1 FROM activity_log.tracked WHERE "table" = 'al_tap_ok'::regclass$$,
    'none of the refused calls registered the table');
SELECT is(
    (SELECT count(*) FROM pg_trigger WHERE tgrelid = 'al_tap_ok'::regclass),
    0::bigint,
    'none of the refused calls left a trigger');

SELECT lives_ok($$SELECT activity_log.track('al_tap_ok', 'al_tap_ok', 'all', ARRAY['b'])$$,
    'track al_tap_ok excluding b');
SELECT throws_ok($$SELECT activity_log.track('al_tap_ok', mode => 'bogus')$$,
    '22023', NULL, 'a refused change of options of a tracked table fails');
SELECT results_eq(
    $$SELECT collection, mode, exclude FROM activity_log.tracked WHERE "table" = 'al_tap_ok'::regclass$$,
    $$VALUES ('al_tap_ok', 'all', '{b}'::text[])$$,
    'and leaves its options as they were');

-- The default collection ---------------------------------------------------------

CREATE SCHEMA al_tap_s;
CREATE TABLE al_tap_s.things (id integer PRIMARY KEY, v text);
CREATE TABLE al_tap_s.al_tap_ok (id integer PRIMARY KEY);
SELECT lives_ok($$SELECT activity_log.track('al_tap_s.things')$$, 'track al_tap_s.things');
SELECT lives_ok($$SELECT activity_log.track('al_tap_s.al_tap_ok')$$,
    'track al_tap_s.al_tap_ok (same name as a tracked table in public)');
SELECT results_eq(
    $$SELECT "table"::text, collection FROM activity_log.tracked
       WHERE "table" IN ('al_tap_tr'::regclass, 'al_tap_ok'::regclass,
                         'al_tap_s.things'::regclass, 'al_tap_s.al_tap_ok'::regclass)
       ORDER BY collection$$,
    $$VALUES ('al_tap_ok', 'al_tap_ok'), ('al_tap_s.al_tap_ok', 'al_tap_s.al_tap_ok'),
             ('al_tap_s.things', 'al_tap_s.things'), ('al_tap_tr', 'al_tap_tr')$$,
    'the default collection is the table name in public, schema.table elsewhere');
INSERT INTO al_tap_s.things VALUES (1, 'x');
SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity WHERE collection = 'al_tap_s.things'$$,
    $$VALUES ('create', '1')$$,
    'a change in the other schema is logged under schema.table');

-- Quoted names: the collection is schema.table unquoted
CREATE SCHEMA "Al Tap";
CREATE TABLE "Al Tap"."Odd ""Name""" ("the id" integer PRIMARY KEY, "select" text);
SELECT lives_ok($$SELECT activity_log.track('"Al Tap"."Odd ""Name"""')$$,
    'track a table whose schema and name need quoting');
INSERT INTO "Al Tap"."Odd ""Name""" VALUES (1, 'x');
SELECT results_eq(
    $$SELECT collection, item, data FROM al_tap_log WHERE collection LIKE 'Al Tap.%'$$,
    $$VALUES ('Al Tap.Odd "Name"', '1', '{"the id": 1, "select": "x"}'::jsonb)$$,
    'its changes are logged under the unquoted schema.table');
SELECT lives_ok($$SELECT activity_log.untrack('"Al Tap"."Odd ""Name"""')$$,
    'untrack it');
SELECT is(
    (SELECT count(*) FROM pg_trigger WHERE tgrelid = '"Al Tap"."Odd ""Name"""'::regclass),
    0::bigint,
    'untrack() dropped its triggers');

-- Savepoints: a rolled back track() or untrack() is forgotten --------------------
-- (no test result is recorded inside a savepoint: it would be rolled back too)

INSERT INTO al_tap_tr VALUES (10, 'before', 'n');
SAVEPOINT al_tap_sp;
DO $$BEGIN PERFORM activity_log.untrack('al_tap_tr'); END$$;
INSERT INTO al_tap_tr VALUES (11, 'untracked', 'n');
ROLLBACK TO SAVEPOINT al_tap_sp;
INSERT INTO al_tap_tr VALUES (12, 'tracked again', 'n');
SAVEPOINT al_tap_sp;
DO $$BEGIN PERFORM activity_log.track('al_tap_tr', 'al_tap_sp', 'activity', '{note}'); END$$;
INSERT INTO al_tap_tr VALUES (13, 'other options', 'n');
ROLLBACK TO SAVEPOINT al_tap_sp;
INSERT INTO al_tap_tr VALUES (14, 'back to the options', 'n');
SELECT results_eq(
    $$SELECT collection, item, data FROM al_tap_log
       WHERE collection IN ('al_tap_tr', 'al_tap_sp') AND item::integer >= 10 ORDER BY id$$,
    $$VALUES ('al_tap_tr', '10', '{"id": 10, "title": "before", "note": "n"}'::jsonb),
             ('al_tap_tr', '12', '{"id": 12, "title": "tracked again", "note": "n"}'::jsonb),
             ('al_tap_tr', '14', '{"id": 14, "title": "back to the options", "note": "n"}'::jsonb)$$,
    'after a rolled back untrack() or track(), capture goes on with the options that stand');
SELECT results_eq(
    $$SELECT collection, mode, exclude, active FROM activity_log.tracked WHERE "table" = 'al_tap_tr'::regclass$$,
    $$VALUES ('al_tap_tr', 'all', '{}'::text[], true)$$,
    'and tracked shows them');

-- tracked.active --------------------------------------------------------------

ALTER TABLE al_tap_s.things DISABLE TRIGGER "Activity_log_capture";
SELECT is(
    (SELECT active FROM activity_log.tracked WHERE "table" = 'al_tap_s.things'::regclass),
    false,
    'tracked.active is false after ALTER TABLE ... DISABLE TRIGGER "Activity_log_capture"');
INSERT INTO al_tap_s.things VALUES (2, 'y');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_s.things'),
    1::bigint,
    'with the trigger disabled nothing is captured');
ALTER TABLE al_tap_s.things ENABLE TRIGGER "Activity_log_capture";
SELECT is(
    (SELECT active FROM activity_log.tracked WHERE "table" = 'al_tap_s.things'::regclass),
    true,
    'tracked.active is true again after ENABLE TRIGGER');
ALTER TABLE al_tap_s.things ENABLE ALWAYS TRIGGER "Activity_log_capture";
SELECT is(
    (SELECT active FROM activity_log.tracked WHERE "table" = 'al_tap_s.things'::regclass),
    true,
    'tracked.active is true with ENABLE ALWAYS TRIGGER');

-- Schema changes of a tracked table --------------------------------------------

INSERT INTO al_tap_ok VALUES (1, 'a1', 'b1'), (2, 'a2', 'b2');
ALTER TABLE al_tap_ok ADD COLUMN extra integer DEFAULT 7;
INSERT INTO al_tap_ok (id, a) VALUES (3, 'a3');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_ok' AND item = '3'),
    '{"id": 3, "a": "a3", "extra": 7}'::jsonb,
    'a column added after track() is captured');
UPDATE al_tap_ok SET a = 'a1!' WHERE id = 1;
SELECT results_eq(
    $$SELECT data, delta FROM al_tap_log WHERE collection = 'al_tap_ok' AND action = 'update'$$,
    $$VALUES ('{"id": 1, "a": "a1!", "extra": 7}'::jsonb, '{"a": "a1!"}'::jsonb)$$,
    'UPDATE of a row stored before ADD COLUMN: data has the column''s default, delta does not');
ALTER TABLE al_tap_ok DROP COLUMN a;
DELETE FROM al_tap_ok WHERE id = 2;
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_ok' AND action = 'delete'),
    '{"id": 2, "extra": 7}'::jsonb,
    'a dropped column is no longer captured');

-- Excluded columns are stored by name: a rename must keep the column
-- excluded (the DDL event trigger follows it).
DO $$
BEGIN
    ALTER TABLE al_tap_ok RENAME COLUMN b TO b_renamed;
EXCEPTION WHEN others THEN
    NULL;
END
$$;
DO $$
BEGIN
    IF EXISTS (SELECT FROM pg_attribute WHERE attrelid = 'al_tap_ok'::regclass
                  AND attname = 'b_renamed') THEN
        EXECUTE $u$UPDATE al_tap_ok SET b_renamed = 'leaked' WHERE id = 1$u$;
    ELSE
        EXECUTE $u$UPDATE al_tap_ok SET b = 'leaked' WHERE id = 1$u$;
    END IF;
END
$$;
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_ok' AND action = 'update'),
    1::bigint,
    'renaming an excluded column keeps it excluded (an update of it logs nothing)');

-- Dropping a tracked table --------------------------------------------------------

DROP TABLE al_tap_s.things;
SELECT is(
    (SELECT count(*) FROM activity_log.tracking WHERE collection = 'al_tap_s.things'),
    0::bigint,
    'DROP TABLE removes the registration');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_s.things'),
    1::bigint,
    'DROP TABLE keeps the history');
DROP SCHEMA al_tap_s CASCADE;
SELECT is(
    (SELECT count(*) FROM activity_log.tracking WHERE collection LIKE 'al_tap_s.%'),
    0::bigint,
    'DROP SCHEMA ... CASCADE removes the registrations of its tables');
ALTER TABLE al_tap_ok DROP COLUMN extra;
SELECT is(
    (SELECT count(*) FROM activity_log.tracking WHERE relid = 'al_tap_ok'::regclass),
    1::bigint,
    'dropping a column keeps the registration');

-- Fail-closed: a capture trigger without registration refuses the change -------

CREATE TABLE al_tap_fc (id integer PRIMARY KEY);
SELECT lives_ok($$SELECT activity_log.track('al_tap_fc')$$, 'track al_tap_fc');
DELETE FROM activity_log.tracking WHERE relid = 'al_tap_fc'::regclass;
SELECT throws_ok($$INSERT INTO al_tap_fc VALUES (1)$$,
    '55000', 'table "al_tap_fc" is not tracked by activity_log',
    'a change that cannot be logged fails');
SELECT is((SELECT count(*) FROM al_tap_fc), 0::bigint, 'and is not made');
SELECT throws_ok($$SELECT activity_log.capture()$$,
    '39P01', NULL,
    'capture() called directly is refused');
CREATE TABLE al_tap_before (id integer PRIMARY KEY);
SELECT lives_ok($$SELECT activity_log.track('al_tap_before')$$, 'track al_tap_before');
CREATE TRIGGER al_tap_bad BEFORE INSERT ON al_tap_before
    FOR EACH ROW EXECUTE FUNCTION activity_log.capture();
SELECT throws_ok($$INSERT INTO al_tap_before VALUES (1)$$,
    '39P01', 'function "activity_log.capture" must be fired AFTER',
    'capture() as a BEFORE trigger is refused');

-- A trigger of the user's own named "Activity_log_capture" must not be
-- taken for ours: the table must not show as tracked and active while
-- nothing is captured (track() refuses it).
CREATE TABLE al_tap_squat (id integer PRIMARY KEY);
CREATE FUNCTION al_tap_noop() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NULL; END$$;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT ON al_tap_squat
    FOR EACH ROW EXECUTE FUNCTION al_tap_noop();
DO $$
BEGIN
    PERFORM activity_log.track('al_tap_squat');
EXCEPTION WHEN others THEN
    NULL;
END
$$;
INSERT INTO al_tap_squat VALUES (1);
SELECT ok(
    NOT EXISTS (SELECT 1 FROM activity_log.tracked
                 WHERE "table" = 'al_tap_squat'::regclass AND active)
    OR EXISTS (SELECT 1 FROM activity_log.activity WHERE collection = 'al_tap_squat'),
    'a table with a foreign trigger named "Activity_log_capture" is not shown as tracked and active while nothing is captured');

-- Partitioned tables --------------------------------------------------------------

CREATE TABLE al_tap_parted (id integer, region text, v text, PRIMARY KEY (id, region))
    PARTITION BY LIST (region);
CREATE TABLE al_tap_parted_eu PARTITION OF al_tap_parted FOR VALUES IN ('eu');
CREATE TABLE al_tap_parted_us (v text, region text NOT NULL, id integer NOT NULL);
SELECT throws_ok($$SELECT activity_log.track('al_tap_parted_eu')$$,
    '0A000', 'cannot track partition "al_tap_parted_eu" on its own',
    'a partition cannot be tracked on its own');
SELECT lives_ok($$SELECT activity_log.track('al_tap_parted')$$, 'track a partitioned table');
ALTER TABLE al_tap_parted ATTACH PARTITION al_tap_parted_us FOR VALUES IN ('us');
INSERT INTO al_tap_parted VALUES (1, 'eu', 'a'), (2, 'us', 'b');
UPDATE al_tap_parted_us SET v = 'c';
SELECT results_eq(
    $$SELECT action, collection, item, data FROM al_tap_log
       WHERE collection LIKE 'al_tap_parted%' ORDER BY id$$,
    $$VALUES ('create', 'al_tap_parted', '["1", "eu"]', '{"id": 1, "region": "eu", "v": "a"}'::jsonb),
             ('create', 'al_tap_parted', '["2", "us"]', '{"id": 2, "region": "us", "v": "b"}'::jsonb),
             ('update', 'al_tap_parted', '["2", "us"]', '{"id": 2, "region": "us", "v": "c"}'::jsonb)$$,
    'changes in every partition (one attached later, with another column order) are logged under the partitioned table''s collection');
TRUNCATE al_tap_parted;
SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_parted' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('truncate', NULL::text)$$,
    'TRUNCATE of the partitioned table is logged');
INSERT INTO al_tap_parted VALUES (3, 'eu', 'd');
-- TRUNCATE triggers are statement triggers, which PostgreSQL does not
-- clone to partitions: TRUNCATE of one partition must still be logged
-- (the extension gives every partition its own TRUNCATE trigger).
DO $$
BEGIN
    TRUNCATE al_tap_parted_eu;
EXCEPTION WHEN others THEN
    NULL;
END
$$;
SELECT ok(
    (SELECT action = 'truncate' FROM activity_log.activity
      WHERE collection = 'al_tap_parted' ORDER BY id DESC LIMIT 1)
    OR EXISTS (SELECT FROM al_tap_parted WHERE id = 3),
    'TRUNCATE of a partition of a tracked table does not remove rows without a log');

SELECT * FROM finish();
ROLLBACK;
