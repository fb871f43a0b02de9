/** Parquet through DuckDB (typed columns; no rows are rejected by the reader). */
import { DataError } from "../../errors.js";
import type { Duck } from "../duck.js";
import { lit, rows, num } from "../duck.js";
import { SkipLog } from "../report.js";
import { normaliseMissing, type TableSource } from "./table-source.js";
import { open } from "node:fs/promises";

/**
 * A Parquet file starts with the magic bytes PAR1. Checked first so that a text file named .parquet gets a
 * message saying what it is, not DuckDB's "No magic bytes found at end of file".
 */
async function checkParquetMagic(file: string): Promise<void> {
  const fh = await open(file, "r");
  const b = Buffer.alloc(4);
  try {
    await fh.read(b, 0, 4, 0);
  } finally {
    await fh.close();
  }
  if (b.toString("latin1") === "PAR1") return;
  const looksText = [...b].every((x) => x === 9 || x === 10 || x === 13 || (x >= 32 && x < 127));
  throw new DataError("NOT_PARQUET", `${file}: not a Parquet file (it does not start with the bytes PAR1${looksText ? `; it starts like text: '${b.toString("latin1").replace(/\s/g, " ")}…'` : ""})`, {
    hint: looksText ? "rename it to .csv / .tsv / .jsonl to read it as text, or write it again as Parquet" : "the file is not Parquet or is damaged: write it again",
    details: { file },
  });
}

export async function readParquet(duck: Duck, file: string, name: string): Promise<TableSource> {
  await checkParquetMagic(file);
  try {
    await duck.conn.run(`CREATE TABLE ${name}_raw AS SELECT * FROM read_parquet(${lit(file)})`);
    await normaliseMissing(duck, `${name}_raw`);
  } catch (e) {
    throw new DataError("PARQUET_READ", `${file}: cannot read as Parquet: ${(e as Error).message.split("\n")[0]}`, {
      hint: "the file may be truncated or not a Parquet file",
      details: { file },
      cause: e,
    });
  }
  const columns = (await rows(duck, `DESCRIBE ${name}_raw`)).map((r) => String(r.column_name));
  const n = num((await rows(duck, `SELECT count(*) AS n FROM ${name}_raw`))[0]!.n);
  await duck.conn.run(`CREATE VIEW ${name} AS SELECT rowid AS __idx, * FROM ${name}_raw`);
  // Parquet has no lines: report the 1-based row number.
  return { file, format: "parquet", table: name, columns, rows: n, rowsRead: n, skipped: new SkipLog(), warnings: [], lineOf: (i) => i + 1 };
}
