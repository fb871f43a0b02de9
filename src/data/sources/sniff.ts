/**
 * CSV dialect detection on the first 64 KB: delimiter, header, column names. Done here rather than with DuckDB's
 * sniffer because that one gives up on a file with one non-UTF-8 byte in the sample, and silently turns quoting
 * off when it meets a stray quote (so bad quoting would never be reported). With the dialect fixed, DuckDB's
 * reader runs strictly and sends each bad row to its rejects table.
 */
import { open } from "node:fs/promises";
import { createReadStream } from "node:fs";
import { createGunzip } from "node:zlib";
import { extname } from "node:path";
import { DataError } from "../../errors.js";
import { toNumber } from "../values.js";
import { checkTextEncoding } from "./encoding.js";

export interface CsvDialect {
  delimiter: string;
  header: boolean;
  names: string[];
  bom: boolean;
}

const CANDIDATES = [",", "\t", ";", "|"];

export async function sniffCsv(file: string): Promise<CsvDialect> {
  const buf = await head(file, 65536);
  checkTextEncoding(file, buf);
  const bom = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf;
  let text = buf.subarray(bom ? 3 : 0).toString("utf8");
  // The sample may end mid-record: drop the last partial line.
  if (buf.length === 65536) text = text.slice(0, Math.max(text.lastIndexOf("\n"), 0));
  const ext = extname(file.replace(/\.gz$/i, "")).toLowerCase();
  let delimiter = ext === ".tsv" || ext === ".tab" ? "\t" : "";
  if (!delimiter) {
    let best = { d: ",", score: -1, width: 1 };
    for (const d of CANDIDATES) {
      const recs = parseRecords(text, d, 50);
      if (recs.length === 0) continue;
      const counts = new Map<number, number>();
      for (const r of recs) counts.set(r.length, (counts.get(r.length) ?? 0) + 1);
      const [mode, freq] = [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0])[0]!;
      if (mode < 2) continue;
      const score = freq / recs.length;
      if (score > best.score + 1e-9 || (Math.abs(score - best.score) < 1e-9 && mode > best.width)) best = { d, score, width: mode };
    }
    delimiter = best.d;
  }
  const first = parseRecords(text, delimiter, 1)[0] ?? [];
  const header = first.length > 0 && first.some((f) => f.trim() !== "") && first.every((f) => f.trim() === "" || Number.isNaN(toNumber(f)));
  const names = header ? first.map((f, i) => f.trim() || `column${i}`) : first.map((_, i) => `column${i}`);
  const seen = new Map<string, number>();
  names.forEach((n, i) => {
    const prev = seen.get(n);
    if (prev !== undefined) {
      throw new DataError("DUPLICATE_COLUMN", `${file}: duplicate column name '${n}' (columns ${prev + 1} and ${i + 1} of the header)`, {
        hint: "rename one of them in the header row so every column has its own name",
        details: { file, row: 1, field: n },
      });
    }
    seen.set(n, i);
  });
  return { delimiter, header, names, bom };
}

/** The first `size` bytes (decompressed for .gz files, which DuckDB reads directly). */
export async function head(file: string, size: number): Promise<Buffer> {
  if (/\.gz$/i.test(file)) {
    const chunks: Buffer[] = [];
    let got = 0;
    const stream = createReadStream(file).pipe(createGunzip());
    try {
      for await (const c of stream as AsyncIterable<Buffer>) {
        chunks.push(c);
        got += c.length;
        if (got >= size) break;
      }
    } catch {
      /* a truncated archive: DuckDB's reader reports it */
    }
    stream.destroy();
    return Buffer.concat(chunks).subarray(0, size);
  }
  const fh = await open(file, "r");
  try {
    const b = Buffer.alloc(size);
    const { bytesRead } = await fh.read(b, 0, b.length, 0);
    return b.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** A small RFC 4180 record parser (quotes, doubled quotes, CRLF) for the sample only. */
export function parseRecords(text: string, delim: string, max: number): string[][] {
  const out: string[][] = [];
  let rec: string[] = [];
  let field = "";
  let inQuotes = false;
  let i = 0;
  const n = text.length;
  while (i < n && out.length < max) {
    const c = text[i]!;
    if (inQuotes) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
      } else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === "") inQuotes = true;
    else if (c === delim) {
      rec.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      rec.push(field);
      if (!(rec.length === 1 && rec[0] === "")) out.push(rec);
      rec = [];
      field = "";
    } else field += c;
    i++;
  }
  if (out.length < max && (field !== "" || rec.length > 0)) {
    rec.push(field);
    out.push(rec);
  }
  return out;
}
