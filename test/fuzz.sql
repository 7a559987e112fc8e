-- test/fuzz.sql: a varied schema (most built-in types, partitions, an
-- attached partition with another column layout, sub-partitions,
-- inheritance, generated and identity columns, composite and uuid keys,
-- foreign keys with actions), every table of it tracked, and a few hundred
-- random statements against it (random() seeded with setseed(), so a run is
-- reproducible).  Then the log is compared with the tables:
--
--   * the latest revision of every existing row equals to_jsonb(row), minus
--     excluded columns, and no existing row lacks a revision;
--   * every key that is gone was last deleted (or moved away by a key
--     change);
--   * every update's delta, applied to the previous revision of the row,
--     gives its data (no change missed, none invented);
--   * statements rolled back left nothing in the log.
--
-- Halfway, columns are added, dropped, renamed and retyped, and the checks
-- run again after more random statements.
--
-- Everything happens in one transaction that is rolled back.

BEGIN;
SET LOCAL client_min_messages = warning;
SET LOCAL timezone = 'UTC';

SELECT plan(23);

-- The schema ---------------------------------------------------------------

CREATE SCHEMA fz;
CREATE TYPE fz.mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE fz.pair AS (name text, n int);
CREATE DOMAIN fz.posint AS int CHECK (VALUE > 0);
CREATE SEQUENCE fz.keys START 1000000;

CREATE TABLE fz.types (
    id int PRIMARY KEY DEFAULT nextval('fz.keys'),
    i2 smallint, i8 bigint, num numeric, f4 real, f8 float8, b boolean,
    t text, vc varchar(40), bp char(4), ba bytea,
    d date, ts timestamp, tstz timestamptz, iv interval, u uuid,
    j json, jb jsonb, x xml, ip inet, mac macaddr, m money, vb varbit,
    pt point, bx box, tv tsvector, nr numrange, mr int4multirange,
    ai int[], at2 text[], mood fz.mood, pair fz.pair, pos fz.posint, pairs fz.pair[],
    secret text,
    dropme text DEFAULT 'to be dropped',
    renameme int DEFAULT 0
);

CREATE TABLE fz.part (id int, region text, v text, n numeric, doc jsonb,
                      PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE fz.part_eu PARTITION OF fz.part FOR VALUES IN ('eu');
CREATE TABLE fz.part_us (junk int, doc jsonb, n numeric, v text, region text NOT NULL, id int NOT NULL);
ALTER TABLE fz.part_us DROP COLUMN junk;
CREATE TABLE fz.part_other PARTITION OF fz.part DEFAULT PARTITION BY RANGE (id);
CREATE TABLE fz.part_other_lo PARTITION OF fz.part_other FOR VALUES FROM (MINVALUE) TO (500);
CREATE TABLE fz.part_other_hi PARTITION OF fz.part_other FOR VALUES FROM (500) TO (MAXVALUE);

CREATE TABLE fz.parent (id int PRIMARY KEY DEFAULT nextval('fz.keys'), v text, n int);
CREATE TABLE fz.child (extra jsonb, PRIMARY KEY (id)) INHERITS (fz.parent);

CREATE TABLE fz.gen (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    s serial,
    price numeric(10, 2),
    qty int,
    total numeric GENERATED ALWAYS AS (price * qty) STORED,
    note text
);

CREATE TABLE fz.comp (a int, b text, v text, PRIMARY KEY (a, b));
CREATE TABLE fz.uuidt (id uuid PRIMARY KEY, payload text, n int);

CREATE TABLE fz.fk_parent (id int PRIMARY KEY, name text);
CREATE TABLE fz.fk_child (id int PRIMARY KEY DEFAULT nextval('fz.keys'),
                          parent_id int REFERENCES fz.fk_parent ON DELETE CASCADE ON UPDATE CASCADE,
                          v text);
CREATE TABLE fz.fk_setnull (id int PRIMARY KEY DEFAULT nextval('fz.keys'),
                            parent_id int REFERENCES fz.fk_parent ON DELETE SET NULL,
                            v text);

CREATE TABLE fz.act (id int PRIMARY KEY, v text);

-- Track every table of the schema (partitions are covered by their root;
-- fz.part_us is attached to it after that)
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN SELECT c.oid, c.relname FROM pg_class c
             WHERE c.relnamespace = 'fz'::regnamespace AND c.relkind IN ('r', 'p')
               AND NOT c.relispartition AND c.relname <> 'part_us'
             ORDER BY c.relname
    LOOP
        PERFORM activity_log.track(r.oid,
            mode => CASE r.relname WHEN 'act' THEN 'activity' ELSE 'all' END,
            exclude => CASE r.relname WHEN 'types' THEN ARRAY['secret'] ELSE '{}' END);
    END LOOP;
END
$$;
ALTER TABLE fz.part ATTACH PARTITION fz.part_us FOR VALUES IN ('us');

SELECT is((SELECT count(*)::int FROM activity_log.tracked WHERE collection LIKE 'fz.%'), 11,
    'every table of the schema is tracked (partitions through their root)');

-- Random values -------------------------------------------------------------

CREATE FUNCTION fz.maybe_null(v anyelement) RETURNS anyelement LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.1 THEN NULL ELSE v END $$;
CREATE FUNCTION fz.rtext() RETURNS text LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.03   -- hard to compress: stored out of line
               THEN (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 20000))
               WHEN random() < 0.1 THEN E'quote " backslash \\ tab \t ünï'
               ELSE md5(random()::text) END $$;
