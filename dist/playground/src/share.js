// The share link: the playground's state (mode, migration text, policy text) in the URL
// fragment, so a link reproduces what its author saw and no server ever sees the text.
//
// Format: `#v1.<base64url of the deflate-raw of the UTF-8 JSON>`. Compression keeps a
// 500-line migration well under the URL lengths browsers and chat tools accept.

const PREFIX = "v1.";

function toBase64Url(bytes) {
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

function fromBase64Url(text) {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error("not base64url");
  const b64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

async function pipe(bytes, stream) {
  const out = new Blob([bytes]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(out).arrayBuffer());
}

/** The fragment (without `#`) for a state `{ mode, source, policy }`. */
export async function encodeState(state) {
  const json = JSON.stringify({ m: state.mode, s: state.source, p: state.policy });
  const packed = await pipe(new TextEncoder().encode(json), new CompressionStream("deflate-raw"));
  return PREFIX + toBase64Url(packed);
}

/**
 * The state a fragment holds, `null` when there is none, or an `Error` whose message says why a
 * fragment that looks like a share link cannot be read (truncated when pasted, edited by hand).
 */
export async function decodeState(fragment) {
  const text = fragment.replace(/^#/, "");
  if (!text.startsWith(PREFIX)) return null;
  try {
    const bytes = await pipe(fromBase64Url(text.slice(PREFIX.length)), new DecompressionStream("deflate-raw"));
    const value = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(bytes));
    if (typeof value !== "object" || value === null) throw new Error("not an object");
    const mode = value.m === "ts" ? "ts" : "sql";
    if (typeof value.s !== "string" || typeof value.p !== "string") throw new Error("fields missing");
    return { mode, source: value.s, policy: value.p };
  } catch (e) {
    return new Error(`the share link cannot be read (${e.message}); was it cut short when it was copied?`);
  }
}
