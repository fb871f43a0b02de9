/**
 * estimate(): the main job. Loads the data, plans the subset sizes (fixed, or adaptive within a wall-time budget),
 * runs the Runs through an executor with the Store (re-using finished Runs, resuming interrupted studies), fits
 * the learning curves and answers in plain words, with a report object that the report writers and the CLI use.
 * Nothing here prints: progress goes out as events.
 */
import { resolve } from "node:path";
import { CancelledError, InputError } from "../errors.js";
import { aggregatePoints, fitCurve, metricInfo, type CurveFit } from "../curves/index.js";
import type { LoadOptions } from "../data/options.js";
import type { Dataset } from "../data/types.js";
import type { Tensors } from "../engine/types.js";
import { REPORT_SCHEMA, REPORT_VERSION, type EstimateReport, type ReportRun } from "../report/types.js";
import { analyse, type AggregateFn, type FitCurveFn } from "./analysis.js";
import type { OnEvent, StudyEvent } from "./events.js";
import type { Executor } from "./executor.js";
import { findings as makeFindings, type Finding } from "./findings.js";
import { stableHash } from "./hash.js";
import { checkMetric, defaultMetric, scoreOf } from "./metrics.js";
import { parseBudget, parseCountList, parseTarget, type Target } from "./options.js";
import { densify, fitTimeModel, fixedOrder, fmt, nextAdaptive, nextFixed, type Decision, type TimeModel } from "./planner.js";
import { RUN_PROTOCOL, runId, runInputs, type JsonObject, type RunInputs, type RunJob } from "./run.js";
import { runStudy, type RunRecord, type RunnerSnapshot } from "./runner.js";
import { withStudy } from "./lifecycle.js";
import { DEFAULT_STORE_PATH } from "./store.js";

export interface EstimateOptions {
  /** The Source: a path or builtin:name. */
  data: string;
  /** The target column (tabular/text sources). */
  targetColumn?: string;
  /** "accuracy=0.90", or { metric, value }. Optional: without it the answer is about the data you have. */
  target?: string | Target;
  /** A ModelSpec, or the CLI spelling ("cnn", "mlp:width=2", path.json). Default by data kind. */
  model?: string | JsonObject;
  /** "auto" (adaptive, default), a list of sizes, or "1000,5000,20k". */
  sizes?: "auto" | number[] | string;
  /** Seeds per size (fixed sizes) or at most per size (auto). Default 3. */
  seeds?: number;
  /** Wall-time budget: "15m", "90s" or seconds. Default 15 min for auto sizes; none for fixed sizes. */
  budget?: string | number;
  /** Recipe fields that override the default recipe for every Run. */
  recipe?: JsonObject;
  /** Extra sizes to predict ("what would 100k samples give me?"). */
  at?: number[] | string;
  /** The SQLite store (default .enough/enough.db). */
  store?: string;
  /** Where to write the report (default .enough/reports/<study>); false: no files. */
  out?: string | false;
  /** How to read, encode and split the data beyond the fields above (groups, kinds, text column, test file...). */
  load?: Omit<LoadOptions, "source" | "target" | "onProgress">;
  /** Share of each subset held out for early stopping (default 0.15). */
  validFraction?: number;
  testFraction?: number;
  /** Seed of the test split. */
  splitSeed?: number;
  cacheRoot?: string;
  /** k concurrent Runs x t threads each (default from the core count, see chooseConcurrency). */
  jobs?: number;
  threads?: number;
  signal?: AbortSignal;
  /** Bootstrap replicates for the final test fit (default 200). */
  bootstrap?: number;
}

/** What estimate() needs from the layers below; tests replace parts of it. */
export interface EstimateDeps {
  loadDataset(o: LoadOptions): Promise<Dataset>;
  planSizes(o: { poolSize: number; numClasses: number }): number[];
  /** The data layer's --sizes reader (counts, k suffixes, percentages, "all"); the local reader otherwise. */
  parseSizes?(arg: string, poolSize: number): number[] | "auto";
  parseModelArg(arg: string): JsonObject;
  defaultRecipe(kind: Tensors["xKind"], nTrain: number): JsonObject;
  /** Checks a ModelSpec / Recipe up front (typed errors), so a typo fails at once instead of in every Run. */
  validateSpec?(spec: JsonObject): void;
  validateRecipe?(recipe: JsonObject): void;
  engineVersion(): string;
  createExecutor(o: { jobs?: number; threads?: number }): Executor;
  fitCurve: FitCurveFn;
  aggregate: AggregateFn;
  enoughVersion: string;
}

