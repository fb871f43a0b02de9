/**
 * estimate(): the main job. Loads the data, plans the subset sizes (fixed, or adaptive within a wall-time budget),
 * runs the Runs through an executor with the Store (re-using finished Runs, resuming interrupted studies), fits
 * the learning curves and answers in plain words, with a report object that the report writers and the CLI use.
 * Nothing here prints: progress goes out as events.
 */
import type { CurveFit } from "../curves/index.js";
import { analyseRuns, answerReport } from "./estimate-answer.js";
import type { EstimateReport, ExtraReport } from "./estimate-result.js";
import type { OnEvent, StudyEvent } from "./events.js";
import type { StudyDeps } from "./kit/deps.js";
import { parseCountList, type Target } from "./kit/options.js";
import { prepareStudy, type StudyKind } from "./kit/study.js";
import type { StudyOptions } from "./kit/study-options.js";
import { scoreOf } from "./metrics.js";
import { narrowingRun } from "./narrow.js";
import { densify, fitTimeModel, fixedOrder, nextAdaptive, nextFixed, type Decision, type TimeModel } from "./planner.js";
import { RUN_PROTOCOL } from "./run.js";
import { runStudy, type RunnerSnapshot } from "./runner.js";
import { int } from "../format.js";
import { measureExtra, prepareExtra, type PreparedExtra } from "./extra/measure.js";
import { parseKeep } from "./extra/keep.js";
import { bytesPerSample, costToTarget, parsePrices, timeWithSpread, type CostPlan, type Prices } from "../cost/index.js";
import { collectionPlan, planWithFits, unitRuns, type CollectionPlan } from "./plan/index.js";
import { runPlanCheck } from "./plan/check-run.js";
import { InputError } from "../errors.js";

export interface EstimateOptions extends StudyOptions {
  /** Extra sizes to predict ("what would 100k samples give me?"). */
  at?: number[] | string;
  /** An extra data set (same columns) whose relevance and worth in your samples to measure. */
  extra?: string;
  /** Prices for the cost to reach the target: "label=0.08,cpu-hour=0.04" or an object (see src/cost/prices.ts). */
  cost?: string | Prices;
  /**
   * A data-collection plan: per-class (and per --group column, `load.groups`) curves from the same Runs, which to
   * collect more of to reach the target at least cost, and per-group data needs (src/study/plan/).
   */
  plan?: boolean;
  /**
   * With `plan`: train the check Runs (the bottleneck class over-sampled, study/plan/check.ts) when the budget allows
   * (default true); false: only describe them.
   */
  planCheck?: boolean;
  /** With `extra`: keep the extra rows most like yours ("similar:0.5") and measure their worth again. */
  extraKeep?: string;
}

/** What estimate() needs from the layers below (the study kit's dependencies); tests replace parts of it. */
export type EstimateDeps = StudyDeps;

const ESTIMATE: StudyKind = { kind: "estimate", idPrefix: "s", defaultAutoBudget: 15 * 60, validFractionZero: true };
/** Stop an adaptive study when the samples-for-target interval's hi/lo ratio is at most this. */
const TIGHT_RATIO = 1.3;

/**
 * Returns the answer as an EstimateReport and writes no files: the caller writes the report where it wants
 * (`writeReport(report, dir)` from the report layer, or the CLI's --out).
 */
