#!/usr/bin/env bash
# scripts/session_options_test.sh: activity_log.require_context, set by the
# administrator (ALTER DATABASE ... SET), cannot be switched off by an
# ordinary login role, whatever it sends: SET in the session, or the
# setting among its connection options (PGOPTIONS).  Needs new sessions
# of a committed login role, so it is a shell script, not pgTAP.
#
# Runs against the running cluster named by PGHOST, PGPORT and PGUSER (a
# superuser; the login role connects without a password, as in the
# throwaway cluster of scripts/lib.sh).  Prints TAP; exits non-zero if a
# test fails.
set -uo pipefail

DB="al_sessopt_test_$$"
ROLE="al_hx_login_$$"
n=0
failed=0

ok() {          # ok <status> <description> [diagnostics]
    n=$((n + 1))
    if [ "$1" -eq 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        [ -n "${3:-}" ] && printf '%s\n' "$3" | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}
cleanup() {
    psql -X -q -d postgres -c "DROP DATABASE IF EXISTS $DB" >/dev/null 2>&1
    psql -X -q -d postgres -c "DROP ROLE IF EXISTS $ROLE" >/dev/null 2>&1
}
trap cleanup EXIT

# as_role <options> <sql>: run sql in a new session of the login role;
# prints its output and errors
as_role() {
    PGOPTIONS="$1" psql -X -q -t -A -v ON_ERROR_STOP=1 -U "$ROLE" -d "$DB" -c "$2" 2>&1
}

psql -X -q -v ON_ERROR_STOP=1 -d postgres >/dev/null <<SQL || exit 1
CREATE ROLE $ROLE LOGIN;
CREATE DATABASE $DB;
ALTER DATABASE $DB SET activity_log.require_context = on;
SQL
psql -X -q -v ON_ERROR_STOP=1 -d "$DB" >/dev/null <<SQL || exit 1
CREATE EXTENSION activity_log;
CREATE TABLE doc (id int PRIMARY KEY, v text);
INSERT INTO doc VALUES (1, 'a');
SELECT activity_log.track('doc');
GRANT SELECT, UPDATE ON doc TO $ROLE;
SQL

out=$(as_role "" "SHOW activity_log.require_context")
ok $([ "$out" = on ]; echo $?) "the database default is require_context = on" "$out"

out=$(as_role "" "UPDATE doc SET v = 'plain' WHERE id = 1")
ok $([[ $out == *"activity_log.user is not set"* ]]; echo $?) \
    "a change without a context user is refused" "$out"

out=$(as_role "" "SELECT activity_log.set_context('alice'); UPDATE doc SET v = 'alice' WHERE id = 1")
ok $? "with a context user it works" "$out"

# SET at the start of a session: refused (with the library preloaded at
# once; without, when the library loads, and the change is refused)
out=$(as_role "" "SET activity_log.require_context = off; UPDATE doc SET v = 'set' WHERE id = 1")
ok $([[ $out == *"activity_log.user is not set"* || $out == *"permission denied to set parameter"* ]]; echo $?) \
    "SET require_context = off at the start of a session: refused" "$out"

out=$(as_role "" "SELECT activity_log.set_context(NULL); SET activity_log.require_context = off")
ok $([[ $out == *"permission denied to set parameter"* ]]; echo $?) \
    "SET require_context = off after the library is loaded: permission denied" "$out"

# Sent as a connection option (PGOPTIONS='-c ...'): refused only when the
# library is in shared_preload_libraries, as the README requires for
# require_context to bind (the setting is then known when the startup
# options are applied).  Without it the role's value outranks the
# database's in the placeholder, is refused with a WARNING when the library
# loads, and leaves the built-in default, off.  scripts/lib.sh preloads.
if ! psql -X -q -t -A -d postgres -c "SHOW shared_preload_libraries" | grep -q activity_log; then
    echo "Bail out! activity_log is not in shared_preload_libraries"
    exit 1
fi
out=$(as_role "-c activity_log.require_context=off" "UPDATE doc SET v = 'pgoptions' WHERE id = 1")
ok $([[ $out == *"activity_log.user is not set"* || $out == *"permission denied to set parameter"* ]]; echo $?) \
    "require_context=off sent as a connection option (PGOPTIONS): refused" "$out"
logged=$(psql -X -q -t -A -d "$DB" -c "SELECT count(*) FROM activity_log.revisions WHERE data->>'v' = 'pgoptions'")
ok $([ "$logged" = 0 ]; echo $?) "... so no change was made without a context user" \
    "$logged change(s) logged without a context user"

echo "1..$n"
[ "$failed" -eq 0 ]
