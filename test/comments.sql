-- test/comments.sql: create_comment(), update_comment(), delete_comment()
-- and log(); who may change a comment; what each role may see through
-- list_activity(), get_activity() and activity_json().
--
-- Everything happens in one transaction that is rolled back; the test
-- roles are created inside it.  SET LOCAL ROLE / RESET ROLE switch between
-- them.  Rows returned by the functions are kept in al_tap_cm_ret, tagged,
-- with the statement's timestamp and transaction id next to them.

BEGIN;
SET LOCAL client_min_messages = warning;

SELECT plan(148);

DELETE FROM activity_log.activity;

CREATE ROLE al_tap_cm_author NOLOGIN;
CREATE ROLE al_tap_cm_other NOLOGIN;
CREATE ROLE al_tap_cm_mod NOLOGIN;
CREATE ROLE al_tap_cm_stranger NOLOGIN;
GRANT activity_log_admin TO al_tap_cm_mod;

CREATE TABLE al_tap_cm_articles (id bigint PRIMARY KEY, title text);
INSERT INTO al_tap_cm_articles VALUES (1, 'one'), (2, 'two'), (7, 'seven');
CREATE TABLE al_tap_cm_pages (slug text PRIMARY KEY, title text, hidden boolean DEFAULT false);
INSERT INTO al_tap_cm_pages VALUES ('about', 'About', false), ('secret-page', 'Hidden', true);
CREATE TABLE al_tap_cm_tr (id integer, lang text, body text, PRIMARY KEY (id, lang));
INSERT INTO al_tap_cm_tr VALUES (7, 'en', 'seven');
CREATE TABLE al_tap_cm_secret (id integer PRIMARY KEY);
INSERT INTO al_tap_cm_secret VALUES (1);
CREATE TABLE al_tap_cm_untracked (id integer PRIMARY KEY);
INSERT INTO al_tap_cm_untracked VALUES (1);
CREATE SCHEMA al_tap_cm_s;
CREATE TABLE al_tap_cm_s."Odd ""Name""" ("Key Col" text PRIMARY KEY);
INSERT INTO al_tap_cm_s."Odd ""Name""" VALUES ('k 1');

SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_articles')$$, 'track al_tap_cm_articles');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_pages', 'cm_pages')$$, 'track al_tap_cm_pages as collection cm_pages');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_tr')$$, 'track al_tap_cm_tr (composite key)');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_secret')$$, 'track al_tap_cm_secret');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_s."Odd ""Name"""')$$, 'track a table with a quoted name in another schema');

-- the author and the other role may read articles and pages; the others nothing
GRANT SELECT ON al_tap_cm_articles, al_tap_cm_pages TO al_tap_cm_author, al_tap_cm_other;
GRANT INSERT ON al_tap_cm_articles TO al_tap_cm_author;
GRANT USAGE ON SCHEMA al_tap_cm_s TO al_tap_cm_author;
GRANT SELECT ON al_tap_cm_s."Odd ""Name""" TO al_tap_cm_author;
-- row-level security hides a page from the author
ALTER TABLE al_tap_cm_pages ENABLE ROW LEVEL SECURITY;
CREATE POLICY al_tap_cm_visible ON al_tap_cm_pages FOR SELECT USING (NOT hidden);

-- rows returned by the functions, with the statement's time and transaction
CREATE TABLE al_tap_cm_ret AS
    SELECT a.*, NULL::timestamptz AS stmt_ts, NULL::xid8 AS xact, NULL::text AS tag
      FROM activity_log.activity a WITH NO DATA;
GRANT ALL ON al_tap_cm_ret TO PUBLIC;
CREATE FUNCTION al_tap_cm_id(t text) RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT id FROM al_tap_cm_ret WHERE tag = t $$;
-- the activity columns of a kept row, and of the stored row of the same id
CREATE FUNCTION al_tap_cm_returned(t text) RETURNS SETOF activity_log.activity LANGUAGE sql AS
$$ SELECT id, action, "user", "timestamp", ip, user_agent, origin, collection, item, comment, db_user, transaction
     FROM al_tap_cm_ret WHERE tag = t $$;

-- create_comment: the row and its context ----------------------------------------

