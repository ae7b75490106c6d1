#!/bin/bash
# s3rver.sh start|stop DIR PORT — a local S3-compatible server for the tests
# of the S3 blob backend (s3rver from npm, installed here by npm ci). It
# takes SigV4-signed requests (key S3RVER/S3RVER) without checking the
# signature; tests/unit/test_sigv4.c checks the signing. The bucket
# "zhifa-test" is created at start; its objects live under DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=$1 dir=$2 port=${3:-4569}
case "$cmd" in
start)
    if [ ! -x "$here/node_modules/.bin/s3rver" ]; then
        (cd "$here" && npm ci --no-audit --no-fund >/dev/null)
    fi
    mkdir -p "$dir"
    nohup "$here/node_modules/.bin/s3rver" -d "$dir" -a 127.0.0.1 -p "$port" --silent \
        --configure-bucket zhifa-test >"$dir.log" 2>&1 &
    echo $! >"$dir.pid"
    for _ in $(seq 1 100); do
        if curl -s -o /dev/null "http://127.0.0.1:$port/"; then exit 0; fi
        sleep 0.1
    done
    echo "s3rver did not start; see $dir.log" >&2
    exit 1
    ;;
stop)
    if [ -f "$dir.pid" ]; then kill "$(cat "$dir.pid")" 2>/dev/null || true; rm -f "$dir.pid"; fi
    ;;
esac
