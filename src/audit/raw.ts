/**
 * The source's raw cells, as strings, for the checks that must see values before encoding (missing tokens, mixed
 * types, category spellings, PII). Reads through the data layer's own DuckDB readers, so rows are the same records
 * the Dataset was built from, and maps each Dataset row back to its source row id.
 */
import { openDuck, ident, readColumns, type ColumnSpec } from "../data/duck.js";
import { readTable } from "../data/sources/table.js";
import type { Dataset } from "../data/index.js";

export interface RawTable {
  file: string;
  columns: string[];
  /** values[c][r]: the cell as read (null = missing token). */
  values: (string | null)[][];
  rows: number;
  /** Source row id of each Dataset row (length dataset n). */
  rowIdOfDatasetRow: Int32Array;
  /** Dataset row of each source row, -1 when the Dataset skipped it (e.g. missing target). */
  datasetRowOf: Int32Array;
  warnings: string[];
}

/** Reads a tabular/text source's cells; null for image folders and built-ins. */
export async function readRaw(ds: Dataset): Promise<RawTable | null> {
  if (ds.schema.kind === "image" || ds.source.startsWith("builtin:")) return null;
  const duck = await openDuck();
  try {
    const t = await readTable(duck, ds.source, "s0");
    const cols = t.columns;
    const target = ds.schema.target;
    // The same keep rule as the data layer (tabular.ts): a row needs its target (a number for regression) and,
    // for text data, its text.
    const conds = [`NOT en_missing(${ident(target)})`];
    if (ds.schema.task === "regression") conds.push(`en_num(${ident(target)}) IS NOT NULL`);
    const text = ds.schema.kind === "text" ? ds.schema.columns.find((c) => c.kind === "text" && c.role === "feature") : undefined;
    if (text) conds.push(`NOT en_missing(${ident(text.name)})`);
    const exprs: { sql: string; spec: ColumnSpec }[] = [{ sql: `CASE WHEN ${conds.join(" AND ")} THEN 1 ELSE 0 END`, spec: "i32" }, ...cols.map((c) => ({ sql: ident(c), spec: "str" as const }))];
    const got = await readColumns(duck, exprs, `${t.table} ORDER BY __idx`, t.rows);
    const keep = got.columns[0] as Int32Array;
    const n = got.n;
    const datasetRowOf = new Int32Array(n).fill(-1);
    const warnings: string[] = [];
    let k = 0;
    for (let r = 0; r < n; r++) if (keep[r] === 1) datasetRowOf[r] = k++;
    let rowIdOfDatasetRow: Int32Array;
    if (k === ds.tensors.n) {
      rowIdOfDatasetRow = new Int32Array(k);
      for (let r = 0; r < n; r++) if (datasetRowOf[r]! >= 0) rowIdOfDatasetRow[datasetRowOf[r]!] = r;
    } else {
      // Should not happen; keep going with positions rather than mislabel rows silently.
      warnings.push(`could not map the ${ds.tensors.n} encoded rows onto the ${n} source rows (${k} kept here); row ids of model-based checks are encoded-row positions`);
      rowIdOfDatasetRow = Int32Array.from({ length: ds.tensors.n }, (_, i) => i);
      datasetRowOf.fill(-1);
      for (let i = 0; i < Math.min(n, ds.tensors.n); i++) datasetRowOf[i] = i;
    }
    return { file: t.file, columns: cols, values: got.columns.slice(1) as (string | null)[][], rows: n, rowIdOfDatasetRow, datasetRowOf, warnings: [...t.warnings, ...warnings] };
  } finally {
    duck.close();
  }
}
