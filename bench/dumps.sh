#!/usr/bin/env bash
# Benchmark the dump guard (`tollgate dumps`) on a generated ~1 GB plain pg_dump and its gzip.
# Run it through the single entry point:
#
#   bench/run.sh dumps            # build, generate (once), measure, print markdown
#   RUNS=5 bench/run.sh dumps     # more timed runs per case (default 3, plus WARMUP=1 untimed run)
#
# Measures, from bench/out/:
#   tollgate dumps dump-1g.sql          plain text
#   tollgate dumps dump-1g.sql.gz       the same dump, gzip -6
#   gzip -dc dump-1g.sql.gz > /dev/null the C decompressor alone (python zlib without gzip)
#   tollgate-bench-inflate dump-1g.sql.gz  tollgate's own decoder alone (flate2 + miniz_oxide,
#                                       bench/inflate/), the baseline for "limited by the decompressor"
#   cat dump-1g.sql > /dev/null         reading the file from the page cache
# Exit code 1 (blocked: personal data found) is the expected result for tollgate here.
# Benchmarks are not timed tests: nothing fails when a number is slow; read the table.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
OUT="$BENCH/out"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate-target}"

log() { printf '==> %s\n' "$*" >&2; }

command -v python3 >/dev/null || { echo "python3 is required" >&2; exit 2; }

if [ -z "${TOLLGATE:-}" ]; then  # bench/run.sh dumps has built it already
  log "building tollgate (release)"
  (cd "$ROOT" && cargo build --release -p tollgate-cli) >&2
  TOLLGATE="$CARGO_TARGET_DIR/release/tollgate"
fi
[ -x "$TOLLGATE" ] || { echo "no tollgate binary at $TOLLGATE" >&2; exit 2; }

# tollgate's decoder alone: a separate, tiny cargo project (not a workspace member).
INFLATE=""
log "building bench/inflate (tollgate's gzip decoder alone)"
if (cd "$BENCH/inflate" && CARGO_TARGET_DIR="$CARGO_TARGET_DIR/bench-inflate" \
      cargo build --release --locked) >&2; then
  INFLATE="$CARGO_TARGET_DIR/bench-inflate/release/tollgate-bench-inflate"
else
  log "could not build bench/inflate; measuring without the miniz_oxide baseline"
fi

# --- inputs -----------------------------------------------------------------------------------
mkdir -p "$OUT"
log "generating bench/out/dump-1g.sql and dump-1g.sql.gz (skipped when up to date)"
python3 "$BENCH/gen_dump.py" "$OUT" >/dev/null
printf '# empty on purpose: the benchmark runs the default policy\n' > "$OUT/tollgate.toml"
rm -rf "$OUT/results-dumps"
mkdir -p "$OUT/results-dumps"
RESULTS="$OUT/results-dumps/results.jsonl"
: > "$RESULTS"

cd "$OUT"

measure() { # tool format input-name input-path out-file display -- cmd...
  local tool=$1 format=$2 name=$3 input=$4 outf=$5 display=$6
  shift 7
  python3 "$BENCH/measure.py" run --results "$RESULTS" --runs "$RUNS" --warmup "$WARMUP" \
    --tool "$tool" --format "$format" --input-name "$name" --input "$input" \
    --out "results-dumps/$outf" --display "$display" -- "$@"
}

log "measuring ($WARMUP warm-up + $RUNS timed runs per case)"
measure tollgate plain dump-1g.sql dump-1g.sql tollgate-plain.txt \
  "tollgate dumps dump-1g.sql" -- "$TOLLGATE" dumps dump-1g.sql
measure tollgate gzip dump-1g.sql.gz dump-1g.sql.gz tollgate-gzip.txt \
  "tollgate dumps dump-1g.sql.gz" -- "$TOLLGATE" dumps dump-1g.sql.gz
