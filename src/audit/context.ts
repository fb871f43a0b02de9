/** What every check sees: the encoded Dataset, the raw cells, row ids, and (when trained) out-of-sample model outputs. */
import type { Dataset } from "../data/index.js";
import type { RawTable } from "./raw.js";
import type { Issue, IssueType, RowScores, Severity } from "./types.js";

export interface ModelOutputs {
  /** Dataset rows the model-based checks cover (a seeded sample when the data set is larger than the cap). */
  rows: Int32Array;
  /** rows.length × K out-of-sample class probabilities (pool rows: out-of-fold; test rows: mean of the fold models). */
  probs: Float32Array;
  K: number;
  /** rows.length × dim penultimate-layer features from one fold's model (one space for all rows). */
  embed: Float32Array;
  dim: number;
  /** argmax of probs. */
  pred: Int32Array;
  folds: number;
  model: unknown;
  epochs: number;
  seconds: number;
}

export interface AuditContext {
  ds: Dataset;
  raw: RawTable | null;
  /** Source row id of each Dataset row. */
  rowId: Int32Array;
  /** 1 for Dataset rows in the fixed test split. */
  isTest: Uint8Array;
  model: ModelOutputs | null;
  seed: number;
  /** Cap on the rows under the sampled checks (kNN, model-based): `maxRows` of the audit options. */
  maxRows: number;
  /** Per-row quality scores that checks add (aligned with Dataset rows). */
  scores: RowScores[];
  notes: string[];
}

export function makeContext(ds: Dataset, raw: RawTable | null, seed: number, maxRows = 20000): AuditContext {
  const isTest = new Uint8Array(ds.tensors.n);
  for (const i of ds.split.test) isTest[i] = 1;
  const rowId = raw ? raw.rowIdOfDatasetRow : Int32Array.from({ length: ds.tensors.n }, (_, i) => i);
  return { ds, raw, rowId, isTest, model: null, seed, maxRows, scores: [], notes: [] };
}

/** Builds an Issue from flagged rows (worst first) and their per-row quality (same order, 0 = worst). */
export function makeIssue(
  type: IssueType,
  severity: Severity,
  rows: ArrayLike<number>,
  summary: string,
  details: Record<string, unknown>,
  opts: { score?: number; columns?: string[]; count?: number } = {},
): Issue {
  const list = Array.from(rows);
  const issue: Issue = {
    type,
    severity,
    count: opts.count ?? list.length,
    score: round(opts.score ?? 1),
    rows: list,
    examples: list.slice(0, 10),
    summary,
    details,
  };
  if (opts.columns) issue.columns = opts.columns;
  return issue;
}

export function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/** Severity from the fraction of rows affected: thresholds (high, medium) default 5% and 1%. */
export function severityOf(fraction: number, high = 0.05, medium = 0.01): Severity {
  return fraction >= high ? "high" : fraction >= medium ? "medium" : "low";
}

export const pct = (v: number) => `${(100 * v).toFixed(v < 0.001 ? 2 : 1)}%`;

/** Mean of a quality array over its finite entries (1 when none). */
export function meanQuality(q: Float32Array): number {
  let s = 0;
  let c = 0;
  for (const v of q) if (Number.isFinite(v)) {
    s += v;
    c++;
  }
  return c ? s / c : 1;
}
