-- test/listing.sql: get_activity(), list_activity() and activity_json():
-- the Directus query language (filter, sort, limit, offset, page, search,
-- fields, meta), its errors, and a property-based check of the filters
-- against an oracle written here.
--
-- Everything happens in one transaction that is rolled back.  The log is
-- emptied first and filled with fixed rows written directly by the
-- superuser, so every value is known.  The time zone is UTC so that the
-- text form of "timestamp" is fixed.

BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL TimeZone = 'UTC';

SELECT plan(246);

-- Fixture -------------------------------------------------------------------
--
-- Values with LIKE wildcards (% _ \), empty strings, NULLs, mixed case,
-- IPv6, a netmask and equal timestamps are there on purpose.

DELETE FROM activity_log.activity;
INSERT INTO activity_log.activity
    (id, action, "user", "timestamp", ip, user_agent, origin, collection, item, comment, db_user, transaction)
VALUES
 (1,  'create',   'alice',   '2021-01-01 10:00+00',    '10.0.0.1',    'Mozilla/5.0 (Mac)',   'cms', 'articles',       '1',     NULL,                 'app',      '100'),
 (2,  'update',   'alice',   '2021-01-02 10:00+00',    '10.0.0.1',    'Mozilla/5.0 (Mac)',   'cms', 'articles',       '1',     NULL,                 'app',      '101'),
 (3,  'create',   'bob',     '2021-01-03 10:00+00',    '192.168.1.5', 'curl/7.88',           'api', 'articles',       '2',     NULL,                 'app',      '102'),
 (4,  'comment',  'bob',     '2021-01-04 10:00+00',    '192.168.1.5', 'curl/7.88',           'api', 'articles',       '2',     'Looks 100% good_ok', 'app',      '103'),
 (5,  'delete',   'carol',   '2021-02-01 10:00+00',    NULL,          NULL,                  NULL,  'pages',          'about', NULL,                 'postgres', '104'),
 (6,  'login',    'alice',   '2021-02-02 10:00+00',    '2001:db8::1', 'Mozilla/5.0 (Mac)',   'cms', 'directus_users', 'alice', NULL,                 'app',      '105'),
 (7,  'create',   NULL,      '2021-02-03 10:00+00',    NULL,          'psql',                NULL,  'pages',          'about', NULL,                 'postgres', '106'),
 (8,  'comment',  'alice',   '2021-02-04 10:00+00',    '10.0.0.2',    'Mozilla/5.0 (Win)',   'cms', 'pages',          'about', 'Hello **World**',    'app',      '107'),
 (9,  'comment',  'Bob',     '2021-03-01 10:00+00',    '10.0.0.3',    'Mozilla/5.0 (Win)',   'cms', 'articles',       '10',    '',                   'app',      '108'),
 (10, 'update',   'dave',    '2021-03-02 10:00+00',    '10.0.0.4',    'Mozilla/5.0 (Linux)', 'cms', 'articles',       '100',   NULL,                 'app',      '109'),
 (11, 'comment',  'a%b_c\d', '2021-03-03 10:00+00',    '10.1.0.0/16', 'x',                   'web', 'articles',       'x%y',   'C:\temp\new',        'app',      '110'),
 (12, 'update',   '',        '2021-04-01 00:00+00',    '::1',         '',                    '',    'tags',           'ab',    'under_score',        'app',      '111'),
 (13, 'create',   'ALICE',   '2021-04-01 00:00+00',    '172.16.0.1',  'Mozilla/5.0 (Mac)',   'cms', 'tags',           'a_c',   NULL,                 'app',      '112'),
 (14, 'truncate', 'erin',    '2021-05-05 05:05:05+00', '10.0.0.1',    'psql',                NULL,  'tags',           NULL,    NULL,                 'postgres', '113'),
 (15, 'export',   'erin',    '2021-06-01 10:00+00',    '10.0.0.5',    'curl/8.0',            'api', 'articles',       'x\y',   'CSV',                'erin',     '114');
INSERT INTO activity_log.revision_store (activity, op, data, delta)
VALUES (1, 'i', '{}', NULL), (2, 'u', '{}', '{}'),
       (3, 'i', '{}', NULL), (5, 'd', '{}', NULL),
       (7, 'i', '{}', NULL), (10, 'u', '{}', '{}'),
       (12, 'i', '{}', NULL), (13, 'i', '{}', NULL);

-- ids list_activity returns for a query, in its order
CREATE FUNCTION al_tap_ids(q jsonb) RETURNS SETOF bigint LANGUAGE sql AS
$$ SELECT id FROM activity_log.list_activity(q) $$;

-- get_activity ----------------------------------------------------------------

SELECT results_eq(
    $$SELECT * FROM activity_log.get_activity(11)$$,
    $$SELECT * FROM activity_log.activity WHERE id = 11$$,
    'get_activity(11) returns the stored row');
SELECT throws_ok($$SELECT activity_log.get_activity(999)$$,
    'P0002', 'activity 999 does not exist', 'get_activity() of a missing id: P0002');
SELECT throws_ok($$SELECT activity_log.get_activity(NULL)$$,
    '22004', 'activity id must not be null', 'get_activity(NULL): 22004');
SELECT results_eq($$SELECT al_tap_ids('{}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'no query: every row, by id');
SELECT results_eq($$SELECT id FROM activity_log.list_activity()$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'list_activity() with the default argument');
SELECT results_eq($$SELECT id FROM activity_log.list_activity(NULL::jsonb)$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'list_activity(NULL) means {}');
SELECT results_eq(
    $$SELECT * FROM activity_log.list_activity('{"filter": {"id": {"_in": [4, 11]}}}')$$,
    $$SELECT * FROM activity_log.activity WHERE id IN (4, 11) ORDER BY id$$,
    'list_activity() returns whole stored rows');

-- Filter operators ---------------------------------------------------------------

-- _eq, and _eq null = IS NULL
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_eq": "comment"}}}')$$,
    ARRAY[4,8,9,11]::bigint[], '_eq on text');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_eq": "alice"}}}')$$,
    ARRAY[1,2,6,8]::bigint[], '_eq on text is case-sensitive');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_eq": null}}}')$$,
    ARRAY[7]::bigint[], '_eq null is IS NULL');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_eq": ""}}}')$$,
    ARRAY[12]::bigint[], '_eq "" matches the empty string, not NULL');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_eq": 3}}}')$$,
    ARRAY[3]::bigint[], '_eq on id with a number');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_eq": "3"}}}')$$,
    ARRAY[3]::bigint[], '_eq on id with a numeric string');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_eq": "10.0.0.1"}}}')$$,
    ARRAY[1,2,14]::bigint[], '_eq on ip');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_eq": "2021-04-01T00:00:00Z"}}}')$$,
    ARRAY[12,13]::bigint[], '_eq on timestamp');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"transaction": {"_eq": "105"}}}')$$,
    ARRAY[6]::bigint[], '_eq on transaction');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_eq": "x%y"}}}')$$,
    ARRAY[11]::bigint[], '_eq with a % in the value is plain equality');