/** The real engine, data layer and local executor, loaded on first use (tests never load the native addon). */
export async function defaultDeps(): Promise<EstimateDeps> {
  const [engine, data, local, { readFileSync }] = await Promise.all([
    import("../engine/index.js"),
    import("../data/index.js"),
    import("./executor-local.js"),
    import("node:fs"),
  ]);
  let version = "0";
  try {
    version = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")).version;
  } catch {
    try {
      version = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")).version;
    } catch {
      /* an unknown version only weakens run-id re-use across releases */
    }
  }
  return {
    loadDataset: (o) => data.loadDataset(o),
    planSizes: (o) => data.planSizes(o),
    parseSizes: (arg, poolSize) => data.parseSizes(arg, poolSize),
    parseModelArg: (arg) => engine.parseModelArg(arg) as unknown as JsonObject,
    defaultRecipe: (kind, n) => engine.defaultRecipe(kind, n) as unknown as JsonObject,
    validateSpec: (spec) => void engine.validateSpec(spec),
    validateRecipe: (recipe) => void engine.validateRecipe(recipe as never),
    engineVersion: () => `enough ${version}; torch ${engine.engineInfo().torchVersion}`,
    createExecutor: (o) => new local.LocalExecutor(o),
    fitCurve: (p, o) => fitCurve(p, o),
    aggregate: aggregatePoints,
    enoughVersion: version,
  };
}

export const DEFAULT_MODEL: Record<string, string> = { image: "cnn", tabular: "mlp", text: "text" };
const DEFAULT_SEEDS = 3;
const DEFAULT_AUTO_BUDGET = 15 * 60;
const DEFAULT_VALID_FRACTION = 0.15;
/** Stop an adaptive study when the samples-for-target interval's hi/lo ratio is at most this. */
const TIGHT_RATIO = 1.3;

