// From tollgate's findings to CodeMirror ranges. CodeMirror positions are offsets in UTF-16 code
// units, and tollgate gives every finding 1-based lines and 1-based UTF-16 columns for exactly
// this, so no offset arithmetic on the UTF-8 side is needed.

/** `doc` is anything with `lines` and `line(n) -> { from, to }` (a CodeMirror `Text`). */
export function position(doc, line, columnUtf16) {
  if (doc.lines === 0) return 0;
  const n = Math.min(Math.max(line, 1), doc.lines);
  const l = doc.line(n);
  return Math.min(l.from + Math.max(columnUtf16, 1) - 1, l.to);
}

/** `{ from, to }` of a finding or statement, never empty, so it can be underlined and hovered. */
export function range(doc, item) {
  const from = position(doc, item.line, item.column_utf16 ?? item.column);
  let to = position(doc, item.end_line ?? item.line, item.end_column_utf16 ?? item.end_column ?? item.column);
  if (to <= from) {
    // An empty or inverted range: mark the rest of the line, or one character.
    const l = doc.line(Math.min(Math.max(item.line, 1), Math.max(doc.lines, 1)));
    to = l.to > from ? l.to : Math.min(from + 1, doc.length);
  }
  return { from, to };
}

export const SEVERITY = { error: "error", warning: "warning", info: "info" };

/**
 * A function from UTF-8 byte offsets in `text` (what `start`/`end` of statements are) to UTF-16
 * offsets (what CodeMirror uses). Built once per lint: one pass over the text.
 */
export function byteOffsets(text) {
  const bytes = [];
  const units = [];
  let b = 0;
  let u = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0);
    if (cp >= 0x80) {
      bytes.push(b);
      units.push(u);
    }
    b += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    u += cp < 0x10000 ? 1 : 2;
  }
  bytes.push(b);
  units.push(u);
  return (offset) => {
    // The last non-ASCII character at or before `offset`; ASCII after it maps one to one.
    let lo = 0;
    let hi = bytes.length - 1;
    if (offset >= bytes[hi]) return units[hi] + (offset - bytes[hi]);
    let best = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bytes[mid] <= offset) {
        best = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    if (best < 0) return offset;
    // Inside or right after the multi-byte character at bytes[best].
    const cp = text.codePointAt(units[best]);
    const len = cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    if (offset < bytes[best] + len) return units[best];
    return units[best] + (cp < 0x10000 ? 1 : 2) + (offset - bytes[best] - len);
  };
}
