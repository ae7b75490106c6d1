#!/usr/bin/env bash
# run.sh — browser tests of the staff console against a real zhifa.
#
# Creates a temporary demo data directory (zhifa init DIR --demo), serves it
# on a free 127.0.0.1 port, waits for /healthz, runs every
# tests/e2e/*.test.mjs with node's built-in test runner (playwright-core
# driving Debian's /usr/bin/chromium; no browser is downloaded), then stops
# the server and removes the directory. Exits with the tests' status.
#
#   ZHIFA_BIN=build/zhifa bash tests/e2e/run.sh [node --test args] [FILE.test.mjs ...]
#   CHROMIUM=/path/to/chromium   overrides the browser
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
E2E="$ROOT/tests/e2e"
ZHIFA_BIN="${ZHIFA_BIN:-$ROOT/build/zhifa}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMIUM

say() { printf 'e2e: %s\n' "$*"; }
die() { printf 'e2e: 错误：%s\n' "$*" >&2; exit 1; }

[ -x "$ZHIFA_BIN" ] || die "找不到可执行的 zhifa（$ZHIFA_BIN），请先 make"
[ -x "$CHROMIUM" ] || die "找不到 chromium（$CHROMIUM），请运行 apt-get install -y chromium"
command -v node >/dev/null 2>&1 || die "找不到 node，请运行 apt-get install -y nodejs npm"

# The server serves console/dist; build it if it is missing (make e2e-test
# builds it already; this keeps a direct run of this script working).
[ -f "$ROOT/console/dist/index.html" ] || bash "$ROOT/scripts/build-console.sh"

# playwright-core and axe-core, pinned by tests/e2e/package-lock.json.
if [ ! -d "$E2E/node_modules/playwright-core" ] || [ ! -d "$E2E/node_modules/axe-core" ]; then
    say "安装 playwright-core 和 axe-core（npm ci）…"
    (cd "$E2E" && npm ci --no-audit --no-fund --loglevel=error)
fi

TMP="$(mktemp -d "${TMPDIR:-/tmp}/zhifa-e2e.XXXXXX")"
SERVER_PID=""
cleanup() {
    if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        # Graceful shutdown first; after 10 s, stop it for good.
        for _ in $(seq 1 100); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "创建演示数据目录…"
"$ZHIFA_BIN" init "$TMP/data" --demo > "$TMP/init.log" 2>&1 || { cat "$TMP/init.log" >&2; die "zhifa init --demo 失败"; }

# A free port: bind port 0, read what the kernel chose, release it.
PORT="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
URL="http://127.0.0.1:$PORT"

"$ZHIFA_BIN" serve --data "$TMP/data" --listen "127.0.0.1:$PORT" > "$TMP/server.log" 2>&1 &
SERVER_PID=$!

# Wait up to 30 s for /healthz to answer 200.
if ! node -e '
  const url = process.argv[1] + "/healthz", end = Date.now() + 30000;
  (async () => {
    while (Date.now() < end) {
      try { if ((await fetch(url)).status === 200) process.exit(0) } catch (e) {}
      await new Promise((r) => setTimeout(r, 200));
    }
    process.exit(1);
  })();' "$URL"; then
    tail -n 40 "$TMP/server.log" >&2 || true
    die "zhifa 没有在 30 秒内就绪（$URL/healthz）"
fi
say "zhifa 已在 $URL 运行，开始浏览器测试"

status=0
# Test files named on the command line run alone; otherwise every one.
files=("$E2E"/*.test.mjs)
for a in "$@"; do case "$a" in *.test.mjs) files=(); break ;; esac; done
ZHIFA_URL="$URL" node --test "$@" "${files[@]}" || status=$?
if [ "$status" -ne 0 ]; then
    say "测试失败；服务器日志末尾："
    tail -n 40 "$TMP/server.log" >&2 || true
fi
exit "$status"
