-- test/capture.sql: what the capture trigger writes for INSERT, UPDATE,
-- DELETE and TRUNCATE.
--
-- Everything happens in one transaction that is rolled back.  Ids of the
-- log tables come from sequences (not rolled back), so no test depends on
-- their values, only on their order.

BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';
SET LOCAL datestyle = 'ISO, YMD';
SET LOCAL intervalstyle = 'postgres';
SET LOCAL extra_float_digits = 1;

SELECT plan(91);

-- Every log row with its revision (if any), newest last
CREATE TEMP VIEW al_tap_log AS
SELECT a.id, a.action, a.collection, a.item, a.comment,
       r.id AS rev, r.collection AS rev_collection, r.item AS rev_item,
       r.data, r.delta, r.parent
  FROM activity_log.activity a
  LEFT JOIN activity_log.revisions r ON r.activity = a.id;

-- A table with many column types --------------------------------------------

CREATE TABLE al_tap_items (
    id integer PRIMARY KEY,
    name text NOT NULL,
    price numeric(10, 2),
    tags text[],
    doc jsonb,
    happened timestamptz,
    active boolean,
    score float8,
    day date,
    uid uuid,
    status text NOT NULL DEFAULT 'draft',
    price_x2 numeric GENERATED ALWAYS AS (price * 2) STORED,
    secret text
);

SELECT lives_ok(
    $$SELECT activity_log.track('al_tap_items', exclude => ARRAY['secret'])$$,
    'track al_tap_items, excluding column secret');

-- INSERT -------------------------------------------------------------------

INSERT INTO al_tap_items (id, name, price, tags, doc, happened, active, score, day, uid, secret)
VALUES (1, 'widget', 1.50, '{red,"big one"}',
        '{"k": [1, {"z": null}], "e": {}, "s": "x"}',
        '2024-01-02 03:04:05+00', true, 'NaN', '2024-02-29',
        'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 's3cr3t');

SELECT results_eq(
    $$SELECT action, item, comment FROM activity_log.activity
       WHERE collection = 'al_tap_items' ORDER BY id$$,
    $$VALUES ('create', '1', NULL::text)$$,
    'INSERT of one row: exactly one activity "create" with the key as item');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions WHERE collection = 'al_tap_items'),
    1::bigint,
    'INSERT of one row: exactly one revision');
SELECT ok(
    (SELECT rev_collection = collection AND rev_item = item AND parent IS NULL
       FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '1'),
    'the revision belongs to the activity: same collection and item, no parent');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'create' AND item = '1'),
    (SELECT to_jsonb(i) - 'secret' FROM al_tap_items i WHERE id = 1),
    'INSERT: data = to_jsonb(row) minus the excluded column');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'create' AND item = '1'),
    '{"id": 1, "name": "widget", "price": 1.50, "tags": ["red", "big one"],
      "doc": {"e": {}, "k": [1, {"z": null}], "s": "x"},
      "happened": "2024-01-02T03:04:05+00:00", "active": true, "score": "NaN",
      "day": "2024-02-29", "uid": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
      "status": "draft", "price_x2": 3.00}'::jsonb,
    'INSERT: data is the whole row, default and generated column included');
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'create' AND item = '1'),
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'create' AND item = '1'),
    'INSERT: delta = data');
SELECT is(
    (SELECT data -> 'status' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '1'),
    '"draft"'::jsonb,
    'INSERT: the column default is in data');
SELECT is(
    (SELECT data -> 'price_x2' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '1'),
    '3.00'::jsonb,
    'INSERT: the stored generated column is in data');
SELECT is(
    (SELECT data ? 'secret' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '1'),
    false,
    'INSERT: the excluded column is not in data');
SELECT is(
    (SELECT data -> 'score' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '1'),
    '"NaN"'::jsonb,
    'INSERT: float8 NaN is the string "NaN", as to_jsonb() gives it');
SELECT is(
    (SELECT transaction FROM activity_log.activity WHERE collection = 'al_tap_items' AND item = '1'),
    pg_current_xact_id(),
    'activity.transaction = pg_current_xact_id() of the changing transaction');
