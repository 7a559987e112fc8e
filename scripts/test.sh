#!/usr/bin/env bash
# All tests: install what is missing, build with -Werror, start a throwaway
# cluster, run the pg_regress and isolation suites (make installcheck), the
# pgTAP suite (pg_prove), the pg_dump/restore round trip
# (scripts/dump_restore_test.sh), the crash and connection-option tests and
# the model-based randomized test at its fixed seeds (scripts/model_test.py).
# Run as root on Debian 12 (PostgreSQL 15; AL_PG_MAJOR=N for another major
# whose packages the archive has, as scripts/matrix.sh does).  Exits non-zero
# if any test fails.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
al_setup
status=0

al_log "pg_regress and isolation suites (make installcheck)"
if ! make -C "$AL_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" installcheck; then
    status=1
    for f in "$AL_ROOT"/regression.diffs "$AL_ROOT"/output_iso/regression.diffs; do
        [ -f "$f" ] && cat "$f"
    done
fi

al_log "pgTAP suite (pg_prove)"
if ! al_have_pgtap; then
    al_log "pgTAP skipped: no pgTAP package for PostgreSQL $PG_MAJOR in the archive"
else
    createdb activity_log_tap
    psql -X -q -v ON_ERROR_STOP=1 -d activity_log_tap \
        -c "CREATE EXTENSION pgtap; CREATE EXTENSION activity_log;"
    if ! pg_prove -f -d activity_log_tap "$AL_ROOT"/test/*.sql; then
        status=1
    fi
fi

al_log "pg_dump and restore round trip"
if ! PG_BIN="$PG_BIN" bash "$AL_ROOT/scripts/dump_restore_test.sh"; then
    status=1
fi

al_log "crash test (a backend killed during a bulk update)"
if ! bash "$AL_ROOT/scripts/crash_test.sh"; then
    status=1
fi

al_log "require_context against connection options"
if ! bash "$AL_ROOT/scripts/session_options_test.sh"; then
    status=1
fi

al_log "model-based randomized test (fixed seeds)"
if ! /usr/bin/python3 "$AL_ROOT/scripts/model_test.py" --seeds 1,2,3,4,5,6,7,8 --transactions 400; then
    status=1
fi

if [ "$status" -ne 0 ]; then
    al_log "FAILED"
    exit 1
fi
al_log "all tests passed"
