-- Generated columns: a stored one is in the row image like any column; a
-- virtual one (PostgreSQL 18 and later, where VIRTUAL is the default kind)
-- is not: it is never stored, a trigger never sees its value, and it
-- follows from the columns that are logged.  Revert writes neither kind.
-- (Before 18 the table cannot be made: expected/generated_virtual_1.out.)
CREATE TABLE gen_v (id int PRIMARY KEY, price numeric, qty int,
	total numeric GENERATED ALWAYS AS (price * qty) STORED,
	label text GENERATED ALWAYS AS ('#' || id::text || ' x' || qty::text) VIRTUAL,
	note text GENERATED ALWAYS AS ('price ' || price::text));
SELECT activity_log.track('gen_v');
INSERT INTO gen_v (id, price, qty) VALUES (1, 2.50, 4);
UPDATE gen_v SET qty = 5 WHERE id = 1;
SELECT r.data, r.delta FROM activity_log.revisions r
WHERE r.collection = 'gen_v' ORDER BY r.id;
-- back to the first revision: the stored and virtual columns follow
SELECT min(id) AS gen_create FROM activity_log.activity
WHERE collection = 'gen_v' AND action = 'create' \gset
SELECT action, item FROM activity_log.revert(:gen_create);
SELECT id, price, qty, total, label, note FROM gen_v;
SELECT a.action, r.delta FROM activity_log.activity a
JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection = 'gen_v' ORDER BY a.id DESC LIMIT 1;
SELECT activity_log.untrack('gen_v');
DROP TABLE gen_v;
