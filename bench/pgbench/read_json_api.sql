-- activity_json: the same query, as the REST body, with meta filter_count
\set c random(1, 5)
SELECT activity_log.activity_json('{"filter": {"collection": {"_eq": "coll_:c"}, "action": {"_eq": "update"}, "timestamp": {"_gte": ":lo", "_lte": ":hi"}}, "sort": ["-timestamp"], "limit": 100, "meta": "filter_count"}'::jsonb);
