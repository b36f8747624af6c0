// The built npm package (dist/npm), loaded as a user loads it: require() of the package folder.
// Run by scripts/test.sh after scripts/build-wasm.sh:  node --test tests/npm/
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");

const pkgDir = path.join(__dirname, "..", "..", "dist", "npm");
const tollgate = require(pkgDir);

test("package.json points main at the Node build and browser at the web build", () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  assert.ok(fs.existsSync(path.join(pkgDir, pkg.main)));
  assert.ok(fs.existsSync(path.join(pkgDir, pkg.browser)));
  assert.ok(fs.existsSync(path.join(pkgDir, pkg.types)));
});

// Issue 9's size budget, as `gzip -9` measures it (docs/benchmarks.md, "Both targets"). A
// change that crosses it should be seen when it is made, not found later in the benchmarks.
// Measured with gzip itself: Node's zlib gives about 1 % more for the same file.
test("the module stays within its 800 KB gzipped budget", () => {
  const { execFileSync } = require("node:child_process");
  for (const dir of ["node", "web"]) {
    const file = path.join(pkgDir, dir, "tollgate_wasm_bg.wasm");
    const gz = execFileSync("gzip", ["-9", "-c", file], { maxBuffer: 1 << 24 }).length;
    assert.ok(gz <= 800000, `${dir}/tollgate_wasm_bg.wasm is ${gz} bytes gzipped, over the 800,000 budget`);
  }
});

test("lint reports a destructive SQL migration with 1-based and UTF-16 positions", () => {
  const report = tollgate.lint('-- café\nALTER TABLE "café" DROP COLUMN fax;\n', {
    path: "db/migrations/000002_drop_fax.up.sql",
  });
  assert.equal(report.migrations[0].class, "destructive");
  const f = report.findings.find((x) => x.rule === "drop-column");
  assert.ok(f, JSON.stringify(report.findings));
  assert.equal(f.line, 2);
  assert.equal(f.column, 1);
  assert.equal(f.column_utf16, 1);
  assert.match(f.doc_url, /docs\/rules\/drop-column\.md$/);
  // Plain objects, not Maps.
  assert.equal(Object.getPrototypeOf(report), Object.prototype);
  assert.equal(Object.getPrototypeOf(report.summary), Object.prototype);
});

test("a MikroORM migration's findings point inside its string literal", () => {
  const ts = [
    "import { Migration } from '@mikro-orm/migrations';",
    "export class Migration20240101000000 extends Migration {",
    "  async up(): Promise<void> {",
    "    this.addSql('alter table \"member\" drop column \"phone\";');",
    "  }",
    "  async down(): Promise<void> {",
    "    this.addSql('alter table \"member\" add column \"phone\" text;');",
    "  }",
    "}",
    "",
  ].join("\n");
  const report = tollgate.lint(ts, { path: "src/migrations/Migration20240101000000.ts" });
  const f = report.findings.find((x) => x.rule === "drop-column");
  assert.equal(f.line, 4);
  assert.equal(f.column, 18);
});

test("the policy text is applied, and a broken one is an Error", () => {
  const sql = "ALTER TABLE members DROP COLUMN fax;\n";
  const off = tollgate.lint(sql, { path: "m.sql", policy: '[rules]\ndrop-column = "off"\n' });
  assert.ok(!off.findings.some((x) => x.rule === "drop-column"));
  assert.throws(() => tollgate.lint(sql, { path: "m.sql", policy: "[rules\n" }), (e) => {
    assert.ok(e instanceof Error);
    assert.match(e.message, /tollgate\.toml/);
    return true;
  });
  assert.throws(() => tollgate.lint(sql, {}), /path/);
});

test("classify, rules and version", () => {
  const c = tollgate.classify("CREATE TABLE t (id int); DROP TABLE old_t;");
  assert.equal(c.class, "destructive");
  assert.deepEqual(c.statements.map((s) => s.class), ["additive", "destructive"]);
  const rules = tollgate.rules();
  const drop = rules.find((r) => r.id === "drop-table");
  assert.equal(drop.severity, "error");
  assert.equal(tollgate.rules('[rules]\ndrop-table = "warning"\n').find((r) => r.id === "drop-table").severity, "warning");
  assert.match(tollgate.version(), /^\d+\.\d+\.\d+/);
});