SET LOCAL application_name = 'al_tap_cm_app';
SELECT lives_ok($$SELECT activity_log.set_context('alice', '10.0.0.9', 'Mozilla/5.0', 'cms')$$,
    'context alice, 10.0.0.9, Mozilla/5.0, cms');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'alice'
      FROM activity_log.create_comment('al_tap_cm_articles', '1', E'Hello **World**\n\n- a list') c$$,
    'create_comment(text item) as the superuser');
SELECT results_eq(
    $$SELECT action, "user", ip, user_agent, origin, collection, item, comment, db_user
        FROM al_tap_cm_ret WHERE tag = 'alice'$$,
    $$VALUES ('comment', 'alice', '10.0.0.9'::inet, 'Mozilla/5.0', 'cms', 'al_tap_cm_articles', '1',
              E'Hello **World**\n\n- a list', current_user::text COLLATE "default")$$,
    'the comment has action comment, the context, the item and the text');
SELECT is((SELECT transaction FROM al_tap_cm_ret WHERE tag = 'alice'),
    (SELECT xact FROM al_tap_cm_ret WHERE tag = 'alice'),
    'transaction is pg_current_xact_id()');
SELECT is((SELECT "timestamp" FROM al_tap_cm_ret WHERE tag = 'alice'),
    (SELECT stmt_ts FROM al_tap_cm_ret WHERE tag = 'alice'),
    'timestamp is statement_timestamp()');
SELECT results_eq(
    $$SELECT * FROM al_tap_cm_returned('alice')$$,
    $$SELECT * FROM activity_log.activity WHERE id = al_tap_cm_id('alice')$$,
    'the returned row is the stored row');
SELECT is((SELECT count(*) FROM activity_log.revisions WHERE activity = al_tap_cm_id('alice')),
    0::bigint, 'a comment has no revision');

-- the bigint overload, and the item as capture records it
SELECT results_eq(
    $$SELECT action, item, comment FROM activity_log.create_comment('al_tap_cm_articles', 2, 'Second')$$,
    $$VALUES ('comment', '2', 'Second')$$,
    'create_comment(bigint item)');
SELECT results_eq(
    $$SELECT item FROM activity_log.create_comment('al_tap_cm_articles', '007', 'Leading zeros')$$,
    $$VALUES ('7')$$,
    'item "007" of a bigint key is stored as "7"');
SELECT results_eq(
    $$SELECT collection, item FROM activity_log.create_comment('cm_pages', 'about', 'About')$$,
    $$VALUES ('cm_pages', 'about')$$,
    'a text key, under the collection name given to track()');
SELECT results_eq(
    $$SELECT item FROM activity_log.create_comment('al_tap_cm_tr', '[7, "en"]', 'Translated')$$,
    $$VALUES ('["7", "en"]')$$,
    'a composite key given as [7, "en"] is stored as ["7", "en"]');
SELECT results_eq(
    $$SELECT collection, item FROM activity_log.create_comment('al_tap_cm_s.Odd "Name"', 'k 1', 'Odd')$$,
    $$VALUES ('al_tap_cm_s.Odd "Name"', 'k 1')$$,
    'a table with a quoted name, schema and key column');
-- The item of a comment must be the text capture records for the same row,
-- so that filtering on the item finds the changes and the comments.
CREATE TABLE al_tap_cm_typmod (code char(3), amount numeric(6,2), v text, PRIMARY KEY (code, amount));
CREATE TABLE al_tap_cm_char (code char(3) PRIMARY KEY, v text);
CREATE TABLE al_tap_cm_num (n numeric PRIMARY KEY, v text);
INSERT INTO al_tap_cm_typmod VALUES ('ab', 1.5, 'x');
INSERT INTO al_tap_cm_char VALUES ('ab', 'x');
INSERT INTO al_tap_cm_num VALUES (1.50, 'x');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_typmod')$$, 'track al_tap_cm_typmod');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_char')$$, 'track al_tap_cm_char');
SELECT lives_ok($$SELECT activity_log.track('al_tap_cm_num')$$, 'track al_tap_cm_num');
UPDATE al_tap_cm_typmod SET v = 'y';
UPDATE al_tap_cm_char SET v = 'y';
UPDATE al_tap_cm_num SET v = 'y';
-- A comment's item is made from the row's stored key, as capture makes it:
-- char(3) 'ab' is padded like the captured update's item "ab ".
SELECT is((activity_log.create_comment('al_tap_cm_char', 'ab', 'c')).item,
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_cm_char' AND action = 'update'),
    'char(3) key: the comment''s item is the item capture recorded');
