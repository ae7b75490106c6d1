#!/usr/bin/env bash
# cockpit_bench.sh — issue 8 "Speed": the cockpit's city view with N cases
# (default 1,000,000). Makes a demo data directory, fills it with
# bench/cockpit_bench.c (which also times the recomputation and the view in
# process), then serves it and times GET /api/v1/cockpit over HTTP as the
# Justice Bureau's supervisor sees it (20 requests after one warm-up).
#
#   make build/zhifa build/libzhifa.a && bash bench/cockpit_bench.sh [N]
#
# COCKPIT_BENCH_DIR keeps the data for the next run (no regeneration).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${ZHIFA_BIN:-$ROOT/build/zhifa}
LIB=${ZHIFA_LIB:-$ROOT/build/libzhifa.a}
N=${1:-1000000}
KEEP=${COCKPIT_BENCH_DIR:-}
if [ -n "$KEEP" ]; then WORK=$KEEP; mkdir -p "$WORK"; else WORK=$(mktemp -d /tmp/zhifa-cockpit-bench.XXXXXX); fi
SERVER=
cleanup() {
    if [ -n "$SERVER" ]; then kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; fi
    [ -n "$KEEP" ] || rm -rf "$WORK"
}
trap cleanup EXIT

PKGS=$(sed -n 's/^PKGS := //p' "$ROOT/Makefile")
mkdir -p "$ROOT/build/bench"
(cd "$ROOT" && cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc \
    $(pkg-config --cflags jansson) -o build/bench/cockpit_bench bench/cockpit_bench.c "$LIB" \
    $(pkg-config --libs $PKGS) -lpthread -lm)
[ -f "$WORK/data/zhifa.db" ] || "$BIN" init "$WORK/data" --demo >/dev/null

echo "| step ($N cases) | time |"
echo "|---|---|"
"$ROOT/build/bench/cockpit_bench" "$WORK/data/zhifa.db" "$N"

PORT=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.1; done
JAR="$WORK/cookies"
curl -sf -c "$JAR" -H 'Content-Type: application/json' \
    -d '{"username":"supervisor1","password":"demo-password-2026"}' "http://127.0.0.1:$PORT/api/v1/auth/login" >/dev/null
curl -sf -b "$JAR" -o /dev/null "http://127.0.0.1:$PORT/api/v1/cockpit"   # warm-up
TIMES=$(for _ in $(seq 20); do
    curl -sf -b "$JAR" -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$PORT/api/v1/cockpit"
done | sort -n)
MED=$(echo "$TIMES" | sed -n 10p)
MAX=$(echo "$TIMES" | tail -1)
SIZE=$(curl -sf -b "$JAR" "http://127.0.0.1:$PORT/api/v1/cockpit" | wc -c)
awk -v m="$MED" -v x="$MAX" -v s="$SIZE" 'BEGIN { printf "| GET /api/v1/cockpit over HTTP (median of 20) | %.1f ms (max %.1f ms, %d bytes) |\n", m*1000, x*1000, s }'
