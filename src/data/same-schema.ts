/**
 * A second table read against a loaded dataset's schema: an `--extra` set, or unlabelled rows (`--unlabeled`,
 * `label-next --data`). One reader for all of them, so they agree on what "the same columns" means: every column
 * the caller requires must be there, and a column the labelled file does not have is refused (a renamed or
 * misspelled column would otherwise be dropped quietly). Rows come in file order; rows the file reader rejected
 * (malformed CSV lines) are returned as a skip list, never lost.
 */
import { DataError } from "../errors.js";
import { ident, openDuck, rows as sqlRows } from "./duck.js";
import { readTable } from "./sources/table.js";
import type { Dataset, LoadReport } from "./types.js";

export interface SameSchemaTable {
  /** The rows as read (column -> value), in file order; the target column is left out when `target` is "ignore". */
  records: Record<string, unknown>[];
  /** The file's columns in file order. */
  columns: string[];
  /** "ignore": how many rows have a value in the target column (the values themselves are never read). */
  targetValues: number;
  /** Rows the file reader rejected, with examples (line numbers). */
  skipped: LoadReport["skipped"];
  warnings: string[];
}

/**
 * Reads `file` as a table with `ds`'s columns. `required`: the columns that must be present (the first one missing
 * is named); `target`: "read" (its values come with the rows), "ignore" (absent, empty or filled: counted, not
 * read), or "refuse" (absent or empty only; a filled cell is UNLABELLED_HAS_LABELS, naming its row).
 */
export async function readSameSchema(
  ds: Dataset,
  file: string,
  o: { code: string; required: string[]; target: "read" | "ignore" | "refuse"; hint: string },
): Promise<SameSchemaTable> {
  const known = ds.schema.columns.map((c) => c.name);
  const target = ds.schema.target;
  const duck = await openDuck();
  try {
    const table = await readTable(duck, file, "s0");
    const missing = o.required.find((c) => !table.columns.includes(c));
    const surplus = table.columns.find((c) => !known.includes(c));
    if (missing !== undefined || surplus !== undefined) {
      const msg = missing !== undefined ? `lacks the column '${missing}' of ${ds.source}` : `has a column '${surplus}' that ${ds.source} does not`;
      throw new DataError(o.code, `${file}: ${msg}`, { hint: `${o.hint}: ${o.required.slice(0, 20).join(", ")}`, details: { file, field: missing ?? surplus } });
    }
    const hasTarget = table.columns.includes(target);
    // "ignore": the target's cells are counted in SQL and left out of the rows, so no label reaches JavaScript.
    const drop = o.target === "ignore" && hasTarget ? `, ${ident(target)}` : "";
    const records = (await sqlRows(duck, `SELECT * EXCLUDE (__idx${drop}) FROM ${table.table} ORDER BY __idx`)) as Record<string, unknown>[];
    let targetValues = 0;
    if (hasTarget && o.target === "ignore") {
      const [c] = await sqlRows(duck, `SELECT count(*) AS n FROM ${table.table} WHERE trim(CAST(${ident(target)} AS VARCHAR)) <> ''`);
      targetValues = Number(c!.n);
    }
    if (hasTarget && o.target === "refuse") {
      const filled = records.map((r, i) => ({ v: r[target], i })).filter(({ v }) => v !== null && v !== undefined && String(v).trim() !== "");
      if (filled.length) {
        throw new DataError("UNLABELLED_HAS_LABELS", `${file}: ${filled.length} of ${records.length} rows have a value in the target column '${target}' (the first on data row ${filled[0]!.i + 1}: ${JSON.stringify(String(filled[0]!.v)).slice(0, 40)})`, {
          hint: `rows that are labelled belong in the labelled file: move them there, or empty the '${target}' column (or drop it) in ${file}`,
          details: { file, field: target, row: filled[0]!.i + 1 },
        });
      }
    }
    return { records, columns: table.columns.filter((c) => c !== "__idx"), targetValues, skipped: table.skipped.list(), warnings: table.warnings };
  } finally {
    duck.close();
  }
}

/** The columns a dataset's encoders read (tabular features, or the text column): what a second table must have. */
export function encodedColumns(ds: Dataset): string[] {
  const enc = ds.encoders;
  if (!enc || enc.kind === "image") return [];
  return enc.kind === "text" ? [enc.text.column] : enc.features.map((f) => f.column);
}