-- The same for numeric(6,2) in a composite key: ["ab ", "1.50"].
SELECT is((activity_log.create_comment('al_tap_cm_typmod', '["ab", 1.5]', 'c')).item,
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_cm_typmod' AND action = 'update'),
    'char(3) and numeric(6,2) key: the comment''s item is the item capture recorded');
-- A numeric key equal to the stored one but written differently: the item
-- is the stored key's text ("1.50"), not the text given ("1.5").
SELECT is((activity_log.create_comment('al_tap_cm_num', '1.5', 'c')).item,
    (SELECT item FROM activity_log.activity WHERE collection = 'al_tap_cm_num' AND action = 'update'),
    'numeric key given as 1.5 for a stored 1.50: the comment''s item is the item capture recorded');

SELECT is(length((activity_log.create_comment('al_tap_cm_articles', 1, repeat('x', 1048576))).comment),
    1048576, 'a 1 MB comment is stored whole');

-- the context columns are filled as for a captured change
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'no context');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'default'
      FROM activity_log.create_comment('al_tap_cm_articles', '2', 'Default context') c$$,
    'create_comment() without context');
INSERT INTO al_tap_cm_articles VALUES (10, 'captured');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin, db_user, transaction FROM al_tap_cm_returned('default')$$,
    $$SELECT "user", ip, user_agent, origin, db_user, transaction FROM activity_log.activity
       WHERE collection = 'al_tap_cm_articles' AND item = '10' AND action = 'create'$$,
    'without context: the same user, ip, user_agent, origin, db_user and transaction as a captured insert');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin FROM al_tap_cm_returned('default')$$,
    $$VALUES (session_user::text COLLATE "default", inet_client_addr(), 'al_tap_cm_app', NULL::text)$$,
    'without context: session_user, inet_client_addr(), application_name, NULL');

SET LOCAL ROLE al_tap_cm_author;
SELECT lives_ok($$SELECT activity_log.set_context('rita', '10.1.1.1', 'rita-agent', 'web')$$,
    'the author sets context rita');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'rita'
      FROM activity_log.create_comment('al_tap_cm_articles', '1', 'From Rita') c$$,
    'a role with SELECT on the table may comment');
SELECT lives_ok($$INSERT INTO al_tap_cm_articles VALUES (11, 'by rita')$$, 'the author inserts an article');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'rita-odd'
      FROM activity_log.create_comment('al_tap_cm_s.Odd "Name"', 'k 1', 'Odd too') c$$,
    'the author comments on the quoted table');
SELECT throws_ok($$SELECT activity_log.create_comment('cm_pages', 'secret-page', 'x')$$,
    '42501', 'permission denied for table al_tap_cm_pages',
    'a table whose row-level security applies to the caller: no comment on a hidden row');
SELECT throws_ok($$SELECT activity_log.create_comment('cm_pages', 'about', 'visible page')$$,
    '42501', 'permission denied for table al_tap_cm_pages',
    'nor on a row it shows: the caller could not read the comment back');
RESET ROLE;
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin, db_user, transaction FROM al_tap_cm_returned('rita')$$,
    $$SELECT "user", ip, user_agent, origin, db_user, transaction FROM activity_log.activity
       WHERE collection = 'al_tap_cm_articles' AND item = '11' AND action = 'create'$$,
    'with context, under SET ROLE: the same context columns as the author''s captured insert');
SELECT results_eq(
    $$SELECT "user", ip, user_agent, origin, db_user FROM al_tap_cm_returned('rita')$$,
    $$VALUES ('rita', '10.1.1.1'::inet, 'rita-agent', 'web', 'al_tap_cm_author')$$,
    'user is the context user, db_user the role');
SELECT results_eq(
    $$SELECT * FROM al_tap_cm_returned('rita')$$,
    $$SELECT * FROM activity_log.activity WHERE id = al_tap_cm_id('rita')$$,
    'the row returned to the author is the stored row');

-- create_comment errors ----------------------------------------------------------

SELECT throws_ok($$SELECT activity_log.create_comment(NULL, '1', 'x')$$,
    '22004', 'collection must not be null', 'NULL collection');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', NULL::text, 'x')$$,
    '22004', 'item must not be null', 'NULL text item');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', NULL::bigint, 'x')$$,
    '22004', 'item must not be null', 'NULL bigint item');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', '1', NULL)$$,
    '22004', 'comment must not be null', 'NULL comment');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', '1', E'  \n\t')$$,
    '22023', 'comment must not be empty', 'blank comment');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', '1', '')$$,
    '22023', 'comment must not be empty', 'empty comment');
