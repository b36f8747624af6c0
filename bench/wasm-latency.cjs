// Latency of lint() in Node on a 500-statement migration (the editor case: lint on every
// keystroke). Not a test: prints the figures. Needs the package built (scripts/build-wasm.sh).
//   node bench/wasm-latency.cjs [runs]
"use strict";
const path = require("node:path");
const { performance } = require("node:perf_hooks");
const tollgate = require(path.join(__dirname, "..", "dist", "npm"));

const runs = Number(process.argv[2] || 200);
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
for (let i = 0; i < 20; i++) tollgate.lint(sql, opts); // warm-up (JIT, allocator)
const times = [];
let findings = 0;
for (let i = 0; i < runs; i++) {
  const t0 = performance.now();
  findings = tollgate.lint(sql, opts).findings.length;
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(2);
console.log(JSON.stringify({
  statements: 500, bytes: Buffer.byteLength(sql), findings, runs,
  median_ms: q(0.5), p90_ms: q(0.9), min_ms: q(0), max_ms: q(0.999), node: process.version,
}));
