// The playground's pure parts under Node (no browser): the share-link codec and the mapping
// from tollgate's positions to CodeMirror offsets. Random inputs from a fixed seed, checked
// against simple oracles.
import test from "node:test";
import assert from "node:assert/strict";
import { encodeState, decodeState } from "../../dist/playground/src/share.js";
import { byteOffsets, range, position } from "../../dist/playground/src/positions.js";

function rng(seed) {
  let x = seed >>> 0;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

// ASCII, Latin-1, BMP (3-byte UTF-8) and astral (surrogate pairs) characters, newlines.
const ALPHABET = ["a", "Z", " ", ";", "\n", "\t", "'", "é", "ß", "€", "☕", "中", "😀", "𝄞", "\r\n"];
function randomText(next, max) {
  let s = "";
  const n = Math.floor(next() * max);
  for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(next() * ALPHABET.length)];
  return s;
}

/** A minimal CodeMirror `Text`: lines split on \n, offsets in UTF-16 units. */
function doc(text) {
  const lines = text.split("\n");
  const starts = [];
  let at = 0;
  for (const l of lines) {
    starts.push(at);
    at += l.length + 1;
  }
  return {
    lines: lines.length,
    length: text.length,
    line: (n) => ({ from: starts[n - 1], to: starts[n - 1] + lines[n - 1].length }),
  };
}

test("byteOffsets maps every UTF-8 character boundary to its UTF-16 offset", () => {
  const next = rng(7);
  const enc = new TextEncoder();
  for (let round = 0; round < 300; round++) {
    const text = randomText(next, 60);
    const map = byteOffsets(text);
    let bytes = 0;
    let units = 0;
    for (const ch of text) {
      assert.equal(map(bytes), units, `${JSON.stringify(text)} at byte ${bytes}`);
      bytes += enc.encode(ch).length;
      units += ch.length;
    }
    assert.equal(map(bytes), text.length);
    assert.equal(bytes, enc.encode(text).length);
  }
});

test("positions and ranges stay inside the document, and ranges are never empty", () => {
  const next = rng(11);
  for (let round = 0; round < 300; round++) {
    const text = randomText(next, 80) || "x";
    const d = doc(text);
    for (let k = 0; k < 10; k++) {
      const line = Math.floor(next() * (d.lines + 2));
      const col = Math.floor(next() * 90);
      const p = position(d, line, col);
      assert.ok(p >= 0 && p <= text.length);
      const r = range(d, { line, column_utf16: col, end_line: line, end_column_utf16: Math.floor(next() * 90) });
      assert.ok(r.from >= 0 && r.to <= text.length && r.from <= r.to, JSON.stringify(r));
      if (text.length > r.from) assert.ok(r.to > r.from);
    }
  }
});

test("a finding's UTF-16 columns land on the characters it names, after astral characters", () => {
  const text = "-- 😀 café\nALTER TABLE \"😀\" DROP COLUMN fax;\n";
  const d = doc(text);
  // "ALTER …;" on line 2 spans UTF-16 columns 1..(length+1).
  const stmt = 'ALTER TABLE "😀" DROP COLUMN fax;';
  const r = range(d, { line: 2, column_utf16: 1, end_line: 2, end_column_utf16: stmt.length + 1 });
  assert.equal(text.slice(r.from, r.to), stmt);
});

test("the share link round-trips any text, and damaged links are refused with a reason", async () => {
  const next = rng(3);
  for (let round = 0; round < 100; round++) {
    const state = { mode: next() < 0.5 ? "sql" : "ts", source: randomText(next, 400), policy: randomText(next, 50) };
    const fragment = await encodeState(state);
    assert.match(fragment, /^v1\.[A-Za-z0-9_-]*$/);
    assert.deepEqual(await decodeState(`#${fragment}`), state);
    // Cut short, as a chat client might.
    if (fragment.length > 12) {
      const cut = await decodeState(`#${fragment.slice(0, fragment.length - 6)}`);
      assert.ok(cut instanceof Error || JSON.stringify(cut) !== JSON.stringify(state));
    }
  }
  assert.equal(await decodeState(""), null);
  assert.equal(await decodeState("#section-2"), null);
  for (const bad of ["#v1.", "#v1.%%%", "#v1.AAAA", "#v1.e30"]) {
    const r = await decodeState(bad);
    assert.ok(r instanceof Error, bad);
    assert.match(r.message, /cannot be read/);
  }
});

test("a 500-line migration makes a link of reasonable length", async () => {
  const lines = [];
  for (let i = 0; i < 500; i++) lines.push(`ALTER TABLE t${i % 40} ADD COLUMN c${i} text;`);
  const fragment = await encodeState({ mode: "sql", source: lines.join("\n"), policy: "" });
  // Browsers take far longer URLs; chat tools and issue trackers are happier under ~8 KB.
  assert.ok(fragment.length < 8000, `${fragment.length} characters`);
});