SELECT throws_ok($$SELECT activity_log.create_comment(' ', '1', 'x')$$,
    '22023', 'collection must not be empty', 'blank collection');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', '', 'x')$$,
    '22023', 'item must not be empty', 'empty item');
SELECT throws_ok($$SELECT activity_log.create_comment('nosuch', '1', 'x')$$,
    '22023', 'collection "nosuch" is not tracked', 'unknown collection');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_untracked', '1', 'x')$$,
    '22023', 'collection "al_tap_cm_untracked" is not tracked', 'an existing table that is not tracked');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_pages', 'about', 'x')$$,
    '22023', 'collection "al_tap_cm_pages" is not tracked', 'the table name of a table tracked under another collection name');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', 999, 'x')$$,
    'P0002', 'item "999" does not exist in collection "al_tap_cm_articles"', 'missing item');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', 'abc', 'x')$$,
    '22023', 'invalid item', 'an item that is not a bigint');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_tr', '7', 'x')$$,
    '22023', 'invalid item "7" for table "al_tap_cm_tr"', 'a composite key needs an array');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_tr', '["7"]', 'x')$$,
    '22023', 'invalid item "["7"]" for table "al_tap_cm_tr"', 'a composite key array of the wrong length');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_tr', '[7, null]', 'x')$$,
    '22023', 'invalid item "[7, null]" for table "al_tap_cm_tr"', 'a null in a composite key');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_tr', '[7, "en"', 'x')$$,
    '22023', 'invalid item', 'a composite key that is not JSON');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_tr', '["7", "xx"]', 'x')$$,
    'P0002', 'item "["7", "xx"]" does not exist in collection "al_tap_cm_tr"', 'a missing composite item');
SET LOCAL ROLE al_tap_cm_stranger;
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_articles', '1', 'x')$$,
    '42501', 'permission denied for table al_tap_cm_articles', 'no SELECT on the table: 42501');
SELECT throws_ok($$SELECT activity_log.create_comment('al_tap_cm_secret', 1, 'x')$$,
    '42501', 'permission denied for table al_tap_cm_secret', 'no SELECT on another table: 42501');
RESET ROLE;

-- log(): application events -------------------------------------------------------

SELECT lives_ok($$SELECT activity_log.set_context('alice', '139.178.128.0', 'Mozilla/5.0', 'app')$$,
    'context for the events');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'login'
      FROM activity_log.log('login', 'directus_users', 'alice') c$$,
    'log(login)');
SELECT results_eq(
    $$SELECT action, "user", ip, user_agent, origin, collection, item, comment, db_user FROM al_tap_cm_returned('login')$$,
    $$VALUES ('login', 'alice', '139.178.128.0'::inet, 'Mozilla/5.0', 'app', 'directus_users', 'alice', NULL::text,
              current_user::text COLLATE "default")$$,
    'log() records the event with the context');
SELECT results_eq(
    $$SELECT transaction = xact, "timestamp" = stmt_ts FROM al_tap_cm_ret WHERE tag = 'login'$$,
    $$VALUES (true, true)$$,
    'log(): transaction and timestamp as for a change');
SELECT results_eq(
    $$SELECT * FROM al_tap_cm_returned('login')$$,
    $$SELECT * FROM activity_log.activity WHERE id = al_tap_cm_id('login')$$,
    'log() returns the stored row');
SELECT results_eq(
    $$SELECT action, item, comment FROM activity_log.log('export', 'al_tap_cm_articles', NULL, 'CSV export')$$,
    $$VALUES ('export', NULL::text, 'CSV export')$$,
    'log() with a NULL item and a comment');
SELECT throws_ok($$SELECT activity_log.log('create', 'al_tap_cm_articles', '1')$$,
    '22023', 'action "create" is reserved', 'log(create) is refused');
SELECT throws_ok($$SELECT activity_log.log('UPDATE', 'al_tap_cm_articles', '1')$$,
    '22023', 'invalid action for activity_log.log()', 'log(UPDATE) is refused: actions are lower case');
