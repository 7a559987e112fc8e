-- get_activity, list_activity, activity_json: the Directus query language
-- Fixed rows, written directly by the superuser so that every value is known.
TRUNCATE activity_log.activity CASCADE;
ALTER SEQUENCE activity_log.activity_id_seq RESTART;
INSERT INTO activity_log.activity
	(id, action, "user", "timestamp", ip, user_agent, origin, collection, item, comment, db_user, transaction)
VALUES
 (1, 'create', 'alice', '2021-01-01 10:00+00', '10.0.0.1', 'Mozilla/5.0 (Mac)', 'cms', 'articles', '1', NULL, 'app', '100'),
 (2, 'update', 'alice', '2021-01-02 10:00+00', '10.0.0.1', 'Mozilla/5.0 (Mac)', 'cms', 'articles', '1', NULL, 'app', '101'),
 (3, 'create', 'bob', '2021-01-03 10:00+00', '192.168.1.5', 'curl/7.88', 'api', 'articles', '2', NULL, 'app', '102'),
 (4, 'comment', 'bob', '2021-01-04 10:00+00', '192.168.1.5', 'curl/7.88', 'api', 'articles', '2', 'Looks 100% good_ok', 'app', '103'),
 (5, 'delete', 'carol', '2021-02-01 10:00+00', NULL, NULL, NULL, 'cms_pages', 'about', NULL, 'postgres', '104'),
 (6, 'login', 'alice', '2021-02-02 10:00+00', '2001:db8::1', 'Mozilla/5.0 (Mac)', 'cms', 'directus_users', 'alice', NULL, 'app', '105'),
 (7, 'create', NULL, '2021-02-03 10:00+00', NULL, 'psql', NULL, 'cms_pages', 'about', NULL, 'postgres', '106'),
 (8, 'comment', 'alice', '2021-02-04 10:00+00', '10.0.0.2', 'Mozilla/5.0 (Win)', 'cms', 'cms_pages', 'about', 'Hello **World**', 'app', '107'),
 (9, 'comment', 'Bob', '2021-03-01 10:00+00', '10.0.0.3', 'Mozilla/5.0 (Win)', 'cms', 'articles', '10', '', 'app', '108'),
 (10, 'update', 'dave', '2021-03-02 10:00+00', '10.0.0.4', 'Mozilla/5.0 (Linux)', 'cms', 'articles', '100', NULL, 'app', '109');
SELECT setval('activity_log.activity_id_seq', 10);
INSERT INTO activity_log.revision_store (activity, op, data, delta)
SELECT id, CASE action WHEN 'create' THEN 'i' WHEN 'update' THEN 'u' ELSE 'd' END::"char", '{}', '{}' FROM activity_log.activity WHERE action IN ('create', 'update', 'delete');

-- ids of the rows list_activity returns, in order
CREATE FUNCTION ids(q jsonb) RETURNS bigint[] LANGUAGE sql AS
$$ SELECT array_agg(t.id ORDER BY t.ord) FROM activity_log.list_activity(q) WITH ORDINALITY AS t(id, action, "user", "timestamp", ip, user_agent, origin, collection, item, comment, db_user, transaction, ord) $$;

-- get_activity
SELECT id, action, "user", ip, collection, item, comment FROM activity_log.get_activity(4);
SELECT activity_log.get_activity(999);
SELECT activity_log.get_activity(NULL);

-- defaults: all rows, by id, limit 100
SELECT ids('{}');
SELECT count(*) FROM activity_log.list_activity();

