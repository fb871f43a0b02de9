/**
 * What counts as missing, a number or a category: one definition shared by the SQL that encodes a whole file
 * and the JavaScript that encodes prediction-time rows, so both give the same tensors.
 *
 * Missing tokens are turned into NULL once, by the reader (DuckDB's CSV `nullstr`, or a CASE when a JSON/Parquet
 * table is created): testing every value against a token list in later queries cost ~0.3 µs per value, i.e.
 * seconds per pass over a 50M-value file.
 */

/** Tokens read as missing (pandas' defaults, minus the exotic ones), in the case variants files use. */
export const MISSING_TOKENS: string[] = (() => {
  const base = ["", "na", "n/a", "#n/a", "nan", "-nan", "null", "none", "<na>", "?"];
  const out = new Set<string>();
  for (const t of base) {
    out.add(t);
    out.add(t.toUpperCase());
    out.add(t.charAt(0).toUpperCase() + t.slice(1));
  }
  out.add("N/a");
  out.add("#N/a");
  return [...out];
})();
const MISSING = new Set(MISSING_TOKENS);

const NUMBER_RE = /^[+-]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

export function isMissing(v: unknown): boolean {
  if (v === null || v === undefined) return true;
  if (typeof v === "number") return !Number.isFinite(v);
  return MISSING.has(String(v));
}

/** A finite number, or NaN for missing / not a number (what DuckDB's TRY_CAST(v AS DOUBLE) accepts). */
export function toNumber(v: unknown): number {
  if (typeof v === "number") return Number.isFinite(v) ? v : NaN;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (isMissing(v)) return NaN;
  const s = String(v).trim();
  return NUMBER_RE.test(s) ? Number(s.replace(/_/g, "")) : NaN;
}

/** The category string (as written), or null for missing. */
export function toCategory(v: unknown): string | null {
  if (isMissing(v)) return null;
  return String(v);
}

export function sqlMissingList(): string {
  return MISSING_TOKENS.map((t) => `'${t.replace(/'/g, "''")}'`).join(", ");
}

/** SQL that maps missing tokens of a text value to NULL (for JSON/Parquet tables; CSV uses nullstr). */
export function sqlNullIfMissing(expr: string): string {
  return `CASE WHEN ${expr} IN (${sqlMissingList()}) THEN NULL ELSE ${expr} END`;
}

/** DuckDB macros used on tables whose missing values are already NULL. */
export function duckMacros(): string[] {
  return [
    `CREATE OR REPLACE MACRO en_str(v) AS CAST(v AS VARCHAR)`,
    `CREATE OR REPLACE MACRO en_missing(v) AS (v IS NULL)`,
    // TRY_CAST of text gives NULL for 'inf'/'nan'; non-finite doubles from typed (Parquet) columns are turned
    // into missing values in JS. (A CASE on isfinite here would evaluate the cast twice: macros inline.)
    `CREATE OR REPLACE MACRO en_num(v) AS TRY_CAST(v AS DOUBLE)`,
    `CREATE OR REPLACE MACRO en_cat(v) AS CAST(v AS VARCHAR)`,
  ];
}