SELECT throws_ok($$SELECT activity_log.log('Delete', 'al_tap_cm_articles', '1')$$,
    '22023', 'invalid action for activity_log.log()', 'log(Delete) is refused');
SELECT throws_ok($$SELECT activity_log.log('truncate', 'al_tap_cm_articles', NULL)$$,
    '22023', 'action "truncate" is reserved', 'log(truncate) is refused');
SELECT throws_ok($$SELECT activity_log.log('revert', 'al_tap_cm_articles', '1')$$,
    '22023', 'action "revert" is reserved', 'log(revert) is refused');
SELECT throws_ok($$SELECT activity_log.log('comment', 'al_tap_cm_articles', '1', 'sneaky')$$,
    '22023', 'action "comment" is reserved', 'log(comment) is refused');
SELECT throws_ok($$SELECT activity_log.log(NULL, 'al_tap_cm_articles', '1')$$,
    '22004', 'action must not be null', 'log() with a NULL action');
SELECT throws_ok($$SELECT activity_log.log(' ', 'al_tap_cm_articles', '1')$$,
    '22023', 'action must not be empty', 'log() with a blank action');
SELECT throws_ok($$SELECT activity_log.log('login', NULL, '1')$$,
    '22004', 'collection must not be null', 'log() with a NULL collection');
SELECT throws_ok($$SELECT activity_log.log('login', E'\t', '1')$$,
    '22023', 'collection must not be empty', 'log() with a blank collection');
SELECT throws_ok($$SELECT activity_log.log('login', 'users', '')$$,
    '22023', 'item must not be empty', 'log() with an empty item');
SET LOCAL ROLE al_tap_cm_author;
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, statement_timestamp(), pg_current_xact_id(), 'viewed'
      FROM activity_log.log('viewed', 'al_tap_cm_articles', '1') c$$,
    'an ordinary role may log an event');
RESET ROLE;
SELECT results_eq(
    $$SELECT action, "user", db_user FROM al_tap_cm_returned('viewed')$$,
    $$VALUES ('viewed', 'alice', 'al_tap_cm_author')$$,
    'the event of a role has its db_user');

-- Who may change a comment ----------------------------------------------------------
--
-- The author is the same context user AND the same database role; an admin
-- (superuser or member of activity_log_admin) may change any comment.

-- a capture row and an event: not comments
INSERT INTO al_tap_cm_ret
    SELECT a.*, NULL, NULL, 'a_change' FROM activity_log.activity a
     WHERE collection = 'al_tap_cm_articles' AND item = '10' AND action = 'create';
-- the author's comment without context: user is the session user
SET LOCAL ROLE al_tap_cm_author;
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'the author clears the context');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, NULL, NULL, 'nocontext'
      FROM activity_log.create_comment('al_tap_cm_articles', '2', 'No context') c$$,
    'the author comments without context');
SELECT is((SELECT "user" FROM al_tap_cm_ret WHERE tag = 'nocontext'), session_user::text,
    'without context the comment''s user is the session user');

-- the author, as rita: may update
SELECT lives_ok($$SELECT activity_log.set_context('rita', '10.9.9.9', 'other-agent', 'elsewhere')$$,
    'the author is rita again, from elsewhere');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, NULL, NULL, 'rita-edited'
      FROM activity_log.update_comment(al_tap_cm_id('rita'), 'From Rita, edited') c$$,
    'the author may update its comment');
RESET ROLE;
SELECT results_eq(
    $$SELECT * FROM al_tap_cm_returned('rita-edited')$$,
    $$SELECT * FROM activity_log.activity WHERE id = al_tap_cm_id('rita')$$,
    'update_comment() returns the stored row');
SELECT results_eq(
    $$SELECT id, action, "user", "timestamp", ip, user_agent, origin, collection, item, db_user, transaction, comment
        FROM al_tap_cm_returned('rita-edited')$$,
    $$SELECT id, action, "user", "timestamp", ip, user_agent, origin, collection, item, db_user, transaction,
             'From Rita, edited'::text
        FROM al_tap_cm_returned('rita')$$,
    'only the comment text changed: the context of the edit is not recorded');

SET LOCAL ROLE al_tap_cm_author;
SELECT lives_ok($$SELECT activity_log.set_context('sam')$$, 'the author claims to be sam');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), 'not mine')$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('rita'),
    'same role, another context user: may not update');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('rita'))$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('rita'),
    'same role, another context user: may not delete');
