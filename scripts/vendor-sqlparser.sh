#!/usr/bin/env bash
# Re-creates vendor/sqlparser: the published sqlparser crate from the cargo registry with
# vendor/sqlparser-postgres-only.patch applied (see vendor/README.md for why). Run it after
# changing the sqlparser version here and in the workspace Cargo.toml, then rebuild and run
# the tests; if the patch no longer applies, redo its few edits by hand and regenerate it with
#   diff -ruN <registry copy> vendor/sqlparser > vendor/sqlparser-postgres-only.patch
set -euo pipefail
cd "$(dirname "$0")/.."
version=0.64.0
registry="${CARGO_HOME:-$HOME/.cargo}/registry/src"
src="$(ls -d "$registry"/*/"sqlparser-$version" 2>/dev/null | head -n1 || true)"
if [ -z "$src" ]; then
  # Fetch it into the registry through a throwaway manifest: only the package registry is used.
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  mkdir -p "$tmp/src" && : > "$tmp/src/lib.rs"
  printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n[dependencies]\nsqlparser = { version = "=%s", default-features = false }\n' \
    "$version" > "$tmp/Cargo.toml"
  cargo fetch --manifest-path "$tmp/Cargo.toml" >/dev/null
  src="$(ls -d "$registry"/*/"sqlparser-$version" | head -n1)"
fi
rm -rf vendor/sqlparser
mkdir -p vendor/sqlparser
cp -r "$src/src" "$src/Cargo.toml" "$src/LICENSE.TXT" "$src/NOTICE.TXT" "$src/README.md" vendor/sqlparser/
patch -d vendor/sqlparser -p1 --no-backup-if-mismatch < vendor/sqlparser-postgres-only.patch
echo "vendor/sqlparser: sqlparser $version with vendor/sqlparser-postgres-only.patch"
