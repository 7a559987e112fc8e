-- item_history, item_at, revert (and undelete), undo_transaction, parent
-- links of foreign key actions, prune and prune_revisions
TRUNCATE activity_log.activity CASCADE;
ALTER SEQUENCE activity_log.activity_id_seq RESTART;
CREATE TABLE docs (
	id int PRIMARY KEY,
	title text NOT NULL,
	status text DEFAULT 'draft',
	secret text,
	words int GENERATED ALWAYS AS (length(title)) STORED
);
SELECT activity_log.track('docs', exclude => '{secret}');

SELECT clock_timestamp() AS t0 \gset
INSERT INTO docs (id, title, secret) VALUES (1, 'first', 's1'), (2, 'second', 's2');
SELECT clock_timestamp() AS t1 \gset
UPDATE docs SET title = 'first, edited' WHERE id = 1;
SELECT clock_timestamp() AS t2 \gset
UPDATE docs SET status = 'published', secret = 's1b' WHERE id = 1;
SELECT clock_timestamp() AS t3 \gset
-- a change of the primary key: the history goes on under the new key
UPDATE docs SET id = 10 WHERE id = 1;
SELECT clock_timestamp() AS t4 \gset
DELETE FROM docs WHERE id = 10;
SELECT clock_timestamp() AS t5 \gset

-- item_history: oldest first, with the activity's action and user
SELECT revision, action, "user", item, previous_item, data, delta, comment IS NULL AS no_comment
FROM activity_log.item_history('docs', '1');
-- the same history under the new key
SELECT array_agg(revision ORDER BY revision) FROM activity_log.item_history('docs', '10');
SELECT count(*) FROM activity_log.item_history('docs', '2');
SELECT count(*) FROM activity_log.item_history('docs', '999');
SELECT count(*) FROM activity_log.item_history('nosuch', '1');
SELECT activity_log.item_history(NULL, '1');

-- item_at: the item at a moment, NULL before it existed and after its delete
SELECT activity_log.item_at('docs', '1', :'t0') AS before_create;
SELECT activity_log.item_at('docs', '1', :'t1') AS after_create;
SELECT activity_log.item_at('docs', '1', :'t2') AS after_edit;
SELECT activity_log.item_at('docs', '1', :'t3') AS after_publish;
SELECT activity_log.item_at('docs', '10', :'t4') AS after_rekey;
SELECT activity_log.item_at('docs', '10', :'t5') AS after_delete;
SELECT activity_log.item_at('docs', '1', NULL);

-- revert a deleted row to a revision: it is inserted again (undelete),
-- under the key of that revision; the change is logged as "revert"
SELECT revision AS r_edit FROM activity_log.item_history('docs', '1') WHERE delta ? 'title' AND action = 'update' \gset
SELECT action, collection, item FROM activity_log.revert(:r_edit);
SELECT id, title, status, secret, words FROM docs ORDER BY id;
SELECT action, data, delta FROM activity_log.item_history('docs', '1') ORDER BY revision DESC LIMIT 1;
-- revert of an update revision on an existing row
SELECT revision AS r_create2 FROM activity_log.item_history('docs', '2') \gset
UPDATE docs SET title = 'second, changed', status = 'archived', secret = 'kept' WHERE id = 2;
SELECT action, item FROM activity_log.revert(:r_create2);
SELECT id, title, status, secret FROM docs WHERE id = 2;
SELECT delta FROM activity_log.item_history('docs', '2') ORDER BY revision DESC LIMIT 1;
-- nothing to change: NULL, and nothing logged
SELECT count(*) AS before FROM activity_log.activity;
SELECT activity_log.revert(:r_create2) IS NULL AS nothing_to_do;
SELECT count(*) AS after FROM activity_log.activity;
-- revert of a create revision
SELECT revision AS r_create1 FROM activity_log.item_history('docs', '1') ORDER BY revision LIMIT 1 \gset
SELECT action FROM activity_log.revert(:r_create1);
SELECT id, title, status FROM docs WHERE id = 1;
-- revert of a delete revision brings back the deleted row
DELETE FROM docs WHERE id = 2;
SELECT revision AS r_delete2 FROM activity_log.item_history('docs', '2') ORDER BY revision DESC LIMIT 1 \gset
SELECT action FROM activity_log.revert(:r_delete2);
SELECT id, title, status FROM docs WHERE id = 2;