test("hostile input never crashes the module", () => {
  for (const s of ["", "\u0000\u0001", "$$ unterminated", "'".repeat(10000), "é".repeat(5000)]) {
    const r = tollgate.lint(s, { path: "x.sql" });
    assert.ok(Array.isArray(r.findings));
  }
  // Still usable afterwards.
  assert.ok(tollgate.lint("SELECT 1;", { path: "ok.sql" }).findings !== undefined);
});

test("lintFiles pairs an up with its down and takes the policy; bad lists are Errors", () => {
  const files = [
    { path: "db/migrations/000001_members.up.sql", source: "CREATE TABLE members (id int, fax text);\n" },
    { path: "db/migrations/000001_members.down.sql", source: "DROP TABLE members;\n" },
    { path: "db/migrations/000002_drop_fax.up.sql", source: "ALTER TABLE members DROP COLUMN fax;\n" },
    { path: "db/migrations/000002_drop_fax.down.sql", source: "ALTER TABLE members ADD COLUMN fax text;\n" },
  ];
  const r = tollgate.lintFiles(files);
  assert.equal(Object.getPrototypeOf(r), Object.prototype);
  assert.deepEqual(r.migrations.map((m) => [m.id, m.class, m.down_class]), [
    ["000001_members", "additive", "additive"], // the down drops only what the up created
    ["000002_drop_fax", "destructive", "additive"],
  ]);
  assert.ok(!r.findings.some((f) => f.rule === "missing-down"));
  const f = r.findings.find((x) => x.rule === "drop-column");
  assert.equal(f.path, "db/migrations/000002_drop_fax.up.sql");
  const off = tollgate.lintFiles(files, { policy: '[rules]\ndrop-column = "off"\n' });
  assert.ok(!off.findings.some((x) => x.rule === "drop-column"));
  assert.throws(() => tollgate.lintFiles("nope"), (e) => e instanceof Error && /array/.test(e.message));
  assert.throws(() => tollgate.lintFiles([files[0], files[0]]), /given twice/);
  assert.throws(() => tollgate.lintFiles(files, { policy: "[rules\n" }), /tollgate\.toml/);
  assert.deepEqual(tollgate.lintFiles([]).migrations, []);
});

test("options and file lists of the wrong shape are Errors that say what was expected", () => {
  const sql = "ALTER TABLE members DROP COLUMN fax;\n";
  assert.throws(() => tollgate.lint(sql, { path: 5 }), /lint options: .*expected a string; expected \{ path, policy \}/);
  assert.throws(() => tollgate.lint(sql, "m.sql"), /expected \{ path, policy \}/);
  assert.throws(() => tollgate.lintFiles(undefined), /expected an array of \{ path, source \}/);
  assert.throws(() => tollgate.lintFiles([{ path: "a.sql" }]), /missing field `source`/);
  assert.throws(() => tollgate.lintFiles([], { policy: 1 }), /lintFiles options: .*expected \{ policy \}/);
  // Unknown keys are ignored; null is "not given".
  assert.equal(tollgate.lint(sql, { path: "m.sql", policy: null, extra: 1 }).findings[0].path, "m.sql");
});

test("linting after each keystroke gives the findings of a first lint of the same text", () => {
  // Each edit re-uses the statements read by the calls before; the report must not show it.
  const base = (col) =>
    `CREATE TABLE t (id int);\nALTER TABLE members DROP COLUMN ${col};\nDO $$ BEGIN DROP TABLE t; END $$;\n`;
  const path = "db/migrations/000003_x.up.sql";
  const texts = ["fax", "faxe", "fa", "fax", "phone"].map(base);
  const seen = texts.map((t) => tollgate.lint(t, { path }));
  // Fresh reads of the same texts (other texts in between, so nothing is reused in order).
  for (let i = texts.length - 1; i >= 0; i--) {
    tollgate.lint(`SELECT ${i};\n`, { path });
    assert.deepEqual(tollgate.lint(texts[i], { path }), seen[i]);
  }
  assert.match(seen[1].findings.find((f) => f.rule === "drop-column").message, /members\.faxe/);
  assert.deepEqual(seen[0], seen[3]);
});
