#!/usr/bin/env bash
# bench/run.sh: the activity_log benchmark.
#
#   bash bench/run.sh          full run (~15 min on 2 cores); writes bench/RESULTS.md
#   bash bench/run.sh --tiny   CI smoke run (< 1 min after the build); writes a temp file
#
# Run as root on Debian 12.  Sources scripts/lib.sh, which installs what is
# missing, builds and installs the extension and starts a throwaway cluster
# with the settings below; everything runs against that cluster, which is
# stopped and removed at exit.
#
# Systems, side by side: (a) no tracking, (b) activity_log mode 'all',
# (c) activity_log mode 'activity', (d) the PL/pgSQL trigger of
# bench/plpgsql_trigger.sql, (e) the floor: the same log rows written
# set-based by data-modifying CTEs in the changing statement, no trigger.
#
# Sizes (environment):
#   BENCH_ROWS             rows of the bulk statements and the single-row prefill (100000; tiny 1000)
#   BENCH_REPS             repetitions; medians are reported (5; tiny 1)
#   BENCH_MEM_ROWS         rows of the memory UPDATE (1000000; tiny 10000)
#   BENCH_READ_ROWS        rows inserted through capture for the read path (1000000; tiny 10000)
#   BENCH_PGBENCH_SECONDS  duration of each single-row pgbench run (8; tiny 1)
#   BENCH_CHAIN_SMALL, BENCH_CHAIN_LARGE  sizes of the logs the hash chain is measured on
#                          (10000 and 1000000; tiny 1000 and 10000)
#   BENCH_MEM_SYSTEMS      systems of the memory test ("a b d")
#   BENCH_RESULTS          where to write the results (bench/RESULTS.md; tiny: a temp file)
#
# Targets are printed PASS/FAIL; a missed target does not fail the script.

set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TINY=0
for arg in "$@"; do
	case "$arg" in
		--tiny) TINY=1 ;;
		-h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; exit 0 ;;
		*) echo "unknown argument: $arg (usage: bash bench/run.sh [--tiny])" >&2; exit 2 ;;
	esac
done

if [ "$TINY" = 1 ]; then
	ROWS=${BENCH_ROWS:-1000} REPS=${BENCH_REPS:-1} MEM_ROWS=${BENCH_MEM_ROWS:-10000}
	READ_ROWS=${BENCH_READ_ROWS:-10000} SECONDS_PGB=${BENCH_PGBENCH_SECONDS:-1}
else
	ROWS=${BENCH_ROWS:-100000} REPS=${BENCH_REPS:-5} MEM_ROWS=${BENCH_MEM_ROWS:-1000000}
	READ_ROWS=${BENCH_READ_ROWS:-1000000} SECONDS_PGB=${BENCH_PGBENCH_SECONDS:-8}
fi
MEM_SYSTEMS=${BENCH_MEM_SYSTEMS:-a b d}
for v in ROWS REPS MEM_ROWS READ_ROWS SECONDS_PGB; do
	if ! [[ ${!v} =~ ^[1-9][0-9]*$ ]]; then
		echo "$v must be a positive integer, not '${!v}'" >&2
		exit 2
	fi
done
if [ "$READ_ROWS" -lt 250 ]; then
	echo "BENCH_READ_ROWS must be at least 250" >&2
	exit 2
fi

# Server settings (fsync=off is also what scripts/lib.sh always sets).
SETTINGS=(
	shared_buffers=1GB
	max_wal_size=8GB
	min_wal_size=1GB
	checkpoint_timeout=30min
	autovacuum=off
	synchronous_commit=off
	fsync=off
	jit=off
)
SYSTEMS=(a b c d e)
SECONDS_START=$(date +%s)

source "$BENCH_DIR/../scripts/lib.sh"

echo "activity_log benchmark$([ "$TINY" = 1 ] && echo ' (tiny mode)')"
echo "  sizes:    rows=$ROWS reps=$REPS mem_rows=$MEM_ROWS read_rows=$READ_ROWS pgbench_seconds=$SECONDS_PGB mem_systems='$MEM_SYSTEMS'"
echo "  settings: ${SETTINGS[*]}"
echo "            (full_page_writes=on, wal_level=replica: the defaults; pgbench single-row runs: 1 client, -M prepared)"

