-- test/privileges.sql: who may change tracked tables, the log, and the
-- tracking of a table.
--
-- Test roles are created inside the transaction, which is rolled back, so
-- they never outlive the test.  SET LOCAL ROLE / RESET ROLE switch between
-- them.

BEGIN;
SET LOCAL client_min_messages = warning;

SELECT plan(59);

CREATE ROLE al_tap_owner NOLOGIN;
CREATE ROLE al_tap_other NOLOGIN;
CREATE ROLE al_tap_admin NOLOGIN;
CREATE ROLE al_tap_nested NOLOGIN;
GRANT activity_log_admin TO al_tap_admin;
GRANT al_tap_admin TO al_tap_nested;

-- a table owned by an ordinary role, which another role may insert into
CREATE TABLE al_tap_owned (id integer PRIMARY KEY, v text);
ALTER TABLE al_tap_owned OWNER TO al_tap_owner;
GRANT INSERT ON al_tap_owned TO al_tap_other;
-- a table owned by the other role
CREATE TABLE al_tap_others (id integer PRIMARY KEY, v text);
ALTER TABLE al_tap_others OWNER TO al_tap_other;

-- What the catalogs grant ------------------------------------------------------

SELECT table_privs_are('activity_log', 'activity', 'al_tap_owner', ARRAY['SELECT'],
    'an ordinary role may only SELECT activity_log.activity (row-level security filters it)');
SELECT table_privs_are('activity_log', 'revisions', 'al_tap_owner', ARRAY['SELECT'],
    'an ordinary role may only SELECT activity_log.revisions (the view filters it)');
SELECT table_privs_are('activity_log', 'tracking', 'al_tap_owner', ARRAY[]::text[],
    'an ordinary role has no privilege on activity_log.tracking');
SELECT sequence_privs_are('activity_log', 'activity_id_seq', 'al_tap_owner', ARRAY[]::text[],
    'an ordinary role has no privilege on activity_log.activity_id_seq');
SELECT table_privs_are('activity_log', 'revision_store', 'al_tap_owner', ARRAY[]::text[],
    'an ordinary role has no privilege on activity_log.revision_store');
SELECT table_privs_are('activity_log', 'tracked', 'al_tap_owner', ARRAY['SELECT'],
    'everyone may read activity_log.tracked');
SELECT table_privs_are('activity_log', 'activity', 'activity_log_admin', ARRAY['SELECT'],
    'activity_log_admin may only read activity_log.activity');
SELECT table_privs_are('activity_log', 'revisions', 'activity_log_admin', ARRAY['SELECT'],
    'activity_log_admin may only read activity_log.revisions');
SELECT table_privs_are('activity_log', 'tracking', 'activity_log_admin', ARRAY['SELECT'],
    'activity_log_admin may only read activity_log.tracking');

-- The owner of a tracked table ---------------------------------------------------

SET LOCAL ROLE al_tap_owner;
SELECT is(current_user::text, 'al_tap_owner', 'now acting as al_tap_owner');
SELECT lives_ok($$SELECT activity_log.track('al_tap_owned')$$,
    'the owner of a table may track it');
SELECT lives_ok($$INSERT INTO al_tap_owned VALUES (1, 'a'), (2, 'b')$$,
    'the owner may INSERT into its tracked table');
SELECT lives_ok($$UPDATE al_tap_owned SET v = 'a!' WHERE id = 1$$,
    'the owner may UPDATE its tracked table');
SELECT lives_ok($$DELETE FROM al_tap_owned WHERE id = 2$$,
    'the owner may DELETE from its tracked table');
SELECT is(
    (SELECT collection FROM activity_log.tracked WHERE "table" = 'al_tap_owned'::regclass),
    'al_tap_owned',
    'the owner may read activity_log.tracked');

