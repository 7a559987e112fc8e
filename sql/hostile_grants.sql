-- Mistaken grants cannot break capture: a GRANT of anything but SELECT on
-- the extension's tables, views and sequence (or of anything but USAGE on
-- its schema, or default privileges beyond those in its schema) is refused,
-- whoever runs it.  SELECT stays grantable: reads are filtered by row
-- security whatever is granted.  (Issue 11, hole 6.)
--
-- Every object here is named hg_*; no activity id is printed.
CREATE ROLE hg_mistaken;
CREATE TABLE hg_t (id int PRIMARY KEY, v text);
SELECT activity_log.track('hg_t');
GRANT SELECT, INSERT, UPDATE ON hg_t TO hg_mistaken;

SELECT g AS grant_statement, try_sql(g) AS result FROM unnest(ARRAY[
	'GRANT UPDATE ON SEQUENCE activity_log.activity_id_seq TO hg_mistaken',
	'GRANT USAGE ON SEQUENCE activity_log.activity_id_seq TO hg_mistaken',
	'GRANT ALL ON SEQUENCE activity_log.activity_id_seq TO hg_mistaken',
	'GRANT REFERENCES ON activity_log.activity TO hg_mistaken',
	'GRANT REFERENCES (id) ON activity_log.activity TO hg_mistaken',
	'GRANT UPDATE (comment) ON activity_log.activity TO hg_mistaken',
	'GRANT INSERT ON activity_log.revision_store TO hg_mistaken',
	'GRANT DELETE ON activity_log.seals TO hg_mistaken',
	'GRANT TRUNCATE ON activity_log.tracking TO hg_mistaken',
	'GRANT TRIGGER ON activity_log.activity TO hg_mistaken',
	'GRANT ALL ON activity_log.revisions TO hg_mistaken',
	'GRANT ALL ON ALL TABLES IN SCHEMA activity_log TO hg_mistaken',
	'GRANT ALL ON ALL SEQUENCES IN SCHEMA activity_log TO hg_mistaken',
	'GRANT CREATE ON SCHEMA activity_log TO hg_mistaken',
	'ALTER DEFAULT PRIVILEGES IN SCHEMA activity_log GRANT INSERT ON TABLES TO hg_mistaken',
	-- what stays allowed
	'GRANT SELECT ON activity_log.revision_store TO hg_mistaken',
	'GRANT SELECT ON ALL TABLES IN SCHEMA activity_log TO hg_mistaken',
	'GRANT SELECT ON SEQUENCE activity_log.activity_id_seq TO hg_mistaken',
	'GRANT USAGE ON SCHEMA activity_log TO hg_mistaken',
	'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA activity_log TO hg_mistaken',
	'GRANT INSERT ON hg_t TO hg_mistaken',
	'REVOKE ALL ON ALL TABLES IN SCHEMA activity_log FROM hg_mistaken'
]) AS g;
-- nothing beyond SELECT was granted
SELECT c.relname, a.privilege_type
FROM pg_class c, aclexplode(c.relacl) a
WHERE c.relnamespace = 'activity_log'::regnamespace
  AND a.grantee = 'hg_mistaken'::regrole
ORDER BY 1, 2;

-- what the refused grants would have done: with UPDATE on the sequence a
-- role resets it, and every tracked write after fails (shown with the
-- check switched off by a superuser, and rolled back)
SELECT min(a.id) AS hg_taken FROM activity_log.activity a
WHERE EXISTS (SELECT FROM activity_log.activity b WHERE b.id = a.id + 1) \gset
BEGIN;
ALTER EVENT TRIGGER activity_log_ddl DISABLE;
GRANT UPDATE ON SEQUENCE activity_log.activity_id_seq TO hg_mistaken;
SET LOCAL ROLE hg_mistaken;
SELECT setval('activity_log.activity_id_seq', :hg_taken) IS NOT NULL AS reset;
SELECT try_sql($$INSERT INTO hg_t VALUES (1, 'a')$$) AS tracked_write_after_setval;
ROLLBACK;
-- (a sequence does not roll back: the superuser repairs it)
SELECT setval('activity_log.activity_id_seq', (SELECT max(id) FROM activity_log.activity)) > 0 AS repaired;

-- with the check in place, the role's writes are captured
SET ROLE hg_mistaken;
INSERT INTO hg_t VALUES (1, 'a');
RESET ROLE;
SELECT action, item FROM activity_log.activity WHERE collection = 'hg_t' ORDER BY id;

REVOKE ALL ON SCHEMA activity_log FROM hg_mistaken;
REVOKE ALL ON ALL TABLES IN SCHEMA activity_log FROM hg_mistaken;
REVOKE ALL ON SEQUENCE activity_log.activity_id_seq FROM hg_mistaken;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA activity_log FROM hg_mistaken;
DROP TABLE hg_t;
DROP ROLE hg_mistaken;
