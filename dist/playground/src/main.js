// tollgate playground: the WASM build of the linter behind a CodeMirror 6 editor. Everything runs
// in the page; the share link keeps the text in the URL fragment, which browsers never send.
import init, { lint, rules, version } from "@tollgate/wasm";
import { EditorState, Compartment, StateEffect } from "@codemirror/state";
import {
  EditorView,
  keymap,
  lineNumbers,
  highlightActiveLine,
  highlightActiveLineGutter,
  drawSelection,
} from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import {
  syntaxHighlighting,
  defaultHighlightStyle,
  bracketMatching,
  indentOnInput,
  StreamLanguage,
} from "@codemirror/language";
import { linter, lintGutter } from "@codemirror/lint";
import { sql, PostgreSQL } from "@codemirror/lang-sql";
import { javascript } from "@codemirror/lang-javascript";
import { toml } from "@codemirror/legacy-modes/mode/toml";
import { range, byteOffsets, SEVERITY } from "./positions.js";
import { encodeState, decodeState } from "./share.js";
import { SQL_PATH, TS_PATH, SQL_EXAMPLE, TS_EXAMPLE, POLICY_EXAMPLE } from "./examples.js";
import "./style.css";

const $ = (id) => document.getElementById(id);
const MODES = {
  sql: { path: SQL_PATH, example: SQL_EXAMPLE, language: () => sql({ dialect: PostgreSQL }) },
  ts: { path: TS_PATH, example: TS_EXAMPLE, language: () => javascript({ typescript: true }) },
};

let mode = "sql";
let view;
let policyView;
const language = new Compartment();
// Lint again although the migration did not change: the policy or the mode did.
const relint = StateEffect.define();
const relintEffect = () => relint.of(null);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    }
  }
  return node;
}

function docLink(url, text) {
  return el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "doc-link" }, text);
}

function classBadge(cls) {
  return el("span", { class: `badge class-${cls}` }, cls);
}

/** The hover text of a finding: rule, message, help and the link to the rule's page. */
function findingTooltip(f) {
  return el(
    "div",
    { class: "finding-tooltip" },
    el("div", {}, el("strong", {}, f.rule), f.class ? [" ", classBadge(f.class)] : null),
    el("div", { class: "message" }, f.message),
    f.help ? el("div", { class: "help" }, f.help) : null,
    docLink(f.doc_url, `docs/rules/${f.rule}.md`),
  );
}

function jumpTo(from, to) {
  view.dispatch({ selection: { anchor: from, head: to }, scrollIntoView: true });
  view.focus();
}

function renderPolicyError(message) {
  const box = $("policy-error");
  box.hidden = !message;
  box.textContent = message ? message : "";
}

// The rules table depends on the policy alone: rebuilt when the policy text changes, not on
// every keystroke in the migration.
let rulesPolicy = null;
function renderRules(policy) {
  if (policy === rulesPolicy) return;
  let list;
  try {
    list = rules(policy);
  } catch {
    return; // the policy error is already shown
  }
  rulesPolicy = policy;
  const body = $("rules-body");
  body.replaceChildren(
    ...list.map((r) =>
      el(
        "tr",
        { "data-rule": r.id },
        el("td", {}, docLink(r.doc_url, r.id)),
        el("td", {}, el("span", { class: `sev sev-${r.severity}` }, r.severity)),
        el("td", {}, r.class ? classBadge(r.class) : ""),
        el("td", {}, r.description),
      ),
    ),
  );
}

function renderReport(report, doc, text) {
  const toUtf16 = byteOffsets(text);
  const { summary } = report;
  const migration = report.migrations[0];
  $("summary").replaceChildren(
    migration ? el("span", {}, "Migration: ", classBadge(migration.class)) : el("span", {}, "No migration read"),
    migration && migration.needs_review ? el("span", { class: "review" }, "needs review before merge") : null,
    el(
      "span",
      { class: "counts" },
      `${summary.errors} error${summary.errors === 1 ? "" : "s"}, ${summary.warnings} warning${
        summary.warnings === 1 ? "" : "s"
      }, ${summary.infos} info`,
    ),
    el("span", { class: summary.failed ? "result fail" : "result pass" }, summary.failed ? "FAIL" : "PASS"),
  );

  const findings = $("findings");
  findings.replaceChildren(
    ...report.findings.map((f) => {
      const r = range(doc, f);
      return el(
        "li",
        { class: `finding finding-${f.severity}`, "data-rule": f.rule, "data-severity": f.severity },
        el(
          "button",
          { type: "button", class: "goto", title: "Show in the editor", onclick: () => jumpTo(r.from, r.to) },
          `${f.line}:${f.column}`,
        ),
        " ",
        el("span", { class: `sev sev-${f.severity}` }, f.severity),
        " ",
        docLink(f.doc_url, f.rule),
        " ",
        el("span", { class: "message" }, f.message),
        f.help ? el("div", { class: "help" }, f.help) : null,
      );
    }),
    ...report.notices.map((n) => el("li", { class: "notice" }, n)),
  );
  if (report.findings.length === 0 && report.notices.length === 0) {
    findings.append(el("li", { class: "empty" }, "No findings."));
  }

  const statements = (migration ? report.migrations : []).flatMap((m) => m.statements);
  $("statements-body").replaceChildren(
    ...statements.map((s) => {
      const from = Math.min(toUtf16(s.start), doc.length);
      const to = Math.min(toUtf16(s.end), doc.length);
      return el(
        "tr",
        { class: s.parsed ? "" : "unparsed" },
        el("td", {}, el("button", { type: "button", class: "goto", onclick: () => jumpTo(from, to) }, `${s.line}`)),
        el("td", {}, s.direction),
        el("td", {}, s.kind),
        el("td", {}, classBadge(s.class)),
        el("td", {}, s.parsed ? "yes" : "no: treated as unsafe"),
      );
    }),
  );
}

