// The JS half of tollgate-wasm's arguments and results (inlined into the bindings by
// wasm-bindgen). Arguments are checked and flattened here, so the module needs no converter
// for JS values; results come back as JSON bytes for JSON.parse.
export function tollgate_error(message) {
  return new Error(message);
}

const utf8 = new TextDecoder();
export function tollgate_json(bytes) {
  return JSON.parse(utf8.decode(bytes));
}

function describe(v) {
  return v === null ? "null" : Array.isArray(v) ? "an array" : typeof v;
}

// The string fields `keys` (comma-separated) of an options object, in that order; a missing
// field (or options left out) is undefined.
export function tollgate_options(options, what, keys) {
  const names = keys.split(",");
  if (options === undefined || options === null) return names.map(() => undefined);
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new Error(`${what}: expected an object { ${names.join(", ")} }, got ${describe(options)}`);
  }
  return names.map((k) => {
    const v = options[k];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new Error(`${what}: \`${k}\` must be a string, got ${describe(v)}`);
    return v;
  });
}

// [path, source, path, source, ...] from an array of { path, source }.
export function tollgate_files(files) {
  if (!Array.isArray(files)) {
    throw new Error(`lintFiles: expected an array of { path, source }, got ${describe(files)}`);
  }
  const flat = [];
  files.forEach((f, i) => {
    if (f === null || typeof f !== "object" || typeof f.path !== "string" || typeof f.source !== "string") {
      throw new Error(`lintFiles: element ${i} must be { path: string, source: string }, got ${describe(f)}`);
    }
    flat.push(f.path, f.source);
  });
  return flat;
}
