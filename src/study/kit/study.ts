/**
 * The study kit: what every kind of study (estimate, compare, and the kinds to come) does around its own planning.
 *
 * prepareStudy() is the opening, in an order chosen so that nothing expensive happens before every cheap check has
 * passed: the options (valid fraction, seeds, target and its range, budget, an explicit model), the output folders,
 * then the store (typed errors for a corrupt, locked or read-only file), and only then the data; after the load the
 * question is completed from the data (metric, default model, sizes, budget). Study.run() is the life around the
 * kind's loop, in the spirit of Optuna's Study: the study record, the executor, the plan event, cancellation,
 * failure marking and clean-up. Planners, executors and the store only answer questions; the kind owns its loop.
 */
import { existsSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { CancelledError, InputError, StoreError } from "../../errors.js";
import { metricInfo } from "../../curves/metric.js";
import type { MetricInfo } from "../../curves/types.js";
import { DEFAULT_CACHE_ROOT } from "../../data/options.js";
import { parseSizes, readSizes } from "../../data/subsets.js";
import type { Dataset } from "../../data/types.js";
import type { DataFacts } from "../data-facts.js";
import type { Tensors } from "../../engine/types.js";
import type { StudyEvent } from "../events.js";
import type { Executor } from "../executor.js";
import { stableHash } from "../hash.js";
import { parseQueueUrl } from "../queue/url.js";
import { checkQueueable } from "../queue/job-data.js";
import { checkKnownMetric, checkMetric, defaultMetric, studyMetricName } from "../metrics.js";
import type { ActiveJob, JsonObject, RunInputs, RunJob, SemiJob, SyntheticJob } from "../run.js";
import type { RunRecord } from "../runner.js";
import { DEFAULT_STORE_PATH, Store } from "../store.js";
import { storeFilePath } from "../store-path.js";
import { defaultDeps, isComplete, type StudyDeps } from "./deps.js";
import { buildJob, studyLoadOptions } from "./job.js";
import { checkTargetRange, parseBudget, readTarget, type Target } from "./options.js";
import { checkWritableFolder } from "./outputs.js";
import { DEFAULT_MODEL, DEFAULT_SEEDS, DEFAULT_VALID_FRACTION, type StudyOptions } from "./study-options.js";

/** What differs between kinds of study in the opening. */
export interface StudyKind {
  /** The kind as the store records it ("estimate", "compare"). */
  kind: string;
  /** First character of the study id (s for estimate, c for compare: ids stay what they were). */
  idPrefix: string;
  /** Budget with --sizes auto and no --budget, in seconds. */
  defaultAutoBudget: number;
  /** Whether a validation fraction of 0 is allowed (compare needs a validation slice for the train/validation gap). */
  validFractionZero: boolean;
  /** Why the fraction must be above 0, when it must. */
  validFractionWhy?: string;
}

export interface StudyContext<E> {
  onEvent?: (e: E) => void;
  deps?: Partial<StudyDeps>;
}

/** What a kind's loop gets from Study.run(). */
export interface StudyRun {
  studyId: string;
  store: Store;
  executor: Executor;
  engineVersion: string;
  /** A Run's job, built the same way for every kind (same inputs, same id, re-used across studies). */
  makeJob(
    spec: JsonObject,
    recipe: JsonObject | undefined,
    size: number,
    seed: number,
    attempt: number,
    extra?: { ensemble?: number; artifact?: string; withExtra?: { cacheDir: string; fingerprint: string; rows: number }; synthetic?: SyntheticJob; semi?: SemiJob; unlabeled?: { cacheDir: string; fingerprint: string; rows: number }; active?: ActiveJob; composition?: number[] },
  ): { job: RunJob; inputs: RunInputs };
  /** Records the cancellation and throws the CancelledError that says where the finished Runs are. */
  cancelled(records: readonly RunRecord[]): never;
  /** Aborts on the caller's signal or on a cancel asked for through the store (`enough serve`, another process). */
  signal: AbortSignal;
}

export async function prepareStudy<E extends { type: string } = StudyEvent>(options: StudyOptions, ctx: StudyContext<E>, kind: StudyKind): Promise<Study<E>> {
  const t0 = Date.now();
  const emit = (ctx.onEvent ?? (() => {})) as (e: E | StudyEvent) => void;
  const deps: StudyDeps = isComplete(ctx.deps) ? ctx.deps : { ...(await defaultDeps()), ...ctx.deps };

  // 1. Options that need nothing but themselves.
  const validFraction = options.validFraction ?? DEFAULT_VALID_FRACTION;
  if (kind.validFractionZero ? !(validFraction >= 0 && validFraction < 0.5) : !(validFraction > 0 && validFraction < 0.5)) {
    const range = kind.validFractionZero ? "[0, 0.5)" : "(0, 0.5)";
    throw new InputError("BAD_VALID_FRACTION", `validFraction must be in ${range}${kind.validFractionWhy ? ` ${kind.validFractionWhy}` : ""}, got ${validFraction}`);
  }
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 20) throw new InputError("BAD_SEEDS", `seeds must be a whole number from 1 to 20, got ${seeds}`);
  const asWritten = options.target === undefined ? null : typeof options.target === "string" ? readTarget(options.target) : options.target;
  // One name per metric from here on (f1_macro is f1, roc_auc is auc), so Runs, fits and reports agree.
  const asked = options.metric === undefined ? null : studyMetricName(options.metric);
  if (asked !== null) checkKnownMetric(asked);
  const named = asWritten && asWritten.metric !== null ? studyMetricName(asWritten.metric) : null;
  if (named !== null && asked !== null && named !== asked) {
    throw new InputError("BAD_METRIC", `the target is in ${named} but the metric asked is ${asked}`, { hint: `give one metric: --target ${asked}=<value>, or --metric ${named}` });
  }
  const written = asWritten ? { metric: named ?? asked, value: asWritten.value } : null;
  if (written) {
    if (written.metric !== null) checkKnownMetric(written.metric);
    checkTargetRange(written.metric, written.value);
  }
  // A --sizes typo (or fractions mixed with counts) fails now; fractions are resolved against the pool after the load.
  if (typeof options.sizes === "string") readSizes(options.sizes);
  const budgetGiven = options.budget !== undefined ? parseBudget(options.budget) : undefined;
  const explicitSpec = typeof options.model === "object" ? options.model : options.model !== undefined ? deps.parseModelArg(options.model) : null;
  if (explicitSpec) deps.validateSpec?.(explicitSpec);
  if (options.executor === "queue") {
    parseQueueUrl(options.queue);
    // A model or recipe that names a file here would fail every Run at the worker; refused before anything loads.
    checkQueueable("--model/--recipe", { spec: explicitSpec ?? {}, recipe: options.recipe ?? {} }, "run this study with --executor local");
  }

  // 2. Where the work goes: the cache folder, then the store (typed errors, before any data is read).
  checkWritableFolder(options.cacheRoot ?? options.load?.cacheRoot ?? DEFAULT_CACHE_ROOT, "--cache-root");
  const storePath = resolve(storeFilePath(options.store ?? DEFAULT_STORE_PATH));
  const store = new StoreHandle(storePath);
  try {

    // 3. Data.
    const dataset = await deps.loadDataset(studyLoadOptions(options, (p) => emit({ type: "loading", ...p })));
    const loadSeconds = (Date.now() - t0) / 1000;
    if (!dataset.cacheDir) throw new InputError("NO_CACHE", `the dataset ${dataset.source} has no cache directory; worker processes need one`);
    const tensors = dataset.tensors;
    const task = tensors.task;
    const poolSize = dataset.split.pool.length;
    const testSize = dataset.split.test.length;
    emit({ type: "data", source: dataset.source, fingerprint: dataset.fingerprint, kind: dataset.schema.kind, task, rows: tensors.n, poolSize, testSize, numClasses: tensors.numClasses, warnings: dataset.report.warnings });

    // 4. The question, completed from the data: metric, model, sizes, budget.
    const target: Target | null = written ? { metric: written.metric ?? defaultMetric(task), value: written.value } : null;
    if (target && written?.metric === null) checkTargetRange(target.metric, target.value);
    const metric = target?.metric ?? asked ?? defaultMetric(task);
    checkMetric(metric, task);
    // A model that has learnt nothing scores 1/k in accuracy (uniform classes) and balanced accuracy (any classes).
    const info = metricInfo(metric, task === "classification" && (metric === "accuracy" || metric === "balanced_accuracy") ? { chance: 1 / Math.max(2, tensors.numClasses) } : {});
    let spec = explicitSpec;
    if (!spec) {
      spec = deps.parseModelArg(DEFAULT_MODEL[dataset.schema.kind] ?? "mlp");
      deps.validateSpec?.(spec);
    }
    let sizesArg = options.sizes;
    if (typeof sizesArg === "string" && sizesArg.trim() !== "auto") sizesArg = (deps.parseSizes ?? parseSizes)(sizesArg, poolSize);
    const adaptive = sizesArg === undefined || sizesArg === "auto" || (typeof sizesArg === "string" && sizesArg.trim() === "auto");
    // Auto: the data layer's whole plan within the pool (each kind spreads or densifies it); else the user's list.
    const sizes = [...new Set(adaptive ? deps.planSizes({ poolSize, numClasses: tensors.numClasses }).filter((n) => n <= poolSize) : (sizesArg as number[]))].sort((a, b) => a - b);
    if (!adaptive) {
      const tooBig = sizes.filter((n) => n > poolSize);
      if (tooBig.length) {
        throw new InputError("SIZE_TOO_LARGE", `--sizes ${tooBig.join(", ")} exceed the training pool (${poolSize} samples after the test split)`, {
          hint: `use sizes up to ${poolSize}, or --sizes auto`,
        });
      }
    }
    if (!sizes.length) throw new InputError("NO_SIZES", "no subset size could be planned", { hint: "the training pool may be too small; check the data" });
    const budgetSeconds = budgetGiven ?? (adaptive ? kind.defaultAutoBudget : null);
    return new Study<E>({ kind, options, t0, emit, deps, store, storePath, dataset, loadSeconds, target, metric, info, spec, seeds, adaptive, sizes, budgetSeconds, validFraction });
  } catch (err) {
    store.close();
    throw err;
  }
}

