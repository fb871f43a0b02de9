/** CSV/TSV through DuckDB's strict reader, with the dialect from sniff.ts and every bad row in a rejects table. */
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import type { Duck } from "../duck.js";
import { ident, lit, rows, num } from "../duck.js";
import { DataError } from "../../errors.js";
import { SkipLog } from "../report.js";
import { sniffCsv } from "./sniff.js";
import { sqlMissingList } from "../values.js";
import { lineMapper, type TableSource } from "./table-source.js";

const REASONS: Record<string, string> = {
  "MISSING COLUMNS": "wrong number of fields",
  "TOO MANY COLUMNS": "wrong number of fields",
  "UNQUOTED VALUE": "bad quoting",
  "UNTERMINATED QUOTE": "bad quoting",
  "INVALID ENCODING": "not valid UTF-8",
  "INVALID UNICODE": "not valid UTF-8",
  "LINE SIZE OVER MAXIMUM": "line too long",
};

export async function readCsv(duck: Duck, file: string, name: string): Promise<TableSource> {
  const d = await sniffCsv(file);
  const raw = `${name}_raw`;
  const columns = "{" + d.names.map((n) => `${lit(n)}: 'VARCHAR'`).join(", ") + "}";
  try {
    await duck.conn.run(
      `CREATE TABLE ${raw} AS SELECT * FROM read_csv(${lit(file)}, header=${d.header}, delim=${lit(d.delimiter)}, quote='"', escape='"',
        auto_detect=false, columns=${columns}, nullstr=[${sqlMissingList()}], strict_mode=true, null_padding=false, max_line_size=67108864,
        store_rejects=true, rejects_table=${lit(name + "_rej")}, rejects_scan=${lit(name + "_scan")})`,
    );
  } catch (e) {
    throw new DataError("CSV_READ", `${file}: cannot read as CSV: ${(e as Error).message.split("\n")[0]}`, {
      hint: "check that the file is a delimited text file (CSV/TSV) in UTF-8",
      details: { file },
      cause: e,
    });
  }
  const kept = num((await rows(duck, `SELECT count(*) AS n FROM ${raw}`))[0]!.n);
  const rej = await rows(
    duck,
    `SELECT line, list(DISTINCT error_type ORDER BY error_type) AS types, first(error_message) AS msg, first(csv_line) AS csv_line
     FROM ${name}_rej GROUP BY line ORDER BY line`,
  );
  const skipped = new SkipLog();
  const rejected: number[] = [];
  for (const r of rej) {
    const line = num(r.line);
    rejected.push(line);
    const types = (r.types as string[]).map((t) => REASONS[t] ?? t.toLowerCase());
    const reason = [...new Set(types)].join(", ");
    skipped.add(reason, `line ${line}: ${String(r.msg ?? "").split("\n")[0]!.slice(0, 80)}`);
  }
  await duck.conn.run(`CREATE VIEW ${name} AS SELECT rowid AS __idx, * FROM ${raw}`);
  const warnings: string[] = [];
  // Lost data in lines, not records: lines of the file that are neither the header nor part of a kept record.
  // Only when the counts disagree is the (one-scan) count of line breaks inside kept fields needed.
  const lines = await countLines(file);
  const headerLines = d.header ? 1 : 0;
  let lostLines = 0;
  if (lines.nonBlank > kept + headerLines) {
    const nl = (c: string) => `coalesce(length(${ident(c)}) - length(replace(${ident(c)}, chr(10), '')), 0)`;
    const inside = d.names.length ? num((await rows(duck, `SELECT coalesce(sum(${d.names.map(nl).join(" + ")}), 0) AS n FROM ${raw}`))[0]!.n) : 0;
    lostLines = Math.max(0, lines.nonBlank - headerLines - kept - inside);
  }
  // An unterminated quote makes the reader take everything up to the next quote as one field: say how much.
  const open = rej.find((r) => /unterminated quote/i.test(String(r.msg)));
  if (open && lostLines > rejected.length) {
    warnings.push(`${file}: line ${num(open.line)} opens a quote that is never closed: ${lostLines - rejected.length} following line(s) were read as part of it and skipped (the file has ${lines.all} lines, ${kept + rejected.length + headerLines} records were read)`);
  }
  if (d.names.some((n, i) => n === `column${i}`) && d.header) warnings.push(`${file}: some header names are empty; named them column<i>`);
  if (!d.header) warnings.push(`${file}: no header row detected (the first row has numbers); columns are named column0, column1, …`);
  return {
    file,
    format: "csv",
    table: name,
    columns: d.names,
    rows: kept,
    rowsRead: kept + rejected.length,
    skipped,
    warnings,
    lineOf: lineMapper(d.header ? 2 : 1, rejected),
    lost: { lines: lostLines, of: Math.max(1, lines.nonBlank - headerLines), firstLine: rejected.length ? Math.min(...rejected.slice(0, 1000)) : null },
  };
}

/** Lines of the file (decompressed for .gz), and those that hold more than white space. */
async function countLines(file: string): Promise<{ all: number; nonBlank: number }> {
  let all = 0;
  let blank = 0;
  let content = false; // the current line has a byte other than space, tab or CR
  const stream = /\.gz$/i.test(file) ? createReadStream(file).pipe(createGunzip()) : createReadStream(file);
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (b === 10) {
        all++;
        if (!content) blank++;
        content = false;
      } else if (b !== 32 && b !== 9 && b !== 13) content = true;
    }
  }
  if (content) all++; // a last line without a trailing newline
  return { all, nonBlank: all - blank };
}
