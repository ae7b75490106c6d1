#!/usr/bin/env bash
# build-console.sh — builds the staff console (console/) into console/dist.
#
# Installs the npm packages pinned by console/package-lock.json (npm ci) only
# when console/node_modules is missing or the lock file changed since the
# last install, then runs `vite build`. Skips the build when console/dist is
# newer than every input. Needs node and npm (Debian: apt-get install nodejs
# npm) and the npm registry; nothing else is downloaded. Exits non-zero on
# any failure. Run from anywhere: paths are relative to the repository.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CONSOLE="$ROOT/console"
DIST="$CONSOLE/dist"
STAMP="$DIST/.build-stamp"          # written only after a successful build
LOCK="$CONSOLE/package-lock.json"
LOCK_SEEN="$CONSOLE/node_modules/.zhifa-lock.sha256"

say() { printf 'build-console: %s\n' "$*"; }
die() { printf 'build-console: 错误：%s\n' "$*" >&2; exit 1; }

command -v node >/dev/null 2>&1 || die "找不到 node，请先运行 scripts/install-deps.sh（或 apt-get install -y nodejs npm）"
command -v npm >/dev/null 2>&1 || die "找不到 npm，请先运行 scripts/install-deps.sh（或 apt-get install -y npm）"
[ -f "$LOCK" ] || die "缺少 console/package-lock.json"

cd "$CONSOLE"

# 1. Dependencies: npm ci when node_modules is absent or the lock changed.
lock_sum="$(sha256sum "$LOCK" | cut -d' ' -f1)"
if [ ! -d node_modules ] || [ ! -f "$LOCK_SEEN" ] || [ "$(cat "$LOCK_SEEN")" != "$lock_sum" ]; then
    say "安装依赖（npm ci）…"
    npm ci --no-audit --no-fund --loglevel=error || die "npm ci 失败"
    printf '%s\n' "$lock_sum" > "$LOCK_SEEN"
fi

# 2. Up to date? Every input must be older than the stamp of the last build.
inputs=(src public index.html vite.config.js package.json package-lock.json)
if [ -f "$STAMP" ] && [ -f "$DIST/index.html" ]; then
    newer="$(find "${inputs[@]}" -newer "$STAMP" -print -quit 2>/dev/null || true)"
    if [ -z "$newer" ]; then
        say "console/dist 已是最新，跳过构建"
        exit 0
    fi
fi

# 3. Build. A failed build leaves no stamp, so the next run tries again.
rm -f "$STAMP"
say "构建管理控制台（vite build）…"
npx --no-install vite build --logLevel warn || die "vite build 失败"
[ -f "$DIST/index.html" ] || die "构建完成但没有生成 console/dist/index.html"
touch "$STAMP"
say "完成：$DIST"
