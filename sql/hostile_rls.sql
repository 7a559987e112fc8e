-- Row-level security: the log of a table with row security enabled is
-- visible only to roles that bypass the table's policies (its owner, unless
-- it forces row security on itself; BYPASSRLS roles; superusers) and to
-- admins.  A role the policies apply to sees none of that table's log on
-- any path: the activity table, the revisions view, the revision store
-- (even when granted), the listing and its counts, one activity, an
-- item's history, a point in time, revert.  The policies' own functions
-- are never called by those paths.  (Issue 11, second hole.)
--
-- Every object here is named hr_*; no activity id is printed.
CREATE ROLE hr_owner;
CREATE ROLE hr_alice;
CREATE ROLE hr_bob;
CREATE ROLE hr_bypass BYPASSRLS;
CREATE ROLE hr_admin IN ROLE activity_log_admin;
CREATE SCHEMA hr AUTHORIZATION hr_owner;
GRANT USAGE ON SCHEMA hr TO PUBLIC;

SET ROLE hr_owner;
CREATE TABLE hr.calls (who text);
GRANT INSERT ON hr.calls TO PUBLIC;
-- a policy through a function that records whoever evaluates it
CREATE FUNCTION hr.mine(tenant text) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO hr.calls VALUES (current_user);
	RETURN tenant = current_user;
END
$$;
CREATE TABLE hr.notes (id int PRIMARY KEY, tenant text, body text);
CREATE TABLE hr.plain (id int PRIMARY KEY, body text);
GRANT SELECT, INSERT, UPDATE, DELETE ON hr.notes, hr.plain TO hr_alice, hr_bob, hr_bypass;
ALTER TABLE hr.notes ENABLE ROW LEVEL SECURITY;
CREATE POLICY tenant ON hr.notes USING (hr.mine(tenant));
SELECT activity_log.track('hr.notes');
SELECT activity_log.track('hr.plain');
RESET ROLE;

SET ROLE hr_alice;
INSERT INTO hr.notes VALUES (1, 'hr_alice', 'alice secret');
INSERT INTO hr.plain VALUES (1, 'alice plain');
RESET ROLE;
SET ROLE hr_bob;
INSERT INTO hr.notes VALUES (2, 'hr_bob', 'bob secret');
UPDATE hr.notes SET body = 'bob secret 2' WHERE id = 2;
RESET ROLE;
-- a mistaken grant on the store behind the revisions view
GRANT SELECT ON activity_log.revision_store TO hr_alice;

-- alice reads her own row directly, and nothing of the log of hr.notes
DELETE FROM hr.calls;
SET ROLE hr_alice;
SELECT id, body FROM hr.notes ORDER BY id;
SELECT count(*) AS activity_rows FROM activity_log.activity WHERE collection = 'hr.notes';
SELECT count(*) AS revision_rows FROM activity_log.revisions WHERE collection = 'hr.notes';
SELECT count(*) AS store_rows FROM activity_log.revision_store;
SELECT count(*) AS listed
FROM activity_log.list_activity('{"filter": {"collection": {"_eq": "hr.notes"}}}');
SELECT activity_log.activity_json('{"filter": {"collection": {"_eq": "hr.notes"}},
	"meta": "*", "fields": "id"}') AS json_with_counts;
SELECT count(*) AS history_of_bob FROM activity_log.item_history('hr.notes', '2');
SELECT activity_log.item_at('hr.notes', '2', now()) AS bob_now;
-- the collection she may read without a policy stays visible
SELECT action, collection, item FROM activity_log.list_activity(
	'{"filter": {"collection": {"_eq": "hr.plain"}}, "fields": "action,collection,item"}');
SELECT r.data FROM activity_log.revisions r WHERE r.collection = 'hr.plain';
SELECT count(*) AS store_rows_plain FROM activity_log.revision_store s
	JOIN activity_log.activity a ON a.id = s.activity WHERE a.collection = 'hr.plain';
RESET ROLE;
-- only alice's own SELECT evaluated the policy (once per row)
SELECT who, count(*) AS policy_calls FROM hr.calls GROUP BY who;

-- one activity and revert of a hidden revision: as if it did not exist
SELECT max(id) AS hr_bob_update FROM activity_log.activity
	WHERE collection = 'hr.notes' AND action = 'update' \gset
