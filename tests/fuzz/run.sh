#!/bin/bash
# make fuzz: builds the library and every target with clang's libFuzzer and
# ASan into build-fuzz/, then fuzzes each target for FUZZ_SECONDS (default
# 60), growing a scratch corpus seeded from tests/fuzz/corpus/NAME. New
# crashers land in build-fuzz/crashes/.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-60}
make -s BUILD=build-fuzz CC=clang \
    EXTRA_CFLAGS="-fsanitize=fuzzer-no-link,address,undefined -Wno-unused-command-line-argument" \
    build-fuzz/libzhifa.a
mkdir -p build-fuzz/fuzz build-fuzz/crashes
libs=$(pkg-config --libs libmicrohttpd jansson sqlite3 libsodium libcrypto libutf8proc libcurl libpq)
cflags="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Isrc -Ibuild-fuzz/gen $(pkg-config --cflags jansson)"
for src in tests/fuzz/fuzz_*.c; do
    name=$(basename "$src" .c)
    # shellcheck disable=SC2086
    clang $cflags -fsanitize=fuzzer,address,undefined -o "build-fuzz/fuzz/$name" "$src" \
        build-fuzz/libzhifa.a $libs -lpthread -lm
    corpus="build-fuzz/corpus/${name#fuzz_}"
    mkdir -p "$corpus"
    cp -n "tests/fuzz/corpus/${name#fuzz_}"/* "$corpus"/ 2>/dev/null || true
    echo "== $name: ${secs}s"
    "build-fuzz/fuzz/$name" -max_total_time="$secs" -artifact_prefix=build-fuzz/crashes/ \
        -print_final_stats=1 "$corpus" 2>&1 | tail -4
done
