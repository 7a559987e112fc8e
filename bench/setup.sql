-- bench/setup.sql: schemas, reproducible source rows and helpers for
-- bench/run.sh.  Run once per benchmark, with psql variable src_rows (the
-- number of source rows to generate).
--
--   bench      source rows, the items DDL, the timing helper, the bulk
--              statements; bench.activity / bench.revisions and the PL/pgSQL
--              trigger come from bench/plpgsql_trigger.sql
--   benchres   raw measurements, loaded by run.sh at the end for the report

\set ON_ERROR_STOP on
SET client_min_messages = warning;

CREATE SCHEMA IF NOT EXISTS bench;
CREATE SCHEMA IF NOT EXISTS benchres;

-- A fixed list of 200 words; bodies, titles and tags are random picks from it.
DROP TABLE IF EXISTS bench.words;
CREATE TABLE bench.words (i int PRIMARY KEY, w text NOT NULL);
INSERT INTO bench.words
SELECT t.i, t.w
FROM unnest(string_to_array(
	'account action address advice amount animal answer apple area argument '
	'arrival article attempt audience author balance basket battery beach bedroom '
	'benefit bicycle birthday blanket border bottle branch bridge budget building '
	'cabinet camera candle capital carbon carpet castle category ceiling channel '
	'chapter charity cheese chicken circle climate clock coffee collar college '
	'comment company concept contract copper corner cotton council country courage '
	'cousin crystal culture current customer danger daughter debate decade defense '
	'delivery desert design detail device diamond dinner disease distance doctor '
	'dollar drawer driver economy editor effect election energy engine evening '
	'example factory family farmer feature finger flight flower forest fortune '
	'freedom friend garden garlic gesture ginger glass govern guitar hammer harbor '
	'harvest heaven helmet highway history holiday honey horizon hospital hunter '
	'husband island jacket journal journey kitchen ladder language lawyer leader '
	'lemon letter library lizard machine magnet manager market meadow memory '
	'method minute mirror moment monkey morning mountain museum needle network '
	'number object ocean office orange painting pencil pepper person picture '
	'planet pocket poetry police potato powder prairie quarter question rabbit '
	'railway reason record region report rhythm river rocket saddle salmon '
	'science season second shadow silver singer sister socket soldier spirit '
	'station stomach strategy street summer system teacher theory thunder ticket '
	'tomato tongue towel tractor travel tunnel uncle valley vessel village '
	'violin volume wallet weather window winter wizard yellow zipper', ' '))
	WITH ORDINALITY AS t(w, i);

-- Source rows: generated once, with a fixed seed, so every system inserts
-- exactly the same data and the timed INSERT does not pay for generating it.
DROP TABLE IF EXISTS bench.src;
SELECT setseed(0.4242);
CREATE TABLE bench.src AS
WITH wl AS (SELECT array_agg(w ORDER BY i) AS a, count(*)::int AS n FROM bench.words)
SELECT g::bigint AS id,
	   initcap(wl.a[1 + floor(random() * wl.n)::int] || ' ' ||
			   wl.a[1 + floor(random() * wl.n)::int] || ' ' ||
			   wl.a[1 + floor(random() * wl.n)::int]) AS title,
	   -- ~240 bytes of random words (not trivially compressible)
	   left(array_to_string(ARRAY(SELECT wl.a[1 + floor(random() * wl.n)::int]
								  FROM generate_series(1, 48) s
								  WHERE s > g * 0), ' '), 240) AS body,
	   (ARRAY['draft', 'review', 'published', 'archived'])[1 + g % 4] AS status,
	   round((random() * 1000)::numeric, 2)::numeric(12,2) AS price,
	   floor(random() * 500)::int AS qty,
	   ARRAY[wl.a[1 + floor(random() * wl.n)::int],
			 wl.a[1 + floor(random() * wl.n)::int],
			 wl.a[1 + floor(random() * wl.n)::int]] AS tags,
	   timestamptz '2024-01-01 00:00:00+00' + g * interval '17 seconds' AS updated_at,
	   jsonb_build_object('color', wl.a[1 + floor(random() * wl.n)::int],
						  'weight', round((random() * 20)::numeric, 2),
						  'featured', random() < 0.1,
						  'dims', jsonb_build_array(floor(random() * 100)::int,
													floor(random() * 100)::int,
													floor(random() * 100)::int)) AS meta
FROM generate_series(1, :src_rows) g, wl;
ALTER TABLE bench.src ADD PRIMARY KEY (id);
VACUUM (FREEZE, ANALYZE) bench.src;

-- The benchmark table (public.items, or coll_1..coll_5 for the read path).
CREATE OR REPLACE FUNCTION bench.create_items(tbl text)
RETURNS void LANGUAGE plpgsql SET client_min_messages = warning AS $$
BEGIN
	EXECUTE format('DROP TABLE IF EXISTS public.%I', tbl);
	EXECUTE format('CREATE TABLE public.%I (
		id bigserial PRIMARY KEY,
		title text,
		body text,
		status text,
		price numeric(12,2),
		qty int,
		tags text[],
		updated_at timestamptz,
		meta jsonb)', tbl);
END
$$;

-- The backend's CPU time and run-queue wait time so far, in ns, from Linux's
-- /proc/self/schedstat ("/proc/self" is the backend itself); NULLs where
-- that file cannot be read.
CREATE OR REPLACE FUNCTION bench.schedstat(OUT run_ns bigint, OUT wait_ns bigint)
LANGUAGE plpgsql AS $$
DECLARE
	f text[];
BEGIN
	f := string_to_array(btrim(pg_read_file('/proc/self/schedstat'), E' \n'), ' ');
	run_ns := f[1]::bigint;
	wait_ns := f[2]::bigint;