export async function estimate(options: EstimateOptions, ctx: { onEvent?: OnEvent; deps?: Partial<EstimateDeps> } = {}): Promise<EstimateReport> {
  const t0 = Date.now();
  const emit: OnEvent = ctx.onEvent ?? (() => {});
  const deps: EstimateDeps = isComplete(ctx.deps) ? ctx.deps : { ...(await defaultDeps()), ...ctx.deps };
  const validFraction = options.validFraction ?? DEFAULT_VALID_FRACTION;
  if (!(validFraction >= 0 && validFraction < 0.5)) throw new InputError("BAD_VALID_FRACTION", `validFraction must be in [0, 0.5), got ${validFraction}`);

  // 1. Data.
  const dataset = await deps.loadDataset(studyLoadOptions(options, (p) => emit({ type: "loading", ...p })));
  const loadSeconds = (Date.now() - t0) / 1000;
  if (!dataset.cacheDir) throw new InputError("NO_CACHE", `the dataset ${dataset.source} has no cache directory; worker processes need one`);
  const tensors = dataset.tensors;
  const task = tensors.task;
  const poolSize = dataset.split.pool.length;
  const testSize = dataset.split.test.length;
  emit({ type: "data", source: dataset.source, fingerprint: dataset.fingerprint, kind: dataset.schema.kind, task, rows: tensors.n, poolSize, testSize, numClasses: tensors.numClasses, warnings: dataset.report.warnings });

  // 2. The question: metric, target, model, sizes, seeds, budget.
  const target: Target | null = options.target === undefined ? null : typeof options.target === "string" ? parseTarget(options.target, defaultMetric(task)) : options.target;
  const metric = target?.metric ?? defaultMetric(task);
  checkMetric(metric, task);
  const info = metricInfo(metric, task === "classification" && metric === "accuracy" ? { chance: 1 / Math.max(2, tensors.numClasses) } : {});
  const spec: JsonObject =
    typeof options.model === "object" ? options.model : deps.parseModelArg(options.model ?? DEFAULT_MODEL[dataset.schema.kind] ?? "mlp");
  deps.validateSpec?.(spec);
  if (options.recipe) deps.validateRecipe?.({ ...deps.defaultRecipe(tensors.xKind, 100), ...options.recipe });
  const seeds = options.seeds ?? DEFAULT_SEEDS;
  if (!Number.isInteger(seeds) || seeds < 1 || seeds > 20) throw new InputError("BAD_SEEDS", `seeds must be a whole number from 1 to 20, got ${seeds}`);
  let sizesArg = options.sizes;
  if (typeof sizesArg === "string" && sizesArg.trim() !== "auto") {
    sizesArg = deps.parseSizes ? deps.parseSizes(sizesArg, poolSize) : parseCountList(sizesArg, "--sizes");
  }
  const adaptive = sizesArg === undefined || sizesArg === "auto" || (typeof sizesArg === "string" && sizesArg.trim() === "auto");
  let sizes: number[];
  if (adaptive) {
    sizes = densify(deps.planSizes({ poolSize, numClasses: tensors.numClasses }).filter((n) => n <= poolSize));
  } else {
    sizes = [...new Set(sizesArg as number[])].sort((a, b) => a - b);
    const tooBig = sizes.filter((n) => n > poolSize);
    if (tooBig.length) {
      throw new InputError("SIZE_TOO_LARGE", `--sizes ${tooBig.join(", ")} exceed the training pool (${poolSize} samples after the test split)`, {
        hint: `use sizes up to ${poolSize}, or --sizes auto`,
      });
    }
  }
  if (!sizes.length) throw new InputError("NO_SIZES", "no subset size could be planned", { hint: "the training pool may be too small; check the data" });
  const budgetSeconds = options.budget !== undefined ? parseBudget(options.budget) : adaptive ? DEFAULT_AUTO_BUDGET : null;
  const at = options.at === undefined ? [] : typeof options.at === "string" ? parseCountList(options.at, "--at") : options.at;

  const studyKey = { kind: "estimate", fingerprint: dataset.fingerprint, spec, recipe: options.recipe ?? "default", sizes: adaptive ? "auto" : sizes, seeds, target, validFraction };
  const studyId = "s" + stableHash(studyKey, 12);
  const storePath = resolve(options.store ?? DEFAULT_STORE_PATH);
  return withStudy(storePath, studyId, async (store, own) => {
    store.openStudy({ id: studyId, kind: "estimate", options: { ...studyKey, data: options.data, budgetSeconds, at }, fingerprint: dataset.fingerprint });
    const engineVersion = deps.engineVersion();
    const executor = own(deps.createExecutor({ jobs: options.jobs, threads: options.threads }));
    emit({ type: "plan", studyId, adaptive, sizes, seeds, budgetSeconds, jobs: executor.slots, threads: executor.threads, model: spec, metric, target });

    const makeJob = (size: number, seed: number, attempt: number) =>
      buildJob({ dataset, spec, recipe: options.recipe, size, seed, attempt, validFraction, engineVersion, defaultRecipe: deps.defaultRecipe });

    // Planning state that the runner's callbacks update.
    const decisions: string[] = [];
    const order = adaptive ? [] : fixedOrder(sizes, seeds);
    let fit: CurveFit | null = null;
    let tight: string | undefined;
    let unreachableStreak = 0;
    let time: TimeModel | null = null;
    // Time kept back from the budget for the final fits and the report.
    const reserve = 10;
    const remaining = () => (budgetSeconds === null ? null : budgetSeconds - reserve - (Date.now() - t0) / 1000);
    const refreshTime = (s: RunnerSnapshot) => {
      time = fitTimeModel(s.records.filter((r) => r.status === "done").map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })));
    };
    const next = (s: RunnerSnapshot): Decision => {
      if (!adaptive) return nextFixed({ order, taken: s.taken, time, remainingSeconds: remaining() });
      const used = new Map<number, Set<number>>();
      for (const key of s.taken) {
        const [size, seed] = key.split(":").map(Number) as [number, number];
        if (!used.has(size)) used.set(size, new Set());
        used.get(size)!.add(seed);
      }
      const runSizes = [...s.records.filter((r) => r.status === "done").map((r) => r.size), ...s.inFlight.map((r) => r.size)];
      const { focus, why } = focusOf(fit, target, poolSize);
      return nextAdaptive({
        grid: sizes,
        maxSeeds: seeds,
        used,
        runSizes,
        focus,
        focusWhy: why,
        time,
        overheadSeconds: 0.5,
        remainingSeconds: remaining(),
        pilotSizes: 4,
        tight,
      });
    };
    const afterRun = (s: RunnerSnapshot) => {
      refreshTime(s);
      const done = s.records.filter((r) => r.status === "done");
      if (new Set(done.map((r) => r.size)).size < 3) return;
      const pts = done.flatMap((r) => {
        const v = scoreOf(r.result!.metrics.test, metric);
        return v === undefined ? [] : [{ n: r.size, score: v, seed: r.seed }];
      });
      try {
        fit = deps.fitCurve(pts, { metric: info, seed: 1, bootstrap: 60 });
      } catch {
        fit = null;
        return;
      }
      const sf = target ? safe(() => fit!.samplesFor(target.value)) : null;
      const sa = safe(() => fit!.scoreAt(poolSize));
      emit({ type: "answer", metric, have: poolSize, scoreAtHave: sa, samplesForTarget: sf ? { mean: sf.mean, lo: sf.lo, hi: sf.hi, reachable: sf.reachable } : null });
      if (!adaptive) return;
      const sizesDone = new Set(done.map((r) => r.size));
      const topSizes = [...sizesDone].sort((a, b) => b - a).slice(0, 3);
      const replicated = topSizes.filter((n) => done.filter((r) => r.size === n).length >= 2).length;
      const enough = sizesDone.size >= 5 && replicated >= Math.min(2, seeds - 1);
      if (!enough || !sf) return;
      if (sf.reachable === true && sf.lo > 0 && Number.isFinite(sf.hi) && sf.hi / sf.lo <= TIGHT_RATIO) {
        tight = `the answer is tight: ${fmt(sf.lo)}–${fmt(sf.hi)} samples (80% interval within ±${Math.round(50 * (TIGHT_RATIO - 1))}%)`;
      } else if (sf.reachable === false && fit!.confidence !== "low") {
        // Stopping early on "out of reach" gives up the rest of the budget, so one fit is not enough: a short flat
        // stretch can make a single fit level off confidently and the next Run undo it. Require two fits in a row.
        if (++unreachableStreak >= 2) tight = `the target is out of reach with good confidence (the asymptote's interval lies below ${target!.value} in two fits in a row)`;
      } else {
        unreachableStreak = 0;
      }
    };
    const eta = (s: RunnerSnapshot) => {
      const now = Date.now();
      const inflightLeft = s.inFlight.map((r) => Math.max(0, (r.predictedSeconds ?? 0) - (now - r.startedAt) / 1000));
      if (!adaptive) {
        const left = order.filter((o) => !s.taken.has(`${o.size}:${o.seed}`));
        const t = time as TimeModel | null;
        const planned = order.length;
        if (!t) return { seconds: null, bound: null, planned };
        const work = left.reduce((acc, o) => acc + t.predict(o.size), 0) + inflightLeft.reduce((a, b) => a + b, 0);
        const secs = work / Math.max(1, executor.slots);
        const rem = remaining();
        return rem !== null && secs > rem ? { seconds: rem, bound: "budget" as const, planned } : { seconds: secs, bound: "plan" as const, planned };
      }
      const rem = remaining();
      return { seconds: rem === null ? null : Math.max(0, rem), bound: rem === null ? null : ("budget" as const), planned: null };
    };
    const onEvent = (e: StudyEvent) => {
      if (e.type === "decision") decisions.push(e.reason);
      emit(e);
    };

    const outcome = await runStudy({
      store,
      executor,
      studyId,
      makeJob,
      next,
      afterRun,
      eta,
      scoreOf: (r) => scoreOf(r.metrics.test, metric),
      onEvent,
      signal: options.signal,
    });
    if (outcome.cancelled) {
      store.setStudyStatus(studyId, "cancelled");
      const done = outcome.records.filter((r) => r.status === "done").length;
      throw new CancelledError(`interrupted: ${done} finished Run${done === 1 ? "" : "s"} stored in ${storePath}; run the same command again to resume`);
    }

    // 3. Answer.
    emit({ type: "fitting" });
    const analysis = analyse(outcome.records, {
      metric,
      direction: info.direction,
      chance: info.chance,
      bounds: { lower: info.lower, upper: info.upper },
      target: target?.value ?? null,
      have: poolSize,
      at,
      fitCurve: deps.fitCurve,
      aggregate: deps.aggregate,
      bootstrap: options.bootstrap,
    });
    const done = outcome.records.filter((r) => r.status === "done");
    const failed = outcome.records.filter((r) => r.status === "failed");
    // A (size, seed) whose retry also failed is lost to the curve; its last error is the one to show.
    const lostRuns = [...new Map(failed.filter((f) => !done.some((d) => d.size === f.size && d.seed === f.seed)).map((f) => [`${f.size}:${f.seed}`, f])).values()];
    const finalTime = fitTimeModel(done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })));
    const found: Finding[] = makeFindings({
      analysis,
      target,
      dataWarnings: dataset.report.warnings,
      testSize,
      runsDone: done.length,
      runsFailed: lostRuns.length,
      sizesMeasured: new Set(done.map((r) => r.size)).size,
      maxSeeds: Math.max(0, ...analysis.points.test.map((p) => p.count)),
      studyId,
      secondsAt: finalTime ? (n) => finalTime.predict(n) : undefined,
      failures: lostRuns.map((f) => ({ size: f.size, seed: f.seed, code: f.error!.code, message: f.error!.message })),
    });
    const wallSeconds = (Date.now() - t0) / 1000;
    const runSeconds = done.filter((r) => !r.reused).reduce((a, r) => a + r.result!.totalSeconds, 0);
    const runs: ReportRun[] = outcome.records
      .filter((r) => r.status !== "cancelled")
      .map(toReportRun)
      .sort((a, b) => a.size - b.size || a.seed - b.seed || a.attempt - b.attempt);
    const sfa = analysis.samplesForTarget;
    const report: EstimateReport = {
      schema: REPORT_SCHEMA,
      version: REPORT_VERSION,
      studyId,
      createdAt: new Date().toISOString(),
      status: "done",
      headline: (found.find((f) => f.id === "target") ?? found.find((f) => f.id === "have") ?? found[0]!).text,
      findings: found,
      question: {
        data: options.data,
        targetColumn: options.targetColumn ?? dataset.schema.target ?? null,
        target,
        metric,
        direction: info.direction,
        model: spec,
        recipe: options.recipe ?? "default",
        sizes: adaptive ? "auto" : sizes,
        seeds,
        budgetSeconds,
        at,
        validFraction,
      },
      data: {
        source: dataset.source,
        fingerprint: dataset.fingerprint,
        kind: dataset.schema.kind,
        task,
        rows: tensors.n,
        poolSize,
        testSize,
        numClasses: tensors.numClasses,
        ...(dataset.schema.classes ? { classes: dataset.schema.classes } : {}),
        warnings: dataset.report.warnings,
      },
      points: analysis.points.test,
      predictions: analysis.predictions,
      samplesForTarget: sfa ? { mean: sfa.mean, lo: sfa.lo, hi: sfa.hi, reachable: sfa.reachable, confidence: sfa.confidence } : null,
      curves: {
        test: { points: analysis.points.test, seedPoints: analysis.seedPoints.test, fit: analysis.fits.test?.toJSON() ?? null, ...(analysis.fitErrors.test ? { error: analysis.fitErrors.test } : {}) },
        valid: { points: analysis.points.valid, seedPoints: analysis.seedPoints.valid, fit: analysis.fits.valid?.toJSON() ?? null, ...(analysis.fitErrors.valid ? { error: analysis.fitErrors.valid } : {}) },
        train: { points: analysis.points.train, seedPoints: analysis.seedPoints.train, fit: analysis.fits.train?.toJSON() ?? null, ...(analysis.fitErrors.train ? { error: analysis.fitErrors.train } : {}) },
      },
      band: analysis.band,
      forecast: {
        have: poolSize,
        scoreAtHave: analysis.scoreAtHave,
        measuredAtMax: analysis.measuredAtMax,
        nextGain: analysis.nextGain,
        gainPerDoubling: analysis.gainPerDoubling,
        halvingDoublings: analysis.halvingDoublings,
        asymptote: analysis.asymptote,
      },
      gap: analysis.gap,
      confidence: analysis.confidence,
      diagnostics: analysis.diagnostics,
      runs,
      plan: { adaptive, decisions, stopReason: outcome.stopReason },
      timing: {
        wallSeconds,
        loadSeconds,
        busySeconds: outcome.busySeconds,
        runSeconds,
        overheadFraction: wallSeconds > 0 ? Math.max(0, (wallSeconds - outcome.busySeconds) / wallSeconds) : 0,
        jobs: executor.slots,
        threads: executor.threads,
        timePerRun: done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, reused: r.reused })).sort((a, b) => a.n - b.n),
      },
      versions: { enough: deps.enoughVersion, engine: engineVersion, protocol: String(RUN_PROTOCOL), node: process.version, ...(done[0]?.result?.versions ?? {}) },
      store: storePath,
      reports: null,
    };
    if (options.out !== false) {
      const { writeReport } = await import("../report/index.js");
      const paths = await writeReport(report, options.out ?? resolve(".enough", "reports", studyId));
      emit({ type: "report", paths });
    }
    store.setStudyStatus(studyId, "done", { headline: report.headline, samplesForTarget: report.samplesForTarget, reports: report.reports });
    return report;
  });
}

