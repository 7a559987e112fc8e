-- single-row UPDATE that writes its own log rows (system e, the floor); the
-- statement always changes status and qty, so delta is exactly those two
\set id random(1, :n)
WITH u AS (
    UPDATE items SET status = CASE status WHEN 'draft' THEN 'review' WHEN 'review' THEN 'published' WHEN 'published' THEN 'archived' ELSE 'draft' END, qty = qty + 1 WHERE id = :id
    RETURNING *),
a AS (
    INSERT INTO bench.activity (action, "user", ip, user_agent, collection, item, db_user, transaction)
    SELECT 'update', coalesce(nullif(current_setting('activity_log.user', true), ''), session_user), inet_client_addr(), nullif(current_setting('application_name'), ''), 'items', u.id::text, current_user, pg_current_xact_id() FROM u
    RETURNING id)
INSERT INTO bench.revisions (activity, collection, item, data, delta)
SELECT a.id, 'items', u.id::text, to_jsonb(u), jsonb_build_object('status', u.status, 'qty', u.qty) FROM a, u;