SELECT lives_ok($$SELECT activity_log.set_context('alice')$$, 'the author claims to be alice');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('alice'), 'hijacked')$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('alice'),
    'claiming the context user of a superuser''s comment: may not update');
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'the author without context');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), 'no context')$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('rita'),
    'the author without context is not rita');
SELECT lives_ok($$SELECT activity_log.update_comment(al_tap_cm_id('nocontext'), 'No context, edited')$$,
    'the author without context may update its comment made without context');

-- another role, claiming the same context user: not the author
SET LOCAL ROLE al_tap_cm_other;
SELECT lives_ok($$SELECT activity_log.set_context('rita')$$, 'the other role claims to be rita');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), 'impostor')$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('rita'),
    'same context user, another role: may not update');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('rita'))$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('rita'),
    'same context user, another role: may not delete');
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'the other role without context');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('nocontext'), 'impostor')$$,
    '42501', 'permission denied to change comment ' || al_tap_cm_id('nocontext'),
    'both without context (same session user), another role: may not update');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, NULL, NULL, 'other'
      FROM activity_log.create_comment('al_tap_cm_articles', '1', 'From the other role') c$$,
    'the other role comments');

-- errors of update/delete: checked before the author rule
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('a_change'), 'x')$$,
    '42809', 'activity ' || al_tap_cm_id('a_change') || ' is not a comment', 'update of a captured change: 42809');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('a_change'))$$,
    '42809', 'activity ' || al_tap_cm_id('a_change') || ' is not a comment', 'delete of a captured change: 42809');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('viewed'), 'x')$$,
    '42809', 'activity ' || al_tap_cm_id('viewed') || ' is not a comment', 'update of an event: 42809');
SELECT throws_ok($$SELECT activity_log.update_comment(999999, 'x')$$,
    'P0002', 'activity 999999 does not exist', 'update of a missing id: P0002');
SELECT throws_ok($$SELECT activity_log.delete_comment(999999)$$,
    'P0002', 'activity 999999 does not exist', 'delete of a missing id: P0002');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), ' ')$$,
    '22023', 'comment must not be empty', 'update with a blank text: 22023');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), NULL)$$,
    '22004', 'comment must not be null', 'update with a NULL text: 22004');
SELECT throws_ok($$SELECT activity_log.update_comment(NULL, 'x')$$,
    '22004', 'activity id must not be null', 'update of a NULL id: 22004');
SELECT throws_ok($$SELECT activity_log.delete_comment(NULL)$$,
    '22004', 'activity id must not be null', 'delete of a NULL id: 22004');

-- a role that may not see the comment does not learn that it exists
SET LOCAL ROLE al_tap_cm_stranger;
SELECT lives_ok($$SELECT activity_log.set_context('rita')$$, 'the stranger claims to be rita');
SELECT throws_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita'), 'x')$$,
    'P0002', 'activity ' || al_tap_cm_id('rita') || ' does not exist',
    'a comment the caller may not see: P0002, as for a missing id');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('rita'))$$,
    'P0002', 'activity ' || al_tap_cm_id('rita') || ' does not exist',
    'delete of a comment the caller may not see: P0002');
RESET ROLE;

SELECT results_eq(
    $$SELECT comment FROM activity_log.activity WHERE id IN (al_tap_cm_id('rita'), al_tap_cm_id('alice'), al_tap_cm_id('nocontext')) ORDER BY id$$,
    $$VALUES (E'Hello **World**\n\n- a list'), ('From Rita, edited'), ('No context, edited')$$,
    'the refused calls changed nothing');
SELECT is((SELECT action FROM activity_log.activity WHERE id = al_tap_cm_id('a_change')), 'create',
    'the captured change is untouched');

-- admins: a member of activity_log_admin, and the superuser
SET LOCAL ROLE al_tap_cm_mod;
SELECT lives_ok($$SELECT activity_log.set_context('moderator')$$, 'the admin role has its own context');
SELECT results_eq(
    $$SELECT id, "user", db_user, comment FROM activity_log.update_comment(al_tap_cm_id('alice'), 'Moderated')$$,
    $$SELECT al_tap_cm_id('alice'), 'alice'::text, 'postgres'::text, 'Moderated'::text$$,
    'a member of activity_log_admin may update any comment; its author stays');
