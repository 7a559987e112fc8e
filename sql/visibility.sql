-- A caller who is not an admin sees only activity of collections whose
-- table it may SELECT, in every function.
CREATE ROLE al_regress_reader;
CREATE ROLE al_regress_stranger;
CREATE ROLE al_regress_admin2 IN ROLE activity_log_admin;
GRANT SELECT ON articles TO al_regress_reader;

SET ROLE al_regress_reader;
SELECT ids('{}') AS reader_sees;
SELECT activity_log.activity_json('{"meta": "*", "fields": "id"}') AS reader_json;
SELECT id FROM activity_log.get_activity(4);
SELECT activity_log.get_activity(8);
SELECT activity_log.activity_json(8);
SELECT ids('{"filter": {"collection": {"_eq": "cms_pages"}}}') AS hidden_by_filter;
SELECT ids('{"search": "World"}') AS hidden_by_search;
SELECT count(*) FROM activity_log.activity;
RESET ROLE;

SET ROLE al_regress_stranger;
SELECT ids('{}') AS stranger_sees;
SELECT activity_log.activity_json('{"meta": "*"}') AS stranger_json;
SELECT activity_log.get_activity(1);
RESET ROLE;

SET ROLE al_regress_admin2;
SELECT ids('{}') AS admin_sees;
RESET ROLE;

-- a grant shows the collection, a revoke hides it again
GRANT SELECT ON pages TO al_regress_stranger;
SET ROLE al_regress_stranger;
SELECT ids('{}') AS after_grant;
RESET ROLE;
REVOKE SELECT ON pages FROM al_regress_stranger;
SET ROLE al_regress_stranger;
SELECT ids('{}') AS after_revoke;
RESET ROLE;
