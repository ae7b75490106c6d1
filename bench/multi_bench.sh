#!/bin/bash
# multi_bench.sh — issue 9 "Speed", in one run on this machine:
#  1. the same demo city (plus N imported decisions) on SQLite and on
#     PostgreSQL, one server each, no proxy: the portal home page, a decision
#     page, a portal search and an authenticated API read (GET
#     /api/v1/departments?per_page=3, ~2 KB) and write (POST /api/v1/cases:
#     a case, its events, audit row and ledger event in one transaction);
#  2. API read and write throughput with one, two and three `zhifa serve`
#     processes on one PostgreSQL behind nginx (round robin, keepalive).
# wrk -t2 -c64 (writes -c16) for DURATION seconds per row; prints Markdown.
# Everything (cluster, servers, nginx) lives in a temp dir and is removed.
#
# usage: bench/multi_bench.sh [DURATION_SECONDS] [N]   (defaults 10, 2000)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
n=${2:-2000}
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

# logs officer1 in at BASE; sets cookie and csrf
login() {
    local out
    out=$(curl -s -D "$work/hdr" -X POST "$1/api/v1/auth/login" -H 'Content-Type: application/json' \
        -d '{"username":"officer1","password":"demo-password-2026"}')
    cookie=$(tr -d '\r' <"$work/hdr" | sed -n 's/^Set-Cookie: \(zf_session=[^;]*\).*/\1/p')
    csrf=$(echo "$out" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
}

# a wrk Lua script that creates cases (officer ids from the database: $1)
write_script() {
    cat >"$work/write.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cookie"] = "$cookie"
wrk.headers["X-CSRF-Token"] = "$csrf"
wrk.body = '{"procedure":"penalty_general","title":"压测案件","summary":"压测","source":"监督检查","officers":[$1],"parties":[{"kind":"自然人","name":"张压测"}]}'
LUA
}

# wrk → "req/s|p99 ms|errors" (errors: non-2xx plus socket errors)
run_wrk() { # URL CONNECTIONS [LUA]
    local out
    if [ -n "${3:-}" ]; then
        out=$(wrk -t 2 -c "$2" -d "${dur}s" --latency -s "$3" "$1" 2>&1)
    else
        out=$(wrk -t 2 -c "$2" -d "${dur}s" --latency -H "Cookie: $cookie" "$1" 2>&1)
    fi
    local rps p99 errs
    rps=$(echo "$out" | awk '/Requests\/sec/ {printf "%d", $2}')
    p99=$(echo "$out" | awk '$1=="99%" {v=$2; if (v ~ /us$/) {sub("us","",v); v=v/1000} else if (v ~ /ms$/) {sub("ms","",v)} else if (v ~ /s$/) {sub("s","",v); v=v*1000}; printf "%.1f", v}')
    errs=$(echo "$out" | awk '/Non-2xx/ {n+=$NF} /Socket errors/ {gsub(",",""); n+=$4+$6+$8+$10} END {print n+0}')
    echo "$rps|$p99|$errs"
}

row() { # LABEL URL CONNECTIONS [LUA]
    local rps p99 errs
    IFS='|' read -r rps p99 errs <<<"$(run_wrk "$2" "$3" "${4:-}")"
    echo "| $1 | $rps | $p99 | $errs |"
}

nginx_front() { # PORT SERVER_PORT...
    local nport=$1
    shift
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

# N decisions of 2025, as historical records arrive (zhifa import penalties)
awk -v n="$n" 'BEGIN {
    printf "\xef\xbb\xbf当事人,当事人类型,处罚日期,处罚类型,罚没金额（元）,违规领域,违规事实,法律依据,决定书文号\n"
    for (i = 1; i <= n; i++)
        printf "赣江市第%d粮油经营部,法人及非法人组织,2025/%d/%d,罚款,%d,食品安全,销售标签不符合规定的食用油%d桶。,《中华人民共和国食品安全法》第一百二十五条,赣市监罚〔2025〕%d号\n",
            i, 1 + i % 12, 1 + i % 28, 500 + (i % 300) * 10, 1 + i % 30, 5000 + i
}' >"$work/decisions.csv"

url=$(scripts/pg-cluster.sh start "$work/pg")
psql "$url/postgres" -qc "CREATE DATABASE bench" >/dev/null
"$bin" init "$work/sq" --demo >/dev/null
"$bin" init "$work/pgdata" --demo --database "$url/bench" >/dev/null
for d in sq pgdata; do
    "$bin" import penalties "$work/decisions.csv" --department 1 --data "$work/$d" >/dev/null
done
officers=$(psql "$url/bench" -AtX -c "SELECT string_agg(officer_id::text, ',' ORDER BY username) FROM users WHERE username IN ('officer1','officer2')")

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "### One server, SQLite beside PostgreSQL"
echo
echo "| backend · target | req/s | p99 ms | errors |"
echo "|---|---:|---:|---:|"
read_path="/api/v1/departments?per_page=3"
for d in sq pgdata; do
    name=$([ "$d" = sq ] && echo SQLite || echo PostgreSQL)
    port=$(free_port)
    serve "$work/$d" "$port"
    base="http://127.0.0.1:$port"
    pub=$(curl -sf "$base/publications" | grep -o 'href="/publications/[0-9]*"' | head -1 | sed 's/href="\(.*\)"/\1/')
    login "$base"
    row "$name · GET / (portal home)" "$base/" 64
    row "$name · GET $pub (decision page)" "$base$pub" 64
    row "$name · GET /search?q=食用油 (portal search, $n hits)" "$base/search?q=%E9%A3%9F%E7%94%A8%E6%B2%B9" 64
    row "$name · GET $read_path (API read, session)" "$base$read_path" 64
    write_script "$officers"
    row "$name · POST /api/v1/cases (API write)" "$base/api/v1/cases" 16 "$work/write.lua"
    stop_servers
done

echo
echo "### PostgreSQL, 1–3 servers behind nginx"
echo
echo "| servers · target | req/s | p99 ms | errors |"
echo "|---|---:|---:|---:|"
ports=($(free_port) $(free_port) $(free_port))
for k in 1 2 3; do
    serve "$work/pgdata" "${ports[$((k - 1))]}"
    nport=$(free_port)
    nginx_front "$nport" "${ports[@]:0:$k}"
    login "http://127.0.0.1:$nport"
    row "$k · GET $read_path" "http://127.0.0.1:$nport$read_path" 64
    write_script "$officers"
    row "$k · POST /api/v1/cases" "http://127.0.0.1:$nport/api/v1/cases" 16 "$work/write.lua"
    kill "$npid" 2>/dev/null
    wait "$npid" 2>/dev/null || true
    npid=""
done
echo
echo "$n imported decisions on each backend; wrk -t2, 64 connections (writes 16), ${dur}s per row;" \
    "$(nproc) cores shared with the PostgreSQL server, nginx and wrk;" \
    "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
