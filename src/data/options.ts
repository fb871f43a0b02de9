/** loadDataset's options (see index.ts), shared by the source pipelines. */
import type { Task } from "../engine/types.js";
import type { ColumnKind } from "./types.js";
import { join } from "node:path";
import { classTokens } from "./classes.js";

/** Where encoded datasets are cached unless cacheRoot says otherwise (here, so that studies can check it without loading the data layer). */
export const DEFAULT_CACHE_ROOT = join(".enough", "cache");

export interface LoadProgress {
  phase: string;
  done?: number;
  total?: number;
}

export interface LoadOptions {
  /** A path (CSV/TSV/JSONL/JSON/Parquet file, or an image folder with one sub-folder per class) or builtin:fashion-mnist. */
  source: string;
  target?: string;
  groups?: string[];
  /** Keep each group's rows on one side of the test split (uses the first group column). */
  groupSplit?: boolean;
  /** Column kind overrides; on the target, numeric/categorical force regression/classification. */
  kinds?: Record<string, ColumnKind>;
  /** Columns not to use as features. */
  ignore?: string[];
  /** Use columns holding personal data (e-mails, phones, cards, IBANs, names…) as features; by default they are not. */
  keepPiiFeatures?: boolean;
  /**
   * Go on when a reader loses more than 1% of a file's lines (bad records, invalid bytes, an unclosed quote); by
   * default that is a BAD_ROWS error naming the first bad line. Either way the skipped rows are in the load report.
   */
  allowBadRows?: boolean;
  /** Force the task instead of inferring it from the target. */
  task?: Task;
  /** Default 0.2. */
  testFraction?: number;
  /** A separate file (same columns) used as the test set. */
  testSource?: string;
  /** A column whose value marks test rows (test/true/1/yes/holdout); the column is not a feature. */
  testColumn?: string;
  /** Split and encoder seed (default 0). */
  seed?: number;
  imageSize?: number | [number, number];
  grayscale?: boolean;
  textColumn?: string;
  /**
   * Keep only these classes (classification): "5-9" (ids, or label values when labels are integers), "cat,dog"
   * (names), or a list of such. Applied before the split; labels are re-indexed 0..k-1; the dropped rows are counted
   * in the load report.
   */
  classes?: string | string[];
  /** Default .enough/cache (relative to the current folder). */
  cacheRoot?: string;
  /** Re-encode even when a cached copy exists. */
  refresh?: boolean;
  onProgress?: (e: LoadProgress) => void;
}

/** The options that change the encoded result (part of the fingerprint). */
export function fingerprintOptions(o: LoadOptions): Record<string, unknown> {
  return {
    target: o.target ?? null,
    groups: o.groups ?? [],
    groupSplit: !!o.groupSplit,
    kinds: Object.fromEntries(Object.entries(o.kinds ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))),
    ignore: [...(o.ignore ?? [])].sort(),
    task: o.task ?? null,
    testFraction: o.testFraction ?? 0.2,
    testColumn: o.testColumn ?? null,
    seed: o.seed ?? 0,
    imageSize: o.imageSize ?? null,
    grayscale: o.grayscale ?? null,
    textColumn: o.textColumn ?? null,
    // Only when given: every fingerprint from before the filter existed stays what it was (and so do its Runs).
    ...(o.classes !== undefined ? { classes: classTokens(o.classes) } : {}),
    // keepPiiFeatures enters the key through datasetFingerprint (tabular sources only); allowBadRows does not enter
    // it: a load either fails or gives the same rows.
  };
}
