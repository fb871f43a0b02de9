/**
 * The data layer's contract with the rest of enough. A Source is read, its Schema inferred, its columns encoded
 * into engine Tensors (encoders fitted on the pool only), cached under a fingerprint, and split into a fixed test
 * set and a pool from which nested subsets are drawn.
 */
import type { Tensors, Task } from "../engine/types.js";

export type DataKind = "tabular" | "image" | "text";
export type ColumnKind = "numeric" | "categorical" | "text" | "id" | "constant" | "image";

export interface ColumnInfo {
  name: string;
  kind: ColumnKind;
  /** How the kind was decided (e.g. "98% parse as numbers", "user override"). */
  reason?: string;
  missing: number;
  distinct: number;
  role: "feature" | "target" | "group" | "ignored";
}

export interface Schema {
  kind: DataKind;
  task: Task;
  target: string;
  columns: ColumnInfo[];
  groups: string[];
  /** Class names in label-id order (classification). */
  classes?: string[];
}

/** What was read, kept and skipped, so that nothing is dropped silently. */
export interface LoadReport {
  file: string;
  rowsRead: number;
  rowsKept: number;
  rowsSkipped: number;
  /** Up to a few examples per reason, with row numbers (1-based, as in the file) or paths. */
  skipped: { reason: string; count: number; examples: string[] }[];
  warnings: string[];
  /** The class filter (LoadOptions.classes), when given: the kept classes and how many rows of others were left out. */
  classFilter?: { classes: string[]; rowsDropped: number };
}

export interface Dataset {
  /** Hash of source bytes + schema + encoder options. */
  fingerprint: string;
  /** The source as the user named it (path or builtin:name). */
  source: string;
  schema: Schema;
  tensors: Tensors;
  /** Fixed split: row indices into tensors. Test rows are never used for training. */
  split: { test: Int32Array; pool: Int32Array };
  /** Group columns kept for subgroup analysis: one code per row, with the code's label. */
  groups: Record<string, { labels: string[]; codes: Int32Array }>;
  report: LoadReport;
  /** Where the encoded dataset is cached. */
  cacheDir?: string;
  /** True when the tensors were read from the cache without re-parsing the source. */
  fromCache?: boolean;
  /** The fitted encoders (pool only), so prediction-time rows are encoded identically (see encodeRows). */
  encoders?: import("./encoders/types.js").EncoderState;
}
