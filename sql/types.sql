-- Every built-in type family, in data and delta: data equals to_jsonb() of
-- the row (but for a type with a cast to json, logged as its text: the
-- capture does not run the cast), an update of one column puts exactly that
-- column into delta, and
-- an update that rewrites the same bytes puts nothing there, also for types
-- without an equality operator (json, point, xml).  Large TOASTed values.
--
-- Every table here is named ty_*; no activity id is printed.
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET lc_monetary = 'C';
SET extra_float_digits = 1;

CREATE VIEW ty_log AS
SELECT a.id, a.action, a.collection, a.item, r.data, r.delta
FROM activity_log.activity a
LEFT JOIN activity_log.revisions r ON r.activity = a.id
WHERE a.collection LIKE 'ty\_%';

CREATE TYPE ty_mood AS ENUM ('sad', 'ok', 'happy');
-- an enum with its own cast to json: to_jsonb() uses the cast, the capture
-- does not (a cast is code the type's owner wrote): it logs the text
CREATE TYPE ty_color AS ENUM ('red', 'green');
CREATE FUNCTION ty_color_json(ty_color) RETURNS json LANGUAGE sql IMMUTABLE
	AS $$ SELECT json_build_object('color', $1::text, 'warm', $1 = 'red') $$;
CREATE CAST (ty_color AS json) WITH FUNCTION ty_color_json(ty_color);
CREATE TYPE ty_addr AS (street text, zip int, tags text[]);
CREATE TYPE ty_person AS (name text, home ty_addr, born date);
CREATE DOMAIN ty_posint AS int CHECK (VALUE > 0);
CREATE DOMAIN ty_email AS text CHECK (VALUE LIKE '%@%');
CREATE DOMAIN ty_ints AS int[];
CREATE DOMAIN ty_addr_d AS ty_addr CHECK ((VALUE).zip >= 0);

CREATE TABLE ty_all (
	id int PRIMARY KEY,
	i2 smallint, i4 int, i8 bigint, num numeric, num_s numeric(8,3), f4 real, f8 double precision,
	b boolean, t text, vc varchar(5), bp char(5), ch "char", nm name, ba bytea,
	d date, tm time, ttz timetz, ts timestamp, tstz timestamptz, iv interval,
	u uuid, j json, jb jsonb, x xml,
	ip inet, cidr_ cidr, mac macaddr, mac8 macaddr8, m money, bt bit(4), vb varbit,
	pt point, ln line, ls lseg, bx box, pa path, pg polygon, ci circle,
	tv tsvector, tq tsquery,
	r4 int4range, rn numrange, rts tstzrange, rd daterange,
	mr4 int4multirange, mrd datemultirange,
	a_i int[], a_t2 text[][], a_f float8[], a_n numeric[], a_jb jsonb[], a_b bool[],
	a_ts timestamptz[], a_lb int[], a_addr ty_addr[], a_mood ty_mood[],
	addr ty_addr, person ty_person, pos ty_posint, email ty_email, ints ty_ints,
	addr_d ty_addr_d, mood ty_mood, color ty_color,
	o oid, lsn pg_lsn, snap pg_snapshot
);
SELECT activity_log.track('ty_all');

INSERT INTO ty_all VALUES (
	1,
	32767, -2147483648, 9223372036854775807, 12345678901234567890.000000000001, 1.5, 1.25, 0.1,
	true, E'tab\there "quoted" \\ ünï', 'ab', 'ab', 'x', 'a name', '\xdeadbeef00',
	'2024-02-29', '23:59:59.999999', '12:00:00+05:30', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+02',
	'1 year 2 mons 3 days 04:05:06.789',
	'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', '{"b": 1, "a": [1, 2], "b": 3}', '{"b": 1, "a": [1, {"c": null}]}',
	'<a x="1">t &amp; u</a>',
	'192.168.0.1/24', '10.0.0.0/8', '08:00:2b:01:02:03', '08:00:2b:01:02:03:04:05', 1234.56, B'1010', B'101',
	'(1,2)', '{1,-1,0}', '[(0,0),(1,1)]', '(1,1),(0,0)', '[(0,0),(1,1),(2,0)]', '((0,0),(1,1),(1,0))', '<(0,0),1>',
	'a fat cat sat', 'fat & (rat | cat)',
	'[1,10)', '(1.5,2.5]', '[2024-01-01 00:00+00,2024-02-01 00:00+00)', '[2024-01-01,2024-02-01)',
	'{[1,3), [5,7)}', '{[2024-01-01,2024-01-05)}',
	'{1,2,NULL}', '{{a,b},{c,"d e"}}', '{1.5,-0,1e-5}', '{1.50,2}', ARRAY['{"k": 1}'::jsonb, 'null'], '{t,f,NULL}',
	'{2024-01-02 03:04:05+00}', '[0:1]={1,2}', ARRAY[ROW('Main St', 12345, '{a}')::ty_addr], '{sad,happy}',
	ROW('Main St', 12345, '{x,y}'), ROW('Ann', ROW('Side St', 1, NULL), '1990-05-06'), 42, 'ann@example.com', '{3,4}',
	ROW('Dom St', 7, '{}'), 'ok', 'red',
	4294967295, '16/B374D848', '10:20:10,14,15'
), (
	2,
	-32768, 2147483647, -9223372036854775808, 'NaN', -0.001, '-Infinity', 'NaN',
	false, '', 'abcde', 'abcde', E'\\', '', '\x',
	'infinity', '00:00', '00:00:00-12', '-infinity', 'infinity',
	'-1 days -00:00:01',
	'00000000-0000-0000-0000-000000000000', '[]', '"just a string"',
	'<empty/>',
	'::1', '2001:db8::/32', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00:00:00', -0.01, B'0000', B'',
	'(-1.5,1e+20)', '{0,1,0}', '[(1,2),(3,4)]', '(0,0),(0,0)', '((0,0),(1,1))', '((0,0))', '<(1,1),0.5>',
	'', '!a',
	'empty', '(,)', '(,2024-01-01 00:00+00]', '[2024-01-01,)',
	'{}', '{}',
	'{}', '{{NULL,"\"q\""}}', '{NaN,Infinity,-Infinity}', '{NaN,Infinity,-Infinity}', '{}', '{}',
	'{infinity,-infinity}', '[-5:-5]={9}', '{}', '{}',
	ROW(NULL, NULL, NULL), ROW(NULL, NULL, NULL), 1, '@', '{}',
	ROW(NULL, 0, NULL), 'happy', 'green',
	0, 'FFFFFFFF/FFFFFFFF', '10:10:'
), (
	3,
	NULL, NULL, NULL, 'Infinity', NULL, 'NaN', '-Infinity',
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	'-infinity', NULL, NULL, 'infinity', '-infinity', NULL,
	NULL, 'null', 'null', NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
	NULL, NULL, NULL
);

-- the row as the log shows it: to_jsonb(), with color as its text
CREATE FUNCTION ty_image(r ty_all) RETURNS jsonb LANGUAGE sql AS
	$$ SELECT to_jsonb(r) || jsonb_build_object('color', r.color::text) $$;

-- (ty_all has a column named t: its rows are called tr)
-- data of each create equals the row, and its delta equals data
SELECT tr.id, l.data = ty_image(tr) AS data_is_row, l.delta = l.data AS delta_is_data
FROM ty_all tr JOIN ty_log l ON l.collection = 'ty_all' AND l.item = tr.id::text
ORDER BY tr.id;

-- every value, as logged, for review
SELECT k.key, l1.data -> k.key AS row_1, l2.data -> k.key AS row_2, l3.data -> k.key AS row_3
FROM jsonb_object_keys((SELECT data FROM ty_log WHERE collection = 'ty_all' AND item = '1')) AS k(key),
	 (SELECT data FROM ty_log WHERE collection = 'ty_all' AND item = '1') l1,
	 (SELECT data FROM ty_log WHERE collection = 'ty_all' AND item = '2') l2,
	 (SELECT data FROM ty_log WHERE collection = 'ty_all' AND item = '3') l3
ORDER BY k.key COLLATE "C";

-- one column at a time: row 1 takes row 2's value, then row 3's; each
-- update's delta is exactly that column, its data the whole new row; an
-- update to the same value logs nothing
CREATE TABLE ty_steps (col text, step int, activities bigint, delta_keys text[],
					   delta_ok boolean, data_ok boolean);
DO $$
DECLARE
	col text;
	src int;
	before bigint;
BEGIN
	FOR col IN SELECT attname FROM pg_attribute
			   WHERE attrelid = 'ty_all'::regclass AND attnum > 1 AND NOT attisdropped
			   ORDER BY attnum
	LOOP
		FOREACH src IN ARRAY ARRAY[2, 3] LOOP
			SELECT count(*) INTO before FROM ty_log WHERE collection = 'ty_all';
			EXECUTE format('UPDATE ty_all tr SET %1$I = s.%1$I FROM ty_all s WHERE tr.id = 1 AND s.id = %2$s',
						   col, src);
			INSERT INTO ty_steps
			SELECT col, src,
				   (SELECT count(*) FROM ty_log WHERE collection = 'ty_all') - before,
				   ARRAY(SELECT jsonb_object_keys(l.delta) ORDER BY 1),
				   l.delta = jsonb_build_object(col, ty_image(tr) -> col),
				   l.data = ty_image(tr)
			FROM ty_all tr,
				 LATERAL (SELECT * FROM ty_log WHERE collection = 'ty_all' ORDER BY id DESC LIMIT 1) l
			WHERE tr.id = 1;
			-- the same value again: nothing
			EXECUTE format('UPDATE ty_all SET %1$I = %1$I WHERE id = 1', col);
			INSERT INTO ty_steps
			SELECT col, -src, (SELECT count(*) FROM ty_log WHERE collection = 'ty_all') - before - 1,
				   NULL, NULL, NULL;
		END LOOP;
	END LOOP;
END
$$;
-- every step of a value change logged one activity with the right delta and data
SELECT count(*) AS steps,
	   count(*) FILTER (WHERE activities = 1 AND delta_keys = ARRAY[col] AND delta_ok AND data_ok) AS right
FROM ty_steps WHERE step > 0;
SELECT * FROM ty_steps WHERE step > 0 AND NOT (activities = 1 AND delta_keys = ARRAY[col] AND delta_ok AND data_ok);
-- no rewrite of the same value logged anything
SELECT count(*) AS same_value_steps, count(*) FILTER (WHERE activities = 0) AS nothing_logged
FROM ty_steps WHERE step < 0;
SELECT * FROM ty_steps WHERE step < 0 AND activities <> 0;

-- all rows still equal their latest image
SELECT tr.id, l.data = ty_image(tr) AS latest_is_row
FROM ty_all tr
JOIN LATERAL (SELECT data FROM ty_log WHERE collection = 'ty_all' AND item = tr.id::text
			  ORDER BY id DESC LIMIT 1) l ON true
ORDER BY tr.id;

--------------------------------------------------------------------------
-- Numbers: specials and scales
--------------------------------------------------------------------------
CREATE TABLE ty_num (id int PRIMARY KEY, n numeric, f4 real, f8 float8);
SELECT activity_log.track('ty_num');
INSERT INTO ty_num VALUES
	(1, 'NaN', 'NaN', 'NaN'),
	(2, 'Infinity', 'Infinity', 'Infinity'),
	(3, '-Infinity', '-Infinity', '-Infinity'),
	(4, 0, '-0', '-0'),
	(5, 1.500, 3.4e38, 1e-300),
	(6, -12345678901234567890123456789.123456789, 1.1, 0.1),
	(7, 1e-20, 1e-45, 1.7976931348623157e308);
SELECT item, data, data = (SELECT to_jsonb(t) FROM ty_num t WHERE t.id::text = item) AS data_is_row
FROM ty_log WHERE collection = 'ty_num' ORDER BY id;
-- NaN -> NaN is no change; 1.500 -> 1.5 and -0 -> 0 change the stored value
UPDATE ty_num SET n = 'NaN', f4 = 'NaN', f8 = 'NaN' WHERE id = 1;
UPDATE ty_num SET n = 1.5 WHERE id = 5;
UPDATE ty_num SET f8 = 0 WHERE id = 4;
UPDATE ty_num SET n = 'Infinity', f8 = '-Infinity' WHERE id = 6;
SELECT action, item, delta FROM ty_log WHERE collection = 'ty_num' AND action = 'update' ORDER BY id;

--------------------------------------------------------------------------
-- Types without an equality operator: json, point, xml (and others)
--------------------------------------------------------------------------
CREATE TABLE ty_noeq (id int PRIMARY KEY, j json, p point, x xml, pa path, n int);
SELECT activity_log.track('ty_noeq');
INSERT INTO ty_noeq VALUES (1, '{"a": 1}', '(1,2)', '<a/>', '[(0,0),(1,1)]', 0);
UPDATE ty_noeq SET n = 1;                                   -- others unchanged: not in delta
UPDATE ty_noeq SET j = j, p = p, x = x, pa = pa;            -- nothing changes: nothing logged
UPDATE ty_noeq SET j = '{"a": 1}', p = '(1,2)', x = '<a/>'; -- same values again: nothing
UPDATE ty_noeq SET j = '{"a": 2}';                          -- changed: in delta
UPDATE ty_noeq SET p = '(1,3)', n = 2;
UPDATE ty_noeq SET x = '<b/>';
UPDATE ty_noeq SET pa = '((0,0),(1,1))';                    -- open -> closed path
-- json keeps its text: other spacing is another stored value
UPDATE ty_noeq SET j = '{"a":2}';
SELECT action, data, delta FROM ty_log WHERE collection = 'ty_noeq' ORDER BY id;
SELECT l.data = to_jsonb(t) AS latest_is_row
FROM ty_noeq t, LATERAL (SELECT data FROM ty_log WHERE collection = 'ty_noeq' ORDER BY id DESC LIMIT 1) l;
-- jsonb normalises: the same object written in another key order is no change
CREATE TABLE ty_jsonb (id int PRIMARY KEY, jb jsonb);
SELECT activity_log.track('ty_jsonb');
INSERT INTO ty_jsonb VALUES (1, '{"b": 1, "a": 2}');
UPDATE ty_jsonb SET jb = '{"a": 2, "b": 1}';
UPDATE ty_jsonb SET jb = '{"a": 2, "b": 1.0}';
SELECT action, delta FROM ty_log WHERE collection = 'ty_jsonb' ORDER BY id;

--------------------------------------------------------------------------
-- Large values: multi-MB TOASTed columns
--------------------------------------------------------------------------
CREATE TABLE ty_big (id int PRIMARY KEY, label text, body text, blob bytea, doc jsonb);
ALTER TABLE ty_big ALTER COLUMN body SET STORAGE EXTERNAL;   -- out of line, uncompressed
SELECT activity_log.track('ty_big');
INSERT INTO ty_big
SELECT 1, 'first',
	   (SELECT string_agg(md5(g::text), '') FROM generate_series(1, 100000) g),
	   (SELECT decode(string_agg(md5(g::text), ''), 'hex') FROM generate_series(1, 100000) g),
	   (SELECT jsonb_agg(jsonb_build_object('n', g, 'h', md5(g::text))) FROM generate_series(1, 40000) g);
-- the values are really stored out of line
SELECT pg_relation_size(reltoastrelid) > 4000000 AS toasted FROM pg_class WHERE oid = 'ty_big'::regclass;
SELECT length(data->>'body') AS body_chars, md5(data->>'body') = md5(t.body) AS body_same,
	   length(data->>'blob') AS blob_chars, jsonb_array_length(data->'doc') AS doc_elements,
	   data = to_jsonb(t) AS data_is_row
FROM ty_log l, ty_big t WHERE l.collection = 'ty_big' ORDER BY l.id DESC LIMIT 1;
-- an UPDATE that does not touch them does not put them into delta
UPDATE ty_big SET label = 'second';
SELECT delta, length(data->>'body') AS body_chars, data = (SELECT to_jsonb(t) FROM ty_big t) AS data_is_row
FROM ty_log WHERE collection = 'ty_big' ORDER BY id DESC LIMIT 1;
-- rewritten with the same content (a new TOAST value, same bytes): no change
UPDATE ty_big SET body = body || '', blob = blob || '\x'::bytea, doc = doc || '[]'::jsonb;
SELECT count(*) AS activities FROM ty_log WHERE collection = 'ty_big';
-- changed: in delta, whole
UPDATE ty_big SET body = body || 'END';
SELECT array(SELECT jsonb_object_keys(delta)) AS delta_keys, right(delta->>'body', 5) AS body_end,
	   length(delta->>'body') AS body_chars
FROM ty_log WHERE collection = 'ty_big' ORDER BY id DESC LIMIT 1;
-- a delete keeps the whole row
DELETE FROM ty_big;
SELECT action, length(data->>'body') AS body_chars, octet_length(data::text) > 6000000 AS whole,
	   delta IS NULL AS no_delta
FROM ty_log WHERE collection = 'ty_big' ORDER BY id DESC LIMIT 1;

-- Clean up: the registrations go with the tables, the history stays
DROP FUNCTION ty_image(ty_all);
DROP TABLE ty_all, ty_steps, ty_num, ty_noeq, ty_jsonb, ty_big;
SELECT count(*) AS registered FROM activity_log.tracking WHERE collection LIKE 'ty\_%';
DROP VIEW ty_log;
DROP CAST (ty_color AS json);
DROP FUNCTION ty_color_json(ty_color);
DROP DOMAIN ty_addr_d, ty_posint, ty_email, ty_ints;
DROP TYPE ty_person, ty_addr, ty_mood, ty_color;
