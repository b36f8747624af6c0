// The runnable examples of docs/editor.md, run as a user would run them: the code block is
// taken from the page itself, so the page cannot drift from what works.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const fs = require("node:fs");
const os = require("node:os");
const { execFileSync, spawnSync } = require("node:child_process");

const repoRoot = path.join(__dirname, "..", "..");
const page = fs.readFileSync(path.join(repoRoot, "docs", "editor.md"), "utf8");

/** The first ```js block after the heading `## <title>`. */
function codeBlock(title) {
  const at = page.indexOf(`\n## ${title}\n`);
  assert.ok(at >= 0, `docs/editor.md has no section "${title}"`);
  const m = /```js\n([\s\S]*?)```/.exec(page.slice(at));
  assert.ok(m, `no js block under "${title}"`);
  return m[1];
}

/** What a commit printed: git hands a hook's output to stderr. */
function commit(cwd, message) {
  const r = spawnSync("git", ["commit", "-q", "-m", message], { cwd, encoding: "utf8" });
  return { status: r.status, out: r.stdout + r.stderr };
}

function git(cwd, ...args) {
  return execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test("the pre-commit script refuses a destructive migration and honours tollgate.toml", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tollgate-precommit-"));
  try {
    git(dir, "init", "-q", "-b", "main");
    git(dir, "config", "user.email", "dev@example.com");
    git(dir, "config", "user.name", "Dev");
    // The package as an installed dependency.
    fs.mkdirSync(path.join(dir, "node_modules", "@tollgate"), { recursive: true });
    fs.symlinkSync(path.join(repoRoot, "dist", "npm"), path.join(dir, "node_modules", "@tollgate", "wasm"));
    fs.writeFileSync(path.join(dir, ".gitignore"), "node_modules/\n");
    fs.mkdirSync(path.join(dir, ".githooks"));
    const hook = path.join(dir, ".githooks", "pre-commit");
    fs.writeFileSync(hook, codeBlock("A pre-commit script in Node"), { mode: 0o755 });
    git(dir, "config", "core.hooksPath", ".githooks");

    const m = (name, text) => fs.writeFileSync(path.join(dir, "db", "migrations", name), text);
    fs.mkdirSync(path.join(dir, "db", "migrations"), { recursive: true });
    m("000001_create_members.up.sql", "CREATE TABLE members (id bigint PRIMARY KEY, fax text, email text);\n");
    m("000001_create_members.down.sql", "DROP TABLE members;\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "members");

    // A destructive migration, staged with its down: refused, with the finding and its page.
    m("000002_drop_fax.up.sql", "ALTER TABLE members DROP COLUMN fax;\n");
    m("000002_drop_fax.down.sql", "ALTER TABLE members ADD COLUMN fax text;\n");
    git(dir, "add", ".");
    const refused = commit(dir, "drop fax");
    assert.equal(refused.status, 1, refused.out);
    assert.match(refused.out, /db\/migrations\/000002_drop_fax\.up\.sql:1:1 error drop-column/);
    assert.match(refused.out, /docs\/rules\/drop-column\.md/);
    // The up met its down: no missing down, and nothing about the committed migration.
    assert.doesNotMatch(refused.out, /missing-down|000001/);

    // The project's policy is the one applied.
    fs.writeFileSync(path.join(dir, "tollgate.toml"), '[rules]\ndrop-column = "off"\n');
    git(dir, "add", "tollgate.toml");
    const accepted = commit(dir, "drop fax");
    assert.equal(accepted.status, 0, accepted.out);
    assert.doesNotMatch(accepted.out, /drop-column/);

    // Only the up staged, its down already committed: still paired, still judged.
    m("000003_drop_email.up.sql", "SELECT 1;\n");
    m("000003_drop_email.down.sql", "ALTER TABLE members ADD COLUMN email text;\n");
    git(dir, "add", ".");
    git(dir, "commit", "-q", "-m", "placeholder");
    m("000003_drop_email.up.sql", "ALTER TABLE members DROP COLUMN email;\n");
    fs.writeFileSync(path.join(dir, "tollgate.toml"), "");
    git(dir, "add", ".");
    const edited = commit(dir, "drop email");
    assert.equal(edited.status, 1, edited.out);
    assert.match(edited.out, /000003_drop_email\.up\.sql:1:1 error drop-column/);
    assert.doesNotMatch(edited.out, /missing-down/);

    // A commit without migrations is not slowed down or judged.
    fs.writeFileSync(path.join(dir, "README.md"), "hello\n");
    git(dir, "add", "README.md");
    git(dir, "reset", "-q", "db", "tollgate.toml");
    const other = commit(dir, "readme");
    assert.equal(other.status, 0, other.out);
    assert.equal(other.out, "");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
