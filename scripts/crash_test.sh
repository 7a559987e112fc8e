#!/usr/bin/env bash
# scripts/crash_test.sh: a backend killed with SIGKILL in the middle of a bulk
# UPDATE of a tracked table.  After crash recovery the table and the log
# must agree: the killed transaction left nothing (the table is unchanged,
# none of its activity exists, each row's last revision is still
# to_jsonb() of the row), the sealed chain still verifies, and capture
# works again.
#
# Runs against the running cluster named by PGHOST, PGPORT and PGUSER (a
# superuser), in a database of its own that it drops at the end.  Must run
# as root or as the user running the server (it sends the SIGKILL).
# Prints TAP; exits non-zero if a test fails.
#
# Two kills:
#   1. deterministic: a second AFTER trigger, firing after
#      "Activity_log_capture", sleeps at row 100,000 of the UPDATE; by then
#      capture has written 100,000 activity and revision rows of the
#      transaction.  The backend is killed during that sleep.
#   2. timed: BEGIN; UPDATE (all rows); pg_sleep; COMMIT, killed about a
#      second after the UPDATE began, wherever it is then.
set -uo pipefail

ROWS=${AL_CRASH_ROWS:-200000}
DB="al_crash_test_$$"
APP="al_crash_update_$$"
SENTINEL="al_crash_sentinel_$$"
WORK=$(mktemp -d /tmp/al_crash.XXXXXX)
chmod 755 "$WORK"
n=0
failed=0