SELECT is(
    (SELECT db_user FROM activity_log.activity WHERE collection = 'al_tap_items' AND item = '1'),
    current_user::text,
    'activity.db_user = current_user');
SELECT is(
    (SELECT "user" FROM activity_log.activity WHERE collection = 'al_tap_items' AND item = '1'),
    session_user::text,
    'activity.user = session_user without context');

-- Multi-row INSERT: one activity per row
INSERT INTO al_tap_items (id, name, score, price)
VALUES (2, 'b', 'Infinity', NULL), (3, 'c', '-Infinity', 0), (4, 'd', 2.5, 10);

SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_items' ORDER BY id$$,
    $$VALUES ('create', '1'), ('create', '2'), ('create', '3'), ('create', '4')$$,
    'multi-row INSERT: one activity per row, in row order');
SELECT is(
    (SELECT count(*) FROM al_tap_log l JOIN al_tap_items i ON l.item = i.id::text
      WHERE l.collection = 'al_tap_items' AND l.action = 'create'
        AND l.data = to_jsonb(i) - 'secret' AND l.delta = l.data),
    4::bigint,
    'multi-row INSERT: each revision has data = delta = to_jsonb(row) - excluded');
SELECT is(
    (SELECT data -> 'score' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '2'),
    '"Infinity"'::jsonb,
    'float8 Infinity is the string "Infinity"');
SELECT is(
    (SELECT data -> 'score' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '3'),
    '"-Infinity"'::jsonb,
    'float8 -Infinity is the string "-Infinity"');
SELECT is(
    (SELECT data -> 'score' FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '4'),
    '2.5'::jsonb,
    'an ordinary float8 is a JSON number');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND item = '2'),
    '{"id": 2, "name": "b", "price": null, "tags": null, "doc": null,
      "happened": null, "active": null, "score": "Infinity", "day": null,
      "uid": null, "status": "draft", "price_x2": null}'::jsonb,
    'NULL columns are JSON nulls in data');

-- A failed statement logs nothing, even for the rows it did insert
SELECT throws_ok(
    $$INSERT INTO al_tap_items (id, name) VALUES (5, 'e'), (1, 'duplicate')$$,
    '23505', NULL,
    'a multi-row INSERT that fails on its second row fails');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items'),
    4::bigint,
    'the failed INSERT left no activity');

-- UPDATE -------------------------------------------------------------------

UPDATE al_tap_items SET name = 'widget 2', price = 2.00 WHERE id = 1;

SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_items' AND action <> 'create' ORDER BY id$$,
    $$VALUES ('update', '1')$$,
    'UPDATE of one row: exactly one activity "update"');
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1),
    '{"name": "widget 2", "price": 2.00, "price_x2": 4.00}'::jsonb,
    'UPDATE: delta has the changed columns only (the generated one included), new values');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1),
    (SELECT to_jsonb(i) - 'secret' FROM al_tap_items i WHERE id = 1),
    'UPDATE: data = to_jsonb(new row) minus the excluded column');
SELECT is(
    (SELECT data ->> 'happened' FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1),
    '2024-01-02T03:04:05+00:00',
    'UPDATE: data keeps the unchanged columns');

-- An update that changes nothing logs nothing
UPDATE al_tap_items SET name = name, doc = doc, score = score, tags = tags WHERE id = 1;
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items'),
    5::bigint,
    'an UPDATE that changes no value logs nothing');

-- An update of an excluded column only logs nothing
UPDATE al_tap_items SET secret = 'other' WHERE id = 1;
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items'),
    5::bigint,
    'an UPDATE that changes only an excluded column logs nothing');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions WHERE collection = 'al_tap_items'),
    5::bigint,
    'and writes no revision');

-- An excluded column never appears in delta
UPDATE al_tap_items SET secret = 'again', active = false WHERE id = 1;
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1),
    '{"active": false}'::jsonb,
    'UPDATE of an excluded and a logged column: delta has the logged one only');

