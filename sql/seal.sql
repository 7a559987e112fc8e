-- Tamper evidence: seal() chains the log, verify() finds what changed
-- behind the extension's back.  (The superuser below plays the attacker:
-- only a superuser can write the log tables directly.)
CREATE TABLE sealed (id int PRIMARY KEY, t text);
SELECT activity_log.track('sealed');
INSERT INTO sealed SELECT g, 't' || g FROM generate_series(1, 20) g;
UPDATE sealed SET t = t || '!' WHERE id <= 5;
SELECT id AS first FROM activity_log.activity WHERE collection = 'sealed' ORDER BY id LIMIT 1 \gset
SELECT id AS comment FROM activity_log.create_comment('sealed', '1', 'hi') \gset

SELECT activity_log.seal() > 0 AS sealed_some;
SELECT activity_log.seal() AS nothing_new;
SELECT * FROM activity_log.verify();

-- an edited activity, an edited revision, a deleted row, a row slipped in
BEGIN;
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id = :first + 3;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
UPDATE activity_log.revision_store SET data = '{"id": 2, "t": "forged"}' WHERE activity = :first + 1;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
DELETE FROM activity_log.activity WHERE id = :first + 7;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
DELETE FROM activity_log.seals WHERE activity = :first + 7;
DELETE FROM activity_log.activity WHERE id = :first + 7;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
-- an id handed out to a transaction that rolled back, then used behind our back
BEGIN;
INSERT INTO sealed VALUES (100, 'rolled back');
SELECT max(id) AS gap FROM activity_log.activity \gset
ROLLBACK;
INSERT INTO sealed VALUES (101, 'kept');
SELECT activity_log.seal();
BEGIN;
INSERT INTO activity_log.activity (id, action, collection, item, db_user, transaction)
	VALUES (:gap, 'create', 'sealed', '100', 'x', '1');
SELECT activity = :gap AS in_the_gap, problem FROM activity_log.verify();
ROLLBACK;
SELECT * FROM activity_log.verify();

-- the extension's own changes keep the chain valid
SELECT comment FROM activity_log.update_comment(:comment, 'edited');
SELECT * FROM activity_log.verify();
SELECT activity_log.delete_comment(:comment);
SELECT * FROM activity_log.verify();
SELECT activity_log.prune_revisions(1) > 0 AS pruned;
SELECT * FROM activity_log.verify();

-- ... and refuse to work on a chain that does not verify
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id = :first + 3;
SELECT activity_log.prune_revisions(1);
UPDATE activity_log.activity SET "user" = 'postgres' WHERE id = :first + 3;
SELECT * FROM activity_log.verify();

-- only admins seal and verify
CREATE ROLE al_regress_auditor;
SET ROLE al_regress_auditor;
SELECT activity_log.seal();
SELECT * FROM activity_log.verify();
RESET ROLE;
GRANT activity_log_admin TO al_regress_auditor;
SET ROLE al_regress_auditor;
SELECT activity_log.seal() >= 0 AS admin_seals;
SELECT count(*) AS problems FROM activity_log.verify();
RESET ROLE;
DROP ROLE al_regress_auditor;
