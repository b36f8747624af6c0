#!/usr/bin/env bash
# Benchmark `tollgate verify` on 300 generated migrations against plain psql, on one PostgreSQL
# server, in one run. Run it through the single entry point:
#
#   bench/run.sh verify            # build, generate, measure, print markdown
#   RUNS=5 bench/run.sh verify     # more timed rounds (default 3, plus WARMUP=1 untimed round)
#   N=1000 bench/run.sh verify     # another history length (default 300)
#   PROFILE=0 bench/run.sh verify  # skip the pg_stat_statements pass at the end
#   BASE=/tmp/old-tollgate bench/run.sh verify  # also time another tollgate binary (say, main's)
#                                  # in the same rounds: old and new interleaved
#
# What it does:
#   1. generates N golang-migrate migrations with exact downs into bench/out/verify-N/
#      (bench/gen_migrations.py, fixed seed), and a one-migration directory bench/out/verify-tiny/;
#   2. starts ONE throwaway PostgreSQL cluster in /tmp with the settings tollgate's own ephemeral
#      cluster uses (crates/tollgate-verify/src/server.rs: initdb -A trust --no-sync -E UTF8
#      --locale=C; fsync, full_page_writes and synchronous_commit off; 127.0.0.1 on a free port),
#      as the `postgres` OS user when run as root; stopped and deleted on exit;
#   3. on that server, in interleaved rounds (so that drift hits every case alike):
#        psql per file   one `psql -X -q -v ON_ERROR_STOP=1 -f F` per up file, into a fresh database
#        psql one        one psql with every up file as a -f argument, into a fresh database
#        verify up       tollgate verify verify-N --database-url … --mode up
#        verify rt       tollgate verify verify-N --database-url …  (up → down → up, snapshots)
#        check           tollgate check verify-N (the static analysis verify also does)
#      (the fresh databases of the psql cases are created and dropped outside the timing; tollgate
#      creates and drops its own scratch database inside its timing);
#   4. the cold start of tollgate's ephemeral cluster: `tollgate verify verify-tiny` without
#      --database-url vs with it, and initdb + pg_ctl start + pg_ctl stop + rm alone;
#   5. (PROFILE=1) one more round-trip run and one psql run with pg_stat_statements loaded (a
#      restart of the same cluster, after every timing), to split the server time by kind of query.
#
# Wall times come from python's time.perf_counter (monotonic: immune to clock jumps); figures are
# medians. Exit code 1 from tollgate (findings fail the policy) is accepted; 2 (error) stops the
# run, as does any psql failure. Benchmarks are not timed tests: nothing fails when a number is
# slow; read the table.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BENCH="$ROOT/bench"
OUT="$BENCH/out"
RUNS="${RUNS:-3}"
WARMUP="${WARMUP:-1}"
N="${N:-300}"
PROFILE="${PROFILE:-1}"
BASE="${BASE:-}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/tollgate-target}"
# Nothing from the caller's environment may point tollgate or psql at another server.
unset DATABASE_URL PGHOST PGHOSTADDR PGPORT PGDATABASE PGUSER PGPASSWORD PGOPTIONS PGSERVICE \
  PGSSLMODE PGDATA

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'bench/verify.sh: %s\n' "$*" >&2; exit 2; }

command -v python3 >/dev/null || die "python3 is required"

if [ -z "${TOLLGATE:-}" ]; then  # bench/run.sh verify has built it already
  log "building tollgate (release)"
  (cd "$ROOT" && cargo build --release -p tollgate-cli) >&2
  TOLLGATE="$CARGO_TARGET_DIR/release/tollgate"
fi
[ -x "$TOLLGATE" ] || die "no tollgate binary at $TOLLGATE"
[ -z "$BASE" ] || [ -x "$BASE" ] || die "no tollgate binary at BASE=$BASE"

# --- PostgreSQL binaries: the ones tollgate's ephemeral cluster would pick --------------------
# TOLLGATE_PG_BIN, then PATH, then /usr/lib/postgresql/<highest>/bin (as server.rs searches).
complete() { [ -x "$1/initdb" ] && [ -x "$1/pg_ctl" ] && [ -x "$1/postgres" ]; }
PG_BIN="${TOLLGATE_PG_BIN:-}"
if [ -z "$PG_BIN" ]; then
  IFS=: read -r -a path_dirs <<<"$PATH"
  for d in "${path_dirs[@]}"; do
    if [ -n "$d" ] && complete "$d"; then PG_BIN="$d"; break; fi
  done