-- NULLs and jsonb values in delta
UPDATE al_tap_items SET tags = NULL, doc = '{"k": 2}' WHERE id = 1;
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1),
    '{"tags": null, "doc": {"k": 2}}'::jsonb,
    'UPDATE to NULL gives a JSON null in delta; a jsonb column is nested, not a string');

-- Multi-row UPDATE: one activity per changed row
UPDATE al_tap_items SET status = 'published' WHERE id IN (2, 3, 4);
SELECT set_eq(
    $$SELECT item FROM al_tap_log
       WHERE collection = 'al_tap_items' AND action = 'update'
         AND delta = '{"status": "published"}'$$,
    ARRAY['2', '3', '4'],
    'multi-row UPDATE: one activity per row');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items' AND action = 'update'),
    6::bigint,
    'multi-row UPDATE of 3 rows added 3 activities');

-- A multi-row UPDATE logs only the rows it really changes
UPDATE al_tap_items SET status = 'published' WHERE id IN (1, 2);
SELECT results_eq(
    $$SELECT item, delta FROM al_tap_log
       WHERE collection = 'al_tap_items' AND action = 'update' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('1', '{"status": "published"}'::jsonb)$$,
    'UPDATE of two rows where one already has the value logs only the other');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items' AND action = 'update'),
    7::bigint,
    'and adds one activity');

-- A change of the primary key: the item is the new key
UPDATE al_tap_items SET id = 40 WHERE id = 4;
SELECT results_eq(
    $$SELECT item, delta FROM al_tap_log
       WHERE collection = 'al_tap_items' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('40', '{"id": 40}'::jsonb)$$,
    'UPDATE of the key: item is the new key, delta has the new key');

-- DELETE -------------------------------------------------------------------

CREATE TEMP TABLE al_tap_before AS
SELECT id::text AS item, to_jsonb(i) - 'secret' AS image FROM al_tap_items i;

DELETE FROM al_tap_items WHERE id = 40;
SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_items' AND action = 'delete' ORDER BY id$$,
    $$VALUES ('delete', '40')$$,
    'DELETE of one row: exactly one activity "delete"');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'delete' AND item = '40'),
    (SELECT image FROM al_tap_before WHERE item = '40'),
    'DELETE: data = the row as it was, minus the excluded column');
SELECT is(
    (SELECT data ->> 'status' FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'delete' AND item = '40'),
    'published',
    'DELETE: data has the last values of the row');
SELECT ok(
    (SELECT rev IS NOT NULL AND delta IS NULL
       FROM al_tap_log WHERE collection = 'al_tap_items' AND action = 'delete' AND item = '40'),
    'DELETE: a revision with delta NULL');

DELETE FROM al_tap_items WHERE id IN (2, 3);
SELECT set_eq(
    $$SELECT item FROM activity_log.activity
       WHERE collection = 'al_tap_items' AND action = 'delete'$$,
    ARRAY['40', '2', '3'],
    'multi-row DELETE: one activity per row');
SELECT is(
    (SELECT count(*) FROM al_tap_log l JOIN al_tap_before b USING (item)
      WHERE l.collection = 'al_tap_items' AND l.action = 'delete'
        AND l.data = b.image AND l.delta IS NULL),
    3::bigint,
    'multi-row DELETE: each revision holds its old row');

-- Rollback of a savepoint --------------------------------------------------

SAVEPOINT al_tap_sp;
INSERT INTO al_tap_items (id, name) VALUES (100, 'temporary'), (101, 'temporary');
UPDATE al_tap_items SET name = 'changed' WHERE id = 1;
DELETE FROM al_tap_items WHERE id = 100;
TRUNCATE al_tap_items;
-- (a test result recorded here would be rolled back with the savepoint:
-- keep the count in a psql variable and test it afterwards)
SELECT count(*) AS al_tap_inside FROM activity_log.activity
 WHERE collection = 'al_tap_items' \gset