psql_q() { psql -X -q -t -A -v ON_ERROR_STOP=1 "$@"; }
ok() {          # ok <condition-status> <description> [diagnostics]
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}
is() {          # is <have> <want> <description>
    if [ "$1" = "$2" ]; then ok 0 "$3"; else ok 1 "$3" "have: $1"$'\n'"want: $2"; fi
}
cleanup() {
    [ -n "${bg:-}" ] && kill "$bg" 2>/dev/null
    [ -n "${sentinel:-}" ] && kill "$sentinel" 2>/dev/null
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for <seconds> <command...>: until the command succeeds
wait_for() {
    local limit=$1 i
    shift
    for ((i = 0; i < limit * 10; i++)); do
        if "$@" >/dev/null 2>&1; then return 0; fi
        sleep 0.1
    done
    return 1
}
server_up() { psql -X -q -t -A -d "$DB" -c "SELECT 1" 2>/dev/null | grep -qx 1; }
# a process that has exited (or is a zombie not yet waited for)
gone() { [ ! -e "/proc/$1" ] || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# sessions seen in pg_stat_activity
seen() { [ -n "$(psql -X -q -t -A -d postgres -c "SELECT pid FROM pg_stat_activity $1" 2>/dev/null)" ]; }
# the killed backend's pid and xid, once it is writing
backend_row() {
    psql_q -d postgres -F ' ' -c "SELECT pid, backend_xid FROM pg_stat_activity
        WHERE application_name = '$APP' AND backend_xid IS NOT NULL $1"
}

# kill_and_recover <label>: SIGKILL the backend running $APP, wait for crash
# recovery; sets killed_xid
kill_and_recover() {
    local label=$1 row pid
    row=$(backend_row "")
    pid=${row%% *}
    killed_xid=${row##* }
    ok $([ -n "$pid" ] && [ -n "$killed_xid" ]; echo $?) \
        "$label: the UPDATE's backend is running, with transaction $killed_xid"
    [ -n "$pid" ] && kill -9 "$pid"
    # the postmaster ends every backend (the sentinel too), then recovers
    wait "$bg"
    bg_status=$?
    bg=
    wait_for 60 gone "$sentinel"
    wait "$sentinel" 2>/dev/null
    sentinel=
    ok $([ "$bg_status" -ne 0 ]; echo $?) "$label: the killed session did not commit (psql exit $bg_status)"
    wait_for 60 server_up
    ok $? "$label: the server is back after crash recovery (within 60 s)"
}

start_sentinel() {
    PGAPPNAME=$SENTINEL psql -X -q -d "$DB" -c "SELECT pg_sleep(600)" >/dev/null 2>&1 &
    sentinel=$!
    wait_for 10 seen "WHERE application_name = '$SENTINEL'"
}

# check_agree <label>: the table and the log agree, nothing of killed_xid
check_agree() {
    local label=$1
    is "$(psql_q -d "$DB" -c "SELECT count(*), sum(v), count(*) FILTER (WHERE t LIKE '%x') FROM big")" \
       "$ROWS|$expected_sum|0" "$label: the table is unchanged"
    is "$(psql_q -d "$DB" -c "SELECT count(*) FROM activity_log.activity
            WHERE (transaction::text::numeric % 4294967296)::text = '$killed_xid'")" \
       "0" "$label: no activity of the killed transaction exists"
    is "$(psql_q -d "$DB" -c "SELECT count(*) FROM activity_log.activity")" \
       "$expected_activity" "$label: the log has exactly the activity it had before"
    is "$(psql_q -d "$DB" -c "
            SELECT count(*) FILTER (WHERE l.data IS NULL),
                   count(*) FILTER (WHERE l.data IS DISTINCT FROM to_jsonb(b))
              FROM big b
              LEFT JOIN (SELECT DISTINCT ON (a.item) a.item, r.data
                           FROM activity_log.activity a
                           JOIN activity_log.revision_store r ON r.activity = a.id
                          WHERE a.collection = 'big'
                          ORDER BY a.item, a.id DESC) l ON l.item = b.id::text")" \
       "0|0" "$label: every row's last revision is to_jsonb() of the row"
    is "$(psql_q -d "$DB" -c "SELECT count(*) FROM activity_log.verify()")" \
       "0" "$label: verify() finds nothing wrong"
    is "$(psql_q -d "$DB" -c "SELECT sum(cardinality(activities)) FROM activity_log.seals")" \
       "$expected_seals" "$label: the seals are all there"
}

# Set-up -------------------------------------------------------------------------

psql_q -d postgres -c "CREATE DATABASE $DB" >/dev/null || exit 1
psql_q -d "$DB" >/dev/null <<SQL || exit 1
CREATE EXTENSION activity_log;
CREATE TABLE big (id int PRIMARY KEY, v int NOT NULL, t text);
SELECT activity_log.track('big');
INSERT INTO big SELECT g, g, 'row ' || g FROM generate_series(1, $ROWS) g;
UPDATE big SET v = v * 2 WHERE id % 1000 = 0;
SELECT activity_log.seal();
-- fires after "Activity_log_capture" (triggers fire in name order): sleeps
-- at the middle row, when capture has logged the rows before it
CREATE FUNCTION pause_midway() RETURNS trigger LANGUAGE plpgsql AS \$\$
BEGIN
    IF NEW.id = $ROWS / 2 + 1 THEN
        PERFORM pg_sleep(300);
    END IF;
    RETURN NULL;
END \$\$;
CREATE TRIGGER zz_pause_midway AFTER UPDATE ON big FOR EACH ROW EXECUTE FUNCTION pause_midway();
SQL
expected_sum=$(psql_q -d "$DB" -c "SELECT sum(v) FROM big")
expected_activity=$(psql_q -d "$DB" -c "SELECT count(*) FROM activity_log.activity")
expected_seals=$(psql_q -d "$DB" -c "SELECT sum(cardinality(activities)) FROM activity_log.seals")
seq_before=$(psql_q -d "$DB" -c "SELECT last_value FROM activity_log.activity_id_seq")
ok $([ "$expected_seals" = "$expected_activity" ]; echo $?) \
    "set-up: $ROWS rows tracked, $expected_activity activity rows, all sealed"

# 1. Killed while capture is half-way through the statement's rows ------------------

start_sentinel
PGAPPNAME=$APP psql -X -q -d "$DB" -c "UPDATE big SET v = v + 1, t = t || 'x'" \
    >"$WORK/update1.out" 2>&1 &
bg=$!
wait_for 60 seen "WHERE application_name = '$APP' AND wait_event = 'PgSleep' AND backend_xid IS NOT NULL"
ok $? "paused: the UPDATE is in its AFTER triggers, half of its rows captured"
kill_and_recover "kill 1 (mid-capture)"
ids_used=$(psql_q -d "$DB" -c "SELECT last_value - $seq_before FROM activity_log.activity_id_seq")
# (the sequence is recovered from the WAL that reached the OS: a lower bound)
ok $([ "${ids_used:-0}" -ge $((ROWS / 4)) ]; echo $?) \
    "kill 1: capture had written rows of the killed transaction ($ids_used activity ids used)"
check_agree "kill 1"

# 2. Killed about a second into the UPDATE, wherever it is ---------------------------

psql_q -d "$DB" -c "DROP TRIGGER zz_pause_midway ON big" >/dev/null
start_sentinel
PGAPPNAME=$APP psql -X -q -d "$DB" >"$WORK/update2.out" 2>&1 <<'SQL' &
BEGIN;
UPDATE big SET v = v + 1, t = t || 'x';
SELECT pg_sleep(300);
COMMIT;
SQL
bg=$!
wait_for 60 seen "WHERE application_name = '$APP' AND backend_xid IS NOT NULL"
sleep 1
kill_and_recover "kill 2 (timed)"
check_agree "kill 2"

# 3. After recovery the log works --------------------------------------------------

is "$(psql_q -d "$DB" -c "UPDATE big SET v = v + 1 WHERE id = 7" -c "
        SELECT a.action || ' ' || (r.data = to_jsonb(b))::text
          FROM activity_log.activity a JOIN activity_log.revisions r ON r.id = a.id, big b
         WHERE b.id = 7 AND a.collection = 'big' AND a.item = '7'
         ORDER BY a.id DESC LIMIT 1")" \
   "update true" "after recovery a change is captured again, its revision equal to the row"
is "$(psql_q -d "$DB" -c "SELECT activity_log.seal()" -c "SELECT count(*) FROM activity_log.verify()")" \
   $'1\n0' "seal() chains it, and verify() still finds nothing wrong"

# the log's indexes agree with its heap (amcheck, when installed)
if psql_q -d "$DB" -c "CREATE EXTENSION amcheck" >/dev/null 2>&1; then
    is "$(psql_q -d "$DB" -c "
            SELECT count(*) FROM (
                SELECT bt_index_check(c.oid, true)
                  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                 WHERE i.indrelid IN ('activity_log.activity'::regclass, 'activity_log.revision_store'::regclass,
                                      'activity_log.seals'::regclass, 'big'::regclass)) x" 2>&1)" \
       "8" "amcheck: the indexes of the log and of the table match their heaps"
else
    n=$((n + 1))
    echo "ok $n - amcheck: the indexes of the log and of the table match their heaps # SKIP amcheck not installed"
fi

echo "1..$n"
if [ "$failed" -ne 0 ]; then
    echo "# crash test: $failed of $n failed" >&2
    for f in "$WORK"/update*.out; do
        [ -s "$f" ] && sed 's/^/# /' "$f" >&2
    done
    exit 1
fi
exit 0
