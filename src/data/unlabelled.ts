/**
 * Unlabelled rows for `enough label-next`: a table with the labelled data's columns (the target column absent or
 * empty), encoded with the labelled data's own encoders so a model trained on the labelled rows reads them as it
 * reads its training rows. A target value in the unlabelled file is refused, not ignored: those rows are labelled
 * already and belong in the labelled file (or the column was named by mistake).
 */
import { DataError, InputError } from "../errors.js";
import type { Tensors } from "../engine/types.js";
import { openDuck, rows as sqlRows } from "./duck.js";
import { encodeRows } from "./encoders/rows.js";
import { readTable } from "./sources/table.js";
import type { Dataset } from "./types.js";

export interface UnlabelledData {
  source: string;
  /** Encoded rows (the labelled data's encoders); y is a placeholder. */
  tensors: Tensors;
  /** The rows as read (column -> value), in file order, for writing the chosen ones back out. */
  records: Record<string, unknown>[];
  /** Column names in file order. */
  columns: string[];
}

/** Reads and encodes `file` for `ds` (tabular or text data). Typed errors name the file, column and row. */
export async function loadUnlabelled(ds: Dataset, file: string): Promise<UnlabelledData> {
  const enc = ds.encoders;
  if (!enc || enc.kind === "image") {
    throw new InputError("UNLABELLED_KIND", `label-next reads tabular and text files; ${ds.source} is ${ds.schema.kind} data`, { hint: "give CSV, JSONL or Parquet files as --data and --labelled" });
  }
  const duck = await openDuck();
  try {
    const table = await readTable(duck, file, "u0");
    const target = ds.schema.target;
    const mine = ds.schema.columns.map((c) => c.name).filter((c) => c !== target);
    const missing = mine.find((c) => !table.columns.includes(c));
    const surplus = table.columns.find((c) => c !== target && !mine.includes(c));
    if (missing !== undefined || surplus !== undefined) {
      const msg = missing !== undefined ? `lacks the column '${missing}' of ${ds.source}` : `has a column '${surplus}' that ${ds.source} does not`;
      throw new DataError("UNLABELLED_SCHEMA", `${file}: ${msg}`, { hint: `the unlabelled rows need the labelled file's columns (the target '${target}' may be left out): ${mine.slice(0, 20).join(", ")}`, details: { file, field: missing ?? surplus } });
    }
    const records = (await sqlRows(duck, `SELECT * EXCLUDE (__idx) FROM ${table.table} ORDER BY __idx`)) as Record<string, unknown>[];
    if (!records.length) throw new DataError("UNLABELLED_EMPTY", `${file} has no rows to choose from`, { hint: "give a file of unlabelled rows (a header and at least one row)", details: { file } });
    if (table.columns.includes(target)) {
      const filled = records.map((r, i) => ({ v: r[target], i })).filter(({ v }) => v !== null && v !== undefined && String(v).trim() !== "");
      if (filled.length) {
        throw new DataError("UNLABELLED_HAS_LABELS", `${file}: ${filled.length} of ${records.length} rows have a value in the target column '${target}' (the first on data row ${filled[0]!.i + 1}: ${JSON.stringify(String(filled[0]!.v)).slice(0, 40)})`, {
          hint: `rows that are labelled belong in the labelled file: move them there, or empty the '${target}' column (or drop it) in ${file}`,
          details: { file, field: target, row: filled[0]!.i + 1 },
        });
      }
    }
    const x = encodeRows(enc, records as never);
    const task = ds.tensors.task;
    const tensors = { ...ds.tensors, ...x, y: task === "classification" ? new Int32Array(x.n) : new Float32Array(x.n) } as Tensors;
    return { source: file, tensors, records, columns: table.columns.filter((c) => c !== "__idx") };
  } finally {
    duck.close();
  }
}
