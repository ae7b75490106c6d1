#!/bin/bash
# test-multi.sh BUILD — several zhifa servers on one PostgreSQL behind nginx
# (issue 9): tests/multi/test_multi.py starts its own PostgreSQL cluster,
# servers and nginx in a temporary directory and removes them. Needs
# postgresql-15 and nginx-light; .ci/run runs it after make test (about a minute).
set -euo pipefail
BUILD=${1:-build}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
export ZHIFA_BIN="$ROOT/$BUILD/zhifa"
/usr/bin/python3 -m pytest -q -s tests/multi/test_multi.py tests/multi/test_migrate_store.py
