// Latency of lint() in Node on a 500-statement migration (the editor case: lint on every
// keystroke). Not a test: prints the figures. Needs the package built (scripts/build-wasm.sh).
//   node bench/wasm-latency.cjs [runs] [other-package-dir ...]
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
const packages = dirs.map((d) => ({ dir: d, tollgate: require(d), wall: [], cpu: [], findings: 0 }));

const lines = [];
for (let i = 0; i < 500; i++) {
  switch (i % 5) {
    case 0: lines.push(`CREATE TABLE t${i} (id bigint PRIMARY KEY, email text NOT NULL, created_at timestamptz DEFAULT now());`); break;
    case 1: lines.push(`ALTER TABLE t${i - 1} ADD COLUMN note text;`); break;
    case 2: lines.push(`CREATE INDEX CONCURRENTLY t${i - 2}_email_idx ON t${i - 2} (email);`); break;
    case 3: lines.push(`UPDATE t${i - 3} SET note = 'x' WHERE id < 100;`); break;
    default: lines.push(`ALTER TABLE members DROP COLUMN c${i};`);
  }
}
const sql = lines.join("\n") + "\n";
const opts = { path: "db/migrations/000500_big.up.sql" };
for (const p of packages) for (let i = 0; i < 20; i++) p.tollgate.lint(sql, opts); // warm-up (JIT, allocator)
for (let i = 0; i < runs; i++) {
  for (const p of packages) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    p.findings = p.tollgate.lint(sql, opts).findings.length;
    const t1 = performance.now();
    const c = process.cpuUsage(c0);
    p.wall.push(t1 - t0);
    p.cpu.push((c.user + c.system) / 1000);
  }
}
const q = (xs, f) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(f * s.length))].toFixed(2);
};
for (const p of packages) {
  console.log(JSON.stringify({
    package: path.relative(process.cwd(), p.dir) || ".",
    statements: 500, bytes: Buffer.byteLength(sql), findings: p.findings, runs,
    median_ms: q(p.wall, 0.5), p90_ms: q(p.wall, 0.9), p95_ms: q(p.wall, 0.95), min_ms: q(p.wall, 0), max_ms: q(p.wall, 0.999),
    cpu_median_ms: q(p.cpu, 0.5), cpu_p95_ms: q(p.cpu, 0.95),
    node: process.version,
  }));
}