function renderFailure(message) {
  $("summary").replaceChildren(el("span", { class: "result fail" }, "Not linted"));
  $("findings").replaceChildren(el("li", { class: "notice" }, message));
  $("statements-body").replaceChildren();
}

/** The CodeMirror lint source: lint the text with the policy of the side panel. */
function lintSource(editor) {
  const doc = editor.state.doc;
  const text = doc.toString();
  const policy = policyView.state.doc.toString();
  let report;
  try {
    report = lint(text, { path: MODES[mode].path, policy });
  } catch (e) {
    // A broken policy (or any other refusal): say so, show no findings rather than findings
    // under a policy the user did not write.
    const message = e instanceof Error ? e.message : String(e);
    renderPolicyError(message);
    renderFailure(`Not linted: ${message}`);
    return [];
  }
  renderPolicyError(null);
  renderRules(policy);
  renderReport(report, doc, text);
  return report.findings.map((f) => ({
    ...range(doc, f),
    severity: SEVERITY[f.severity] ?? "error",
    source: "tollgate",
    message: `${f.rule}: ${f.message}`,
    renderMessage: () => findingTooltip(f),
  }));
}

let saveTimer;
function scheduleSave() {
  clearTimeout(saveTimer);
  saveTimer = setTimeout(saveState, 300);
}

async function saveState() {
  const fragment = await encodeState({ mode, source: view.state.doc.toString(), policy: policyView.state.doc.toString() });
  window.history.replaceState(null, "", `#${fragment}`);
  $("share-url").value = location.href;
  return location.href;
}

function setMode(next) {
  const previous = mode;
  mode = next;
  $("mode").value = next;
  const text = view.state.doc.toString();
  const changes =
    text.trim() === "" || text === MODES[previous].example
      ? { from: 0, to: view.state.doc.length, insert: MODES[next].example }
      : undefined;
  view.dispatch({ changes, effects: [language.reconfigure(MODES[next].language()), relintEffect()] });
  scheduleSave();
}

function setContent(state) {
  mode = state.mode;
  $("mode").value = state.mode;
  view.dispatch({
    changes: { from: 0, to: view.state.doc.length, insert: state.source },
    effects: language.reconfigure(MODES[state.mode].language()),
  });
  policyView.dispatch({ changes: { from: 0, to: policyView.state.doc.length, insert: state.policy } });
}

async function fromFragment() {
  const state = await decodeState(location.hash);
  if (state instanceof Error) {
    $("share-status").textContent = state.message;
    return null;
  }
  return state;
}

function baseExtensions() {
  return [
    lineNumbers(),
    highlightActiveLineGutter(),
    history(),
    drawSelection(),
    indentOnInput(),
    bracketMatching(),
    highlightActiveLine(),
    syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
    keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
  ];
}

async function main() {
  await init();
  $("version").textContent = `tollgate ${version()}`;
  const initial = (await fromFragment()) ?? { mode: "sql", source: SQL_EXAMPLE, policy: POLICY_EXAMPLE };

  policyView = new EditorView({
    parent: $("policy"),
    state: EditorState.create({
      doc: initial.policy,
      extensions: [
        baseExtensions(),
        StreamLanguage.define(toml),
        EditorView.contentAttributes.of({ "aria-label": "Policy (tollgate.toml)" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && view) {
            view.dispatch({ effects: relintEffect() });
            scheduleSave();
          }
        }),
      ],
    }),
  });

  mode = initial.mode;
  $("mode").value = mode;
  view = new EditorView({
    parent: $("editor"),
    state: EditorState.create({
      doc: initial.source,
      extensions: [
        baseExtensions(),
        language.of(MODES[mode].language()),
        lintGutter(),
        linter(lintSource, {
          delay: 150,
          needsRefresh: (u) => u.transactions.some((t) => t.effects.some((e) => e.is(relint))),
        }),
        EditorView.contentAttributes.of({ "aria-label": "Migration" }),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) scheduleSave();
        }),
      ],
    }),
  });

  $("mode").addEventListener("change", (e) => setMode(e.target.value));
  $("share").addEventListener("click", async () => {
    clearTimeout(saveTimer);
    const url = await saveState();
    const input = $("share-url");
    input.hidden = false;
    input.select();
    try {
      await navigator.clipboard.writeText(url);
      $("share-status").textContent = "Link copied. It holds the migration and the policy; no server stores them.";
    } catch {
      $("share-status").textContent = "Copy the link above. It holds the migration and the policy; no server stores them.";
    }
  });
  window.addEventListener("hashchange", async () => {
    const state = await fromFragment();
    if (state && (state.source !== view.state.doc.toString() || state.policy !== policyView.state.doc.toString() || state.mode !== mode)) {
      setContent(state);
    }
  });
  document.body.dataset.ready = "true";
}

main().catch((e) => {
  document.body.dataset.ready = "error";
  $("load-error").hidden = false;
  $("load-error").textContent = `The linter could not start: ${e && e.message ? e.message : e}`;
});
