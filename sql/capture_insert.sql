-- INSERT -> "create": data = the whole new row (defaults included), delta = data
INSERT INTO articles (title, body, price, tags, meta, score)
VALUES ('Hello', 'Hello brave new world', 9.99, '{news,tech}', '{"a": [1, 2]}', 1.5);

SELECT action, collection, item, comment FROM activity_log.activity ORDER BY id;
SELECT activity, collection, item, data, delta, parent FROM activity_log.revisions ORDER BY id;

-- data equals to_jsonb() of the stored row, and delta equals data
SELECT r.data = to_jsonb(a) AS data_is_row, r.delta = r.data AS delta_is_data
FROM articles a JOIN activity_log.revisions r ON r.item = a.id::text;

-- one activity per row of a multi-row statement, each with its own revision
INSERT INTO articles (title) SELECT 'bulk ' || g FROM generate_series(1, 3) g;
SELECT id, action, item, data->>'title' AS title, data->'status' AS status
FROM log WHERE item::int > 1 ORDER BY id;

-- the same transaction id for the rows of one transaction
BEGIN;
INSERT INTO articles (title) VALUES ('tx a'), ('tx b');
SELECT count(DISTINCT transaction) = 1 AS one_transaction,
	   bool_and(transaction = pg_current_xact_id()) AS this_transaction
FROM activity_log.activity WHERE item IN ('5', '6');
COMMIT;

-- special values: NaN, infinities, nulls
INSERT INTO articles (title, score, price) VALUES ('specials', 'NaN', 'NaN');
INSERT INTO articles (title, score) VALUES ('inf', '-Infinity');
SELECT item, data->'score' AS score, data->'price' AS price, data->'body' AS body
FROM log WHERE action = 'create' AND item::int >= 7 ORDER BY id;
SELECT bool_and(r.data = to_jsonb(a)) AS all_rows_match
FROM articles a JOIN activity_log.revisions r ON r.item = a.id::text;

-- COPY is captured like INSERT
COPY articles (title, body) FROM stdin;
copied	one two
\.
SELECT action, item, data->>'title' AS title, data->'words' AS words
FROM log ORDER BY id DESC LIMIT 1;

-- a rolled back transaction and a rolled back savepoint leave nothing
SELECT count(*) AS before FROM activity_log.activity;
BEGIN;
INSERT INTO articles (title) VALUES ('rolled back');
ROLLBACK;
BEGIN;
INSERT INTO articles (title) VALUES ('kept');
SAVEPOINT s;
INSERT INTO articles (title) VALUES ('undone');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT count(*) AS after, max(item::int) FILTER (WHERE action = 'create') AS last_item
FROM activity_log.activity;
SELECT data->>'title' AS title FROM log ORDER BY id DESC LIMIT 1;
