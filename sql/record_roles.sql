-- db_user is the role that made the change: the role current when the
-- change was made, under SET ROLE and inside a SECURITY DEFINER function
-- (PostgreSQL 18 runs AFTER triggers as the role current when their event
-- was queued; the capture records that role on every major).
CREATE ROLE rol_writer;
CREATE ROLE rol_definer;
CREATE TABLE rol_t (id int PRIMARY KEY, v text);
GRANT SELECT, INSERT, UPDATE ON rol_t TO rol_writer, rol_definer;
SELECT activity_log.track('rol_t');
CREATE FUNCTION rol_write(i int) RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ INSERT INTO public.rol_t VALUES (i, 'by the definer') $$;
ALTER FUNCTION rol_write(int) OWNER TO rol_definer;
GRANT EXECUTE ON FUNCTION rol_write(int) TO rol_writer;

SET ROLE rol_writer;
INSERT INTO rol_t VALUES (1, 'direct');
SELECT rol_write(2);
UPDATE rol_t SET v = 'updated by the writer' WHERE id = 2;
RESET ROLE;
BEGIN;
SET LOCAL ROLE rol_writer;
INSERT INTO rol_t VALUES (3, 'in a transaction');
RESET ROLE;
INSERT INTO rol_t VALUES (4, 'then as the session role');
COMMIT;
SELECT action, item, db_user FROM activity_log.activity
WHERE collection = 'rol_t' ORDER BY id;

SELECT activity_log.untrack('rol_t');
DROP FUNCTION rol_write(int);
DROP TABLE rol_t;
DROP ROLE rol_writer;
DROP ROLE rol_definer;