-- _neq, and _neq null = IS NOT NULL
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_neq": "comment"}}}')$$,
    ARRAY[1,2,3,5,6,7,10,12,13,14,15]::bigint[], '_neq on text');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_neq": "alice"}}}')$$,
    ARRAY[3,4,5,9,10,11,12,13,14,15]::bigint[], '_neq leaves out NULLs (SQL <>)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_neq": null}}}')$$,
    ARRAY[1,2,3,4,6,8,9,10,11,12,13,14,15]::bigint[], '_neq null is IS NOT NULL');
-- _lt _lte _gt _gte
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_lt": 3}}}')$$,
    ARRAY[1,2]::bigint[], '_lt on id');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_lt": "2021-01-03"}}}')$$,
    ARRAY[1,2]::bigint[], '_lt on timestamp');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_lte": 3}}}')$$,
    ARRAY[1,2,3]::bigint[], '_lte on id');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_lte": "2021-04-01T00:00:00Z"}, "id": {"_gte": 11}}}')$$,
    ARRAY[11,12,13]::bigint[], '_lte on timestamp includes the bound; two fields AND');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_gt": 13}}}')$$,
    ARRAY[14,15]::bigint[], '_gt on id');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_gt": "192.168.0.0"}}}')$$,
    ARRAY[3,4,6,12]::bigint[], '_gt on ip compares as inet (IPv6 after IPv4)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_gte": 14}}}')$$,
    ARRAY[14,15]::bigint[], '_gte on id');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_gte": "x"}}}')$$,
    ARRAY[11,15]::bigint[], '_gte on text (NULL item left out)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_gt": 2, "_lt": 5}}}')$$,
    ARRAY[3,4]::bigint[], 'two operators on one field AND');
-- _in _nin
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_in": [1, 5, 9]}}}')$$,
    ARRAY[1,5,9]::bigint[], '_in with a JSON array');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_in": "login,delete"}}}')$$,
    ARRAY[5,6]::bigint[], '_in with a comma-separated string');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_in": ["10.0.0.1", "::1"]}}}')$$,
    ARRAY[1,2,12,14]::bigint[], '_in on ip');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_in": ["x%y", "a_c"]}}}')$$,
    ARRAY[11,13]::bigint[], '_in values with wildcards are plain values');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_nin": ["create", "update", "comment"]}}}')$$,
    ARRAY[5,6,14,15]::bigint[], '_nin');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_nin": ["alice"]}}}')$$,
    ARRAY[3,4,5,9,10,11,12,13,14,15]::bigint[], '_nin leaves out NULLs (SQL NOT IN)');
-- _null _nnull
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_null": true}}}')$$,
    ARRAY[1,2,3,5,6,7,10,13,14]::bigint[], '_null true');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_null": false}}}')$$,
    ARRAY[4,8,9,11,12,15]::bigint[], '_null false is IS NOT NULL (the empty string counts)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_nnull": true}}}')$$,
    ARRAY[4,8,9,11,12,15]::bigint[], '_nnull true');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_nnull": false}}}')$$,
    ARRAY[5,7]::bigint[], '_nnull false is IS NULL');
-- _empty _nempty: NULL or '' for text, NULL for other types
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_empty": true}}}')$$,
    ARRAY[1,2,3,5,6,7,9,10,13,14]::bigint[], '_empty true on text: NULL or empty');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_empty": false}}}')$$,
    ARRAY[4,8,11,12,15]::bigint[], '_empty false on text: neither NULL nor empty');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_empty": true}}}')$$,
    ARRAY[7,12]::bigint[], '_empty true on user');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_empty": true}}}')$$,
    ARRAY[5,7]::bigint[], '_empty true on a non-text column is IS NULL');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"origin": {"_nempty": true}}}')$$,
    ARRAY[1,2,3,4,6,8,9,10,11,13,15]::bigint[], '_nempty true');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_nempty": false}}}')$$,
    ARRAY[1,2,3,5,6,7,9,10,13,14]::bigint[], '_nempty false is _empty true');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_nempty": true}}}')$$,
    ARRAY[1,2,3,4,6,8,9,10,11,12,13,14,15]::bigint[], '_nempty true on a non-text column is IS NOT NULL');
-- _contains _ncontains _icontains _nicontains; wildcards match literally
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_contains": "(Win)"}}}')$$,
    ARRAY[8,9]::bigint[], '_contains');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_contains": "bob"}}}')$$,
    ARRAY[3,4]::bigint[], '_contains is case-sensitive');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_contains": "%"}}}')$$,
    ARRAY[4]::bigint[], '_contains "%" matches a literal %');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_contains": "_"}}}')$$,
    ARRAY[4,12]::bigint[], '_contains "_" matches a literal _');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_contains": "\\"}}}')$$,
    ARRAY[11]::bigint[], '_contains "\" matches a literal backslash');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_contains": "%b_c\\"}}}')$$,
    ARRAY[11]::bigint[], '_contains with % _ and \ together');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_ncontains": "Mozilla"}}}')$$,
    ARRAY[3,4,7,11,12,14,15]::bigint[], '_ncontains (NULL left out)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_ncontains": "%"}}}')$$,
    ARRAY[8,9,11,12,15]::bigint[], '_ncontains "%" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_icontains": "BOB"}}}')$$,
    ARRAY[3,4,9]::bigint[], '_icontains');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_icontains": "c:\\TEMP"}}}')$$,
    ARRAY[11]::bigint[], '_icontains with a backslash');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_icontains": "A%B"}}}')$$,
    ARRAY[11]::bigint[], '_icontains "A%B" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_nicontains": "BOB"}}}')$$,
    ARRAY[1,2,5,6,8,10,11,12,13,14,15]::bigint[], '_nicontains');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_nicontains": "_"}}}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,15]::bigint[], '_nicontains "_" is literal');
-- _starts_with _nstarts_with _istarts_with _nistarts_with
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_starts_with": "Mozilla"}}}')$$,
    ARRAY[1,2,6,8,9,10,13]::bigint[], '_starts_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_starts_with": "a_"}}}')$$,
    ARRAY[13]::bigint[], '_starts_with "a_": the _ is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_starts_with": "x\\"}}}')$$,
    ARRAY[15]::bigint[], '_starts_with "x\": the backslash is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_nstarts_with": "Mozilla"}}}')$$,
    ARRAY[3,4,7,11,12,14,15]::bigint[], '_nstarts_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_nstarts_with": "%"}}}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,15]::bigint[], '_nstarts_with "%" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_istarts_with": "mozilla/5.0 (w"}}}')$$,
    ARRAY[8,9]::bigint[], '_istarts_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_istarts_with": "A%"}}}')$$,
    ARRAY[11]::bigint[], '_istarts_with "A%" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_nistarts_with": "MOZILLA"}}}')$$,
    ARRAY[3,4,7,11,12,14,15]::bigint[], '_nistarts_with');
