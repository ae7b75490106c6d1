#!/bin/bash
# Runs every unit test binary in BUILD/tests and prints one summary line.
set -u
build=${1:-build}
passed=0
failed=0
failed_names=()
for t in "$build"/tests/test_*; do
    [ -x "$t" ] || continue
    if "$t"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        failed_names+=("$(basename "$t")")
    fi
done
if [ "$failed" -gt 0 ]; then
    echo "failed unit test programs: ${failed_names[*]}"
fi
echo "unit: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
