#!/usr/bin/env bash
# The whole test suite, from a fresh machine: installs what it needs, then runs formatting,
# lints, the wasm32 build of the core, and every test. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate-target}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }

step "toolchain components"
rustup component add rustfmt clippy >/dev/null 2>&1 || true
rustup target add wasm32-unknown-unknown >/dev/null

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --locked --workspace --all-targets -- -D warnings

step "core and the WASM bindings build for wasm32-unknown-unknown (no I/O in the core)"
cargo build --locked -p tollgate-core -p tollgate-wasm --target wasm32-unknown-unknown

step "npm package: build dist/npm (wasm-bindgen) and test it under Node"
bash scripts/build-wasm.sh
node --test tests/npm/
# the Rust side of the bindings under Node (the runner comes with wasm-bindgen-cli above)
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER="$HOME/.cargo/bin/wasm-bindgen-test-runner" \
  cargo test --locked -p tollgate-wasm --target wasm32-unknown-unknown --test node

step "playground: build it, then drive it in Chromium (playwright-core, Debian's chromium)"
bash scripts/test-browser.sh

step "actionlint (workflows) and shellcheck (action scripts)"
bash scripts/lint-actions.sh

step "tests"
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# No doctests: the crates document behaviour in docs/ and test it in tests/.
cargo test --locked --workspace --lib --bins --tests 2>&1 | tee "$log"
passed=$(grep -Eo '[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
failed=$(grep -Eo '[0-9]+ failed' "$log" | awk '{s+=$1} END {print s+0}')
echo
echo "all tests: $passed passed, $failed failed"
