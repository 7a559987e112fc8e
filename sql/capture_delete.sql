-- DELETE -> "delete": data = the row as it was, delta NULL
TRUNCATE activity_log.activity CASCADE;

CREATE TEMP TABLE deleted AS SELECT to_jsonb(a) AS image FROM articles a WHERE id = 4;
DELETE FROM articles WHERE id = 4;
SELECT action, item, delta IS NULL AS no_delta FROM log;
SELECT data = (SELECT image FROM deleted) AS data_is_old_row FROM log;

-- several rows
DELETE FROM articles WHERE id IN (5, 6);
SELECT action, item, data->>'title' AS title FROM log ORDER BY id;

-- deleting nothing logs nothing
DELETE FROM articles WHERE id = -1;
SELECT count(*) FROM activity_log.activity;
