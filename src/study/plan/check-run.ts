/**
 * `estimate --plan`'s check Runs (check.ts says what they test): designed from the class plan, trained through the
 * study's executor and store when the budget allows (ordinary Runs with `RunJob.subset.composition`, so a later
 * study re-uses them and the queue executor carries them), else described with their predicted time.
 */
import type { CurveFit } from "../../curves/index.js";
import { int } from "../../format.js";
import type { OnEvent } from "../events.js";
import type { Study, StudyRun } from "../kit/study.js";
import { scoreOf } from "../metrics.js";
import { fitTimeModel, nextFixed } from "../planner.js";
import type { JsonObject } from "../run.js";
import { runStudy, type RunRecord } from "../runner.js";
import { compareCheck, designCheck, predictCheck, unrunCheck, type PlanCheck } from "./check.js";
import type { CollectionPlan } from "./plan.js";

export async function runPlanCheck<E>(o: {
  study: Study<E>;
  run: StudyRun;
  plan: CollectionPlan;
  fits: readonly (CurveFit | null)[];
  names: readonly string[];
  spec: JsonObject;
  recipe: JsonObject | undefined;
  done: RunRecord[];
  onEvent: OnEvent;
  signal?: AbortSignal;
  /** false: describe the check Runs and their time, train nothing (estimate's planCheck option). */
  train: boolean;
}): Promise<{ check: PlanCheck | null; records: RunRecord[]; cancelled: boolean; busySeconds?: number }> {
  const { study, run } = o;
  const { dataset, metric } = study;
  const labels = dataset.tensors.y as Int32Array;
  const design = designCheck({ plan: o.plan, names: o.names, pool: dataset.split.pool, labels, numClasses: dataset.tensors.numClasses, done: o.done });
  if ("why" in design) {
    o.plan.notes.push(`no check Run: ${design.why}`);
    return { check: null, records: [], cancelled: false };
  }
  const time = fitTimeModel(o.done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })));
  const work = time ? design.runs.reduce((a, r) => a + time.predict(r.size), 0) : null;
  const predictedSeconds = work === null ? null : work / Math.max(1, Math.min(run.executor.slots, design.runs.length));
  const left = study.remaining(10);
  if (!o.train) return { check: unrunCheck(design, "turned off with --no-plan-check", predictedSeconds), records: [], cancelled: false };
  if (left !== null && (predictedSeconds === null || predictedSeconds > left)) {
    return { check: unrunCheck(design, `the budget has ${Math.max(0, Math.round(left))} s left`, predictedSeconds), records: [], cancelled: false };
  }
  const bySeed = new Map(design.runs.map((r) => [r.seed, r.composition]));
  o.onEvent({ type: "decision", reason: `plan check: n=${int(design.base)} with ${design.name} over-sampled ${design.factor.toFixed(1)}x, ${design.runs.length} seed(s)` });
  const order = design.runs.map((r) => ({ size: r.size, seed: r.seed }));
  const outcome = await runStudy({
    store: run.store,
    executor: run.executor,
    studyId: run.studyId,
    makeJob: (size, seed, attempt) => run.makeJob(o.spec, o.recipe, size, seed, attempt, { composition: bySeed.get(seed)! }),
    // The reason each check Run is stored with (the dashboard lists it with the study's Runs).
    next: (s) => {
      const d = nextFixed({ order, taken: s.taken, time: null, remainingSeconds: null });
      return d.kind === "run" ? { ...d, reason: `plan check: n=${int(design.base)} with ${design.name} over-sampled ${design.factor.toFixed(1)}x (${int(d.size)} rows), seed ${d.seed}` } : d;
    },
    scoreOf: (r) => scoreOf(r.metrics.test, metric),
    metric,
    onEvent: o.onEvent,
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const got = outcome.records.filter((r) => r.status === "done");
  const failed = outcome.records.filter((r) => r.status === "failed" && !got.some((g) => g.seed === r.seed));
  if (failed.length) o.plan.notes.push(`${failed.length} check Run(s) failed (${failed.map((r) => r.error?.code ?? "?").join(", ")}): left out of the check`);
  const seeds = new Set(got.map((r) => r.seed));
  const testLabels = Int32Array.from(dataset.split.test, (r) => labels[r]!);
  const unitIndex = (name: string) => o.plan.units.find((u) => u.name === name);
  const check = compareCheck({
    design,
    predicted: predictCheck({ design, fits: o.fits, flat: o.names.map((n) => unitIndex(n)?.measured?.mean ?? null), testRows: o.names.map((n) => unitIndex(n)?.testRows ?? 0) }),
    check: got.map((r) => ({ seed: r.seed, ...r.result! })),
    ordinary: o.done.filter((r) => r.size === design.base && seeds.has(r.seed)).map((r) => ({ seed: r.seed, ...r.result! })),
    testLabels,
    runIds: got.map((r) => r.id),
    runSeconds: got.reduce((a, r) => a + r.result!.totalSeconds, 0),
    predictedSeconds,
  });
  return { check, records: outcome.records, cancelled: outcome.cancelled, busySeconds: outcome.busySeconds };
}