-- _eq / _neq, with null meaning IS NULL / IS NOT NULL
SELECT ids('{"filter": {"action": {"_eq": "comment"}}}');
SELECT ids('{"filter": {"user": {"_eq": null}}}');
SELECT ids('{"filter": {"action": {"_neq": "comment"}}}');
SELECT ids('{"filter": {"ip": {"_neq": null}}}');
SELECT ids('{"filter": {"id": {"_eq": 3}}}');
SELECT ids('{"filter": {"id": {"_eq": "3"}}}');
SELECT ids('{"filter": {"ip": {"_eq": "10.0.0.1"}}}');
SELECT ids('{"filter": {"transaction": {"_eq": "105"}}}');
SELECT ids('{"filter": {"timestamp": {"_eq": "2021-01-03T10:00:00Z"}}}');
-- comparisons
SELECT ids('{"filter": {"id": {"_lt": 3}}}');
SELECT ids('{"filter": {"id": {"_lte": 3}}}');
SELECT ids('{"filter": {"id": {"_gt": 8}}}');
SELECT ids('{"filter": {"id": {"_gte": 8}}}');
SELECT ids('{"filter": {"timestamp": {"_gte": "2021-02-01", "_lt": "2021-03-01"}}}');
SELECT ids('{"filter": {"item": {"_gt": "2"}}}');
SELECT ids('{"filter": {"id": {"_lt": null}}}');
-- _in / _nin (arrays, or comma-separated text as in Directus URLs)
SELECT ids('{"filter": {"id": {"_in": [1, 5, 9]}}}');
SELECT ids('{"filter": {"action": {"_in": "login,delete"}}}');
SELECT ids('{"filter": {"action": {"_nin": ["create", "update", "comment"]}}}');
SELECT ids('{"filter": {"ip": {"_nin": ["10.0.0.1"]}}}');
SELECT ids('{"filter": {"id": {"_in": []}}}');
SELECT ids('{"filter": {"id": {"_in": 5}}}');
SELECT ids('{"filter": {"id": {"_in": [1, null]}}}');
-- _null / _nnull take booleans
SELECT ids('{"filter": {"comment": {"_null": true}}}');
SELECT ids('{"filter": {"comment": {"_null": false}}}');
SELECT ids('{"filter": {"comment": {"_nnull": true}}}');
SELECT ids('{"filter": {"ip": {"_nnull": false}}}');
SELECT ids('{"filter": {"comment": {"_null": "yes"}}}');
-- _empty / _nempty: NULL or '' for text, NULL for other types
SELECT ids('{"filter": {"comment": {"_empty": true}}}');
SELECT ids('{"filter": {"comment": {"_nempty": true}}}');
SELECT ids('{"filter": {"comment": {"_empty": false}}}');
SELECT ids('{"filter": {"ip": {"_empty": true}}}');
SELECT ids('{"filter": {"ip": {"_nempty": true}}}');
SELECT ids('{"filter": {"ip": {"_empty": 1}}}');
-- string operators; LIKE wildcards in values match literally
SELECT ids('{"filter": {"user_agent": {"_contains": "(Win)"}}}');
SELECT ids('{"filter": {"user_agent": {"_ncontains": "Mozilla"}}}');
SELECT ids('{"filter": {"user": {"_contains": "bob"}}}');
SELECT ids('{"filter": {"user": {"_icontains": "BOB"}}}');
SELECT ids('{"filter": {"user": {"_nicontains": "BOB"}}}');
SELECT ids('{"filter": {"comment": {"_contains": "100%"}}}');
SELECT ids('{"filter": {"comment": {"_contains": "%"}}}');
SELECT ids('{"filter": {"comment": {"_contains": "d_o"}}}');
SELECT ids('{"filter": {"comment": {"_contains": "good_ok"}}}');
SELECT ids('{"filter": {"user_agent": {"_starts_with": "Mozilla"}}}');
SELECT ids('{"filter": {"user_agent": {"_nstarts_with": "Mozilla"}}}');
SELECT ids('{"filter": {"user_agent": {"_istarts_with": "mozilla/5.0 (w"}}}');
SELECT ids('{"filter": {"user_agent": {"_nistarts_with": "MOZILLA"}}}');
SELECT ids('{"filter": {"user_agent": {"_ends_with": "(Mac)"}}}');
SELECT ids('{"filter": {"user_agent": {"_nends_with": "(Mac)"}}}');
SELECT ids('{"filter": {"user_agent": {"_iends_with": "(LINUX)"}}}');
SELECT ids('{"filter": {"user_agent": {"_niends_with": "(MAC)"}}}');
-- string operators work on every column, through its text form
SELECT ids('{"filter": {"ip": {"_starts_with": "10.0.0"}}}');
SELECT ids('{"filter": {"id": {"_ends_with": "0"}}}');
SELECT ids('{"filter": {"timestamp": {"_contains": "2021-03"}}}');
SELECT ids('{"filter": {"timestamp": {"_starts_with": "2021-01-03T02:00"}}}');
SELECT ids('{"filter": {"transaction": {"_starts_with": "10"}}}');
SELECT ids('{"filter": {"user": {"_contains": null}}}');
-- _ieq / _nieq
SELECT ids('{"filter": {"user": {"_ieq": "BOB"}}}');
SELECT ids('{"filter": {"user": {"_nieq": "bob"}}}');
-- _between / _nbetween need exactly two values
SELECT ids('{"filter": {"id": {"_between": [3, 5]}}}');
SELECT ids('{"filter": {"id": {"_nbetween": "3,8"}}}');
SELECT ids('{"filter": {"timestamp": {"_between": ["2021-01-02", "2021-01-04"]}}}');
SELECT ids('{"filter": {"id": {"_between": [1]}}}');
SELECT ids('{"filter": {"id": {"_between": [1, 2, 3]}}}');
-- several fields AND together; _and / _or nest
SELECT ids('{"filter": {"collection": {"_eq": "articles"}, "action": {"_eq": "create"}}}');
SELECT ids('{"filter": {"_or": [{"action": {"_eq": "login"}}, {"user": {"_eq": "carol"}}]}}');
SELECT ids('{"filter": {"_and": [{"collection": {"_eq": "articles"}}, {"_or": [{"id": {"_lt": 2}}, {"id": {"_gt": 9}}]}]}}');
SELECT ids('{"filter": {"_and": []}}');
SELECT ids('{"filter": {}}');
-- dynamic values
SELECT ids('{"filter": {"timestamp": {"_lt": "$NOW"}}}');
SELECT ids('{"filter": {"timestamp": {"_gt": "$NOW(-1 day)"}}}');
SELECT ids('{"filter": {"timestamp": {"_lt": "$NOW(-5 years)"}}}');
SELECT ids('{"filter": {"timestamp": {"_lt": "$NOW(banana)"}}}');
BEGIN;
SELECT activity_log.set_context('alice');
SELECT ids('{"filter": {"user": {"_eq": "$CURRENT_USER"}}}');
COMMIT;
-- values are cast to the column's type: a bad value is an error
SELECT ids('{"filter": {"id": {"_eq": "abc"}}}');
SELECT ids('{"filter": {"ip": {"_eq": "not-an-ip"}}}');
SELECT ids('{"filter": {"timestamp": {"_gt": "yesterday-ish"}}}');
SELECT ids('{"filter": {"transaction": {"_eq": -1}}}');
SELECT ids('{"filter": {"id": {"_eq": {"a": 1}}}}');

