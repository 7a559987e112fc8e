-- TRUNCATE -> one "truncate" activity for the collection, without an item
TRUNCATE activity_log.activity CASCADE;

CREATE TABLE scratch (id int PRIMARY KEY, v text);
SELECT activity_log.track('scratch');
INSERT INTO scratch SELECT g, 'v' || g FROM generate_series(1, 5) g;
TRUNCATE scratch;
SELECT action, collection, item, comment FROM activity_log.activity ORDER BY id DESC LIMIT 2;
SELECT count(*) AS truncate_revisions
FROM activity_log.revisions r JOIN activity_log.activity a ON a.id = r.activity
WHERE a.action = 'truncate';

-- a rolled back TRUNCATE leaves nothing
BEGIN;
INSERT INTO scratch VALUES (1, 'x');
TRUNCATE scratch;
ROLLBACK;
SELECT count(*) FILTER (WHERE action = 'truncate') AS truncates FROM activity_log.activity;
