/** The metrics a study measures, their spellings, and reading a score out of a Run's evaluation. */
import { InputError } from "../errors.js";
import type { EvalMetrics } from "./run.js";

type Task = "classification" | "regression";

/**
 * Every metric a study can use as its target or curve, by canonical name: which task has it and how a Run's
 * evaluation gives it. `neg_` names are scikit-learn's scorer spellings: the negated error, so higher is better.
 */
const STUDY_METRICS: Record<string, { tasks: readonly Task[]; read: (m: EvalMetrics) => number | undefined }> = {
  accuracy: { tasks: ["classification"], read: (m) => m.accuracy },
  error: { tasks: ["classification"], read: (m) => (m.accuracy === undefined ? undefined : 1 - m.accuracy) },
  f1: { tasks: ["classification"], read: (m) => m.f1 },
  balanced_accuracy: { tasks: ["classification"], read: (m) => m.balancedAccuracy },
  auc: { tasks: ["classification"], read: (m) => m.auc },
  neg_log_loss: { tasks: ["classification"], read: (m) => -m.loss },
  loss: { tasks: ["classification", "regression"], read: (m) => m.loss },
  r2: { tasks: ["regression"], read: (m) => m.r2 },
  mse: { tasks: ["regression"], read: (m) => m.mse },
  rmse: { tasks: ["regression"], read: (m) => (m.mse === undefined ? undefined : Math.sqrt(m.mse)) },
  mae: { tasks: ["regression"], read: (m) => m.mae },
  neg_mean_squared_error: { tasks: ["regression"], read: (m) => (m.mse === undefined ? undefined : -m.mse) },
  neg_root_mean_squared_error: { tasks: ["regression"], read: (m) => (m.mse === undefined ? undefined : -Math.sqrt(m.mse)) },
  neg_mean_absolute_error: { tasks: ["regression"], read: (m) => (m.mae === undefined ? undefined : -m.mae) },
};

/** Other spellings users bring from scikit-learn and elsewhere. */
const ALIASES: Record<string, string> = {
  acc: "accuracy",
  f1_macro: "f1",
  macro_f1: "f1",
  roc_auc: "auc",
  roc_auc_ovr: "auc",
  mean_absolute_error: "mae",
  mean_squared_error: "mse",
  root_mean_squared_error: "rmse",
};

/** Metrics read from a Run's predictions (engine/scores.ts), absent from Runs stored before they were measured. */
const FROM_PREDICTIONS = new Set(["f1", "balanced_accuracy", "auc", "mae", "neg_mean_absolute_error"]);

export const SUPPORTED_METRICS: readonly string[] = Object.keys(STUDY_METRICS);

/** The canonical name of a metric as written ("F1-macro" -> "f1", "roc_auc" -> "auc"); unknown names unchanged. */
export function studyMetricName(name: string): string {
  const key = name.trim().toLowerCase().replace(/[-\s]+/g, "_");
  return ALIASES[key] ?? key;
}

export function defaultMetric(task: Task): string {
  return task === "classification" ? "accuracy" : "r2";
}

/** Refuses a metric no study measures (before the data loads: the task is not known yet). */
export function checkKnownMetric(metric: string): void {
  if (!(metric in STUDY_METRICS)) {
    throw new InputError("BAD_METRIC", `the metric "${metric}" is not one a study measures`, { hint: `use one of: ${SUPPORTED_METRICS.join(", ")}` });
  }
}

export function checkMetric(metric: string, task: Task): void {
  const ok = SUPPORTED_METRICS.filter((m) => STUDY_METRICS[m]!.tasks.includes(task));
  if (!ok.includes(metric)) {
    throw new InputError("BAD_METRIC", `the metric "${metric}" is not available for ${task}`, { hint: `use one of: ${ok.join(", ")}` });
  }
}

/** The score of one evaluation, or undefined when the evaluation lacks it. */
export function scoreOf(m: EvalMetrics | null | undefined, metric: string): number | undefined {
  if (!m) return undefined;
  const v = STUDY_METRICS[metric]?.read(m);
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}

/**
 * Whether a stored Run was measured before `metric` existed (its evaluations have none of the prediction-derived
 * metrics), so that a study reading that metric trains it again instead of finding no score. A Run measured since
 * always has F1 (classification) or MAE (regression), even where AUC is undefined on a one-class slice.
 */
export function measuredBefore(metrics: { test: EvalMetrics }, metric: string): boolean {
  return FROM_PREDICTIONS.has(metric) && metrics.test.f1 === undefined && metrics.test.mae === undefined;
}
