/**
 * Text sources (CSV/TSV, JSONL) must be UTF-8. The file's first bytes say early and plainly when they are not:
 * without this, a UTF-16 file reaches DuckDB's SQL layer and the user sees "Parser Error: unterminated quoted
 * string", and a file holding only a byte-order mark reads as "syntax error at or near }".
 */
import { DataError } from "../../errors.js";

const CONVERT = (from: string, file: string) => `convert it to UTF-8, e.g. iconv -f ${from} -t utf-8 '${file}' > converted.csv`;

/** Throws a DataError naming the encoding problem of a text file from its first bytes (`sample`), else returns. */
export function checkTextEncoding(file: string, sample: Buffer): void {
  const details = { file };
  const utf16 =
    sample[0] === 0xff && sample[1] === 0xfe ? "UTF-16LE" : sample[0] === 0xfe && sample[1] === 0xff ? "UTF-16BE" : nulShare(sample) > 0.1 ? "UTF-16 or UTF-32" : null;
  if (utf16) {
    throw new DataError("ENCODING", `${file}: the file is ${utf16}${utf16.includes(" or ") ? " (it is full of zero bytes)" : " (it starts with that byte-order mark)"}, not UTF-8`, {
      hint: CONVERT(utf16.startsWith("UTF-16LE") || utf16.includes(" or ") ? "utf-16" : "utf-16be", file),
      details: { ...details, encoding: utf16 },
    });
  }
  const bom = sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf;
  const body = sample.subarray(bom ? 3 : 0);
  if (body.toString("latin1").trim() === "") {
    throw new DataError("EMPTY_FILE", `${file}: the file holds ${bom ? "only a UTF-8 byte-order mark" : "only white space"}, no header and no rows`, {
      hint: "the file has no data: check that it was written completely",
      details,
    });
  }
  // Invalid UTF-8 on most lines of the sample: the whole file is in another encoding (a few bad lines are left to
  // the reader, which skips and counts them).
  const lines = splitLines(trimPartialChar(body));
  let bad = 0;
  let first = -1;
  lines.forEach((l, i) => {
    if (!isUtf8(l)) {
      bad++;
      if (first < 0) first = i;
    }
  });
  if (lines.length >= 2 && bad > 0.5 * lines.length) {
    throw new DataError("ENCODING", `${file}: not UTF-8: ${bad} of the first ${lines.length} lines hold invalid UTF-8 bytes (first on line ${first + 1}); it is probably Latin-1 or Windows-1252`, {
      hint: CONVERT("latin1", file),
      details: { ...details, row: first + 1, encoding: "not UTF-8" },
    });
  }
}

function nulShare(b: Buffer): number {
  if (b.length === 0) return 0;
  let n = 0;
  for (const x of b) if (x === 0) n++;
  return n / b.length;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
function isUtf8(b: Buffer): boolean {
  try {
    decoder.decode(b);
    return true;
  } catch {
    return false;
  }
}

function splitLines(b: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = b.indexOf(10); i >= 0; i = b.indexOf(10, i + 1)) {
    out.push(b.subarray(start, i));
    start = i + 1;
  }
  if (start < b.length) out.push(b.subarray(start));
  return out;
}

/** A sample cut at a fixed size may end inside a multi-byte character: drop that last, incomplete one. */
function trimPartialChar(b: Buffer): Buffer {
  let i = b.length - 1;
  let back = 0;
  while (i >= 0 && back < 4 && (b[i]! & 0xc0) === 0x80) {
    i--;
    back++;
  }
  if (i < 0 || b[i]! < 0xc0) return b;
  const need = b[i]! >= 0xf0 ? 4 : b[i]! >= 0xe0 ? 3 : 2;
  return back + 1 < need ? b.subarray(0, i) : b;
}