al_setup "${SETTINGS[@]}"

# scratch files live in the cluster's scratch directory, removed at exit by lib.sh
WORK="$AL_SCRATCH/bench"
mkdir -p "$WORK"
RAW="$WORK/raw.tsv"
: >"$RAW"

export PGDATABASE=bench
createdb bench

q() { psql -X -q -At -v ON_ERROR_STOP=1 "$@"; }
# record METRIC SYSTEM REP VALUE (an empty value is recorded as NULL)
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-\\N}" >>"$RAW"; }
# pause without forking: read with a timeout from a FIFO nobody writes to
mkfifo "$WORK/pause.fifo"
exec {PAUSE_FD}<>"$WORK/pause.fifo"
pause() { read -r -t "$1" -u "$PAUSE_FD" _ || true; }
elapsed() { echo $(( $(date +%s) - SECONDS_START ))s; }

COLS="title, body, status, price, qty, tags, updated_at, meta"
NEW_STATUS="CASE status WHEN 'draft' THEN 'review' WHEN 'review' THEN 'published' WHEN 'published' THEN 'archived' ELSE 'draft' END"

# Source rows: enough for every phase.
SRC_ROWS=$ROWS
if [ "$MEM_ROWS" -gt "$SRC_ROWS" ]; then SRC_ROWS=$MEM_ROWS; fi
if [ $(( READ_ROWS / 5 + 1 )) -gt "$SRC_ROWS" ]; then SRC_ROWS=$(( READ_ROWS / 5 + 1 )); fi
al_log "generating $SRC_ROWS source rows ($(elapsed))"
q -v src_rows="$SRC_ROWS" -f "$BENCH_DIR/setup.sql" >/dev/null
q -f "$BENCH_DIR/plpgsql_trigger.sql"

# An empty items table and empty log tables for one system.
reset_system() {
	q >/dev/null <<-'SQL'
		SET client_min_messages = warning;
		DROP TABLE IF EXISTS items;
		DROP EXTENSION IF EXISTS activity_log CASCADE;
	SQL
	q -f "$BENCH_DIR/plpgsql_trigger.sql"
	q -c "SELECT bench.create_items('items')" >/dev/null
	case "$1" in
		b|c) q -c "CREATE EXTENSION activity_log" ;;
	esac
}

# Start logging items the system's way.
attach() {
	case "$1" in
		b) q -c "SELECT activity_log.track('items', 'items', 'all')" >/dev/null ;;
		c) q -c "SELECT activity_log.track('items', 'items', 'activity')" >/dev/null ;;
		d) q -c "CREATE TRIGGER bench_log AFTER INSERT OR UPDATE OR DELETE ON items
				 FOR EACH ROW EXECUTE FUNCTION bench.log_change('items')" ;;
	esac
}

prefill() {
	q -c "INSERT INTO items ($COLS) SELECT $COLS FROM bench.src WHERE id <= $1" \
	  -c "VACUUM ANALYZE items"
}

log_counts() {
	case "$1" in
		b|c) q -c "SELECT (SELECT count(*) FROM activity_log.activity) || ' ' || (SELECT count(*) FROM activity_log.revisions)" ;;
		*)   q -c "SELECT (SELECT count(*) FROM bench.activity) || ' ' || (SELECT count(*) FROM bench.revisions)" ;;
	esac
}

