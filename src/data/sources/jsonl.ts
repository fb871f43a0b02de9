/**
 * JSON Lines: each line is read as one text value (so a bad line is counted with its line number instead of
 * failing the file), then checked with json_valid and its keys extracted in SQL. A .json file holding one array
 * of objects goes through DuckDB's read_json.
 */
import { DataError } from "../../errors.js";
import type { Duck } from "../duck.js";
import { ident, lit, rows, num } from "../duck.js";
import { SkipLog } from "../report.js";
import { lineMapper, type TableSource } from "./table-source.js";
import { sqlNullIfMissing } from "../values.js";
import { normaliseMissing } from "./table-source.js";
import { head } from "./sniff.js";
import { checkTextEncoding } from "./encoding.js";

export async function readJsonl(duck: Duck, file: string, name: string): Promise<TableSource> {
  checkTextEncoding(file, await head(file, 65536));
  const lines = `${name}_lines`;
  // The unit separator (0x1f) cannot appear unescaped in valid JSON, so each line is one field.
  await duck.conn.run(
    `CREATE TABLE ${lines} AS SELECT line FROM read_csv(${lit(file)}, header=false, columns={'line': 'VARCHAR'}, delim='\x1f',
      quote='', escape='', auto_detect=false, strict_mode=false, max_line_size=67108864,
      store_rejects=true, rejects_table=${lit(name + "_rej")}, rejects_scan=${lit(name + "_scan")})`,
  );
  const skipped = new SkipLog();
  const rejected = (await rows(duck, `SELECT line, first(error_type) AS t FROM ${name}_rej GROUP BY line ORDER BY line`)).map((r) => {
    skipped.add(/ENCODING|UNICODE/.test(String(r.t)) ? "not valid UTF-8" : String(r.t).toLowerCase(), `line ${num(r.line)}`);
    return num(r.line);
  });
  const lineOf = lineMapper(1, rejected);
  const total = num((await rows(duck, `SELECT count(*) AS n FROM ${lines}`))[0]!.n);
  await duck.conn.run(
    `CREATE TABLE ${name}_chk AS SELECT rowid AS __idx, line,
       CASE WHEN line IS NULL OR trim(line) = '' THEN 'blank line'
            WHEN NOT json_valid(line) THEN 'invalid JSON'
            WHEN json_type(line::JSON) <> 'OBJECT' THEN 'not a JSON object' END AS bad
     FROM ${lines}`,
  );
  for (const r of await rows(duck, `SELECT bad, count(*) AS n, list(__idx ORDER BY __idx)[1:5] AS ex FROM ${name}_chk WHERE bad IS NOT NULL GROUP BY bad ORDER BY bad`)) {
    const ex = (r.ex as unknown[]).map((i) => `line ${lineOf(num(i))}`);
    skipped.add(String(r.bad), ex[0], 1);
    for (const e of ex.slice(1)) skipped.add(String(r.bad), e, 1);
    const extra = num(r.n) - ex.length;
    if (extra > 0) skipped.add(String(r.bad), undefined, extra);
  }
  const keys = (
    await rows(
      duck,
      `SELECT k FROM (SELECT __idx, unnest(json_keys(line::JSON)) AS k, unnest(range(len(json_keys(line::JSON)))) AS pos FROM ${name}_chk WHERE bad IS NULL)
       GROUP BY k ORDER BY min(__idx), min(pos)`,
    )
  ).map((r) => String(r.k));
  if (keys.length === 0) {
    throw new DataError("JSONL_NO_OBJECTS", `${file}: no valid JSON object lines`, {
      hint: "JSON Lines files hold one JSON object per line, e.g. {\"text\": \"…\", \"label\": \"pos\"}",
      details: { file },
    });
  }
  const paths = "[" + keys.map((k) => lit(`$.${JSON.stringify(k)}`)).join(", ") + "]";
  await duck.conn.run(
    `CREATE TABLE ${name} AS SELECT __idx, ${keys.map((k, i) => `${sqlNullIfMissing(`v[${i + 1}]`)} AS ${ident(k)}`).join(", ")}
     FROM (SELECT __idx, json_extract_string(line, ${paths}) AS v FROM ${name}_chk WHERE bad IS NULL) ORDER BY __idx`,
  );
  const kept = num((await rows(duck, `SELECT count(*) AS n FROM ${name}`))[0]!.n);
  // lost lines: unreadable ones (rejected bytes, invalid JSON, non-objects); a blank line holds no data to lose
  const l = (await rows(duck, `SELECT count(*) FILTER (bad IS NOT NULL AND bad <> 'blank line') AS lost, count(*) FILTER (bad IS DISTINCT FROM 'blank line') AS lines,
    min(__idx) FILTER (bad IS NOT NULL AND bad <> 'blank line') AS first FROM ${name}_chk`))[0]!;
  const firstBad = [...rejected, ...(l.first !== null && l.first !== undefined ? [lineOf(num(l.first))] : [])];
  const lost = { lines: num(l.lost) + rejected.length, of: Math.max(1, num(l.lines) + rejected.length), firstLine: firstBad.length ? Math.min(...firstBad) : null };
  return { file, format: "jsonl", table: name, columns: keys, rows: kept, rowsRead: total + rejected.length, skipped, warnings: [], lineOf, lost };
}

export async function readJsonArray(duck: Duck, file: string, name: string): Promise<TableSource> {
  try {
    await duck.conn.run(`CREATE TABLE ${name}_raw AS SELECT * FROM read_json(${lit(file)}, format='auto')`);
    await normaliseMissing(duck, `${name}_raw`);
  } catch (e) {
    throw new DataError("JSON_READ", `${file}: cannot read JSON: ${(e as Error).message.split("\n")[0]}`, {
      hint: "a .json file must hold an array of objects (or use .jsonl with one object per line)",
      details: { file },
      cause: e,
    });
  }
  const columns = (await rows(duck, `DESCRIBE ${name}_raw`)).map((r) => String(r.column_name));
  const n = num((await rows(duck, `SELECT count(*) AS n FROM ${name}_raw`))[0]!.n);
  await duck.conn.run(`CREATE VIEW ${name} AS SELECT rowid AS __idx, * FROM ${name}_raw`);
  return { file, format: "json", table: name, columns, rows: n, rowsRead: n, skipped: new SkipLog(), warnings: [], lineOf: (i) => i + 1 };
}