-- _ends_with _nends_with _iends_with _niends_with
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_ends_with": "(Mac)"}}}')$$,
    ARRAY[1,2,6,13]::bigint[], '_ends_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_ends_with": "%y"}}}')$$,
    ARRAY[11]::bigint[], '_ends_with "%y" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_ends_with": "\\d"}}}')$$,
    ARRAY[11]::bigint[], '_ends_with "\d" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_nends_with": "(Mac)"}}}')$$,
    ARRAY[3,4,7,8,9,10,11,12,14,15]::bigint[], '_nends_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_iends_with": "(LINUX)"}}}')$$,
    ARRAY[10]::bigint[], '_iends_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_iends_with": "CE"}}}')$$,
    ARRAY[1,2,6,8,13]::bigint[], '_iends_with is case-insensitive both ways');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user_agent": {"_niends_with": "(MAC)"}}}')$$,
    ARRAY[3,4,7,8,9,10,11,12,14,15]::bigint[], '_niends_with');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"item": {"_niends_with": "_C"}}}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,15]::bigint[], '_niends_with "_C" is literal');
-- string operators on the text form of non-text columns
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_starts_with": "10.0.0"}}}')$$,
    ARRAY[1,2,8,9,10,14,15]::bigint[], '_starts_with on ip');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_contains": "/16"}}}')$$,
    ARRAY[11]::bigint[], '_contains on ip sees the netmask');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_ends_with": "5"}}}')$$,
    ARRAY[5,15]::bigint[], '_ends_with on id');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_contains": "T05:05:05"}}}')$$,
    ARRAY[14]::bigint[], '_contains on timestamp (its JSON text)');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"transaction": {"_starts_with": "11"}}}')$$,
    ARRAY[11,12,13,14,15]::bigint[], '_starts_with on transaction');
-- _between _nbetween
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_between": [3, 5]}}}')$$,
    ARRAY[3,4,5]::bigint[], '_between includes both bounds');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_between": "3,5"}}}')$$,
    ARRAY[3,4,5]::bigint[], '_between with a comma-separated string');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_between": ["2021-01-02", "2021-01-04"]}}}')$$,
    ARRAY[2,3]::bigint[], '_between on timestamp');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"id": {"_nbetween": [3, 12]}}}')$$,
    ARRAY[1,2,13,14,15]::bigint[], '_nbetween');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"ip": {"_nbetween": ["10.0.0.0", "10.255.255.255"]}}}')$$,
    ARRAY[3,4,6,12,13]::bigint[], '_nbetween on ip (NULL left out)');
-- _ieq _nieq
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_ieq": "BOB"}}}')$$,
    ARRAY[3,4,9]::bigint[], '_ieq');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_ieq": "A%B_C\\D"}}}')$$,
    ARRAY[11]::bigint[], '_ieq is equality, not LIKE');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_ieq": "a%"}}}')$$,
    ARRAY[]::bigint[], '_ieq "a%" is not a prefix match');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_nieq": "bob"}}}')$$,
    ARRAY[1,2,5,6,8,10,11,12,13,14,15]::bigint[], '_nieq (NULL left out)');
-- _and / _or
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"_or": [{"action": {"_eq": "login"}}, {"user": {"_eq": "carol"}}]}}')$$,
    ARRAY[5,6]::bigint[], '_or');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"_and": [{"collection": {"_eq": "articles"}}, {"_or": [{"id": {"_lt": 2}}, {"id": {"_gt": 10}}]}]}}')$$,
    ARRAY[1,11,15]::bigint[], '_and with a nested _or');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"_and": []}}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'an empty _and matches everything');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {}}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'an empty filter matches everything');
-- dynamic values
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"timestamp": {"_gt": "$NOW(-1 day)"}}}')$$,
    ARRAY[]::bigint[], '$NOW(-1 day)');
SELECT results_eq($$SELECT count(*) FROM activity_log.list_activity('{"filter": {"timestamp": {"_lt": "$NOW"}}}')$$,
    ARRAY[15]::bigint[], '$NOW');
SELECT lives_ok($$SELECT activity_log.set_context('alice')$$, 'context user alice');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_eq": "$CURRENT_USER"}}}')$$,
    ARRAY[1,2,6,8]::bigint[], '$CURRENT_USER is the context user');
SELECT lives_ok($$SELECT activity_log.set_context(NULL)$$, 'context cleared');

-- Operator edge cases: 22023 ----------------------------------------------------

SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_lt": null}}}')$$,
    '22023', 'filter.id._lt needs a value, not null', '_lt null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_gte": null}}}')$$,
    '22023', 'filter.id._gte needs a value, not null', '_gte null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"user": {"_contains": null}}}')$$,
    '22023', 'filter.user._contains needs a value, not null', '_contains null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"user": {"_nieq": null}}}')$$,
    '22023', 'filter.user._nieq needs a value, not null', '_nieq null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_in": []}}}')$$,
    '22023', 'filter.id._in must not be an empty list', '_in [] is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_nin": []}}}')$$,
    '22023', 'filter.id._nin must not be an empty list', '_nin [] is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_in": ""}}}')$$,
    '22023', 'filter.action._in must not be an empty list', '_in "" is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_in": ",,"}}}')$$,
    '22023', 'filter.action._in must not be an empty list', '_in ",," is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_in": 5}}}')$$,
    '22023', 'filter.id._in must be a list of values', '_in 5 is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_in": [1, null]}}}')$$,
    '22023', 'filter.id._in[1] must not be null', 'a null in _in is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_in": [1, [2]]}}}')$$,
    '22023', 'filter.id._in[1] must be a single value, not an object or array', 'an array in _in is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_between": []}}}')$$,
    '22023', 'filter.id._between must not be an empty list', '_between [] is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_between": [1]}}}')$$,
    '22023', 'filter.id._between needs a list of exactly 2 values', '_between with 1 value is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_between": [1, 2, 3]}}}')$$,
    '22023', 'filter.id._between needs a list of exactly 2 values', '_between with 3 values is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_nbetween": "1"}}}')$$,
    '22023', 'filter.id._nbetween needs a list of exactly 2 values', '_nbetween "1" is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_between": [1, null]}}}')$$,
    '22023', 'filter.id._between[1] must not be null', 'a null bound of _between is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"comment": {"_null": "yes"}}}')$$,
    '22023', 'filter.comment._null must be true or false', '_null "yes" is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"comment": {"_nnull": null}}}')$$,
    '22023', 'filter.comment._nnull must be true or false', '_nnull null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"ip": {"_empty": 1}}}')$$,
    '22023', 'filter.ip._empty must be true or false', '_empty 1 is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"ip": {"_nempty": "false"}}}')$$,
    '22023', 'filter.ip._nempty must be true or false', '_nempty "false" is refused');