SELECT lives_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('other'))$$,
    'a member of activity_log_admin may delete any comment');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('a_change'))$$,
    '42809', NULL, 'not even an admin may delete a captured change');
RESET ROLE;
SELECT lives_ok($$SELECT activity_log.set_context('root')$$, 'the superuser as root');
SELECT lives_ok($$SELECT activity_log.update_comment(al_tap_cm_id('rita-odd'), 'Superuser edit')$$,
    'the superuser may update any comment');
SELECT is((SELECT comment FROM activity_log.activity WHERE id = al_tap_cm_id('rita-odd')), 'Superuser edit',
    'the superuser''s edit is stored');

-- the author deletes its own comment
SET LOCAL ROLE al_tap_cm_author;
SELECT lives_ok($$SELECT activity_log.set_context('rita')$$, 'the author is rita');
SELECT lives_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('rita'))$$, 'the author may delete its comment');
SELECT throws_ok($$SELECT activity_log.delete_comment(al_tap_cm_id('rita'))$$,
    'P0002', 'activity ' || al_tap_cm_id('rita') || ' does not exist', 'a deleted comment is gone');
RESET ROLE;
SELECT is((SELECT count(*) FROM activity_log.activity WHERE id IN (al_tap_cm_id('rita'), al_tap_cm_id('other'))),
    0::bigint, 'the deleted comments are no longer stored');

-- Visibility ----------------------------------------------------------------------
--
-- A role sees the activity of the collections whose table it may SELECT;
-- an admin sees everything.

SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'no context');
SELECT lives_ok($$INSERT INTO al_tap_cm_ret
    SELECT c.*, NULL, NULL, 'secret' FROM activity_log.create_comment('al_tap_cm_secret', 1, 'Classified') c$$,
    'a comment on the secret table');
INSERT INTO al_tap_cm_secret VALUES (2);

CREATE TABLE al_tap_cm_all AS SELECT * FROM activity_log.activity;
GRANT SELECT ON al_tap_cm_all TO PUBLIC;
-- what a role should see: the collections of the tables it may SELECT, but
-- not those with row security (none of these roles owns or bypasses it)
CREATE FUNCTION al_tap_cm_visible_ids(r name) RETURNS bigint[] LANGUAGE sql AS $$
SELECT COALESCE(array_agg(a.id ORDER BY a.id), '{}')
  FROM al_tap_cm_all a JOIN activity_log.tracking t ON t.collection = a.collection
 WHERE has_table_privilege(r, t.relid, 'SELECT')
   AND NOT (SELECT c.relrowsecurity FROM pg_class c WHERE c.oid = t.relid)
$$;
SELECT ok(cardinality(al_tap_cm_visible_ids('al_tap_cm_author')) > 5
          AND cardinality(al_tap_cm_visible_ids('al_tap_cm_author')) < (SELECT count(*) FROM al_tap_cm_all),
    '(the author may see some, not all, of the activity)');
SELECT is(al_tap_cm_visible_ids('al_tap_cm_stranger'), '{}'::bigint[], '(the stranger may see none)');
CREATE TEMP TABLE al_tap_cm_expect AS
    SELECT al_tap_cm_visible_ids('al_tap_cm_author') AS author,
           (SELECT count(*) FROM al_tap_cm_all) AS total,
           (SELECT array_agg(id ORDER BY id) FROM al_tap_cm_all) AS everything;
GRANT SELECT ON al_tap_cm_expect TO PUBLIC;

SET LOCAL ROLE al_tap_cm_author;
SELECT is((SELECT array_agg(id ORDER BY id) FROM activity_log.list_activity('{"limit": -1}')),
    (SELECT author FROM al_tap_cm_expect),
    'list_activity(): the author sees the activity of articles and the odd table only (row security applies to it on cm_pages)');
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"limit": -1}') WHERE collection IN ('al_tap_cm_secret', 'directus_users')),
    0::bigint, 'the author sees nothing of the secret table, nor events of untracked collections');
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "al_tap_cm_secret"}}}')),
    0::bigint, 'a filter does not reach hidden rows');
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"search": "Classified"}')),
    0::bigint, 'a search does not reach hidden rows');