SET ROLE hr_alice;
SELECT try_sql(format('SELECT activity_log.get_activity(%s)', :hr_bob_update)) AS get_activity;
SELECT try_sql(format('SELECT activity_log.activity_json(%s::bigint)', :hr_bob_update)) AS activity_json;
SELECT try_sql(format('SELECT activity_log.revert(%s)', :hr_bob_update)) AS revert;
-- nor may she comment on the table whose log she cannot read
SELECT try_sql($$SELECT activity_log.create_comment('hr.notes', '1', 'mine')$$) AS comment;
RESET ROLE;

-- the roles that bypass the policies see the whole log of the table
SET ROLE hr_owner;
SELECT action, item FROM activity_log.activity WHERE collection = 'hr.notes' ORDER BY id;
RESET ROLE;
SET ROLE hr_bypass;
SELECT count(*) AS bypass_sees FROM activity_log.revisions WHERE collection = 'hr.notes';
RESET ROLE;
SET ROLE hr_admin;
SELECT count(*) AS admin_sees FROM activity_log.list_activity(
	'{"filter": {"collection": {"_eq": "hr.notes"}}}');
RESET ROLE;

-- a filter runs only on rows the caller may see: the plan evaluates it
-- inside a CASE on the visibility rule, so its cost never depends on hidden
-- rows; only equalities on collection and item come first, for the index
SET ROLE hr_alice;
SELECT bool_and(e LIKE '%CASE WHEN (collection = ANY (%') AS filter_after_visibility,
	count(*) AS filter_lines
FROM activity_log.explain_activity('{"filter": {"comment": {"_contains": "x"},
	"user_agent": {"_nnull": true}}, "search": "y"}') e
WHERE e LIKE '%~~%' OR e LIKE '%user_agent%';
SET enable_seqscan = off;
SELECT * FROM activity_log.explain_activity('{"filter": {"collection": {"_eq": "hr.plain"},
	"item": {"_eq": "1"}, "comment": {"_null": true}}, "limit": -1}');
-- (lists of keys: where the index takes them differs between majors)
SELECT count(*) FILTER (WHERE e LIKE '%Index Scan using activity_collection_item_idx%') AS index_scans,
	bool_and(e NOT LIKE '%Filter:%' OR e LIKE '%CASE WHEN (collection = ANY (%') AS filter_after_visibility
FROM activity_log.explain_activity('{"filter": {"collection": {"_in": ["hr.plain", "hr.notes"]},
	"item": {"_in": ["1", "2"]}, "_or": [{"item": {"_eq": "1"}}, {"id": {"_lt": 0}}]}, "limit": -1}') e;
RESET enable_seqscan;
-- an equality inside _or is no key: both branches still count
SELECT action, collection, item FROM activity_log.list_activity(
	'{"filter": {"_or": [{"collection": {"_eq": "hr.plain"}}, {"collection": {"_eq": "hr.notes"}}]},
	  "fields": "action,collection,item"}');
SELECT activity_log.activity_json('{"filter": {"item": {"_eq": "1"}, "comment": {"_null": true}},
	"meta": "*", "fields": "collection"}') AS counted_after_visibility;
RESET ROLE;

-- an owner that forces row security on itself is a role the policies
-- apply to: it sees no log either
ALTER TABLE hr.notes FORCE ROW LEVEL SECURITY;
SET ROLE hr_owner;
SELECT count(*) AS forced_owner_sees FROM activity_log.activity WHERE collection = 'hr.notes';
RESET ROLE;
ALTER TABLE hr.notes NO FORCE ROW LEVEL SECURITY;

-- disabling row security on the table shows the log to its readers again
ALTER TABLE hr.notes DISABLE ROW LEVEL SECURITY;
SET ROLE hr_alice;
SELECT count(*) AS after_disable FROM activity_log.activity WHERE collection = 'hr.notes';
RESET ROLE;

REVOKE SELECT ON activity_log.revision_store FROM hr_alice;
SELECT activity_log.untrack('hr.notes');
SELECT activity_log.untrack('hr.plain');
SET client_min_messages = warning;
DROP SCHEMA hr CASCADE;
RESET client_min_messages;
DROP ROLE hr_owner;
DROP ROLE hr_alice;
DROP ROLE hr_bob;
DROP ROLE hr_bypass;
DROP ROLE hr_admin;
