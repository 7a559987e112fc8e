-- track(), untrack() and the tracked view
TRUNCATE activity_log.activity CASCADE;

SELECT "table", collection, mode, exclude, active FROM activity_log.tracked ORDER BY "table"::text;

-- collection name: table name in public, schema.table elsewhere, or as given
CREATE SCHEMA shop;
CREATE TABLE shop.orders (id bigint PRIMARY KEY, total numeric, note text);
SELECT activity_log.track('shop.orders');
CREATE TABLE pages (slug text PRIMARY KEY, body text);
SELECT activity_log.track('pages', 'cms_pages');
SELECT "table", collection FROM activity_log.tracked ORDER BY "table"::text;

-- excluded columns are neither stored nor count as a change
SELECT activity_log.track('shop.orders', exclude => '{note}');
INSERT INTO shop.orders VALUES (1, 10, 'secret');
UPDATE shop.orders SET note = 'changed secret';
UPDATE shop.orders SET total = 11, note = 'again';
SELECT action, collection, item, data, delta FROM log ORDER BY id;

-- mode 'activity': activity rows only
SELECT activity_log.track('shop.orders', mode => 'activity');
UPDATE shop.orders SET total = 12;
SELECT a.action, a.item, count(r.id) AS revisions
FROM activity_log.activity a LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection = 'shop.orders'
GROUP BY a.id, a.action, a.item ORDER BY a.id;
-- an update that changes nothing is still not logged in this mode
UPDATE shop.orders SET total = 12;
SELECT count(*) FROM activity_log.activity WHERE collection = 'shop.orders';

-- calling track() again with new options applies them (and keeps one registration)
SELECT activity_log.track('shop.orders', 'orders', 'all', '{}');
UPDATE shop.orders SET note = 'visible now';
SELECT collection, item, delta FROM log ORDER BY id DESC LIMIT 1;
SELECT "table", collection, mode, exclude FROM activity_log.tracked WHERE "table" = 'shop.orders'::regclass;

-- text keys
INSERT INTO pages VALUES ('about-us', 'Hi');
SELECT collection, item FROM log ORDER BY id DESC LIMIT 1;

-- composite keys: a JSON array of the key columns' text, in key order
CREATE TABLE translations (lang text, key_id int, label text, PRIMARY KEY (key_id, lang));
SELECT activity_log.track('translations');
INSERT INTO translations VALUES ('en', 7, 'Seven'), ('de', 7, 'Sieben');
SELECT item, (item::jsonb)->>0 AS key_id, (item::jsonb)->>1 AS lang FROM log ORDER BY id DESC LIMIT 2;

-- uuid keys
CREATE TABLE tokens (id uuid PRIMARY KEY, label text);
SELECT activity_log.track('tokens');
INSERT INTO tokens VALUES ('2d321940-69f5-445f-be6b-c773fa58a820', 't');
SELECT item FROM log ORDER BY id DESC LIMIT 1;

-- a disabled trigger shows as inactive
ALTER TABLE tokens DISABLE TRIGGER "Activity_log_capture";
SELECT collection, active FROM activity_log.tracked WHERE "table" = 'tokens'::regclass;
ALTER TABLE tokens ENABLE TRIGGER "Activity_log_capture";

-- untrack(): capture stops, history stays
SELECT count(*) AS history FROM activity_log.activity WHERE collection = 'tokens';
SELECT activity_log.untrack('tokens');
INSERT INTO tokens VALUES ('00000000-0000-0000-0000-000000000001', 'untracked');
SELECT count(*) AS history FROM activity_log.activity WHERE collection = 'tokens';
SELECT count(*) AS triggers FROM pg_trigger WHERE tgrelid = 'tokens'::regclass;
SELECT count(*) AS registered FROM activity_log.tracked WHERE "table" = 'tokens'::regclass;

-- dropping a tracked table removes its registration; its history stays
SELECT activity_log.track('tokens');
DROP TABLE tokens;
SELECT count(*) AS registered FROM activity_log.tracked WHERE collection = 'tokens';
SELECT count(*) AS history FROM activity_log.activity WHERE collection = 'tokens';

-- an excluded column that is renamed stays excluded, under its new name
CREATE TABLE accounts (id int PRIMARY KEY, name text, password_hash text);
SELECT activity_log.track('accounts', exclude => '{password_hash}');
ALTER TABLE accounts RENAME COLUMN password_hash TO pw_hash;
SELECT exclude FROM activity_log.tracked WHERE "table" = 'accounts'::regclass;
INSERT INTO accounts VALUES (1, 'ann', 'secret');
UPDATE accounts SET pw_hash = 'other';
SELECT action, data FROM log WHERE collection = 'accounts' ORDER BY id;

