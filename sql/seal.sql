-- Tamper evidence: seal() chains the log, verify() finds what changed
-- behind the extension's back.  (The superuser below plays the attacker:
-- only a superuser can write the log tables directly.)
CREATE TABLE sealed (id int PRIMARY KEY, t text);
SELECT activity_log.track('sealed');
INSERT INTO sealed SELECT g, 't' || g FROM generate_series(1, 20) g;
UPDATE sealed SET t = t || '!' WHERE id <= 5;
SELECT id AS first FROM activity_log.activity WHERE collection = 'sealed' ORDER BY id LIMIT 1 \gset
SELECT id AS comment FROM activity_log.create_comment('sealed', '1', 'hi') \gset

SELECT activity_log.seal() > 0 AS sealed_some;
SELECT activity_log.seal() AS nothing_new;
SELECT * FROM activity_log.verify();
-- a link seals activities by digest, and hashes the link before it
SELECT count(*) > 0 AS links,
	   bool_and(length(digests) = 32 * cardinality(activities)) AS a_digest_each,
	   bool_and(length(hash) = 32) AS hashed
FROM activity_log.seals;

-- an edited activity, an edited revision, a deleted row, a row slipped in
BEGIN;
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id = :first + 3;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
UPDATE activity_log.revision_store SET data = '{"id": 2, "t": "forged"}' WHERE activity = :first + 1;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
DELETE FROM activity_log.activity WHERE id = :first + 7;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
-- every problem is reported, not only the first
BEGIN;
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id IN (:first + 3, :first + 9);
DELETE FROM activity_log.activity WHERE id = :first + 7;
SELECT activity - :first AS at, problem FROM activity_log.verify();
ROLLBACK;
-- covering the deletion in its link breaks the link's hash
BEGIN;
DELETE FROM activity_log.activity WHERE id = :first + 7;
UPDATE activity_log.seals
SET activities = array_remove(activities, (:first + 7)::bigint),
	digests = substr(digests, 1, 32 * (array_position(activities, (:first + 7)::bigint) - 1))
		|| substr(digests, 32 * array_position(activities, (:first + 7)::bigint) + 1)
WHERE (:first + 7)::bigint = ANY (activities);
SELECT problem FROM activity_log.verify();
ROLLBACK;
-- an id handed out to a transaction that rolled back, then used behind our back
BEGIN;
INSERT INTO sealed VALUES (100, 'rolled back');
SELECT max(id) AS gap FROM activity_log.activity \gset
ROLLBACK;
INSERT INTO sealed VALUES (101, 'kept');
SELECT activity_log.seal();
BEGIN;
INSERT INTO activity_log.activity (id, action, collection, item, db_user, transaction)
	VALUES (:gap, 'create', 'sealed', '100', 'x', '1');
SELECT activity = :gap AS in_the_gap, problem FROM activity_log.verify();
ROLLBACK;
-- whatever its id: zero, negative
BEGIN;
INSERT INTO activity_log.activity (id, action, collection, item, db_user, transaction)
	VALUES (0, 'create', 'sealed', '0', 'x', '1'), (-5, 'create', 'sealed', '-5', 'x', '1');
SELECT activity, problem FROM activity_log.verify();
-- and seal() does not seal them
SELECT activity_log.seal() AS sealed_after_forgery;
SELECT activity, problem FROM activity_log.verify();
ROLLBACK;
SELECT * FROM activity_log.verify();

-- a link taken out of the chain
INSERT INTO sealed VALUES (102, 'x');
SELECT activity_log.seal();
INSERT INTO sealed VALUES (103, 'y');
SELECT activity_log.seal();
SELECT max(seal) AS last_link FROM activity_log.seals \gset
BEGIN;
DELETE FROM activity_log.seals WHERE seal = :last_link - 1;
SELECT activity > 0 AS has_activity, problem FROM activity_log.verify();
ROLLBACK;

