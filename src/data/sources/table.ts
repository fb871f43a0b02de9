/**
 * Reads a tabular file into DuckDB by its extension: only dispatches to the csv, jsonl and parquet readers (what they
 * share, the TableSource they return, is in table-source.ts).
 */
import { extname } from "node:path";
import { DataError } from "../../errors.js";
import type { Duck } from "../duck.js";
import { checkFile } from "./file.js";
import { readCsv } from "./csv.js";
import { readJsonl, readJsonArray } from "./jsonl.js";
import { readParquet } from "./parquet.js";
import type { TableSource } from "./table-source.js";

export type { TableSource } from "./table-source.js";

export async function readTable(duck: Duck, file: string, name: string): Promise<TableSource> {
  await checkFile(file);
  const ext = extname(file.replace(/\.gz$/i, "")).toLowerCase();
  if (ext === ".parquet" || ext === ".pq") return readParquet(duck, file, name);
  if (ext === ".jsonl" || ext === ".ndjson") return readJsonl(duck, file, name);
  if (ext === ".json") return readJsonArray(duck, file, name);
  if ([".csv", ".tsv", ".tab", ".txt", ""].includes(ext)) return readCsv(duck, file, name);
  throw new DataError("UNKNOWN_FORMAT", `${file}: unknown file type '${ext}'`, {
    hint: "use .csv, .tsv, .jsonl, .json or .parquet (or a folder of images, or builtin:fashion-mnist)",
    details: { file },
  });
}