ROLLBACK TO SAVEPOINT al_tap_sp;
SELECT is(:al_tap_inside::bigint, 20::bigint,
    'inside the savepoint the 5 changes were logged (15 + 5)');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items'),
    15::bigint,
    'ROLLBACK TO SAVEPOINT leaves no activity of the rolled back changes');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions WHERE collection = 'al_tap_items'),
    15::bigint,
    'ROLLBACK TO SAVEPOINT leaves no revision of the rolled back changes');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items'
        AND item IN ('100', '101')),
    0::bigint,
    'no trace of the rolled back items');

-- A released savepoint keeps its changes, logged
SAVEPOINT al_tap_sp2;
INSERT INTO al_tap_items (id, name) VALUES (7, 'kept');
RELEASE SAVEPOINT al_tap_sp2;
SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_items' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('create', '7')$$,
    'a change in a released savepoint is logged');
SELECT is(
    (SELECT transaction FROM activity_log.activity
      WHERE collection = 'al_tap_items' AND item = '7'),
    pg_current_xact_id(),
    'a change in a subtransaction records the top-level transaction id');
SELECT is(
    (SELECT count(DISTINCT transaction) FROM activity_log.activity WHERE collection = 'al_tap_items'),
    1::bigint,
    'all changes of this transaction share one transaction id');

-- TRUNCATE -----------------------------------------------------------------

TRUNCATE al_tap_items;
SELECT results_eq(
    $$SELECT action, item, rev FROM al_tap_log
       WHERE collection = 'al_tap_items' ORDER BY id DESC LIMIT 1$$,
    $$VALUES ('truncate', NULL::text, NULL::bigint)$$,
    'TRUNCATE: one activity "truncate" with no item and no revision');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_items' AND action = 'truncate'),
    1::bigint,
    'TRUNCATE: exactly one activity for the collection');

-- Many types: data = to_jsonb(row) ----------------------------------------

CREATE TYPE al_tap_mood AS ENUM ('sad', 'happy');
CREATE TYPE al_tap_pair AS (a integer, b text);
CREATE DOMAIN al_tap_posint AS integer CHECK (VALUE > 0);
CREATE DOMAIN al_tap_label AS text;

CREATE TABLE al_tap_types (
    id bigint PRIMARY KEY,
    i2 smallint,
    i8 bigint,
    f4 real,
    n numeric,
    vc varchar(10),
    ch char(5),
    ts timestamp,
    tstz timestamptz,
    d date,
    iv interval,
    addr inet,
    js json,
    jb jsonb,
    ints integer[],
    grid integer[][],
    mood al_tap_mood,
    pair al_tap_pair,
    pos al_tap_posint,
    label al_tap_label,
    r int4range,
    b bytea,
    bits bit varying(8),
    nm name
);
SELECT lives_ok($$SELECT activity_log.track('al_tap_types')$$, 'track al_tap_types');

INSERT INTO al_tap_types VALUES
    (1, -32768, 9223372036854775807, 1.1, 12345678901234567890.123456789,
     'varchar', 'ab', '2024-05-06 07:08:09.123456', '2024-05-06 07:08:09+02',
     '2000-01-01', '1 day 02:03:04', '192.168.0.1/24',
     '{"b": 1, "a": [true, null],  "a": 2}', '"just a string"',
     '{1,NULL,3}', '{{1,2},{3,4}}', 'happy', ROW(1, 'x'), 5, 'lbl',
     '[1,10)', '\x00ff', B'1010', 'a name'),
    (2, NULL, NULL, 'NaN', 'NaN', '', '', 'infinity', '-infinity',
     'infinity', NULL, '::1', 'null', 'null', '{}', NULL, 'sad',
     ROW(NULL, NULL), NULL, '', 'empty', '', NULL, ''),
    (3, 0, -1, '-Infinity', 'Infinity', 'quote"s', 'tab	', NULL, NULL,
     '-infinity', '-1 mons', NULL, '[]', '[1, "two", {"3": [4]}]',
     NULL, NULL, NULL, NULL, 1, 'backslash\', NULL, NULL, NULL, NULL),
    (4, 1, 1, 1.5e-30, -0.000001, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
     '12.5', '1e100', NULL, NULL, NULL, NULL, NULL, E'line\nbreak', NULL,
     NULL, NULL, NULL);

SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_types' AND action = 'create'),
    4::bigint,
    'many types: four rows, four activities');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '1'),
    (SELECT to_jsonb(t) FROM al_tap_types t WHERE id = 1),
    'many types, row 1: data = to_jsonb(row)');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '2'),
    (SELECT to_jsonb(t) FROM al_tap_types t WHERE id = 2),
    'many types, row 2 (NaN, infinities, empty values): data = to_jsonb(row)');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '3'),
    (SELECT to_jsonb(t) FROM al_tap_types t WHERE id = 3),
    'many types, row 3 (special characters, nested jsonb): data = to_jsonb(row)');
