-- Checks before work, and what log() may write.  (Issue 11, holes 5 and 6.)
--
-- undo_transaction() and revert() refuse a caller who could not write the
-- table before they search anything; prune() and prune_revisions() refuse
-- the inputs that would delete the log wholesale; log() takes actions from
-- a small alphabet only (no look-alike of a reserved action, no invisible
-- or control character), writes only into tracked collections the caller
-- may see, and into other collections only once an admin opened them.
--
-- Every object here is named hi_*; no activity id is printed.
CREATE ROLE hi_owner;
CREATE ROLE hi_reader;
CREATE ROLE hi_stranger;
CREATE ROLE hi_admin IN ROLE activity_log_admin;
CREATE SCHEMA hi AUTHORIZATION hi_owner;
GRANT USAGE ON SCHEMA hi TO PUBLIC;

SET ROLE hi_owner;
CREATE TABLE hi.t (id int PRIMARY KEY, v text);
GRANT SELECT ON hi.t TO hi_reader;
SELECT activity_log.track('hi.t');
INSERT INTO hi.t VALUES (1, 'a'), (2, 'b');
RESET ROLE;

-- a transaction, and a later change of one of its rows: undoing it would
-- conflict, but a role that may only read the table is told so first
BEGIN;
SET LOCAL ROLE hi_owner;
UPDATE hi.t SET v = 'a2' WHERE id = 1;
SELECT pg_current_xact_id() AS hi_xact \gset
COMMIT;
SET ROLE hi_owner;
UPDATE hi.t SET v = 'a3' WHERE id = 1;
RESET ROLE;
SELECT max(id) AS hi_update FROM activity_log.activity
	WHERE collection = 'hi.t' AND action = 'update' \gset
SET ROLE hi_reader;
SELECT try_sql(format('SELECT activity_log.undo_transaction(%L)', :'hi_xact')) AS undo_by_reader;
SELECT try_sql(format('SELECT activity_log.revert(%s)', :hi_update)) AS revert_by_reader;
RESET ROLE;
SET ROLE hi_owner;
SELECT try_sql(format('SELECT activity_log.undo_transaction(%L)', :'hi_xact')) AS undo_by_owner;
RESET ROLE;

-- retention refuses what would delete everything
SELECT try_sql($$SELECT activity_log.prune('-1 day')$$) AS prune_negative;
SELECT try_sql($$SELECT activity_log.prune('0 seconds')$$) AS prune_zero;
SELECT try_sql($$SELECT activity_log.prune('-1 mon 40 days')$$) AS prune_positive_mixed; -- positive as PostgreSQL compares intervals
SELECT try_sql($$SELECT activity_log.prune(NULL)$$) AS prune_null;
SELECT try_sql($$SELECT activity_log.prune_revisions(0)$$) AS keep_none;
SELECT try_sql($$SELECT activity_log.prune_revisions(NULL)$$) AS keep_null;
SELECT count(*) > 0 AS log_still_there FROM activity_log.activity WHERE collection = 'hi.t';
-- and checks the caller before the argument
SET ROLE hi_reader;
SELECT try_sql($$SELECT activity_log.prune('-1 day')$$) AS prune_by_reader;
RESET ROLE;

-- log(): the alphabet of actions
SET ROLE hi_reader;
-- (the action shown with every character outside printable ASCII as <U+hex>)
SELECT (SELECT string_agg(CASE WHEN c = '' OR ascii(c) BETWEEN 32 AND 126 THEN c
		ELSE format('<U+%s>', upper(to_hex(ascii(c)))) END, '' ORDER BY n)
	FROM regexp_split_to_table(a, '') WITH ORDINALITY AS x(c, n)) AS action,
	try_sql(format('SELECT activity_log.log(%L, %L, %L)', a, 'hi.t', '1')) AS result
FROM unnest(ARRAY[
	'viewed', 'export.csv', 'run-report', 'a1_b',
	E'creat\u0435',			-- Cyrillic e
	E'create\u200b',		-- zero-width space
	E'cre\u00adate',		-- soft hyphen
	E'login\n',				-- a control character
	E'log\u0007in',
	'Login', 'LOGIN', ' login', 'login ', '1login', '_login', '',
	repeat('a', 45), repeat('a', 46),
	'comment_update', 'comment_delete', 'track', 'untrack', 'comment'
]) AS a;
RESET ROLE;

-- log(): collections
SET ROLE hi_stranger;
SELECT try_sql($$SELECT activity_log.log('viewed', 'hi.t', '1')$$) AS tracked_but_hidden;
SELECT try_sql($$SELECT activity_log.log('login', 'hi_app', 'x')$$) AS not_opened;
-- squatting the name of a collection before its table is tracked
SELECT try_sql($$SELECT activity_log.log('viewed', 'hi.later', '1')$$) AS squat;
RESET ROLE;
SELECT count(*) AS events_written FROM activity_log.activity
WHERE collection IN ('hi.t', 'hi_app', 'hi.later') AND action NOT IN ('create', 'update', 'revert');
-- an admin opens a collection for events; then any role may log there
SET ROLE hi_stranger;
SELECT try_sql($$SELECT activity_log.allow_events('hi_app')$$) AS open_by_stranger;
RESET ROLE;
SET ROLE hi_admin;
SELECT activity_log.allow_events('hi_app');
RESET ROLE;
SET ROLE hi_stranger;
SELECT action, collection, item FROM activity_log.log('login', 'hi_app', 'x');
RESET ROLE;
SET ROLE hi_admin;
SELECT activity_log.allow_events('hi_app', false);
-- an admin may log anywhere
SELECT action, collection FROM activity_log.log('maintenance', 'hi_elsewhere', NULL);
RESET ROLE;
SET ROLE hi_stranger;
SELECT try_sql($$SELECT activity_log.log('login', 'hi_app', 'y')$$) AS after_close;
RESET ROLE;
SELECT collection FROM activity_log.event_collections;

SELECT activity_log.untrack('hi.t');
SET client_min_messages = warning;
DROP SCHEMA hi CASCADE;
RESET client_min_messages;
DROP ROLE hi_owner;
DROP ROLE hi_reader;
DROP ROLE hi_stranger;
DROP ROLE hi_admin;
