-- single-row INSERT that writes its own log rows (system e, the floor)
\set r random(1, 1000000)
\set q random(0, 499)
\set p random(100, 99999)
WITH i AS (
    INSERT INTO items (title, body, status, price, qty, tags, updated_at, meta)
    VALUES ('Item ' || :r, 'benefit argument bottle charity advice amount carbon answer blanket category advice candle audience address animal bridge branch amount balance animal carpet bridge advice castle apple author chapter chapter category advice castle category', 'draft', :p / 100.0, :q, ARRAY['tomato', 'river', 'kitchen'], now(),
            '{"color": "yellow", "weight": 4.2, "featured": false, "dims": [3, 4, 5]}')
    RETURNING *),
a AS (
    INSERT INTO bench.activity (action, "user", ip, user_agent, collection, item, db_user, transaction)
    SELECT 'create', coalesce(nullif(current_setting('activity_log.user', true), ''), session_user), inet_client_addr(), nullif(current_setting('application_name'), ''), 'items', i.id::text, current_user, pg_current_xact_id() FROM i
    RETURNING id)
INSERT INTO bench.revisions (activity, collection, item, data, delta)
SELECT a.id, 'items', i.id::text, to_jsonb(i), to_jsonb(i) FROM a, i;