SELECT is((SELECT count(*) FROM activity_log.activity),
    (SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')),
    'the owner SELECTs from activity_log.activity what list_activity shows it');
SELECT throws_ok(
    $$INSERT INTO activity_log.activity (action, collection, item) VALUES ('create', 'al_tap_owned', '99')$$,
    '42501', NULL, 'the owner may not INSERT into activity_log.activity');
SELECT throws_ok($$UPDATE activity_log.activity SET "user" = 'someone else'$$,
    '42501', NULL, 'the owner may not UPDATE activity_log.activity');
SELECT throws_ok($$DELETE FROM activity_log.activity$$,
    '42501', NULL, 'the owner may not DELETE from activity_log.activity');
SELECT throws_ok($$TRUNCATE activity_log.activity CASCADE$$,
    '42501', NULL, 'the owner may not TRUNCATE activity_log.activity');
SELECT is((SELECT count(*) FROM activity_log.revisions r
            WHERE NOT EXISTS (SELECT FROM activity_log.list_activity('{"limit": -1}') a WHERE a.id = r.activity)),
    0::bigint,
    'the owner sees no revision of activity that list_activity hides');
-- revisions is a view that cannot be written at all (55000); its store
-- refuses for lack of privilege (42501)
SELECT throws_ok(
    $$INSERT INTO activity_log.revisions (activity, collection, item) VALUES (1, 'al_tap_owned', '99')$$,
    '55000', NULL, 'the owner may not INSERT into activity_log.revisions');
SELECT throws_ok($$UPDATE activity_log.revisions SET data = '{}'$$,
    '55000', NULL, 'the owner may not UPDATE activity_log.revisions');
SELECT throws_ok($$DELETE FROM activity_log.revisions$$,
    '55000', NULL, 'the owner may not DELETE from activity_log.revisions');
SELECT throws_ok(
    $$INSERT INTO activity_log.revision_store (activity, op) VALUES (1, 'i')$$,
    '42501', NULL, 'the owner may not INSERT into activity_log.revision_store');
SELECT throws_ok($$UPDATE activity_log.revision_store SET data = '{}'$$,
    '42501', NULL, 'the owner may not UPDATE activity_log.revision_store');
SELECT throws_ok($$DELETE FROM activity_log.revision_store$$,
    '42501', NULL, 'the owner may not DELETE from activity_log.revision_store');
SELECT throws_ok($$SELECT * FROM activity_log.tracking$$,
    '42501', NULL, 'the owner may not SELECT activity_log.tracking');
SELECT throws_ok(
    $$UPDATE activity_log.tracking SET mode = 'activity'$$,
    '42501', NULL, 'the owner may not UPDATE activity_log.tracking');
SELECT throws_ok($$SELECT nextval('activity_log.activity_id_seq')$$,
    '42501', NULL, 'the owner may not use the sequence of activity_log.activity');
SELECT throws_ok($$ALTER TABLE activity_log.activity DISABLE TRIGGER ALL$$,
    '42501', NULL, 'the owner may not alter activity_log.activity');
SELECT throws_ok($$SELECT activity_log.track('al_tap_others')$$,
    '42501', 'permission denied to change tracking of table "al_tap_others"',
    'the owner may not track a table it does not own');

-- Another role, with INSERT on the table but not its owner --------------------------

SET LOCAL ROLE al_tap_other;
SELECT is(current_user::text, 'al_tap_other', 'now acting as al_tap_other');
SELECT throws_ok($$SELECT activity_log.track('al_tap_owned', mode => 'activity')$$,
    '42501', 'permission denied to change tracking of table "al_tap_owned"',
    'a role that does not own a tracked table may not track it');
SELECT throws_ok($$SELECT activity_log.untrack('al_tap_owned')$$,
    '42501', 'permission denied to change tracking of table "al_tap_owned"',
    'a role that does not own a tracked table may not untrack it');
SELECT lives_ok($$INSERT INTO al_tap_owned VALUES (3, 'c')$$,
    'a role with INSERT privilege only may insert into the tracked table');
SELECT throws_ok($$INSERT INTO activity_log.activity (action, collection) VALUES ('create', 'x')$$,
    '42501', NULL, 'and may not write the log directly');

RESET ROLE;
SELECT results_eq(
    $$SELECT "table", collection, mode FROM activity_log.tracked WHERE "table" = 'al_tap_owned'::regclass$$,
    $$VALUES ('al_tap_owned'::regclass, 'al_tap_owned', 'all')$$,
    'the refused track() and untrack() changed nothing');
SELECT results_eq(
    $$SELECT action, item, db_user, "user" FROM activity_log.activity
       WHERE collection = 'al_tap_owned' ORDER BY id$$,
    $$VALUES ('create', '1', 'al_tap_owner', session_user::text COLLATE "default"),
             ('create', '2', 'al_tap_owner', session_user::text COLLATE "default"),
             ('update', '1', 'al_tap_owner', session_user::text COLLATE "default"),
             ('delete', '2', 'al_tap_owner', session_user::text COLLATE "default"),
             ('create', '3', 'al_tap_other', session_user::text COLLATE "default")$$,
    'the changes of both roles are logged, db_user is the role that made them');
SELECT results_eq(
    $$SELECT r.item, r.data, r.delta FROM activity_log.revisions r
       WHERE r.collection = 'al_tap_owned' ORDER BY r.id$$,
    $$VALUES ('1', '{"id": 1, "v": "a"}'::jsonb, '{"id": 1, "v": "a"}'::jsonb),
             ('2', '{"id": 2, "v": "b"}'::jsonb, '{"id": 2, "v": "b"}'::jsonb),
             ('1', '{"id": 1, "v": "a!"}'::jsonb, '{"v": "a!"}'::jsonb),
             ('2', '{"id": 2, "v": "b"}'::jsonb, NULL::jsonb),
             ('3', '{"id": 3, "v": "c"}'::jsonb, '{"id": 3, "v": "c"}'::jsonb)$$,
    'their revisions are written too');
SELECT ok(
    (SELECT bool_and(transaction = pg_current_xact_id()) FROM activity_log.activity
      WHERE collection = 'al_tap_owned'),
    'all of them carry the transaction id');

-- A SECURITY DEFINER function records its owner as db_user
CREATE FUNCTION al_tap_definer_insert(integer) RETURNS void
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public
    AS $$INSERT INTO public.al_tap_owned VALUES ($1, 'definer')$$;
ALTER FUNCTION al_tap_definer_insert(integer) OWNER TO al_tap_owner;
GRANT EXECUTE ON FUNCTION al_tap_definer_insert(integer) TO al_tap_other;
SET LOCAL ROLE al_tap_other;
SELECT lives_ok($$SELECT al_tap_definer_insert(4)$$,
    'a change made through a SECURITY DEFINER function');
RESET ROLE;
SELECT is(
    (SELECT db_user FROM activity_log.activity WHERE collection = 'al_tap_owned' AND item = '4'),
    'al_tap_owner',
    'db_user is the current user inside the function: its owner');

-- activity_log.user cannot change db_user
SET LOCAL ROLE al_tap_owner;
-- ("user" is a reserved word: SET needs it quoted)
SET LOCAL activity_log."user" = 'al_tap_admin';
INSERT INTO al_tap_owned VALUES (5, 'forged?');
RESET ROLE;
SET LOCAL activity_log."user" = '';
SELECT results_eq(
    $$SELECT "user", db_user FROM activity_log.activity WHERE collection = 'al_tap_owned' AND item = '5'$$,
    $$VALUES ('al_tap_admin', 'al_tap_owner')$$,
    'activity_log.user sets "user" but never db_user');

-- Members of activity_log_admin ---------------------------------------------------

SET LOCAL ROLE al_tap_admin;
SELECT is(current_user::text, 'al_tap_admin', 'now acting as al_tap_admin');
SELECT lives_ok($$SELECT activity_log.track('al_tap_others', 'al_tap_others_admin')$$,
    'a member of activity_log_admin may track a table it does not own');
SELECT is(
    (SELECT collection FROM activity_log.tracking WHERE relid = 'al_tap_others'::regclass),
    'al_tap_others_admin',
    'a member of activity_log_admin may read activity_log.tracking');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_owned'),
    7::bigint,
    'a member of activity_log_admin may read activity_log.activity');