-- masked columns: a fixed marker instead of the value, but a change counts
CREATE TABLE members (id int PRIMARY KEY, name text, password_hash text);
SELECT activity_log.track('members', mask => ARRAY['password_hash']);
INSERT INTO members VALUES (1, 'ann', 'secret-hash-1');
UPDATE members SET password_hash = 'secret-hash-2';
UPDATE members SET password_hash = 'secret-hash-2';
SELECT action, data, delta FROM log WHERE collection = 'members' ORDER BY id;
SELECT count(*) AS leaks FROM activity_log.revisions
WHERE collection = 'members' AND (data::text LIKE '%secret%' OR delta::text LIKE '%secret%');
-- a revert leaves the masked column as it is
SELECT action FROM activity_log.revert((SELECT min(id) FROM activity_log.revisions WHERE collection = 'members'));
SELECT id, name, password_hash FROM members;
SELECT "table", exclude, mask FROM activity_log.tracked WHERE "table" = 'members'::regclass;
SELECT activity_log.track('members', mask => ARRAY['id']);
SELECT activity_log.track('members', mask => ARRAY['name'], exclude => ARRAY['name']);
SELECT activity_log.track('members', mask => ARRAY['nosuch']);

-- a trigger of the user's own with our name is refused, not taken for ours
CREATE TABLE lookalike (id int PRIMARY KEY);
CREATE FUNCTION lookalike_fn() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;
CREATE TRIGGER "Activity_log_capture" AFTER INSERT ON lookalike FOR EACH ROW EXECUTE FUNCTION lookalike_fn();
SELECT activity_log.track('lookalike');
SELECT count(*) AS registered FROM activity_log.tracked WHERE "table" = 'lookalike'::regclass;
DROP TABLE lookalike;
DROP FUNCTION lookalike_fn();

-- partitions: all of them are covered, a TRUNCATE of one partition too,
-- and a TRUNCATE of the whole table is one activity
CREATE TABLE events (id int, region text, v text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE events_eu PARTITION OF events FOR VALUES IN ('eu');
SELECT activity_log.track('events');
CREATE TABLE events_us PARTITION OF events FOR VALUES IN ('us');
-- a partition attached later, with its columns in another order
CREATE TABLE events_asia (v text, region text NOT NULL, id int NOT NULL);
ALTER TABLE events ATTACH PARTITION events_asia FOR VALUES IN ('asia');
SELECT tgrelid::regclass, tgname FROM pg_trigger
WHERE tgname LIKE 'Activity_log%' AND tgrelid::regclass::text LIKE 'events%' ORDER BY tgrelid::regclass::text, tgname;
INSERT INTO events VALUES (1, 'eu', 'a'), (2, 'us', 'b'), (3, 'asia', 'c');
-- an UPDATE that moves a row to another partition is one "update"
UPDATE events SET region = 'asia', v = 'moved' WHERE id = 1;
SELECT a.action, a.item, r.previous_item, r.delta
FROM activity_log.activity a JOIN activity_log.revisions r ON r.id = a.id
WHERE a.collection = 'events' ORDER BY a.id DESC LIMIT 1;
TRUNCATE events_us;
TRUNCATE events;
SELECT action, collection, item FROM activity_log.activity WHERE collection = 'events' ORDER BY id;
-- a detached partition is no longer tracked, and is not refused either
ALTER TABLE events DETACH PARTITION events_asia;
SELECT count(*) AS triggers_left FROM pg_trigger WHERE tgrelid = 'events_asia'::regclass;
INSERT INTO events_asia (id, region, v) VALUES (9, 'asia', 'free');
TRUNCATE events_asia;
SELECT activity_log.untrack('events');
SELECT count(*) AS triggers_left FROM pg_trigger
WHERE tgname LIKE 'Activity_log%' AND tgrelid::regclass::text LIKE 'events%';

-- errors
\set VERBOSITY default
CREATE TABLE nokey (a int);
SELECT activity_log.track('nokey');
CREATE VIEW aview AS SELECT * FROM articles;
SELECT activity_log.track('aview');
CREATE TEMP TABLE tmp (id int PRIMARY KEY);
SELECT activity_log.track('tmp');
SELECT activity_log.track('pg_class');
SELECT activity_log.track('activity_log.activity');
SELECT activity_log.track('activity_log.tracking');
SELECT activity_log.track('articles', exclude => '{nosuch}');
SELECT activity_log.track('articles', exclude => '{id}');
SELECT activity_log.track('articles', exclude => ARRAY[NULL::text]);
SELECT activity_log.track('articles', mode => 'everything');
SELECT activity_log.track('articles', mode => NULL);
SELECT activity_log.track(NULL);
SELECT activity_log.track('articles', collection => '  ');
SELECT activity_log.track('articles', collection => 'cms_pages');
SELECT activity_log.track('no_such_table');
SELECT activity_log.untrack('nokey');
CREATE TABLE parted (id int PRIMARY KEY) PARTITION BY RANGE (id);
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (100);
SELECT activity_log.track('parted_1');
CREATE SEQUENCE aseq;
SELECT activity_log.track('aseq');
\set VERBOSITY terse

-- the trigger function refuses any other use
SELECT activity_log.capture();
CREATE TABLE rogue (id int PRIMARY KEY);
CREATE TRIGGER rogue_before BEFORE INSERT ON rogue FOR EACH ROW EXECUTE FUNCTION activity_log.capture();
INSERT INTO rogue VALUES (1);
DROP TRIGGER rogue_before ON rogue;
-- a trigger on a table that was never registered fails the change (fail-closed)
CREATE TRIGGER rogue_after AFTER INSERT ON rogue FOR EACH ROW EXECUTE FUNCTION activity_log.capture();
INSERT INTO rogue VALUES (1);
SELECT count(*) FROM rogue;
DROP TABLE rogue;
