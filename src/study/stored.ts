/**
 * Studies read back from the store, for `enough studies` and the dashboard. A finished study keeps its whole result
 * (studies.result.report, written by the study kit); a study that is running, was cancelled or failed, or was
 * stored before results were kept, has only its Runs: an estimate's answer is then fitted again from them with the
 * estimate's own analysis (estimate-answer.ts). Compare and strategies answers need their whole loop's state
 * (ladder, pruning, pairing), so they are read back only from a stored result. Pure reads; nothing is written.
 */
import { metricInfo } from "../curves/metric.js";
import { InputError } from "../errors.js";
import type { AggregateFn, FitCurveFn } from "./analysis.js";
import { analyseRuns, answerReport } from "./estimate-answer.js";
import type { EstimateReport } from "./estimate-result.js";
import type { StoredFacts } from "./kit/study.js";
import { defaultMetric } from "./metrics.js";
import { RUN_PROTOCOL } from "./run.js";
import type { RunRecord } from "./runner.js";
import type { Store, StoredRun, StudyRecord } from "./store.js";

export type StoredStudyRun = StoredRun & { reason: string };

export interface StoredStudy {
  record: StudyRecord;
  runs: StoredStudyRun[];
  /** The data's facts as the study recorded them (null for studies stored before they were kept). */
  facts: StoredFacts | null;
  /** The kind's whole result (EstimateReport, CompareReport, StrategiesResult) when the study finished. */
  result: unknown | null;
  storePath: string;
}

/** The study `id` with its Runs; a typed NO_STUDY error when the store has no such study. */
export function readStudy(store: Store, id: string): StoredStudy {
  const record = store.getStudy(id);
  if (!record) throw new InputError("NO_STUDY", `no study ${id} in the store ${store.path}`, { hint: "list the studies with `enough studies list`" });
  const options = (record.options ?? {}) as { facts?: StoredFacts };
  const result = (record.result as { report?: unknown } | null)?.report ?? null;
  return { record, runs: store.studyRuns(id), facts: options.facts ?? null, result, storePath: store.path };
}

/** A stored Run as the analysis reads it (queued and running Runs have no score yet and are left out). */
export function toRunRecord(r: StoredStudyRun): RunRecord | null {
  if (r.status !== "done" && r.status !== "failed") return null;
  return {
    id: r.id,
    size: r.size,
    seed: r.seed,
    attempt: r.reason.startsWith("retry of") ? 1 : 0,
    status: r.status,
    ...(r.result ? { result: r.result } : {}),
    ...(r.error ? { error: r.error } : {}),
    reused: true,
    reason: r.reason,
    recipe: r.inputs.recipe,
  };
}

interface EstimateKey {
  spec?: unknown;
  recipe?: "default" | object;
  sizes?: "auto" | number[];
  seeds?: number;
  target?: { metric: string; value: number } | null;
  validFraction?: number;
  data?: string;
  budgetSeconds?: number | null;
  at?: number[];
  invocation?: { options?: { targetColumn?: string; bootstrap?: number } };
}

/**
 * An estimate's report: the stored one when the study finished, else fitted again from its finished Runs (null
 * when none has finished). `bootstrap` sets the fit's replicates (the dashboard uses fewer than a study's 200).
 */
