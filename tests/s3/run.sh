#!/bin/bash
# run.sh BUILD — the S3 backend's tests (make test-s3): starts s3rver on a
# free local port with a fresh directory, runs the backend's unit test
# (tests/unit/test_blob_s3.c) and the evidence API tests with the server's
# evidence in the bucket (ZHIFA_TEST_BLOB=s3), and stops s3rver whatever
# happens.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
dir=$(mktemp -d /tmp/zhifa-s3rver-XXXXXX)
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() {
    bash "$root/tests/s3/s3rver.sh" stop "$dir/data" "$port"
    rm -rf "$dir"
}
trap cleanup EXIT
bash "$root/tests/s3/s3rver.sh" start "$dir/data" "$port"
export ZF_TEST_S3_ENDPOINT="http://127.0.0.1:$port" ZF_TEST_S3_DIR="$dir/data"
export ZHIFA_TEST_BLOB=s3 ZHIFA_TEST_S3_ENDPOINT="http://127.0.0.1:$port" ZHIFA_TEST_S3_DIR="$dir/data"
export ZHIFA_BIN="$root/$build/zhifa"
"$root/$build/tests/test_blob_s3"
cd "$root"
# test_archive.py: case bundles stream their evidence files from the bucket
/usr/bin/python3 -m pytest -q tests/api/test_evidence_s3.py tests/api/test_evidence.py tests/api/test_archive.py
