/** Parquet through DuckDB (typed columns; no rows are rejected by the reader). */
import { DataError } from "../../errors.js";
import type { Duck } from "../duck.js";
import { lit, rows, num } from "../duck.js";
import { SkipLog } from "../report.js";
import { normaliseMissing, type TableSource } from "./table-source.js";

export async function readParquet(duck: Duck, file: string, name: string): Promise<TableSource> {
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
