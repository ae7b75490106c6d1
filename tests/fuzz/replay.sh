#!/bin/bash
# Replays every committed fuzz corpus through its target (built with the
# standalone driver) and prints one summary line.
set -u
build=${1:-build}
passed=0
failed=0
for bin in "$build"/fuzz-replay/fuzz_*; do
    [ -x "$bin" ] || continue
    name=$(basename "$bin")
    corpus="tests/fuzz/corpus/${name#fuzz_}"
    if [ -d "$corpus" ] && "$bin" "$corpus" >/dev/null; then
        passed=$((passed + 1))
    else
        echo "fuzz replay failed: $name (corpus $corpus)"
        failed=$((failed + 1))
    fi
done
echo "fuzz-replay: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
