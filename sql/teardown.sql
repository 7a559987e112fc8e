-- DROP EXTENSION needs CASCADE while tables are tracked: it removes their
-- capture triggers along with the log itself.
DROP EXTENSION activity_log;
DROP EXTENSION activity_log CASCADE;
SELECT count(*) AS capture_triggers FROM pg_trigger WHERE tgname LIKE 'Activity_log%';
-- CREATE EXTENSION made the schema; it stays, empty, until dropped
SELECT count(*) AS objects_left FROM pg_class WHERE relnamespace = 'activity_log'::regnamespace;
DROP SCHEMA activity_log;
INSERT INTO articles (title) VALUES ('after drop');
SELECT count(*) AS articles FROM articles;