if command -v gzip >/dev/null 2>&1; then
  measure "gzip $(gzip --version | head -1 | awk '{print $NF}')" decompress dump-1g.sql.gz \
    dump-1g.sql.gz gzip-dc.txt "gzip -dc dump-1g.sql.gz > /dev/null" -- \
    sh -c 'exec gzip -dc dump-1g.sql.gz > /dev/null'
else
  measure "python zlib" decompress dump-1g.sql.gz dump-1g.sql.gz zlib-dc.txt \
    "python3 zlib streaming decompress of dump-1g.sql.gz" -- python3 -c '
import sys, zlib
d = zlib.decompressobj(31)
with open("dump-1g.sql.gz", "rb") as f:
    while True:
        b = f.read(1 << 20)
        if not b:
            break
        d.decompress(b)
'
fi
if [ -n "$INFLATE" ]; then
  measure "flate2/miniz_oxide" decompress dump-1g.sql.gz dump-1g.sql.gz inflate.txt \
    "tollgate-bench-inflate dump-1g.sql.gz" -- "$INFLATE" dump-1g.sql.gz
fi
measure cat read dump-1g.sql dump-1g.sql cat.txt "cat dump-1g.sql > /dev/null" -- \
  sh -c 'exec cat dump-1g.sql > /dev/null'

# Peak RSS. measure.py takes ru_maxrss of a child it forks, and Linux carries the high-water mark
# across exec, so its figure is never below python's own RSS: the `true` case shows that floor.
# GNU time forks from a small process, so one more run of each tollgate case under it gives the
# process's own peak.
measure true floor dump-1g.sql dump-1g.sql true.txt "true" -- true
OWN_RSS="$OUT/results-dumps/own-rss.txt"
: > "$OWN_RSS"
if /usr/bin/time -f %M true >/dev/null 2>&1; then
  log "peak RSS and CPU time of tollgate alone (one more run each, under /usr/bin/time)"
  for f in dump-1g.sql dump-1g.sql.gz; do
    /usr/bin/time -f "$f %M %U %S %e" -a -o "$OWN_RSS" "$TOLLGATE" dumps "$f" >/dev/null || true
  done
fi

# --- report -----------------------------------------------------------------------------------
echo "## Machine"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs available (nproc)"
echo "- Memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1024/1024}' /proc/meminfo)"
echo "- Kernel: $(uname -sr)"
echo "- rustc: $(rustc --version 2>/dev/null || echo unknown)"
echo "- tollgate: $("$TOLLGATE" --version) (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
echo
python3 - "$OUT" "$RESULTS" "$OWN_RSS" <<'EOF'
import json, os, sys
out, results, own_rss = sys.argv[1], sys.argv[2], sys.argv[3]
own = {}  # input file -> KiB, from /usr/bin/time
cpu = {}  # input file -> (user + system CPU seconds, wall seconds) of that run
for line in open(own_rss):
    parts = line.split()
    if len(parts) == 5 and parts[1].isdigit():
        own[parts[0]] = int(parts[1])
        cpu[parts[0]] = (float(parts[2]) + float(parts[3]), float(parts[4]))
s = json.load(open(os.path.join(out, "dump-summary.json")))
print("## Input")
print()
print("- dump-1g.sql: %d bytes, %d rows in %d tables (seed %d, scale %g)" % (
    s["bytes"], s["rows"], len(s["tables"]), s["seed"], s["scale"]))
for name, t in s["tables"].items():
    print("  - %s: %d rows, %d bytes" % (name, t["rows"], t["bytes"]))
print("- dump-1g.sql.gz: %d bytes (%s, ratio %.2f)" % (s["gzip_bytes"], s["gzip"],
                                                     s["bytes"] / s["gzip_bytes"]))
print()
print("## Timings")
print()
recs = [json.loads(l) for l in open(results) if l.strip()]
floor = [r for r in recs if r["format"] == "floor"]
recs = [r for r in recs if r["format"] != "floor"]
runs = recs[0]["runs"] if recs else 3
print("| case | command | best of %d (s) | median (s) | MB/s (uncompressed / best) "
      "| MB/s (median) | peak RSS, measure.py (MiB) | peak RSS, own (MiB) | exit |" % runs)
