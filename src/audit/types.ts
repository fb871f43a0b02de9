/**
 * The audit's contract: every check (an issue manager, one per file in checks/) reports into one table of Issues,
 * in the spirit of cleanlab's Datalab. Row ids are 0-based positions among the source's data rows (for a table:
 * the readable records in file order; for images: files in sorted order; for built-ins: the data set's order).
 *
 * Scores follow cleanlab's convention: a per-row quality score in [0, 1], low = more likely a problem; an issue's
 * `score` is the mean per-row quality over the rows it was computed on (1 = no problem anywhere).
 */
export type IssueType =
  | "label"
  | "duplicate"
  | "near_duplicate"
  | "leakage"
  | "conflicting_label"
  | "outlier"
  | "missing"
  | "constant_column"
  | "id_column"
  | "mixed_type"
  | "out_of_range"
  | "category_variants"
  | "image_format"
  | "class_imbalance"
  | "rare_class"
  | "low_diversity"
  | "under_covered"
  | "underperforming_group"
  | "pii";

export type Severity = "high" | "medium" | "low" | "info";

export interface Issue {
  type: IssueType;
  severity: Severity;
  /** Rows affected (columns for column-level issues without rows). */
  count: number;
  /** Mean per-row quality in [0, 1] (1 = clean); for column-level issues 1 - affected fraction. */
  score: number;
  /** Every flagged row id, worst first where there is a ranking. */
  rows: number[];
  /** Up to 10 row ids to look at first. */
  examples: number[];
  columns?: string[];
  /** One sentence in plain words. */
  summary: string;
  details: Record<string, unknown>;
}

/** Per-row quality scores for one issue type, aligned with AuditTable.rowIds. */
export interface RowScores {
  type: IssueType;
  /** Float32, NaN where the check did not score the row. */
  scores: Float32Array;
}

export interface AuditProgress {
  phase: string;
  done?: number;
  total?: number;
  detail?: string;
}