-- errors
\set VERBOSITY default
SELECT activity_log.revert(999999);
SELECT activity_log.revert(NULL);
CREATE TABLE gone (id int PRIMARY KEY, v text);
SELECT activity_log.track('gone');
INSERT INTO gone VALUES (1, 'a');
SELECT max(revision) AS r_gone FROM activity_log.item_history('gone', '1') \gset
SELECT activity_log.untrack('gone');
SELECT activity_log.revert(:r_gone);
\set VERBOSITY terse

-- undo_transaction: every change of a transaction, newest first, across tables
CREATE TABLE tags (id int PRIMARY KEY, doc int REFERENCES docs ON DELETE CASCADE, tag text);
SELECT activity_log.track('tags');
INSERT INTO tags VALUES (1, 2, 'a');
SELECT id, title, status FROM docs ORDER BY id;
BEGIN;
UPDATE docs SET status = 'review' WHERE id = 1;
INSERT INTO docs (id, title) VALUES (3, 'third');
INSERT INTO tags VALUES (2, 3, 'b');
UPDATE tags SET tag = 'aa' WHERE id = 1;
DELETE FROM docs WHERE id = 2;
SELECT pg_current_xact_id() AS tx \gset
COMMIT;
SELECT id, title, status FROM docs ORDER BY id;
SELECT id, doc, tag FROM tags ORDER BY id;
SELECT activity_log.undo_transaction(:'tx') AS undone;
SELECT id, title, status FROM docs ORDER BY id;
SELECT id, doc, tag FROM tags ORDER BY id;
SELECT action, collection, item FROM activity_log.activity
WHERE transaction = (SELECT transaction FROM activity_log.activity ORDER BY id DESC LIMIT 1)
ORDER BY id;
-- refused when a row changed since, and nothing changes
BEGIN;
UPDATE docs SET title = 'one more' WHERE id = 1;
SELECT pg_current_xact_id() AS tx2 \gset
COMMIT;
UPDATE docs SET title = 'changed later' WHERE id = 1;
\set VERBOSITY default
SELECT activity_log.undo_transaction(:'tx2');
SELECT title FROM docs WHERE id = 1;
SELECT activity_log.undo_transaction('1');
SELECT activity_log.undo_transaction(NULL);
-- a row that existed before tracking has no earlier state to go back to
CREATE TABLE legacy (id int PRIMARY KEY, v text);
INSERT INTO legacy VALUES (1, 'old');
SELECT activity_log.track('legacy');
BEGIN;
UPDATE legacy SET v = 'new';
SELECT pg_current_xact_id() AS tx3 \gset
COMMIT;
SELECT activity_log.undo_transaction(:'tx3');
-- a TRUNCATE cannot be undone
BEGIN;
TRUNCATE legacy;
SELECT pg_current_xact_id() AS tx4 \gset
COMMIT;
SELECT activity_log.undo_transaction(:'tx4');
\set VERBOSITY terse

-- parent: the revisions of changes made by foreign key actions point at
-- the revision of the change that caused them (two levels here)
CREATE TABLE authors (id int PRIMARY KEY, name text);
CREATE TABLE books (id int PRIMARY KEY, author int REFERENCES authors ON DELETE CASCADE ON UPDATE CASCADE, title text);
CREATE TABLE reviews (id int PRIMARY KEY, book int REFERENCES books ON DELETE CASCADE, note text);
CREATE TABLE loans (id int PRIMARY KEY, book int REFERENCES books ON DELETE SET NULL, who text);
SELECT activity_log.track('authors'), activity_log.track('books'),
	   activity_log.track('reviews'), activity_log.track('loans');
