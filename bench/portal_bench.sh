#!/bin/bash
# portal_bench.sh — issue 7's portal speed target: wrk at 64 connections
# against the public portal's home page and a published decision's page,
# on a demo city with N published decisions (default 5,000, generated here
# and brought in with `zhifa import penalties`, the way historical records
# arrive). /healthz runs in the same way as the machine's floor: on a
# shared 2-core box the p99 of every target moves with the load of other
# processes, and the load average is printed with the table.
# A third row asks for random decisions of all N (a wrk Lua script), which
# the page cache (32 pages per thread) mostly misses: the cost of rendering.
# The server's CPU time per request (from /proc, user + system) is printed
# too: unlike the latency tail it hardly moves with the load of others.
# Target: >= 5,000 requests/s each, p99 < 20 ms, no errors.
#
# usage: bench/portal_bench.sh [DURATION_SECONDS] [N]   (defaults 10, 5000)
set -euo pipefail
cd "$(dirname "$0")/.."
dur=${1:-10}
n=${2:-5000}
bin=${ZHIFA_BIN:-build/zhifa}
work=$(mktemp -d /tmp/zhifa-portal-bench.XXXXXX)
zpid=""
cleanup() {
    [ -n "$zpid" ] && kill "$zpid" 2>/dev/null && wait "$zpid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

"$bin" init "$work/data" --demo >/dev/null
# N decisions of 2025 in the columns of the regulators' public lists
awk -v n="$n" 'BEGIN {
    printf "\xef\xbb\xbf当事人,当事人类型,处罚日期,处罚类型,罚没金额（元）,违规领域,违规事实,法律依据,决定书文号\n"
    for (i = 1; i <= n; i++)
        printf "赣江市第%d食品经营部,法人及非法人组织,2025/%d/%d,罚款,%d,食品安全,经营超过保质期的食品共%d件，货值金额%d元。,《中华人民共和国食品安全法》第一百二十四条,赣市监罚〔2025〕%d号\n",
            i, 1 + i % 12, 1 + i % 28, 1000 + (i % 500) * 10, 1 + i % 40, 30 + i % 900, i
}' >"$work/decisions.csv"
"$bin" import penalties "$work/decisions.csv" --department 1 --data "$work/data" >"$work/import.log"

zport=$(free_port)
"$bin" serve --data "$work/data" --listen "127.0.0.1:$zport" --quiet 2>"$work/zhifa.log" &
zpid=$!
base="http://127.0.0.1:$zport"
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.05; done

# a decision page from the public list (the newest)
pub=$(curl -sf "$base/publications" | grep -o 'href="/publications/[0-9]*"' | head -1 | sed 's/href="\(.*\)"/\1/')
[ -n "$pub" ] || { echo "no published decision on the portal" >&2; exit 1; }
home_size=$(curl -sf "$base/" | wc -c)
pub_size=$(curl -sf "$base$pub" | wc -c)
published=$(curl -sf "$base/publications" | grep -c 'href="/publications/[0-9]*"' || true)

cat >"$work/random.lua" <<LUA
-- a random published decision per request (ids of the imported ones)
local lo, hi = tonumber("${pub#/publications/}") - $n + 1, tonumber("${pub#/publications/}")
math.randomseed(os.time())
request = function() return wrk.format("GET", "/publications/" .. math.random(lo, hi)) end
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$zpid/stat"; }
hz=$(getconf CLK_TCK)

run_wrk() { # name url [lua script]
    local out t0 t1 reqs
    t0=$(cpu_ticks)
    if [ -n "${3:-}" ]; then
        out=$(wrk -t2 -c64 -d"${dur}s" --latency -s "$3" "$2")
    else
        out=$(wrk -t2 -c64 -d"${dur}s" --latency "$2")
    fi
    t1=$(cpu_ticks)
    local rps p50 p99 errs non2xx
    rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
    p50=$(echo "$out" | awk '$1=="50%" {print $2}')
    p99=$(echo "$out" | awk '$1=="99%" {print $2}')
    errs=$(echo "$out" | awk '/Socket errors/ {gsub(",",""); print $4+$6+$8+$10}')
    non2xx=$(echo "$out" | awk '/Non-2xx/ {print $5}')
    reqs=$(echo "$out" | awk '/requests in/ {print $1}')
    local us=$(awk -v t="$((t1 - t0))" -v hz="$hz" -v r="$reqs" 'BEGIN {printf "%.0f", t * 1e6 / hz / r}')
    echo "| $1 | $rps | $p50 | $p99 | ${errs:-0} | ${non2xx:-0} | $us |"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "| target | requests/s | p50 | p99 | socket errors | non-2xx | server CPU µs/request |"
echo "|---|---:|---:|---:|---:|---:|---:|"
run_wrk "GET / (portal home, ${home_size} B)" "$base/"
run_wrk "GET $pub (decision page, ${pub_size} B)" "$base$pub"
run_wrk "GET /publications/{random of $n} (cache mostly misses)" "$base/" "$work/random.lua"
run_wrk "GET /healthz (floor of this machine now)" "$base/healthz"
rss_kb=$(awk '/VmHWM/ {print $2}' "/proc/$zpid/status")
echo
echo "$n decisions imported ($(grep -c . "$work/decisions.csv") CSV lines; the list shows the newest $published);" \
    "zhifa peak RSS $((rss_kb / 1024)) MB; wrk -t2 -c64 -d${dur}s; $(nproc) cores;" \
    "load average before $load_before, after $(cut -d' ' -f1-3 /proc/loadavg); $(date -u +%Y-%m-%dT%H:%MZ)"
