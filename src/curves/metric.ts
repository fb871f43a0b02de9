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
  mean_squared_error: { direction: "down", lower: 0 },
  root_mean_squared_error: { direction: "down", lower: 0 },
  mean_absolute_error: { direction: "down", lower: 0 },
  perplexity: { direction: "down", lower: 1 },
  f1_macro: { direction: "up", lower: 0, upper: 1 },
  roc_auc_ovr: { direction: "up", lower: 0, upper: 1, chance: 0.5 },
};

export const KNOWN_METRICS: readonly string[] = Object.keys(KNOWN);

/**
 * The MetricInfo for a metric name (case-insensitive; "-" and " " read as "_"). An unknown name ending in
 * "loss"/"error" falls; any other unknown name rises, with no bounds. `neg_<metric>` (scikit-learn's scorer
 * spelling: neg_log_loss, neg_mean_absolute_error) is the negated metric: higher is better, bounds mirrored.
 */
export function metricInfo(name: string, opts: { chance?: number } = {}): MetricInfo {
  const key = normalise(name);
  const info: MetricInfo = { name: key, ...baseInfo(key) };
  if (opts.chance !== undefined) info.chance = opts.chance;
  return info;
}

function baseInfo(key: string): Omit<MetricInfo, "name"> {
  const known = KNOWN[key];
  if (known) return { ...known };
  if (key.startsWith("neg_") && key.length > 4) {
    const of = baseInfo(key.slice(4));
    const out: Omit<MetricInfo, "name"> = { direction: of.direction === "up" ? "down" : "up" };
    if (of.upper !== undefined) out.lower = 0 - of.upper; // 0 - x, not -x: no -0 for a bound of 0
    if (of.lower !== undefined) out.upper = 0 - of.lower;
    if (of.chance !== undefined) out.chance = 0 - of.chance;
    return out;
  }
  return /(loss|error|err|mse|mae|rmse)$/.test(key) ? { direction: "down" } : { direction: "up" };
}

function normalise(name: string): string {
  return name.trim().toLowerCase().replace(/[-\s]+/g, "_");
}

/** Whether `name` is one of the built-in metric names, or the neg_ of one (after normalisation). */
export function isKnownMetric(name: string): boolean {
  const key = normalise(name);
  return key in KNOWN || (key.startsWith("neg_") && key.slice(4) in KNOWN);
}
