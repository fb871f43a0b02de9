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
