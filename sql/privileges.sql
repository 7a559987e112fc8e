-- Writing the log needs no privilege on it, and gives none
TRUNCATE activity_log.activity CASCADE;

CREATE ROLE al_regress_owner;
CREATE ROLE al_regress_other;
CREATE ROLE al_regress_admin IN ROLE activity_log_admin;
GRANT CREATE ON SCHEMA public TO al_regress_owner;

SET ROLE al_regress_owner;
CREATE TABLE owned (id int PRIMARY KEY, v text);
SELECT activity_log.track('owned');
INSERT INTO owned VALUES (1, 'a');
UPDATE owned SET v = 'b';
DELETE FROM owned;
-- the owner of a tracked table cannot touch the log
INSERT INTO activity_log.activity (action, collection, db_user, transaction)
	VALUES ('create', 'owned', 'x', '1');
UPDATE activity_log.activity SET comment = 'x';
DELETE FROM activity_log.revisions;
TRUNCATE activity_log.activity;
SELECT nextval('activity_log.activity_id_seq');
INSERT INTO activity_log.tracking VALUES ('owned', 'fake', 'all', '{}');
RESET ROLE;

SELECT action, item, db_user FROM activity_log.activity ORDER BY id;

-- the owner reads the log of its own table, as list_activity shows it
SET ROLE al_regress_owner;
SELECT count(*) AS own_rows, count(*) = (SELECT count(*) FROM activity_log.list_activity()) AS same_as_api
FROM activity_log.activity;
RESET ROLE;

-- a grant of write privileges on the log is refused (see hostile_grants)
\set VERBOSITY terse
GRANT INSERT ON activity_log.activity TO al_regress_other;
\set VERBOSITY default
-- and privileges a superuser forces past that check do not open the log:
-- it is append-only
ALTER EVENT TRIGGER activity_log_ddl DISABLE;
GRANT INSERT, UPDATE, DELETE, TRUNCATE ON activity_log.activity, activity_log.revision_store,
	activity_log.tracking TO al_regress_other;
GRANT USAGE ON SEQUENCE activity_log.activity_id_seq TO al_regress_other;
ALTER EVENT TRIGGER activity_log_ddl ENABLE;
SET ROLE al_regress_other;
\set VERBOSITY default
INSERT INTO activity_log.activity (action, collection, db_user, transaction)
	VALUES ('create', 'owned', 'x', '1');
\set VERBOSITY terse
UPDATE activity_log.activity SET comment = 'x';
DELETE FROM activity_log.activity;
TRUNCATE activity_log.activity CASCADE;
INSERT INTO activity_log.revision_store (activity, op) VALUES (1, 'i');
DELETE FROM activity_log.revision_store;
INSERT INTO activity_log.tracking VALUES ('owned', 'fake', 'all', '{}');
DELETE FROM activity_log.tracking;
RESET ROLE;
REVOKE ALL ON activity_log.activity, activity_log.revision_store, activity_log.tracking
	FROM al_regress_other;
REVOKE ALL ON SEQUENCE activity_log.activity_id_seq FROM al_regress_other;
SELECT count(*) AS unchanged FROM activity_log.activity;
\set VERBOSITY default

-- another role may not change tracking of a table it does not own
SET ROLE al_regress_other;
SELECT activity_log.untrack('owned');
SELECT activity_log.track('owned', mode => 'activity');
RESET ROLE;

-- a member of activity_log_admin may
SET ROLE al_regress_admin;
SELECT activity_log.track('owned', mode => 'activity');
SELECT count(*) AS admin_reads_log FROM activity_log.activity;
SELECT activity_log.untrack('owned');
RESET ROLE;

SET ROLE al_regress_owner;
DROP TABLE owned;
RESET ROLE;
REVOKE CREATE ON SCHEMA public FROM al_regress_owner;
DROP ROLE al_regress_owner;
DROP ROLE al_regress_other;
DROP ROLE al_regress_admin;