# ---------------------------------------------------------------------------
# 1. Bulk: INSERT, UPDATE, DELETE of ROWS rows, one statement each, each in its
#    own transaction after a CHECKPOINT; storage and WAL of the whole mix.
# ---------------------------------------------------------------------------
for rep in $(seq 1 "$REPS"); do
	for sys in "${SYSTEMS[@]}"; do
		al_log "bulk: rep $rep/$REPS system $sys ($(elapsed))"
		reset_system "$sys"
		attach "$sys"
		lsn0=$(q -c "CHECKPOINT" -c "SELECT pg_current_wal_lsn()")
		for op in insert update delete; do
			[ "$op" = insert ] || q -c "CHECKPOINT"
			IFS='|' read -r ms cpu wait < <(q -c "SELECT ms, cpu_ms, wait_ms FROM bench.timed(bench.bulk_stmt('$sys', '$op', $ROWS))")
			record "bulk_$op" "$sys" "$rep" "$ms"
			record "bulk_${op}_cpu" "$sys" "$rep" "$cpu"
			record "bulk_${op}_wait" "$sys" "$rep" "$wait"
		done
		lsn1=$(q -c "SELECT pg_current_wal_lsn()")
		record wal_bytes "$sys" "$rep" "$(q -c "SELECT pg_wal_lsn_diff('$lsn1', '$lsn0')")"
		if [ "$sys" != a ]; then
			record log_bytes "$sys" "$rep" "$(q -c "SELECT bench.log_bytes('$sys')")"
			read -r n_act n_rev < <(log_counts "$sys")
			record log_activity_rows "$sys" "$rep" "$n_act"
			record log_revision_rows "$sys" "$rep" "$n_rev"
			want_rev=$(( 3 * ROWS ))
			if [ "$sys" = c ]; then want_rev=0; fi
			if [ "$n_act" != $(( 3 * ROWS )) ] || [ "$n_rev" != "$want_rev" ]; then
				echo "WARNING: system $sys logged $n_act activity rows and $n_rev revisions; expected $(( 3 * ROWS )) and $want_rev" >&2
			fi
		fi
	done
done

# ---------------------------------------------------------------------------
# 2. Single-row: pgbench, 1 client, one-row INSERT and one-row UPDATE by
#    random id, on tables prefilled with ROWS rows.  The five systems are set
#    up side by side (items_a .. items_e; b and c share the activity_log log,
#    d and e the bench log) and their runs alternate, so that a slower spell
#    of the machine does not fall on one system only.
# ---------------------------------------------------------------------------
# pgbench_single SCRIPT: prints "tps cpu_us_per_tx runq_percent".  While
# pgbench runs, its backend's /proc/<pid>/schedstat is sampled: its CPU time
# and its time spent runnable but waiting for a CPU, over its whole life.
# (pgbench first opens a short-lived connection of its own; the backend
# sampled last is the one that ran the transactions.)
pgbench_single() {
	local out="$WORK/pgbench.out" client backend="" pid k r w run="" wait="" tps tx
	# the backend of the previous run may still be exiting: wait until it is gone
	for k in $(seq 1 200); do
		if [ "$(q -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'pgbench'")" = 0 ]; then
			break
		fi
		pause 0.05
	done
	pgbench -n -c 1 -M prepared -T "$SECONDS_PGB" -D n="$ROWS" -f "$1" >"$out" 2>&1 &
	client=$!
	while kill -0 "$client" 2>/dev/null; do
		if [ -n "$backend" ] && read -r r w _ 2>/dev/null <"/proc/$backend/schedstat"; then
			run=$r wait=$w
			pause 0.02
			continue
		fi
		# not found yet, or gone (pgbench's first connection): look again
		pid=$(q -c "SELECT pid FROM pg_stat_activity
		            WHERE application_name = 'pgbench' AND datname = current_database()
		            ORDER BY backend_start DESC LIMIT 1")
		if [ -n "$pid" ] && [ "$pid" != "$backend" ]; then
			backend=$pid
		else
			pause 0.01
		fi
	done
	if ! wait "$client"; then
		cat "$out" >&2
		return 1
	fi
	tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$out")
	tx=$(sed -n 's/^number of transactions actually processed: \([0-9]*\).*/\1/p' "$out")
	awk -v tps="$tps" -v tx="$tx" -v run="$run" -v wait="$wait" -v secs="$SECONDS_PGB" 'BEGIN {
		if (run == "" || tx == 0 || run / 1000 / tx < 1) print tps, "", "";
		else printf "%s %.3f %.2f\n", tps, run / 1000 / tx, wait / 1e7 / secs }'
}
al_log "single-row: setting up items_a .. items_e with $ROWS rows each ($(elapsed))"
q >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	DROP TABLE IF EXISTS items;
	DROP EXTENSION IF EXISTS activity_log CASCADE;
	CREATE EXTENSION activity_log;