/**
 * The study's store, checked at once: an existing file is opened now (a corrupt, locked or read-only one fails
 * before the data loads); a new one is only checked for a writable folder and created when the study starts, so a
 * study refused over its options leaves no empty store behind.
 */
class StoreHandle {
  private store: Store | null = null;
  constructor(readonly path: string) {
    if (existsSync(path)) this.get();
    else {
      try {
        checkWritableFolder(dirname(path), "--store");
      } catch (err) {
        throw new StoreError("STORE_READONLY", `the store ${path} cannot be created: ${(err as Error).message}`, { hint: "give --store a path in a folder you can write to", cause: err });
      }
    }
  }

  get(): Store {
    if (!this.store) {
      this.store = Store.open(this.path);
      this.store.requeueStale();
    }
    return this.store;
  }

  close(): void {
    this.store?.close();
    this.store = null;
  }
}

interface StudyFields<E> {
  kind: StudyKind;
  options: StudyOptions;
  /** When the study started (ms), for budgets and timings. */
  t0: number;
  emit: (e: E | StudyEvent) => void;
  deps: StudyDeps;
  store: StoreHandle;
  storePath: string;
  dataset: Dataset;
  loadSeconds: number;
  target: Target | null;
  metric: string;
  info: MetricInfo;
  /** The (base) ModelSpec. */
  spec: JsonObject;
  seeds: number;
  adaptive: boolean;
  /** Fixed: the user's sizes, ascending. Auto: the data layer's plan within the pool, ascending. */
  sizes: number[];
  budgetSeconds: number | null;
  validFraction: number;
}

