#!/bin/bash
# s3_bench.sh BUILD — runs bench/s3_bench.py with a local s3rver started
# and stopped around it (see tests/s3/s3rver.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
dir=$(mktemp -d /tmp/zhifa-s3bench-XXXXXX)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    bash "$root/tests/s3/s3rver.sh" stop "$dir/data" "$port"
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$root/tests/s3/s3rver.sh" start "$dir/data" "$port"
ZHIFA_TEST_S3_ENDPOINT="http://127.0.0.1:$port" ZHIFA_TEST_S3_DIR="$dir/data" ZHIFA_BIN="$root/$build/zhifa" \
    /usr/bin/python3 "$root/bench/s3_bench.py"