export async function estimate(options: EstimateOptions, ctx: { onEvent?: OnEvent; deps?: Partial<EstimateDeps> } = {}): Promise<EstimateReport> {
  // Prices first: a typo in --cost must fail before the data loads.
  const prices = options.cost === undefined ? null : parsePrices(options.cost);
  const keep = options.extraKeep === undefined ? undefined : parseKeep(options.extraKeep);
  if (keep && options.extra === undefined) throw new InputError("EXTRA_KEEP_ALONE", "--extra-keep needs --extra <source>", { hint: "give the extra data set with --extra, or leave out --extra-keep" });
  const at = options.at === undefined ? [] : typeof options.at === "string" ? parseCountList(options.at, "--at") : options.at;
  const study = await prepareStudy(options, ctx, ESTIMATE);
  const { dataset, deps, target, metric, info, spec, seeds, adaptive, budgetSeconds, validFraction, emit, t0, loadSeconds, storePath } = study;
  const { tensors, poolSize, testSize } = study;
  const task = tensors.task;
  const sizes = study.setup(() => {
    study.checkRecipe(options.recipe);
    if (options.plan && task !== "classification") {
      throw new InputError("PLAN_NEEDS_CLASSES", `--plan reads per-class and per-group accuracy; ${dataset.source} is a ${task} task`, { hint: "use --plan with a classification target" });
    }
    return adaptive ? densify(study.sizes) : study.sizes;
  });

  // The extra set is read (and its columns checked) before any Run.
  let extra: PreparedExtra | null = null;
  if (options.extra !== undefined) {
    try {
      extra = await prepareExtra(study, options.extra);
    } catch (err) {
      study.store.close();
      throw err;
    }
  }

  const studyKey = {
    kind: "estimate",
    fingerprint: dataset.fingerprint,
    spec,
    recipe: options.recipe ?? "default",
    sizes: adaptive ? "auto" : sizes,
    seeds,
    target,
    validFraction,
    ...(extra ? { extra: extra.data.fingerprint } : {}),
    ...(keep ? { extraKeep: keep.text } : {}),
  };
  return study.run({ key: studyKey, record: { data: options.data, budgetSeconds, at }, sizes }, async (studyRun) => {
    const { studyId, store, executor, engineVersion, makeJob: jobOf, cancelled } = studyRun;
    const makeJob = (size: number, seed: number, attempt: number) => jobOf(spec, options.recipe, size, seed, attempt);

    // Planning state that the runner's callbacks update.
    const decisions: string[] = [];
    const order = adaptive ? [] : fixedOrder(sizes, seeds);
    let fit: CurveFit | null = null;
    let tight: string | undefined;
    let unreachableStreak = 0;
    let time: TimeModel | null = null;
    // Time kept back from the budget for the final fits and the report.
    const remaining = () => study.remaining(10);
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
      const { focus, why, crossing } = focusOf(fit, target, poolSize);
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
        crossing,
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
      const sf = target ? orNull(() => fit!.samplesFor(target.value)) : null;
      const sa = orNull(() => fit!.scoreAt(poolSize));
      emit({ type: "answer", metric, have: poolSize, scoreAtHave: sa, samplesForTarget: sf ? { mean: sf.mean, lo: sf.lo, hi: sf.hi, reachable: sf.reachable } : null });
      if (!adaptive) return;
      const sizesDone = new Set(done.map((r) => r.size));
      const topSizes = [...sizesDone].sort((a, b) => b - a).slice(0, 3);
      const replicated = topSizes.filter((n) => done.filter((r) => r.size === n).length >= 2).length;
      const enough = sizesDone.size >= 5 && replicated >= Math.min(2, seeds - 1);
      if (!enough || !sf) return;
      if (sf.reachable === true && sf.lo > 0 && Number.isFinite(sf.hi) && sf.hi / sf.lo <= TIGHT_RATIO) {
        tight = `the answer is tight: ${int(sf.lo)}–${int(sf.hi)} samples (80% interval within ±${Math.round(50 * (TIGHT_RATIO - 1))}%)`;
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
      metric,
      onEvent,
      signal: studyRun.signal,
    });
    if (outcome.cancelled) cancelled(outcome.records);

    // 3. Answer.
    emit({ type: "fitting" });
    const analysis = analyseRuns(outcome.records, { metric, info, target: target?.value ?? null, have: poolSize, at, fitCurve: deps.fitCurve, aggregate: deps.aggregate, bootstrap: options.bootstrap });
    const done = outcome.records.filter((r) => r.status === "done");
    let extraReport: ExtraReport | undefined;
    if (extra) {
      const measured = await measureExtra({ study, run: studyRun, extra, spec, recipe: options.recipe, done, aloneFit: analysis.fits.test, onEvent, ...(keep ? { keep } : {}), signal: studyRun.signal });
      if (measured.cancelled) cancelled([...outcome.records, ...measured.records]);
      extraReport = measured.report;
    }
    const wallSeconds = (Date.now() - t0) / 1000;
    const runSeconds = done.filter((r) => !r.reused).reduce((a, r) => a + r.result!.totalSeconds, 0);
    const report = answerReport({
      studyId,
      analysis,
      records: outcome.records,
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
      plan: { adaptive, decisions, stopReason: outcome.stopReason },
      timing: {
        wallSeconds,
        loadSeconds,
        busySeconds: outcome.busySeconds,
        runSeconds,
        overheadFraction: wallSeconds > 0 ? Math.max(0, (wallSeconds - outcome.busySeconds) / wallSeconds) : 0,
        jobs: executor.slots,
        threads: executor.threads,
      },
      versions: { enough: deps.enoughVersion, engine: engineVersion, protocol: String(RUN_PROTOCOL), node: process.version },
      store: storePath,
      narrowing: { fitCurve: deps.fitCurve, info, ...(options.bootstrap !== undefined ? { bootstrap: options.bootstrap } : {}), cancelled: !!outcome.cancelled },
    });
    if (extraReport) report.extra = extraReport;
    if (options.plan) {
      emit({ type: "decision", reason: "collection plan: fitting per-class and per-group curves" });
      const { plans, classFits, names } = planOf({ study, done, target: target && target.metric === "accuracy" ? target.value : null, overallAtPool: analysis.scoreAtHave, labelPrice: prices?.label, bootstrap: options.bootstrap });
      report.collectionPlan = plans;
      // The plan's assumption tested in this data: the bottleneck class over-sampled (study/plan/check.ts).
      const checked = await runPlanCheck({ study, run: studyRun, plan: plans.classes, fits: classFits, names, spec, recipe: options.recipe, done, onEvent, ...(studyRun.signal ? { signal: studyRun.signal } : {}), train: options.planCheck !== false });
      if (checked.cancelled) cancelled([...outcome.records, ...checked.records]);
      if (checked.check) {
        plans.classes.check = checked.check;
        plans.classes.sentences.push(...checked.check.sentences);
      }
      // The check Runs belong to this invocation's time too (timing was taken before them).
      const t = report.timing;
      t.runSeconds += checked.records.filter((r) => r.status === "done" && !r.reused).reduce((a, r) => a + r.result!.totalSeconds, 0);
      t.busySeconds += checked.busySeconds ?? 0;
      t.wallSeconds = (Date.now() - t0) / 1000;
      t.overheadFraction = t.wallSeconds > 0 ? Math.max(0, (t.wallSeconds - t.busySeconds) / t.wallSeconds) : 0;
    }
    if (prices) {
      report.cost = studyCost({
        prices,
        samplesForTarget: report.samplesForTarget,
        pool: poolSize,
        done: done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })),
        threads: executor.threads,
        device: options.recipe?.device === "cuda" ? "cuda" : "cpu",
        bytesPerSample: bytesPerSample(tensors),
      });
    }
    return { result: report, summary: { headline: report.headline, samplesForTarget: report.samplesForTarget } };
  });
}

