-- What the log tables declare holds for every row the capture writes.
-- (Issue 10, case 9.)
--
-- Every table here is named rk_*.
CREATE TABLE rk_t (id int PRIMARY KEY, v text);
SELECT activity_log.track('rk_t', 'rk forbidden');

-- a constraint a DBA adds to the log is enforced by the capture too
ALTER TABLE activity_log.activity
	ADD CONSTRAINT rk_no_forbidden CHECK (collection <> 'rk forbidden');
\set VERBOSITY terse
INSERT INTO rk_t VALUES (1, 'refused');
\set VERBOSITY default
SELECT count(*) AS rows FROM rk_t;
ALTER TABLE activity_log.activity DROP CONSTRAINT rk_no_forbidden;
INSERT INTO rk_t VALUES (1, 'logged');
SELECT action, collection, item FROM activity_log.activity
WHERE collection = 'rk forbidden' ORDER BY id;

-- the foreign keys of the log hold: every revision has its activity, and
-- every parent is a revision
SELECT count(*) AS revisions_without_activity FROM activity_log.revision_store r
WHERE NOT EXISTS (SELECT FROM activity_log.activity a WHERE a.id = r.activity);
SELECT count(*) AS dangling_parents FROM activity_log.revision_store r
WHERE r.parent IS NOT NULL
  AND NOT EXISTS (SELECT FROM activity_log.revision_store p WHERE p.activity = r.parent);

DROP TABLE rk_t;