SELECT is(
    (SELECT data FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '4'),
    (SELECT to_jsonb(t) FROM al_tap_types t WHERE id = 4),
    'many types, row 4 (tiny and huge numbers): data = to_jsonb(row)');
SELECT is(
    (SELECT data -> 'pair' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '1'),
    '{"a": 1, "b": "x"}'::jsonb,
    'a composite column is a nested object');
SELECT is(
    (SELECT data -> 'js' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '1'),
    '{"a": 2, "b": 1}'::jsonb,
    'a json column is nested jsonb (last duplicate key wins)');
SELECT is(
    (SELECT data -> 'n' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '2'),
    '"NaN"'::jsonb,
    'numeric NaN is the string "NaN"');
SELECT is(
    (SELECT data -> 'n' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '3'),
    '"Infinity"'::jsonb,
    'numeric Infinity is the string "Infinity"');
SELECT is(
    (SELECT data -> 'pos' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '1'),
    '5'::jsonb,
    'a domain over integer is a JSON number');
SELECT is(
    (SELECT data -> 'tstz' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '1'),
    '"2024-05-06T05:08:09+00:00"'::jsonb,
    'a timestamptz is ISO 8601 in the session time zone');
SELECT is(
    (SELECT data -> 'jb' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '2'),
    'null'::jsonb,
    'a jsonb JSON null stays a JSON null');

-- An update of every kind of column, and a no-op one
UPDATE al_tap_types SET f4 = 'NaN', n = 'NaN', jb = '"just a string"', js = js,
       grid = '{{1,2},{3,4}}', pair = ROW(1, 'x'), ch = 'ab   ' WHERE id IN (1, 2);
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_types' AND action = 'update' AND item = '1'),
    '{"f4": "NaN", "n": "NaN"}'::jsonb,
    'UPDATE with equal values for json, arrays, composite and char(n): only the changed columns are in delta');
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_types' AND action = 'update' AND item = '2'),
    '{"ch": "ab   ", "jb": "just a string", "grid": [[1, 2], [3, 4]], "pair": {"a": 1, "b": "x"}}'::jsonb,
    'UPDATE of the other row: delta has its changed columns');
SELECT is(
    (SELECT count(*) FROM al_tap_log l JOIN al_tap_types t ON l.item = t.id::text
      WHERE l.collection = 'al_tap_types' AND l.action = 'update' AND l.data = to_jsonb(t)),
    2::bigint,
    'UPDATE: data = to_jsonb(new row) for both rows');

-- A BEFORE trigger's changes are what gets logged
CREATE FUNCTION al_tap_upper() RETURNS trigger LANGUAGE plpgsql AS
$$BEGIN NEW.vc := upper(NEW.vc); RETURN NEW; END$$;
CREATE TRIGGER al_tap_upper BEFORE INSERT ON al_tap_types
    FOR EACH ROW EXECUTE FUNCTION al_tap_upper();
INSERT INTO al_tap_types (id, vc) VALUES (5, 'shout');
SELECT is(
    (SELECT data ->> 'vc' FROM al_tap_log WHERE collection = 'al_tap_types' AND item = '5'),
    'SHOUT',
    'the row is logged as stored, after BEFORE triggers');

-- Large (TOASTed) values, upsert and COPY -------------------------------------

