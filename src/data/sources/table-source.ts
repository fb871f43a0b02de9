/**
 * What every tabular reader (csv, jsonl, parquet) shares: the TableSource they return, the record-number mapping
 * after rejected records, and NULLs for missing tokens. Its own file so that the readers depend on it and table.ts
 * only dispatches to them (no circle between table.ts and the readers).
 */
import type { Duck } from "../duck.js";
import { ident, rows } from "../duck.js";
import type { SkipLog } from "../report.js";
import { sqlNullIfMissing } from "../values.js";

export interface TableSource {
  file: string;
  format: "csv" | "jsonl" | "json" | "parquet";
  /** DuckDB relation with __idx and the user's columns. */
  table: string;
  columns: string[];
  /** Rows in `table`. */
  rows: number;
  /** Records the reader saw, including rejected ones. */
  rowsRead: number;
  skipped: SkipLog;
  warnings: string[];
  /** The file's line (record) number of table row __idx, counting a header as line 1. */
  lineOf(idx: number): number;
  /**
   * Data lost by the reader, counted in lines of the file (not records: one unclosed quote is one bad record that
   * can swallow most of the file). Absent for formats without lines (Parquet, a JSON array).
   */
  lost?: { lines: number; of: number; firstLine: number | null };
}

/** Missing tokens in text columns become NULL, as the CSV reader does (see values.ts). */
export async function normaliseMissing(duck: Duck, table: string): Promise<void> {
  const text = (await rows(duck, `DESCRIBE ${table}`)).filter((r) => String(r.column_type) === "VARCHAR").map((r) => String(r.column_name));
  for (const c of text) await duck.conn.run(`UPDATE ${table} SET ${ident(c)} = ${sqlNullIfMissing(ident(c))}`);
}

/**
 * Maps a reader row index to its record number when some records were rejected: the kept rows fill the record
 * numbers that are not in `rejected`, in order.
 */
export function lineMapper(firstLine: number, rejected: number[]): (idx: number) => number {
  const R = Float64Array.from(new Set(rejected)).sort();
  const countLE = (x: number) => {
    let lo = 0;
    let hi = R.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (R[mid]! <= x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return (idx: number) => {
    let r = firstLine + idx;
    for (;;) {
      const next = firstLine + idx + countLE(r);
      if (next === r) return r;
      r = next;
    }
  };
}
