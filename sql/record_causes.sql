-- Parent links point at the change that caused a change, and at nothing
-- else: not at work rolled back, not at a change of a key reused since.
-- Registrations changed in the session are seen at once.
-- (Issue 10, cases 2, 3 and 7.)
--
-- Every table here is named rc_*; no activity id is printed.
CREATE VIEW rc_log AS
SELECT a.id, a.action, a.collection, a.item, r.parent,
	   (SELECT pa.action || ' ' || pa.collection || ' ' || pa.item
		FROM activity_log.activity pa WHERE pa.id = r.parent) AS caused_by
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection LIKE 'rc\_%';

CREATE TABLE rc_authors (id int PRIMARY KEY, name text);
CREATE TABLE rc_books (id int PRIMARY KEY,
	author int REFERENCES rc_authors ON DELETE CASCADE, title text);
SELECT activity_log.track('rc_authors');
SELECT activity_log.track('rc_books');
INSERT INTO rc_authors VALUES (1, 'Ann'), (2, 'Bob');
INSERT INTO rc_books VALUES (10, 1, 'A1'), (11, 1, 'A2'), (20, 2, 'B1');

--------------------------------------------------------------------------
-- 2. a cascade rolled back to a savepoint leaves no cause behind
--------------------------------------------------------------------------
BEGIN;
SAVEPOINT s;
DELETE FROM rc_authors WHERE id = 1;
ROLLBACK TO s;
DELETE FROM rc_books WHERE id = 10;
COMMIT;
SELECT action, collection, item, caused_by FROM rc_log WHERE action = 'delete' ORDER BY id;
-- every parent exists
SELECT count(*) AS dangling FROM activity_log.revision_store r
WHERE r.parent IS NOT NULL
  AND NOT EXISTS (SELECT FROM activity_log.revision_store p WHERE p.activity = r.parent);

-- a cascade inside a released savepoint keeps its links
BEGIN;
SAVEPOINT s;
DELETE FROM rc_authors WHERE id = 1;
RELEASE s;
COMMIT;
SELECT action, collection, item, caused_by FROM rc_log WHERE action = 'delete' ORDER BY id;

--------------------------------------------------------------------------
-- 7. a cause is the change whose foreign key action made the change: a
-- plain delete of a row that references a key deleted and reused earlier
-- in the transaction has no parent, and undo puts back only what was
--------------------------------------------------------------------------
INSERT INTO rc_authors VALUES (3, 'Cy');
BEGIN;
DELETE FROM rc_authors WHERE id = 3;
INSERT INTO rc_authors VALUES (3, 'Cy again');
INSERT INTO rc_books VALUES (30, 3, 'C1');
DELETE FROM rc_books WHERE id = 30;
CREATE TEMP TABLE rc_xact AS SELECT pg_current_xact_id() AS x;
COMMIT;
SELECT action, collection, item, caused_by FROM rc_log
WHERE item IN ('3', '30') ORDER BY id;
SELECT activity_log.undo_transaction((SELECT x FROM rc_xact));
SELECT * FROM rc_authors WHERE id = 3;
SELECT * FROM rc_books WHERE id = 30;
DROP TABLE rc_xact;

--------------------------------------------------------------------------
-- 3. tracking the referenced table after the referencing one was cached
-- in this session: the cascade's revisions get their parent, and undo
-- of the cascade works
--------------------------------------------------------------------------
CREATE TABLE rc_dept (id int PRIMARY KEY, name text);
CREATE TABLE rc_staff (id int PRIMARY KEY,
	dept int REFERENCES rc_dept ON DELETE CASCADE, name text);
SELECT activity_log.track('rc_staff');
INSERT INTO rc_dept VALUES (1, 'Ops');
INSERT INTO rc_staff VALUES (100, 1, 'Dee');
SELECT activity_log.track('rc_dept');
INSERT INTO rc_dept VALUES (2, 'Dev');
INSERT INTO rc_staff VALUES (200, 2, 'Eve');
BEGIN;
DELETE FROM rc_dept WHERE id = 2;
CREATE TEMP TABLE rc_xact AS SELECT pg_current_xact_id() AS x;
COMMIT;
SELECT action, collection, item, caused_by FROM rc_log
WHERE collection IN ('rc_dept', 'rc_staff') AND action = 'delete' ORDER BY id;
SELECT activity_log.undo_transaction((SELECT x FROM rc_xact));
SELECT * FROM rc_staff ORDER BY id;
DROP TABLE rc_xact;

-- the same when the registration is written by a superuser directly
CREATE TABLE rc_x (id int PRIMARY KEY);
CREATE TABLE rc_y (id int PRIMARY KEY, x int REFERENCES rc_x ON DELETE CASCADE);
SELECT activity_log.track('rc_y');
INSERT INTO rc_x VALUES (1);
INSERT INTO rc_y VALUES (1, 1);
SELECT activity_log.track('rc_x');
-- drop the child's registration behind track()'s back, then restore it
CREATE TEMP TABLE rc_saved AS SELECT * FROM activity_log.tracking WHERE relid = 'rc_y'::regclass;
DELETE FROM activity_log.tracking WHERE relid = 'rc_y'::regclass;
UPDATE rc_y SET id = 2;		-- refused: not tracked
INSERT INTO activity_log.tracking SELECT * FROM rc_saved;
DELETE FROM rc_x WHERE id = 1;
SELECT action, collection, item, caused_by FROM rc_log
WHERE collection IN ('rc_x', 'rc_y') ORDER BY id;

-- parent is a soft link that pruning keeps true: a pruned parent leaves
-- its children's parent NULL, and verify() finds nothing wrong
BEGIN;
INSERT INTO rc_authors VALUES (1, 'Ann again');
SELECT activity_log.prune_revisions(1) > 0 AS pruned;
SELECT action, collection, item, parent FROM rc_log WHERE item = '11' ORDER BY id;
SELECT count(*) AS dangling FROM activity_log.revision_store r
WHERE r.parent IS NOT NULL
  AND NOT EXISTS (SELECT FROM activity_log.revision_store p WHERE p.activity = r.parent);
SELECT * FROM activity_log.verify();
ROLLBACK;

-- verify() reports a parent that is not there (written behind the
-- extension's back)
BEGIN;
UPDATE activity_log.revision_store SET parent = -1
WHERE activity = (SELECT max(activity) FROM activity_log.revision_store);
SELECT problem FROM activity_log.verify();
ROLLBACK;

DROP VIEW rc_log;
DROP TABLE rc_books, rc_authors, rc_staff, rc_dept, rc_y, rc_x, rc_saved;