SELECT is(activity_log.activity_json('{"meta": "*", "fields": "id", "limit": -1}'),
    jsonb_build_object('data', (SELECT jsonb_agg(jsonb_build_object('id', x) ORDER BY x) FROM unnest((SELECT author FROM al_tap_cm_expect)) x),
                       'meta', jsonb_build_object('total_count', cardinality((SELECT author FROM al_tap_cm_expect)),
                                                  'filter_count', cardinality((SELECT author FROM al_tap_cm_expect)))),
    'activity_json(): the author''s data and counts cover only what it may see');
SELECT results_eq($$SELECT * FROM activity_log.get_activity(al_tap_cm_id('viewed'))$$,
    $$SELECT * FROM al_tap_cm_all WHERE id = al_tap_cm_id('viewed')$$,
    'get_activity() of a visible row');
SELECT throws_ok($$SELECT activity_log.get_activity(al_tap_cm_id('secret'))$$,
    'P0002', 'activity ' || al_tap_cm_id('secret') || ' does not exist', 'get_activity() of a hidden row: P0002');
SELECT throws_ok($$SELECT activity_log.get_activity(al_tap_cm_id('login'))$$,
    'P0002', 'activity ' || al_tap_cm_id('login') || ' does not exist', 'get_activity() of an event of an untracked collection: P0002');
SELECT is(activity_log.activity_json(al_tap_cm_id('viewed')) -> 'data' ->> 'action', 'viewed',
    'activity_json(id) of a visible row');
SELECT throws_ok($$SELECT activity_log.activity_json(al_tap_cm_id('secret'))$$,
    'P0002', 'activity ' || al_tap_cm_id('secret') || ' does not exist', 'activity_json(id) of a hidden row: P0002');
SELECT is((SELECT count(*) FROM activity_log.activity),
    (SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')),
    'the log table itself shows the author what list_activity shows');

SET LOCAL ROLE al_tap_cm_stranger;
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')), 0::bigint,
    'list_activity(): the stranger sees nothing');
SELECT is(activity_log.activity_json('{"meta": "*"}'),
    '{"data": [], "meta": {"total_count": 0, "filter_count": 0}}'::jsonb,
    'activity_json(): the stranger gets no data and zero counts');
SELECT throws_ok($$SELECT activity_log.get_activity(al_tap_cm_id('alice'))$$,
    'P0002', 'activity ' || al_tap_cm_id('alice') || ' does not exist', 'get_activity(): the stranger sees nothing');
SELECT throws_ok($$SELECT activity_log.activity_json(al_tap_cm_id('alice'))$$,
    'P0002', 'activity ' || al_tap_cm_id('alice') || ' does not exist', 'activity_json(id): the stranger sees nothing');
RESET ROLE;

-- a grant shows the collection, a revoke hides it again
GRANT SELECT ON al_tap_cm_secret TO al_tap_cm_stranger;
SET LOCAL ROLE al_tap_cm_stranger;
SELECT is((SELECT array_agg(DISTINCT collection) FROM activity_log.list_activity('{"limit": -1}')),
    ARRAY['al_tap_cm_secret'], 'after GRANT SELECT the stranger sees the secret table''s activity');
SELECT is((SELECT id FROM activity_log.get_activity(al_tap_cm_id('secret'))), al_tap_cm_id('secret'),
    'and get_activity() returns it');
RESET ROLE;
REVOKE SELECT ON al_tap_cm_secret FROM al_tap_cm_stranger;
SET LOCAL ROLE al_tap_cm_stranger;
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')), 0::bigint,
    'after REVOKE the stranger sees nothing again');
RESET ROLE;

SET LOCAL ROLE al_tap_cm_mod;
SELECT is((SELECT array_agg(id ORDER BY id) FROM activity_log.list_activity('{"limit": -1}')),
    (SELECT everything FROM al_tap_cm_expect), 'a member of activity_log_admin sees everything');
SELECT is((activity_log.activity_json('{"meta": "total_count", "limit": 0}') -> 'meta' ->> 'total_count')::bigint,
    (SELECT total FROM al_tap_cm_expect), 'and counts everything');
SELECT is((SELECT id FROM activity_log.get_activity(al_tap_cm_id('secret'))), al_tap_cm_id('secret'),
    'and may get any row');
RESET ROLE;
SELECT is((SELECT array_agg(id ORDER BY id) FROM activity_log.list_activity('{"limit": -1}')),
    (SELECT everything FROM al_tap_cm_expect), 'the superuser sees everything');

SELECT * FROM finish();
ROLLBACK;
