// The built playground (dist/playground/build) served on localhost and driven in the system
// Chromium with playwright-core: what a user does, and what they must see.
// Run by scripts/test-browser.sh, which builds the npm package and the playground first.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const http = require("node:http");
const fs = require("node:fs");
const path = require("node:path");
const { chromium } = require("playwright-core");

const root = path.resolve(__dirname, "..", "..", "dist", "playground", "build");
const artifacts = process.env.TOLLGATE_ARTIFACTS_DIR || path.join(__dirname, "artifacts");
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";
// Exactly the flags the issue asks for; nothing may reach the network.
const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".svg": "image/svg+xml",
};

// A hung page fails the test instead of the suite; generous, for a loaded 2-core CI machine.
const TEST_TIMEOUT = 180_000;

let server;
let origin;
let browser;
const external = [];

function serve() {
  return new Promise((resolve) => {
    const s = http.createServer((req, res) => {
      const url = new URL(req.url, "http://localhost");
      const file = path.join(root, decodeURIComponent(url.pathname === "/" ? "/index.html" : url.pathname));
      if (!file.startsWith(root + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
        res.writeHead(404).end("not found");
        return;
      }
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      fs.createReadStream(file).pipe(res);
    });
    s.listen(0, "127.0.0.1", () => resolve(s));
  });
}

test.before(async () => {
  assert.ok(fs.existsSync(path.join(root, "index.html")), `${root} is missing: run scripts/test-browser.sh`);
  assert.ok(fs.existsSync(executablePath), `${executablePath} is missing: apt-get install chromium`);
  server = await serve();
  origin = `http://127.0.0.1:${server.address().port}`;
  browser = await chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS });
  fs.mkdirSync(artifacts, { recursive: true });
});

test.after(async () => {
  if (browser) await browser.close();
  if (server) server.close();
});