CREATE FUNCTION fz.rnum() RETURNS numeric LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.05 THEN 'NaN'::numeric
               WHEN random() < 0.05 THEN 'Infinity'::numeric
               WHEN random() < 0.05 THEN '-Infinity'::numeric
               ELSE round((random() * 2000000 - 1000000)::numeric, (random() * 6)::int) END $$;
CREATE FUNCTION fz.rfloat() RETURNS float8 LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.05 THEN 'NaN'::float8
               WHEN random() < 0.05 THEN 'Infinity'::float8
               WHEN random() < 0.05 THEN '-Infinity'::float8
               ELSE (random() - 0.5) * 10 ^ ((random() * 40)::int - 20) END $$;
CREATE FUNCTION fz.rts() RETURNS timestamptz LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.05 THEN 'infinity'::timestamptz
               WHEN random() < 0.05 THEN '-infinity'::timestamptz
               ELSE '2020-01-01'::timestamptz + random() * interval '2000 days' END $$;
CREATE FUNCTION fz.rjsonb() RETURNS jsonb LANGUAGE sql VOLATILE AS
$$ SELECT CASE WHEN random() < 0.2 THEN to_jsonb(random())
               ELSE jsonb_build_object('k', md5(random()::text), 'n', random(),
                                       'a', jsonb_build_array(1, 'x', NULL, jsonb_build_object('z', random() < 0.5)))
          END $$;

-- one random statement on one table; p is the kind of statement
CREATE FUNCTION fz.one(tab int, p float8) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    k int;
    kk uuid;