/**
 * The cost plan of a study: the time model is the planner's (fitted on the finished Runs) with the Runs' scatter
 * around it as its spread; compute for the study is the sum of the finished Runs' own seconds.
 */
export function studyCost(o: {
  prices: Prices;
  samplesForTarget: EstimateReport["samplesForTarget"];
  pool: number;
  done: { n: number; seconds: number; trainSeconds?: number }[];
  threads: number;
  device: "cpu" | "cuda";
  bytesPerSample: number;
}): CostPlan {
  const model = fitTimeModel(o.done);
  return costToTarget({
    prices: o.prices,
    samplesForTarget: o.samplesForTarget,
    pool: o.pool,
    runSeconds: model ? timeWithSpread(o.done, (n) => model.predict(n)) : null,
    studySeconds: o.done.reduce((a, r) => a + r.seconds, 0),
    threads: o.threads,
    device: o.device,
    bytesPerSample: o.bytesPerSample,
  });
}

/** The collection plans of a study: by class, then one per group column (src/study/plan/). */
function planOf(o: {
  study: { dataset: import("../data/types.js").Dataset; deps: EstimateDeps };
  done: import("./runner.js").RunRecord[];
  target: number | null;
  overallAtPool: { mean: number; lo: number; hi: number } | null;
  labelPrice: number | undefined;
  bootstrap: number | undefined;
}): { plans: { classes: CollectionPlan; groups: CollectionPlan[] }; classFits: (CurveFit | null)[]; names: string[] } {
  const { dataset, deps } = o.study;
  const runs = o.done.map((r) => ({ size: r.size, seed: r.seed, ...(r.result!.testCorrect !== undefined ? { testCorrect: r.result!.testCorrect } : {}) }));
  const base = { pool: dataset.split.pool, test: dataset.split.test, runs };
  const common = { fitCurve: deps.fitCurve, target: o.target, overallAtPool: o.overallAtPool, ...(o.labelPrice !== undefined ? { labelPrice: o.labelPrice } : {}), ...(o.bootstrap !== undefined ? { bootstrap: Math.min(o.bootstrap, 60) } : {}) };
  const names = dataset.schema.classes ?? Array.from({ length: dataset.tensors.numClasses }, (_, i) => String(i));
  const { plan: classes, fits: classFits } = planWithFits({ kind: "class", by: "class", runs: unitRuns({ ...base, names, codes: dataset.tensors.y as Int32Array }), ...common });
  const groups = Object.entries(dataset.groups).map(([col, g]) => collectionPlan({ kind: "group", by: col, runs: unitRuns({ ...base, names: g.labels, codes: g.codes }), ...common }));
  return { plans: { classes, groups }, classFits, names };
}

/** Where the answer lies, for the planner: n for the target (clamped), else twice the pool (the "more data?" zone). */
function focusOf(fit: CurveFit | null, target: Target | null, poolSize: number): { focus: number; why: string; crossing: number | null } {
  if (fit && target) {
    const sf = orNull(() => fit.samplesFor(target.value));
    if (sf && sf.reachable !== false && Number.isFinite(sf.mean) && sf.mean > 0) {
      const focus = Math.min(Math.max(sf.mean, 2), 100 * poolSize);
      return { focus, why: `the current answer n≈${int(focus)}`, crossing: sf.reachable === true && sf.mean <= poolSize ? sf.mean : null };
    }
  }
  return { focus: 2 * poolSize, why: `n=${int(2 * poolSize)} (twice the pool)`, crossing: null };
}

function orNull<T>(f: () => T): T | null {
  try {
    return f() ?? null;
  } catch {
    return null;
  }
}
