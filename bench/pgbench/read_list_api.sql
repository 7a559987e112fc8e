-- list_activity: collection + action + timestamp range, newest first, 100 rows;
-- pgbench -D lo=<timestamp> -D hi=<timestamp>
\set c random(1, 5)
SELECT * FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "coll_:c"}, "action": {"_eq": "update"}, "timestamp": {"_gte": ":lo", "_lte": ":hi"}}, "sort": ["-timestamp"], "limit": 100}'::jsonb);
