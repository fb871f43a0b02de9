/**
 * Nothing is lost quietly: when a reader loses more than a small share of a file's lines (bad records, invalid
 * bytes, an unclosed quote that swallows the rest of the file), loading stops with an error naming the first bad
 * line, instead of a confident answer from the few rows that were left. `allowBadRows` accepts the loss (the skipped
 * rows are still counted and named in the load report).
 */
import { DataError } from "../errors.js";
import { skipWarning } from "./report.js";
import type { TableSource } from "./sources/table.js";

/** Above this share of a file's (non-blank) lines lost, loading stops unless bad rows are allowed. */
export const MAX_LOST_SHARE = 0.01;

export function checkLoss(part: TableSource, allowBadRows: boolean): void {
  const lost = part.lost;
  if (!lost || allowBadRows || lost.lines <= MAX_LOST_SHARE * lost.of) return;
  const share = (100 * lost.lines) / lost.of;
  const reasons = part.skipped.list();
  const why = [...reasons.map((s) => skipWarning(s)), ...part.warnings.filter((w) => /never closed/.test(w))].join("; ");
  const utf8 = reasons.some((s) => s.reason.includes("UTF-8"));
  const quote = reasons.some((s) => s.reason.includes("quoting"));
  throw new DataError(
    "BAD_ROWS",
    `${part.file}: ${lost.lines} of ${lost.of} lines (${share < 10 ? share.toFixed(1) : Math.round(share)}%) could not be read${lost.firstLine !== null ? `, the first on line ${lost.firstLine}` : ""}${why ? ` (${why})` : ""}`,
    {
      hint:
        (utf8
          ? "the file is probably not entirely UTF-8: convert it, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv"
          : quote
            ? `fix the quoting${lost.firstLine !== null ? ` on line ${lost.firstLine}` : ""} (a field that opens a quote must close it; a quote inside a quoted field is doubled "")`
            : `fix the file${lost.firstLine !== null ? ` from line ${lost.firstLine}` : ""} (check the delimiter and the number of fields)`) +
        `, or pass --allow-bad-rows to go on without the unreadable lines`,
      details: { file: part.file, row: lost.firstLine, lostLines: lost.lines, lines: lost.of },
    },
  );
}
