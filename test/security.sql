-- test/security.sql: hostile tests of the security promises.
--
-- An append-only, tamper-evident log that no ordinary role can write, read
-- beyond its rights, or subvert:
--   1. search_path is pinned in every function that runs SQL (pg_proc)
--   2. direct writes to the log, by every kind of role, are refused
--   3. superusers can write it, and verify() finds what they changed
--   4. the owner of a tracked table cannot switch capture off unseen
--   5. search_path attacks: look-alike functions, operators and relations
--   6. reading: no activity, revision or comment of a hidden table leaks
--   7. spoofing: the context user is a claim, db_user is the real role
--   8. masked columns
--   9. activity_log.require_context
--  10. bad input: NULLs, empty strings, huge values, deep nesting, fuzz
-- (A backend killed in the middle of a bulk update: scripts/crash_test.sh.)
--
-- Everything happens in one transaction that is rolled back; the roles
-- (al_hx_*) are created inside it.  SET LOCAL ROLE / RESET ROLE switch
-- between them.

BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL TimeZone = 'UTC';

SELECT plan(287);

-- Fixture -------------------------------------------------------------------------

-- a clean log for this transaction
DELETE FROM activity_log.seals;
DELETE FROM activity_log.activity;

CREATE ROLE al_hx_nobody NOLOGIN;   -- only what PUBLIC has
CREATE ROLE al_hx_owner NOLOGIN;    -- owns tracked tables
CREATE ROLE al_hx_granted NOLOGIN;  -- write privileges on the log, by mistake
CREATE ROLE al_hx_admin NOLOGIN;    -- member of activity_log_admin (and mistaken grants)
CREATE ROLE al_hx_reader NOLOGIN;   -- may SELECT al_hx_doc, nothing else
CREATE ROLE al_hx_evil NOLOGIN;     -- plants look-alikes (search_path attacks)
GRANT activity_log_admin TO al_hx_admin;
GRANT CREATE ON SCHEMA public TO al_hx_evil;

-- what the functions under test return, and what look-alikes touched
CREATE FUNCTION al_hx_try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END $$;
CREATE FUNCTION al_hx_state(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN '00000';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE;
END $$;
CREATE TABLE al_hx_canary (who text DEFAULT current_user, what text);
GRANT INSERT, SELECT ON al_hx_canary TO PUBLIC;

-- tracked tables
CREATE TABLE al_hx_doc (id int PRIMARY KEY, title text, body text);
ALTER TABLE al_hx_doc OWNER TO al_hx_owner;
GRANT SELECT ON al_hx_doc TO al_hx_reader;
CREATE TABLE al_hx_hidden (id int PRIMARY KEY, v text);
CREATE TABLE al_hx_users (id int PRIMARY KEY, name text, password_hash text);
ALTER TABLE al_hx_users OWNER TO al_hx_owner;

SET LOCAL ROLE al_hx_owner;
SELECT activity_log.track('al_hx_doc');
SELECT activity_log.track('al_hx_users', mask => ARRAY['password_hash']);
RESET ROLE;
SELECT activity_log.track('al_hx_hidden');
-- (no captured change yet: the capture path keeps the log tables open until
-- the end of the transaction, and TRUNCATE checks that they are not in use
-- before it fires the guard trigger; section 2 comes first for that)
INSERT INTO activity_log.activity (action, collection, item, db_user)
    VALUES ('import', 'al_hx_app', 'a', 'postgres'), ('import', 'al_hx_app', 'b', 'postgres');

-- 1. search_path is pinned ------------------------------------------------------------

SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
       WHERE p.pronamespace = 'activity_log'::regnamespace AND p.prosecdef
         AND NOT EXISTS (SELECT FROM unnest(p.proconfig) c WHERE c LIKE 'search_path=%')$$,
    'every SECURITY DEFINER function of the extension pins search_path');
-- Every function that runs SQL pins search_path, track(), untrack() and
-- set_context() included (and every name in that SQL is schema-qualified:
-- section 5 shows the look-alikes are not reached).
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
       WHERE p.pronamespace = 'activity_log'::regnamespace
         AND l.lanname IN ('c', 'sql')
         AND p.prorettype NOT IN ('trigger'::regtype, 'event_trigger'::regtype)
         AND p.proname <> 'visible'
         AND NOT ('search_path=pg_catalog, pg_temp' = ANY (coalesce(p.proconfig, '{}')))
       ORDER BY 1$$,
    'every C or SQL function of the extension (but triggers and visible()) has search_path=pg_catalog, pg_temp');
SELECT is_empty(
    $$SELECT p.oid::regprocedure::text FROM pg_proc p
       WHERE p.pronamespace = 'activity_log'::regnamespace
         AND NOT EXISTS (SELECT FROM pg_depend d
                          WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid
                            AND d.refclassid = 'pg_extension'::regclass AND d.deptype = 'e')$$,
    'every function in schema activity_log belongs to the extension');

-- 2. Nobody writes the log directly ---------------------------------------------------

-- (such grants are refused by the event trigger: see the regression test
-- hostile_grants; here a superuser forces them past it, and the guard
-- still refuses every write)
ALTER EVENT TRIGGER activity_log_ddl DISABLE;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON activity_log.activity, activity_log.revision_store,
    activity_log.tracking, activity_log.seals TO al_hx_granted, al_hx_admin;
GRANT INSERT, UPDATE, DELETE ON activity_log.revisions TO al_hx_granted, al_hx_admin;
ALTER EVENT TRIGGER activity_log_ddl ENABLE;
GRANT pg_read_server_files TO al_hx_granted;

CREATE TABLE al_hx_writes (tbl text, stmt text, sql text);
INSERT INTO al_hx_writes VALUES
    ('activity', 'INSERT', $$INSERT INTO activity_log.activity (action, collection, item) VALUES ('create', 'al_hx_doc', '99')$$),
    ('activity', 'UPDATE', $$UPDATE activity_log.activity SET comment = 'forged'$$),
    ('activity', 'DELETE', $$DELETE FROM activity_log.activity$$),
    ('activity', 'TRUNCATE', $$TRUNCATE activity_log.activity CASCADE$$),
    ('revision_store', 'INSERT', $$INSERT INTO activity_log.revision_store (activity, op, data) VALUES (1, 'i', '{}')$$),
    ('revision_store', 'UPDATE', $$UPDATE activity_log.revision_store SET data = '{"forged": true}'$$),
    ('revision_store', 'DELETE', $$DELETE FROM activity_log.revision_store$$),
    ('revision_store', 'TRUNCATE', $$TRUNCATE activity_log.revision_store$$),
    ('tracking', 'INSERT', $$INSERT INTO activity_log.tracking (relid, collection, mode) VALUES ('al_hx_canary', 'fake', 'all')$$),
    ('tracking', 'UPDATE', $$UPDATE activity_log.tracking SET mask = '{}'$$),
    ('tracking', 'DELETE', $$DELETE FROM activity_log.tracking$$),
    ('tracking', 'TRUNCATE', $$TRUNCATE activity_log.tracking$$),
    ('seals', 'INSERT', $$INSERT INTO activity_log.seals VALUES (1, '{}', '', '\x00', 0, 0, '{}', now())$$),
    ('seals', 'UPDATE', $$UPDATE activity_log.seals SET hash = '\x00'$$),
    ('seals', 'DELETE', $$DELETE FROM activity_log.seals$$),
    ('seals', 'TRUNCATE', $$TRUNCATE activity_log.seals$$);
GRANT SELECT ON al_hx_writes TO PUBLIC;
CREATE TABLE al_hx_before AS
    SELECT (SELECT count(*) FROM activity_log.activity) AS activity,
           (SELECT count(*) FROM activity_log.revision_store) AS revisions,
           (SELECT count(*) FROM activity_log.tracking) AS tracking,
           (SELECT count(*) FROM activity_log.seals) AS seals,
           (SELECT string_agg(md5(a::text), '' ORDER BY id) FROM activity_log.activity a) AS digest;

-- a role with no privilege: permission denied
SET LOCAL ROLE al_hx_nobody;
SELECT is(al_hx_try(sql), format('42501: permission denied for table %s', tbl),
          format('a PUBLIC-only role: %s on activity_log.%s is refused', stmt, tbl))
  FROM al_hx_writes ORDER BY tbl, stmt;
-- the owner of a tracked table: no privilege either
SET LOCAL ROLE al_hx_owner;
SELECT is(al_hx_try(sql), format('42501: permission denied for table %s', tbl),
          format('the owner of a tracked table: %s on activity_log.%s is refused', stmt, tbl))
  FROM al_hx_writes ORDER BY tbl, stmt;
-- privileges granted by mistake: the guard trigger refuses (a TRUNCATE of
-- the log tables is refused even before it, because this transaction has
-- written the log: track() records itself)
SET LOCAL ROLE al_hx_granted;
SELECT is(al_hx_try(sql), CASE WHEN stmt = 'TRUNCATE' AND tbl IN ('activity', 'revision_store')
              THEN format('55006: cannot TRUNCATE "%s" because it is being used by active queries in this session', tbl)
              ELSE format('42501: table "activity_log.%s" is append-only', tbl) END,
          format('a role granted %s by mistake: %s on activity_log.%s is refused as append-only', stmt, stmt, tbl))
  FROM al_hx_writes ORDER BY tbl, stmt;
-- an admin, with the same mistaken grants
SET LOCAL ROLE al_hx_admin;
SELECT is(al_hx_try(sql), CASE WHEN stmt = 'TRUNCATE' AND tbl IN ('activity', 'revision_store')
              THEN format('55006: cannot TRUNCATE "%s" because it is being used by active queries in this session', tbl)
              ELSE format('42501: table "activity_log.%s" is append-only', tbl) END,
          format('an activity_log_admin member granted %s: %s on activity_log.%s is refused as append-only', stmt, stmt, tbl))
  FROM al_hx_writes ORDER BY tbl, stmt;

-- other ways to write, with the mistaken grants
SET LOCAL ROLE al_hx_granted;
SELECT is(al_hx_try($$MERGE INTO activity_log.activity a USING (SELECT 1) s ON false
                      WHEN NOT MATCHED THEN INSERT (action, collection) VALUES ('create', 'al_hx_doc')$$),
    '42501: table "activity_log.activity" is append-only', 'MERGE ... INSERT into activity is refused');
SELECT is(al_hx_try($$MERGE INTO activity_log.revision_store r USING (SELECT 1) s ON true
                      WHEN MATCHED THEN DELETE$$),
    '42501: table "activity_log.revision_store" is append-only', 'MERGE ... DELETE on revision_store is refused');
