#!/bin/bash
# cases_bench.sh — issue 5 "Speed": one million cases and ten million events
# in a real data directory (zhifa init --demo, then bench/cases_gen.c through
# store/db.h), served by zhifa; bench/cases_bench.py measures the case list
# and the timeline over HTTP and prints a Markdown table.
#
# usage: bench/cases_bench.sh [N_CASES] [EVENTS_PER_CASE] [REPEATS]
#        (defaults 1000000 10 200; CASES_BENCH_DIR=/tmp/x keeps the data
#        for a quicker re-run)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
e=${2:-10}
reps=${3:-200}
bin=${ZHIFA_BIN:-build/zhifa}
work=${CASES_BENCH_DIR:-}
keep=1
if [ -z "$work" ]; then
    work=$(mktemp -d /tmp/zhifa-cases-bench.XXXXXX)
    keep=0
fi
zpid=""
cleanup() {
    [ -n "$zpid" ] && kill "$zpid" 2>/dev/null && wait "$zpid" 2>/dev/null
    [ "$keep" = 0 ] && rm -rf "$work"
    return 0
}
trap cleanup EXIT

mkdir -p build/bench
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror \
    -Wno-missing-field-initializers -Isrc -o build/bench/cases_gen bench/cases_gen.c build/libzhifa.a \
    $(pkg-config --libs $(sed -n 's/^PKGS := //p' Makefile)) -lpthread -lm

mkdir -p "$work"
if [ ! -f "$work/data/.cases_bench_${n}_${e}" ]; then
    rm -rf "$work/data"
    "$bin" init "$work/data" --demo >/dev/null
    t0=$(date +%s)
    build/bench/cases_gen "$work/data/zhifa.db" "$n" "$e" >&2
    echo "generated in $(( $(date +%s) - t0 )) s, database $(du -h "$work/data/zhifa.db" | cut -f1)" >&2
    touch "$work/data/.cases_bench_${n}_${e}"
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --data "$work/data" --listen "127.0.0.1:$port" --quiet 2>"$work/zhifa.log" &
zpid=$!
for _ in $(seq 200); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.05; done
echo "cases: $n, events: $((n * e)), repeats: $reps, $(nproc) CPUs ($(uname -m)), SQLite $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?')" >&2
/usr/bin/python3 bench/cases_bench.py "http://127.0.0.1:$port" "$n" "$reps"
