/**
 * What fitted encoders cannot represent as read, counted per column for rows encoded after the fit (unlabelled
 * rows, an extra set): a category the pool never had (one-hot: all zeros; embedding: the rare/unseen id), a number
 * that does not parse, a missing cell (both imputed with the pool's fill value), a token outside the vocabulary
 * (the unknown id). encodeRows encodes these rows all the same; this says how many cells were affected, so nothing
 * is changed silently.
 */
import { isMissing, toCategory, toNumber } from "../values.js";
import { tokenize } from "./text.js";
import type { EncoderState } from "./types.js";
import type { Row } from "./rows.js";

export interface EncodingIssue {
  column: string;
  kind: "unknown category" | "unparsable number" | "missing" | "unknown token";
  /** Cells (tokens, for "unknown token") affected. */
  count: number;
  /** Of how many cells (tokens) in the column. */
  of: number;
  /** A few distinct values as read. */
  examples: string[];
}

const EXAMPLES = 3;

export function encodingIssues(state: EncoderState, rows: Row[]): EncodingIssue[] {
  if (state.kind === "image") return [];
  const out: EncodingIssue[] = [];
  const add = (column: string, kind: EncodingIssue["kind"], of: number, values: Iterable<string | null>) => {
    let count = 0;
    const ex = new Set<string>();
    for (const v of values) {
      count++;
      if (v !== null && ex.size < EXAMPLES) ex.add(v.slice(0, 40));
    }
    if (count) out.push({ column, kind, count, of, examples: [...ex] });
  };
  if (state.kind === "text") {
    const vocab = new Set(state.text.vocab);
    const unknown: string[] = [];
    let tokens = 0;
    for (const r of rows) {
      const toks = tokenize(toCategory(r[state.text.column]) ?? "", state.text.lowercase);
      tokens += toks.length;
      for (const t of toks) if (!vocab.has(t)) unknown.push(t);
    }
    add(state.text.column, "unknown token", tokens, unknown);
    add(state.text.column, "missing", rows.length, rows.filter((r) => isMissing(r[state.text.column])).map(() => null));
    return out;
  }
  for (const f of state.features) {
    const cells = rows.map((r) => r[f.column]);
    add(f.column, "missing", rows.length, cells.filter(isMissing).map(() => null));
    if (f.kind === "numeric") {
      add(f.column, "unparsable number", rows.length, cells.filter((v) => !isMissing(v) && Number.isNaN(toNumber(v))).map(String));
    } else {
      const known = new Set(f.categories);
      add(f.column, "unknown category", rows.length, cells.map(toCategory).filter((c): c is string => c !== null && !known.has(c)));
    }
  }
  return out;
}
