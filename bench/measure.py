#!/usr/bin/env python3
"""Time one command several times, or print the collected results as a markdown table.

    measure.py run --results R.jsonl --tool T --format F --input-name N --input PATH \
                   --out FILE [--runs 3] [--warmup 1] -- CMD ARGS...
    measure.py table --results R.jsonl

`run` starts CMD with stdout redirected to FILE (stderr to FILE.stderr), waits for it with
os.wait4 and records, for every timed run, the wall time (time.perf_counter around fork/wait)
and the peak resident set size of that child (ru_maxrss, KiB on Linux). It appends one JSON line
to R.jsonl with the best and median wall time, the peak RSS, the output size, the exit code and
the input size (PATH may be a file or a directory; a directory counts every .sql file below it).

python3 standard library only.
"""

import argparse
import json
import os
import statistics
import sys
import time


def input_bytes(path):
    if os.path.isdir(path):
        total = 0
        for root, _, files in os.walk(path):
            for f in files:
                if f.endswith(".sql"):
                    total += os.path.getsize(os.path.join(root, f))
        return total
    return os.path.getsize(path)


def run_once(cmd, out_path):
    with open(out_path, "wb") as out, open(out_path + ".stderr", "wb") as err:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # child
            try:
                os.dup2(out.fileno(), 1)
                os.dup2(err.fileno(), 2)
                devnull = os.open(os.devnull, os.O_RDONLY)
                os.dup2(devnull, 0)
                os.execvp(cmd[0], cmd)
            except BaseException as e:  # noqa: BLE001 - report and leave the child
                os.write(2, ("exec failed: %s\n" % e).encode())
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss, code


def cmd_run(args):
    cmd = args.cmd
    if cmd and cmd[0] == "--":
        cmd = cmd[1:]
    if not cmd:
        sys.exit("measure.py run: no command given after --")
    for _ in range(args.warmup):
        run_once(cmd, args.out)
    walls, rss, codes = [], [], []
    for _ in range(args.runs):
        w, m, c = run_once(cmd, args.out)
        walls.append(w)
        rss.append(m)
        codes.append(c)
    rec = {
        "tool": args.tool,
        "format": args.format,
        "input_name": args.input_name,
        "input_bytes": input_bytes(args.input),
        "command": args.display or " ".join(cmd),
        "runs": args.runs,
        "walls": walls,
        "best_s": min(walls),
        "median_s": statistics.median(walls),
        "peak_rss_kb": max(rss),
        "exit_codes": sorted(set(codes)),
        "output_bytes": os.path.getsize(args.out),
        "stderr_bytes": os.path.getsize(args.out + ".stderr"),
    }
    with open(args.results, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print("  %-8s %-6s %-16s best %7.3fs  median %7.3fs  rss %7.1f MiB  out %9d B  exit %s" % (
        rec["tool"], rec["format"], rec["input_name"], rec["best_s"], rec["median_s"],
        rec["peak_rss_kb"] / 1024, rec["output_bytes"], ",".join(map(str, rec["exit_codes"]))),
        file=sys.stderr)


def fmt_bytes(n):
    if n >= 1024 * 1024:
        return "%.1f MiB" % (n / 1024 / 1024)
    if n >= 1024:
        return "%.1f KiB" % (n / 1024)
    return "%d B" % n


def cmd_table(args):
    recs = []
    with open(args.results) as f:
        for line in f:
            if line.strip():
                recs.append(json.loads(line))
    print("| input | tool | output | best of %d (s) | median (s) | throughput (MB/s, median) "
          "| peak RSS (MiB) | output size | exit |" % (recs[0]["runs"] if recs else 3))
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    for r in recs:
        mbps = r["input_bytes"] / 1e6 / r["median_s"] if r["median_s"] > 0 else float("inf")
        print("| %s (%s) | %s | %s | %.3f | %.3f | %.2f | %.1f | %s | %s |" % (
            r["input_name"], fmt_bytes(r["input_bytes"]), r["tool"], r["format"], r["best_s"],
            r["median_s"], mbps, r["peak_rss_kb"] / 1024, fmt_bytes(r["output_bytes"]),
            ",".join(map(str, r["exit_codes"]))))
    by = {(r["tool"], r["format"], r["input_name"]): r for r in recs}
    inputs = []
    for r in recs:
        if r["input_name"] not in inputs:
            inputs.append(r["input_name"])
    lines = []
    for inp in inputs:
        for fmt in ("json", "human"):
            t, s = by.get(("tollgate", fmt, inp)), by.get(("squawk", fmt, inp))
            if t and s:
                lines.append("| %s | %s | %.3f | %.3f | %.2fx | %.2fx |" % (
                    inp, fmt, t["median_s"], s["median_s"], s["median_s"] / t["median_s"],
                    s["best_s"] / t["best_s"]))
    if lines:
        print()
        print("| input | output | tollgate median (s) | squawk median (s) "
              "| squawk / tollgate (median) | squawk / tollgate (best) |")
        print("|---|---|---:|---:|---:|---:|")
        print("\n".join(lines))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="sub", required=True)
    r = sub.add_parser("run")
    r.add_argument("--results", required=True)
    r.add_argument("--tool", required=True)
    r.add_argument("--format", required=True)
    r.add_argument("--input-name", required=True)
    r.add_argument("--input", required=True)
    r.add_argument("--out", required=True)
    r.add_argument("--display", help="command line to show in the results (default: CMD)")
    r.add_argument("--runs", type=int, default=3)
    r.add_argument("--warmup", type=int, default=1)
    r.add_argument("cmd", nargs=argparse.REMAINDER)
    t = sub.add_parser("table")
    t.add_argument("--results", required=True)
    args = ap.parse_args()
    if args.sub == "run":
        cmd_run(args)
    else:
        cmd_table(args)


if __name__ == "__main__":
    main()