BEGIN
    CASE tab
    WHEN 0 THEN   -- fz.types
        IF p < 0.3 THEN
            INSERT INTO fz.types (i2, i8, num, f4, f8, b, t, vc, bp, ba, d, ts, tstz, iv, u, j, jb, x,
                                  ip, mac, m, vb, pt, bx, tv, nr, mr, ai, at2, mood, pair, pos, pairs, secret)
            SELECT fz.maybe_null((random() * 60000 - 30000)::int::smallint),
                   fz.maybe_null((random() * 1e18)::bigint),
                   fz.maybe_null(fz.rnum()),
                   fz.maybe_null(fz.rfloat()::real),
                   fz.maybe_null(fz.rfloat()),
                   fz.maybe_null(random() < 0.5),
                   fz.maybe_null(fz.rtext()),
                   fz.maybe_null(left(md5(random()::text), 40)),
                   fz.maybe_null(left(md5(random()::text), (random() * 4)::int)),
                   fz.maybe_null(decode(md5(random()::text), 'hex')),
                   fz.maybe_null(fz.rts()::date),
                   fz.maybe_null(fz.rts()::timestamp),
                   fz.maybe_null(fz.rts()),
                   fz.maybe_null(make_interval(days => (random() * 100)::int, secs => random() * 1000)),
                   fz.maybe_null(md5(random()::text)::uuid),
                   fz.maybe_null(json_build_object('a', random(), 'b', ARRAY[1, 2])),
                   fz.maybe_null(fz.rjsonb()),
                   fz.maybe_null(xmlelement(name item, xmlattributes(random() AS r), md5(random()::text))),
                   fz.maybe_null(('10.' || (random() * 255)::int || '.' || (random() * 255)::int || '.1/'
                                  || (8 + (random() * 24)::int))::inet),
                   fz.maybe_null('08:00:2b:01:02:03'::macaddr),
                   fz.maybe_null((random() * 10000)::numeric(10, 2)::money),
                   fz.maybe_null(B'10110'::varbit),
                   fz.maybe_null(point(random(), random() * 1e6)),
                   fz.maybe_null(box(point(random(), random()), point(random(), random()))),
                   fz.maybe_null(to_tsvector('simple', md5(random()::text) || ' fat cat')),
                   fz.maybe_null(numrange(round(random()::numeric, 2), round(1 + random()::numeric, 2))),
                   fz.maybe_null(int4multirange(int4range(1, 3), int4range((4 + random() * 5)::int, 20))),
                   fz.maybe_null(ARRAY[(random() * 10)::int, NULL, 3]),
                   fz.maybe_null(ARRAY[ARRAY['a', md5(random()::text)], ARRAY[NULL, 'd e']]),
                   fz.maybe_null((ARRAY['sad', 'ok', 'happy'])[1 + (random() * 2)::int]::fz.mood),
                   fz.maybe_null(ROW(md5(random()::text), (random() * 100)::int)::fz.pair),
                   fz.maybe_null((1 + random() * 100)::int::fz.posint),
                   fz.maybe_null(ARRAY[ROW('x', 1)::fz.pair, ROW(NULL, NULL)::fz.pair]),
                   md5(random()::text)
            FROM generate_series(1, 1 + (random() * 2)::int);
        ELSIF p < 0.5 THEN
            SELECT id INTO k FROM fz.types ORDER BY random() LIMIT 1;
            UPDATE fz.types SET num = fz.rnum(), jb = fz.rjsonb(), t = fz.maybe_null(fz.rtext()) WHERE id = k;
        ELSIF p < 0.6 THEN
            SELECT id INTO k FROM fz.types ORDER BY random() LIMIT 1;
            UPDATE fz.types SET f8 = fz.rfloat(), f4 = fz.rfloat(), tstz = fz.rts(), pt = point(random(), 1),
                                x = xmlelement(name y, md5(random()::text)), j = json_build_array(random())
            WHERE id = k;
        ELSIF p < 0.65 THEN   -- only the excluded column: nothing to log
            UPDATE fz.types SET secret = md5(random()::text) WHERE id % 3 = (random() * 2)::int;
        ELSIF p < 0.7 THEN    -- nothing changes: nothing to log
            UPDATE fz.types SET t = t, jb = jb, x = x, pt = pt WHERE id % 2 = 0;
        ELSIF p < 0.8 THEN    -- the key changes
            SELECT id INTO k FROM fz.types ORDER BY random() LIMIT 1;
            UPDATE fz.types SET id = nextval('fz.keys'), mood = 'happy' WHERE id = k;
        ELSIF p < 0.9 THEN
            SELECT id INTO k FROM fz.types ORDER BY random() LIMIT 1;
            DELETE FROM fz.types WHERE id = k;
        ELSE                  -- upsert: an existing key or a new one
            SELECT CASE WHEN random() < 0.5 THEN id ELSE nextval('fz.keys') END INTO k
              FROM fz.types ORDER BY random() LIMIT 1;
            INSERT INTO fz.types (id, t, ai) VALUES (coalesce(k, nextval('fz.keys')), fz.rtext(), ARRAY[1])
            ON CONFLICT (id) DO UPDATE SET t = excluded.t, ai = fz.types.ai || 4;
        END IF;
    WHEN 1 THEN   -- fz.part: partitions, moves between them
        IF p < 0.3 THEN
            INSERT INTO fz.part
            SELECT nextval('fz.keys') % 1000, (ARRAY['eu', 'us', 'af', 'asia'])[1 + (random() * 3)::int],
                   fz.rtext(), fz.rnum(), fz.maybe_null(fz.rjsonb())
            FROM generate_series(1, 1 + (random() * 3)::int)
            ON CONFLICT DO NOTHING;
        ELSIF p < 0.5 THEN    -- to another region (partition), maybe with another id
            UPDATE fz.part SET region = (ARRAY['eu', 'us', 'af', 'asia'])[1 + (random() * 3)::int],
                               v = v || '>'
            WHERE (id, region) IN (SELECT id, region FROM fz.part ORDER BY random() LIMIT 1);
        ELSIF p < 0.6 THEN    -- between the sub-partitions
            UPDATE fz.part SET id = (id + 500) % 1000
            WHERE (id, region) IN (SELECT id, region FROM fz.part WHERE region NOT IN ('eu', 'us')
                                   ORDER BY random() LIMIT 1);
        ELSIF p < 0.75 THEN
            UPDATE fz.part SET n = fz.rnum(), doc = fz.rjsonb() WHERE id % 5 = (random() * 4)::int;
        ELSIF p < 0.85 THEN
            DELETE FROM fz.part WHERE (id, region) IN (SELECT id, region FROM fz.part ORDER BY random() LIMIT 1);
        ELSE                  -- MERGE: update, delete or insert
            MERGE INTO fz.part t
            USING ((SELECT id, region, random() AS r FROM fz.part ORDER BY random() LIMIT 2)
                   UNION ALL SELECT (nextval('fz.keys') % 1000)::int, 'eu', 0.5) s
            ON t.id = s.id AND t.region = s.region
            WHEN MATCHED AND s.r < 0.3 THEN DELETE
            WHEN MATCHED THEN UPDATE SET v = 'merged', region = CASE WHEN s.r < 0.6 THEN 'us' ELSE t.region END
            WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.region, 'merge insert', 1, NULL);
        END IF;
    WHEN 2 THEN   -- fz.parent and fz.child (inheritance)
        IF p < 0.3 THEN
            INSERT INTO fz.parent (v, n) VALUES (fz.rtext(), (random() * 100)::int);
        ELSIF p < 0.5 THEN
            INSERT INTO fz.child (v, n, extra) VALUES (fz.rtext(), (random() * 100)::int, fz.rjsonb());
        ELSIF p < 0.75 THEN   -- through the parent: reaches the child's rows too
            UPDATE fz.parent SET n = n + 1 WHERE id % 3 = (random() * 2)::int;
        ELSIF p < 0.85 THEN
            UPDATE fz.child SET extra = fz.rjsonb(), id = nextval('fz.keys')
            WHERE id = (SELECT id FROM fz.child ORDER BY random() LIMIT 1);
        ELSE
            DELETE FROM fz.parent WHERE id = (SELECT id FROM fz.parent ORDER BY random() LIMIT 1);
        END IF;
    WHEN 3 THEN   -- fz.gen: identity, serial, generated columns
        IF p < 0.4 THEN
            INSERT INTO fz.gen (price, qty, note)
            VALUES (fz.maybe_null(round((random() * 100)::numeric, 2)), fz.maybe_null((random() * 10)::int), fz.rtext());
        ELSIF p < 0.8 THEN
            UPDATE fz.gen SET qty = coalesce(qty, 0) + 1 WHERE id = (SELECT id FROM fz.gen ORDER BY random() LIMIT 1);
        ELSE
            DELETE FROM fz.gen WHERE id = (SELECT id FROM fz.gen ORDER BY random() LIMIT 1);
        END IF;
    WHEN 4 THEN   -- fz.comp: composite keys, updated in place
        IF p < 0.4 THEN
            INSERT INTO fz.comp VALUES ((random() * 50)::int, (ARRAY['en', 'de', 'say "hi"', 'ü\'])[1 + (random() * 3)::int],
                                        fz.rtext())
            ON CONFLICT (a, b) DO UPDATE SET v = excluded.v;
        ELSIF p < 0.7 THEN
            UPDATE fz.comp SET b = b || '+', a = a + 1000
            WHERE (a, b) IN (SELECT a, b FROM fz.comp ORDER BY random() LIMIT 1);
        ELSIF p < 0.85 THEN
            UPDATE fz.comp SET v = fz.rtext() WHERE a % 4 = (random() * 3)::int;
        ELSE
            DELETE FROM fz.comp WHERE (a, b) IN (SELECT a, b FROM fz.comp ORDER BY random() LIMIT 1);
        END IF;
    WHEN 5 THEN   -- fz.uuidt
        IF p < 0.4 THEN
            INSERT INTO fz.uuidt VALUES (md5(random()::text)::uuid, fz.rtext(), 0);
        ELSIF p < 0.6 THEN
            SELECT id INTO kk FROM fz.uuidt ORDER BY random() LIMIT 1;
            UPDATE fz.uuidt SET id = md5(random()::text)::uuid WHERE id = kk;
        ELSIF p < 0.85 THEN
            UPDATE fz.uuidt SET n = n + 1, payload = CASE WHEN random() < 0.5 THEN payload ELSE fz.rtext() END
            WHERE id IN (SELECT id FROM fz.uuidt ORDER BY random() LIMIT 2);
        ELSE
            DELETE FROM fz.uuidt WHERE id IN (SELECT id FROM fz.uuidt ORDER BY random() LIMIT 1);
        END IF;
    WHEN 6 THEN   -- foreign keys with actions
        IF p < 0.25 THEN
            INSERT INTO fz.fk_parent VALUES ((random() * 100)::int, md5(random()::text)) ON CONFLICT DO NOTHING;
        ELSIF p < 0.55 THEN
            SELECT id INTO k FROM fz.fk_parent ORDER BY random() LIMIT 1;
            IF k IS NOT NULL THEN
                INSERT INTO fz.fk_child (parent_id, v) VALUES (k, fz.rtext());
                INSERT INTO fz.fk_setnull (parent_id, v) VALUES (k, 'set null child');
            END IF;
        ELSIF p < 0.75 THEN   -- ON UPDATE CASCADE
            UPDATE fz.fk_parent SET id = id + 1000 WHERE id = (SELECT id FROM fz.fk_parent ORDER BY random() LIMIT 1);
        ELSIF p < 0.9 THEN    -- ON DELETE CASCADE / SET NULL
            DELETE FROM fz.fk_parent WHERE id = (SELECT id FROM fz.fk_parent ORDER BY random() LIMIT 1);
        ELSE
            UPDATE fz.fk_child SET v = fz.rtext() WHERE id = (SELECT id FROM fz.fk_child ORDER BY random() LIMIT 1);
        END IF;
    WHEN 7 THEN   -- mode 'activity'
        IF p < 0.5 THEN
            INSERT INTO fz.act VALUES ((random() * 1000)::int, md5(random()::text)) ON CONFLICT DO NOTHING;
        ELSE
            UPDATE fz.act SET v = md5(random()::text) WHERE id % 7 = (random() * 6)::int;
        END IF;
    END CASE;
END
$$;

-- n random statements; a few are rolled back on purpose after their changes
-- (their values carry the marker ROLLEDBACK); errors other than constraint
-- violations of the random data are kept in fz.errors
CREATE TABLE fz.errors (state text, message text);
CREATE FUNCTION fz.run(n int) RETURNS int LANGUAGE plpgsql AS $$
DECLARE
    i int;
    done int := 0;
BEGIN
    FOR i IN 1..n LOOP
        BEGIN
            IF random() < 0.05 THEN
                INSERT INTO fz.part VALUES (999, 'eu', 'ROLLEDBACK', 0, NULL) ON CONFLICT DO NOTHING;
                UPDATE fz.types SET t = 'ROLLEDBACK' WHERE id IN (SELECT id FROM fz.types LIMIT 3);
                DELETE FROM fz.comp WHERE a % 2 = 0;
                UPDATE fz.parent SET v = 'ROLLEDBACK';
                RAISE EXCEPTION 'fz rollback' USING ERRCODE = 'P0001';
            END IF;
            PERFORM fz.one(floor(random() * 8)::int, random());
        EXCEPTION
            WHEN raise_exception OR unique_violation OR foreign_key_violation OR check_violation THEN
                NULL;
            WHEN OTHERS THEN
                INSERT INTO fz.errors VALUES (SQLSTATE, SQLERRM);
        END;
        done := done + 1;
    END LOOP;
    RETURN done;
END
$$;

-- The checks ----------------------------------------------------------------

-- the log of the schema's collections
CREATE VIEW fz.log AS
SELECT a.id, a.action, a.collection, a.item, a.transaction, r.previous_item, r.data, r.delta
  FROM activity_log.activity a
  LEFT JOIN activity_log.revisions r ON r.activity = a.id
 WHERE a.collection LIKE 'fz.%';

-- For every tracked table in mode 'all': its rows, and how many of them have
-- a latest revision equal to to_jsonb(row) minus excluded columns; how many
-- have none; and how many keys of the log that are gone from the table were
-- not last deleted or moved away.
CREATE FUNCTION fz.check_tables()
RETURNS TABLE (collection text, live bigint, matching bigint, without_revision bigint, gone_not_deleted bigint)
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    src text;
    item_expr text;
BEGIN
    FOR r IN SELECT t."table"::oid AS relid, t.collection AS coll, t.exclude, c.relkind
               FROM activity_log.tracked t JOIN pg_class c ON c.oid = t."table"
              WHERE t.collection LIKE 'fz.%' AND t.mode = 'all'
              ORDER BY t.collection
    LOOP
        src := CASE WHEN r.relkind = 'r' THEN 'ONLY ' ELSE '' END || r.relid::regclass::text;
        SELECT CASE WHEN count(*) = 1 THEN format('fzrow.%I::text', min(a.attname))
                    ELSE format('jsonb_build_array(%s)::text',
                                string_agg(format('fzrow.%I::text', a.attname), ', ' ORDER BY k.n)) END
          INTO item_expr
          FROM pg_index i, unnest(i.indkey) WITH ORDINALITY AS k(attnum, n), pg_attribute a
         WHERE i.indrelid = r.relid AND i.indisprimary
           AND a.attrelid = r.relid AND a.attnum = k.attnum;
        RETURN QUERY EXECUTE format($q$
            WITH ev AS (
                SELECT id, item AS k, action, 'arrive' AS kind, data FROM fz.log
                 WHERE collection = %1$L AND item IS NOT NULL
                UNION ALL
                SELECT id, previous_item, action, 'leave', NULL FROM fz.log
                 WHERE collection = %1$L AND previous_item IS NOT NULL
            ), last AS (
                SELECT DISTINCT ON (k) k, action, kind, data FROM ev ORDER BY k, id DESC
            ), cur AS (
                SELECT %2$s AS k, to_jsonb(fzrow) - %3$L::text[] AS j FROM %4$s fzrow
            )
            SELECT %1$L::text,
                   (SELECT count(*) FROM cur),
                   (SELECT count(*) FROM cur JOIN last USING (k)
                     WHERE last.kind = 'arrive' AND last.action <> 'delete' AND last.data = cur.j),
                   (SELECT count(*) FROM cur WHERE NOT EXISTS (SELECT FROM last WHERE last.k = cur.k)),
                   (SELECT count(*) FROM last
                     WHERE NOT EXISTS (SELECT FROM cur WHERE cur.k = last.k)
                       AND NOT (last.action = 'delete' OR last.kind = 'leave'))
            $q$, r.coll, item_expr, r.exclude, src);
    END LOOP;
END
$$;

-- Updates whose delta, applied to the row's previous revision, does not give
-- their data (or that have no previous revision), among revisions after id
-- "since" and up to "upto".
CREATE FUNCTION fz.bad_updates(since bigint, upto bigint) RETURNS bigint LANGUAGE sql AS $$
    SELECT count(*) FROM fz.log u
     WHERE u.action = 'update' AND u.id > since AND u.id <= upto AND u.data IS NOT NULL
       AND (SELECT p.data FROM fz.log p
             WHERE p.collection = u.collection AND p.item = coalesce(u.previous_item, u.item)
               AND p.id < u.id AND p.data IS NOT NULL
             ORDER BY p.id DESC LIMIT 1) || u.delta IS DISTINCT FROM u.data
$$;

-- Phase 1: random statements --------------------------------------------------

CREATE TABLE fz.marks (phase int, last_id bigint);
INSERT INTO fz.marks SELECT 0, coalesce(max(id), 0) FROM activity_log.activity;
SELECT setseed(0.4242);
SELECT is(fz.run(400), 400, 'phase 1: 400 random statements ran (the server stayed up)');
INSERT INTO fz.marks SELECT 1, coalesce(max(id), 0) FROM activity_log.activity;

SELECT is((SELECT count(*)::int FROM fz.errors), 0, 'phase 1: no unexpected errors');
SELECT ok((SELECT count(*) FROM fz.log WHERE id > (SELECT last_id FROM fz.marks WHERE phase = 0)) > 300,
    'phase 1: the statements were logged');
SELECT ok((SELECT count(DISTINCT action) FROM fz.log) = 3 AND
          (SELECT count(DISTINCT collection) FROM fz.log) = 11,
    'phase 1: creates, updates and deletes were logged, in all 11 collections');
SELECT is((SELECT count(*)::int FROM fz.log WHERE action = 'update' AND delta = '{}'), 0,
    'phase 1: no update with an empty delta (updates that change nothing log nothing)');

SELECT is((SELECT sum(live - matching)::int FROM fz.check_tables()), 0,
    'phase 1: the latest revision of every existing row equals to_jsonb(row) minus excluded columns');
SELECT is((SELECT sum(without_revision)::int FROM fz.check_tables()), 0,
    'phase 1: no existing row lacks a revision');
SELECT is((SELECT sum(gone_not_deleted)::int FROM fz.check_tables()), 0,
    'phase 1: every key that is gone was last deleted or moved away');
SELECT ok((SELECT sum(live) FROM fz.check_tables()) > 100, 'phase 1: there are rows to compare');
SELECT is(fz.bad_updates(0, (SELECT last_id FROM fz.marks WHERE phase = 1))::int, 0,
    'phase 1: every update''s delta applied to the previous revision gives its data');
SELECT is((SELECT count(*)::int FROM fz.log WHERE action = 'create' AND delta IS DISTINCT FROM data), 0,
    'phase 1: every create''s delta is its data');
SELECT is((SELECT count(*)::int FROM fz.log WHERE action = 'delete' AND (delta IS NOT NULL OR data IS NULL)), 0,
    'phase 1: every delete has data and no delta');
SELECT is((SELECT count(*)::int FROM fz.log WHERE data::text LIKE '%ROLLEDBACK%'), 0,
    'phase 1: nothing of the rolled back statements is in the log');
SELECT is((SELECT count(*)::int FROM fz.log WHERE data ? 'secret'), 0,
    'phase 1: the excluded column is never logged');
SELECT is((SELECT count(*)::int FROM fz.log WHERE collection = 'fz.act' AND data IS NOT NULL), 0,
    'phase 1: a table in mode ''activity'' has activity without revisions');
SELECT ok((SELECT bool_and(transaction = pg_current_xact_id()) FROM fz.log),
    'phase 1: every activity has this transaction''s id');

-- Phase 2: the tables change shape, then more random statements --------------

ALTER TABLE fz.types DROP COLUMN dropme, ADD COLUMN added int DEFAULT 7;
ALTER TABLE fz.types RENAME COLUMN renameme TO renamed;
ALTER TABLE fz.types ALTER COLUMN i8 TYPE numeric;
ALTER TABLE fz.part ALTER COLUMN n TYPE text;
ALTER TABLE fz.part ADD COLUMN w text DEFAULT 'w';
ALTER TABLE fz.child ADD COLUMN child_only int;
ALTER TABLE fz.parent ADD COLUMN from_parent text DEFAULT 'inherited';
ALTER TABLE fz.uuidt ALTER COLUMN n TYPE bigint;
-- a partition created now, and rows moved into it
CREATE TABLE fz.part_sa PARTITION OF fz.part FOR VALUES IN ('sa');
UPDATE fz.part SET region = 'sa' WHERE region = 'af' AND id % 2 = 0;

SELECT is(fz.run(150), 150, 'phase 2: 150 more random statements ran');
SELECT is((SELECT count(*)::int FROM fz.errors), 0, 'phase 2: no unexpected errors');

-- every row changes once more, so that its latest image has the new shape
UPDATE fz.types SET added = added + 1;
UPDATE fz.part SET w = w || '!';
UPDATE fz.parent SET from_parent = from_parent || '!';   -- and the child's rows
UPDATE fz.gen SET note = coalesce(note, '') || '!';
UPDATE fz.comp SET v = coalesce(v, '') || '!';
UPDATE fz.uuidt SET n = n + 1;
UPDATE fz.fk_parent SET name = coalesce(name, '') || '!';
UPDATE fz.fk_child SET v = coalesce(v, '') || '!';
UPDATE fz.fk_setnull SET v = coalesce(v, '') || '!';

SELECT is((SELECT sum(live - matching)::int FROM fz.check_tables()), 0,
    'phase 2: the latest revision of every existing row equals to_jsonb(row) in the new shape');
SELECT is((SELECT sum(gone_not_deleted)::int FROM fz.check_tables()), 0,
    'phase 2: every key that is gone was last deleted or moved away');
SELECT is((SELECT count(*)::int FROM fz.log WHERE data ? 'dropme' AND id > (SELECT last_id FROM fz.marks WHERE phase = 1)), 0,
    'phase 2: the dropped column is not logged any more');
SELECT ok((SELECT count(*) FROM fz.log WHERE data ? 'renamed' AND NOT data ? 'renameme'
             AND id > (SELECT last_id FROM fz.marks WHERE phase = 1)) > 0,
    'phase 2: the renamed column is logged under its new name');

SELECT * FROM finish();
ROLLBACK;