print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in recs:
    raw = s["bytes"]  # every case reads or produces the uncompressed dump
    mine = own.get(r["input_name"]) if r["tool"] == "tollgate" else None
    print("| %s %s | `%s` | %.2f | %.2f | %.0f | %.0f | %.1f | %s | %s |" % (
        r["tool"], r["format"], r["command"], r["best_s"], r["median_s"],
        raw / 1e6 / r["best_s"], raw / 1e6 / r["median_s"], r["peak_rss_kb"] / 1024,
        "%.1f" % (mine / 1024) if mine else "-", ",".join(map(str, r["exit_codes"]))))
print()
print("MB = 10^6 bytes of the uncompressed dump (%d); for the gzip cases the file read is "
      "%d bytes. tollgate dumps scans on one thread (a compressed file is decoded on a second "
      "one): on plain text, MB/s is per core." % (s["bytes"], s["gzip_bytes"]))
if cpu:
    print()
    print("CPU time of the extra run under `/usr/bin/time` (user + system, all threads), which a "
          "busy machine inflates less than the wall time:")
    print()
    print("| input | wall (s) | CPU (s) | MB per CPU second |")
    print("|---|---:|---:|---:|")
    for f, (c, w) in cpu.items():
        print("| %s | %.2f | %.2f | %.0f |" % (f, w, c, s["bytes"] / 1e6 / c))
if floor:
    print("measure.py's peak RSS cannot go below %.1f MiB on this machine (`true` measured the "
          "same way); \"own\" is `/usr/bin/time -f %%M` on one more run." % (
              floor[0]["peak_rss_kb"] / 1024))
by = {(r["tool"], r["format"]): r for r in recs}
plain, gz = by.get(("tollgate", "plain")), by.get(("tollgate", "gzip"))
bad = [r for r in (plain, gz) if r and r["exit_codes"] != [1]]
if bad:
    print()
    print("**Unexpected exit code** (expected 1, blocked): %s" % "; ".join(
        "%s: %s" % (r["command"], r["exit_codes"]) for r in bad))
if plain and gz:
    print()
    print("## Targets")
    print()
    mbps = s["bytes"] / 1e6 / plain["best_s"]
    if own:
        rss = max(own.values()) / 1024
    else:  # an upper bound
        rss = max(plain["peak_rss_kb"], gz["peak_rss_kb"]) / 1024
    print("| target | result | met? |")
    print("|---|---|---|")
    per_cpu = s["bytes"] / 1e6 / cpu["dump-1g.sql"][0] if "dump-1g.sql" in cpu else None
    print("| plain text at least 500 MB/s per core | %.0f MB/s (best wall time)%s | %s |" % (
        mbps, "; %.0f MB per CPU second" % per_cpu if per_cpu else "",
        "yes" if max(mbps, per_cpu or 0) >= 500 else "**no**"))
    dec = [r for r in recs if r["format"] == "decompress"]
    if dec:
        fastest = min(dec, key=lambda r: r["best_s"])
        ours = by.get(("flate2/miniz_oxide", "decompress"), fastest)
        print("| gzip limited only by the decompressor | tollgate on .gz %.2f s; %s alone %.2f s "
              "(%.0f%% of the scan) | %s |" % (
                  gz["best_s"], ours["tool"], ours["best_s"], 100 * ours["best_s"] / gz["best_s"],
                  "yes" if ours["best_s"] >= 0.9 * gz["best_s"] else "**no**"))
    print("| peak RSS under 64 MB | %.1f MiB | %s |" % (rss, "yes" if rss * 1024 * 1024 < 64e6 else "**no**"))
print()
print("Outputs are in bench/out/results-dumps/; raw numbers in bench/out/results-dumps/results.jsonl.")
EOF