SELECT is(al_hx_try($$INSERT INTO activity_log.activity (action, collection) VALUES ('create', 'x')
                      ON CONFLICT DO NOTHING$$),
    '42501: table "activity_log.activity" is append-only', 'INSERT ... ON CONFLICT DO NOTHING is refused');
SELECT is(al_hx_try($$WITH d AS (DELETE FROM activity_log.seals RETURNING 1) SELECT count(*) FROM d$$),
    '42501: table "activity_log.seals" is append-only', 'a DELETE in a WITH query is refused');
SELECT is(al_hx_try($$COPY activity_log.revision_store (activity, op) FROM '/dev/null'$$),
    '0A000: COPY FROM not supported with row-level security', 'COPY FROM (even of nothing) into revision_store is refused (by its row security)');
SELECT is(al_hx_try($$COPY activity_log.activity (action, collection) FROM '/dev/null'$$),
    '0A000: COPY FROM not supported with row-level security', 'COPY FROM into activity is refused (row-level security)');

-- the view revisions cannot be written (55000), nor truncated (not a table)
RESET ROLE;
CREATE TABLE al_hx_view_writes (what text, sql text, err text);
INSERT INTO al_hx_view_writes VALUES
    ('INSERT into', $$INSERT INTO activity_log.revisions (activity, data) VALUES (1, '{}')$$, '55000: cannot insert into view "revisions"'),
    ('UPDATE of', $$UPDATE activity_log.revisions SET data = '{}'$$, '55000: cannot update view "revisions"'),
    ('DELETE from', $$DELETE FROM activity_log.revisions$$, '55000: cannot delete from view "revisions"'),
    ('TRUNCATE of', $$TRUNCATE activity_log.revisions$$, '42809: "revisions" is not a table');
GRANT SELECT ON al_hx_view_writes TO PUBLIC;
SET LOCAL ROLE al_hx_nobody;
SELECT is(al_hx_try(sql), err, format('a PUBLIC-only role: %s activity_log.revisions is refused', what))
  FROM al_hx_view_writes ORDER BY what;
SET LOCAL ROLE al_hx_owner;
SELECT is(al_hx_try(sql), err, format('the owner of a tracked table: %s activity_log.revisions is refused', what))
  FROM al_hx_view_writes ORDER BY what;
SET LOCAL ROLE al_hx_granted;
SELECT is(al_hx_try(sql), err, format('a role granted writes by mistake: %s activity_log.revisions is refused', what))
  FROM al_hx_view_writes ORDER BY what;
SET LOCAL ROLE al_hx_admin;
SELECT is(al_hx_try(sql), err, format('an admin granted writes: %s activity_log.revisions is refused', what))
  FROM al_hx_view_writes ORDER BY what;
RESET ROLE;

SELECT results_eq(
    $$SELECT (SELECT count(*) FROM activity_log.activity), (SELECT count(*) FROM activity_log.revision_store),
             (SELECT count(*) FROM activity_log.tracking), (SELECT count(*) FROM activity_log.seals),
             (SELECT string_agg(md5(a::text), '' ORDER BY id) FROM activity_log.activity a)$$,
    $$SELECT activity, revisions, tracking, seals, digest FROM al_hx_before$$,
    'after all these attempts the log, the registrations and the seals are unchanged');
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON activity_log.activity, activity_log.revision_store,
    activity_log.tracking, activity_log.seals FROM al_hx_granted, al_hx_admin;
REVOKE INSERT, UPDATE, DELETE ON activity_log.revisions FROM al_hx_granted, al_hx_admin;

-- the changes of the fixture
SET LOCAL ROLE al_hx_owner;
INSERT INTO al_hx_doc VALUES (1, 'one', 'first'), (2, 'two', 'second');
UPDATE al_hx_doc SET title = 'One' WHERE id = 1;
RESET ROLE;
SELECT activity_log.track('al_hx_hidden');
INSERT INTO al_hx_hidden VALUES (1, 'hidden-secret-text'), (2, 'b');
UPDATE al_hx_hidden SET v = 'bb' WHERE id = 2;
SELECT id AS hidden_comment FROM activity_log.create_comment('al_hx_hidden', '1', 'hidden comment') \gset
-- an admin opens the application's collection for events
SELECT activity_log.allow_events('al_hx_app');
SELECT id AS app_event FROM activity_log.log('login', 'al_hx_app', 'someone', 'an application event') \gset

-- GRANT ALL by mistake also gives TRIGGER.  A trigger the role put on a
-- log table would fire when the extension's own functions (update_comment,
-- delete_comment, prune...) write the log as its owner, a superuser: the
-- extension refuses to create triggers on its tables.
ALTER EVENT TRIGGER activity_log_ddl DISABLE;
GRANT ALL ON activity_log.activity TO al_hx_granted;
ALTER EVENT TRIGGER activity_log_ddl ENABLE;
GRANT SELECT ON al_hx_doc TO al_hx_granted;
SET LOCAL ROLE al_hx_granted;
CREATE FUNCTION pg_temp.al_hx_escalate() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO public.al_hx_canary (what) VALUES ('trigger on the log'); RETURN NEW; END $$;
SELECT throws_ok($$CREATE TRIGGER al_hx_escalate BEFORE UPDATE ON activity_log.activity
                   FOR EACH ROW EXECUTE FUNCTION pg_temp.al_hx_escalate()$$,
    '42501', 'cannot create triggers on table "activity_log.activity"',
    'GRANT ALL by mistake: the role still cannot put a trigger on activity_log.activity');
SELECT throws_ok($$ALTER TABLE activity_log.activity DISABLE TRIGGER guard_writes$$, '42501', NULL,
    'but it cannot disable the guard trigger');
SELECT id AS granted_comment FROM activity_log.create_comment('al_hx_doc', '1', 'a comment') \gset
SELECT lives_ok(format('SELECT activity_log.update_comment(%s, %L)', :granted_comment, 'edited'),
    '(it edits its own comment)');
SELECT activity_log.delete_comment(:granted_comment);
RESET ROLE;
SELECT is_empty($$SELECT who FROM al_hx_canary c JOIN pg_roles r ON r.rolname = c.who WHERE r.rolsuper$$,
    'its trigger never runs as a superuser');
DELETE FROM al_hx_canary;
REVOKE ALL ON activity_log.activity FROM al_hx_granted;
REVOKE SELECT ON al_hx_doc FROM al_hx_granted;

-- 3. Superusers can write the log; verify() finds it -------------------------------------

-- an id handed out in a rolled back savepoint leaves a gap in the sealed range
SAVEPOINT gap;
INSERT INTO al_hx_hidden VALUES (50, 'rolled back');
SELECT max(id) AS gap_id FROM activity_log.activity \gset
ROLLBACK TO SAVEPOINT gap;
RELEASE SAVEPOINT gap;
INSERT INTO al_hx_hidden VALUES (51, 'after the gap');
SELECT cmp_ok(activity_log.seal(), '>', 0::bigint, 'seal() chains the log');
SELECT is_empty($$SELECT * FROM activity_log.verify()$$, 'verify(): the sealed log holds');
SELECT min(id) AS first_id FROM activity_log.activity \gset
SELECT min(activity) AS first_rev FROM activity_log.revision_store \gset
SAVEPOINT tamper;
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id = :first_id + 1;
SELECT results_eq($$SELECT activity, problem FROM activity_log.verify()$$,
    format($$VALUES (%s::bigint, 'changed')$$, :first_id + 1),
    'a superuser edits an activity: verify() reports it changed');
ROLLBACK TO SAVEPOINT tamper;
UPDATE activity_log.revision_store SET data = '{"id": 1, "title": "forged"}' WHERE activity = :first_rev;
SELECT results_eq($$SELECT activity, problem FROM activity_log.verify()$$,
    format($$VALUES (%s::bigint, 'changed')$$, :first_rev),
    'a superuser edits a revision: verify() reports it changed');
ROLLBACK TO SAVEPOINT tamper;
DELETE FROM activity_log.activity WHERE id = :first_id + 2;
SELECT results_eq($$SELECT activity, problem FROM activity_log.verify()$$,
    format($$VALUES (%s::bigint, 'deleted')$$, :first_id + 2),
    'a superuser deletes an activity: verify() reports it deleted');
ROLLBACK TO SAVEPOINT tamper;
UPDATE activity_log.seals
   SET activities = array_remove(activities, (:first_id + 2)::bigint),
       digests = substr(digests, 1, 32 * (array_position(activities, (:first_id + 2)::bigint) - 1))
                 || substr(digests, 32 * array_position(activities, (:first_id + 2)::bigint) + 1)
 WHERE (:first_id + 2)::bigint = ANY (activities);
DELETE FROM activity_log.activity WHERE id = :first_id + 2;
SELECT results_eq($$SELECT problem FROM activity_log.verify()$$,
    $$VALUES ('seal changed')$$,
    'a superuser deletes an activity and takes it out of its link: the link no longer hashes');
ROLLBACK TO SAVEPOINT tamper;
INSERT INTO activity_log.activity (id, action, collection, item, db_user, transaction)
    VALUES (:gap_id, 'create', 'al_hx_hidden', '50', 'postgres', '1');
SELECT results_eq($$SELECT activity, problem FROM activity_log.verify()$$,
    format($$VALUES (%s::bigint, 'inserted')$$, :gap_id),
    'a superuser slips an activity into the sealed range: verify() reports it inserted');
ROLLBACK TO SAVEPOINT tamper;
RELEASE SAVEPOINT tamper;
SELECT is_empty($$SELECT * FROM activity_log.verify()$$, 'rolled back, the log verifies again');

-- 4. The owner of a tracked table cannot switch capture off unseen ---------------------

CREATE FUNCTION al_hx_not_capture() RETURNS trigger LANGUAGE plpgsql AS
$$ BEGIN RETURN NULL; END $$;
CREATE FUNCTION al_hx_active() RETURNS boolean LANGUAGE sql AS
$$ SELECT active FROM activity_log.tracked WHERE "table" = 'al_hx_doc'::regclass $$;
CREATE FUNCTION al_hx_doc_logged(t text) RETURNS bigint LANGUAGE sql AS
$$ SELECT count(*) FROM activity_log.activity WHERE collection = 'al_hx_doc' AND item = '2' AND
          id IN (SELECT id FROM activity_log.revisions WHERE data->>'title' = t) $$;

SET LOCAL ROLE al_hx_owner;
SELECT ok(al_hx_active(), 'al_hx_doc is tracked and active');
SELECT throws_ok($$SET LOCAL session_replication_role = replica$$, '42501', NULL,
    'the owner cannot switch triggers off with session_replication_role');