/** Where the answer lies, for the planner: n for the target (clamped), else twice the pool (the "more data?" zone). */
function focusOf(fit: CurveFit | null, target: Target | null, poolSize: number): { focus: number; why: string } {
  if (fit && target) {
    const sf = safe(() => fit.samplesFor(target.value));
    if (sf && sf.reachable !== false && Number.isFinite(sf.mean) && sf.mean > 0) {
      const focus = Math.min(Math.max(sf.mean, 2), 100 * poolSize);
      return { focus, why: `the current answer n≈${fmt(focus)}` };
    }
  }
  return { focus: 2 * poolSize, why: `n=${fmt(2 * poolSize)} (twice the pool)` };
}

/**
 * The job of one Run: the default recipe for the subset's training rows, the overrides, the seed (a safer recipe on
 * a retry). Shared by every study, so the same model on the same subset is the same Run whatever study asks.
 */
export function buildJob(o: {
  dataset: Dataset;
  spec: JsonObject;
  recipe?: JsonObject;
  size: number;
  seed: number;
  attempt: number;
  validFraction: number;
  engineVersion: string;
  defaultRecipe: EstimateDeps["defaultRecipe"];
}): { job: RunJob; inputs: RunInputs } {
  const { size, seed, validFraction } = o;
  const nTrain = size >= 4 ? size - Math.max(1, Math.round(validFraction * size)) : size;
  let recipe: JsonObject = { ...o.defaultRecipe(o.dataset.tensors.xKind, nTrain), ...o.recipe, seed };
  if (o.attempt > 0) recipe = saferRecipe(recipe);
  const base = { cacheDir: o.dataset.cacheDir!, fingerprint: o.dataset.fingerprint, subset: { size, seed }, spec: o.spec, recipe, validFraction };
  const inputs = runInputs(base, o.engineVersion);
  return { job: { ...base, runId: runId(inputs) }, inputs };
}

