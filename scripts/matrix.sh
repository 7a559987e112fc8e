#!/usr/bin/env bash
# scripts/matrix.sh [15|17|18|19|all]: the whole suite (scripts/test.sh) on
# each PostgreSQL major that CI tests.
#
# 15 runs on the host (Debian 12).  17, 18 and 19 run in Debian chroots made
# with debootstrap from the mirror the host's apt sources name: trixie (17),
# forky (18; bootstrapped with sid's script, which bookworm's debootstrap
# has) and sid with PostgreSQL's own packages taken from experimental (19).
# A chroot is made once and kept under /var/cache/activity_log; each run
# copies the project's files into it and runs scripts/test.sh there as root,
# which starts its cluster as the unprivileged user postgres, as on the host.
#
# Prints one summary line per version; exits non-zero if any version fails.
# Run as root.
set -euo pipefail

AL_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${AL_MATRIX_CACHE:-/var/cache/activity_log}
ALL=(15 17 18 19)

log() { printf '==> %s\n' "$*" >&2; }

if [ "$(id -u)" -ne 0 ]; then
    echo "run this as root: it makes chroots and installs packages" >&2
    exit 1
fi
case "${1:-all}" in
    all) versions=("${ALL[@]}") ;;
    15|17|18|19) versions=("$1") ;;
    *) echo "usage: bash scripts/matrix.sh [15|17|18|19|all]" >&2; exit 2 ;;
esac

# The Debian mirror of the host's apt sources (deb822 or one-line format).
host_mirror() {
    local uri
    uri=$(grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}' \
        | grep -v -- '-security' | head -n 1 || true)
    if [ -z "$uri" ]; then
        uri=$(grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
            | awk '{print $2}' | grep -v -- '-security' | head -n 1 || true)
    fi
    if [ -z "$uri" ]; then
        echo "no Debian mirror in the host's apt sources" >&2
        exit 1
    fi
    echo "$uri"
}

# The host's apt settings about expired Release files, for a chroot's apt.
host_expiry_settings() {
    apt-config dump | grep -E '^Acquire::(Check-Valid-Until|Check-Date|Max-ValidTime) ' || true
}

# Make (once) the chroot for a major: $1 = major; prints its directory.
make_chroot() {
    local v=$1 dir="$CACHE/chroot-$1" suite script="" mirror pkgs
    case "$v" in
        17) suite=trixie ;;
        18) suite=forky; script=sid ;;
        19) suite=sid ;;
    esac
    if [ -f "$dir/.activity_log-ready" ]; then
        echo "$dir"
        return
    fi
    command -v debootstrap >/dev/null || {
        log "installing debootstrap"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    }
    mirror=$(host_mirror)
    rm -rf "$dir"
    mkdir -p "$CACHE"
    log "debootstrap $suite for PostgreSQL $v from $mirror into $dir"
    debootstrap --variant=minbase "$suite" "$dir" "$mirror" \
        ${script:+/usr/share/debootstrap/scripts/$script} >"$CACHE/debootstrap-$v.log" 2>&1 || {
        tail -n 20 "$CACHE/debootstrap-$v.log" >&2
        exit 1
    }
    host_expiry_settings >"$dir/etc/apt/apt.conf.d/99activity-log-expiry"
    echo "deb $mirror $suite main" >"$dir/etc/apt/sources.list"
    [ "$v" = 19 ] && echo "deb $mirror experimental main" >>"$dir/etc/apt/sources.list"
    # no service starts in the chroot, and no cluster of its own
    printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"
    chmod 755 "$dir/usr/sbin/policy-rc.d"
    mkdir -p "$dir/etc/postgresql-common"
    echo "create_main_cluster = false" >"$dir/etc/postgresql-common/createcluster.conf"
    pkgs="make gcc python3 python3-psycopg2 libtap-parser-sourcehandler-pgtap-perl procps"
    if [ "$v" = 19 ]; then
        # only PostgreSQL's own packages from experimental
        pkgs="$pkgs postgresql-19/experimental postgresql-client-19/experimental"
        pkgs="$pkgs postgresql-server-dev-19/experimental libpq-dev/experimental libpq5/experimental"
    else
        pkgs="$pkgs postgresql-$v postgresql-server-dev-$v postgresql-$v-pgtap"
    fi
    with_mounts "$dir" /bin/sh -c \
        "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs" \
        >"$CACHE/install-$v.log" 2>&1 || {
        tail -n 30 "$CACHE/install-$v.log" >&2
        exit 1
    }
    if [ "$v" = 19 ]; then
        # pgTAP for 19 if the archive has it; the suite skips pgTAP otherwise
        with_mounts "$dir" /bin/sh -c \
            "DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-19-pgtap/experimental || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-19-pgtap" \
            >>"$CACHE/install-$v.log" 2>&1 || log "no pgTAP package for PostgreSQL 19"
    fi
    touch "$dir/.activity_log-ready"
    echo "$dir"
}

# Run a command in chroot $1 with the host's /proc, /dev and /dev/shm
# bind-mounted into it, in a mount namespace of its own (unshare): the mounts
# vanish with the command, and nothing it does can unmount anything of the
# host's.
with_mounts() {
    local dir=$1
    shift
    unshare --mount --propagation private -- /bin/sh -c '
        dir=$1; shift
        for m in proc dev dev/shm; do
            mkdir -p "$dir/$m" && mount --bind "/$m" "$dir/$m" || exit 1
        done
        exec chroot "$dir" "$@"' sh "$dir" "$@"
}

# Run the suite for one major: $1; writes its output to $CACHE/test-$1.log.
run_version() {
    local v=$1 dir
    if [ "$v" = 15 ]; then
        AL_PG_MAJOR=15 bash "$AL_ROOT/scripts/test.sh"
        return
    fi
    dir=$(make_chroot "$v") || return 1
    rm -rf "$dir/build"
    mkdir -p "$dir/build/activity_log"
    # the project's files, as git knows them (the working tree's contents)
    (cd "$AL_ROOT" && git ls-files -z --cached --others --exclude-standard \
        | tar --null -T - -cf -) | tar -xf - -C "$dir/build/activity_log"
    with_mounts "$dir" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
        HOME=/root LANG=C.UTF-8 AL_PG_MAJOR="$v" \
        bash /build/activity_log/scripts/test.sh
}

declare -A result seconds
status=0
mkdir -p "$CACHE"
for v in "${versions[@]}"; do
    log "PostgreSQL $v (output in $CACHE/test-$v.log)"
    start=$SECONDS
    if run_version "$v" >"$CACHE/test-$v.log" 2>&1; then
        result[$v]=PASS
    else
        result[$v]=FAIL
        status=1
    fi
    seconds[$v]=$((SECONDS - start))
    if [ "${result[$v]}" = FAIL ]; then
        tail -n 60 "$CACHE/test-$v.log" >&2
    fi
done

for v in "${versions[@]}"; do
    counts=$(grep -hoE 'All [0-9]+ tests passed|[0-9]+ of [0-9]+ tests failed|Files=[0-9]+, Tests=[0-9]+|model test: [0-9]+ transactions|pgTAP skipped[^=]*' \
        "$CACHE/test-$v.log" 2>/dev/null | tr '\n' ';' | sed 's/;$//')
    printf 'matrix: PostgreSQL %s %s in %ss (%s)\n' "$v" "${result[$v]}" "${seconds[$v]}" "$counts"
done
exit $status
