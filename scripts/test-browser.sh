#!/usr/bin/env bash
# The playground in a real browser: builds it, serves it on localhost and drives it with
# playwright-core and Debian's Chromium (never a browser a tool downloads). Also runs the
# playground's pure parts under Node. A missing browser is a failure, not a skip.
# The screenshots are kept in tests/browser/artifacts/ (or $TOLLGATE_ARTIFACTS_DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "installing Debian's chromium (the browser tests drive it)"
  if [ "$(id -u)" = 0 ]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null; }
  elif command -v sudo >/dev/null; then
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >/dev/null
  fi
  [ -x "$chromium" ] || {
    echo "error: $chromium is missing and could not be installed; install Debian's chromium package" >&2
    exit 1
  }
fi

bash scripts/build-playground.sh
(cd tests/browser && npm ci --no-audit --no-fund --loglevel=error)
CHROMIUM="$chromium" node --test tests/browser/
