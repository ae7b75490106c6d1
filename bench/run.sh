#!/bin/bash
# make bench: every benchmark, results printed as Markdown for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PKGS=$(sed -n 's/^PKGS := //p' Makefile)
echo "## HTTP server (issue 2)"
bash bench/http_bench.sh "${BENCH_SECONDS:-10}"
echo
echo "## Working-day arithmetic (issue 3)"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Isrc -o build/calendar_bench \
    bench/calendar_bench.c build/libzhifa.a $(pkg-config --libs $PKGS) -lpthread -lm
build/calendar_bench
echo
echo "## Ledger (issue 4)"
mkdir -p build/bench
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc -o build/bench/ledger_bench \
    bench/ledger_bench.c build/libzhifa.a \
    $(pkg-config --libs $PKGS) -lpthread -lm
ZHIFA_BIN="$PWD/build/zhifa" build/bench/ledger_bench ${LEDGER_BENCH_ARGS:-}
echo
echo "## Search (issue 7)"
bash bench/search_bench.sh "${SEARCH_BENCH_DECISIONS:-1000000}"
echo
echo "## Documents (issue 5)"
mkdir -p build/bench
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Isrc -Itests/unit $(pkg-config --cflags jansson pangocairo libqrencode) \
    -o build/bench/render_bench bench/render_bench.c build/libzhifa.a \
    $(pkg-config --libs $PKGS) -lpthread -lm
build/bench/render_bench
ZHIFA_BIN="$PWD/build/zhifa" /usr/bin/python3 bench/document_api_bench.py "${DOCUMENT_BENCH_RUNS:-50}"
echo
echo "## Spot-check draw (issue 7)"
mkdir -p build/bench
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Wall -Wextra -Werror -Isrc -o build/bench/spotcheck_bench \
    bench/spotcheck_bench.c build/libzhifa.a \
    $(pkg-config --libs $PKGS) -lpthread -lm
build/bench/spotcheck_bench
echo "## Portal (issue 7)"
bash bench/portal_bench.sh "${BENCH_SECONDS:-10}" "${PORTAL_BENCH_DECISIONS:-5000}"
