/**
 * What the study commands (estimate, compare) share: the data options, the label column and the score goal, the
 * store and report folder, and how many Runs run at once. Each command words its own --model, --sizes, --seeds,
 * --budget and --recipe help, but they are read here, one way.
 */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { InputError } from "../errors.js";
import type { LoadOptions } from "../data/index.js";
import { addDataOptions, labelColumn, toLoadOptions, type DataCliOptions } from "./data-options.js";
import { parsePositiveInt, splitTarget } from "./format.js";
import { parseQueueUrl } from "../study/queue/url.js";
import type { ExecutorChoice } from "../study/kit/study-options.js";

export interface StudyCliOptions extends DataCliOptions {
  targetColumn?: string;
  metric?: string;
  model?: string;
  recipe?: string;
  sizes: string;
  seeds: string;
  budget?: string;
  store?: string;
  out?: string;
  jobs?: string;
  threads?: string;
  executor?: string;
  queue?: string;
  dataAddress?: string;
  serveData?: boolean;
  json?: boolean;
  verbose?: boolean;
  events?: string;
}

/** Registers the data options, --target-column, and where Runs and reports go and how many run at once. */
export function addStudyOptions(cmd: Command): Command {
  return addDataOptions(cmd, { target: false, seed: false })
    .option("--target-column <column>", "the label column (tabular and text data)")
    .option("--metric <name>", "the score the curves are in (default: the --target's, else accuracy / r2): accuracy, f1, balanced_accuracy, auc, neg_log_loss, r2, mae, rmse, neg_mean_absolute_error, ...")
    .option("--store <path>", "the SQLite store of Runs (a file path, or sqlite:///path.db)", ".enough/enough.db")
    .option("--out <dir>", "report folder (default .enough/reports/<study>)")
    .option("--jobs <count>", "concurrent Runs (default from the core count)")
    .option("--threads <count>", "threads per Run")
    .option("--executor <local|queue>", "where Runs train: worker processes here, or `enough worker`s through --queue", "local")
    .option("--queue <redis-url>", "the queue executor's Redis: redis://[:password@]host:6379[/db] (rediss:// for TLS)")
    .option("--data-address <host>", "queue: the address workers reach this machine at for the data (default: its first network address)")
    .option("--no-serve-data", "queue: do not serve the dataset over HTTP (workers share the cache folder)")
    .option("--json", "print one JSON object (and nothing else on stdout)")
    .option("--events <ndjson|ndjson:file>", "stream the study's events (Runs started and finished, new answers, the end) as one JSON object per line, on stdout or into a file");
}

/** The options object fields every study takes, read and checked from the command line. */
export function studyOptionsFrom(opts: StudyCliOptions): {
  data: string;
  load: Omit<LoadOptions, "source" | "target" | "onProgress">;
  target?: string;
  targetColumn?: string;
  metric?: string;
  model?: string;
  recipe?: Record<string, unknown>;
  sizes: string;
  seeds: number;
  budget?: string;
  store?: string;
  out?: string;
} & ExecutorChoice {
  // The label column is read below (--target here may be the score goal), so the load options go without it.
  const { source, onProgress: _p, ...load } = toLoadOptions({ ...opts, target: undefined, label: undefined });
  return {
    data: source,
    load,
    ...splitTarget(opts.target, labelColumn(opts.targetColumn, opts.label, "--target-column")),
    ...(opts.metric !== undefined ? { metric: opts.metric } : {}),
    model: opts.model,
    recipe: opts.recipe ? readRecipe(opts.recipe) : undefined,
    sizes: opts.sizes,
    seeds: parsePositiveInt(opts.seeds, "--seeds"),
    budget: opts.budget,
    store: opts.store,
    out: opts.out,
    jobs: opts.jobs === undefined ? undefined : parsePositiveInt(opts.jobs, "--jobs"),
    threads: opts.threads === undefined ? undefined : parsePositiveInt(opts.threads, "--threads"),
    ...executorOptions(opts),
  };
}

/** --executor and its queue flags, checked before any data is read. */
function executorOptions(opts: StudyCliOptions): Omit<ExecutorChoice, "jobs" | "threads"> {
  const executor = opts.executor ?? "local";
  if (executor !== "local" && executor !== "queue") {
    throw new InputError("BAD_EXECUTOR", `--executor ${executor} is not an executor`, { hint: "use --executor local (default) or --executor queue --queue redis://host:6379" });
  }
  if (executor === "local") {
    if (opts.queue !== undefined) throw new InputError("BAD_EXECUTOR", "--queue is given but --executor is local", { hint: "add --executor queue to train through the queue" });
    return {};
  }
  parseQueueUrl(opts.queue);
  return { executor, queue: opts.queue!, ...(opts.dataAddress ? { dataAddress: opts.dataAddress } : {}), ...(opts.serveData === false ? { serveData: false } : {}) };
}

export function readRecipe(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new InputError("RECIPE_FILE", `cannot read the recipe file ${path}: ${(err as Error).message}`, { hint: "check the --recipe path" });
  }
  try {
    const v = JSON.parse(text);
    if (typeof v !== "object" || v === null || Array.isArray(v)) throw new Error("not a JSON object");
    return v;
  } catch (err) {
    throw new InputError("RECIPE_FILE", `the recipe file ${path} is not a JSON object: ${(err as Error).message}`, {
      hint: 'write recipe fields as JSON, e.g. {"lr": 0.0005, "epochs": 30}',
    });
  }
}