-- sort
SELECT ids('{"sort": "-id", "limit": 3}');
SELECT ids('{"sort": ["user", "-id"]}');
SELECT ids('{"sort": "action,-timestamp"}');
SELECT ids('{"sort": ["-ip"]}');
-- limit, offset, page
SELECT ids('{"limit": 3}');
SELECT ids('{"limit": 3, "offset": 3}');
SELECT ids('{"limit": 3, "page": 2}');
SELECT ids('{"limit": 3, "page": 4}');
SELECT ids('{"limit": 3, "page": 2, "offset": 1}');
SELECT ids('{"limit": -1, "page": 2}');
SELECT ids('{"limit": 0}');
SELECT ids('{"limit": -1, "offset": 8}');
-- search: text columns, case-insensitive, plus the id when it is a number
SELECT ids('{"search": "ALICE"}');
SELECT ids('{"search": "world"}');
SELECT ids('{"search": "10"}');
SELECT ids('{"search": "%"}');
SELECT ids('{"search": ""}');
SELECT ids('{"search": "bob", "filter": {"action": {"_eq": "create"}}}');

-- activity_json: the REST body, fields and meta
SELECT jsonb_pretty(activity_log.activity_json('{"filter": {"id": {"_eq": 3}}}'));
SELECT activity_log.activity_json('{"filter": {"item": {"_eq": "1"}}, "fields": ["id", "revisions"]}');
SELECT activity_log.activity_json('{"filter": {"id": {"_in": [4, 6]}}, "fields": "id,comment,origin,db_user,transaction"}');
SELECT activity_log.activity_json('{"filter": {"id": {"_eq": 5}}, "fields": ["*"]}');
SELECT activity_log.activity_json('{"limit": 2, "meta": "total_count"}') -> 'meta';
SELECT activity_log.activity_json('{"limit": 2, "filter": {"action": {"_eq": "comment"}}, "meta": ["filter_count"]}') -> 'meta';
SELECT activity_log.activity_json('{"limit": 2, "search": "mozilla", "meta": "*"}') -> 'meta';
SELECT activity_log.activity_json('{"filter": {"id": {"_gt": 100}}}');
SELECT jsonb_pretty(activity_log.activity_json(8));
SELECT activity_log.activity_json(999);

