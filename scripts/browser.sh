#!/usr/bin/env bash
# Install the system chromium the dashboard's browser test drives (Debian's package; the
# test skips, saying why, when there is none). Safe to re-run: does nothing when present.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing chromium for the browser test..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq chromium >/dev/null || { apt-get update -qq && apt-get install -y -qq chromium >/dev/null; }
else
    echo "chromium is not installed and cannot be installed here; the browser test will skip." >&2
fi
