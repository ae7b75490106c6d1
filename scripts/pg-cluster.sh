#!/bin/sh
# pg-cluster.sh — a throw-away PostgreSQL 15 cluster for tests.
#
#   scripts/pg-cluster.sh start DIR   initdb in DIR, start on a free local
#                                     port; prints the server URL
#                                     (postgres://postgres@127.0.0.1:PORT)
#   scripts/pg-cluster.sh stop DIR    stops it and removes DIR
#
# When run as root the cluster runs as the "postgres" user (PostgreSQL
# refuses to run as root). Trust authentication on 127.0.0.1 only; fsync
# stays on so that the durability the store promises is what is tested.
set -eu

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

case "$cmd" in
start)
    [ -x "$PGBIN/initdb" ] || { echo "pg-cluster: PostgreSQL 15 not installed (postgresql-15)" >&2; exit 1; }
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    as_pg "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; exit 1; }
    port=$(free_port)
    as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
        -o "-h 127.0.0.1 -p $port -k $dir -c max_connections=300 -c shared_buffers=64MB" start >/dev/null ||
        { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
