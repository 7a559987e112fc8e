-- hand-written equivalent of the activity_json query: Directus's default
-- fields, each activity's revision ids, and the filter count
\set c random(1, 5)
SELECT jsonb_build_object(
    'data', (SELECT coalesce(jsonb_agg(jsonb_build_object(
                     'id', a.id, 'action', a.action, 'user', a."user",
                     'timestamp', a."timestamp", 'ip', a.ip, 'user_agent', a.user_agent,
                     'collection', a.collection, 'item', a.item, 'comment', a.comment,
                     'revisions', (SELECT jsonb_agg(r.id ORDER BY r.id)
                                   FROM activity_log.revisions r WHERE r.activity = a.id))
                   ORDER BY a."timestamp" DESC, a.id DESC), '[]')
             FROM (SELECT * FROM activity_log.activity
                   WHERE collection = 'coll_:c' AND action = 'update'
                     AND "timestamp" >= ':lo' AND "timestamp" <= ':hi'
                   ORDER BY "timestamp" DESC, id DESC
                   LIMIT 100) a),
    'meta', jsonb_build_object('filter_count',
            (SELECT count(*) FROM activity_log.activity
             WHERE collection = 'coll_:c' AND action = 'update'
               AND "timestamp" >= ':lo' AND "timestamp" <= ':hi')));