export interface Study<E> extends StudyFields<E> {}

export class Study<E> {
  constructor(fields: StudyFields<E>) {
    Object.assign(this, fields);
  }

  get tensors(): Tensors {
    return this.dataset.tensors;
  }
  get poolSize(): number {
    return this.dataset.split.pool.length;
  }
  get testSize(): number {
    return this.dataset.split.test.length;
  }

  /** Seconds since the study started. */
  elapsed(): number {
    return (Date.now() - this.t0) / 1000;
  }

  /** Budget seconds left after keeping `reserve` back for the final fits; null without a budget. */
  remaining(reserve: number): number | null {
    return this.budgetSeconds === null ? null : this.budgetSeconds - reserve - this.elapsed();
  }

  /** Checks recipe overrides against the engine up front (on top of this data kind's default recipe). */
  checkRecipe(recipe: JsonObject | undefined): void {
    if (recipe && Object.keys(recipe).length) this.deps.validateRecipe?.({ ...this.deps.defaultRecipe(this.tensors.xKind, 100), ...recipe });
  }

  /** Runs kind-specific reading of the question between prepareStudy() and run(); the store is closed if it throws. */
  setup<T>(f: () => T): T {
    try {
      return f();
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  /** setup() for work that waits (loading a second data set): the store is closed if it rejects. */
  async setupAsync<T>(f: () => Promise<T>): Promise<T> {
    try {
      return await f();
    } catch (err) {
      this.store.close();
      throw err;
    }
  }

  /**
   * The study's life around the kind's loop: the study record (id from `key`, the question), the executor, the plan
   * event; the body returns the result and the summary the store keeps. On an error the study is marked failed (a
   * cancellation keeps its own status); the executor and the store are always closed.
   */
  async run<T>(o: { key: object; record: object; sizes: number[] }, body: (run: StudyRun) => Promise<{ result: T; summary: unknown }>): Promise<T> {
    const storePath = this.storePath;
    const store = this.store.get();
    // A --metric other than the task's default is part of the question; only then is it in the key (a target carries
    // its own metric), so that every other study keeps the id it always had.
    const key = !this.target && this.metric !== defaultMetric(this.tensors.task) ? { ...o.key, metric: this.metric } : o.key;
    const studyId = this.kind.idPrefix + stableHash(key, 12);
    let executor: Executor | undefined;
    const abort = new AbortController();
    const onAbort = () => abort.abort();
    this.options.signal?.addEventListener("abort", onAbort, { once: true });
    if (this.options.signal?.aborted) abort.abort();
    // Another process (the dashboard) asks for a cancel by marking the study "cancelling" in the store: a point
    // query a second is cheap, and this process then stops as on Ctrl-C (finished Runs stay, the study is resumable).
    const watch = setInterval(() => {
      if (!abort.signal.aborted && store.getStudyStatus(studyId) === "cancelling") abort.abort();
    }, CANCEL_POLL_MS);
    watch.unref();
    try {
      store.openStudy({ id: studyId, kind: this.kind.kind, options: { ...key, ...o.record, facts: this.facts(), invocation: invocationOf(this.options) }, fingerprint: this.dataset.fingerprint });
      const engineVersion = this.deps.engineVersion();
      const { jobs, threads, executor: kind, queue, dataAddress, serveData } = this.options;
      executor = await this.deps.createExecutor({ jobs, threads, ...(kind ? { executor: kind } : {}), ...(queue !== undefined ? { queue } : {}), ...(dataAddress ? { dataAddress } : {}), ...(serveData !== undefined ? { serveData } : {}) });
      await executor.open?.();
      this.emit({ type: "plan", studyId, adaptive: this.adaptive, sizes: o.sizes, seeds: this.seeds, budgetSeconds: this.budgetSeconds, jobs: executor.slots, threads: executor.threads, model: this.spec, metric: this.metric, target: this.target });
      const { result, summary } = await body({
        studyId,
        store,
        executor,
        engineVersion,
        makeJob: (spec, recipe, size, seed, attempt, extra) =>
          buildJob({ dataset: this.dataset, spec, recipe, size, seed, attempt, validFraction: this.validFraction, engineVersion, defaultRecipe: this.deps.defaultRecipe, ...(extra?.ensemble ? { ensemble: extra.ensemble } : {}), ...(extra?.artifact ? { artifact: extra.artifact } : {}), ...(extra?.withExtra ? { extra: extra.withExtra } : {}), ...(extra?.synthetic ? { synthetic: extra.synthetic } : {}), ...(extra?.semi ? { semi: extra.semi } : {}), ...(extra?.unlabeled ? { unlabeled: extra.unlabeled } : {}), ...(extra?.active ? { active: extra.active } : {}), ...(extra?.composition ? { composition: extra.composition } : {}) }),
        cancelled: (records) => {
          store.setStudyStatus(studyId, "cancelled");
          const done = records.filter((r) => r.status === "done").length;
          throw new CancelledError(`interrupted: ${done} finished Run${done === 1 ? "" : "s"} stored in ${storePath}; run the same command again to resume`);
        },
        signal: abort.signal,
      });
      // The whole result beside the summary: `enough studies report` and the dashboard re-render it from the store.
      store.setStudyStatus(studyId, "done", { ...(summary as object), report: result });
      return result;
    } catch (err) {
      if (!(err instanceof CancelledError)) {
        try {
          store.setStudyStatus(studyId, "failed");
        } catch {
          /* the original error matters more */
        }
      }
      throw err;
    } finally {
      clearInterval(watch);
      this.options.signal?.removeEventListener("abort", onAbort);
      await executor?.close();
      this.store.close();
    }
  }

  /** The data's facts a reader of the store needs to re-fit the curve without loading the data (StoredFacts). */
  private facts(): StoredFacts {
    return { source: this.dataset.source, kind: this.dataset.schema.kind, task: this.tensors.task, rows: this.tensors.n, poolSize: this.poolSize, testSize: this.testSize, numClasses: this.tensors.numClasses, ...(this.dataset.schema.classes ? { classes: this.dataset.schema.classes } : {}), metric: this.metric, direction: this.info.direction, ...(this.info.chance !== undefined ? { chance: this.info.chance } : {}), warnings: this.dataset.report.warnings };
  }
}

const CANCEL_POLL_MS = 1000;

/** What a study record keeps of its data (options.facts), so that the store alone can re-render its answer. */
export interface StoredFacts extends DataFacts {
  metric: string;
  direction: "up" | "down";
  chance?: number;
}

/** The kind's options as given (JSON only: no signal), with the folder they are relative to: enough to resume. */
function invocationOf(options: StudyOptions): { cwd: string; options: unknown } {
  const { signal: _s, ...rest } = options;
  return { cwd: process.cwd(), options: JSON.parse(JSON.stringify(rest)) };
}