/** A finished or failed Run as the reports list it. */
export function toReportRun(r: RunRecord): ReportRun {
  return {
    id: r.id,
    size: r.size,
    seed: r.seed,
    attempt: r.attempt,
    status: r.status as "done" | "failed",
    reused: r.reused,
    reason: r.reason,
    metrics: r.result?.metrics ?? null,
    seconds: r.result?.seconds ?? null,
    totalSeconds: r.result?.totalSeconds ?? null,
    epochs: r.result?.epochs ?? null,
    bestEpoch: r.result?.bestEpoch ?? null,
    stoppedEarly: r.result?.stoppedEarly ?? null,
    nTrain: r.result?.nTrain ?? null,
    nValid: r.result?.nValid ?? null,
    paramCount: r.result?.paramCount ?? null,
    error: r.error ?? null,
  };
}

/** The data layer's load options of a study: `load`, then the study's own data fields where given. */
export function studyLoadOptions(
  o: Pick<EstimateOptions, "data" | "load" | "targetColumn" | "testFraction" | "splitSeed" | "cacheRoot">,
  onProgress: LoadOptions["onProgress"],
): LoadOptions {
  return {
    ...o.load,
    source: o.data,
    ...(o.targetColumn !== undefined ? { target: o.targetColumn } : {}),
    ...(o.testFraction !== undefined ? { testFraction: o.testFraction } : {}),
    ...(o.splitSeed !== undefined ? { seed: o.splitSeed } : {}),
    ...(o.cacheRoot !== undefined ? { cacheRoot: o.cacheRoot } : {}),
    onProgress,
  };
}

/** The retry after a failure: a third of the learning rate, and half the batch (memory) when it is above 16. */
export function saferRecipe(r: JsonObject): JsonObject {
  const out: JsonObject = { ...r };
  if (typeof r.lr === "number") out.lr = r.lr / 3;
  if (typeof r.batchSize === "number" && r.batchSize > 16) out.batchSize = Math.max(16, Math.floor(r.batchSize / 2));
  return out;
}

export function isComplete(d: Partial<EstimateDeps> | undefined): d is EstimateDeps {
  return !!d && ["loadDataset", "planSizes", "parseModelArg", "defaultRecipe", "engineVersion", "createExecutor", "fitCurve", "aggregate"].every((k) => k in d);
}

function safe<T>(f: () => T): T | null {
  try {
    return f() ?? null;
  } catch {
    return null;
  }
}
