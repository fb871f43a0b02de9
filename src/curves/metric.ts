import type { MetricInfo } from "./types.js";

/** Known metrics: direction and hard bounds. Chance level is data-dependent, so the caller passes it. */
const KNOWN: Record<string, Omit<MetricInfo, "name">> = {
  accuracy: { direction: "up", lower: 0, upper: 1 },
  acc: { direction: "up", lower: 0, upper: 1 },
  balanced_accuracy: { direction: "up", lower: 0, upper: 1 },
  f1: { direction: "up", lower: 0, upper: 1 },
  precision: { direction: "up", lower: 0, upper: 1 },
  recall: { direction: "up", lower: 0, upper: 1 },
  auc: { direction: "up", lower: 0, upper: 1, chance: 0.5 },
  roc_auc: { direction: "up", lower: 0, upper: 1, chance: 0.5 },
  r2: { direction: "up", upper: 1, chance: 0 },
  iou: { direction: "up", lower: 0, upper: 1 },
  map: { direction: "up", lower: 0, upper: 1 },
  error: { direction: "down", lower: 0, upper: 1 },
  error_rate: { direction: "down", lower: 0, upper: 1 },
  loss: { direction: "down", lower: 0 },
  logloss: { direction: "down", lower: 0 },
  log_loss: { direction: "down", lower: 0 },
  cross_entropy: { direction: "down", lower: 0 },
  mse: { direction: "down", lower: 0 },
  rmse: { direction: "down", lower: 0 },
  mae: { direction: "down", lower: 0 },
  perplexity: { direction: "down", lower: 1 },
};

export const KNOWN_METRICS: readonly string[] = Object.keys(KNOWN);

/**
 * The MetricInfo for a metric name (case-insensitive; "-" and " " read as "_"). An unknown name ending in
 * "loss"/"error" falls; any other unknown name rises, with no bounds.
 */
export function metricInfo(name: string, opts: { chance?: number } = {}): MetricInfo {
  const key = name.trim().toLowerCase().replace(/[-\s]+/g, "_");
  const known = KNOWN[key];
  let info: MetricInfo;
  if (known) info = { name: key, ...known };
  else if (/(loss|error|err|mse|mae|rmse)$/.test(key)) info = { name: key, direction: "down" };
  else info = { name: key, direction: "up" };
  if (opts.chance !== undefined) info.chance = opts.chance;
  return info;
}

/** Whether `name` is one of the built-in metric names (after normalisation). */
export function isKnownMetric(name: string): boolean {
  return name.trim().toLowerCase().replace(/[-\s]+/g, "_") in KNOWN;
}
