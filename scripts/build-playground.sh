#!/usr/bin/env bash
# Builds the playground (dist/playground) into dist/playground/build/: a static page that needs
# no server. Needs the web build of the npm package (scripts/build-wasm.sh), which it runs when
# the package has not been built. npm installs exactly the versions of package-lock.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f dist/npm/web/tollgate_wasm_bg.wasm ]; then
  bash scripts/build-wasm.sh
fi
cd dist/playground
npm ci --no-audit --no-fund --loglevel=error
npx --no-install vite build --logLevel warn
echo "dist/playground/build/: $(du -sh build | cut -f1)"
