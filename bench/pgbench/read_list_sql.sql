-- hand-written equivalent of the list_activity query
\set c random(1, 5)
SELECT * FROM activity_log.activity
WHERE collection = 'coll_:c' AND action = 'update'
  AND "timestamp" >= ':lo' AND "timestamp" <= ':hi'
ORDER BY "timestamp" DESC, id DESC
LIMIT 100;