SQL
q -f "$BENCH_DIR/plpgsql_trigger.sql"
for sys in "${SYSTEMS[@]}"; do
	t=items_$sys
	q -c "SELECT bench.create_items('$t')" >/dev/null
	q -c "INSERT INTO $t ($COLS) SELECT $COLS FROM bench.src WHERE id <= $ROWS" -c "VACUUM ANALYZE $t"
	case "$sys" in
		b) q -c "SELECT activity_log.track('$t', '$t', 'all')" >/dev/null ;;
		c) q -c "SELECT activity_log.track('$t', '$t', 'activity')" >/dev/null ;;
		d) q -c "CREATE TRIGGER bench_log AFTER INSERT OR UPDATE OR DELETE ON $t
				 FOR EACH ROW EXECUTE FUNCTION bench.log_change('$t')" ;;
	esac
	suffix=""
	if [ "$sys" = e ]; then suffix=_floor; fi
	for op in insert update; do
		sed "s/\<items\>/$t/g" "$BENCH_DIR/pgbench/single_$op$suffix.sql" >"$WORK/single_${op}_$sys.sql"
	done
done
for rep in $(seq 1 "$REPS"); do
	for op in insert update; do
		al_log "single-row: rep $rep/$REPS $op ($(elapsed))"
		for sys in "${SYSTEMS[@]}"; do
			q -c "CHECKPOINT"
			read -r tps cpu runq < <(pgbench_single "$WORK/single_${op}_$sys.sql")
			record "single_$op" "$sys" "$rep" "$tps"
			record "single_${op}_cpu" "$sys" "$rep" "$cpu"
			record "single_${op}_runq" "$sys" "$rep" "$runq"
		done
	done
done
q -c "DROP TABLE items_a, items_b, items_c, items_d, items_e"

# ---------------------------------------------------------------------------
# 3. Memory: one UPDATE of MEM_ROWS rows; the backend's RssAnon (private
#    memory: shared buffers are RssShmem) sampled every ~20 ms.
# ---------------------------------------------------------------------------
RSS_KB=0
read_rss_anon() {	# $1 = pid; sets RSS_KB
	local k v rest
	while read -r k v rest; do
		if [ "$k" = "RssAnon:" ]; then
			RSS_KB=$v
			return 0
		fi
	done <"/proc/$1/status"
	return 1
}
for sys in $MEM_SYSTEMS; do
	al_log "memory: system $sys, UPDATE of $MEM_ROWS rows ($(elapsed))"
	reset_system "$sys"
	prefill "$MEM_ROWS"
	attach "$sys"
	q -c "CHECKPOINT"
	pidfile="$WORK/mem_$sys.pid"
	msfile="$WORK/mem_$sys.ms"
	psql -X -q -At -v ON_ERROR_STOP=1 >"$msfile" <<-SQL &
		SELECT pg_backend_pid() \g $pidfile
		SELECT pg_sleep(0.3) \g /dev/null
		SELECT ms FROM bench.timed(\$\$UPDATE items SET status = $NEW_STATUS, qty = qty + 1\$\$);
	SQL
	client=$!
	while [ ! -s "$pidfile" ] && kill -0 "$client" 2>/dev/null; do
		pause 0.01
	done
	backend=$(cat "$pidfile" 2>/dev/null || true)
	base=""; peak=0
	if [ -n "$backend" ]; then
		while kill -0 "$client" 2>/dev/null && read_rss_anon "$backend" 2>/dev/null; do
			if [ -z "$base" ]; then base=$RSS_KB; fi
			if [ "$RSS_KB" -gt "$peak" ]; then peak=$RSS_KB; fi
			pause 0.02
		done
	fi
	wait "$client"
	record mem_peak_kb "$sys" 1 "$peak"
	record mem_base_kb "$sys" 1 "${base:-0}"
	record mem_ms "$sys" 1 "$(cat "$msfile")"
done

