#!/usr/bin/env bash
# Benchmark tollgate against squawk on generated migration corpora, the dump guard, and verify.
#
#   bench/run.sh            # build, generate, measure, print a markdown table (tollgate check)
#   RUNS=5 bench/run.sh     # more timed runs per case (default 3, plus WARMUP=1 untimed run)
#   bench/run.sh dumps      # the dump guard only (tollgate dumps on a ~1 GB pg_dump): bench/dumps.sh
#   bench/run.sh verify     # tollgate verify on 300 migrations vs psql, one PostgreSQL: bench/verify.sh
#   bench/run.sh all        # all three
#
# Everything it writes goes to bench/out/ (gitignored). Exit code 1 from either linter means
# "findings failed the policy" and is expected here. Benchmarks are not timed tests: nothing
# fails when a number is slow; read the table.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
OUT="$BENCH/out"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
SQUAWK_VERSION="2.65.0"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate-target}"

log() { printf '==> %s\n' "$*" >&2; }

WHAT="${1:-check}"
case "$WHAT" in
  check | dumps | verify | all) ;;
  *) echo "usage: bench/run.sh [check|dumps|verify|all]" >&2; exit 2 ;;
esac

command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }

# --- tollgate ---------------------------------------------------------------------------------
log "building tollgate (release)"
(cd "$ROOT" && cargo build --release -p tollgate-cli) >&2
TOLLGATE="$CARGO_TARGET_DIR/release/tollgate"
[ -x "$TOLLGATE" ] || { echo "no tollgate binary at $TOLLGATE" >&2; exit 2; }
export TOLLGATE

if [ "$WHAT" = dumps ]; then
  exec "$BENCH/dumps.sh"
fi
if [ "$WHAT" = verify ]; then
  exec "$BENCH/verify.sh"
fi

# --- squawk -----------------------------------------------------------------------------------
SQUAWK=""
if command -v squawk >/dev/null 2>&1; then
  SQUAWK="$(command -v squawk)"
elif [ -x "$HOME/.cargo/bin/squawk" ]; then
  SQUAWK="$HOME/.cargo/bin/squawk"
else
  log "squawk not found; trying: cargo install squawk --version $SQUAWK_VERSION --locked"
  # squawk's own target dir, so its build never touches tollgate's
  if CARGO_TARGET_DIR="$HOME/.cache/squawk-install-target" \
       cargo install squawk --version "$SQUAWK_VERSION" --locked >&2; then
    SQUAWK="$HOME/.cargo/bin/squawk"
  else
    log "could not install squawk; measuring tollgate only"
  fi
fi

# --- inputs -----------------------------------------------------------------------------------
mkdir -p "$OUT"
log "generating the corpus into $OUT"
python3 "$BENCH/gen_corpus.py" "$OUT" >/dev/null
# An empty policy next to the inputs: tollgate finds it first, so a tollgate.toml further up
# (for instance in the repository) cannot change what is measured. Defaults apply.
printf '# empty on purpose: the benchmark runs the default policy\n' > "$OUT/tollgate.toml"
rm -rf "$OUT/results"  # no stale outputs from an earlier run (e.g. with squawk)
mkdir -p "$OUT/results"
RESULTS="$OUT/results/results.jsonl"
: > "$RESULTS"

cd "$OUT"  # short relative paths in every report, identical for both tools

measure() { # tool format input-name input-path out-file -- cmd...
  local tool=$1 format=$2 name=$3 input=$4 outf=$5
  shift 6
  python3 "$BENCH/measure.py" run --results "$RESULTS" --runs "$RUNS" --warmup "$WARMUP" \
    --tool "$tool" --format "$format" --input-name "$name" --input "$input" \
    --out "results/$outf" --display "$*" -- "$@"
}

log "measuring ($WARMUP warm-up + $RUNS timed runs per case)"
# corpus-1000: one process each. tollgate takes the directory; squawk does not read
# directories, so it gets a glob that it expands itself (quoted: the shell does not expand it).
measure tollgate json  corpus-1000 corpus-1000 tollgate-corpus.json -- \
  "$TOLLGATE" check corpus-1000 --format json
measure tollgate human corpus-1000 corpus-1000 tollgate-corpus.txt -- \
  "$TOLLGATE" check corpus-1000 --format human --color never
if [ -n "$SQUAWK" ]; then
  measure squawk json  corpus-1000 corpus-1000 squawk-corpus.json -- \
    "$SQUAWK" --reporter json 'corpus-1000/*.sql'
  measure squawk human corpus-1000 corpus-1000 squawk-corpus.txt -- \
    "$SQUAWK" 'corpus-1000/*.sql'
fi
measure tollgate json  findings-10k findings-10k.sql tollgate-findings.json -- \
  "$TOLLGATE" check findings-10k.sql --format json
measure tollgate human findings-10k findings-10k.sql tollgate-findings.txt -- \
  "$TOLLGATE" check findings-10k.sql --format human --color never
if [ -n "$SQUAWK" ]; then
  measure squawk json  findings-10k findings-10k.sql squawk-findings.json -- \
    "$SQUAWK" --reporter json findings-10k.sql
  measure squawk human findings-10k findings-10k.sql squawk-findings.txt -- \
    "$SQUAWK" findings-10k.sql
fi

# --- report -----------------------------------------------------------------------------------
echo "## Machine"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs available (nproc)"
echo "- Memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1024/1024}' /proc/meminfo)"
echo "- Kernel: $(uname -sr)"
echo "- rustc: $(rustc --version 2>/dev/null || echo unknown)"
echo "- tollgate: $("$TOLLGATE" --version) (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
if [ -n "$SQUAWK" ]; then
  echo "- squawk: $("$SQUAWK" --version)"
else
  echo "- squawk: not available (not installed, and cargo install squawk $SQUAWK_VERSION failed)"
fi
echo
echo "## Inputs"
echo
python3 - "$OUT" <<'EOF'
import json, os, sys
out = sys.argv[1]
s = json.load(open(os.path.join(out, "corpus-summary.json")))
c, f = s["corpus"], s["findings"]
print("- corpus-1000: %d files, %d statements, %d bytes (seed %d)" % (c["files"], c["statements"], c["bytes"], s["seed"]))
print("- findings-10k.sql: %d statements, %d bytes" % (f["statements"], f["bytes"]))
EOF
echo
echo "## Findings reported"
echo
python3 - "$OUT/results" <<'EOF'
import json, os, sys
d = sys.argv[1]
print("| input | tollgate | squawk |")
print("|---|---:|---:|")
for name, tf, sf in (("corpus-1000", "tollgate-corpus.json", "squawk-corpus.json"),
                     ("findings-10k", "tollgate-findings.json", "squawk-findings.json")):
    t = len(json.load(open(os.path.join(d, tf)))["findings"])
    sp = os.path.join(d, sf)
    s = len(json.load(open(sp))) if os.path.exists(sp) else "n/a"
    print("| %s | %s | %s |" % (name, t, s))
EOF
echo
echo "## Timings"
echo
python3 "$BENCH/measure.py" table --results "$RESULTS"
echo
echo "Throughput = input bytes / median wall time. Peak RSS is the largest ru_maxrss of the timed runs."
echo "Outputs are in bench/out/results/; raw numbers in bench/out/results/results.jsonl."

if [ "$WHAT" = all ]; then
  echo
  echo "# Dump guard"
  echo
  "$BENCH/dumps.sh"
  echo
  echo "# tollgate verify"
  echo
  "$BENCH/verify.sh"
fi