/** A fresh page on the playground, with external requests refused and console errors kept. */
async function open(hash = "") {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.origin === origin || url.protocol === "data:" || url.protocol === "blob:") return route.continue();
    external.push(url.href);
    return route.abort();
  });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${origin}/${hash}`);
  await page.waitForSelector("body[data-ready]", { timeout: 60000 });
  const ready = await page.getAttribute("body", "data-ready");
  assert.equal(ready, "true", `the page did not start: ${await page.locator("#load-error").textContent()} ${errors}`);
  return { page, errors, context };
}

async function replaceText(page, selector, text) {
  await page.click(`${selector} .cm-content`);
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Delete");
  // Typed key by key, as a user does; CodeMirror re-lints while it goes.
  await page.keyboard.type(text);
}

/** The text of a (short, fully rendered) CodeMirror editor, line by line. */
function editorText(page, selector) {
  return page.evaluate(
    (sel) => Array.from(document.querySelectorAll(`${sel} .cm-line`), (l) => l.textContent).join("\n"),
    selector,
  );
}

test("typing a destructive migration shows the marker and the message; the policy turns it off", { timeout: TEST_TIMEOUT }, async () => {
  const { page, errors, context } = await open();
  await replaceText(page, "#policy", "");
  // A dbmate-style file (the playground's SQL mode): the up, then its down.
  await replaceText(
    page,
    "#editor",
    "-- migrate:up\nALTER TABLE members DROP COLUMN phone;\n\n-- migrate:down\nALTER TABLE members ADD COLUMN phone text;\n",
  );

  // 1. The underline and the gutter marker.
  const underline = page.locator("#editor .cm-lintRange-error");
  await underline.first().waitFor({ timeout: 10000 });
  await page.locator("#editor .cm-lint-marker-error").first().waitFor();

  // 2. The message, in the findings list and in the hover text with its doc link.
  const item = page.locator('#findings li[data-rule="drop-column"]');
  await item.waitFor();
  assert.match(await item.innerText(), /2:1\s+error\s+drop-column/);
  assert.match(await item.innerText(), /phone/);
  await underline.first().hover();
  const tooltip = page.locator(".cm-tooltip-lint");
  await tooltip.waitFor({ timeout: 10000 });
  assert.match(await tooltip.innerText(), /drop-column/);
  assert.match(await tooltip.innerText(), /phone/);
  assert.equal(await tooltip.locator('a[href$="/docs/rules/drop-column.md"]').count(), 1);
  assert.match(await page.locator("#summary").innerText(), /destructive/);
  assert.match(await page.locator("#statements-body").innerText(), /destructive/);
  await page.mouse.move(0, 0);
  await page.screenshot({ path: path.join(artifacts, "playground-drop-column.png"), fullPage: true });

  // 3. The policy turns the rule off: the marker goes, the list says so.
  await replaceText(page, "#policy", '[rules]\ndrop-column = "off"\n');
  await page.waitForFunction(() => !document.querySelector('#findings li[data-rule="drop-column"]'), null, {
    timeout: 10000,
  });
  assert.equal(await page.locator("#editor .cm-lintRange-error").count(), 0);
  assert.equal(await page.locator("#editor .cm-lint-marker-error").count(), 0);
  assert.match(await page.locator('#rules-body tr[data-rule="drop-column"]').textContent(), /off/);

  // 4. The screenshot, kept as a test artifact.
  await page.screenshot({ path: path.join(artifacts, "playground-policy-off.png"), fullPage: true });
  assert.ok(fs.statSync(path.join(artifacts, "playground-policy-off.png")).size > 10000);
  assert.deepEqual(errors, []);
  await context.close();
});

test("a broken policy is reported and no findings are shown under it", { timeout: TEST_TIMEOUT }, async () => {
  const { page, errors, context } = await open();
  await replaceText(page, "#policy", "[rules\n");
  const box = page.locator("#policy-error");
  await box.waitFor({ state: "visible", timeout: 10000 });
  assert.match(await box.innerText(), /tollgate\.toml/);
  assert.equal(await page.locator("#editor .cm-lintRange-error").count(), 0);
  assert.match(await page.locator("#summary").innerText(), /Not linted/);
  // Fixing it brings the findings back.
  await replaceText(page, "#policy", "[rules]\n");
  await box.waitFor({ state: "hidden", timeout: 10000 });
  await page.locator('#findings li[data-rule="drop-column"]').waitFor({ timeout: 10000 });
  assert.deepEqual(errors, []);
  await context.close();
});

test("a MikroORM migration's marker sits inside its string literal", { timeout: TEST_TIMEOUT }, async () => {
  const { page, errors, context } = await open();
  await page.selectOption("#mode", "ts");
  // Switching an untouched editor loads the TypeScript example.
  await page.waitForFunction(() => document.querySelector("#editor .cm-content").innerText.includes("addSql"));
  const underline = page.locator("#editor .cm-lintRange-error", { hasText: "drop" });
  await underline.first().waitFor({ timeout: 10000 });
  const marked = await underline.first().innerText();
  assert.match(marked, /drop column/i);
  assert.doesNotMatch(marked, /addSql/);
  const item = page.locator('#findings li[data-rule="drop-column"]');
  await item.waitFor();
  assert.match(await item.innerText(), /^6:18\s+error/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the share link restores the migration, the mode and the policy in a new page", { timeout: TEST_TIMEOUT }, async () => {
  const source = "-- café ☕ 𝄞\nALTER TABLE members RENAME COLUMN phone TO phone_number;\n";
  const policy = '[rules]\nrename-column = "warning"\n';
  const first = await open();
  await replaceText(first.page, "#policy", policy);
  await replaceText(first.page, "#editor", source);
  await first.page.click("#share");
  const input = first.page.locator("#share-url");
  await input.waitFor({ state: "visible" });
  const url = await input.inputValue();
  assert.ok(url.startsWith(`${origin}/#v1.`), url);
  await first.context.close();

  const second = await open(url.slice(origin.length + 1));
  await second.page.locator('#findings li[data-rule="rename-column"]').waitFor({ timeout: 10000 });
  assert.equal(await editorText(second.page, "#editor"), source);
  assert.equal(await editorText(second.page, "#policy"), policy);
  // The policy made it a warning: the marker is a warning marker, on line 2 after an astral character.
  await second.page.locator("#editor .cm-lintRange-warning").first().waitFor();
  assert.match(await second.page.locator('#findings li[data-rule="rename-column"]').innerText(), /2:1\s+warning/);
  assert.deepEqual([...first.errors, ...second.errors], []);
  await second.context.close();
});

test("a damaged share link says so and the page still works", { timeout: TEST_TIMEOUT }, async () => {
  const { page, context } = await open("#v1.AAAA%%%");
  assert.match(await page.locator("#share-status").innerText(), /cannot be read/);
  await page.locator('#findings li[data-rule="drop-column"]').waitFor({ timeout: 10000 });
  await context.close();
});

test("the page asked nothing of any other host", { timeout: TEST_TIMEOUT }, () => {
  assert.deepEqual(external, []);
});
