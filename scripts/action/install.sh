#!/usr/bin/env bash
# The action's install step: download the release binary for this runner, check its SHA-256
# against dist/manifest.json (committed, written by the release workflow), and fall back to
# building the action's own source with `cargo install --locked --path` when there is no
# binary for this runner or version. A checksum mismatch is an error, never a fallback.
#
# Environment: GITHUB_ACTION_PATH (the action's checkout), TOLLGATE_VERSION (optional),
# TOLLGATE_RUNNER_OS / TOLLGATE_RUNNER_ARCH (runner.os / runner.arch), GITHUB_OUTPUT,
# GITHUB_PATH, RUNNER_TEMP; TOLLGATE_DOWNLOAD_BASE overrides the manifest's download URL (a
# mirror, or a local directory as file:// in tests); CARGO names the cargo to fall back to.
set -euo pipefail

action="${GITHUB_ACTION_PATH:?GITHUB_ACTION_PATH is not set}"
manifest="$action/dist/manifest.json"
dest="${RUNNER_TEMP:-${TMPDIR:-/tmp}}/tollgate-bin"
mkdir -p "$dest"

fail() { echo "::error title=tollgate install::$*" >&2; exit 1; }

case "${TOLLGATE_RUNNER_OS:-Linux}/${TOLLGATE_RUNNER_ARCH:-X64}" in
  Linux/X64) target="x86_64-unknown-linux-musl" ;;
  Linux/ARM64) target="aarch64-unknown-linux-musl" ;;
  macOS/X64) target="x86_64-apple-darwin" ;;
  macOS/ARM64) target="aarch64-apple-darwin" ;;
  *) target="" ;;
esac

# One value of the manifest, read with python3 (on every GitHub-hosted runner) or jq.
manifest_get() {
  local query="$1"
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$manifest" "$query" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
value = data
for key in sys.argv[2].split("."):
    value = value.get(key, {}) if isinstance(value, dict) else {}
print(value if isinstance(value, str) else "")
PY
  else
    jq -r --arg q "$query" 'getpath($q | split(".")) // "" | strings' "$manifest"
  fi
}

bin=""
if [ -f "$manifest" ] && [ -n "$target" ]; then
  have="$(manifest_get version)"
  want="${TOLLGATE_VERSION:-$have}"
  want="${want#v}"
  file="$(manifest_get "assets.$target.file")"
  sum="$(manifest_get "assets.$target.sha256")"
  base="${TOLLGATE_DOWNLOAD_BASE:-$(manifest_get base_url)}"
  if [ "$want" = "$have" ] && [ -n "$file" ] && [ -n "$sum" ] && [ -n "$base" ]; then
    url="${base%/}/$file"
    echo "tollgate $want: downloading $url"
    if curl -fsSL --retry 3 --retry-delay 2 -o "$dest/tollgate.download" "$url"; then
      got="$(sha256sum "$dest/tollgate.download" | cut -d' ' -f1)"
      if [ "$got" != "$sum" ]; then
        rm -f "$dest/tollgate.download"
        fail "checksum mismatch for $file: expected $sum (dist/manifest.json), got $got; refusing to run it"
      fi
      mv "$dest/tollgate.download" "$dest/tollgate"
      chmod +x "$dest/tollgate"
      bin="$dest/tollgate"
      echo "tollgate $want: SHA-256 verified against dist/manifest.json"
    else
      echo "tollgate $want: download failed; building from the action's source instead"
    fi
  else
    echo "tollgate: no release binary of ${want:-this version} for ${target:-this runner} in dist/manifest.json; building from the action's source"
  fi
else
  echo "tollgate: no dist/manifest.json entry for this runner; building from the action's source"
fi

if [ -z "$bin" ]; then
  "${CARGO:-cargo}" install --locked --path "$action/crates/tollgate-cli" --root "$dest/cargo" \
    || fail "cargo install --locked --path $action/crates/tollgate-cli failed"
  bin="$dest/cargo/bin/tollgate"
fi

"$bin" --version
echo "bin=$bin" >> "${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"
if [ -n "${GITHUB_PATH:-}" ]; then
  dirname "$bin" >> "$GITHUB_PATH"
fi