CREATE TABLE al_tap_big (id integer PRIMARY KEY, body text, n integer);
SELECT lives_ok($$SELECT activity_log.track('al_tap_big')$$, 'track al_tap_big');
INSERT INTO al_tap_big
SELECT 1, string_agg(md5(g::text), '' ORDER BY g), 0 FROM generate_series(1, 5000) AS g;
SELECT ok(
    (SELECT pg_relation_size(reltoastrelid) > 0 FROM pg_class WHERE oid = 'al_tap_big'::regclass),
    '(the 160 kB value is stored out of line)');
SELECT ok(
    (SELECT data ->> 'body' FROM al_tap_log WHERE collection = 'al_tap_big' AND action = 'create')
        = (SELECT body FROM al_tap_big WHERE id = 1),
    'a large value is logged whole');
UPDATE al_tap_big SET n = 1;
SELECT is(
    (SELECT delta FROM al_tap_log WHERE collection = 'al_tap_big' AND action = 'update'),
    '{"n": 1}'::jsonb,
    'UPDATE of another column: the unchanged large value is not in delta');
UPDATE al_tap_big SET body = body || '';
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_big'),
    2::bigint,
    'UPDATE of a large value to an equal new copy logs nothing');
UPDATE al_tap_big SET body = body || 'x';
SELECT ok(
    (SELECT delta ->> 'body' FROM al_tap_log WHERE collection = 'al_tap_big' ORDER BY id DESC LIMIT 1)
        = (SELECT body FROM al_tap_big WHERE id = 1)
    AND (SELECT delta ? 'n' FROM al_tap_log WHERE collection = 'al_tap_big' ORDER BY id DESC LIMIT 1) = false,
    'UPDATE of a large value: delta has the new value only');

INSERT INTO al_tap_big VALUES (1, 'small', 1) ON CONFLICT (id) DO UPDATE SET n = 2;
INSERT INTO al_tap_big VALUES (1, 'small', 1) ON CONFLICT (id) DO NOTHING;
INSERT INTO al_tap_big VALUES (2, 'small', 1) ON CONFLICT (id) DO NOTHING;
SELECT results_eq(
    $$SELECT action, item, delta FROM al_tap_log
       WHERE collection = 'al_tap_big' ORDER BY id OFFSET 3$$,
    $$VALUES ('update', '1', '{"n": 2}'::jsonb), ('create', '2', '{"id": 2, "n": 1, "body": "small"}'::jsonb)$$,
    'INSERT ... ON CONFLICT: DO UPDATE logs an update, DO NOTHING nothing, a new row a create');

COPY al_tap_big (id, body, n) FROM STDIN;
10	copied	10
11	\N	11
\.
SELECT results_eq(
    $$SELECT action, item, data FROM al_tap_log
       WHERE collection = 'al_tap_big' ORDER BY id OFFSET 5$$,
    $$VALUES ('create', '10', '{"id": 10, "n": 10, "body": "copied"}'::jsonb),
             ('create', '11', '{"id": 11, "n": 11, "body": null}'::jsonb)$$,
    'COPY FROM: one create per row');

-- mode 'activity': no revisions ---------------------------------------------

CREATE TABLE al_tap_light (id integer PRIMARY KEY, v text);
SELECT lives_ok($$SELECT activity_log.track('al_tap_light', mode => 'activity')$$,
    'track al_tap_light in mode activity');
INSERT INTO al_tap_light VALUES (1, 'a'), (2, 'b');
UPDATE al_tap_light SET v = 'c' WHERE id = 1;
UPDATE al_tap_light SET v = v;
DELETE FROM al_tap_light WHERE id = 2;
TRUNCATE al_tap_light;
SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_light' ORDER BY id$$,
    $$VALUES ('create', '1'), ('create', '2'), ('update', '1'), ('delete', '2'),
             ('truncate', NULL)$$,
    'mode activity: the activities are written');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions WHERE collection = 'al_tap_light'),
    0::bigint,
    'mode activity: no revision is written');

-- Item: the primary key as text ------------------------------------------------