-- every way to switch capture off but untrack() is refused
SELECT throws_ok($$ALTER TABLE al_hx_doc DISABLE TRIGGER "Activity_log_capture"$$, '42501',
    'cannot disable, drop or replace the capture triggers of tracked table public.al_hx_doc',
    'the owner cannot DISABLE TRIGGER "Activity_log_capture"');
SELECT throws_ok($$ALTER TABLE al_hx_doc DISABLE TRIGGER USER$$, '42501', NULL,
    'nor DISABLE TRIGGER USER');
SELECT throws_ok($$ALTER TABLE al_hx_doc DISABLE TRIGGER "Activity_log_truncate"$$, '42501', NULL,
    'nor disable the TRUNCATE capture trigger');
SELECT throws_ok($$ALTER TABLE al_hx_doc ENABLE REPLICA TRIGGER "Activity_log_capture"$$, '42501', NULL,
    'nor make it fire only in replica sessions (ENABLE REPLICA TRIGGER)');
SELECT throws_ok($$DROP TRIGGER "Activity_log_capture" ON al_hx_doc$$, '42501', NULL,
    'nor DROP TRIGGER "Activity_log_capture"');
SELECT throws_ok($$DROP TRIGGER "Activity_log_truncate" ON al_hx_doc$$, '42501', NULL,
    'nor drop the TRUNCATE capture trigger');
SELECT throws_ok($$ALTER TRIGGER "Activity_log_capture" ON al_hx_doc RENAME TO quiet$$, '42501', NULL,
    'nor rename it');
SELECT throws_ok($$CREATE OR REPLACE TRIGGER "Activity_log_capture" AFTER INSERT ON al_hx_doc
    FOR EACH ROW EXECUTE FUNCTION al_hx_not_capture()$$, '42501', NULL,
    'nor replace it with CREATE OR REPLACE TRIGGER');
SELECT ok(al_hx_active(), 'after all that, capture is still active');
RESET ROLE;

-- A superuser may still do anything (as everywhere); tracked.active shows
-- what the triggers became.
ALTER TABLE al_hx_doc DISABLE TRIGGER "Activity_log_capture";
SELECT is(al_hx_active(), false, 'a superuser''s DISABLE TRIGGER: tracked shows active = false');
ALTER TABLE al_hx_doc ENABLE TRIGGER "Activity_log_capture";

DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT OR UPDATE OR DELETE ON al_hx_doc
    FOR EACH ROW EXECUTE FUNCTION al_hx_not_capture();
SELECT is(al_hx_active(), false,
    'a trigger of the same name calling another function: tracked shows active = false');
SELECT throws_ok($$SELECT activity_log.track('al_hx_doc')$$, '42710', NULL,
    'track() refuses to adopt the impostor trigger');
DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
SELECT activity_log.track('al_hx_doc');

-- ENABLE REPLICA TRIGGER makes the trigger fire only when
-- session_replication_role = replica, i.e. never in ordinary sessions
ALTER TABLE al_hx_doc ENABLE REPLICA TRIGGER "Activity_log_capture";
UPDATE al_hx_doc SET title = 'replica-only' WHERE id = 2;
SELECT is(al_hx_doc_logged('replica-only'), 0::bigint,
    '(ENABLE REPLICA TRIGGER "Activity_log_capture": an UPDATE goes unlogged)');
SELECT is(al_hx_active(), false,
    'ENABLE REPLICA TRIGGER "Activity_log_capture": tracked shows active = false');
ALTER TABLE al_hx_doc ENABLE TRIGGER "Activity_log_capture";

-- tracked.active checks the events (tgtype), the columns (tgattr) and the
-- WHEN condition (tgqual) too: capture() recreated for INSERT only, for
-- UPDATE OF one column, or WHEN (false) turns active false.
DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT ON al_hx_doc
    FOR EACH ROW EXECUTE FUNCTION activity_log.capture();
UPDATE al_hx_doc SET title = 'insert-only' WHERE id = 2;
SELECT is(al_hx_doc_logged('insert-only'), 0::bigint,
    '(capture() recreated for INSERT only: an UPDATE goes unlogged)');
SELECT is(al_hx_active(), false,
    'capture() recreated AFTER INSERT only: tracked shows active = false');
DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT OR UPDATE OR DELETE ON al_hx_doc
    FOR EACH ROW WHEN (false) EXECUTE FUNCTION activity_log.capture();
UPDATE al_hx_doc SET title = 'when-false' WHERE id = 2;
SELECT is(al_hx_doc_logged('when-false'), 0::bigint,
    '(capture() recreated WHEN (false): an UPDATE goes unlogged)');
SELECT is(al_hx_active(), false,
    'capture() recreated with WHEN (false): tracked shows active = false');
DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT OR UPDATE OF body OR DELETE ON al_hx_doc
    FOR EACH ROW EXECUTE FUNCTION activity_log.capture();
UPDATE al_hx_doc SET title = 'update-of-body' WHERE id = 2;
SELECT is(al_hx_doc_logged('update-of-body'), 0::bigint,
    '(capture() recreated for UPDATE OF body: an UPDATE of title goes unlogged)');
SELECT is(al_hx_active(), false,
    'capture() recreated for UPDATE OF one column: tracked shows active = false');
DROP TRIGGER "Activity_log_capture" ON al_hx_doc;
SELECT activity_log.track('al_hx_doc');

-- The TRUNCATE capture trigger is looked at too.
ALTER TABLE al_hx_doc DISABLE TRIGGER "Activity_log_truncate";
SELECT is(al_hx_active(), false,
    'DISABLE TRIGGER "Activity_log_truncate": tracked shows active = false');
ALTER TABLE al_hx_doc ENABLE TRIGGER "Activity_log_truncate";

SET LOCAL ROLE al_hx_owner;
UPDATE al_hx_doc SET title = 'Two' WHERE id = 2;
SELECT is(al_hx_doc_logged('Two'), 1::bigint, 'with the trigger back, changes are logged again');
RESET ROLE;

-- 5. search_path attacks -------------------------------------------------------------
--
-- al_hx_evil plants look-alikes of what the extension's SQL uses, in public
-- and in pg_temp, each of which writes to al_hx_canary (and returns a wrong
-- answer), then uses everything with search_path putting them first.  The
-- canary must stay empty and the answers must be right.

CREATE TABLE al_hx_evil_t (id int PRIMARY KEY, v text, n int);
ALTER TABLE al_hx_evil_t OWNER TO al_hx_evil;
CREATE TABLE al_hx_evil_pt (id int, k int, v text, PRIMARY KEY (id, k)) PARTITION BY LIST (k);
ALTER TABLE al_hx_evil_pt OWNER TO al_hx_evil;
-- results of calls made under the hostile search_path, and clean re-runs
CREATE TABLE al_hx_got (tag text, LIKE activity_log.activity);
CREATE TABLE al_hx_got_json (tag text, j jsonb);
CREATE TABLE al_hx_got_hist (tag text, h activity_log.history_entry);
GRANT ALL ON al_hx_got, al_hx_got_json, al_hx_got_hist TO PUBLIC;
-- a transaction done before, written as it would have been logged: undo_transaction() target
SET LOCAL session_replication_role = replica;
INSERT INTO al_hx_evil_t VALUES (5, 'five', 5);
SET LOCAL session_replication_role = DEFAULT;

