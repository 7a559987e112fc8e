-- UPDATE -> "update": data = the whole new row, delta = only what changed
TRUNCATE activity_log.activity CASCADE;

UPDATE articles SET title = 'Hello again', price = 10.00 WHERE id = 1;
SELECT action, item, delta FROM log ORDER BY id;
SELECT r.data = to_jsonb(a) AS data_is_new_row
FROM articles a JOIN log r ON r.item = a.id::text WHERE a.id = 1;

-- a generated column that changes is part of the delta
UPDATE articles SET body = 'just two' WHERE id = 1;
SELECT delta FROM log ORDER BY id DESC LIMIT 1;

-- an update that changes nothing records nothing
SELECT count(*) AS before FROM activity_log.activity;
UPDATE articles SET title = title, price = price WHERE id = 1;
UPDATE articles SET body = 'just two' WHERE id = 1;
SELECT count(*) AS after FROM activity_log.activity;

-- null transitions count as changes
UPDATE articles SET body = NULL WHERE id = 1;
UPDATE articles SET body = 'back' WHERE id = 1;
SELECT delta FROM log ORDER BY id DESC LIMIT 2;

-- a float change
UPDATE articles SET score = 2 WHERE id = 1;
SELECT delta FROM log ORDER BY id DESC LIMIT 1;

-- jsonb, arrays and NaN compared correctly
UPDATE articles SET meta = '{"a": [1, 2]}' WHERE id = 1;   -- same value
UPDATE articles SET meta = '{"a": [1, 3]}', tags = '{news}' WHERE id = 1;
UPDATE articles SET score = 'NaN' WHERE id = 7;              -- NaN -> NaN
SELECT item, delta FROM log ORDER BY id DESC LIMIT 1;

-- multi-row update: one activity per changed row only
UPDATE articles SET status = 'published' WHERE id IN (2, 3, 4);
UPDATE articles SET status = 'published' WHERE id IN (2, 3, 4, 5);
SELECT item, delta FROM log WHERE delta ? 'status' ORDER BY id;

-- a TOASTed value that is not updated is not in the delta
UPDATE articles SET body = repeat('lorem ipsum dolor ', 200000) WHERE id = 2;
SELECT length(data->>'body') AS stored_body_length, delta ? 'body' AS body_in_delta
FROM log ORDER BY id DESC LIMIT 1;
UPDATE articles SET title = 'long body' WHERE id = 2;
SELECT length(data->>'body') AS stored_body_length, delta
FROM log ORDER BY id DESC LIMIT 1;

-- a primary key update is logged under the new key
UPDATE articles SET id = 100 WHERE id = 3;
SELECT action, item, delta FROM log ORDER BY id DESC LIMIT 1;

-- all logged images match the rows
SELECT bool_and(r.data = to_jsonb(a)) AS latest_images_match
FROM articles a
JOIN LATERAL (SELECT data FROM log WHERE item = a.id::text ORDER BY id DESC LIMIT 1) r ON true;
