-- Comments (POST/PATCH/DELETE /activity/comment) and log()
TRUNCATE activity_log.activity CASCADE;
GRANT INSERT, UPDATE ON articles TO al_regress_reader;

-- create: an activity "comment" with the context, like a captured change
BEGIN;
SELECT activity_log.set_context('alice', '10.0.0.9', 'Mozilla/5.0', 'cms');
SELECT action, "user", ip, user_agent, origin, collection, item, comment,
	   db_user, transaction = pg_current_xact_id() AS this_transaction,
	   "timestamp" = statement_timestamp() AS now
FROM activity_log.create_comment('articles', '1', E'Hello **World**\n\n- a list\n- `code`');
COMMIT;
SELECT comment FROM activity_log.activity WHERE action = 'comment';

-- an integer item, a text key, a composite key
SELECT action, item, comment FROM activity_log.create_comment('articles', 2, 'Second');
SELECT item FROM activity_log.create_comment('cms_pages', 'about-us', 'About');
SELECT item FROM activity_log.create_comment('translations', '["7", "en"]', 'Translated');
SELECT item FROM activity_log.create_comment('translations', '[7, "de"]', 'Numbers work too');
-- the item is stored in the form capture records, so one item has one text
SELECT item FROM activity_log.create_comment('articles', '007', 'Leading zeros');
-- comments have no revisions
SELECT count(*) AS revisions FROM activity_log.revisions;

-- a 1 MB comment is stored as given
SELECT length(comment) FROM activity_log.create_comment('articles', '1', repeat('x', 1024 * 1024));

-- errors
\set VERBOSITY default
SELECT activity_log.create_comment(NULL, '1', 'x');
SELECT activity_log.create_comment('articles', NULL::text, 'x');
SELECT activity_log.create_comment('articles', '1', NULL);
SELECT activity_log.create_comment('articles', '1', E'  \n\t');
SELECT activity_log.create_comment(' ', '1', 'x');
SELECT activity_log.create_comment('articles', '', 'x');
SELECT activity_log.create_comment('nosuch', '1', 'x');
SELECT activity_log.create_comment('articles', 999, 'x');
SELECT activity_log.create_comment('articles', 'abc', 'x');
SELECT activity_log.create_comment('translations', '7', 'x');
SELECT activity_log.create_comment('translations', '["7"]', 'x');
SELECT activity_log.create_comment('translations', '["7", "xx"]', 'x');
SELECT activity_log.create_comment('directus_users', 'alice', 'x');
\set VERBOSITY terse

-- a caller without SELECT on the table cannot comment
SET ROLE al_regress_stranger;
SELECT activity_log.create_comment('articles', '1', 'x');
RESET ROLE;

-- the reader (SELECT on articles) comments as "rita"
SET ROLE al_regress_reader;
BEGIN;
SELECT activity_log.set_context('rita');
SELECT id AS rita_comment, "user", db_user FROM activity_log.create_comment('articles', '1', 'From Rita') \gset
COMMIT;
RESET ROLE;
SELECT id AS alice_comment FROM activity_log.activity WHERE "user" = 'alice' AND action = 'comment' \gset
INSERT INTO articles (title) VALUES ('to make a change');
SELECT id AS a_change FROM activity_log.activity WHERE action = 'create' ORDER BY id DESC LIMIT 1 \gset

-- update_comment: only the text changes
SET ROLE al_regress_reader;
BEGIN;
SELECT activity_log.set_context('rita', '10.9.9.9');
SELECT id = :rita_comment AS same_id, action, "user", ip, comment FROM activity_log.update_comment(:rita_comment, 'From Rita, edited');
COMMIT;
-- not the author: another context user, or the context user of someone else
BEGIN;
SELECT activity_log.set_context('alice');
SELECT activity_log.update_comment(:alice_comment, 'hijacked');
ROLLBACK;
BEGIN;
SELECT activity_log.set_context('sam');
SELECT activity_log.update_comment(:rita_comment, 'not mine');
ROLLBACK;
RESET ROLE;
-- same context user, but another database role: not the author either
CREATE ROLE al_regress_impostor;
GRANT SELECT ON articles TO al_regress_impostor;
SET ROLE al_regress_impostor;
BEGIN;
SELECT activity_log.set_context('rita');
SELECT activity_log.update_comment(:rita_comment, 'impostor');
ROLLBACK;
BEGIN;
SELECT activity_log.set_context('rita');
SELECT activity_log.delete_comment(:rita_comment);
ROLLBACK;
RESET ROLE;
-- errors: not a comment, no such id, blank text, NULLs
\set VERBOSITY default
SELECT activity_log.update_comment(:a_change, 'x');
SELECT activity_log.update_comment(999999, 'x');
SELECT activity_log.update_comment(:rita_comment, ' ');
SELECT activity_log.update_comment(:rita_comment, NULL);
SELECT activity_log.update_comment(NULL, 'x');
SELECT activity_log.delete_comment(:a_change);
SELECT activity_log.delete_comment(999999);
SELECT activity_log.delete_comment(NULL);
\set VERBOSITY terse
-- nothing was changed by the refused calls
SELECT comment FROM activity_log.activity WHERE id = :rita_comment;
SELECT action FROM activity_log.activity WHERE id = :a_change;

-- an admin (member of activity_log_admin) may edit and delete any comment
SET ROLE al_regress_admin2;
SELECT comment FROM activity_log.update_comment(:alice_comment, 'Moderated');
SELECT activity_log.delete_comment(:rita_comment);
RESET ROLE;
-- the author may delete its own
SET ROLE al_regress_reader;
BEGIN;
SELECT activity_log.set_context('rita');
SELECT id AS rita2 FROM activity_log.create_comment('articles', '2', 'again') \gset
SELECT activity_log.delete_comment(:rita2);
COMMIT;
RESET ROLE;
SELECT count(*) FILTER (WHERE action = 'comment') AS rita_comments,
	   count(*) FILTER (WHERE action = 'comment_delete') AS rita_deletes
FROM activity_log.activity WHERE "user" = 'rita';
SELECT comment FROM activity_log.activity WHERE id = :alice_comment;

-- log(): application events with the same context
BEGIN;
SELECT activity_log.set_context('alice', '139.178.128.0', 'Mozilla/5.0', 'app');
SELECT action, "user", ip, collection, item, comment FROM activity_log.log('login', 'directus_users', 'alice');
SELECT action, item, comment FROM activity_log.log('export', 'articles', NULL, 'CSV export');
COMMIT;
\set VERBOSITY default
SELECT activity_log.log('create', 'articles', '1');
SELECT activity_log.log('UPDATE', 'articles', '1');
SELECT activity_log.log('Delete', 'articles', '1');
SELECT activity_log.log('truncate', 'articles', NULL);
SELECT activity_log.log('revert', 'articles', '1');
SELECT activity_log.log('comment', 'articles', '1', 'sneaky');
SELECT activity_log.log(NULL, 'articles', '1');
SELECT activity_log.log(' ', 'articles', '1');
SELECT activity_log.log('login', NULL, '1');
SELECT activity_log.log('login', 'users', '');
\set VERBOSITY terse
-- an ordinary role may log events, and sees those of collections it may read
SET ROLE al_regress_reader;
SELECT action, collection, db_user FROM activity_log.log('viewed', 'articles', '1');
RESET ROLE;

REVOKE ALL ON articles FROM al_regress_reader, al_regress_impostor;
REVOKE ALL ON pages FROM al_regress_stranger;
DROP ROLE al_regress_reader;
DROP ROLE al_regress_stranger;
DROP ROLE al_regress_admin2;
DROP ROLE al_regress_impostor;