SELECT throws_ok($$DELETE FROM activity_log.activity WHERE collection = 'al_tap_owned'$$,
    '42501', NULL, 'a member of activity_log_admin may not delete from the log');
SELECT throws_ok($$INSERT INTO activity_log.activity (action, collection) VALUES ('create', 'x')$$,
    '42501', NULL, 'a member of activity_log_admin may not insert into the log');

SET LOCAL ROLE al_tap_other;
SELECT lives_ok($$INSERT INTO al_tap_others VALUES (1, 'x')$$,
    'the owner writes its table, tracked by the admin');
RESET ROLE;
SELECT results_eq(
    $$SELECT action, item, db_user FROM activity_log.activity WHERE collection = 'al_tap_others_admin'$$,
    $$VALUES ('create', '1', 'al_tap_other')$$,
    'and the change is logged');

SET LOCAL ROLE al_tap_nested;
SELECT lives_ok($$SELECT activity_log.untrack('al_tap_others')$$,
    'an indirect member of activity_log_admin may untrack a table it does not own');
RESET ROLE;
SELECT is_empty(
    $$SELECT 1 FROM activity_log.tracking WHERE relid = 'al_tap_others'::regclass$$,
    'the table is untracked');

-- The owner drops its tracked table ----------------------------------------------

SET LOCAL ROLE al_tap_owner;
SELECT lives_ok($$DROP TABLE al_tap_owned$$, 'the owner may drop its tracked table');
RESET ROLE;
SELECT is(
    (SELECT count(*) FROM activity_log.tracking WHERE collection = 'al_tap_owned'),
    0::bigint,
    'its registration is removed');
SELECT is(
    (SELECT count(*) FROM activity_log.activity WHERE collection = 'al_tap_owned'),
    7::bigint,
    'its history stays');

-- db_user after a role is renamed -----------------------------------------------

-- Role names are cached by OID; a rename must reach the cache, so that
-- db_user is the new name (in this backend and in others).
CREATE TABLE al_tap_rename (id integer PRIMARY KEY);
ALTER TABLE al_tap_rename OWNER TO al_tap_other;
SELECT lives_ok($$SELECT activity_log.track('al_tap_rename')$$, 'track al_tap_rename');
SET LOCAL ROLE al_tap_other;
INSERT INTO al_tap_rename VALUES (1);
RESET ROLE;
ALTER ROLE al_tap_other RENAME TO al_tap_other_renamed;
SET LOCAL ROLE al_tap_other_renamed;
INSERT INTO al_tap_rename VALUES (2);
RESET ROLE;
SELECT results_eq(
    $$SELECT item, db_user FROM activity_log.activity WHERE collection = 'al_tap_rename' ORDER BY id$$,
    $$VALUES ('1', 'al_tap_other'), ('2', 'al_tap_other_renamed')$$,
    'after ALTER ROLE ... RENAME, db_user is the new name (= current_user)');

SELECT * FROM finish();
ROLLBACK;
