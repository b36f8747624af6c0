#!/usr/bin/env bash
# Builds the npm package dist/npm/ from crates/tollgate-wasm: the wasm32 build with the size
# profile, then wasm-bindgen (the CLI at exactly the wasm-bindgen version in Cargo.lock,
# installed with cargo) for Node (dist/npm/node) and the web (dist/npm/web). Only package
# registries are used. The built files are not committed.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate-target}"
rustup target add wasm32-unknown-unknown >/dev/null

version="$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)"
[ -n "$version" ] || { echo "no wasm-bindgen in Cargo.lock" >&2; exit 2; }
bindgen="$HOME/.cargo/bin/wasm-bindgen"
if ! "$bindgen" --version 2>/dev/null | grep -qx "wasm-bindgen $version"; then
  echo "installing wasm-bindgen-cli $version"
  # Not --locked: its lockfile can name a dependency release a registry mirror lacks; the
  # version of the CLI itself is pinned, which is what must match.
  CARGO_TARGET_DIR="$HOME/.cache/wasm-bindgen-cli-target" \
    cargo install wasm-bindgen-cli --version "$version" --force
fi

cargo build --locked -p tollgate-wasm --target wasm32-unknown-unknown --profile wasm
wasm="$CARGO_TARGET_DIR/wasm32-unknown-unknown/wasm/tollgate_wasm.wasm"
rm -rf dist/npm/node dist/npm/web
"$bindgen" --target nodejs --out-dir dist/npm/node "$wasm"
"$bindgen" --target web --out-dir dist/npm/web "$wasm"
# Shrink with wasm-opt from the npm package binaryen (pinned), once: both targets carry the
# same module.
tools="${TOLLGATE_TOOLS_DIR:-$HOME/.cache/tollgate-tools}"
binaryen_version=124.0.0
if [ ! -x "$tools/binaryen-$binaryen_version/node_modules/.bin/wasm-opt" ]; then
  npm install --silent --no-audit --no-fund --prefix "$tools/binaryen-$binaryen_version" \
    "binaryen@$binaryen_version" >/dev/null
fi
cmp -s dist/npm/node/tollgate_wasm_bg.wasm dist/npm/web/tollgate_wasm_bg.wasm \
  || { echo "the node and web modules differ; optimise each" >&2; exit 1; }
"$tools/binaryen-$binaryen_version/node_modules/.bin/wasm-opt" -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals dist/npm/node/tollgate_wasm_bg.wasm -o dist/npm/node/tollgate_wasm_bg.wasm
cp dist/npm/node/tollgate_wasm_bg.wasm dist/npm/web/tollgate_wasm_bg.wasm
for d in node web; do
  raw=$(stat -c %s "dist/npm/$d/tollgate_wasm_bg.wasm")
  gz=$(gzip -9 -c "dist/npm/$d/tollgate_wasm_bg.wasm" | wc -c)
  echo "dist/npm/$d/tollgate_wasm_bg.wasm: $raw bytes, $gz gzipped"
done