-- the extension's own changes keep the chain valid, and comment edits
-- change no link: every hash stays what it was
SELECT string_agg(encode(hash, 'hex'), ',' ORDER BY seal) AS hashes_before
FROM activity_log.seals \gset
SELECT comment FROM activity_log.update_comment(:comment, 'edited');
SELECT * FROM activity_log.verify();
SELECT comment FROM activity_log.update_comment(:comment, 'edited twice');
SELECT * FROM activity_log.verify();
-- the edits are activities, and recorded with the text they replaced
SELECT a.action, a.comment, e.comment = :comment AS of_the_comment, e.previous
FROM activity_log.activity a JOIN activity_log.comment_edits e ON e.activity = a.id
WHERE e.comment = :comment ORDER BY a.id;
-- behind the extension's back: the text, an edit record, the comment
BEGIN;
UPDATE activity_log.activity SET comment = 'forged' WHERE id = :comment;
SELECT activity = :comment AS the_comment, problem FROM activity_log.verify();
ROLLBACK;
SELECT activity_log.seal() AS edits_sealed;
BEGIN;
UPDATE activity_log.comment_edits SET previous = 'forged' WHERE comment = :comment;
SELECT activity = :comment AS the_comment, problem FROM activity_log.verify();
ROLLBACK;
BEGIN;
DELETE FROM activity_log.activity WHERE id = :comment;
SELECT activity = :comment AS the_comment, problem FROM activity_log.verify();
ROLLBACK;
SELECT activity_log.delete_comment(:comment);
SELECT * FROM activity_log.verify();
SELECT string_agg(encode(hash, 'hex'), ',' ORDER BY seal) = :'hashes_before' AS no_hash_changed
FROM activity_log.seals WHERE seal <= :last_link;
SELECT activity_log.seal() AS delete_sealed;
SELECT * FROM activity_log.verify();
-- retention deletes sealed rows: it reseals what comes after them
SELECT activity_log.prune_revisions(1) > 0 AS pruned;
SELECT * FROM activity_log.verify();

-- ... and refuses to work on a chain that does not verify
UPDATE activity_log.activity SET "user" = 'mallory' WHERE id = :first + 3;
SELECT activity_log.prune_revisions(1);
UPDATE activity_log.activity SET "user" = 'postgres' WHERE id = :first + 3;
SELECT * FROM activity_log.verify();