INSERT INTO authors VALUES (1, 'Ann'), (2, 'Ben');
INSERT INTO books VALUES (10, 1, 'A1'), (11, 1, 'A2'), (20, 2, 'B1');
INSERT INTO reviews VALUES (100, 10, 'good'), (101, 11, 'fine'), (200, 20, 'ok');
INSERT INTO loans VALUES (1000, 10, 'Cy');
SELECT max(id) AS r_before FROM activity_log.revisions \gset
UPDATE authors SET id = 5 WHERE id = 2;
DELETE FROM authors WHERE id = 1;
SELECT r.id - :r_before AS rev, a.action, r.collection, r.item, r.previous_item,
	   r.parent - :r_before AS parent, r.delta
FROM activity_log.revisions r JOIN activity_log.activity a ON a.id = r.activity
WHERE r.id > :r_before ORDER BY r.id;
-- a change made by hand is not linked, even to a row changed before
UPDATE reviews SET note = 'by hand' WHERE id = 200;
SELECT parent FROM activity_log.revisions ORDER BY id DESC LIMIT 1;

-- an ordinary role with the right grants
CREATE ROLE al_regress_editor;
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO al_regress_editor;
SET ROLE al_regress_editor;
SELECT count(*) > 0 AS sees_history FROM activity_log.item_history('docs', '1');
SELECT activity_log.item_at('docs', '1', now()) IS NOT NULL AS sees_state;
SELECT count(*) AS hidden FROM activity_log.item_history('authors', '1');
SELECT activity_log.item_at('authors', '1', now()) AS hidden;
SELECT action FROM activity_log.revert(:r_create1);
SELECT action, item, db_user FROM activity_log.revert((SELECT min(revision) FROM activity_log.item_history('docs', '3')));
RESET ROLE;
SELECT min(id) AS r_author FROM activity_log.revisions WHERE collection = 'authors' \gset
SET ROLE al_regress_editor;
SELECT activity_log.revert(:r_author);
SELECT activity_log.prune('1 day');
SELECT activity_log.prune_revisions(1);
RESET ROLE;
-- the revert runs with the caller's rights, never the extension's
REVOKE UPDATE, INSERT ON docs FROM al_regress_editor;
UPDATE docs SET title = 'moved on' WHERE id = 1;
SET ROLE al_regress_editor;
SELECT activity_log.revert(:r_create1);
RESET ROLE;

-- retention: prune_revisions keeps the newest N of each item, activity stays
SELECT count(*) AS activity_before FROM activity_log.activity \gset
SELECT collection, item, count(*) FROM activity_log.revisions
WHERE collection = 'docs' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT activity_log.prune_revisions(2) AS pruned;
SELECT collection, item, count(*), max(id) = (SELECT max(id) FROM activity_log.revisions r2 WHERE r2.collection = r.collection AND r2.item = r.item) AS newest_kept
FROM activity_log.revisions r WHERE collection = 'docs' GROUP BY 1, 2 ORDER BY 1, 2;
SELECT count(*) = :activity_before AS activity_kept FROM activity_log.activity;
SELECT activity_log.prune_revisions(-1);
-- prune: everything older than the interval, in batches, revisions follow
UPDATE activity_log.activity SET "timestamp" = "timestamp" - interval '40 days'
WHERE id IN (SELECT id FROM activity_log.activity ORDER BY id LIMIT 10);
SELECT count(*) AS old FROM activity_log.activity WHERE "timestamp" < now() - interval '30 days';
SELECT activity_log.prune('30 days', 3) AS pruned;
SELECT count(*) AS old_left FROM activity_log.activity WHERE "timestamp" < now() - interval '30 days';
SELECT count(*) AS orphans FROM activity_log.revisions r
WHERE NOT EXISTS (SELECT FROM activity_log.activity a WHERE a.id = r.activity);
SELECT activity_log.prune('0 seconds', 0);
SELECT activity_log.prune(NULL);
-- a member of activity_log_admin may prune
GRANT activity_log_admin TO al_regress_editor;
SET ROLE al_regress_editor;
SELECT activity_log.prune('100 years') AS pruned_by_admin;
RESET ROLE;
REVOKE ALL ON docs FROM al_regress_editor;
DROP ROLE al_regress_editor;
