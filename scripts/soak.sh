#!/usr/bin/env bash
# The model-based randomized test with random seeds, for as long as asked:
#
#   bash scripts/soak.sh [MINUTES]      (default 30)
#
# Does the same set-up as scripts/test.sh (packages, build, a throwaway
# cluster), then runs scripts/model_test.py --soak MINUTES: each seed runs
# 400 random transactions; the seed of any failure is printed with the
# command that replays it, and the exit status is 1 if any seed failed.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
minutes=${1:-30}
al_setup
al_log "model-based randomized test: random seeds for $minutes minutes"
/usr/bin/python3 "$AL_ROOT/scripts/model_test.py" --soak "$minutes" --transactions 400
