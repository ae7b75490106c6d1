#!/usr/bin/env bash
# search_bench.sh — issue 7 "Speed": search over the laws in
# ../shared/reference/laws plus N generated decisions (default 1,000,000),
# 2-, 3- and 4-character queries, against FTS5 trigram, a LIKE scan and
# PostgreSQL 15 pg_trgm in the same run. See bench/search_bench.c.
#
#   make build/zhifa && bash bench/search_bench.sh [N]
#
# Needs the reference laws (ZF_REFERENCE_DIR or ../shared/reference). Runs
# PostgreSQL from /usr/lib/postgresql/15 in a throw-away cluster when it is
# installed (as the postgres user when run as root), and skips it otherwise.
# Takes a few minutes and a few GB of /tmp at N = 1,000,000.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ZHIFA_BIN:-$ROOT/build/zhifa}
LIB=${ZHIFA_LIB:-$ROOT/build/libzhifa.a}
N=${1:-1000000}
REF=${ZF_REFERENCE_DIR:-$ROOT/../shared/reference}
LAWS=$REF/laws
PGBIN=/usr/lib/postgresql/15/bin
# SEARCH_BENCH_DIR keeps the data (and the PostgreSQL cluster) for the next
# run, which then measures without rebuilding.
KEEP=${SEARCH_BENCH_DIR:-}
if [ -n "$KEEP" ]; then
    WORK=$KEEP
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d /tmp/zhifa-search-bench.XXXXXX)
fi
PGSTARTED=

cleanup() {
    if [ -n "$PGSTARTED" ]; then
        if [ "$(id -u)" = 0 ]; then
            su postgres -s /bin/sh -c "$PGBIN/pg_ctl -D '$WORK/pg' -m fast stop" >/dev/null 2>&1 || true
        else
            "$PGBIN/pg_ctl" -D "$WORK/pg" -m fast stop >/dev/null 2>&1 || true
        fi
    fi
    [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

if [ ! -d "$LAWS" ]; then
    echo "search_bench: no reference laws at $LAWS; skipped" >&2
    exit 0
fi

CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc"
# the libraries build/libzhifa.a needs: the Makefile's list
PKGS=$(sed -n 's/^PKGS := //p' "$ROOT/Makefile")
LIBS="$(pkg-config --libs $PKGS) -lpthread -lm"
PGARGS=()
if pkg-config --exists libpq && [ -x "$PGBIN/initdb" ]; then
    CFLAGS="$CFLAGS -DWITH_PG $(pkg-config --cflags libpq)"
    LIBS="$LIBS $(pkg-config --libs libpq)"
fi
mkdir -p "$ROOT/build/bench"
(cd "$ROOT" && cc $CFLAGS -o build/bench/search_bench bench/search_bench.c "$LIB" $LIBS)

if [ ! -f "$WORK/data/zhifa.db" ]; then
    "$BIN" init "$WORK/data" >/dev/null
    start=$(date +%s.%N)
    "$BIN" import laws "$LAWS" --data "$WORK/data" >"$WORK/import.log" 2>&1 || true
    echo "Imported the reference laws with \`zhifa import laws\` in $(echo "$(date +%s.%N) - $start" | bc) s."
    echo
fi

if [[ "$CFLAGS" == *WITH_PG* ]]; then
    PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    NEWPG=; [ -f "$WORK/pg/PG_VERSION" ] || NEWPG=1
    mkdir -p "$WORK/pg"
    if [ "$(id -u)" = 0 ]; then
        chown postgres "$WORK" "$WORK/pg"
        RUN=(su postgres -s /bin/sh -c)
        PGUSER_NAME=postgres
    else
        RUN=(sh -c)
        PGUSER_NAME=$(id -un)
    fi
    [ -z "$NEWPG" ] || "${RUN[@]}" "$PGBIN/initdb -D '$WORK/pg' -E UTF8 --locale=C.UTF-8 -A trust" >/dev/null
    "${RUN[@]}" "$PGBIN/pg_ctl -D '$WORK/pg' -l '$WORK/pg/log' -w -o \"-p $PORT -k '$WORK' -c listen_addresses='' -c shared_buffers=1GB -c work_mem=64MB -c fsync=off\" start" >/dev/null
    PGSTARTED=1
    PGARGS=("host=$WORK port=$PORT user=$PGUSER_NAME dbname=postgres")
fi

chmod 755 "$WORK" 2>/dev/null || true
"$ROOT/build/bench/search_bench" "$WORK/data/zhifa.db" "$N" "${PGARGS[@]}"