-- Malformed queries: 22023 ------------------------------------------------------

SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_eq": "x"}}, "deep": {}}')$$,
    '22023', 'unrecognized query parameter "deep"', 'unknown top-level key');
SELECT throws_ok($$SELECT al_tap_ids('{"Filter": {}}')$$,
    '22023', 'unrecognized query parameter "Filter"', 'top-level keys are case-sensitive');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"nosuch": {"_eq": 1}}}')$$,
    '22023', 'unrecognized field "nosuch" in filter', 'unknown column');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"_or": [{"revisions": {"_eq": 1}}]}}')$$,
    '22023', 'unrecognized field "revisions" in filter._or[0]', 'unknown column inside _or, with its path');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_like": "x"}}}')$$,
    '22023', 'unrecognized filter operator "_like" in filter.action', 'unknown operator');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_EQ": "x"}}}')$$,
    '22023', 'unrecognized filter operator "_EQ" in filter.action', 'operators are case-sensitive');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": "create"}}')$$,
    '22023', 'filter.action must be a JSON object of filter operators', 'a field without operator object');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {}}}')$$,
    '22023', 'filter.action has no filter operator', 'a field with no operator');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"_and": {"action": {"_eq": "x"}}}}')$$,
    '22023', 'filter._and must be a JSON array of filters', '_and must be an array');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"_or": [1]}}')$$,
    '22023', 'filter._or[0] must be a JSON object', 'an _or element must be an object');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": [1, 2]}')$$,
    '22023', 'filter must be a JSON object', 'filter must be an object');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": null}')$$,
    '22023', 'filter must be a JSON object', 'filter null is refused');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_eq": {"a": 1}}}}')$$,
    '22023', 'filter.id._eq must be a single value, not an object or array', 'wrong value type: object');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_contains": ["a"]}}}')$$,
    '22023', 'filter.action._contains must be a single value, not an object or array', 'wrong value type: array');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_eq": "abc"}}}')$$,
    '22023', 'invalid value for column "id" at filter.id._eq', 'bad value for id');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_eq": 1.5}}}')$$,
    '22023', 'invalid value for column "id" at filter.id._eq', 'a fraction for id');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_gt": 99999999999999999999}}}')$$,
    '22023', 'invalid value for column "id" at filter.id._gt', 'an id out of bigint range');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_in": [1, "two"]}}}')$$,
    '22023', 'invalid value for column "id" at filter.id._in[1]', 'a bad value in _in, with its index');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"ip": {"_eq": "not-an-ip"}}}')$$,
    '22023', 'invalid value for column "ip" at filter.ip._eq', 'bad inet');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"ip": {"_lt": "10.0.0.256"}}}')$$,
    '22023', 'invalid value for column "ip" at filter.ip._lt', 'an IPv4 octet over 255');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"timestamp": {"_gt": "yesterday-ish"}}}')$$,
    '22023', 'invalid value for column "timestamp" at filter.timestamp._gt', 'bad timestamp');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"timestamp": {"_between": ["2021-01-01", "2021-13-01"]}}}')$$,
    '22023', 'invalid value for column "timestamp" at filter.timestamp._between[1]', 'a month 13 in _between');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"timestamp": {"_lt": "$NOW(banana)"}}}')$$,
    '22023', 'invalid $NOW adjustment at filter.timestamp._lt', 'a bad $NOW adjustment');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"transaction": {"_eq": [105]}}}')$$,
    '22023', 'filter.transaction._eq must be a single value, not an object or array', 'an array for transaction');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"_and": [{"action": {"_eq": "x"}}, {"_or": [{}, {"id": {"_gt": "x"}}]}]}}')$$,
    '22023', 'invalid value for column "id" at filter._and[1]._or[1].id._gt', 'the error names the nested path');
SELECT throws_ok($$SELECT al_tap_ids('{"offset": -1}')$$,
    '22023', 'offset must be at least 0', 'negative offset');
SELECT throws_ok($$SELECT al_tap_ids('{"limit": -2}')$$,
    '22023', 'limit must be at least -1', 'limit below -1');
SELECT throws_ok($$SELECT al_tap_ids('{"limit": 1.5}')$$,
    '22023', 'limit must be an integer', 'a fractional limit');
SELECT throws_ok($$SELECT al_tap_ids('{"limit": "10"}')$$,
    '22023', 'limit must be an integer', 'limit as a string');
SELECT throws_ok($$SELECT al_tap_ids('{"offset": 1e30}')$$,
    '22023', 'offset must be an integer', 'an offset out of bigint range');
SELECT throws_ok($$SELECT al_tap_ids('{"page": 0}')$$,
    '22023', 'page must be at least 1', 'page 0');
SELECT throws_ok($$SELECT al_tap_ids('{"page": -3}')$$,
    '22023', 'page must be at least 1', 'a negative page');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": 5}')$$,
    '22023', 'sort must be a string or a list of strings', 'sort 5');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": ["id", 5]}')$$,
    '22023', 'sort must be a list of strings', 'a number in the sort list');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": "nosuch"}')$$,
    '22023', 'unrecognized sort field "nosuch"', 'unknown sort field');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": "-"}')$$,
    '22023', 'unrecognized sort field "-"', 'sort "-" alone');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": "--id"}')$$,
    '22023', 'unrecognized sort field "--id"', 'sort "--id"');
SELECT throws_ok($$SELECT al_tap_ids('{"search": {"a": 1}}')$$,
    '22023', 'search must be a single value, not an object or array', 'search as an object');
SELECT throws_ok($$SELECT activity_log.activity_json('{"fields": ["nosuch"]}')$$,
    '22023', 'unrecognized field "nosuch" in fields', 'unknown field in fields');
SELECT throws_ok($$SELECT activity_log.activity_json('{"fields": 5}')$$,
    '22023', 'fields must be a string or a list of strings', 'fields 5');
SELECT throws_ok($$SELECT activity_log.activity_json('{"meta": "everything"}')$$,
    '22023', 'unrecognized meta "everything"', 'unknown meta');
SELECT throws_ok($$SELECT al_tap_ids('[]')$$,
    '22023', 'query must be a JSON object', 'a JSON array as query');
SELECT throws_ok($$SELECT al_tap_ids('"text"')$$,
    '22023', 'query must be a JSON object', 'a JSON string as query');
SELECT throws_ok($$SELECT al_tap_ids('null')$$,
    '22023', 'query must be a JSON object', 'JSON null as query');
