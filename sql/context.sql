-- Who, where, how
TRUNCATE activity_log.activity CASCADE;

-- defaults: session role, no address over a Unix socket, application_name
SET application_name = 'regress-app';
INSERT INTO pages VALUES ('ctx-1', 'a');
SELECT "user", ip, user_agent, origin, db_user = current_user AS db_user_ok
FROM activity_log.activity ORDER BY id DESC LIMIT 1;

-- an empty application_name gives NULL
SET application_name = '';
INSERT INTO pages VALUES ('ctx-2', 'a');
SELECT "user", user_agent IS NULL AS no_agent FROM activity_log.activity ORDER BY id DESC LIMIT 1;
RESET application_name;

-- set_context() is transaction-local
BEGIN;
SELECT activity_log.set_context('alice', '139.178.128.0', 'Mozilla/5.0', 'admin-app');
INSERT INTO pages VALUES ('ctx-3', 'a');
SELECT current_setting('activity_log.user') AS in_transaction;
COMMIT;
SELECT "user", ip, user_agent, origin FROM activity_log.activity ORDER BY id DESC LIMIT 1;
SELECT current_setting('activity_log.user') = '' AS cleared_after_commit;

-- SET LOCAL works the same ("user" is a keyword, so it is quoted); IPv6 too
BEGIN;
SET LOCAL activity_log."user" = 'bob';
SET LOCAL activity_log.ip = '2001:db8::1';
UPDATE pages SET body = 'b' WHERE slug = 'ctx-1';
COMMIT;
SELECT "user", ip, user_agent, origin FROM activity_log.activity ORDER BY id DESC LIMIT 1;

-- set_config() too
BEGIN;
SELECT set_config('activity_log.user', 'dave', true) AS set;
UPDATE pages SET body = 'bb' WHERE slug = 'ctx-1';
COMMIT;
SELECT "user" FROM activity_log.activity ORDER BY id DESC LIMIT 1;

-- NULLs clear; the user defaults again
BEGIN;
SELECT activity_log.set_context('carol', NULL, NULL, 'cron');
UPDATE pages SET body = 'c' WHERE slug = 'ctx-1';
SELECT activity_log.set_context(NULL);
UPDATE pages SET body = 'd' WHERE slug = 'ctx-1';
COMMIT;
SELECT "user", ip, origin FROM activity_log.activity ORDER BY id DESC LIMIT 2;

-- db_user is the role that ran the statement, whatever the context says
CREATE ROLE al_regress_editor;
GRANT SELECT, INSERT, UPDATE, DELETE ON pages TO al_regress_editor;
BEGIN;
SET LOCAL ROLE al_regress_editor;
SELECT activity_log.set_context('postgres');
UPDATE pages SET body = 'e' WHERE slug = 'ctx-1';
COMMIT;
SELECT "user", db_user FROM activity_log.activity ORDER BY id DESC LIMIT 1;
REVOKE ALL ON pages FROM al_regress_editor;
DROP ROLE al_regress_editor;

-- activity_log.require_context: a change without a context user fails
SET activity_log.require_context = on;
INSERT INTO pages VALUES ('ctx-9', 'no context');
BEGIN;
SELECT activity_log.set_context('erin');
INSERT INTO pages VALUES ('ctx-9', 'with context');
COMMIT;
SELECT "user" FROM activity_log.activity ORDER BY id DESC LIMIT 1;
RESET activity_log.require_context;
-- only a superuser may turn it off
CREATE ROLE al_regress_app;
ALTER DATABASE contrib_regression SET activity_log.require_context = on;
SET ROLE al_regress_app;
SET activity_log.require_context = off;
RESET ROLE;
ALTER DATABASE contrib_regression RESET activity_log.require_context;
DROP ROLE al_regress_app;

-- a bad address is an error when it is set
SET activity_log.ip = 'not-an-ip';
SET activity_log.ip = '300.1.1.1';
SELECT activity_log.set_context('x', 'nope');
SHOW activity_log.ip;
