-- track(), a change of options, untrack() and the drop of a tracked table
-- are activities themselves: action track or untrack, in the collection
-- activity_log.tracking (the registry), the item the collection concerned,
-- the table and options as JSON in comment, with the usual context; a
-- track() that changes nothing records nothing.  Only admins see them.
-- (Issue 11: track, untrack and changes of options are recorded.)
--
-- Every object here is named rg_*; no activity id is printed.
CREATE ROLE rg_owner;
CREATE SCHEMA rg AUTHORIZATION rg_owner;
SELECT max(id) AS rg_start FROM activity_log.activity \gset

BEGIN;
SET LOCAL ROLE rg_owner;
CREATE TABLE rg.t (id int PRIMARY KEY, v text, secret text);
CREATE TABLE rg.gone (id int PRIMARY KEY);
SELECT activity_log.set_context('alice', '192.0.2.1', 'cli', 'migration');
SELECT activity_log.track('rg.t');
SELECT activity_log.track('rg.t');                       -- no change: not recorded
SELECT activity_log.track('rg.t', exclude => '{secret}');  -- options change
SELECT activity_log.track('rg.t', 'rg_articles', exclude => '{secret}');  -- renamed
SELECT activity_log.track('rg.gone');
-- the owner does not see the registry's activity; the table's own, yes
INSERT INTO rg.t VALUES (1, 'a', 'x');
SELECT action, collection, item FROM activity_log.activity
WHERE id > :rg_start ORDER BY id;
SELECT activity_log.untrack('rg.t');
DROP TABLE rg.gone;
COMMIT;

SELECT action, collection, item, comment, "user", ip, origin, db_user
FROM activity_log.activity
WHERE id > :rg_start AND collection = 'activity_log.tracking' ORDER BY id;
-- they are in the listing an admin reads, and filterable like any activity
SELECT action, item FROM activity_log.list_activity(
	'{"filter": {"collection": {"_eq": "activity_log.tracking"}, "item": {"_in": ["rg.t", "rg_articles", "rg.gone"]}},
	  "sort": "id", "fields": "action,item"}');
-- log() cannot write them
SELECT activity_log.log('track', 'activity_log.tracking', 'rg.t');

SET client_min_messages = warning;
DROP SCHEMA rg CASCADE;
RESET client_min_messages;
DROP ROLE rg_owner;