SELECT throws_ok($$SELECT activity_log.activity_json('42'::jsonb)$$,
    '22023', 'query must be a JSON object', 'activity_json() of a JSON number');
SELECT throws_ok($$SELECT * FROM activity_log.list_activity('{oops'::text)$$,
    '22023', 'invalid query', 'list_activity(text) of text that is not JSON');
SELECT throws_ok($$SELECT * FROM activity_log.list_activity(''::text)$$,
    '22023', 'invalid query', 'list_activity(text) of an empty string');
SELECT throws_ok($$SELECT activity_log.activity_json('{"filter": '::text)$$,
    '22023', 'invalid query', 'activity_json(text) of truncated JSON');
SELECT results_eq($$SELECT id FROM activity_log.list_activity('{"filter": {"id": {"_eq": 4}}}'::text)$$,
    ARRAY[4]::bigint[], 'list_activity(text) of valid JSON works');

-- Nesting depth and big lists -----------------------------------------------------

SELECT throws_ok(
    $$SELECT al_tap_ids(('{"filter": ' || repeat('{"_and": [', 1000) || '{"id": {"_eq": 1}}' || repeat(']}', 1000) || '}')::jsonb)$$,
    '22023', 'filter is nested too deeply', '1000 nested _and: a clean 22023, no crash');
SELECT throws_ok(
    $$SELECT al_tap_ids(('{"filter": ' || repeat('{"_or": [{"id": {"_eq": 2}}, ', 1000) || '{}' || repeat(']}', 1000) || '}')::jsonb)$$,
    '22023', 'filter is nested too deeply', '1000 nested _or with siblings: a clean 22023');
SELECT results_eq(
    $$SELECT al_tap_ids(('{"filter": ' || repeat('{"_and": [', 50) || '{"id": {"_eq": 1}}' || repeat(']}', 50) || '}')::jsonb)$$,
    ARRAY[1]::bigint[], '50 nested _and work');
SELECT results_eq(
    $$SELECT al_tap_ids(jsonb_build_object('filter', jsonb_build_object('id',
        jsonb_build_object('_in', (SELECT jsonb_agg(g) FROM generate_series(10000, 1, -1) g)))))$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'a 10,000-element _in list works');
SELECT results_eq(
    $$SELECT al_tap_ids(jsonb_build_object('filter', jsonb_build_object('id',
        jsonb_build_object('_nin', (SELECT string_agg(g::text, ',') FROM generate_series(3, 10002) g)))))$$,
    ARRAY[1,2]::bigint[], 'a 10,000-element comma-separated _nin list works');

-- Sort ----------------------------------------------------------------------------

SELECT results_eq($$SELECT al_tap_ids('{"sort": "-id", "limit": 3}')$$,
    ARRAY[15,14,13]::bigint[], 'sort "-id"');
SELECT results_eq($$SELECT al_tap_ids('{"sort": ["-id"], "limit": 3}')$$,
    ARRAY[15,14,13]::bigint[], 'sort ["-id"]');
SELECT results_eq($$SELECT al_tap_ids('{"sort": "action,-timestamp"}')$$,
    ARRAY[11,9,8,4,13,7,3,1,5,15,6,14,12,10,2]::bigint[], 'sort "action,-timestamp" (comma list)');
SELECT results_eq($$SELECT al_tap_ids('{"sort": ["collection", "-id"]}')$$,
    ARRAY[15,11,10,9,4,3,2,1,6,8,7,5,14,13,12]::bigint[], 'sort ["collection", "-id"] (array)');
SELECT results_eq($$SELECT al_tap_ids('{"sort": "collection, -id"}')$$,
    ARRAY[15,11,10,9,4,3,2,1,6,8,7,5,14,13,12]::bigint[], 'sort "collection, -id": a space after the comma is fine');
SELECT results_eq($$SELECT al_tap_ids('{"sort": ["-ip"]}')$$,
    ARRAY[7,5,6,12,4,3,13,11,15,10,9,8,14,2,1]::bigint[], 'sort "-ip": inet order, NULLs first, ties by -id');
SELECT results_eq($$SELECT al_tap_ids('{"sort": "timestamp", "offset": 10}')$$,
    ARRAY[11,12,13,14,15]::bigint[], 'equal timestamps are ordered by id');
SELECT results_eq($$SELECT al_tap_ids('{"sort": "-timestamp", "limit": 4}')$$,
    ARRAY[15,14,13,12]::bigint[], 'equal timestamps are ordered by -id in a descending sort');
SELECT results_eq($$SELECT al_tap_ids('{"sort": ["-timestamp", "id"], "limit": 4}')$$,
    ARRAY[15,14,12,13]::bigint[], 'an explicit id in the sort is respected');

-- Limit, offset, page ------------------------------------------------------------

SELECT results_eq($$SELECT al_tap_ids('{"limit": 3}')$$, ARRAY[1,2,3]::bigint[], 'limit 3');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 3, "offset": 3}')$$, ARRAY[4,5,6]::bigint[], 'limit 3, offset 3');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 3, "page": 2}')$$, ARRAY[4,5,6]::bigint[], 'limit 3, page 2');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 4, "page": 4}')$$, ARRAY[13,14,15]::bigint[], 'the last, partial page');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 5, "page": 4}')$$, ARRAY[]::bigint[], 'a page after the end is empty');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 3, "page": 2, "offset": 1}')$$,
    ARRAY[4,5,6]::bigint[], 'page wins over offset');
SELECT results_eq($$SELECT al_tap_ids('{"limit": -1, "page": 2}')$$,
    ARRAY[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]::bigint[], 'page means nothing without a limit');
SELECT results_eq($$SELECT al_tap_ids('{"limit": 0}')$$, ARRAY[]::bigint[], 'limit 0');
SELECT results_eq($$SELECT al_tap_ids('{"limit": -1, "offset": 13}')$$, ARRAY[14,15]::bigint[], 'limit -1 with an offset');
SELECT results_eq($$SELECT al_tap_ids('{"offset": 20}')$$, ARRAY[]::bigint[], 'an offset after the end');
SELECT results_eq($$SELECT al_tap_ids('{"sort": "-id", "limit": 2, "offset": 2}')$$,
    ARRAY[13,12]::bigint[], 'sort, limit and offset together');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_eq": "comment"}}, "sort": "-id", "limit": 2, "page": 2}')$$,
    ARRAY[8,4]::bigint[], 'filter, sort, limit and page together');