-- malformed queries: 22023, naming the offending part
\set VERBOSITY default
SELECT ids('{"filter": {"action": {"_eq": "x"}}, "deep": {}}');
SELECT ids('{"filter": {"nosuch": {"_eq": 1}}}');
SELECT ids('{"filter": {"action": {"_like": "x"}}}');
SELECT ids('{"filter": {"action": "create"}}');
SELECT ids('{"filter": {"action": {}}}');
SELECT ids('{"filter": {"_and": {"action": {"_eq": "x"}}}}');
SELECT ids('{"filter": {"_or": [{"action": {"_eq": "x"}}, {"id": {"_gt": "x"}}]}}');
SELECT ids('{"filter": [1, 2]}');
SELECT ids('{"sort": "nosuch"}');
SELECT ids('{"sort": 5}');
SELECT ids('{"limit": -2}');
SELECT ids('{"limit": 1.5}');
SELECT ids('{"limit": "10"}');
SELECT ids('{"offset": -1}');
SELECT ids('{"page": 0}');
SELECT ids('{"search": {"a": 1}}');
SELECT ids('[]');
SELECT ids('"text"');
SELECT activity_log.activity_json('{"fields": ["nosuch"]}');
SELECT activity_log.activity_json('{"meta": "everything"}');
SELECT activity_log.list_activity('{not json');
SELECT activity_log.activity_json('');
\set VERBOSITY terse

-- nothing in a key, value or sort field is ever executed
SELECT ids('{"filter": {"action\"; DROP TABLE articles; --": {"_eq": "x"}}}');
SELECT ids('{"filter": {"action": {"_eq": "x''; DROP TABLE articles; --"}}}');
SELECT ids('{"filter": {"action": {"_eq = 1 OR true; --": "x"}}}');
SELECT ids('{"sort": "id; DROP TABLE articles"}');
SELECT ids('{"sort": "-id DESC, (SELECT 1)"}');
SELECT ids('{"filter": {"comment": {"_contains": "'') OR true --"}}}');
SELECT ids('{"search": "'' OR 1=1 --"}');
SELECT ids('{"fields": "id); DROP TABLE articles; --"}');
SELECT count(*) AS articles_still_there FROM articles;

-- depth: deep nesting is a clean error
SELECT ids(('{"filter": ' || repeat('{"_and": [', 150) || '{}' || repeat(']}', 150) || '}')::jsonb);
SELECT ids(('{"filter": ' || repeat('{"_and": [', 50) || '{"id": {"_eq": 1}}' || repeat(']}', 50) || '}')::jsonb);

-- the listing uses the indexes
SET enable_seqscan = off;
SELECT * FROM activity_log.explain_activity('{"filter": {"collection": {"_eq": "articles"}, "item": {"_eq": "1"}}}');
SELECT * FROM activity_log.explain_activity('{"filter": {"timestamp": {"_between": ["2021-01-01", "2021-02-01"]}}, "sort": "-timestamp", "limit": 5}');
RESET enable_seqscan;