EXCEPTION WHEN OTHERS THEN
	run_ns := NULL;
	wait_ns := NULL;
END
$$;

-- Runs one statement and returns its server-side elapsed time in ms, the
-- backend's CPU time (ms) and its time runnable but waiting for a CPU (ms:
-- other processes competing for the CPUs).  The statement's AFTER triggers
-- (the capture, the PL/pgSQL trigger, foreign key checks) fire at the end
-- of the EXECUTE, so they are included.
CREATE OR REPLACE FUNCTION bench.timed(stmt text,
									   OUT ms double precision,
									   OUT cpu_ms double precision,
									   OUT wait_ms double precision)
LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	s0 record;
	s1 record;
BEGIN
	s0 := bench.schedstat();
	t0 := clock_timestamp();
	EXECUTE stmt;
	ms := extract(epoch FROM clock_timestamp() - t0) * 1000;
	s1 := bench.schedstat();
	cpu_ms := (s1.run_ns - s0.run_ns) / 1e6;
	wait_ms := (s1.wait_ns - s0.wait_ns) / 1e6;
END
$$;

-- The bulk statements.  Systems a to d run the plain statement (a: nothing
-- tracks items; b, c: activity_log; d: the PL/pgSQL trigger).  System e, the
-- floor, runs the same change and writes the same log rows into
-- bench.activity / bench.revisions set-based, in the same statement
-- (data-modifying CTEs), with no trigger.
--
-- The UPDATE changes status (a cycle without a fixed point) and qty (+1) of
-- every row, so every row changes both columns: the floor's delta is exactly
-- {"status": ..., "qty": ...} and there are no no-op updates to skip.
CREATE OR REPLACE FUNCTION bench.bulk_stmt(sys text, op text, n bigint)
RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
	cols constant text := 'title, body, status, price, qty, tags, updated_at, meta';
	new_status constant text := 'CASE status WHEN ''draft'' THEN ''review'''
		' WHEN ''review'' THEN ''published'' WHEN ''published'' THEN ''archived'''
		' ELSE ''draft'' END';
	-- the activity columns, computed as the PL/pgSQL trigger computes them
	ctx constant text := 'coalesce(nullif(current_setting(''activity_log.user'', true), ''''), session_user),'
		' inet_client_addr(), nullif(current_setting(''application_name''), ''''),'
		' ''items''';
	ctx_tail constant text := 'current_user, pg_current_xact_id()';
	act_cols constant text := 'id, action, "user", ip, user_agent, collection, item, db_user, transaction';
BEGIN
	IF sys <> 'e' THEN
		RETURN CASE op
			WHEN 'insert' THEN format('INSERT INTO items (%s) SELECT %s FROM bench.src WHERE id <= %s',
									  cols, cols, n)
			WHEN 'update' THEN format('UPDATE items SET status = %s, qty = qty + 1', new_status)
			WHEN 'delete' THEN 'DELETE FROM items'
		END;
	END IF;
	-- The floor.  Activity ids are drawn from the activity sequence once per
	-- row (x is referenced twice, so it is materialized), which spares a join
	-- between the activity rows and the changed rows.
	RETURN CASE op
		WHEN 'insert' THEN format(
			'WITH i AS (INSERT INTO items (%s) SELECT %s FROM bench.src WHERE id <= %s RETURNING *),'
			' x AS MATERIALIZED (SELECT nextval(''bench.activity_id_seq'') AS aid, i.id::text AS item, to_jsonb(i) AS data FROM i),'
			' a AS (INSERT INTO bench.activity (%s) SELECT aid, ''create'', %s, item, %s FROM x)'
			' INSERT INTO bench.revisions (activity, collection, item, data, delta)'
			' SELECT aid, ''items'', item, data, data FROM x',
			cols, cols, n, act_cols, ctx, ctx_tail)
		WHEN 'update' THEN format(
			'WITH u AS (UPDATE items SET status = %s, qty = qty + 1 RETURNING *),'
			' x AS MATERIALIZED (SELECT nextval(''bench.activity_id_seq'') AS aid, u.id::text AS item, to_jsonb(u) AS data,'
			' jsonb_build_object(''status'', u.status, ''qty'', u.qty) AS delta FROM u),'
			' a AS (INSERT INTO bench.activity (%s) SELECT aid, ''update'', %s, item, %s FROM x)'
			' INSERT INTO bench.revisions (activity, collection, item, data, delta)'
			' SELECT aid, ''items'', item, data, delta FROM x',
			new_status, act_cols, ctx, ctx_tail)
		WHEN 'delete' THEN format(
			'WITH d AS (DELETE FROM items RETURNING *),'
			' x AS MATERIALIZED (SELECT nextval(''bench.activity_id_seq'') AS aid, d.id::text AS item, to_jsonb(d) AS data FROM d),'
			' a AS (INSERT INTO bench.activity (%s) SELECT aid, ''delete'', %s, item, %s FROM x)'
			' INSERT INTO bench.revisions (activity, collection, item, data, delta)'
			' SELECT aid, ''items'', item, data, NULL FROM x',
			act_cols, ctx, ctx_tail)
	END;
END
$$;

-- Size of a system's log, with toast and indexes: for activity_log every
-- table of schema activity_log, for the PL/pgSQL trigger and the floor the
-- two bench log tables.
CREATE OR REPLACE FUNCTION bench.log_bytes(sys text)
RETURNS bigint LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN sys IN ('b', 'c') THEN
		(SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint
		 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
		 WHERE n.nspname = 'activity_log' AND c.relkind IN ('r', 'm'))
	ELSE
		pg_total_relation_size('bench.activity'::text::regclass)
		+ pg_total_relation_size('bench.revisions'::text::regclass)
	END
$$;