-- An offset that does not fit in bigint is a page after the end (or a 22023
-- error), never the first page again.
CREATE FUNCTION al_tap_far_page(q jsonb) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    got bigint[];
BEGIN
    SELECT array_agg(id ORDER BY id) INTO got FROM activity_log.list_activity(q);
    RETURN COALESCE('rows ' || got::text, 'empty or 22023');
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN 'empty or 22023';
END
$$;
-- limit * (page - 1) must not overflow into a small offset that would
-- bring back the first page.
SELECT is(al_tap_far_page('{"limit": 4611686018427387904, "page": 3}'), 'empty or 22023',
    'limit 2^62, page 3: empty or 22023, not the first page');
-- The same, where the wrapped offset would be exactly 0.
SELECT is(al_tap_far_page('{"limit": 4, "page": 4611686018427387905}'), 'empty or 22023',
    'limit 4, page 2^62 + 1: empty or 22023, not the first page');

-- The default limit is 100
INSERT INTO activity_log.activity (id, action, collection, item, db_user, transaction)
SELECT g, 'create', 'bulk', g::text, 'app', '200' FROM generate_series(1001, 1120) g;
SELECT is((SELECT count(*) FROM activity_log.list_activity('{}')), 100::bigint, 'the default limit is 100');
SELECT is((SELECT count(*) FROM activity_log.list_activity('{"limit": -1}')), 135::bigint, 'limit -1 means no limit');
SELECT is((SELECT max(id) FROM activity_log.list_activity('{"page": 2}')), 1120::bigint, 'page 2 with the default limit');
DELETE FROM activity_log.activity WHERE collection = 'bulk';

-- Search ----------------------------------------------------------------------

SELECT results_eq($$SELECT al_tap_ids('{"search": "ALICE"}')$$,
    ARRAY[1,2,6,8,13]::bigint[], 'search is case-insensitive over the text columns (user and item)');
SELECT results_eq($$SELECT al_tap_ids('{"search": "world"}')$$,
    ARRAY[8]::bigint[], 'search finds a word inside the comment');
SELECT results_eq($$SELECT al_tap_ids('{"search": "10"}')$$,
    ARRAY[4,9,10]::bigint[], 'a numeric search matches the id and text containing it');
SELECT results_eq($$SELECT al_tap_ids('{"search": "15"}')$$,
    ARRAY[15]::bigint[], 'a numeric search matches the id');
SELECT results_eq($$SELECT al_tap_ids('{"search": 15}')$$,
    ARRAY[15]::bigint[], 'a JSON number as search');
SELECT results_eq($$SELECT al_tap_ids('{"search": "%"}')$$,
    ARRAY[4,11]::bigint[], 'search "%" is literal');
SELECT results_eq($$SELECT al_tap_ids('{"search": "_"}')$$,
    ARRAY[4,6,11,12,13]::bigint[], 'search "_" is literal (directus_users, good_ok, under_score, a_c)');
SELECT results_eq($$SELECT al_tap_ids('{"search": "\\"}')$$,
    ARRAY[11,15]::bigint[], 'search "\" is literal');
SELECT results_eq($$SELECT count(*) FROM activity_log.list_activity('{"search": ""}')$$,
    ARRAY[15]::bigint[], 'an empty search matches everything');
SELECT results_eq($$SELECT count(*) FROM activity_log.list_activity('{"search": null}')$$,
    ARRAY[15]::bigint[], 'a null search matches everything');
SELECT results_eq($$SELECT al_tap_ids('{"search": "bob", "filter": {"action": {"_eq": "create"}}}')$$,
    ARRAY[3]::bigint[], 'search and filter AND');
SELECT results_eq($$SELECT al_tap_ids('{"search": "192.168"}')$$,
    ARRAY[]::bigint[], 'search does not look into ip');

-- activity_json: fields and meta ---------------------------------------------------

SELECT is(activity_log.activity_json('{"filter": {"id": {"_eq": 3}}}'),
    '{"data": [{"id": 3, "ip": "192.168.1.5", "item": "2", "user": "bob", "action": "create",
       "comment": null, "revisions": [3], "timestamp": "2021-01-03T10:00:00+00:00",
       "collection": "articles", "user_agent": "curl/7.88"}]}'::jsonb,
    'activity_json(): the default fields, with revisions');
SELECT is(activity_log.activity_json('{"filter": {"item": {"_eq": "1"}}, "fields": ["id", "revisions"]}'),
    '{"data": [{"id": 1, "revisions": [1]}, {"id": 2, "revisions": [2]}]}'::jsonb,
    'fields ["id", "revisions"]');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_in": [11, 12]}}, "fields": "id,ip,origin,db_user,transaction"}'),
    '{"data": [{"id": 11, "ip": "10.1.0.0/16", "origin": "web", "db_user": "app", "transaction": "110"},
               {"id": 12, "ip": "::1", "origin": "", "db_user": "app", "transaction": "111"}]}'::jsonb,
    'fields as a comma-separated string');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_eq": 5}}, "fields": ["*"]}'),
    '{"data": [{"id": 5, "ip": null, "item": "about", "user": "carol", "action": "delete", "origin": null,
       "comment": null, "db_user": "postgres", "revisions": [5], "timestamp": "2021-02-01T10:00:00+00:00",
       "collection": "pages", "user_agent": null, "transaction": "104"}]}'::jsonb,
    'fields "*": every column and revisions');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_eq": 2}}, "fields": "revisions"}'),
    '{"data": [{"revisions": [2]}]}'::jsonb, 'fields "revisions" alone');
SELECT is(activity_log.activity_json('{"sort": "-id", "limit": 3, "fields": "id"}'),
    '{"data": [{"id": 15}, {"id": 14}, {"id": 13}]}'::jsonb, 'data keeps the sort order');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_gt": 100}}}'),
    '{"data": []}'::jsonb, 'no match: an empty data array, no meta');
SELECT is(activity_log.activity_json('{"limit": 2, "meta": "total_count"}') -> 'meta',
    '{"total_count": 15}'::jsonb, 'meta total_count');
SELECT is(activity_log.activity_json('{"limit": 1, "filter": {"action": {"_eq": "comment"}}, "meta": ["filter_count"]}') -> 'meta',
    '{"filter_count": 4}'::jsonb, 'meta filter_count ignores the limit');
SELECT is(activity_log.activity_json('{"limit": 2, "search": "mozilla", "meta": "*"}') -> 'meta',
    '{"total_count": 15, "filter_count": 7}'::jsonb, 'meta "*": filter_count counts the search too');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_gt": 5}}, "meta": "total_count,filter_count"}') -> 'meta',
    '{"total_count": 15, "filter_count": 10}'::jsonb, 'meta as a comma list');
SELECT is(jsonb_array_length(activity_log.activity_json('{"limit": 2, "meta": "*"}') -> 'data'),
    2, 'meta does not change the page size');
SELECT is(activity_log.activity_json('{"filter": {"id": {"_eq": 4}}, "fields": "id,comment"}'::text),
    '{"data": [{"id": 4, "comment": "Looks 100% good_ok"}]}'::jsonb, 'activity_json(text)');