SET LOCAL ROLE al_hx_evil;
CREATE FUNCTION public.al_hx_touch(what text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO public.al_hx_canary (what) VALUES (what); RETURN true; END $$;
-- functions and aggregates
CREATE FUNCTION public.lower(text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.lower'); RETURN 'pwned'; END $$;
CREATE FUNCTION public.to_jsonb(anyelement) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.to_jsonb'); RETURN '"pwned"'; END $$;
CREATE FUNCTION public.to_json(anyelement) RETURNS json LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.to_json'); RETURN '"pwned"'; END $$;
CREATE FUNCTION public.jsonb_build_object(text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_build_object(text,jsonb)'); RETURN '{}'; END $$;
CREATE FUNCTION public.jsonb_build_object(text, bigint) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_build_object(text,bigint)'); RETURN '{}'; END $$;
CREATE FUNCTION public.jsonb_build_object(text, text) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_build_object(text,text)'); RETURN '{}'; END $$;
CREATE FUNCTION public.jsonb_build_array(VARIADIC text[]) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_build_array'); RETURN '[]'; END $$;
CREATE FUNCTION public.convert_to(text, name) RETURNS bytea LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.convert_to'); RETURN '\x00'; END $$;
CREATE FUNCTION public.unnest(anyarray) RETURNS SETOF anyelement LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.unnest'); END $$;
CREATE FUNCTION public.jsonb_populate_record(anyelement, jsonb) RETURNS anyelement LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_populate_record'); RETURN $1; END $$;
CREATE FUNCTION public.array_replace(anyarray, anyelement, anyelement) RETURNS anyarray LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.array_replace'); RETURN $1; END $$;
CREATE FUNCTION public.array_remove(anyarray, anyelement) RETURNS anyarray LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.array_remove'); RETURN $1; END $$;
CREATE FUNCTION public.pg_partition_ancestors(regclass) RETURNS TABLE (relid regclass) LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.pg_partition_ancestors'); END $$;
CREATE FUNCTION public.abbrev(inet) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.abbrev'); RETURN 'pwned'; END $$;
CREATE FUNCTION public.pg_partition_tree(regclass)
    RETURNS TABLE (relid regclass, parentrelid regclass, isleaf boolean, level integer) LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.pg_partition_tree'); END $$;
CREATE FUNCTION public.pg_current_xact_id() RETURNS xid8 LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.pg_current_xact_id'); RETURN '1'; END $$;
CREATE FUNCTION public.statement_timestamp() RETURNS timestamptz LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.statement_timestamp'); RETURN 'epoch'; END $$;
CREATE FUNCTION public.al_hx_agg(state jsonb, v anyelement) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.jsonb_agg'); RETURN '[]'; END $$;
CREATE AGGREGATE public.jsonb_agg(anyelement) (sfunc = public.al_hx_agg, stype = jsonb);
CREATE FUNCTION public.al_hx_count(state bigint) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.count'); RETURN -1; END $$;
CREATE AGGREGATE public.count(*) (sfunc = public.al_hx_count, stype = bigint, initcond = '0');
CREATE FUNCTION public.al_hx_min(state bigint, v bigint) RETURNS bigint LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public.min/max'); RETURN -1; END $$;
CREATE AGGREGATE public.min(bigint) (sfunc = public.al_hx_min, stype = bigint);
CREATE AGGREGATE public.max(bigint) (sfunc = public.al_hx_min, stype = bigint);
-- operators
CREATE FUNCTION public.al_hx_op(text, text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on text'); RETURN true; END $$;
CREATE FUNCTION public.al_hx_op(bigint, bigint) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on bigint'); RETURN true; END $$;
CREATE FUNCTION public.al_hx_op(oid, oid) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on oid'); RETURN true; END $$;
CREATE FUNCTION public.al_hx_op(name, name) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on name'); RETURN true; END $$;
CREATE FUNCTION public.al_hx_op(timestamptz, timestamptz) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on timestamptz'); RETURN true; END $$;
CREATE FUNCTION public.al_hx_op("char", "char") RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('public operator on "char"'); RETURN true; END $$;
CREATE OPERATOR public.= (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE OPERATOR public.<> (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE OPERATOR public.~~ (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE OPERATOR public.!~~ (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE OPERATOR public.~~* (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE OPERATOR public.= (leftarg = bigint, rightarg = bigint, function = public.al_hx_op);
CREATE OPERATOR public.< (leftarg = bigint, rightarg = bigint, function = public.al_hx_op);
CREATE OPERATOR public.> (leftarg = bigint, rightarg = bigint, function = public.al_hx_op);
CREATE OPERATOR public.<= (leftarg = bigint, rightarg = bigint, function = public.al_hx_op);
CREATE OPERATOR public.>= (leftarg = bigint, rightarg = bigint, function = public.al_hx_op);
CREATE OPERATOR public.= (leftarg = oid, rightarg = oid, function = public.al_hx_op);
CREATE OPERATOR public.= (leftarg = name, rightarg = name, function = public.al_hx_op);
CREATE OPERATOR public.<= (leftarg = timestamptz, rightarg = timestamptz, function = public.al_hx_op);
CREATE OPERATOR public.>= (leftarg = timestamptz, rightarg = timestamptz, function = public.al_hx_op);
CREATE OPERATOR public.= (leftarg = "char", rightarg = "char", function = public.al_hx_op);
-- in pg_temp: an operator, functions, and relations named like the log's
CREATE OPERATOR pg_temp.= (leftarg = text, rightarg = text, function = public.al_hx_op);
CREATE FUNCTION pg_temp.lower(text) RETURNS text LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('pg_temp.lower'); RETURN 'pwned'; END $$;
CREATE FUNCTION pg_temp.jsonb_build_object(text, jsonb) RETURNS jsonb LANGUAGE plpgsql AS
$$ BEGIN PERFORM public.al_hx_touch('pg_temp.jsonb_build_object'); RETURN '{}'; END $$;
CREATE TEMP VIEW activity AS SELECT * FROM activity_log.activity WHERE public.al_hx_touch('pg_temp.activity');
CREATE TEMP VIEW revision_store AS SELECT * FROM activity_log.revision_store WHERE public.al_hx_touch('pg_temp.revision_store');
CREATE TEMP VIEW tracking AS SELECT * FROM activity_log.tracked WHERE public.al_hx_touch('pg_temp.tracking');
CREATE TEMP VIEW seals AS SELECT 1 AS activity, '\x00'::bytea AS hash WHERE public.al_hx_touch('pg_temp.seals');
CREATE TEMP VIEW pg_trigger AS SELECT * FROM pg_catalog.pg_trigger WHERE public.al_hx_touch('pg_temp.pg_trigger');
CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class WHERE public.al_hx_touch('pg_temp.pg_class');

SELECT is_empty($$SELECT * FROM al_hx_canary$$, 'the look-alikes are planted; the canary is empty');

-- under the hostile search_path, no pgTAP: its functions would be hijacked too
SET LOCAL search_path = public, pg_catalog;
-- track, capture, DDL (event triggers), untrack
SELECT activity_log.track('al_hx_evil_t');
SELECT activity_log.track('al_hx_evil_pt');
CREATE TABLE al_hx_evil_pt1 PARTITION OF al_hx_evil_pt FOR VALUES IN (1);
INSERT INTO al_hx_evil_t VALUES (1, 'one', 1), (2, 'two', 2);
UPDATE al_hx_evil_t SET v = 'uno' WHERE id = 1;
UPDATE al_hx_evil_t SET n = 3 WHERE id = 2;
DELETE FROM al_hx_evil_t WHERE id = 2;
INSERT INTO al_hx_evil_pt VALUES (1, 1, 'p');
TRUNCATE al_hx_evil_pt1;
SELECT activity_log.track('al_hx_evil_t', exclude => ARRAY['n']);
ALTER TABLE al_hx_evil_t RENAME COLUMN n TO m;
ALTER TABLE al_hx_evil_t ADD COLUMN extra text, ADD COLUMN gone text;
SELECT activity_log.track('al_hx_evil_t', exclude => ARRAY['m', 'gone']);
ALTER TABLE al_hx_evil_t DROP COLUMN gone;
INSERT INTO al_hx_got_json SELECT 'exclude after drop', pg_catalog.to_jsonb(exclude)
  FROM activity_log.tracked WHERE collection OPERATOR(pg_catalog.=) 'al_hx_evil_t';
CREATE TABLE al_hx_evil_pt2 (id int, k int, v text, PRIMARY KEY (id, k));
ALTER TABLE al_hx_evil_pt ATTACH PARTITION al_hx_evil_pt2 FOR VALUES IN (2);
ALTER TABLE al_hx_evil_pt DETACH PARTITION al_hx_evil_pt2;
SELECT activity_log.untrack('al_hx_evil_pt');
DROP TABLE al_hx_evil_pt;
SET LOCAL search_path = pg_temp, public, pg_catalog;
SELECT activity_log.track('al_hx_evil_t');
UPDATE al_hx_evil_t SET extra = 'x', m = 7 WHERE id = 1;
-- comments and events
SELECT id AS evil_comment FROM activity_log.create_comment('al_hx_evil_t', '1', 'evil comment') \gset
INSERT INTO al_hx_got SELECT 'update_comment', c.* FROM activity_log.update_comment(:evil_comment, 'edited') c;
INSERT INTO al_hx_got SELECT 'create_comment bigint', c.* FROM activity_log.create_comment('al_hx_evil_t', 1::bigint, 'second') c;
SELECT activity_log.delete_comment(id) FROM al_hx_got WHERE tag OPERATOR(pg_catalog.=) 'create_comment bigint';
INSERT INTO al_hx_got SELECT 'log', l.* FROM activity_log.log('export', 'al_hx_evil_t', '1', 'csv') l;
SELECT activity_log.set_context('evil-user', '10.6.6.6', 'evil-agent', 'evil-origin');
INSERT INTO al_hx_got SELECT 'get_activity', g.* FROM activity_log.get_activity(:evil_comment) g;
-- history and revert
INSERT INTO al_hx_got_hist SELECT 'item_history', h FROM activity_log.item_history('al_hx_evil_t', '1') h;
INSERT INTO al_hx_got_json SELECT 'item_at', activity_log.item_at('al_hx_evil_t', '1', 'infinity');
INSERT INTO al_hx_got SELECT 'revert', r.*
  FROM activity_log.revert((SELECT (h).revision FROM al_hx_got_hist WHERE tag OPERATOR(pg_catalog.=) 'item_history' AND (h).action OPERATOR(pg_catalog.=) 'create')) r;
SET LOCAL search_path = public, pg_catalog;
RESET ROLE;
SET LOCAL search_path = pg_catalog, public;
-- the transaction that inserted row 5, as capture would have logged it
INSERT INTO activity_log.activity (action, collection, item, db_user, transaction)
    VALUES ('create', 'al_hx_evil_t', '5', 'al_hx_evil', '42');
INSERT INTO activity_log.revision_store (activity, op, data)
    VALUES (currval('activity_log.activity_id_seq'), 'i', '{"id": 5, "v": "five", "m": 5, "extra": null}');
SET LOCAL ROLE al_hx_evil;
SET LOCAL search_path = public, pg_catalog;
INSERT INTO al_hx_got_json SELECT 'undo_transaction', pg_catalog.to_jsonb(activity_log.undo_transaction('42'));
-- reading: filters with _ieq, _icontains, _in, _between, _contains, sort, search, $CURRENT_USER
CREATE TEMP TABLE al_hx_queries (tag text, q jsonb);
INSERT INTO al_hx_queries VALUES
    ('ieq', '{"filter": {"action": {"_ieq": "CREATE"}, "collection": {"_eq": "al_hx_evil_t"}}, "sort": "id"}'),
    ('nieq', '{"filter": {"action": {"_nieq": "UPDATE"}, "collection": {"_eq": "al_hx_evil_t"}}}'),
    ('icontains', '{"filter": {"collection": {"_icontains": "EVIL_T"}, "item": {"_nnull": true}}, "sort": ["-id"]}'),
    ('in', '{"filter": {"item": {"_in": ["1", "5"]}, "action": {"_in": "create,update,comment"}}, "sort": "-timestamp,item"}'),
    ('nin between', '{"filter": {"_or": [{"id": {"_between": [1, 3]}}, {"action": {"_nin": ["create", "update"]}}]}}'),
    ('contains', '{"filter": {"user": {"_contains": "evil"}, "ip": {"_starts_with": "10.6"}}}'),
    ('search', '{"search": "EVIL", "sort": "collection,-id", "limit": 5, "page": 1}'),
    ('current user', '{"filter": {"user": {"_eq": "$CURRENT_USER"}, "timestamp": {"_lte": "$NOW(+1 day)"}}}'),
    ('neq empty', '{"filter": {"comment": {"_nempty": true}, "origin": {"_neq": "x"}}, "sort": "comment"}');
INSERT INTO al_hx_got SELECT 'list ' || q.tag, l.* FROM al_hx_queries q, activity_log.list_activity(q.q) l;
INSERT INTO al_hx_got SELECT 'list text', l.* FROM activity_log.list_activity('{"filter": {"db_user": {"_ieq": "AL_HX_EVIL"}}}'::text) l;
INSERT INTO al_hx_got_json SELECT 'json ' || q.tag, activity_log.activity_json(q.q || '{"meta": "*", "fields": "*"}') FROM al_hx_queries q;
INSERT INTO al_hx_got_json SELECT 'json id', activity_log.activity_json(:evil_comment::bigint);
INSERT INTO al_hx_got_json SELECT 'explain', pg_catalog.to_jsonb(e) FROM activity_log.explain_activity('{"filter": {"item": {"_eq": "1"}}}') e;
-- an admin seals and verifies under the hostile search_path
RESET ROLE;
SET LOCAL ROLE al_hx_admin;
SET LOCAL search_path = pg_temp, public, pg_catalog;
INSERT INTO al_hx_got_json SELECT 'admin seal', pg_catalog.to_jsonb(activity_log.seal());
INSERT INTO al_hx_got_json SELECT 'admin verify', pg_catalog.to_jsonb(v) FROM activity_log.verify() v;
INSERT INTO al_hx_got_json SELECT 'admin list', pg_catalog.to_jsonb(l) FROM activity_log.list_activity('{"filter": {"collection": {"_ieq": "AL_HX_HIDDEN"}}}') l;
-- and so does a superuser, who also changes a tracked table
RESET ROLE;
SET LOCAL search_path = public, pg_catalog;
UPDATE al_hx_hidden SET v = 'b3' WHERE id = 2;
INSERT INTO al_hx_got_json SELECT 'superuser seal', pg_catalog.to_jsonb(activity_log.seal());
INSERT INTO al_hx_got_json SELECT 'superuser verify', pg_catalog.to_jsonb(v) FROM activity_log.verify() v;
INSERT INTO al_hx_got_json SELECT 'superuser prune_revisions', pg_catalog.to_jsonb(activity_log.prune_revisions(1000));
-- back to a safe search_path, without the look-alike relations
DROP VIEW pg_temp.activity, pg_temp.revision_store, pg_temp.tracking, pg_temp.seals,
    pg_temp.pg_trigger, pg_temp.pg_class;
SET LOCAL search_path = "$user", public;

SELECT is_empty($$SELECT who, what FROM al_hx_canary$$,
    'the canary is empty: no look-alike ran, from capture, track, DDL, the API, seal or verify');
-- the look-alikes go (a look-alike with another signature, such as
-- jsonb_build_object(text, bigint), would win over pg_catalog's even now)
DO $$
DECLARE
    o record;
BEGIN
    FOR o IN SELECT oid::regoperator AS op FROM pg_operator
              WHERE oprowner = 'al_hx_evil'::regrole LOOP
        EXECUTE format('DROP OPERATOR %s', o.op);
    END LOOP;
    FOR o IN SELECT oid::regprocedure AS fn, prokind FROM pg_proc
              WHERE proowner = 'al_hx_evil'::regrole ORDER BY prokind = 'a' DESC LOOP
        IF o.prokind = 'a' THEN
            EXECUTE format('DROP AGGREGATE %s', regexp_replace(o.fn::text, '\(\)$', '(*)'));
        ELSE
            EXECUTE format('DROP FUNCTION %s', o.fn);
        END IF;
    END LOOP;
END $$;
SELECT results_eq(
    $$SELECT a.action, a.item, r.data, r.delta FROM activity_log.activity a
        LEFT JOIN activity_log.revisions r ON r.id = a.id
       WHERE a.collection = 'al_hx_evil_t' AND a.action IN ('create', 'update', 'delete') ORDER BY a.id$$,
    $$VALUES ('create', '1', '{"id": 1, "v": "one", "n": 1}'::jsonb, '{"id": 1, "v": "one", "n": 1}'::jsonb),
             ('create', '2', '{"id": 2, "v": "two", "n": 2}', '{"id": 2, "v": "two", "n": 2}'),
             ('update', '1', '{"id": 1, "v": "uno", "n": 1}', '{"v": "uno"}'),
             ('update', '2', '{"id": 2, "v": "two", "n": 3}', '{"n": 3}'),
             ('delete', '2', '{"id": 2, "v": "two", "n": 3}', NULL),
             ('update', '1', '{"id": 1, "v": "uno", "m": 7, "extra": "x"}', '{"m": 7, "extra": "x"}'),
             ('create', '5', '{"id": 5, "v": "five", "m": 5, "extra": null}', '{"id": 5, "v": "five", "m": 5, "extra": null}')$$,
    'capture under the hostile search_path: data and delta are exactly the rows');
SELECT is((SELECT data FROM activity_log.revisions WHERE id = (SELECT id FROM al_hx_got WHERE tag = 'revert')),
    (SELECT to_jsonb(t) FROM al_hx_evil_t t WHERE id = 1),
    'revert() under the hostile search_path: its revision is the row');
SELECT results_eq($$SELECT id, v, m, extra FROM al_hx_evil_t ORDER BY id$$,
    $$VALUES (1, 'one', 7, 'x')$$,
    'revert() restored the columns row 1 was created with (m and extra are newer), and undo_transaction() removed row 5');
SELECT is((SELECT j FROM al_hx_got_json WHERE tag = 'undo_transaction'), '1'::jsonb,
    'undo_transaction() undid one change');
SELECT results_eq(
    $$SELECT action, comment, "user", db_user FROM al_hx_got WHERE tag IN ('update_comment', 'log', 'get_activity', 'revert') ORDER BY tag$$,
    $$VALUES ('comment', 'edited', 'postgres', 'al_hx_evil'),
             ('export', 'csv', 'postgres', 'al_hx_evil'),
             ('revert', NULL, 'evil-user', 'al_hx_evil'),
             ('comment', 'edited', 'postgres', 'al_hx_evil')$$,
    'update_comment(), log(), get_activity(), revert() returned the right rows');
SELECT is((SELECT count(*) FROM activity_log.activity WHERE collection = 'al_hx_evil_t' AND action = 'comment'),
    1::bigint, 'create_comment() and delete_comment() worked');
SELECT results_eq(
    $$SELECT (h).action, (h).data FROM al_hx_got_hist WHERE tag = 'item_history' ORDER BY (h).revision$$,
    $$SELECT a.action, r.data FROM activity_log.activity a JOIN activity_log.revisions r ON r.id = a.id
       WHERE a.collection = 'al_hx_evil_t' AND a.item = '1' AND a.id < (SELECT id FROM al_hx_got WHERE tag = 'revert')
       ORDER BY a.id$$,
    'item_history() under the hostile search_path is the item''s revisions');
SELECT is((SELECT j FROM al_hx_got_json WHERE tag = 'item_at'),
    '{"id": 1, "v": "uno", "m": 7, "extra": "x"}'::jsonb, 'item_at() under the hostile search_path');
SELECT is((SELECT array_agg(relid::text ORDER BY relid::text) FROM activity_log.tracking), '{al_hx_doc,al_hx_evil_t,al_hx_hidden,al_hx_users}',
    'track(), untrack() and the drop of a tracked table left the right registrations');
SELECT is((SELECT j FROM al_hx_got_json WHERE tag = 'exclude after drop'), '["m"]',
    'RENAME COLUMN and DROP COLUMN under the hostile search_path kept the exclusions right');
SELECT is((SELECT count(*) FROM activity_log.activity WHERE collection = 'al_hx_evil_pt' AND action = 'truncate'),
    1::bigint, 'the partition created under the hostile search_path got its TRUNCATE trigger');
SELECT is((SELECT count(*) FROM al_hx_got_json WHERE tag IN ('admin verify', 'superuser verify')), 0::bigint,
    'seal() and verify() under the hostile search_path: the chain holds');
SELECT is_empty($$SELECT * FROM activity_log.verify()$$, 'and verify() agrees with a safe search_path');
SELECT is((SELECT count(*) FROM al_hx_got_json WHERE tag = 'admin list'),
    (SELECT count(*) FROM activity_log.activity a WHERE collection = 'al_hx_hidden'
        AND NOT EXISTS (SELECT FROM activity_log.revision_store r WHERE r.activity = a.id AND r.data->>'v' = 'b3')),
    'list_activity() with _ieq for an admin under the hostile search_path');

-- the listings again, with a safe search_path: the same answers
SET LOCAL ROLE al_hx_evil;
SELECT activity_log.set_context('evil-user', '10.6.6.6', 'evil-agent', 'evil-origin');
SELECT set_eq(
    $$SELECT tag, id FROM al_hx_got WHERE tag LIKE 'list %'$$,
    $$SELECT 'list ' || q.tag, l.id FROM al_hx_queries q, activity_log.list_activity(q.q) l
      UNION ALL
      SELECT 'list text', id FROM activity_log.list_activity('{"filter": {"db_user": {"_ieq": "AL_HX_EVIL"}}}'::text)$$,
    'list_activity() returned the same rows under the hostile search_path');
SELECT results_eq(
    $$SELECT tag, j FROM al_hx_got_json WHERE tag LIKE 'json %' ORDER BY tag$$,
    format($$SELECT * FROM (SELECT 'json ' || q.tag, activity_log.activity_json(q.q || '{"meta": "*", "fields": "*"}') FROM al_hx_queries q
                            UNION ALL
                            SELECT 'json id', activity_log.activity_json(%s::bigint)) x ORDER BY 1$$, :evil_comment),
    'activity_json() returned the same bodies under the hostile search_path');
SELECT ok((SELECT bool_and(id > 0) AND count(*) >= 8 FROM al_hx_got WHERE tag LIKE 'list %'),
    'and the listings were not empty');
SELECT results_eq(
    $$SELECT id FROM al_hx_got WHERE tag = 'list ieq' ORDER BY id$$,
    $$SELECT id FROM activity_log.activity WHERE collection = 'al_hx_evil_t' AND action = 'create' ORDER BY id$$,
    '_ieq "CREATE" found exactly the creates');
SELECT results_eq(
    $$SELECT id FROM al_hx_got WHERE tag = 'list icontains'$$,
    $$SELECT id FROM activity_log.activity WHERE collection = 'al_hx_evil_t' ORDER BY id DESC$$,
    '_icontains "EVIL_T" with sort -id found all of the collection, newest first');
RESET ROLE;

-- 6. Reading: nothing of a table the role cannot SELECT -----------------------------

CREATE FUNCTION al_hx_leak(a text, b text) RETURNS boolean LANGUAGE plpgsql AS
$$ BEGIN INSERT INTO al_hx_canary (what) VALUES (a || ' ' || b); RETURN true; END $$;
SELECT id AS hidden_rev FROM activity_log.activity WHERE collection = 'al_hx_hidden' AND action = 'update' ORDER BY id LIMIT 1 \gset
SELECT transaction AS hidden_xact FROM activity_log.activity WHERE id = :hidden_rev \gset
SELECT id AS doc_rev FROM activity_log.activity WHERE collection = 'al_hx_doc' AND action = 'create' ORDER BY id LIMIT 1 \gset

SET LOCAL ROLE al_hx_reader;
SELECT set_eq($$SELECT DISTINCT collection FROM activity_log.activity$$, ARRAY['al_hx_doc'],
    'the reader SELECTs activity of al_hx_doc only');
SELECT set_eq($$SELECT id FROM activity_log.activity$$,
    $$SELECT id FROM activity_log.list_activity('{"limit": -1}')$$,
    'SELECT * FROM activity_log.activity shows what list_activity() shows');
SELECT set_eq($$SELECT DISTINCT collection FROM activity_log.revisions$$, ARRAY['al_hx_doc'],
    'the reader SELECTs revisions of al_hx_doc only');
SELECT set_eq($$SELECT id FROM activity_log.revisions$$,
    $$SELECT l.id FROM activity_log.list_activity('{"limit": -1}') l WHERE l.action IN ('create', 'update', 'delete', 'revert')$$,
    'activity_log.revisions shows the revisions of what list_activity() shows');
SELECT is_empty($$SELECT * FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "al_hx_hidden"}}}')$$,
    'list_activity() filtered on the hidden collection is empty');
SELECT is_empty($$SELECT * FROM activity_log.list_activity('{"search": "hidden", "limit": -1}')$$,
    'list_activity() searching for its text is empty');
SELECT is_empty($$SELECT * FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "al_hx_app"}}}')$$,
    'list_activity(): events of a collection that is not tracked are for admins only');
SELECT is(activity_log.activity_json('{"filter": {"collection": {"_in": ["al_hx_hidden", "al_hx_app"]}}, "meta": "*"}'),
    jsonb_build_object('data', '[]'::jsonb, 'meta',
        jsonb_build_object('total_count', (SELECT count(*) FROM activity_log.activity), 'filter_count', 0)),
    'activity_json(): no hidden row, and meta counts only what the reader sees');
SELECT is(activity_log.activity_json('{"meta": "total_count", "fields": "id", "limit": 0}') -> 'meta',
    jsonb_build_object('total_count', (SELECT count(*) FROM activity_log.activity)),
    'activity_json() total_count equals the rows the reader can SELECT');
SELECT throws_ok(format('SELECT activity_log.get_activity(%s)', :hidden_rev), 'P0002',
    format('activity %s does not exist', :hidden_rev), 'get_activity() of a hidden activity: P0002');
SELECT throws_ok(format('SELECT activity_log.get_activity(%s)', :hidden_comment), 'P0002',
    format('activity %s does not exist', :hidden_comment), 'get_activity() of a hidden comment: P0002');
SELECT throws_ok(format('SELECT activity_log.get_activity(%s)', :app_event), 'P0002',
    format('activity %s does not exist', :app_event), 'get_activity() of an application event: P0002');
SELECT throws_ok(format('SELECT activity_log.activity_json(%s::bigint)', :hidden_rev), 'P0002',
    format('activity %s does not exist', :hidden_rev), 'activity_json(id) of a hidden activity: P0002');
SELECT is_empty($$SELECT * FROM activity_log.item_history('al_hx_hidden', '2')$$,
    'item_history() of a hidden item is empty');
SELECT is(activity_log.item_at('al_hx_hidden', '2', 'infinity'), NULL, 'item_at() of a hidden item is NULL');
SELECT throws_ok(format('SELECT activity_log.revert(%s)', :hidden_rev), 'P0002',
    format('revision %s does not exist', :hidden_rev), 'revert() of a hidden revision: P0002, as if missing');
SELECT throws_ok(format('SELECT activity_log.undo_transaction(%L)', :'hidden_xact'), '42501', NULL,
    'undo_transaction() of a transaction that changed a hidden table: 42501');
SELECT throws_ok($$SELECT activity_log.create_comment('al_hx_hidden', '1', 'peek')$$, '42501', NULL,
    'create_comment() on a hidden collection: 42501');
SELECT throws_ok(format('SELECT activity_log.update_comment(%s, %L)', :hidden_comment, 'x'), 'P0002', NULL,
    'update_comment() of a hidden comment: P0002');
SELECT throws_ok(format('SELECT activity_log.delete_comment(%s)', :hidden_comment), 'P0002', NULL,
    'delete_comment() of a hidden comment: P0002');
SELECT ok(NOT EXISTS (SELECT FROM activity_log.explain_activity('{}') e WHERE e LIKE '%al_hx_hidden%'),
    'explain_activity() names no hidden collection');
SELECT ok((SELECT count(*) FROM activity_log.activity WHERE al_hx_leak(collection, coalesce(comment, item))) > 0
      AND (SELECT count(*) FROM activity_log.revisions WHERE al_hx_leak(collection, data::text)) > 0,
    'the reader runs a leaky function over activity and revisions');
SELECT throws_ok($$SELECT * FROM activity_log.revision_store$$, '42501', NULL, 'the reader cannot read revision_store');
SELECT throws_ok($$SELECT * FROM activity_log.tracking$$, '42501', NULL, 'the reader cannot read tracking');
SELECT throws_ok($$SELECT * FROM activity_log.seals$$, '42501', NULL, 'the reader cannot read seals');
SET LOCAL ROLE al_hx_nobody;
SELECT is((SELECT count(*) FROM activity_log.activity) + (SELECT count(*) FROM activity_log.revisions)
          + (SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')), 0::bigint,
    'a role with no SELECT on any tracked table sees no activity and no revision');
SELECT is(activity_log.activity_json('{"meta": "*"}'), '{"data": [], "meta": {"total_count": 0, "filter_count": 0}}',
    'and activity_json() counts nothing');
SELECT throws_ok(format('SELECT activity_log.revert(%s)', :doc_rev), 'P0002', NULL,
    'revert() of a revision of a table it cannot read: P0002');
RESET ROLE;
SELECT is_empty($$SELECT what FROM al_hx_canary WHERE what NOT LIKE 'al_hx_doc %'$$,
    'the leaky function saw rows of al_hx_doc only: row-level security and the view filter come first');
DELETE FROM al_hx_canary;
-- The history of a dropped (or untracked) table is for admins only: a role
-- that can create a table cannot claim its collection name with
-- track(..., collection => ...) to read that history as its own.
CREATE TABLE al_hx_payroll (id int PRIMARY KEY, salary int);
SELECT activity_log.track('al_hx_payroll');
INSERT INTO al_hx_payroll VALUES (1, 250000);
DROP TABLE al_hx_payroll;
SET LOCAL ROLE al_hx_evil;
CREATE TABLE al_hx_thief (id int PRIMARY KEY);
SELECT throws_ok($$SELECT activity_log.track('al_hx_thief', 'al_hx_payroll')$$,
    '42501', 'collection "al_hx_payroll" already has history',
    'another role cannot track its own table under the orphaned collection name');
SELECT is((SELECT count(*) FROM activity_log.revisions WHERE collection = 'al_hx_payroll')
          + (SELECT count(*) FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "al_hx_payroll"}}}')),
    0::bigint, 'it still cannot read the history of the dropped table');
RESET ROLE;
SET LOCAL ROLE al_hx_admin;
SELECT is((SELECT count(*) FROM activity_log.activity WHERE collection IN ('al_hx_hidden', 'al_hx_app')),
    (SELECT count(*) FROM activity_log.list_activity('{"filter": {"collection": {"_in": ["al_hx_hidden", "al_hx_app"]}}, "limit": -1}')),
    'an admin sees the hidden collection and application events, in the table and the API alike');
RESET ROLE;

-- 7. Spoofing: the context is a claim, db_user is the real role ------------------------

SET LOCAL ROLE al_hx_owner;
SELECT lives_ok($$SELECT activity_log.set_context('ceo@example.com', '203.0.113.9', 'Spoof/1.0', 'spoof-app')$$,
    'an ordinary role may claim any context user');
INSERT INTO al_hx_doc VALUES (3, 'spoofed', 'x');
SELECT results_eq(
    $$SELECT "user", db_user, ip, user_agent, origin FROM activity_log.activity
       WHERE collection = 'al_hx_doc' AND item = '3'$$,
    $$VALUES ('ceo@example.com', 'al_hx_owner', '203.0.113.9'::inet, 'Spoof/1.0', 'spoof-app')$$,
    'the claimed context is recorded in "user", and db_user is the role that really ran the statement');
SET LOCAL activity_log."user" = 'postgres';
SELECT results_eq($$SELECT "user", db_user FROM activity_log.log('login', 'al_hx_app', 'x')$$,
    $$VALUES ('postgres', 'al_hx_owner')$$,
    'claiming to be the superuser in activity_log.user: db_user still says al_hx_owner');
SELECT activity_log.set_context(NULL);
SET LOCAL ROLE al_hx_reader;
SELECT activity_log.set_context('alice');
SELECT id AS alice_comment FROM activity_log.create_comment('al_hx_doc', '1', 'by alice (the reader)') \gset
SET LOCAL ROLE al_hx_owner;
SELECT activity_log.set_context('alice');
SELECT throws_ok(format('SELECT activity_log.update_comment(%s, %L)', :alice_comment, 'hijacked'), '42501', NULL,
    'another role claiming the same context user cannot edit the comment');
SELECT throws_ok(format('SELECT activity_log.delete_comment(%s)', :alice_comment), '42501', NULL,
    '... nor delete it');
SELECT activity_log.set_context(NULL);
RESET ROLE;

-- 8. Masked columns -------------------------------------------------------------------

SET LOCAL ROLE al_hx_owner;
INSERT INTO al_hx_users VALUES (1, 'ann', 's3cr3t-hash-1');
UPDATE al_hx_users SET password_hash = 's3cr3t-hash-2' WHERE id = 1;
UPDATE al_hx_users SET password_hash = 's3cr3t-hash-2' WHERE id = 1;
UPDATE al_hx_users SET name = 'Ann' WHERE id = 1;
SELECT results_eq(
    $$SELECT a.action, r.data, r.delta FROM activity_log.activity a JOIN activity_log.revisions r ON r.id = a.id
       WHERE a.collection = 'al_hx_users' ORDER BY a.id$$,
    $$VALUES ('create', '{"id": 1, "name": "ann", "password_hash": "**********"}'::jsonb,
                        '{"id": 1, "name": "ann", "password_hash": "**********"}'::jsonb),
             ('update', '{"id": 1, "name": "ann", "password_hash": "**********"}', '{"password_hash": "**********"}'),
             ('update', '{"id": 1, "name": "Ann", "password_hash": "**********"}', '{"name": "Ann"}')$$,
    'a masked column is stored as **********; changing only it is still an update; an unchanged value is not');
SELECT is(activity_log.activity_json('{"filter": {"collection": {"_eq": "al_hx_users"}}, "fields": "*"}')::text LIKE '%s3cr3t%',
    false, 'activity_json() does not show the value');
SELECT is((SELECT count(*) FROM activity_log.item_history('al_hx_users', '1') h
            WHERE h.data::text LIKE '%s3cr3t%' OR h.delta::text LIKE '%s3cr3t%'), 0::bigint,
    'item_history() does not show the value');
SELECT throws_ok($$SELECT activity_log.track('al_hx_users', mask => ARRAY['id'])$$, '22023', NULL,
    'a primary key column cannot be masked');
SELECT throws_ok($$SELECT activity_log.track('al_hx_users', exclude => ARRAY['name'], mask => ARRAY['name'])$$, '22023', NULL,
    'a column cannot be both excluded and masked');
SELECT lives_ok(format('SELECT activity_log.revert(%s)',
    (SELECT id FROM activity_log.activity WHERE collection = 'al_hx_users' AND action = 'create')),
    'revert() to the first revision');
SELECT results_eq($$SELECT name, password_hash FROM al_hx_users$$, $$VALUES ('ann', 's3cr3t-hash-2')$$,
    'revert() left the masked column alone (it never wrote the marker into the table)');
ALTER TABLE al_hx_users RENAME COLUMN password_hash TO pw;
UPDATE al_hx_users SET pw = 's3cr3t-hash-3';
SELECT is((SELECT r.delta FROM activity_log.revisions r WHERE r.collection = 'al_hx_users' ORDER BY r.id DESC LIMIT 1),
    '{"pw": "**********"}', 'after RENAME COLUMN the column is still masked');
SET LOCAL ROLE al_hx_reader;
SELECT throws_ok($$SELECT activity_log.track('al_hx_users', mask => '{}')$$, '42501', NULL,
    'a role that does not own the table cannot unmask it');
SET LOCAL ROLE al_hx_owner;
-- masking added later reaches this backend's cache at once
SELECT activity_log.track('al_hx_doc', mask => ARRAY['body']);
UPDATE al_hx_doc SET body = 's3cr3t-body' WHERE id = 1;
SELECT is((SELECT r.delta FROM activity_log.revisions r WHERE r.collection = 'al_hx_doc' ORDER BY r.id DESC LIMIT 1),
    '{"body": "**********"}', 'a mask added by track() applies to the next change in the same session');
RESET ROLE;
SELECT is((SELECT count(*) FROM activity_log.revision_store WHERE data::text LIKE '%s3cr3t%' OR delta::text LIKE '%s3cr3t%'),
    0::bigint, 'no masked value is anywhere in the stored revisions');

-- 9. activity_log.require_context ------------------------------------------------------

SET LOCAL activity_log.require_context = on;
SET LOCAL ROLE al_hx_owner;
SELECT throws_ok($$UPDATE al_hx_doc SET title = 'no context' WHERE id = 1$$, '55000', 'activity_log.user is not set',
    'require_context on: a change without a context user fails');
SET LOCAL activity_log."user" = '';
SELECT throws_ok($$INSERT INTO al_hx_doc VALUES (9, 'empty user', '')$$, '55000', NULL,
    'an empty context user is no context user');
SELECT activity_log.set_context('bob');
SELECT lives_ok($$UPDATE al_hx_doc SET title = 'with context' WHERE id = 1$$, 'with a context user it works');
SELECT throws_ok($$SET LOCAL activity_log.require_context = off$$, '42501', NULL,
    'an ordinary role cannot switch require_context off with SET');
SELECT throws_ok($$SELECT set_config('activity_log.require_context', 'off', true)$$, '42501', NULL,
    '... nor with set_config()');
SELECT throws_ok($$ALTER ROLE al_hx_owner SET activity_log.require_context = off$$, '42501', NULL,
    '... nor as its own default (ALTER ROLE SET)');
SELECT throws_ok($$CREATE FUNCTION pg_temp.al_hx_ctx_off() RETURNS void LANGUAGE sql SET activity_log.require_context = off AS 'SELECT'$$,
    '42501', NULL, '... nor in the SET clause of a function');
SET LOCAL ROLE al_hx_admin;
SELECT throws_ok($$SET LOCAL activity_log.require_context = off$$, '42501', NULL,
    'an activity_log_admin member cannot switch it off either');
RESET ROLE;
SELECT is(current_setting('activity_log.require_context'), 'on', 'require_context is still on');
SELECT activity_log.set_context(NULL);
SET LOCAL activity_log.require_context = off;

-- 10. Bad input ------------------------------------------------------------------------

-- NULLs and empty strings: a clean error or a NULL/empty result, never a crash
SELECT is(al_hx_state(sql), state, format('%s: %s', sql, CASE state WHEN '00000' THEN 'works' ELSE state END))
  FROM (VALUES
    ($$SELECT activity_log.track(NULL)$$, '22004'),
    ($$SELECT activity_log.track('')$$, '42602'),
    ($$SELECT activity_log.track('al_hx_doc', '')$$, '22023'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, NULL)$$, '22004'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, '')$$, '22023'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, 'all', ARRAY[NULL]::text[])$$, '22004'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, 'all', ARRAY[''])$$, '42703'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, 'all', '{}', ARRAY[NULL]::text[])$$, '22004'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, 'all', '{}', ARRAY[''])$$, '42703'),
    ($$SELECT activity_log.track('al_hx_doc', NULL, 'all', NULL, NULL)$$, '00000'),
    ($$SELECT activity_log.untrack(NULL)$$, '00000'),
    ($$SELECT activity_log.untrack('')$$, '42602'),
    ($$SELECT activity_log.set_context(NULL, NULL, NULL, NULL)$$, '00000'),
    ($$SELECT activity_log.set_context('', NULL, '', '')$$, '00000'),
    ($$SELECT activity_log.set_context('', '')$$, '22P02'),
    ($$SELECT activity_log.visible(NULL)$$, '00000'),
    ($$SELECT activity_log.visible('')$$, '00000'),
    ($$SELECT activity_log.create_comment(NULL, NULL::text, NULL)$$, '22004'),
    ($$SELECT activity_log.create_comment(NULL, NULL::bigint, NULL)$$, '22004'),
    ($$SELECT activity_log.create_comment('', '', '')$$, '22023'),
    ($$SELECT activity_log.create_comment('al_hx_doc', '', 'x')$$, '22023'),
    ($$SELECT activity_log.create_comment('al_hx_doc', '1', '')$$, '22023'),
    ($$SELECT activity_log.create_comment('al_hx_doc', 1, NULL)$$, '22004'),
    ($$SELECT activity_log.create_comment('al_hx_doc', NULL::bigint, 'x')$$, '22004'),
    ($$SELECT activity_log.create_comment('al_hx_doc', 'not-a-number', 'x')$$, '22023'),
    ($$SELECT activity_log.update_comment(NULL, NULL)$$, '22004'),
    ($$SELECT activity_log.update_comment(1, '')$$, '22023'),
    ($$SELECT activity_log.update_comment(1, NULL)$$, '22004'),
    ($$SELECT activity_log.delete_comment(NULL)$$, '22004'),
    ($$SELECT activity_log.log(NULL, NULL, NULL, NULL)$$, '22004'),
    ($$SELECT activity_log.log('', '', '', '')$$, '22023'),
    ($$SELECT activity_log.log('a', '', NULL)$$, '22023'),
    ($$SELECT activity_log.log('a', 'b', '')$$, '22023'),
    ($$SELECT activity_log.log('a', 'b', NULL, '')$$, '00000'),
    ($$SELECT activity_log.log(E' Create\t', 'b', NULL)$$, '22023'),
    ($$SELECT activity_log.get_activity(NULL)$$, '22004'),
    ($$SELECT * FROM activity_log.list_activity(NULL::jsonb)$$, '00000'),
    ($$SELECT * FROM activity_log.list_activity(NULL::text)$$, '00000'),
    ($$SELECT * FROM activity_log.list_activity('')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('null')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('""'::jsonb)$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"filter": null, "sort": "", "fields": ""}')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"": ""}')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"filter": {"": {"": ""}}}')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"filter": {"id": {"_eq": ""}}}')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"filter": {"item": {"_in": []}}}')$$, '22023'),
    ($$SELECT * FROM activity_log.list_activity('{"search": ""}')$$, '00000'),
    ($$SELECT activity_log.activity_json(NULL::jsonb)$$, '00000'),
    ($$SELECT activity_log.activity_json(NULL::text)$$, '00000'),
    ($$SELECT activity_log.activity_json(NULL::bigint)$$, '22004'),
    ($$SELECT activity_log.activity_json('')$$, '22023'),
    ($$SELECT activity_log.activity_json('{"meta": ""}')$$, '22023'),
    ($$SELECT * FROM activity_log.explain_activity(NULL::jsonb)$$, '00000'),
    ($$SELECT * FROM activity_log.explain_activity('')$$, '22023'),
    ($$SELECT * FROM activity_log.item_history(NULL, NULL)$$, '22004'),
    ($$SELECT * FROM activity_log.item_history('', '')$$, '00000'),
    ($$SELECT activity_log.item_at(NULL, NULL, NULL)$$, '22004'),
    ($$SELECT activity_log.item_at('', '', now())$$, '00000'),
    ($$SELECT activity_log.item_at('al_hx_doc', '1', NULL)$$, '22004'),
    ($$SELECT activity_log.revert(NULL)$$, '22004'),
    ($$SELECT activity_log.revert(0)$$, 'P0002'),
    ($$SELECT activity_log.undo_transaction(NULL)$$, '22004'),
    ($$SELECT activity_log.undo_transaction('0')$$, 'P0002'),
    ($$SELECT activity_log.prune(NULL, NULL)$$, '22004'),
    ($$SELECT activity_log.prune('1000 years', NULL)$$, '00000'),
    ($$SELECT activity_log.prune('1 year', 0)$$, '22023'),
    ($$SELECT activity_log.prune_revisions(NULL)$$, '22004'),
    ($$SELECT activity_log.prune_revisions(-1)$$, '22023'),
    ($$SELECT activity_log.capture()$$, '39P01'),
    ($$SELECT activity_log.guard()$$, '39P01'),
    ($$SELECT activity_log.drop_handler()$$, '39P01'),
    ($$SELECT activity_log.ddl_handler()$$, '39P01')) v(sql, state);

