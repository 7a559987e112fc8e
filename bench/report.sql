-- bench/report.sql: turns the raw measurements in benchres.raw into the
-- report.  psql variables: rows, mem_rows, read_rows, reps, seconds, and the
-- output files human_out, targets_out, bench_out, raw_out.
--
-- Every figure is the median over the repetitions (percentile_cont(0.5)).

\set ON_ERROR_STOP on
\pset format unaligned
\pset tuples_only on
\pset footer off
SET client_min_messages = warning;

CREATE TEMP VIEW med AS
SELECT metric, system, percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS v, count(*) AS n,
	   min(value) AS lo, max(value) AS hi
FROM benchres.raw GROUP BY metric, system;

CREATE TEMP TABLE label (system text PRIMARY KEY, label text);
INSERT INTO label VALUES
	('a', '(a) no tracking'),
	('b', '(b) activity_log all'),
	('c', '(c) activity_log activity'),
	('d', '(d) PL/pgSQL trigger'),
	('e', '(e) floor, set-based');

-- median of one figure
CREATE FUNCTION pg_temp.m(metric text, sys text) RETURNS double precision
LANGUAGE sql STABLE AS $$ SELECT v FROM med WHERE med.metric = $1 AND med.system = $2 $$;
-- spread of one figure over the repetitions: (max - min) / median, in %
CREATE FUNCTION pg_temp.sp(metric text, sys text) RETURNS text
LANGUAGE sql STABLE AS $$
	SELECT CASE WHEN v IS NULL OR v = 0 THEN 'n/a' ELSE round(((hi - lo) / v * 100)::numeric, 1) || '%' END
	FROM med WHERE med.metric = $1 AND med.system = $2 $$;
-- a number with d decimals, or n/a
CREATE FUNCTION pg_temp.f(v double precision, d int) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN v IS NULL OR v = 'NaN' OR v IN ('Infinity', '-Infinity') THEN 'n/a'
				ELSE round(v::numeric, d)::text END $$;