SELECT is(activity_log.activity_json(8),
    '{"data": {"id": 8, "ip": "10.0.0.2", "item": "about", "user": "alice", "action": "comment",
      "comment": "Hello **World**", "revisions": null, "timestamp": "2021-02-04T10:00:00+00:00",
      "collection": "pages", "user_agent": "Mozilla/5.0 (Win)"}}'::jsonb,
    'activity_json(id): one object');
SELECT throws_ok($$SELECT activity_log.activity_json(999)$$,
    'P0002', 'activity 999 does not exist', 'activity_json() of a missing id: P0002');
SELECT throws_ok($$SELECT activity_log.activity_json(NULL::bigint)$$,
    '22004', 'activity id must not be null', 'activity_json(NULL::bigint): 22004');

-- Injection attempts -------------------------------------------------------------
--
-- Keys, values, sort fields and field lists are never SQL: each attempt is
-- a 22023 error or matches nothing, and the canary survives.

CREATE TABLE al_tap_canary (x integer);
INSERT INTO al_tap_canary VALUES (1);

SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action\"; DROP TABLE al_tap_canary; --": {"_eq": "x"}}}')$$,
    '22023', NULL, 'injection in a field key');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"action": {"_eq = ''x'' OR true; DROP TABLE al_tap_canary; --": "x"}}}')$$,
    '22023', NULL, 'injection in an operator key');
SELECT throws_ok($$SELECT al_tap_ids('{"filter\"; DROP TABLE al_tap_canary; --": {}}')$$,
    '22023', NULL, 'injection in a top-level key');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_eq": "x''; DROP TABLE al_tap_canary; --"}}}')$$,
    ARRAY[]::bigint[], 'injection in an _eq value matches nothing');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"action": {"_in": ["x'') OR true; DROP TABLE al_tap_canary; --"]}}}')$$,
    ARRAY[]::bigint[], 'injection in an _in value matches nothing');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"comment": {"_contains": "'') OR true --"}}}')$$,
    ARRAY[]::bigint[], 'injection in a _contains value matches nothing');
SELECT results_eq($$SELECT al_tap_ids('{"filter": {"user": {"_ieq": "x'') OR (''1''=''1"}}}')$$,
    ARRAY[]::bigint[], 'injection in an _ieq value matches nothing');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"id": {"_eq": "1; DROP TABLE al_tap_canary"}}}')$$,
    '22023', NULL, 'injection in an id value is a bad bigint');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"ip": {"_eq": "10.0.0.1''; DROP TABLE al_tap_canary; --"}}}')$$,
    '22023', NULL, 'injection in an ip value is a bad inet');
SELECT throws_ok($$SELECT al_tap_ids('{"filter": {"timestamp": {"_lt": "$NOW(1 day''); DROP TABLE al_tap_canary; --)"}}}')$$,
    '22023', NULL, 'injection in a $NOW adjustment is a bad interval');
SELECT results_eq($$SELECT al_tap_ids('{"search": "'' OR 1=1; DROP TABLE al_tap_canary; --"}')$$,
    ARRAY[]::bigint[], 'injection in search matches nothing');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": "id; DROP TABLE al_tap_canary"}')$$,
    '22023', NULL, 'injection in a sort string');
SELECT throws_ok($$SELECT al_tap_ids('{"sort": ["-id DESC, (SELECT 1)"]}')$$,
    '22023', NULL, 'injection in a sort list');
SELECT throws_ok($$SELECT activity_log.activity_json('{"fields": "id); DROP TABLE al_tap_canary; --"}')$$,
    '22023', NULL, 'injection in a fields string');
SELECT throws_ok($$SELECT activity_log.activity_json('{"fields": ["id", "pg_sleep(1)"]}')$$,
    '22023', NULL, 'injection in a fields list');
SELECT throws_ok($$SELECT activity_log.activity_json('{"meta": "total_count) FROM pg_class; --"}')$$,
    '22023', NULL, 'injection in meta');
SELECT has_table('public', 'al_tap_canary', 'the canary table still exists');
SELECT is((SELECT count(*) FROM al_tap_canary), 1::bigint, 'the canary row is still there');

-- Property: random filters against an oracle -------------------------------------
--
-- ~300 random filters (columns action, user, collection, item, id,
-- timestamp, ip; operators _eq _neq _lt _gt _in _nin _contains _icontains
-- _starts_with _null _nnull _empty; values drawn from the data; _and/_or
-- up to depth 3).  For each, the oracle builds the WHERE clause itself,
-- with format(), and runs it on activity_log.activity.  The string
-- operators are checked with strpos()/left() on the column's text form
-- (its JSON text), never with LIKE.

