/**
 * A small CSV parser for learning-curve files (text in, rows out; the CLI does the reading). Handles a UTF-8 BOM,
 * CRLF, quoted fields with "" escapes, surrounding whitespace, blank lines and '#' comment lines.
 */
import { InputError } from "../errors.js";
import type { CurvePoint } from "./types.js";

export interface CsvTable {
  header: string[];
  /** Each row with the 1-based line number it came from. */
  rows: { line: number; fields: string[] }[];
}

export function parseCsv(text: string, file = "<input>"): CsvTable {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const records: { line: number; fields: string[] }[] = [];
  let fields: string[] = [];
  let field = "";
  let inQuotes = false;
  let quoted = false;
  let line = 1;
  let startLine = 1;
  const endField = (): void => {
    fields.push(quoted ? field : field.trim());
    field = "";
    quoted = false;
  };
  const endRecord = (): void => {
    endField();
    const blank = fields.length === 1 && fields[0] === "";
    const comment = !blank && fields[0]!.startsWith("#");
    if (!blank && !comment) records.push({ line: startLine, fields });
    fields = [];
  };
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (src[i + 1] === '"') {
          field += '"';
          i++;
        } else inQuotes = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
      continue;
    }
    if (ch === '"' && field.trim() === "") {
      inQuotes = true;
      quoted = true;
      field = "";
    } else if (ch === ",") endField();
    else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && src[i + 1] === "\n") i++;
      endRecord();
      line++;
      startLine = line;
    } else if (!(quoted && /\s/.test(ch))) field += ch;
  }
  if (inQuotes) throw new InputError("CSV_UNCLOSED_QUOTE", `${file}: line ${startLine}: a quoted field is not closed`, { hint: "close the quote or remove it" });
  if (field !== "" || fields.length > 0) endRecord();
  if (records.length === 0) throw new InputError("CSV_EMPTY", `${file}: the file is empty`, { hint: "the file needs a header line n,score[,seed] and one line per run" });
  const header = records[0]!.fields.map((h) => h.trim());
  return { header, rows: records.slice(1) };
}

/**
 * Reads (n, score[, seed]) points from CSV text. The score column is `score`, or else a column named like the
 * metric (e.g. `accuracy`). Errors name the file, line and field at fault.
 */
export function curvePointsFromCsv(text: string, file = "<input>", opts: { metric?: string } = {}): CurvePoint[] {
  const { header, rows } = parseCsv(text, file);
  const lower = header.map((h) => h.toLowerCase());
  const find = (...names: string[]): number => lower.findIndex((h) => names.includes(h));
  const iN = find("n", "size", "train_size", "samples");
  const metricName = opts.metric?.toLowerCase();
  let iS = find("score");
  if (iS < 0 && metricName) iS = find(metricName);
  const iSeed = find("seed");
  const missing = [iN < 0 ? "n" : "", iS < 0 ? "score" : ""].filter(Boolean);
  if (missing.length > 0) {
    throw new InputError("CSV_MISSING_COLUMN", `${file}: missing column${missing.length > 1 ? "s" : ""} ${missing.join(", ")} (header: ${header.join(",") || "(empty)"})`, {
      hint: "the header must name the columns n and score (optionally seed), e.g. n,score,seed",
    });
  }
  if (rows.length === 0) throw new InputError("CSV_NO_ROWS", `${file}: the file has a header but no data rows`, { hint: "add one line per run: n,score[,seed]" });
  const num = (row: { line: number; fields: string[] }, idx: number, name: string): number => {
    const raw = row.fields[idx];
    if (raw === undefined || raw === "") {
      throw new InputError("CSV_MISSING_VALUE", `${file}: line ${row.line}: field "${name}" is empty`, { hint: "every row needs a number in n and score" });
    }
    const v = Number(raw);
    if (!Number.isFinite(v)) {
      throw new InputError("CSV_NOT_NUMERIC", `${file}: line ${row.line}: field "${name}" is not a number: "${raw}"`, { hint: "use plain decimal numbers (e.g. 1024, 0.913)" });
    }
    return v;
  };
  return rows.map((row) => {
    const n = num(row, iN, header[iN]!);
    if (!(n > 0)) throw new InputError("CSV_BAD_N", `${file}: line ${row.line}: field "${header[iN]}" must be a positive size, got ${n}`);
    const score = num(row, iS, header[iS]!);
    const p: CurvePoint = { n, score };
    if (iSeed >= 0) {
      const s = row.fields[iSeed];
      if (s !== undefined && s !== "") p.seed = /^-?\d+$/.test(s) ? Number(s) : s;
    }
    return p;
  });
}
