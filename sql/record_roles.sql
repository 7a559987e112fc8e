-- db_user is the role that made the change: the role current when the
-- change was made, under SET ROLE and inside a SECURITY DEFINER function
-- (PostgreSQL 18 runs AFTER triggers as the role current when their event
-- was queued; the capture records that role on every major).
CREATE ROLE rr_writer;
CREATE ROLE rr_definer;
CREATE TABLE rr_t (id int PRIMARY KEY, v text);
GRANT SELECT, INSERT, UPDATE ON rr_t TO rr_writer, rr_definer;
SELECT activity_log.track('rr_t');
CREATE FUNCTION rr_write(i int) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO public.rr_t VALUES (i, 'by the definer') $$;
ALTER FUNCTION rr_write(int) OWNER TO rr_definer;
GRANT EXECUTE ON FUNCTION rr_write(int) TO rr_writer;

SET ROLE rr_writer;
INSERT INTO rr_t VALUES (1, 'direct');
SELECT rr_write(2);
UPDATE rr_t SET v = 'updated by the writer' WHERE id = 2;
RESET ROLE;
BEGIN;
SET LOCAL ROLE rr_writer;
INSERT INTO rr_t VALUES (3, 'in a transaction');
RESET ROLE;
INSERT INTO rr_t VALUES (4, 'then as the session role');
COMMIT;
SELECT action, item, db_user FROM activity_log.activity
WHERE collection = 'rr_t' ORDER BY id;

SELECT activity_log.untrack('rr_t');
DROP FUNCTION rr_write(int);
DROP TABLE rr_t;
DROP ROLE rr_writer;
DROP ROLE rr_definer;