-- a / b, NULL when b is NULL or 0
CREATE FUNCTION pg_temp.div(a double precision, b double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN b = 0 THEN NULL ELSE a / b END $$;

CREATE TEMP TABLE target (ord int, name text, ok boolean, value double precision,
						  "limit" double precision, unit text, text text);

-- The targets ---------------------------------------------------------------
INSERT INTO target
SELECT 10 * o.i, 'bulk_' || o.op || '_overhead_vs_d',
	   (b - a) <= 0.25 * (d - a), b - a, 0.25 * (d - a), 'ms',
	   format('bulk %s: overhead (b-a) = %s ms <= 0.25*(d-a) = %s ms', o.op,
			  pg_temp.f(b - a, 1), pg_temp.f(0.25 * (d - a), 1))
FROM unnest(ARRAY['insert', 'update', 'delete']) WITH ORDINALITY AS o(op, i),
	 LATERAL (SELECT pg_temp.m('bulk_' || o.op, 'a') AS a, pg_temp.m('bulk_' || o.op, 'b') AS b,
					 pg_temp.m('bulk_' || o.op, 'd') AS d) s;
INSERT INTO target
SELECT 10 * o.i + 1, 'bulk_' || o.op || '_overhead_vs_e',
	   (b - a) <= (e - a), b - a, e - a, 'ms',
	   format('bulk %s: overhead (b-a) = %s ms <= (e-a) = %s ms', o.op,
			  pg_temp.f(b - a, 1), pg_temp.f(e - a, 1))
FROM unnest(ARRAY['insert', 'update', 'delete']) WITH ORDINALITY AS o(op, i),
	 LATERAL (SELECT pg_temp.m('bulk_' || o.op, 'a') AS a, pg_temp.m('bulk_' || o.op, 'b') AS b,
					 pg_temp.m('bulk_' || o.op, 'e') AS e) s;
-- the same bulk comparisons on the backend's CPU time: not targets, a
-- reading aid when other processes competed for the CPUs during the run
INSERT INTO target
SELECT 30 + o.i, 'info_bulk_' || o.op || '_cpu',
	   NULL, b - a, 0.25 * (d - a), 'cpu_ms',
	   format('(info, backend CPU) bulk %s: (b-a) = %s ms %s 0.25*(d-a) = %s ms; %s (e-a) = %s ms', o.op,
			  pg_temp.f(b - a, 1), CASE WHEN b - a <= 0.25 * (d - a) THEN '<=' ELSE '>' END,
			  pg_temp.f(0.25 * (d - a), 1), CASE WHEN b - a <= e - a THEN '<=' ELSE '>' END,
			  pg_temp.f(e - a, 1))
FROM unnest(ARRAY['insert', 'update', 'delete']) WITH ORDINALITY AS o(op, i),
	 LATERAL (SELECT pg_temp.m('bulk_' || o.op || '_cpu', 'a') AS a, pg_temp.m('bulk_' || o.op || '_cpu', 'b') AS b,
					 pg_temp.m('bulk_' || o.op || '_cpu', 'd') AS d, pg_temp.m('bulk_' || o.op || '_cpu', 'e') AS e) s
WHERE a IS NOT NULL;
INSERT INTO target
SELECT 40 + o.i, 'single_' || o.op || '_tps',
	   b >= 0.8 * a, b, 0.8 * a, 'tps',
	   format('single-row %s: tps(b) = %s >= 0.8*tps(a) = %s', o.op,
			  pg_temp.f(b, 0), pg_temp.f(0.8 * a, 0))
FROM unnest(ARRAY['insert', 'update']) WITH ORDINALITY AS o(op, i),
	 LATERAL (SELECT pg_temp.m('single_' || o.op, 'a') AS a, pg_temp.m('single_' || o.op, 'b') AS b) s;
INSERT INTO target
SELECT 50, 'memory_peak', b <= a + 100, b, a + 100, 'MB',
	   format('memory: peak(b) = %s MB <= peak(a) + 100 = %s MB', pg_temp.f(b, 1), pg_temp.f(a + 100, 1))
FROM (SELECT pg_temp.m('mem_peak_kb', 'a') / 1024 AS a, pg_temp.m('mem_peak_kb', 'b') / 1024 AS b) s;
INSERT INTO target
SELECT 60, 'storage_bytes_per_change', b <= 900, b, 900, 'bytes',
	   format('storage: %s bytes per logged change (b) <= 900', pg_temp.f(b, 1))
FROM (SELECT pg_temp.m('log_bytes', 'b') / (3.0 * :rows) AS b) s;
INSERT INTO target
SELECT 70, 'item_history_ms', api < 2, api, 2, 'ms',
	   format('item_history: %s ms < 2 ms', pg_temp.f(api, 3))
FROM (SELECT pg_temp.m('read_history', 'api') AS api) s;
INSERT INTO target
SELECT 71, 'item_history_vs_sql', api <= 1.2 * hand, api, 1.2 * hand, 'ms',
	   format('item_history: %s ms <= 1.2 x hand-written %s ms = %s ms', pg_temp.f(api, 3),
			  pg_temp.f(hand, 3), pg_temp.f(1.2 * hand, 3))
FROM (SELECT pg_temp.m('read_history', 'api') AS api, pg_temp.m('read_history', 'sql') AS hand) s;
INSERT INTO target
SELECT 80, 'list_activity_ms', api < 10, api, 10, 'ms',
	   format('filtered list_activity: %s ms < 10 ms', pg_temp.f(api, 3))
FROM (SELECT pg_temp.m('read_list', 'api') AS api) s;
INSERT INTO target
SELECT 81, 'list_activity_vs_sql', api <= 1.2 * hand, api, 1.2 * hand, 'ms',
	   format('filtered list_activity: %s ms <= 1.2 x hand-written %s ms = %s ms', pg_temp.f(api, 3),
			  pg_temp.f(hand, 3), pg_temp.f(1.2 * hand, 3))
FROM (SELECT pg_temp.m('read_list', 'api') AS api, pg_temp.m('read_list', 'sql') AS hand) s;

-- The human-readable report ----------------------------------------------------
\o :human_out
SELECT format('Bulk: one statement over %s rows, server-side ms, median of %s run(s).', :rows, :reps);
SELECT '  us/row = ms*1000/rows; x(a), x(d) = ratio of ms to (a), to (d); +us/row = overhead over (a) per row;';
SELECT '  spread = (max - min) / median over the runs; cpu = the backend''s CPU time (/proc/<pid>/schedstat),';
SELECT '  which other processes on the machine do not inflate; runq = share of the elapsed time the backend waited';
SELECT '  for a CPU';
SELECT format('%-7s %-26s %9s %8s %6s %6s %8s %7s %8s %8s %6s', 'stmt', 'system', 'ms', 'us/row', 'x(a)', 'x(d)',
			  '+us/row', 'spread', 'cpu us/r', '+cpu us', 'runq');
SELECT format('%-7s %-26s %9s %8s %6s %6s %8s %7s %8s %8s %6s', o.op, l.label,
			  pg_temp.f(x, 1), pg_temp.f(x * 1000 / :rows, 2),
			  pg_temp.f(pg_temp.div(x, a), 2), pg_temp.f(pg_temp.div(x, d), 2),
			  pg_temp.f((x - a) * 1000 / :rows, 2), pg_temp.sp('bulk_' || o.op, l.system),
			  pg_temp.f(cx * 1000 / :rows, 2), pg_temp.f((cx - ca) * 1000 / :rows, 2),
			  coalesce(round((pg_temp.div(w, x) * 100)::numeric, 1) || '%', 'n/a'))
FROM unnest(ARRAY['insert', 'update', 'delete']) WITH ORDINALITY AS o(op, i)
CROSS JOIN label l
CROSS JOIN LATERAL (SELECT pg_temp.m('bulk_' || o.op, l.system) AS x,
						   pg_temp.m('bulk_' || o.op, 'a') AS a,
						   pg_temp.m('bulk_' || o.op, 'd') AS d,
						   pg_temp.m('bulk_' || o.op || '_cpu', l.system) AS cx,
						   pg_temp.m('bulk_' || o.op || '_cpu', 'a') AS ca,
						   pg_temp.m('bulk_' || o.op || '_wait', l.system) AS w) s
ORDER BY o.i, l.system;
SELECT '';
SELECT format('Single-row: pgbench, 1 client, -M prepared, -T %s, synchronous_commit=off; %s prefilled rows; median of %s run(s).', :seconds, :rows, :reps);
SELECT '  us/tx = 1e6/tps; x(a), x(d) = ratio of tps to (a), to (d); +us/tx = overhead over (a) per transaction;';
SELECT '  cpu us = the backend''s CPU time per transaction; runq = share of the run the backend was runnable but';
SELECT '  not running (wake-up latency included, so it is not 0 even on an idle machine)';
SELECT format('%-7s %-26s %9s %8s %6s %6s %8s %7s %8s %8s %6s', 'stmt', 'system', 'tps', 'us/tx', 'x(a)', 'x(d)',
			  '+us/tx', 'spread', 'cpu us', '+cpu us', 'runq');
SELECT format('%-7s %-26s %9s %8s %6s %6s %8s %7s %8s %8s %6s', o.op, l.label,
			  pg_temp.f(x, 0), pg_temp.f(1e6 / x, 1),
			  pg_temp.f(pg_temp.div(x, a), 2), pg_temp.f(pg_temp.div(x, d), 2),
			  pg_temp.f(1e6 / x - 1e6 / a, 1), pg_temp.sp('single_' || o.op, l.system),
			  pg_temp.f(cx, 1), pg_temp.f(cx - ca, 1),
			  coalesce(round(rq::numeric, 1) || '%', 'n/a'))
FROM unnest(ARRAY['insert', 'update']) WITH ORDINALITY AS o(op, i)
CROSS JOIN label l
CROSS JOIN LATERAL (SELECT pg_temp.m('single_' || o.op, l.system) AS x,
						   pg_temp.m('single_' || o.op, 'a') AS a,
						   pg_temp.m('single_' || o.op, 'd') AS d,
						   pg_temp.m('single_' || o.op || '_cpu', l.system) AS cx,
						   pg_temp.m('single_' || o.op || '_cpu', 'a') AS ca,
						   pg_temp.m('single_' || o.op || '_runq', l.system) AS rq) s
ORDER BY o.i, l.system;
SELECT '';
SELECT format('Memory: one UPDATE of %s rows; backend RssAnon (private memory, shared buffers excluded) sampled every ~20 ms.', :mem_rows);
SELECT format('%-26s %12s %12s %12s %12s %10s', 'system', 'peak MB', 'before MB', 'growth MB', 'peak-(a) MB', 'ms');
SELECT format('%-26s %12s %12s %12s %12s %10s', l.label,
			  pg_temp.f(p / 1024, 1), pg_temp.f(b / 1024, 1), pg_temp.f((p - b) / 1024, 1),
			  pg_temp.f((p - pa) / 1024, 1), pg_temp.f(ms, 0))
FROM label l
CROSS JOIN LATERAL (SELECT pg_temp.m('mem_peak_kb', l.system) AS p, pg_temp.m('mem_base_kb', l.system) AS b,
						   pg_temp.m('mem_peak_kb', 'a') AS pa, pg_temp.m('mem_ms', l.system) AS ms) s
WHERE p IS NOT NULL
ORDER BY l.system;
SELECT '';
SELECT format('Storage on the bulk mix (insert + update + delete of %s rows = %s logged changes), median of %s run(s).', :rows, 3 * :rows, :reps);
SELECT '  log bytes: all tables of the log with toast and indexes after the mix; WAL: pg_current_wal_lsn() difference across the mix';
SELECT format('%-26s %12s %10s %10s %10s %10s %10s', 'system', 'log bytes', 'activity', 'revisions', 'B/change', 'WAL B/chg', 'WAL-(a)');
SELECT format('%-26s %12s %10s %10s %10s %10s %10s', l.label,
			  pg_temp.f(lb, 0), pg_temp.f(ar, 0), pg_temp.f(rr, 0),
			  pg_temp.f(lb / (3.0 * :rows), 1), pg_temp.f(w / (3.0 * :rows), 1),
			  pg_temp.f((w - wa) / (3.0 * :rows), 1))
FROM label l
CROSS JOIN LATERAL (SELECT pg_temp.m('log_bytes', l.system) AS lb, pg_temp.m('log_activity_rows', l.system) AS ar,
						   pg_temp.m('log_revision_rows', l.system) AS rr, pg_temp.m('wal_bytes', l.system) AS w,
						   pg_temp.m('wal_bytes', 'a') AS wa) s
ORDER BY l.system;
SELECT '';
SELECT format('Read path: log of %s activity rows (%s revisions) over 5 collections; pgbench -n -t 200, average latency in ms, median of %s run(s).',
			  pg_temp.f(pg_temp.m('read_log_rows', 'activity'), 0), pg_temp.f(pg_temp.m('read_log_rows', 'revisions'), 0), :reps);
SELECT format('%-44s %10s %7s %12s %7s %8s %6s', 'query', 'API ms', 'spread', 'hand SQL ms', 'spread', 'x(SQL)', 'same');
SELECT format('%-44s %10s %7s %12s %7s %8s %6s', q.label,
			  pg_temp.f(api, 3), pg_temp.sp('read_' || q.name, 'api'),
			  pg_temp.f(hand, 3), pg_temp.sp('read_' || q.name, 'sql'),
			  pg_temp.f(pg_temp.div(api, hand), 2),
			  CASE pg_temp.m('read_same_' || q.name, 'check') WHEN 1 THEN 'yes' WHEN 0 THEN 'NO' ELSE 'n/a' END)
FROM (VALUES (1, 'history', 'item_history (one item, ~10 revisions)'),
			 (2, 'list', 'list_activity (collection+action+time, -ts)'),
			 (3, 'json', 'activity_json (same + meta filter_count)')) AS q(i, name, label)
CROSS JOIN LATERAL (SELECT pg_temp.m('read_' || q.name, 'api') AS api, pg_temp.m('read_' || q.name, 'sql') AS hand) s
ORDER BY q.i;

\o :targets_out
SELECT format('%-5s %s', CASE WHEN name LIKE 'info%' THEN '' WHEN ok THEN 'PASS' WHEN ok IS NULL THEN 'N/A' ELSE 'FAIL' END, text)
FROM target ORDER BY ord;

\o :bench_out
SELECT format('BENCH bulk_%s system=%s ms=%s us_per_row=%s ratio_a=%s ratio_d=%s cpu_us_per_row=%s runq_pct=%s',
			  o.op, l.system, pg_temp.f(x, 1), pg_temp.f(x * 1000 / :rows, 2),
			  pg_temp.f(pg_temp.div(x, a), 2), pg_temp.f(pg_temp.div(x, d), 2),
			  pg_temp.f(cx * 1000 / :rows, 2), pg_temp.f(pg_temp.div(w, x) * 100, 1))
FROM unnest(ARRAY['insert', 'update', 'delete']) WITH ORDINALITY AS o(op, i)
CROSS JOIN label l
CROSS JOIN LATERAL (SELECT pg_temp.m('bulk_' || o.op, l.system) AS x,
						   pg_temp.m('bulk_' || o.op, 'a') AS a,
						   pg_temp.m('bulk_' || o.op, 'd') AS d,
						   pg_temp.m('bulk_' || o.op || '_cpu', l.system) AS cx,
						   pg_temp.m('bulk_' || o.op || '_wait', l.system) AS w) s
WHERE x IS NOT NULL
ORDER BY o.i, l.system;
SELECT format('BENCH single_%s system=%s tps=%s us_per_tx=%s ratio_a=%s ratio_d=%s cpu_us_per_tx=%s runq_pct=%s',
			  o.op, l.system, pg_temp.f(x, 1), pg_temp.f(1e6 / x, 2),
			  pg_temp.f(pg_temp.div(x, a), 2), pg_temp.f(pg_temp.div(x, d), 2),
			  pg_temp.f(cx, 2), pg_temp.f(rq, 1))
FROM unnest(ARRAY['insert', 'update']) WITH ORDINALITY AS o(op, i)
CROSS JOIN label l
CROSS JOIN LATERAL (SELECT pg_temp.m('single_' || o.op, l.system) AS x,
						   pg_temp.m('single_' || o.op, 'a') AS a,
						   pg_temp.m('single_' || o.op, 'd') AS d,
						   pg_temp.m('single_' || o.op || '_cpu', l.system) AS cx,
						   pg_temp.m('single_' || o.op || '_runq', l.system) AS rq) s
WHERE x IS NOT NULL
ORDER BY o.i, l.system;
SELECT format('BENCH memory_update system=%s rows=%s peak_mb=%s base_mb=%s growth_mb=%s ms=%s', l.system, :mem_rows,
			  pg_temp.f(p / 1024, 1), pg_temp.f(b / 1024, 1), pg_temp.f((p - b) / 1024, 1), pg_temp.f(ms, 1))
FROM label l
CROSS JOIN LATERAL (SELECT pg_temp.m('mem_peak_kb', l.system) AS p, pg_temp.m('mem_base_kb', l.system) AS b,
						   pg_temp.m('mem_ms', l.system) AS ms) s
WHERE p IS NOT NULL
ORDER BY l.system;
SELECT format('BENCH storage system=%s bytes_per_change=%s log_bytes=%s changes=%s', l.system,
			  pg_temp.f(lb / (3.0 * :rows), 1), pg_temp.f(lb, 0), 3 * :rows)
FROM label l
CROSS JOIN LATERAL (SELECT pg_temp.m('log_bytes', l.system) AS lb) s
WHERE lb IS NOT NULL
ORDER BY l.system;
SELECT format('BENCH wal system=%s bytes_per_change=%s wal_bytes=%s ratio_a=%s', l.system,
			  pg_temp.f(w / (3.0 * :rows), 1), pg_temp.f(w, 0), pg_temp.f(pg_temp.div(w, wa), 2))
FROM label l
CROSS JOIN LATERAL (SELECT pg_temp.m('wal_bytes', l.system) AS w, pg_temp.m('wal_bytes', 'a') AS wa) s
WHERE w IS NOT NULL
ORDER BY l.system;
SELECT format('BENCH read_%s impl=%s ms=%s ratio_sql=%s', q.name, i.impl,
			  pg_temp.f(pg_temp.m('read_' || q.key, i.impl), 3),
			  pg_temp.f(pg_temp.div(pg_temp.m('read_' || q.key, i.impl), pg_temp.m('read_' || q.key, 'sql')), 2))
FROM (VALUES (1, 'history', 'item_history'), (2, 'list', 'list_activity'), (3, 'json', 'activity_json')) AS q(i, key, name)
CROSS JOIN (VALUES ('api'), ('sql')) AS i(impl)
WHERE pg_temp.m('read_' || q.key, i.impl) IS NOT NULL
ORDER BY q.i, i.impl;
SELECT format('BENCH target name=%s value=%s limit=%s unit=%s result=%s', name,
			  pg_temp.f(value, 3), pg_temp.f("limit", 3), unit,
			  CASE WHEN ok THEN 'PASS' WHEN ok IS NULL THEN 'N/A' ELSE 'FAIL' END)
FROM target WHERE name NOT LIKE 'info%' ORDER BY ord;

\o :raw_out
SELECT format('%-20s %-10s %s', metric, system,
			  string_agg(round(value::numeric, 3)::text, ' ' ORDER BY rep))
FROM benchres.raw GROUP BY metric, system ORDER BY metric, system;
\o
