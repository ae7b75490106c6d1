#!/bin/bash
# make bench: every benchmark, results printed as Markdown for docs/benchmarks.md.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "## HTTP server (issue 2)"
bash bench/http_bench.sh "${BENCH_SECONDS:-10}"
echo
echo "## Working-day arithmetic (issue 3)"
cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -O2 -Isrc -o build/calendar_bench \
    bench/calendar_bench.c build/libzhifa.a $(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcrypto libutf8proc) -lpthread -lm
build/calendar_bench