-- the column's text form, written independently of listing.c
CREATE FUNCTION al_tap_text_form(col text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
SELECT CASE col
    WHEN 'id' THEN 'id::text'
    WHEN 'timestamp' THEN $q$to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS') || '+00:00'$q$
    WHEN 'ip' THEN $q$(host(ip) || CASE WHEN masklen(ip) = CASE family(ip) WHEN 4 THEN 32 ELSE 128 END
                                      THEN '' ELSE '/' || masklen(ip) END)$q$
    ELSE format('%I', col)
END
$$;

-- a random value of a column from the data (NULL allowed or not), as text
CREATE FUNCTION al_tap_pick(col text, allow_null boolean, text_form boolean) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    expr text := CASE WHEN text_form THEN al_tap_text_form(col)
                      WHEN col = 'timestamp' THEN $q$to_char("timestamp" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')$q$
                      -- an address as "10.0.0.1/32" or as "10.0.0.1"
                      WHEN col = 'ip' AND random() < 0.5 THEN al_tap_text_form(col)
                      ELSE format('%I::text', col) END;
    n bigint;
    result text;
BEGIN
    EXECUTE format('SELECT count(*) FROM activity_log.activity WHERE %s OR %L', format('%I IS NOT NULL', col), allow_null)
        INTO n;
    EXECUTE format('SELECT %s FROM activity_log.activity WHERE %s OR %L ORDER BY id OFFSET %s LIMIT 1',
                   expr, format('%I IS NOT NULL', col), allow_null, floor(random() * n)::int)
        INTO result;
    RETURN result;
END
$$;

-- a random filter: f for list_activity, w the oracle's WHERE clause
CREATE FUNCTION al_tap_random_filter(depth integer, OUT f jsonb, OUT w text)
LANGUAGE plpgsql AS $$
DECLARE
    cols text[] := ARRAY['action', 'user', 'collection', 'item', 'id', 'timestamp', 'ip'];
    types text[] := ARRAY['text', 'text', 'text', 'text', 'bigint', 'timestamptz', 'inet'];
    ops text[] := ARRAY['_eq', '_neq', '_lt', '_gt', '_in', '_nin', '_contains', '_icontains',
                        '_starts_with', '_null', '_nnull', '_empty'];
    i integer;
    col text;
    typ text;
    op text;
    v text;
    vals text[];
    b boolean;
    n integer;
    child record;
    other record;
    parts text[] := '{}';
    items jsonb := '[]';
    r double precision := random();
BEGIN
    IF depth < 3 AND r < 0.35 THEN
        -- _and / _or of 1 to 3 filters
        n := 1 + floor(random() * 3)::int;
        FOR i IN 1..n LOOP
            child := al_tap_random_filter(depth + 1);
            items := items || jsonb_build_array(child.f);
            parts := parts || child.w;
        END LOOP;
        IF random() < 0.5 THEN
            f := jsonb_build_object('_and', items);
            w := '(' || array_to_string(parts, ' AND ') || ')';
        ELSE
            f := jsonb_build_object('_or', items);
            w := '(' || array_to_string(parts, ' OR ') || ')';
        END IF;
        RETURN;
    END IF;

    i := 1 + floor(random() * array_length(cols, 1))::int;
    col := cols[i];
    typ := types[i];
    op := ops[1 + floor(random() * array_length(ops, 1))::int];
    CASE op
    WHEN '_eq', '_neq' THEN
        v := al_tap_pick(col, true, false);
        IF v IS NULL THEN
            f := jsonb_build_object(col, jsonb_build_object(op, NULL::text));
            w := format('%I IS %s NULL', col, CASE op WHEN '_eq' THEN '' ELSE 'NOT' END);
        ELSE
            f := jsonb_build_object(col, jsonb_build_object(op,
                    CASE WHEN col = 'id' AND random() < 0.5 THEN to_jsonb(v::bigint) ELSE to_jsonb(v) END));
            w := format('%I %s %L::%s', col, CASE op WHEN '_eq' THEN '=' ELSE '<>' END, v, typ);
        END IF;
    WHEN '_lt', '_gt' THEN
        v := al_tap_pick(col, false, false);
        f := jsonb_build_object(col, jsonb_build_object(op, v));
        w := format('%I %s %L::%s', col, CASE op WHEN '_lt' THEN '<' ELSE '>' END, v, typ);
    WHEN '_in', '_nin' THEN
        vals := '{}';
        FOR i IN 1..1 + floor(random() * 3)::int LOOP
            vals := vals || al_tap_pick(col, false, false);
        END LOOP;
        f := jsonb_build_object(col, jsonb_build_object(op, to_jsonb(vals)));
        w := format('%I %s IN (%s)', col, CASE op WHEN '_in' THEN '' ELSE 'NOT' END,
                    (SELECT string_agg(format('%L::%s', x, typ), ', ') FROM unnest(vals) x));
    WHEN '_contains', '_icontains', '_starts_with' THEN
        v := al_tap_pick(col, false, true);
        -- a piece of a real value (sometimes not from its start), so that
        -- both matches and misses happen
        IF op = '_starts_with' AND random() < 0.7 THEN
            v := substr(v, 1, 1 + floor(random() * length(v))::int);
        ELSE
            n := 1 + floor(random() * length(v))::int;
            v := substr(v, n, 1 + floor(random() * (length(v) - n + 1))::int);
        END IF;
        IF op = '_icontains' AND random() < 0.5 THEN
            v := CASE WHEN random() < 0.5 THEN upper(v) ELSE lower(v) END;
        END IF;
        f := jsonb_build_object(col, jsonb_build_object(op, v));
        w := CASE op
             WHEN '_contains' THEN format('strpos(%s, %L) > 0', al_tap_text_form(col), v)
             WHEN '_icontains' THEN format('strpos(lower(%s), lower(%L)) > 0', al_tap_text_form(col), v)
             ELSE format('left(%s, %s) = %L', al_tap_text_form(col), length(v), v)
             END;
    ELSE
        -- _null _nnull _empty
        b := random() < 0.5;
        f := jsonb_build_object(col, jsonb_build_object(op, b));
        w := CASE
             WHEN op = '_empty' AND typ = 'text' THEN format('(%I IS NULL OR %I = %L)', col, col, '')
             ELSE format('%I IS NULL', col)
             END;
        IF b = (op = '_nnull') THEN
            w := format('NOT %s', w);
        END IF;
    END CASE;
    w := '(' || w || ')';

    -- sometimes a second condition on another column in the same object
    IF random() < 0.15 THEN
        other := al_tap_random_filter(3);
        IF NOT f ?| ARRAY(SELECT jsonb_object_keys(other.f)) THEN
            f := f || other.f;
            w := '(' || w || ' AND ' || other.w || ')';
        END IF;
    END IF;
END
$$;

CREATE FUNCTION al_tap_property(runs integer, OUT mismatches integer, OUT nontrivial integer,
                                OUT first_bad text)
LANGUAGE plpgsql AS $$
DECLARE
    rf record;
    got bigint[];
    want bigint[];
    total bigint;
BEGIN
    mismatches := 0;
    nontrivial := 0;
    PERFORM setseed(0.4242);
    SELECT count(*) INTO total FROM activity_log.activity;
    FOR i IN 1..runs LOOP
        rf := al_tap_random_filter(0);
        EXECUTE format('SELECT array_agg(id ORDER BY id) FROM activity_log.activity WHERE %s', rf.w)
            INTO want;
        BEGIN
            SELECT array_agg(id ORDER BY id) INTO got
              FROM activity_log.list_activity(jsonb_build_object('filter', rf.f, 'limit', -1));
        EXCEPTION WHEN OTHERS THEN
            got := NULL;
            want := ARRAY[-1];  -- an error is always a mismatch
            IF first_bad IS NULL THEN
                first_bad := format('%s raised %s: %s', rf.f, SQLSTATE, SQLERRM);
            END IF;
        END;
        IF got IS DISTINCT FROM want THEN
            mismatches := mismatches + 1;
            IF first_bad IS NULL THEN
                first_bad := format('filter %s (oracle WHERE %s): got %s, want %s', rf.f, rf.w, got, want);
            END IF;
        END IF;
        IF cardinality(want) BETWEEN 1 AND total - 1 THEN
            nontrivial := nontrivial + 1;
        END IF;
    END LOOP;
END
$$;

CREATE TEMP TABLE al_tap_prop AS SELECT * FROM al_tap_property(300);
SELECT is(mismatches, 0,
    'property: 300 random filters match the oracle' || COALESCE(' - first mismatch: ' || first_bad, ''))
  FROM al_tap_prop;
SELECT cmp_ok(nontrivial, '>=', 100,
    'property: at least 100 of the filters select some but not all rows')
  FROM al_tap_prop;

SELECT * FROM finish();
ROLLBACK;
