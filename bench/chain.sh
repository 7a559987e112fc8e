# The hash chain and comment edits on logs of two sizes (sourced by
# bench/run.sh, which has started the cluster and defined q and al_log).
#
# For each size N: a fresh database; five comments on an item, then N rows
# inserted through capture (N changes), all sealed (the first seal); then
# 10,000 more changes and seal() again, three times: the cost per new row
# of a seal on a log of that size; then each of the five (oldest, sealed)
# comments edited and then deleted: the time of one edit and one delete;
# then verify() of the whole log, once.  Times are server-side
# (clock_timestamp() around EXECUTE), medians where repeated.
#
# Prints BENCH chain_* lines and fills CHAIN_TABLE (text) for the results.

chain_bench() {	# $1 = N
	local n=$1 db=chain_$1 more=10000 i
	q -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db"
	q -d "$db" >/dev/null <<'SQL'
CREATE EXTENSION activity_log;
CREATE FUNCTION ms(sql text) RETURNS double precision LANGUAGE plpgsql AS $$
DECLARE t0 timestamptz := clock_timestamp();
BEGIN
	EXECUTE sql;
	RETURN extract(epoch FROM clock_timestamp() - t0) * 1000;
END $$;
CREATE TABLE t (id int PRIMARY KEY, title text, body text, n int);
SELECT activity_log.track('t');
INSERT INTO t VALUES (0, 'commented', 'x', 0);
SELECT count(activity_log.create_comment('t', '0', 'comment ' || g)) FROM generate_series(1, 5) g;
SQL
	q -d "$db" -c "INSERT INTO t SELECT g, 'title ' || g, repeat('body ', 20), g FROM generate_series(1, $n) g"
	local first seal_all
	seal_all=$(q -d "$db" -c "SELECT ms('SELECT activity_log.seal()')")
	local per=()
	for i in 1 2 3; do
		q -d "$db" -c "INSERT INTO t SELECT g, 'title ' || g, repeat('body ', 20), g FROM generate_series($n + ($i - 1) * $more + 1, $n + $i * $more) g"
		per+=("$(q -d "$db" -c "SELECT ms('SELECT activity_log.seal()') * 1000 / $more")")
	done
	local edits deletes verify rows
	edits=$(q -d "$db" -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms(format('SELECT activity_log.update_comment(%s, %L)', id, 'edited'))) FROM (SELECT id FROM activity_log.activity WHERE action = 'comment' ORDER BY id) c")
	deletes=$(q -d "$db" -c "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ms(format('SELECT activity_log.delete_comment(%s)', id))) FROM (SELECT id FROM activity_log.activity WHERE action = 'comment' ORDER BY id) c")
	q -d "$db" -c "SELECT activity_log.seal()" >/dev/null
	rows=$(q -d "$db" -c "SELECT count(*) FROM activity_log.activity")
	verify=$(q -d "$db" -c "SELECT ms('SELECT count(*) FROM activity_log.verify()')")
	local bad
	bad=$(q -d "$db" -c "SELECT count(*) FROM activity_log.verify()")
	local med
	med=$(printf '%s\n' "${per[@]}" | sort -g | sed -n 2p)
	printf 'BENCH chain log_rows=%s seal_all_ms=%.1f seal_us_per_new_row=%.3f comment_edit_ms=%.3f comment_delete_ms=%.3f verify_ms=%.1f problems=%s\n' \
		"$rows" "$seal_all" "$med" "$edits" "$deletes" "$verify" "$bad" | tee -a "$WORK/chain.txt"
	CHAIN_TABLE+=$(printf '%12s %14.1f %18.3f %17.3f %19.3f %12.1f %9s' "$rows" "$seal_all" "$med" "$edits" "$deletes" "$verify" "$bad")$'\n'
	CHAIN_LAST=("$med" "$edits" "$deletes")
	q -c "DROP DATABASE $db"
}

chain_run() {	# $1 $2 = the two sizes
	CHAIN_TABLE=$(printf '%12s %14s %18s %17s %19s %12s %9s' log_rows seal_all_ms seal_us_per_new_row comment_edit_ms comment_delete_ms verify_ms problems)$'\n'
	: >"$WORK/chain.txt"
	al_log "chain: a log of $1 rows ($(elapsed))"
	chain_bench "$1"
	al_log "chain: a log of $2 rows ($(elapsed))"
	chain_bench "$2"
	# targets on the larger log (issue 11)
	CHAIN_TARGETS=$(awk -v s="${CHAIN_LAST[0]}" -v e="${CHAIN_LAST[1]}" -v d="${CHAIN_LAST[2]}" 'BEGIN {
		printf "BENCH target name=seal_us_per_new_row value=%.3f limit=2.000 unit=us result=%s\n", s, (s <= 2 ? "PASS" : "FAIL");
		printf "BENCH target name=comment_edit_ms value=%.3f limit=5.000 unit=ms result=%s\n", e, (e <= 5 ? "PASS" : "FAIL");
		printf "BENCH target name=comment_delete_ms value=%.3f limit=5.000 unit=ms result=%s\n", d, (d <= 5 ? "PASS" : "FAIL") }')
	echo "$CHAIN_TARGETS"
}
