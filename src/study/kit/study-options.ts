/** The options every kind of study takes (estimate, compare, and the kinds to come), with their defaults. */
import type { LoadOptions } from "../../data/options.js";
import type { JsonObject } from "../run.js";
import type { Target } from "./options.js";

/** The executor a study opens, from its options. */
export interface ExecutorChoice {
  /** k concurrent Runs x t threads each (default from the core count, see chooseConcurrency; queue: Runs in flight). */
  jobs?: number;
  threads?: number;
  /** Where Runs train: "local" (worker processes here, default) or "queue" (`enough worker`s through Redis). */
  executor?: "local" | "queue";
  /** The queue executor's Redis: redis://[:password@]host[:port][/db] or rediss://. */
  queue?: string;
  /** The address workers reach this machine at for the data (default: its first non-internal IPv4 address). */
  dataAddress?: string;
  /** Serve the dataset to queue workers over HTTP (default true; false when they share the cache folder). */
  serveData?: boolean;
}

export interface StudyOptions extends ExecutorChoice {
  /** The Source: a path or builtin:name. */
  data: string;
  /** The target column (tabular/text sources). */
  targetColumn?: string;
  /** "accuracy=0.90", or { metric, value }. Optional: without it the answer is about the data you have. */
  target?: string | Target;
  /**
   * The metric of the curves (and of a bare-number target): accuracy, error, f1 (macro), balanced_accuracy, auc,
   * loss, neg_log_loss for classification; r2, mse, rmse, mae, loss, neg_mean_squared_error,
   * neg_root_mean_squared_error, neg_mean_absolute_error for regression. Default: the target's, else accuracy / r2.
   */
  metric?: string;
  /** A ModelSpec, or the CLI spelling ("cnn", "mlp:width=2", path.json). Default by data kind. */
  model?: string | JsonObject;
  /** Recipe fields that override the default recipe for every Run. */
  recipe?: JsonObject;
  /** "auto" (planned within the budget, default), a list of sizes, or "1000,5000,20k". */
  sizes?: "auto" | number[] | string;
  /** Seeds per size (fixed sizes) or at most per size (auto). Default 3. */
  seeds?: number;
  /** Wall-time budget: "15m", "90s" or seconds. The default with auto sizes depends on the kind; none for fixed sizes. */
  budget?: string | number;
  /** The SQLite store of Runs (default .enough/enough.db). Nothing else is written but the data cache. */
  store?: string;
  /** How to read, encode and split the data beyond the fields above (groups, kinds, text column, test file...). */
  load?: Omit<LoadOptions, "source" | "target" | "onProgress">;
  /** Share of each subset held out for early stopping (default 0.15). */
  validFraction?: number;
  testFraction?: number;
  /** Seed of the test split. */
  splitSeed?: number;
  cacheRoot?: string;
  signal?: AbortSignal;
  /** Bootstrap replicates for the final test fit (default 200). */
  bootstrap?: number;
}

export const DEFAULT_MODEL: Record<string, string> = { image: "cnn", tabular: "mlp", text: "text" };
export const DEFAULT_SEEDS = 3;
export const DEFAULT_VALID_FRACTION = 0.15;

