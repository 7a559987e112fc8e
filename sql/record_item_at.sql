-- item_at() is the state of the row that had that key at that time; a key
-- given up by one row and taken by another does not mix the two.
-- (Issue 10, case 8.)
--
-- Every table here is named ri_*.
CREATE TABLE ri_k (id int PRIMARY KEY, v text);
SELECT activity_log.track('ri_k');

INSERT INTO ri_k VALUES (1, 'a');
UPDATE ri_k SET id = 2 WHERE id = 1;
INSERT INTO ri_k VALUES (1, 'b');
UPDATE ri_k SET v = 'a2' WHERE id = 2;

SELECT id, to_jsonb(k) AS live, activity_log.item_at('ri_k', id::text, now()) AS item_at
FROM ri_k k ORDER BY id;

DELETE FROM ri_k WHERE id = 2;
SELECT activity_log.item_at('ri_k', '1', now()) AS one,
	   activity_log.item_at('ri_k', '2', now()) AS two;

-- a key given up and not taken again: gone from then on
INSERT INTO ri_k VALUES (5, 'five');
UPDATE ri_k SET id = 6 WHERE id = 5;
SELECT activity_log.item_at('ri_k', '5', now()) AS five,
	   activity_log.item_at('ri_k', '6', now()) AS six;

-- two keys swapped through a third
INSERT INTO ri_k VALUES (7, 'seven'), (8, 'eight');
UPDATE ri_k SET id = 9 WHERE id = 7;
UPDATE ri_k SET id = 7 WHERE id = 8;
UPDATE ri_k SET id = 8 WHERE id = 9;
SELECT id, v, activity_log.item_at('ri_k', id::text, now()) ->> 'v' AS item_at_v
FROM ri_k WHERE id IN (7, 8) ORDER BY id;
SELECT activity_log.item_at('ri_k', '9', now()) AS nine;

-- a deleted row brought back by revert() continues its history
DELETE FROM ri_k WHERE id = 6;
SELECT action, item FROM activity_log.revert((SELECT max(revision)
	FROM activity_log.item_history('ri_k', '6') WHERE action = 'update'));
UPDATE ri_k SET v = 'five again' WHERE id = 5;
SELECT action, item, previous_item, data ->> 'v' AS v
FROM activity_log.item_history('ri_k', '5') ORDER BY revision;

-- the history of an item follows its row back through key changes, and
-- does not take in the rows that had its key before or after
SELECT action, item, previous_item, data ->> 'v' AS v
FROM activity_log.item_history('ri_k', '1') ORDER BY revision;
SELECT action, item, previous_item, data ->> 'v' AS v
FROM activity_log.item_history('ri_k', '6') ORDER BY revision;
SELECT action, item, previous_item, data ->> 'v' AS v
FROM activity_log.item_history('ri_k', '8') ORDER BY revision;

-- TRUNCATE leaves no revision, but no row has the key after it
CREATE TABLE ri_tr (id int PRIMARY KEY, v text);
SELECT activity_log.track('ri_tr');
INSERT INTO ri_tr VALUES (1, 'before'), (2, 'before');
TRUNCATE ri_tr;
INSERT INTO ri_tr VALUES (2, 'after');
SELECT activity_log.item_at('ri_tr', '1', now()) AS one,
	   activity_log.item_at('ri_tr', '2', now()) AS two;

DROP TABLE ri_k, ri_tr;