-- huge values
SELECT is((SELECT length(comment) FROM activity_log.create_comment('al_hx_doc', '1', repeat('x', 1048576))),
    1048576, 'a 1 MB comment is stored whole');
SELECT is((SELECT length(comment) FROM activity_log.update_comment(
              (SELECT max(id) FROM activity_log.activity WHERE action = 'comment'), repeat('y', 1048576) || 'z')),
    1048577, 'and can be replaced by another 1 MB comment');
SELECT is((SELECT length(comment) FROM activity_log.log('import', 'al_hx_app', NULL, repeat('z', 1048576))),
    1048576, 'log() takes a 1 MB comment');
SELECT is((SELECT count(*) FROM activity_log.list_activity(jsonb_build_object('limit', -1, 'filter',
              jsonb_build_object('id', jsonb_build_object('_in', (SELECT jsonb_agg(g) FROM generate_series(:first_id, :first_id + 9999) g)))))),
    (SELECT count(*) FROM activity_log.activity WHERE id BETWEEN :first_id AND :first_id + 9999),
    'a 10,000-element _in list works');
SELECT is((SELECT count(*) FROM activity_log.list_activity(jsonb_build_object('limit', -1, 'filter',
              jsonb_build_object('item', jsonb_build_object('_nin', (SELECT string_agg(g::text, ',') FROM generate_series(1, 10000) g)))))),
    (SELECT count(*) FROM activity_log.activity WHERE item NOT IN (SELECT g::text FROM generate_series(1, 10000) g)),
    'a 10,000-element _nin list given as "1,2,..." works');