-- what a digest is: SHA-256 of record_send() of the activity's columns
-- (an auditor can recompute it in SQL, with client_encoding the database's);
-- seal() makes the same bytes in C, and row_digest() is the same function
CREATE TABLE sealed_kinds (id int PRIMARY KEY, j jsonb, n numeric, t text);
SELECT activity_log.track('sealed_kinds');
BEGIN;
SELECT activity_log.set_context('zoë', '2001:db8::7', E'agent "q" \\ \t', 'app');
INSERT INTO sealed_kinds VALUES
	(1, '{"a": {"b": [1, [2, []], {}], "c": null}, "d": "q\"uo\\te/sl\u00e9\u2028"}', 1.50, E'caf\u00e9'),
	(2, to_jsonb(E'ctl\x01\x1f\x7f\b\f\n\r\t end'::text), -0, ''),
	(3, '[[[]], [{}], "a", 1e-7, null, true, 12345678901234567890.123456789]', NULL, NULL),
	(4, jsonb_build_object(E'k\t', repeat('ü', 300), '', '"\ud83d\ude00"'), 'NaN', repeat('x', 3000));
UPDATE sealed_kinds SET j = '{}', n = n * 2 WHERE id <= 2;
COMMIT;
SELECT id AS kinds_comment FROM activity_log.create_comment('sealed_kinds', '1', E'first \u00e9') \gset
SELECT (activity_log.update_comment(:kinds_comment, 'second')).comment AS edited;
SELECT activity_log.seal() > 0 AS sealed_kinds;
WITH d AS (
	SELECT u.id, substring(l.digests FROM (u.n::int - 1) * 32 + 1 FOR 32) AS digest
	FROM activity_log.seals l, unnest(l.activities) WITH ORDINALITY u(id, n)
), c AS (
	SELECT d.digest, a.id, a.action, a."user", a."timestamp", a.ip, a.user_agent,
		a.origin, a.collection, a.item,
		CASE WHEN a.action = 'comment' THEN
			COALESCE((SELECT e.previous FROM activity_log.comment_edits e
				WHERE e.comment = a.id ORDER BY e.activity LIMIT 1), a.comment)
		ELSE a.comment END AS first_comment,
		a.db_user, a.transaction, r.op, r.parent, r.data, r.delta,
		r.previous_item, s.comment AS edited, s.previous
	FROM d JOIN activity_log.activity a ON a.id = d.id
	LEFT JOIN activity_log.revision_store r ON r.activity = a.id
	LEFT JOIN activity_log.comment_edits s ON s.activity = a.id
)
SELECT count(*) > 40 AS sealed,
	count(*) FILTER (WHERE digest = sha256(record_send(ROW(id, action, "user",
		"timestamp", ip, user_agent, origin, collection, item, first_comment,
		db_user, transaction, op, parent, data, delta, previous_item, edited,
		previous)))) = count(*) AS all_as_record_send,
	count(*) FILTER (WHERE digest = activity_log.row_digest(id, action, "user",
		"timestamp", ip, user_agent, origin, collection, item, first_comment,
		db_user, transaction, op, parent, data, delta, previous_item, edited,
		previous)) = count(*) AS all_as_row_digest,
	count(*) FILTER (WHERE collection = 'sealed_kinds' AND ip IS NOT NULL) AS with_address
FROM c;
-- the JSON text of a revision, made in C, is jsonb's own output, byte for
-- byte: 3,000 random documents (escapes, control characters, non-ASCII,
-- numbers, nesting)
SELECT setseed(0.42);
WITH v AS (
	SELECT jsonb_build_object(
		'k' || chr(1 + (random() * 126)::int),
		chr(1 + (random() * 200)::int) || repeat(chr(1 + (random() * 8191)::int), (random() * 5)::int),
		'n', round((random() - 0.5)::numeric * (10::numeric ^ (random() * 30)::int), (random() * 8)::int),
		'a', jsonb_build_array(random() < 0.5, NULL, chr(1 + (random() * 31)::int), '[]'::jsonb,
			jsonb_build_object(chr(1 + (random() * 94)::int), repeat('\"', (random() * 3)::int))),
		'o', '{}'::jsonb) AS j
	FROM generate_series(1, 3000)
)
SELECT count(*) AS documents,
	count(*) FILTER (WHERE activity_log.row_digest(j) = sha256(record_send(ROW(j)))) AS same
FROM v;
-- the session's client encoding changes no digest: sealed in LATIN1,
-- verified in UTF8
INSERT INTO sealed_kinds VALUES (5, '{"é": "ü"}', 5, E'\u00e9t\u00e9');
SET client_encoding = 'LATIN1';
SELECT activity_log.seal() AS sealed_in_latin1;
RESET client_encoding;
SELECT * FROM activity_log.verify();
SELECT activity_log.row_digest(VARIADIC ARRAY[1, 2]);
SELECT activity_log.untrack('sealed_kinds');

-- only admins seal and verify
CREATE ROLE al_regress_auditor;
SET ROLE al_regress_auditor;
SELECT activity_log.seal();
SELECT * FROM activity_log.verify();
RESET ROLE;
GRANT activity_log_admin TO al_regress_auditor;
SET ROLE al_regress_auditor;
SELECT activity_log.seal() >= 0 AS admin_seals;
SELECT count(*) AS problems FROM activity_log.verify();
RESET ROLE;
DROP ROLE al_regress_auditor;
