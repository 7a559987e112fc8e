-- The capture runs no code that a non-superuser can write: a cast to json
-- that the owner of a type wrote is not called when a superuser changes a
-- tracked table that uses the type (in a column, in an array, a composite,
-- a domain or a range), not by revert() nor by undo_transaction().  The
-- value is logged as its text output.  (Issue 11, the first hole.)
--
-- Every object here is named hc_*; no activity id is printed.
CREATE ROLE hc_evil;
CREATE SCHEMA hc_evil AUTHORIZATION hc_evil;
GRANT USAGE ON SCHEMA hc_evil TO PUBLIC;

SET ROLE hc_evil;
CREATE TABLE hc_evil.calls (who text, su boolean);
GRANT INSERT ON hc_evil.calls TO PUBLIC;
CREATE TYPE hc_evil.mood AS ENUM ('calm', 'angry');
-- the cast records who ran it, and makes its author superuser if it can
CREATE FUNCTION hc_evil.mood_json(m hc_evil.mood) RETURNS json
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO hc_evil.calls
	SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user;
	IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
		EXECUTE 'ALTER ROLE hc_evil SUPERUSER';
	END IF;
	RETURN to_json(m::text || '!');
END
$$;
CREATE CAST (hc_evil.mood AS json) WITH FUNCTION hc_evil.mood_json(hc_evil.mood);
CREATE TYPE hc_evil.pair AS (m hc_evil.mood, n int);
CREATE DOMAIN hc_evil.dmood AS hc_evil.mood;
CREATE TYPE hc_evil.mrange AS RANGE (subtype = hc_evil.mood);
-- the trap works: to_jsonb() calls the cast
SELECT to_jsonb('calm'::hc_evil.mood) AS cast_works;
DELETE FROM hc_evil.calls;

-- a table that uses the type every way
CREATE TABLE hc_evil.t (id int PRIMARY KEY, m hc_evil.mood, ms hc_evil.mood[],
	p hc_evil.pair, d hc_evil.dmood, r hc_evil.mrange, ps hc_evil.pair[]);
SELECT activity_log.track('hc_evil.t');
RESET ROLE;

-- a superuser's routine changes
INSERT INTO hc_evil.t VALUES (1, 'calm', '{calm,angry}', '(angry,2)', 'calm',
	'[calm,angry]', ARRAY['(calm,1)'::hc_evil.pair]);
UPDATE hc_evil.t SET m = 'angry', ms = '{angry}', p = '(calm,3)', d = 'angry';
DELETE FROM hc_evil.t;
SELECT rolsuper AS evil_is_superuser FROM pg_roles WHERE rolname = 'hc_evil';
SELECT count(*) AS cast_calls FROM hc_evil.calls;
-- the values, logged as text (and inside arrays, composites, ranges)
SELECT a.action, r.data, r.delta
FROM activity_log.activity a JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection = 'hc_evil.t' ORDER BY a.id;

-- revert() and undo_transaction() of those changes, as a superuser
BEGIN;
INSERT INTO hc_evil.t VALUES (2, 'calm', '{calm}', '(calm,1)', 'calm', '[calm,calm]', '{}');
SELECT pg_current_xact_id() AS hc_xact \gset
COMMIT;
SELECT action FROM activity_log.revert((SELECT max(r.id) FROM activity_log.revisions r
	JOIN activity_log.activity a ON a.id = r.activity
	WHERE a.collection = 'hc_evil.t' AND a.action = 'update'));
SELECT activity_log.undo_transaction(:'hc_xact') AS undone;
SELECT rolsuper AS evil_is_superuser FROM pg_roles WHERE rolname = 'hc_evil';
SELECT count(*) AS cast_calls FROM hc_evil.calls;
SELECT id, m FROM hc_evil.t ORDER BY id;

SET client_min_messages = warning;
DROP SCHEMA hc_evil CASCADE;
RESET client_min_messages;
DROP ROLE hc_evil;
