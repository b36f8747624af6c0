// Types of @tollgate/wasm. Field names are the JSON report's (docs/json-report.md).

export type Severity = "error" | "warning" | "info";
export type Class = "additive" | "risky" | "destructive" | "unknown";
export type MigrationClass = Class | "empty";

export interface LintOptions {
  /** Decides how the source is read: `.sql` in any layout, or a MikroORM/TypeORM `.ts`/`.js` class. */
  path: string;
  /** The text of a `tollgate.toml`, laid over the defaults exactly as the CLI does. */
  policy?: string;
}

export interface Finding {
  rule: string;
  severity: Severity;
  class: Class | null;
  message: string;
  help: string;
  path: string;
  /** 1-based. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  end_line: number;
  end_column: number;
  /** 1-based, in UTF-16 code units: what editors (VS Code, Monaco, CodeMirror) use. */
  column_utf16: number;
  end_column_utf16: number;
  /** Byte offsets in the source. */
  start: number;
  end: number;
  migration: string | null;
  direction: "up" | "down";
  doc_url: string;
}

export interface Statement {
  path: string;
  line: number;
  column: number;
  end_line: number;
  end_column: number;
  start: number;
  end: number;
  kind: string;
  class: Class;
  parsed: boolean;
  direction: "up" | "down";
}

export interface Migration {
  id: string;
  up: { path: string };
  down: { path: string } | null;
  class: MigrationClass;
  down_class: MigrationClass | null;
  transaction: "transactional" | "non_transactional" | "unknown";
  needs_review: boolean;
  statements: Statement[];
}

export interface Summary {
  errors: number;
  warnings: number;
  infos: number;
  migrations: number;
  destructive_migrations: number;
  risky_migrations: number;
  unknown_migrations: number;
  unparsed_statements: number;
  suppressed: number;
  needs_review: number;
  failed: boolean;
}

export interface Report {
  version: number;
  tool: { name: string; version: string };
  migrations: Migration[];
  findings: Finding[];
  summary: Summary;
  notices: string[];
}

export interface Classified {
  class: MigrationClass;
  statements: Statement[];
}

export interface RuleInfo {
  id: string;
  class: Class | null;
  /** Under the given policy (or the defaults). */
  severity: "error" | "warning" | "info" | "off";
  description: string;
  doc_url: string;
}

/** Lints one migration file. Throws an `Error` (never panics) for a missing path or a broken policy. */
export function lint(source: string, options: LintOptions): Report;
export interface SourceFile {
  /** Decides how the file is read, and which history it belongs to (its directory). */
  path: string;
  source: string;
}

/**
 * Lints several files as one project, as `tollgate check` reads them from disk: an `.up.sql`
 * with its `.down.sql`, each directory's history in its tool's order. Throws an `Error` for a
 * file without a path, a path given twice, or a broken policy.
 */
export function lintFiles(files: SourceFile[], options?: { policy?: string }): Report;
/** The statements of a piece of SQL with their classes. */
export function classify(sql: string): Classified;
/** Every rule, with its severity under `policy` (a `tollgate.toml` text) or the defaults. */
export function rules(policy?: string): RuleInfo[];
export function version(): string;

/** Web build only: fetches and instantiates the `.wasm` (call once before the functions). */
export default function init(input?: RequestInfo | URL | Response | BufferSource | WebAssembly.Module): Promise<unknown>;
