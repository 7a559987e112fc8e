-- hand-written equivalent of item_history
\set c random(1, 5)
\set k random(1, :hot)
SELECT r.id AS revision, r.activity, a.action, a."user", a."timestamp", a.comment,
       r.item, r.previous_item, r.data, r.delta, r.parent
FROM activity_log.revisions r
JOIN activity_log.activity a ON a.id = r.activity
WHERE r.collection = 'coll_' || :c AND r.item = (:k * 50)::text
ORDER BY r.id;
