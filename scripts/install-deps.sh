#!/bin/sh
# install-deps.sh — installs the Debian 12 packages zhifa needs to build,
# run and test. Idempotent: installs only what is missing, from apt only.
set -eu

PACKAGES="build-essential pkg-config make
libmicrohttpd-dev libjansson-dev libsqlite3-dev libsodium-dev libssl-dev libutf8proc-dev libpq-dev postgresql-15
libcmocka-dev sqlite3 openssl libcurl4-openssl-dev
libcairo2-dev libpango1.0-dev libqrencode-dev fonts-noto-cjk libarchive-dev libxlsxwriter-dev
python3-openpyxl
python3 python3-pytest python3-requests python3-yaml python3-psycopg2
nodejs npm chromium
wrk nginx-light clang"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

# A machine may carry a newer Node.js than Debian's (it ships its own npm);
# either satisfies the console build.
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
    missing=$(echo "$missing" | tr ' ' '\n' | grep -vx -e nodejs -e npm | tr '\n' ' ')
fi

missing=$(echo "$missing" | xargs)
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages: $missing" >&2
    echo "install-deps: run as root (or: sudo apt-get install $missing)" >&2
    exit 1
fi
echo "install-deps: installing $missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
