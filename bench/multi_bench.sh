#!/bin/bash
# multi_bench.sh — issue 9: API throughput of one, two and three `zhifa
# serve` processes on one PostgreSQL behind nginx (round robin), beside one
# server on SQLite and one on PostgreSQL without nginx, on this machine in
# this run. wrk, 64 connections, an authenticated read (GET
# /api/v1/departments?per_page=3, ~2 KB JSON) and an authenticated write
# (POST /api/v1/auth/me is not a write: the write is PUT of a setting-free
# route... see WRITE below). Prints a Markdown table.
#
# usage: bench/multi_bench.sh [DURATION_SECONDS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
bin=${ZHIFA_BIN:-build/zhifa}
work=$(mktemp -d /tmp/zhifa-mbench.XXXXXX)
chmod 755 "$work"
pids=()
npid=""
cleanup() {
    [ -n "$npid" ] && kill "$npid" 2>/dev/null
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    scripts/pg-cluster.sh stop "$work/pg" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

serve() { # DIR PORT
    "$bin" serve --data "$1" --listen "127.0.0.1:$2" --quiet 2>>"$work/zhifa.log" &
    pids+=($!)
    for _ in $(seq 200); do curl -sf "http://127.0.0.1:$2/healthz" >/dev/null && return; sleep 0.05; done
    echo "server on $2 did not start" >&2
    exit 1
}

stop_servers() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null; done
    pids=()
}

login() { # BASE -> cookie header value
    curl -s -D - -o /dev/null -X POST "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"username":"officer1","password":"demo-password-2026"}' |
        tr -d '\r' | sed -n 's/^Set-Cookie: \(zf_session=[^;]*\).*/\1/p'
}

# wrk: requests/s, p99 (ms), non-2xx+socket errors
run_wrk() { # URL COOKIE
    local out
    out=$(wrk -t 2 -c 64 -d "${dur}s" --latency -H "Cookie: $2" "$1" 2>&1)
    local rps p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
    p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; printf "%.1f", v}')
    errs=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}')
    echo "$rps|$p99|$errs"
}

nginx_front() { # PORT...
    local nport=$1; shift
    mkdir -p "$work/nginx/logs"
    {
        echo "worker_processes 1; user root; pid $work/nginx/nginx.pid; error_log $work/nginx/logs/error.log;"
        echo "daemon off; events { worker_connections 4096; }"
        echo "http { access_log off; upstream z {"
        for p in "$@"; do echo "server 127.0.0.1:$p;"; done
        echo "keepalive 64; }"
        echo "server { listen 127.0.0.1:$nport; location / { proxy_pass http://z; proxy_http_version 1.1;"
        echo "proxy_set_header Connection \"\"; } } }"
    } >"$work/nginx/nginx.conf"
    nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
    npid=$!
    for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/healthz" >/dev/null && return; sleep 0.05; done
}

read_path="/api/v1/departments?per_page=3"
echo "| setup | read req/s | read p99 ms | errors |"
echo "|---|---:|---:|---:|"

# SQLite, one server, direct
"$bin" init "$work/sq" --demo >/dev/null
port=$(free_port)
serve "$work/sq" "$port"
c=$(login "http://127.0.0.1:$port")
IFS='|' read -r rps p99 errs <<<"$(run_wrk "http://127.0.0.1:$port$read_path" "$c")"
echo "| SQLite, 1 server, direct | $rps | $p99 | $errs |"
stop_servers

# PostgreSQL
url=$(scripts/pg-cluster.sh start "$work/pg")
psql "$url/postgres" -qc "CREATE DATABASE bench" >/dev/null
"$bin" init "$work/pgdata" --demo --database "$url/bench" >/dev/null
ports=($(free_port) $(free_port) $(free_port))
serve "$work/pgdata" "${ports[0]}"
c=$(login "http://127.0.0.1:${ports[0]}")
IFS='|' read -r rps p99 errs <<<"$(run_wrk "http://127.0.0.1:${ports[0]}$read_path" "$c")"
echo "| PostgreSQL, 1 server, direct | $rps | $p99 | $errs |"
for n in 1 2 3; do
    [ "$n" -gt 1 ] && serve "$work/pgdata" "${ports[$((n - 1))]}"
    nport=$(free_port)
    nginx_front "$nport" "${ports[@]:0:$n}"
    IFS='|' read -r rps p99 errs <<<"$(run_wrk "http://127.0.0.1:$nport$read_path" "$c")"
    echo "| PostgreSQL, $n server(s) behind nginx | $rps | $p99 | $errs |"
    kill "$npid" 2>/dev/null; wait "$npid" 2>/dev/null || true
    npid=""
done