SELECT throws_ok(format('SELECT * FROM activity_log.list_activity(%L::jsonb)',
                        '{"filter": ' || repeat('{"_and": [', 1000) || '{}' || repeat(']}', 1000) || '}'),
    '22023', 'filter is nested too deeply', 'a 1,000-level nested _and: a clean 22023');
SELECT throws_ok(format('SELECT activity_log.activity_json(%L::text)',
                        '{"meta": "*", "filter": ' || repeat('{"_or": [{"id": {"_gt": 0}}, ', 1000) || '{}' || repeat(']}', 1000) || '}'),
    '22023', 'filter is nested too deeply', 'a 1,000-level nested _or given as text to activity_json(): a clean 22023');
SELECT lives_ok(format('SELECT * FROM activity_log.list_activity(%L::jsonb)',
                        '{"filter": ' || repeat('{"_and": [', 99) || '{"id": {"_gt": 0}}' || repeat(']}', 99) || '}'),
    '99 levels are fine');

-- random JSON from a seeded generator: each query works or fails with 22023
CREATE FUNCTION al_hx_pick(a text[]) RETURNS text LANGUAGE sql AS
$$ SELECT a[1 + floor(random() * array_length(a, 1))::int] $$;
CREATE FUNCTION al_hx_rand_scalar() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r double precision := random();
BEGIN
    IF r < 0.1 THEN RETURN 'null'; END IF;
    IF r < 0.2 THEN RETURN to_jsonb(random() < 0.5); END IF;
    IF r < 0.45 THEN
        RETURN al_hx_pick(ARRAY['0', '1', '-1', '2', '5', '100', '-5', '2.5', '-0.0', '1e-30', '1e30',
                                '9223372036854775807', '-9223372036854775808', '99999999999999999999'])::jsonb;
    END IF;
    RETURN to_jsonb(al_hx_pick(ARRAY['', ' ', 'create', 'update', 'comment', 'al_hx_doc', 'al_hx_hidden', '1',
        '$NOW', '$NOW(-1 day)', '$NOW(+2 hours)', '$NOW(bogus)', '$NOW(', '$CURRENT_USER', '1,2,3', ',', ' , ',
        '10.0.0.1', '::1', '10.0.0.0/8', '999.1.1.1', 'id', '-id', '-timestamp,id', '*', 'total_count',
        'filter_count', 'revisions', '%', '_', '\', '2021-01-01', 'infinity', '-infinity', '12345678901234567890',
        '-1', 'NaN', 'héllo ☃', 'null', 'true', '{}', '[]', 'user', '_and', '_eq', 'x' || repeat('y', 300)]));
