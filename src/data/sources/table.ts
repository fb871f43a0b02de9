/**
 * A tabular source loaded into DuckDB: a table (or view) with `__idx` (the reader's row index) plus the user's
 * columns, and what the reader rejected, with line numbers.
 */
import { extname } from "node:path";
import { DataError } from "../../errors.js";
import type { Duck } from "../duck.js";
import { SkipLog } from "../report.js";
import { checkFile } from "./file.js";
import { readCsv } from "./csv.js";
import { readJsonl, readJsonArray } from "./jsonl.js";
import { readParquet } from "./parquet.js";

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

/** The reader a file's name selects (the cache key includes it: the same bytes read as CSV or as Parquet differ). */
export function tableFormat(file: string): TableSource["format"] | null {
  const ext = extname(file.replace(/\.gz$/i, "")).toLowerCase();
  if (ext === ".parquet" || ext === ".pq") return "parquet";
  if (ext === ".jsonl" || ext === ".ndjson") return "jsonl";
  if (ext === ".json") return "json";
  if ([".csv", ".tsv", ".tab", ".txt", ""].includes(ext)) return "csv";
  return null;
}

export async function readTable(duck: Duck, file: string, name: string): Promise<TableSource> {
  await checkFile(file);
  const format = tableFormat(file);
  if (format === "parquet") return readParquet(duck, file, name);
  if (format === "jsonl") return readJsonl(duck, file, name);
  if (format === "json") return readJsonArray(duck, file, name);
  if (format === "csv") return readCsv(duck, file, name);
  throw new DataError("UNKNOWN_FORMAT", `${file}: unknown file type '${extname(file.replace(/\.gz$/i, ""))}'`, {
    hint: "use .csv, .tsv, .jsonl, .json or .parquet (or a folder of images, or builtin:fashion-mnist)",
    details: { file },
  });
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