fi
if [ -z "$PG_BIN" ]; then
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -V -r); do
    if complete "$d"; then PG_BIN="$d"; break; fi
  done
fi
[ -n "$PG_BIN" ] && complete "$PG_BIN" || die "no PostgreSQL initdb/pg_ctl/postgres found (set TOLLGATE_PG_BIN)"
# pg_ctl and friends may be symlinks into the real bin directory (/usr/local/bin → …/15/bin).
PG_REAL_BIN="$(dirname "$(readlink -f "$PG_BIN/postgres")")"
PSQL="$PG_REAL_BIN/psql"
[ -x "$PSQL" ] || PSQL="$(command -v psql || true)"
[ -x "$PSQL" ] || die "psql not found"

RUN_AS=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || die "running as root needs a 'postgres' OS user to run the server"
  command -v runuser >/dev/null 2>&1 || die "running as root needs runuser (util-linux)"
  RUN_AS=(runuser -u postgres --)
fi
as_pg() { "${RUN_AS[@]}" "$@"; }

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- inputs -----------------------------------------------------------------------------------
MIGS="verify-$N"
WORK="$OUT/results-verify"
mkdir -p "$OUT"
rm -rf "$WORK"
mkdir -p "$WORK"
printf '# empty on purpose: the benchmark runs the default policy\n' > "$OUT/tollgate.toml"
log "generating $N migrations into bench/out/$MIGS"
python3 "$BENCH/gen_migrations.py" "$N" "$OUT/$MIGS" > "$WORK/gen-summary.json"
mkdir -p "$OUT/verify-tiny"
rm -f "$OUT"/verify-tiny/*.sql
printf 'CREATE TABLE t (\n    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n    name text NOT NULL\n);\n' \
  > "$OUT/verify-tiny/000001_create_t.up.sql"
printf 'DROP TABLE t;\n' > "$OUT/verify-tiny/000001_create_t.down.sql"
UPS=()
for f in "$OUT/$MIGS"/*.up.sql; do UPS+=("$MIGS/${f##*/}"); done
[ "${#UPS[@]}" = "$N" ] || die "expected $N up files in bench/out/$MIGS, found ${#UPS[@]}"