END $$;
CREATE FUNCTION al_hx_rand_value(depth int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    r double precision := random();
    result jsonb;
BEGIN
    IF depth >= 3 OR r < 0.5 THEN
        RETURN al_hx_rand_scalar();
    ELSIF r < 0.75 THEN
        result := '[]';
        FOR i IN 1..floor(random() * 4)::int LOOP
            result := result || jsonb_build_array(al_hx_rand_value(depth + 1));
        END LOOP;
    ELSE
        result := '{}';
        FOR i IN 1..floor(random() * 4)::int LOOP
            result := result || jsonb_build_object(al_hx_pick(ARRAY['id', 'action', 'user', 'timestamp', 'ip',
                'item', 'transaction', '_and', '_or', '_eq', '_in', '_between', '_null', 'filter', 'sort',
                'limit', 'bogus', '']), al_hx_rand_value(depth + 1));
        END LOOP;
    END IF;
    RETURN result;
END $$;
CREATE FUNCTION al_hx_rand_filter(depth int) RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    result jsonb := '{}';
    r double precision;
    list jsonb;
BEGIN
    FOR i IN 1..floor(random() * 3)::int + 1 LOOP
        r := random();
        IF r < 0.2 AND depth < 3 THEN
            list := '[]';
            FOR j IN 1..floor(random() * 3)::int LOOP
                list := list || jsonb_build_array(CASE WHEN random() < 0.9 THEN al_hx_rand_filter(depth + 1)
                                                       ELSE al_hx_rand_value(2) END);
            END LOOP;
            result := result || jsonb_build_object(al_hx_pick(ARRAY['_and', '_or']), list);
        ELSIF r < 0.9 THEN
            result := result || jsonb_build_object(
                al_hx_pick(ARRAY['id', 'action', 'user', 'timestamp', 'ip', 'user_agent', 'origin', 'collection',
                                 'item', 'comment', 'db_user', 'transaction', 'revisions', 'bogus']),
                CASE WHEN random() < 0.95 THEN jsonb_build_object(
                    al_hx_pick(ARRAY['_eq', '_neq', '_lt', '_lte', '_gt', '_gte', '_in', '_nin', '_null', '_nnull',
                                     '_contains', '_ncontains', '_icontains', '_nicontains', '_starts_with',
                                     '_nstarts_with', '_istarts_with', '_nistarts_with', '_ends_with',
                                     '_nends_with', '_iends_with', '_niends_with', '_between', '_nbetween',
                                     '_empty', '_nempty', '_ieq', '_nieq', '_regex', '_EQ']),
                    al_hx_rand_value(1))
                ELSE al_hx_rand_value(1) END);
        ELSE
            result := result || jsonb_build_object(al_hx_pick(ARRAY['', 'sort', '_not', 'ID']), al_hx_rand_value(1));
        END IF;
    END LOOP;
    RETURN result;
END $$;
CREATE FUNCTION al_hx_rand_query() RETURNS jsonb LANGUAGE plpgsql AS $$
DECLARE
    result jsonb := '{}';
BEGIN
    IF random() < 0.04 THEN
        RETURN al_hx_rand_value(0);
    END IF;
    IF random() < 0.6 THEN result := result || jsonb_build_object('filter', al_hx_rand_filter(0)); END IF;
    IF random() < 0.3 THEN
        result := result || jsonb_build_object('sort', CASE WHEN random() < 0.7 THEN
            to_jsonb(al_hx_pick(ARRAY['id', '-id', '-timestamp', 'user,-id', 'collection, item', ' -origin ',
                                      'ip', '-transaction', 'comment', 'db_user,user_agent']))
            ELSE al_hx_rand_value(1) END);
    END IF;
    IF random() < 0.3 THEN result := result || jsonb_build_object('limit', al_hx_rand_scalar()); END IF;
    IF random() < 0.2 THEN result := result || jsonb_build_object('offset', al_hx_rand_scalar()); END IF;
    IF random() < 0.2 THEN result := result || jsonb_build_object('page', al_hx_rand_scalar()); END IF;
    IF random() < 0.2 THEN result := result || jsonb_build_object('search', al_hx_rand_scalar()); END IF;
    IF random() < 0.2 THEN
        result := result || jsonb_build_object('fields', CASE WHEN random() < 0.6 THEN
            to_jsonb(al_hx_pick(ARRAY['*', 'id,action', 'revisions', 'id,revisions,comment', 'user,ip,timestamp']))
            ELSE al_hx_rand_value(1) END);
    END IF;
    IF random() < 0.2 THEN
        result := result || jsonb_build_object('meta', CASE WHEN random() < 0.6 THEN
            to_jsonb(al_hx_pick(ARRAY['*', 'total_count', 'filter_count', 'total_count,filter_count']))
            ELSE al_hx_rand_value(1) END);
    END IF;
    IF random() < 0.05 THEN result := result || jsonb_build_object(al_hx_pick(ARRAY['bogus', 'Filter', '']), 1); END IF;
    RETURN result;
END $$;
CREATE TABLE al_hx_fuzz (n int, fn text, q text, state text, msg text);
GRANT ALL ON al_hx_fuzz TO PUBLIC;
SELECT setseed(0.4242);
SET LOCAL ROLE al_hx_reader;
DO $$
DECLARE
    q jsonb;
    t text;
BEGIN
    FOR i IN 1..200 LOOP
        q := al_hx_rand_query();
        BEGIN
            PERFORM count(*) FROM activity_log.list_activity(q);
            INSERT INTO al_hx_fuzz VALUES (i, 'list_activity', q::text, '00000', NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO al_hx_fuzz VALUES (i, 'list_activity', q::text, SQLSTATE, SQLERRM);
        END;
        BEGIN
            PERFORM activity_log.activity_json(q);
            INSERT INTO al_hx_fuzz VALUES (i, 'activity_json', q::text, '00000', NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO al_hx_fuzz VALUES (i, 'activity_json', q::text, SQLSTATE, SQLERRM);
        END;
        -- the same as text, cut short at a random place (mostly not JSON any more)
        t := left(q::text, floor(random() * (length(q::text) + 1))::int);
        BEGIN
            PERFORM count(*) FROM activity_log.list_activity(t);
            INSERT INTO al_hx_fuzz VALUES (i, 'list_activity(text)', t, '00000', NULL);
        EXCEPTION WHEN OTHERS THEN
            INSERT INTO al_hx_fuzz VALUES (i, 'list_activity(text)', t, SQLSTATE, SQLERRM);
        END;
    END LOOP;
END $$;
RESET ROLE;
SELECT is_empty($$SELECT fn, state, msg, q FROM al_hx_fuzz WHERE state NOT IN ('00000', '22023')$$,
    '600 calls with random queries: each works or raises 22023, nothing else');
SELECT cmp_ok((SELECT count(*) FROM al_hx_fuzz WHERE state = '00000' AND fn <> 'list_activity(text)'), '>=', 40::bigint,
    'enough of the random queries are valid to reach the statement');
SELECT cmp_ok((SELECT count(DISTINCT msg) FROM al_hx_fuzz WHERE state = '22023'), '>=', 20::bigint,
    'and the invalid ones fail in many different ways');

SELECT * FROM finish();
ROLLBACK;
