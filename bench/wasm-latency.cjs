// Latency of lint() in Node on a 500-statement migration (the editor case: lint on every
// keystroke). Not a test: prints the figures. Needs the package built (scripts/build-wasm.sh).
//   node bench/wasm-latency.cjs [runs] [other-package-dir ...]
// Three inputs, each run on its own:
//   keystroke  every call changes one statement of the file (the next character typed), as an
//              editor linting on each keystroke sends it: 499 statements are as in the call
//              before, one is new.
//   cold       every call lints a file none of whose statements was seen before (every table
//              name carries the run number): nothing can be reused from earlier calls.
//   same       the same text every call (what this script measured before the statement cache).
// With other package directories (e.g. a copy of dist/npm from an older commit), every package
// is run in turn, interleaved run by run, so that they share the machine's load; compare their
// figures with each other rather than across separate runs. Each figure is given twice: wall
// time, and the process's CPU time (user + system) over the same call, which a busy machine
// inflates much less.
"use strict";
const path = require("node:path");
const { performance } = require("node:perf_hooks");

const runs = Number(process.argv[2] || 200);
const dirs = [path.join(__dirname, "..", "dist", "npm"), ...process.argv.slice(3).map((d) => path.resolve(d))];

/// The 500 statements; `tag` is put into every table name (cold), `edit` = [index, text]
/// replaces one statement's table name suffix (keystroke).
function migration(tag, edit) {
  const lines = [];
  for (let i = 0; i < 500; i++) {
    const t = (n) => `t${n}${tag}`;
    let line;
    switch (i % 5) {
      case 0: line = `CREATE TABLE ${t(i)} (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());`; break;
      case 1: line = `ALTER TABLE ${t(i - 1)} ADD COLUMN note text;`; break;
      case 2: line = `CREATE INDEX CONCURRENTLY ${t(i - 2)}_email_idx ON ${t(i - 2)} (email);`; break;
      case 3: line = `UPDATE ${t(i - 3)} SET note = 'x' WHERE id < 100;`; break;
      default: line = `ALTER TABLE members DROP COLUMN c${i};`;
    }
    if (edit && edit[0] === i) line = line.replace("note", `note${edit[1]}`).replace("members", `members${edit[1]}`);
    lines.push(line);
  }
  return lines.join("\n") + "\n";
}

const inputs = {
  // Run r types one more character into the statement after the one of run r - 1.
  keystroke: (r) => migration("", [(r * 7) % 500, String.fromCharCode(97 + (r % 26)).repeat(1 + (r % 3))]),
  cold: (r) => migration(`_${r}`),
  same: () => migration(""),
};

const opts = { path: "db/migrations/000500_big.up.sql" };
const packages = dirs.map((d) => ({ dir: d, tollgate: require(d) }));
const q = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(2);
};
const only = process.env.INPUT ? process.env.INPUT.split(",") : Object.keys(inputs);
let round = 0;
for (const name of only) {
  const make = inputs[name];
  const stats = packages.map(() => ({ wall: [], cpu: [], findings: 0 }));
  // Warm-up (JIT, allocator, and the cache at the state an editor has: the file linted before).
  for (let i = 0; i < 20; i++) for (const p of packages) p.tollgate.lint(make(round + i), opts);
  round += 20;
  for (let i = 0; i < runs; i++, round++) {
    const sql = make(round);
    packages.forEach((p, k) => {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      stats[k].findings = p.tollgate.lint(sql, opts).findings.length;
      const t1 = performance.now();
      const c = process.cpuUsage(c0);
      stats[k].wall.push(t1 - t0);
      stats[k].cpu.push((c.user + c.system) / 1000);
    });
  }
  packages.forEach((p, k) => {
    const s = stats[k];
    console.log(JSON.stringify({
      input: name, package: path.relative(process.cwd(), p.dir) || ".",
      statements: 500, bytes: Buffer.byteLength(make(0)), findings: s.findings, runs,
      median_ms: q(s.wall, 0.5), p90_ms: q(s.wall, 0.9), p95_ms: q(s.wall, 0.95), min_ms: q(s.wall, 0), max_ms: q(s.wall, 0.999),
      cpu_median_ms: q(s.cpu, 0.5), cpu_p95_ms: q(s.cpu, 0.95),
      node: process.version,
    }));
  });
}
