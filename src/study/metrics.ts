/** Reading a score out of a Run's evaluation, in the study's metric. */
import { InputError } from "../errors.js";
import type { EvalMetrics } from "./run.js";

export const SUPPORTED_METRICS = ["accuracy", "error", "loss", "r2", "mse", "rmse"] as const;

export function defaultMetric(task: "classification" | "regression"): string {
  return task === "classification" ? "accuracy" : "r2";
}

export function checkMetric(metric: string, task: "classification" | "regression"): void {
  const ok = task === "classification" ? ["accuracy", "error", "loss"] : ["r2", "mse", "rmse", "loss"];
  if (!ok.includes(metric)) {
    throw new InputError("BAD_METRIC", `the metric "${metric}" is not available for ${task}`, { hint: `use one of: ${ok.join(", ")}` });
  }
}

/** The score of one evaluation, or undefined when the evaluation lacks it. */
export function scoreOf(m: EvalMetrics | null | undefined, metric: string): number | undefined {
  if (!m) return undefined;
  let v: number | undefined;
  switch (metric) {
    case "accuracy": v = m.accuracy; break;
    case "error": v = m.accuracy === undefined ? undefined : 1 - m.accuracy; break;
    case "loss": v = m.loss; break;
    case "r2": v = m.r2; break;
    case "mse": v = m.mse; break;
    case "rmse": v = m.mse === undefined ? undefined : Math.sqrt(m.mse); break;
  }
  return v !== undefined && Number.isFinite(v) ? v : undefined;
}
