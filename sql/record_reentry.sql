-- Code that the capture calls cannot come back into the extension: a
-- cast to json that would change the registration of the table being
-- captured, write to it, log an event, alter or untrack it is not called
-- (the capture runs no code a non-superuser can write; see
-- hostile_casts.sql), so each change is logged as the table was when it was
-- made, and nothing is freed under the capture.  (Issue 10, case 4: the old
-- capture called the cast and logged one column's value under another.)
--
-- Every table here is named rr_*; no activity id is printed.
CREATE VIEW rr_log AS
SELECT a.id, a.action, a.collection, a.item, r.data, r.delta
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection LIKE 'rr\_%';

CREATE TYPE rr_mood AS ENUM ('calm', 'track', 'write', 'untrack', 'log', 'alter');
-- "mood" sorts last among the logged columns, so its cast runs after the
-- other columns were converted; twelve columns are excluded at first
CREATE TABLE rr_t (id int PRIMARY KEY, mood rr_mood, a text, b text, c text,
	c01 int, c02 int, c03 int, c04 int, c05 int, c06 int,
	c07 int, c08 int, c09 int, c10 int);
SELECT activity_log.track('rr_t', exclude => '{b,c,c01,c02,c03,c04,c05,c06,c07,c08,c09,c10}');

-- a cast to json that, depending on the value, re-registers the table with
-- more columns, writes to it, or untracks it
CREATE FUNCTION rr_mood_json(m rr_mood) RETURNS json LANGUAGE plpgsql AS $$
BEGIN
	IF m = 'track' THEN
		PERFORM activity_log.track('rr_t', exclude => '{}');
	ELSIF m = 'write' THEN
		PERFORM activity_log.track('rr_t', exclude => '{}');
		INSERT INTO rr_t (id, mood, a, b, c)
			VALUES ((SELECT max(id) + 100 FROM rr_t), 'calm', 'nested', 'b', 'c');
	ELSIF m = 'untrack' THEN
		PERFORM activity_log.untrack('rr_t');
	ELSIF m = 'log' THEN
		PERFORM activity_log.log('ping', 'rr_t', '1');
	ELSIF m = 'alter' THEN
		ALTER TABLE rr_t ADD COLUMN c11 int;
	END IF;
	RETURN to_json(m::text);
END
$$;
CREATE CAST (rr_mood AS json) WITH FUNCTION rr_mood_json(rr_mood);

INSERT INTO rr_t (id, mood, a, b, c) VALUES (1, 'calm', 'a1', 'b1', 'c1');
INSERT INTO rr_t (id, mood, a, b, c) VALUES (2, 'track', 'a2', 'b2', 'c2');
SELECT activity_log.track('rr_t', exclude => '{b,c,c01,c02,c03,c04,c05,c06,c07,c08,c09,c10}');
INSERT INTO rr_t (id, mood, a, b, c) VALUES (3, 'write', 'a3', 'b3', 'c3');
SELECT action, item, data FROM rr_log ORDER BY id;

-- several rows in one statement, re-registering on the second
SELECT activity_log.track('rr_t', exclude => '{b,c,c01,c02,c03,c04,c05,c06,c07,c08,c09,c10}');
INSERT INTO rr_t (id, mood, a) VALUES (4, 'calm', 'a4'), (5, 'track', 'a5'), (6, 'calm', 'a6');
SELECT action, item, data ? 'c01' AS all_columns FROM rr_log WHERE item IN ('4', '5', '6') ORDER BY id;

-- an event written to the log in the middle of a capture comes after it
UPDATE rr_t SET mood = 'log' WHERE id = 2;
SELECT action, item FROM rr_log ORDER BY id DESC LIMIT 2;

-- DDL on the table from inside its own capture: PostgreSQL refuses it, and
-- the change fails with nothing logged
UPDATE rr_t SET mood = 'alter' WHERE id = 2;
SELECT action, item FROM rr_log ORDER BY id DESC LIMIT 1;

-- back to the excluded columns, then a capture that untracks the table
SELECT activity_log.track('rr_t', exclude => '{b,c,c01,c02,c03,c04,c05,c06,c07,c08,c09,c10}');
UPDATE rr_t SET mood = 'untrack' WHERE id = 1;
SELECT action, item, data, delta FROM rr_log ORDER BY id DESC LIMIT 1;
SELECT count(*) AS tracked FROM activity_log.tracking WHERE relid = 'rr_t'::regclass;

DROP VIEW rr_log;
DROP TABLE rr_t;
DROP CAST (rr_mood AS json);
DROP FUNCTION rr_mood_json(rr_mood);
DROP TYPE rr_mood;