# ---------------------------------------------------------------------------
# 4. Read path: 5 tracked collections, READ_ROWS inserts through capture in 20
#    batches of statements, and every batch updates the 2% "hot" items (id a
#    multiple of 50), which gather ~10 revisions each.  Timestamps spread over
#    the batches; the time range is batches 6 to 15.
# ---------------------------------------------------------------------------
al_log "read path: building a log from $READ_ROWS captured inserts ($(elapsed))"
q >/dev/null <<-'SQL'
	SET client_min_messages = warning;
	DROP TABLE IF EXISTS items;
	DROP EXTENSION IF EXISTS activity_log CASCADE;
	CREATE EXTENSION activity_log;
	SELECT bench.create_items('coll_' || c) FROM generate_series(1, 5) c;
	SELECT activity_log.track(('coll_' || c)::regclass) FROM generate_series(1, 5) c;
	CREATE TABLE benchres.marks (name text PRIMARY KEY, ts timestamptz);
SQL
PER_COLL=$(( READ_ROWS / 5 ))
BATCHES=20
BATCH=$(( (PER_COLL + BATCHES - 1) / BATCHES ))
build="$WORK/read_build.sql"
{
	for k in $(seq 1 $BATCHES); do
		lo=$(( (k - 1) * BATCH )); hi=$(( k * BATCH ))
		if [ $hi -gt $PER_COLL ]; then hi=$PER_COLL; fi
		for c in 1 2 3 4 5; do
			echo "INSERT INTO coll_$c ($COLS) SELECT $COLS FROM bench.src WHERE id > $lo AND id <= $hi;"
		done
		for c in 1 2 3 4 5; do
			echo "UPDATE coll_$c SET status = $NEW_STATUS, qty = qty + 1 WHERE id % 50 = 0;"
		done
		if [ "$k" = 5 ]; then echo "INSERT INTO benchres.marks VALUES ('lo', clock_timestamp());"; fi
		if [ "$k" = 15 ]; then echo "INSERT INTO benchres.marks VALUES ('hi', clock_timestamp());"; fi
	done
} >"$build"
q -f "$build"
al_log "read path: VACUUM ANALYZE ($(elapsed))"
q -c "VACUUM ANALYZE"
read -r n_act n_rev < <(q -c "SELECT (SELECT count(*) FROM activity_log.activity) || ' ' || (SELECT count(*) FROM activity_log.revisions)")
record read_log_rows activity 1 "$n_act"
record read_log_rows revisions 1 "$n_rev"
LO=$(q -c "SELECT to_json(ts) #>> '{}' FROM benchres.marks WHERE name = 'lo'")
HI=$(q -c "SELECT to_json(ts) #>> '{}' FROM benchres.marks WHERE name = 'hi'")
HOT=$(( PER_COLL / 50 ))
al_log "read path: $n_act activity rows, $n_rev revisions; range $LO .. $HI ($(elapsed))"

# Do the API and the hand-written SQL give the same result?  (collection
# coll_1, item 50; the pgbench scripts with c=1, k=1)
same() {	# $1 = name, $2 = API script, $3 = hand-written script
	local api hand
	api=$(sed -e '/^\\set/d' -e 's/:c\b/1/g' -e 's/:k\b/1/g' -e "s/:lo\b/$LO/g" -e "s/:hi\b/$HI/g" "$2")
	hand=$(sed -e '/^\\set/d' -e 's/:c\b/1/g' -e 's/:k\b/1/g' -e "s/:lo\b/$LO/g" -e "s/:hi\b/$HI/g" "$3")
	api=${api%;}; hand=${hand%;}
	# rows as JSON arrays of their values (the column names may differ)
	record "read_same_$1" check 1 "$(q -c "SELECT CASE WHEN
		(SELECT jsonb_agg(jsonb_path_query_array(to_jsonb(x), '\$.*')) FROM ($api) x) =
		(SELECT jsonb_agg(jsonb_path_query_array(to_jsonb(x), '\$.*')) FROM ($hand) x) THEN 1 ELSE 0 END")"
}
P="$BENCH_DIR/pgbench"
same history "$P/read_history_api.sql" "$P/read_history_sql.sql"
same list "$P/read_list_api.sql" "$P/read_list_sql.sql"
same json "$P/read_json_api.sql" "$P/read_json_sql.sql"

