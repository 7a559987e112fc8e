# scripts/lib.sh: shared set-up for the demo, the tests and the benchmark.
#
# Sourced, not run.  Installs what is missing (as root, from Debian's
# packages), builds and installs the extension, and starts a throwaway
# PostgreSQL cluster as the unprivileged "postgres" user in a scratch
# directory on a free port; the cluster is stopped and removed on exit.

set -euo pipefail

AL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# the PostgreSQL major: 15 on Debian 12; scripts/matrix.sh sets others
PG_MAJOR=${AL_PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
AL_PACKAGES=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
             libtap-parser-sourcehandler-pgtap-perl
             make gcc python3 python3-psycopg2)
# installed when the archive has it (PostgreSQL 19 may have no pgTAP yet)
AL_OPTIONAL_PACKAGES=(postgresql-$PG_MAJOR-pgtap)

al_log() { printf '==> %s\n' "$*" >&2; }

# Install the packages that are not installed yet.
al_install_packages() {
    local missing=() p
    if [ "$(id -u)" -ne 0 ]; then
        echo "run this as root: it installs packages and starts a cluster as user postgres" >&2
        exit 1
    fi
    for p in "${AL_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
            || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        al_log "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    for p in "${AL_OPTIONAL_PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" && continue
        if apt-cache show "$p" >/dev/null 2>&1; then
            al_log "installing $p"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null
        fi
    done
}

# Is pgTAP installed for this major?
al_have_pgtap() {
    [ -f "$("$PG_BIN/pg_config" --sharedir)/extension/pgtap.control" ]
}

# Build with warnings as errors and install into the PostgreSQL tree.
al_build_install() {
    al_log "building and installing activity_log"
    make -C "$AL_ROOT" -s clean >/dev/null
    make -C "$AL_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" AL_EXTRA_CFLAGS="${AL_EXTRA_CFLAGS:-}"
    make -C "$AL_ROOT" -s PG_CONFIG="$PG_BIN/pg_config" install >/dev/null
}

# Print a TCP port on 127.0.0.1 that nothing listens on.
al_free_port() {
    local port
    for port in $(seq 55432 55532); do
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return
        fi
    done
    echo "no free port between 55432 and 55532" >&2
    exit 1
}

al_stop_cluster() {
    if [ -n "${AL_SCRATCH:-}" ] && [ -d "$AL_SCRATCH/data" ]; then
        runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$AL_SCRATCH/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    if [ -n "${AL_SCRATCH:-}" ] && [ -z "${AL_KEEP_SCRATCH:-}" ]; then
        rm -rf "$AL_SCRATCH"
    fi
}

# Start a throwaway cluster; extra arguments are passed to postgres as -c settings.
al_start_cluster() {
    local opts="" setting
    AL_SCRATCH=$(mktemp -d /tmp/activity_log.XXXXXX)
    chown postgres: "$AL_SCRATCH"
    chmod 755 "$AL_SCRATCH"
    AL_PORT=$(al_free_port)
    trap al_stop_cluster EXIT
    for setting in "$@"; do
        opts="$opts -c $setting"
    done
    al_log "starting a throwaway cluster in $AL_SCRATCH on port $AL_PORT"
    runuser -u postgres -- "$PG_BIN/initdb" -D "$AL_SCRATCH/data" -A trust -U postgres \
        --locale=C.UTF-8 --encoding=UTF8 \
        --no-sync >"$AL_SCRATCH/initdb.log" 2>&1
    runuser -u postgres -- "$PG_BIN/pg_ctl" -D "$AL_SCRATCH/data" -l "$AL_SCRATCH/server.log" -w \
        -o "-p $AL_PORT -k $AL_SCRATCH -c listen_addresses=127.0.0.1 -c fsync=off -c max_prepared_transactions=10 -c shared_preload_libraries=activity_log $opts" \
        start >/dev/null
    export PGHOST="$AL_SCRATCH" PGPORT="$AL_PORT" PGUSER=postgres PGDATABASE=postgres
}

al_setup() {
    al_install_packages
    al_build_install
    al_start_cluster "$@"
}