export function estimateReportOf(s: StoredStudy, deps: { fitCurve: FitCurveFn; aggregate: AggregateFn }, o: { bootstrap?: number } = {}): EstimateReport | null {
  if (s.record.kind !== "estimate") throw new InputError("NOT_ESTIMATE", `the study ${s.record.id} is a ${s.record.kind} study, not an estimate`);
  if (s.result && s.record.status === "done") return s.result as EstimateReport;
  // A plan's check Runs (a class over-sampled) are no points of the curve.
  const records = s.runs.filter((r) => !r.inputs.composition).map(toRunRecord).filter((r): r is RunRecord => r !== null);
  if (!records.some((r) => r.status === "done")) return null;
  const k = s.record.options as EstimateKey;
  const facts = s.facts ?? factsFromRuns(s, k);
  const info = metricInfo(facts.metric, facts.chance !== undefined ? { chance: facts.chance } : {});
  const target = k.target ?? null;
  const at = k.at ?? [];
  const analysis = analyseRuns(records, { metric: facts.metric, info, target: target?.value ?? null, have: facts.poolSize, at, fitCurve: deps.fitCurve, aggregate: deps.aggregate, bootstrap: o.bootstrap ?? k.invocation?.options?.bootstrap });
  const done = records.filter((r) => r.status === "done");
  const report = answerReport({
    studyId: s.record.id,
    analysis,
    records,
    question: {
      data: k.data ?? facts.source,
      targetColumn: k.invocation?.options?.targetColumn ?? null,
      target,
      metric: facts.metric,
      direction: info.direction,
      model: k.spec ?? null,
      recipe: k.recipe ?? "default",
      sizes: k.sizes ?? "auto",
      seeds: k.seeds ?? Math.max(1, ...done.map((r) => r.seed + 1)),
      budgetSeconds: k.budgetSeconds ?? null,
      at,
      validFraction: k.validFraction ?? 0.15,
    },
    data: {
      source: facts.source,
      fingerprint: s.record.fingerprint ?? "",
      kind: facts.kind,
      task: facts.task,
      rows: facts.rows,
      poolSize: facts.poolSize,
      testSize: facts.testSize,
      numClasses: facts.numClasses,
      ...(facts.classes ? { classes: facts.classes } : {}),
      warnings: facts.warnings,
    },
    plan: { adaptive: k.sizes === "auto", decisions: s.runs.map((r) => r.reason).filter(Boolean), stopReason: `re-fitted from the store (study ${s.record.status})` },
    timing: { wallSeconds: 0, loadSeconds: 0, busySeconds: 0, runSeconds: done.reduce((a, r) => a + r.result!.totalSeconds, 0), overheadFraction: 0, jobs: 0, threads: 0 },
    versions: { protocol: String(RUN_PROTOCOL) },
    store: s.storePath,
  });
  // The answer is the Runs' so far: say so wherever the report is read.
  if (s.record.status !== "done") report.status = "partial";
  return report;
}

/**
 * Facts for a study stored before they were recorded: the task from the Runs' metrics, the pool as the largest size
 * measured (an underestimate of what the data holds: the "you have" reading is then about that size).
 */
function factsFromRuns(s: StoredStudy, k: EstimateKey): StoredFacts {
  const m = s.runs.find((r) => r.result)?.result?.metrics.test;
  const task = m && m.accuracy !== undefined ? "classification" : "regression";
  const metric = k.target?.metric ?? defaultMetric(task);
  const poolSize = Math.max(0, ...s.runs.map((r) => r.size));
  return { source: k.data ?? "", kind: "unknown", task, rows: poolSize, poolSize, testSize: m?.n ?? 0, numClasses: 0, metric, direction: metricInfo(metric).direction, warnings: ["this study was stored before its data facts were kept: the pool is taken as the largest size measured"] };
}

/** One flat row per Run of a study: its inputs, scores, timings and who trained it (for `enough studies export`). */
export interface ExportRow {
  id: string;
  status: string;
  reason: string;
  size: number;
  seed: number;
  attempts: number;
  worker: string;
  started: string | null;
  finished: string | null;
  seconds: number | null;
  totalSeconds: number | null;
  epochs: number | null;
  paramCount: number | null;
  error: string | null;
  /** test_accuracy, valid_loss, ...: every metric of every split. */
  scores: Record<string, number>;
  inputs: StoredRun["inputs"];
}

export function exportRows(s: StoredStudy): ExportRow[] {
  return s.runs.map((r) => {
    const scores: Record<string, number> = {};
    for (const split of ["test", "valid", "train"] as const) {
      const m = r.result?.metrics[split];
      if (m) for (const [name, v] of Object.entries(m)) if (typeof v === "number") scores[`${split}_${name}`] = v;
    }
    return {
      id: r.id,
      status: r.status,
      reason: r.reason,
      size: r.size,
      seed: r.seed,
      attempts: r.attempts,
      worker: workerOf(r),
      started: r.started,
      finished: r.finished,
      seconds: r.result?.seconds ?? null,
      totalSeconds: r.result?.totalSeconds ?? null,
      epochs: r.result?.epochs ?? null,
      paramCount: r.result?.paramCount ?? null,
      error: r.error ? `${r.error.code}: ${r.error.message}` : null,
      scores,
      inputs: r.inputs,
    };
  });
}

/** Who trained a Run: the worker the store names, else "local" (the local executor's Runs in older stores). */
export function workerOf(r: { worker?: string | null }): string {
  return r.worker ? r.worker : "local";
}