pgb_latency() {	# $1 = script, $2 = transactions
	local out
	out=$(pgbench -n -c 1 -t "$2" -D hot="$HOT" -D lo="$LO" -D hi="$HI" -f "$1" 2>&1) || {
		echo "$out" >&2
		return 1
	}
	sed -n 's/^latency average = \([0-9.]*\) ms.*/\1/p' <<<"$out"
}
for name in history list json; do
	for impl in api sql; do
		pgb_latency "$P/read_${name}_$impl.sql" 20 >/dev/null	# warm-up
	done
done
for rep in $(seq 1 "$REPS"); do
	al_log "read path: rep $rep/$REPS ($(elapsed))"
	for name in history list json; do
		for impl in api sql; do
			record "read_$name" "$impl" "$rep" "$(pgb_latency "$P/read_${name}_$impl.sql" 200)"
		done
	done
done

# ---------------------------------------------------------------------------
# The hash chain and comment edits (bench/chain.sh)
# ---------------------------------------------------------------------------
source "$BENCH_DIR/chain.sh"
if [ "$TINY" = 1 ]; then
	chain_run "${BENCH_CHAIN_SMALL:-1000}" "${BENCH_CHAIN_LARGE:-10000}"
else
	chain_run "${BENCH_CHAIN_SMALL:-10000}" "${BENCH_CHAIN_LARGE:-1000000}"
fi

# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------
q -c "CREATE TABLE benchres.raw (metric text, system text, rep int, value double precision)" \
  -c "\\copy benchres.raw FROM '$RAW'"
q -v rows="$ROWS" -v mem_rows="$MEM_ROWS" -v read_rows="$READ_ROWS" -v reps="$REPS" \
  -v seconds="$SECONDS_PGB" -v human_out="$WORK/human.txt" -v targets_out="$WORK/targets.txt" \
  -v bench_out="$WORK/bench.txt" -v raw_out="$WORK/raw.txt" -f "$BENCH_DIR/report.sql"

WALL=$(( $(date +%s) - SECONDS_START ))
echo
cat "$WORK/human.txt"
echo
echo "Targets:"
cat "$WORK/targets.txt"
echo "$CHAIN_TARGETS"
echo
cat "$WORK/bench.txt"
cat "$WORK/chain.txt"
echo "BENCH wall_time seconds=$WALL"

if [ "$TINY" = 1 ]; then
	RESULTS=${BENCH_RESULTS:-$(mktemp /tmp/activity_log_bench_results.XXXXXX.md)}
else
	RESULTS=${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}