# --- the cluster ------------------------------------------------------------------------------
CLUSTER="$(mktemp -d /tmp/tollgate-bench-verify.XXXXXX)"
PORT=""
cleanup() {
  if [ -f "$CLUSTER/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER/data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$CLUSTER"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
[ ${#RUN_AS[@]} -eq 0 ] || chown postgres: "$CLUSTER"
SERVER_OPTS() { # port [extra options]
  printf -- "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c listen_addresses=127.0.0.1 -p %s -k '%s'%s" \
    "$1" "$CLUSTER" "${2:+ $2}"
}
log "initdb + start of the comparison cluster in $CLUSTER"
(cd "$CLUSTER" && as_pg "$PG_BIN/initdb" -D "$CLUSTER/data" -U postgres -A trust --no-sync -E UTF8 \
  --locale=C) > "$WORK/initdb.log" 2>&1 || die "initdb failed: see $WORK/initdb.log"
PORT="$(free_port)"
(cd "$CLUSTER" && as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w -t 60 \
  -o "$(SERVER_OPTS "$PORT")" start) > "$WORK/pg_ctl.log" 2>&1 \
  || die "pg_ctl start failed: $(tail -5 "$CLUSTER/server.log" 2>/dev/null)"
URL="postgres://postgres@127.0.0.1:$PORT/postgres"
export PSQL PORT
psql_admin() { "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
SERVER_VERSION="$(psql_admin -At -c 'SHOW server_version')"
log "PostgreSQL $SERVER_VERSION on 127.0.0.1:$PORT"

# --- timing -----------------------------------------------------------------------------------
RESULTS="$WORK/results.jsonl"
: > "$RESULTS"
# Wall time with a monotonic clock; CPU time of the command and every child it waited for
# (not the server's: pg_ctl detaches it), from getrusage(RUSAGE_CHILDREN) before and after.
TIMER='
import json, resource, subprocess, sys, time
results, case, run, out, allowed = sys.argv[1:6]
cmd = sys.argv[7:]
def cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime
with open(out, "wb") as o, open(out + ".stderr", "wb") as e:
    c = cpu()
    t = time.perf_counter()
    code = subprocess.call(cmd, stdout=o, stderr=e, stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - t
    c = cpu() - c
with open(results, "a") as f:
    f.write(json.dumps({"case": case, "run": int(run), "wall_s": wall, "cpu_s": c, "exit": code}) + "\n")
print("  %-17s %s  %8.3f s  cpu %6.3f s  exit %d" % (
    case, "warm-up" if run == "0" else "run %s   " % run, wall, c, code), file=sys.stderr)
sys.exit(0 if str(code) in allowed.split(",") else 100 + code)
'
timed() { # case run out-name allowed-exit-codes -- cmd...
  local case=$1 run=$2 outf="$WORK/$3" allowed=$4
  shift 5
  if ! python3 -c "$TIMER" "$RESULTS" "$case" "$run" "$outf" "$allowed" -- "$@"; then
    tail -5 "$outf.stderr" >&2 || true
    die "$case: unexpected exit code (output in $outf, $outf.stderr)"
  fi
}

fresh_db() {
  psql_admin -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" \
    -c "CREATE DATABASE $1 TEMPLATE template0"
}
drop_db() { psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)"; }

PER_FILE='db=$1; shift
for f in "$@"; do
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d "$db" -f "$f" || exit 1
done'
ONE_PSQL=("$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres -d bench_psql_one)
for f in "${UPS[@]}"; do ONE_PSQL+=(-f "$f"); done

cd "$OUT"  # short relative paths everywhere, as in the other benchmarks

round() { # run number (0 = warm-up)
  local i=$1
  fresh_db bench_psql_files
  timed "psql per file" "$i" "psql-files.txt" 0 -- bash -c "$PER_FILE" bash bench_psql_files "${UPS[@]}"
  drop_db bench_psql_files
  fresh_db bench_psql_one
  timed "psql one" "$i" "psql-one.txt" 0 -- "${ONE_PSQL[@]}"
  drop_db bench_psql_one
  timed "verify up" "$i" "verify-up.json" 0,1 -- \
    "$TOLLGATE" verify "$MIGS" --database-url "$URL" --mode up --format json
  timed "verify roundtrip" "$i" "verify-roundtrip.json" 0,1 -- \
    "$TOLLGATE" verify "$MIGS" --database-url "$URL" --format json
  if [ -n "$BASE" ]; then
    timed "base up" "$i" "base-up.json" 0,1 -- \
      "$BASE" verify "$MIGS" --database-url "$URL" --mode up --format json
    timed "base roundtrip" "$i" "base-roundtrip.json" 0,1 -- \
      "$BASE" verify "$MIGS" --database-url "$URL" --format json
  fi
  timed "check" "$i" "check.json" 0,1 -- "$TOLLGATE" check "$MIGS" --format json
}

log "measuring $N migrations ($WARMUP warm-up + $RUNS timed rounds, interleaved)"
for ((i = 1; i <= WARMUP; i++)); do round 0; done
for ((i = 1; i <= RUNS; i++)); do round "$i"; done

# --- cold start -------------------------------------------------------------------------------
REF_PORT="$(free_port)"
export PG_BIN REF_PORT
# What tollgate's Cluster does (server.rs), in the same order: temporary directory (handed to
# the postgres user when root), initdb, start, stop in immediate mode, delete.
REF="$(cat <<'EOS'
set -e
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
dir=$(mktemp -d /tmp/tollgate-bench-ref.XXXXXX)
done_() {
  [ ! -f "$dir/data/postmaster.pid" ] || as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap done_ EXIT
[ "$(id -u)" != 0 ] || chown postgres: "$dir"
cd "$dir"
as_pg "$PG_BIN/initdb" -D "$dir/data" -U tollgate -A trust --no-sync -E UTF8 --locale=C >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-c fsync=off -c full_page_writes=off -c synchronous_commit=off -c listen_addresses=127.0.0.1 -p $REF_PORT -k '$dir'" start >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 30 stop >/dev/null
EOS
)"
log "cold start: one tiny migration, ephemeral cluster vs this server; initdb + start + stop alone"
for ((i = 1; i <= RUNS; i++)); do
  timed "tiny ephemeral" "$i" "tiny-ephemeral.json" 0,1 -- \
    "$TOLLGATE" verify verify-tiny --pg-bin "$PG_BIN" --format json
  timed "tiny on server" "$i" "tiny-server.json" 0,1 -- \
    "$TOLLGATE" verify verify-tiny --database-url "$URL" --format json
  timed "initdb+start+stop" "$i" "cluster-ref.txt" 0 -- bash -c "$REF"
  timed "scratch db" "$i" "scratch-db.txt" 0 -- "$PSQL" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 \
    -p "$PORT" -U postgres -d postgres -c "CREATE DATABASE bench_scratch TEMPLATE template0" \
    -c "DROP DATABASE bench_scratch WITH (FORCE)"
done

# --- where the time goes: pg_stat_statements --------------------------------------------------
PROFILED=""
if [ "$PROFILE" = 1 ]; then
  if [ -f "$PG_REAL_BIN/../lib/pg_stat_statements.so" ] \
     || [ -f "$("$PG_REAL_BIN/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/pg_stat_statements.so" ]; then
    log "profile: restarting the cluster with pg_stat_statements (after every timing)"
    (cd "$CLUSTER" && as_pg "$PG_BIN/pg_ctl" -D "$CLUSTER/data" -l "$CLUSTER/server.log" -w -t 60 \
      -o "$(SERVER_OPTS "$PORT" "-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_planning=on -c pg_stat_statements.max=10000")" \
      restart) >> "$WORK/pg_ctl.log" 2>&1 || die "restart with pg_stat_statements failed"
    psql_admin -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements"
    STATS_SQL="SELECT calls, total_exec_time + total_plan_time AS ms, query FROM pg_stat_statements
               WHERE query !~ 'pg_stat_statements'"
    psql_admin -c "SELECT pg_stat_statements_reset()" >/dev/null
    timed "profile roundtrip" 1 "profile-roundtrip.json" 0,1 -- \
      "$TOLLGATE" verify "$MIGS" --database-url "$URL" --format json
    psql_admin --csv -c "$STATS_SQL" > "$WORK/profile-roundtrip.csv"
    psql_admin -c "SELECT pg_stat_statements_reset()" >/dev/null
    timed "profile up" 1 "profile-up.json" 0,1 -- \
      "$TOLLGATE" verify "$MIGS" --database-url "$URL" --mode up --format json
    psql_admin --csv -c "$STATS_SQL" > "$WORK/profile-up.csv"
    fresh_db bench_psql_one
    psql_admin -c "SELECT pg_stat_statements_reset()" >/dev/null
    timed "profile psql one" 1 "profile-psql.txt" 0 -- "${ONE_PSQL[@]}"
    psql_admin --csv -c "$STATS_SQL" > "$WORK/profile-psql.csv"
    drop_db bench_psql_one
    PROFILED=1
  else
    log "pg_stat_statements is not installed: no profile"
  fi
fi

# --- report -----------------------------------------------------------------------------------
echo "## Machine"
echo
echo "- CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs available (nproc)"
echo "- Memory: $(awk '/MemTotal/ {printf "%.1f GiB", $2/1024/1024}' /proc/meminfo)"
echo "- Kernel: $(uname -sr)"
echo "- rustc: $(rustc --version 2>/dev/null || echo unknown)"
echo "- tollgate: $("$TOLLGATE" --version) (git $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ', uncommitted changes'))"
echo "- PostgreSQL: $SERVER_VERSION ($PG_REAL_BIN), psql $("$PSQL" --version | awk '{print $3}'); settings: fsync, full_page_writes, synchronous_commit off (as tollgate's ephemeral cluster)"
echo
python3 - "$WORK" "$RUNS" "$N" "${PROFILED:-0}" <<'EOF'
import csv, json, os, re, statistics, sys
work, runs, n, profiled = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
s = json.load(open(os.path.join(work, "gen-summary.json")))
print("## Input")
print()
print("- verify-%d: %d golang-migrate migrations (seed %d): %d up statements (%d bytes), "
      "%d down statements (%d bytes); %d tables and %d views at the end" % (
          n, s["migrations"], s["seed"], s["up_statements"], s["up_bytes"], s["down_statements"],
          s["down_bytes"], s["tables"], s["views"]))
print("  - " + ", ".join("%s %d" % (k, v) for k, v in s["kinds"].items()))
print()

recs = [json.loads(l) for l in open(os.path.join(work, "results.jsonl")) if l.strip()]
by = {}
for r in recs:
    if r["run"] > 0:
        by.setdefault(r["case"], []).append(r)
med = {c: statistics.median(x["wall_s"] for x in rs) for c, rs in by.items()}

def row(case, what):
    rs = by.get(case)
    if not rs:
        return
    w = [r["wall_s"] for r in rs]
    codes = ",".join(str(c) for c in sorted({r["exit"] for r in rs}))
    cells = [what, "%.3f" % statistics.median(w), "%.3f" % min(w), "%.3f" % max(w)]
    for base in ("psql per file", "psql one"):
        cells.append("%.2fx" % (med[case] / med[base]) if base in med else "-")
    cells.append("%.2f" % statistics.median(r["cpu_s"] for r in rs))
    cells.append(codes)
    print("| " + " | ".join(cells) + " |")

print("## Timings (%d migrations, same server, interleaved rounds)" % n)
print()
print("| case | median of %d (s) | min (s) | max (s) | / psql per file | / psql one "
      "| client CPU (s, median) | exit |" % runs)
print("|---|---:|---:|---:|---:|---:|---:|---:|")
row("psql per file", "psql, one process per up file (%d × `psql -X -q -v ON_ERROR_STOP=1 -f F`)" % n)
row("psql one", "psql, one process, every up file as `-f`")
row("verify up", "`tollgate verify verify-%d --database-url URL --mode up`" % n)
row("verify roundtrip", "`tollgate verify verify-%d --database-url URL` (round trip)" % n)
row("base up", "BASE binary: `tollgate verify verify-%d --database-url URL --mode up`" % n)
row("base roundtrip", "BASE binary: `tollgate verify verify-%d --database-url URL` (round trip)" % n)
row("check", "`tollgate check verify-%d` (the static part alone)" % n)
print()
print("## Cold start (one tiny migration)")
print()
print("| case | median of %d (s) | min (s) | max (s) | exit |" % runs)
print("|---|---:|---:|---:|---:|")
def row2(case, what):
    rs = by.get(case)
    if rs:
        w = [r["wall_s"] for r in rs]
        print("| %s | %.3f | %.3f | %.3f | %s |" % (what, statistics.median(w), min(w), max(w),
              ",".join(str(c) for c in sorted({r["exit"] for r in rs}))))
row2("tiny ephemeral", "`tollgate verify verify-tiny` (own throwaway cluster)")
row2("tiny on server", "`tollgate verify verify-tiny --database-url URL`")
row2("initdb+start+stop", "initdb + pg_ctl start -w + pg_ctl stop -m immediate + rm (same flags)")
row2("scratch db", "psql: CREATE DATABASE … TEMPLATE template0 + DROP DATABASE … WITH (FORCE)")
if "tiny ephemeral" in med and "tiny on server" in med:
    print()
    print("Cold start of the ephemeral cluster (tiny ephemeral − tiny on server, medians): **%.2f s**" % (
        med["tiny ephemeral"] - med["tiny on server"]))

print()
print("## Target: round trip ≤ 4× psql applying the ups")
print()
rt = med.get("verify roundtrip")
for base in ("psql per file", "psql one"):
    if rt and base in med:
        ratio = rt / med[base]
        print("- against %s: %.3f s / %.3f s = **%.2fx**: %s" % (
            base, rt, med[base], ratio, "met" if ratio <= 4 else "NOT met (%.0f%% over 4x)" % ((ratio / 4 - 1) * 100)))
if "base roundtrip" in med and "psql one" in med:
    print("- the BASE binary, against psql one: %.3f s / %.3f s = %.2fx (this binary: %.2fx of its time)" % (
        med["base roundtrip"], med["psql one"], med["base roundtrip"] / med["psql one"],
        rt / med["base roundtrip"] if rt else float("nan")))

if profiled:
    print()
    print("## Where the time goes (pg_stat_statements: server execution + planning time)")
    print()
    # pg_stat_statements replaces constants with $n: match on what the snapshot.rs and run.rs
    # queries are made of, not on their literals.
    snap = re.compile(r"pg_get_constraintdef|pg_get_indexdef|pg_get_viewdef|FROM pg_sequence s|pg_enum|"
                      r"pg_get_function_identity_arguments|pg_get_triggerdef|FROM pg_extension|"
                      r"pg_relation_filenode|FROM pg_attribute a|pg_get_partkeydef|"
                      r"^SELECT n\.nspname::text FROM pg_namespace n WHERE|"
                      # tracker.rs: statistics flush, what changed, the catalog list, the version
                      r"pg_stat_force_next_flush|pg_stat_get_tuples_inserted|"
                      # et.rs: the change log read at the end of each side, and its set-up
                      r"AS tollgate_flushed FROM o|tollgate_log|EVENT TRIGGER tollgate_verify|"
                      r"FROM pg_class c WHERE c\.relnamespace = \$\d+::regnamespace|"
                      r"current_setting\(\$1\)::int4, current_setting")
    lockq = re.compile(r"pg_locks|^SELECT current_setting\(\$1\)$|"
                       r"c\.oid::int8 AS oid, CASE WHEN n\.nspname")
    ctrl = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SET statement_timeout|SET lock_timeout = \d|"
                      r"SET client_min_messages|CREATE DATABASE|DROP DATABASE|SELECT 1 FROM pg_database|"
                      r"SELECT current_setting\(\$1\)::int4)", re.I)
    flushes = {}
    def split(name):
        cats = {"catalog snapshots": [0, 0.0], "lock tracing": [0, 0.0],
                "migration SQL": [0, 0.0], "session, transactions, scratch db": [0, 0.0]}
        top = []
        for r in csv.DictReader(open(os.path.join(work, name))):
            q, calls, ms = r["query"], int(r["calls"]), float(r["ms"])
            if "pg_stat_force_next_flush" in q or "AS tollgate_flushed FROM o" in q:
                flushes[name] = flushes.get(name, 0) + calls
            if snap.search(q):
                k = "catalog snapshots"
            elif lockq.search(q):
                k = "lock tracing"
            elif ctrl.search(q):
                k = "session, transactions, scratch db"
            else:
                k = "migration SQL"
            cats[k][0] += calls
            cats[k][1] += ms
            top.append((ms, calls, k, " ".join(q.split())[:90]))
        return cats, sorted(top, reverse=True)
    walls = {r["case"]: r["wall_s"] for r in recs if r["case"].startswith("profile")}
    cpus = {r["case"]: r["cpu_s"] for r in recs if r["case"].startswith("profile")}
    cols = [("profile psql one", "profile-psql.csv", "psql one"),
            ("profile up", "profile-up.csv", "verify up"),
            ("profile roundtrip", "profile-roundtrip.csv", "verify roundtrip")]
    data = {c: split(f) for c, f, _ in cols if os.path.exists(os.path.join(work, f))}
    print("| server time (s) | " + " | ".join(lbl for c, _, lbl in cols if c in data) + " |")
    print("|---|" + "---:|" * len(data))
    keys = ["migration SQL", "catalog snapshots", "lock tracing", "session, transactions, scratch db"]
    for k in keys:
        print("| %s | %s |" % (k, " | ".join("%.2f (%d queries)" % (data[c][0][k][1] / 1000, data[c][0][k][0])
                                              for c, _, _ in cols if c in data)))
    print("| **all server time** | %s |" % " | ".join(
        "%.2f" % (sum(v[1] for v in data[c][0].values()) / 1000) for c, _, _ in cols if c in data))
    print("| wall time of that run | %s |" % " | ".join(
        "%.2f" % walls.get(c, float("nan")) for c, _, _ in cols if c in data))
    print("| client CPU of that run (user + sys) | %s |" % " | ".join(
        "%.2f" % cpus.get(c, float("nan")) for c, _, _ in cols if c in data))
    for c, f, lbl in cols:
        if c in data and data[c][0]["catalog snapshots"][0]:
            k = data[c][0]["catalog snapshots"]
            # Incremental snapshots start with one statistics flush or one read of the change
            # log each; full ones are 12 queries.
            n = flushes.get(f) or k[0] // 12
            print()
            print("%s: %d catalog reads (%d queries), %.2f ms of server time per read on "
                  "average over the history." % (lbl, n, k[0], k[1] / n))
    if "profile roundtrip" in data:
        print()
        print("Most expensive queries of the round trip (server time, all calls):")
        print()
        print("| ms | calls | kind | query |")
        print("|---:|---:|---|---|")
        for ms, calls, k, q in data["profile roundtrip"][1][:12]:
            print("| %.0f | %d | %s | `%s` |" % (ms, calls, k, q.replace("|", "\\|")))
    print()
    print("These runs were made with pg_stat_statements loaded (track_planning on), which slows the "
          "server a little; they are not part of the timings above.")
EOF
echo
echo "Outputs are in bench/out/results-verify/; raw numbers in bench/out/results-verify/results.jsonl."
