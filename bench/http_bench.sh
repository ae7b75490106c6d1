#!/bin/bash
# http_bench.sh — issue 2's server benchmark: wrk against zhifa's
# GET /api/v1/departments (JSON, ~2 KB) and /healthz, beside nginx (Debian)
# serving a static file of the same size, on this machine in this run.
# Prints a Markdown table; the target is zhifa >= 40% of nginx's requests
# per second at 64 connections, p99 < 10 ms, no errors, RSS < 64 MB.
#
# usage: bench/http_bench.sh [DURATION_SECONDS]   (default 10)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
bin=${ZHIFA_BIN:-build/zhifa}
work=$(mktemp -d /tmp/zhifa-bench.XXXXXX)
chmod 755 "$work" # nginx workers run as www-data
zpid=""
npid=""
cleanup() {
    [ -n "$zpid" ] && kill "$zpid" 2>/dev/null && wait "$zpid" 2>/dev/null
    [ -n "$npid" ] && kill "$npid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$bin" init "$work/data" --demo >/dev/null
zport=$(free_port)
"$bin" serve --data "$work/data" --listen "127.0.0.1:$zport" --quiet 2>"$work/zhifa.log" &
zpid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$zport/healthz" >/dev/null && break; sleep 0.05; done

# a session cookie for the authenticated endpoint
cookie=$(curl -s -D - -o /dev/null -X POST "http://127.0.0.1:$zport/api/v1/auth/login" \
    -H 'Content-Type: application/json' -d '{"username":"officer1","password":"demo-password-2026"}' |
    tr -d '\r' | sed -n 's/^Set-Cookie: \(zf_session=[^;]*\).*/\1/p')
# three departments make the ~2 KB response the issue names
url="http://127.0.0.1:$zport/api/v1/departments?per_page=3"
curl -sf -H "Cookie: $cookie" "$url" >"$work/departments.json"
size=$(stat -c %s "$work/departments.json")

# nginx serving a file of the same size
mkdir -p "$work/nginx/html" "$work/nginx/logs"
chmod 755 "$work/nginx" "$work/nginx/html"
install -m 644 "$work/departments.json" "$work/nginx/html/departments.json"
nport=$(free_port)
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log;
daemon off;
events { worker_connections 1024; }
http {
    access_log off;
    server {
        listen 127.0.0.1:$nport;
        root $work/nginx/html;
        default_type application/json;
    }
}
CONF
/usr/sbin/nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" &
npid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$nport/departments.json" >/dev/null && break; sleep 0.05; done

run_wrk() { # name url [header]
    local out
    if [ -n "${3:-}" ]; then
        out=$(wrk -t2 -c64 -d"${dur}s" --latency -H "$3" "$2")
    else
        out=$(wrk -t2 -c64 -d"${dur}s" --latency "$2")
    fi
    local rps p99 errs non2xx
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    echo "$1|$rps|$p99|${errs:-0}|${non2xx:-0}"
}

curl -sf -H "Cookie: $cookie" "$url" >/dev/null
nginx_line=$(run_wrk "nginx static file (${size} B)" "http://127.0.0.1:$nport/departments.json")
dept_line=$(run_wrk "zhifa GET /api/v1/departments (${size} B)" "$url" "Cookie: $cookie")
health_line=$(run_wrk "zhifa GET /healthz" "http://127.0.0.1:$zport/healthz")
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$zpid/status")

nginx_rps=$(echo "$nginx_line" | cut -d'|' -f2)
echo "| target | requests/s | p99 | socket errors | non-2xx | ratio to nginx |"
echo "|---|---:|---:|---:|---:|---:|"
for line in "$nginx_line" "$dept_line" "$health_line"; do
    IFS='|' read -r name rps p99 errs non2xx <<<"$line"
    ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
    echo "| $name | $rps | $p99 | $errs | $non2xx | $ratio |"
done
echo
echo "zhifa peak RSS (VmHWM): $((rss_kb / 1024)) MB; wrk -t2 -c64 -d${dur}s; $(nproc) cores; $(date -u +%Y-%m-%d)"