fi
PG_VERSION=$(q -c "SELECT version()")
COMMIT=$(git -C "$AL_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
if [ -n "$(git -C "$AL_ROOT" status --porcelain -- src activity_log--*.sql 2>/dev/null || true)" ]; then
	COMMIT="$COMMIT (with uncommitted changes in src/ or the install script)"
fi
{
	echo "# activity_log benchmark results"
	echo
	echo "Written by \`bash bench/run.sh$([ "$TINY" = 1 ] && echo ' --tiny')\`; do not edit by hand."
	echo
	echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- Wall time of the run: $(( WALL / 60 )) min $(( WALL % 60 )) s (build and cluster set-up included)"
	echo "- Machine: $(nproc) CPUs ($(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)), $(awk '/^MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo) memory, kernel $(uname -r), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')"
	echo "- PostgreSQL: $PG_VERSION"
	echo "- activity_log: commit $COMMIT"
	echo "- Settings: ${SETTINGS[*]} (full_page_writes=on and wal_level=replica: defaults); single-row pgbench: 1 client, -M prepared, -T $SECONDS_PGB"
	echo "- Sizes: bulk rows N=$ROWS, repetitions $REPS (medians reported), memory UPDATE rows $MEM_ROWS, read-path captured inserts $READ_ROWS"
	echo
	echo "Systems: (a) no tracking; (b) activity_log, mode 'all'; (c) activity_log, mode 'activity';"
	echo "(d) the PL/pgSQL trigger of \`bench/plpgsql_trigger.sql\`, writing the same rows into"
	echo "\`bench.activity\` / \`bench.revisions\` (plain tables of the documented shape); (e) the floor:"
	echo "the same log rows written set-based by data-modifying CTEs in the changing statement, no trigger."
	echo
	echo "## Results"
	echo
	echo '```text'
	cat "$WORK/human.txt"
	echo '```'
	echo
	echo "## Hash chain and comment edits"
	echo
	echo "Per log size (activity rows at the end): the first seal() of the whole log; seal() of"
	echo "10,000 new changes, per new row (median of 3); one update_comment() and one"
	echo "delete_comment() of an old, sealed comment (median of 5); verify() of the whole log."
	echo
	echo '```text'
	printf '%s' "$CHAIN_TABLE"
	echo '```'
	echo
	echo "## Targets"
	echo
	echo '```text'
	cat "$WORK/targets.txt"
	echo "$CHAIN_TARGETS"
	echo '```'
	echo
	echo "## Machine-readable"
	echo
	echo '```text'
	cat "$WORK/bench.txt"
	cat "$WORK/chain.txt"
	echo "BENCH wall_time seconds=$WALL"
	echo '```'
	echo
	echo "## Method"
	echo
	echo "- Bulk: each system starts from an empty \`items\` table and empty log tables (activity_log:"
	echo "  \`DROP EXTENSION activity_log CASCADE; CREATE EXTENSION activity_log\`). One INSERT … SELECT"
	echo "  of N rows from a pre-generated source table, one UPDATE of status and qty of all rows, one"
	echo "  DELETE of all rows; each in its own transaction after a CHECKPOINT, timed server-side by"
	echo "  \`bench.timed()\` (clock_timestamp() around EXECUTE, AFTER triggers included). Log size: all"
	echo "  tables of schema \`activity_log\` (resp. \`bench.activity\` + \`bench.revisions\`) with toast and"
	echo "  indexes after the mix, divided by the 3N logged changes; WAL: \`pg_current_wal_lsn()\`"
	echo "  difference across the mix (checkpoints and full-page images included), divided by 3N."
	echo "- Single-row: one table per system (items_a .. items_e, prefilled with N rows; b and c share"
	echo "  the activity_log log, d and e the bench log), then pgbench (1 client) runs a one-row INSERT"
	echo "  and a one-row UPDATE by random id (\`bench/pgbench/single_*.sql\`; the floor's own versions"
	echo "  \`*_floor.sql\`); the systems' runs alternate (a b c d e, a b c d e, ...), a CHECKPOINT"
	echo "  before each."
	echo "- CPU and runq: the backend's CPU time and run-queue wait from Linux's \`/proc/<pid>/schedstat\`"
	echo "  (bulk: read by the backend itself around the statement; single-row: sampled every ~20 ms"
	echo "  while pgbench runs). Elapsed times and tps suffer when other processes compete for the 2"
	echo "  CPUs (a shared development machine); CPU time does not, so the CPU columns and the"
	echo "  \"info\" lines help to tell a real regression from a busy machine. Neither is immune to the"
	echo "  host itself running slower at times (this is a VM: the same CPU-bound loop was seen to take"
	echo "  from 200 to 360 ms on an otherwise idle machine), hence the repetitions, the alternating"
	echo "  order and the spread column. The targets use the elapsed figures, as specified."
	echo "- Memory: one UPDATE of all rows of a prefilled table; \`RssAnon\` of the backend's"
	echo "  \`/proc/<pid>/status\` sampled every ~20 ms; \"before\" is the first sample, taken before the UPDATE."
	echo "- Read path: tables coll_1..coll_5 tracked with mode 'all'; inserts through capture in 20"
	echo "  batches, every batch also updating the items whose id is a multiple of 50; database-wide"
	echo "  VACUUM ANALYZE; then pgbench -n -t 200 (simple protocol) per query"
	echo "  (\`bench/pgbench/read_*.sql\`), API and hand-written SQL alternately. \"same\" compares the"
	echo "  API's result with the hand-written query's for one collection and item."
	echo
	echo "## Raw measurements"
	echo
	echo "One value per run (ms, tps, bytes or kB as in the tables above)."
	echo
	echo '```text'
	cat "$WORK/raw.txt"
	echo '```'
} >"$RESULTS"
echo
echo "results written to $RESULTS"
al_log "benchmark done in $(( WALL / 60 )) min $(( WALL % 60 )) s"