CREATE TABLE al_tap_i18n (id integer, lang text, title text, PRIMARY KEY (id, lang));
CREATE TABLE al_tap_i18n_rev (id integer, lang text, title text, PRIMARY KEY (lang, id));
CREATE TABLE al_tap_slugs (slug text PRIMARY KEY, v integer);
CREATE TABLE al_tap_uuids (id uuid PRIMARY KEY, v integer);
CREATE TABLE al_tap_dates (day date PRIMARY KEY, v integer);
SELECT lives_ok($$
    SELECT activity_log.track('al_tap_i18n');
    SELECT activity_log.track('al_tap_i18n_rev');
    SELECT activity_log.track('al_tap_slugs');
    SELECT activity_log.track('al_tap_uuids');
    SELECT activity_log.track('al_tap_dates')$$,
    'track the tables with composite, text, uuid and date keys');

INSERT INTO al_tap_i18n VALUES (1, 'en', 'Hello'), (2, 'a"b\c', 'odd');
INSERT INTO al_tap_i18n_rev VALUES (1, 'en', 'Hello');
INSERT INTO al_tap_slugs VALUES ('hello world', 1), ('', 2);
INSERT INTO al_tap_uuids VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 1);
INSERT INTO al_tap_dates VALUES ('2024-02-29', 1);
UPDATE al_tap_i18n SET title = 'Hi' WHERE id = 1;
DELETE FROM al_tap_i18n WHERE id = 1;

SELECT results_eq(
    $$SELECT action, item FROM activity_log.activity
       WHERE collection = 'al_tap_i18n' ORDER BY id$$,
    $$VALUES ('create', '["1", "en"]'), ('create', '["2", "a\"b\\c"]'),
             ('update', '["1", "en"]'), ('delete', '["1", "en"]')$$,
    'composite key: item is a JSON array of the key columns'' text, for create, update and delete');
SELECT is(
    (SELECT item::jsonb FROM activity_log.activity WHERE collection = 'al_tap_i18n' AND action = 'create' ORDER BY id DESC LIMIT 1),
    '["2", "a\"b\\c"]'::jsonb,
    'composite key: special characters are escaped as JSON');
SELECT is(
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_i18n_rev'),
    '["en", "1"]',
    'composite key: the array follows the key order, not the column order');
SELECT is(
    (SELECT count(*) FROM activity_log.revisions r JOIN activity_log.activity a ON a.id = r.activity
      WHERE a.collection = 'al_tap_i18n' AND r.item = a.item),
    4::bigint,
    'composite key: the revisions have the same item');
SELECT results_eq(
    $$SELECT item FROM activity_log.activity WHERE collection = 'al_tap_slugs' ORDER BY id$$,
    $$VALUES ('hello world'), ('')$$,
    'text key: item is the text itself');
SELECT is(
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_uuids'),
    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
    'uuid key: item is the uuid''s text output');
SELECT is(
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_dates'),
    '2024-02-29',
    'date key: item is the date''s text output');
SELECT is(
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_types' AND action = 'create' ORDER BY id LIMIT 1),
    '1',
    'bigint key: item is the number''s text');

-- One statement touching two tracked tables (TRUNCATE of both)
TRUNCATE al_tap_slugs, al_tap_uuids;
SELECT set_eq(
    $$SELECT collection FROM activity_log.activity WHERE action = 'truncate'
         AND collection IN ('al_tap_slugs', 'al_tap_uuids')$$,
    ARRAY['al_tap_slugs', 'al_tap_uuids'],
    'TRUNCATE of two tracked tables: one activity each');

-- Captured changes have no comment, and every row is from this transaction
SELECT is(
    (SELECT count(*) FROM activity_log.activity
      WHERE collection LIKE 'al\_tap\_%' AND comment IS NOT NULL),
    0::bigint,
    'captured changes have no comment');
SELECT is(
    (SELECT count(*) FROM activity_log.activity
      WHERE collection LIKE 'al\_tap\_%'
        AND (transaction <> pg_current_xact_id() OR db_user <> current_user)),
    0::bigint,
    'every captured change has this transaction''s id and db_user = current_user');

SELECT * FROM finish();
ROLLBACK;
