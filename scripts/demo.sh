#!/usr/bin/env bash
# Demo: install what is missing, build, start a throwaway cluster and show
# activity_log capturing changes.  Run as root on Debian 12.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
al_setup
createdb demo
psql -X -q -v ON_ERROR_STOP=1 -d demo -f "$AL_ROOT/scripts/demo.sql"
