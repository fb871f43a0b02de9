/**
 * From finished Runs to answers: per-split learning curves (test, validation, train), their fits, forecasts at the
 * sizes people ask about, the samples needed for the target, and the train/validation gap. Pure: the curve fitter
 * is passed in, nothing is printed or stored here.
 */
import type { AggregatedPoint, CurveFit, CurvePoint, Diagnostic, FitOptions, Interval, SamplesForResult } from "../curves/index.js";
import { scoreOf } from "./metrics.js";
import type { RunRecord } from "./runner.js";

export type FitCurveFn = (points: CurvePoint[], opts: FitOptions) => CurveFit;
export type AggregateFn = (points: readonly CurvePoint[]) => AggregatedPoint[];

export type Split = "test" | "valid" | "train";
export const SPLITS: Split[] = ["test", "valid", "train"];

export interface Prediction extends Interval {
  n: number;
  /** Why this n is listed: measured, asked for with --at, the pool, or the target. */
  kind: "measured" | "at" | "have" | "target";
}

export interface GapRow {
  n: number;
  train: number;
  valid: number;
  gap: number;
}

export interface GapAnalysis {
  rows: GapRow[];
  /** A gap at least this large (in the better direction) reads as overfitting. */
  threshold: number;
  /** The smallest measured n from which the gap stays below the threshold; null when it never does. */
  overfitsBelow: number | null;
  verdict: "overfits-at-small-n" | "overfits-everywhere" | "no-large-gap" | "unknown";
}

export interface Analysis {
  metric: string;
  direction: "up" | "down";
  have: number;
  seedPoints: Record<Split, CurvePoint[]>;
  points: Record<Split, AggregatedPoint[]>;
  fits: Record<Split, CurveFit | null>;
  fitErrors: Partial<Record<Split, string>>;
  predictions: Prediction[];
  /** The test curve's fitted band on a log grid from the smallest measured n to the extrapolation end. */
  band: { n: number; mean: number; lo: number; hi: number }[];
  samplesForTarget: SamplesForResult | null;
  scoreAtHave: Interval | null;
  /** The measured score at the largest size (mean and sd over seeds). */
  measuredAtMax: AggregatedPoint | null;
  nextGain: (Interval & { k: number }) | null;
  gainPerDoubling: Interval | null;
  /** Doublings of n after which the gain per doubling halves (power-law reading); null when not meaningful. */
  halvingDoublings: number | null;
  asymptote: Interval | null;
  diagnostics: Diagnostic[];
  confidence: "high" | "medium" | "low" | "none";
  gap: GapAnalysis;
}

export interface AnalyseOptions {
  metric: string;
  direction: "up" | "down";
  /** Chance level of the metric (1 / classes for accuracy), a floor hint for the fitter. */
  chance?: number;
  bounds?: { lower?: number; upper?: number };
  target: number | null;
  /** Labelled samples available for training (the pool). */
  have: number;
  at: number[];
  fitCurve: FitCurveFn;
  aggregate: AggregateFn;
  /** Bootstrap replicates for the test fit (validation/train fits use fewer: they only feed the gap chart). */
  bootstrap?: number;
  seed?: number;
}

export function analyse(records: RunRecord[], o: AnalyseOptions): Analysis {
  const done = records.filter((r) => r.status === "done" && r.result);
  const seedPoints = {} as Record<Split, CurvePoint[]>;
  const points = {} as Record<Split, AggregatedPoint[]>;
  const fits = {} as Record<Split, CurveFit | null>;
  const fitErrors: Partial<Record<Split, string>> = {};
  const metricInfo = { name: o.metric, direction: o.direction, ...o.bounds, ...(o.chance !== undefined ? { chance: o.chance } : {}) };
  for (const split of SPLITS) {
    seedPoints[split] = [];
    for (const r of done) {
      const score = scoreOf(r.result!.metrics[split], o.metric);
      if (score !== undefined) seedPoints[split].push({ n: r.size, score, seed: r.seed });
    }
    seedPoints[split].sort((a, b) => a.n - b.n || Number(a.seed) - Number(b.seed));
    points[split] = o.aggregate(seedPoints[split]);
    fits[split] = null;
    if (points[split].length === 0) continue;
    try {
      fits[split] = o.fitCurve(seedPoints[split], { metric: metricInfo, seed: o.seed ?? 1, bootstrap: split === "test" ? o.bootstrap : Math.min(o.bootstrap ?? 200, 50) });
    } catch (err) {
      fitErrors[split] = (err as Error).message;
    }
  }
  const fit = fits.test;
  const test = points.test;
  const nMax = test.length ? test[test.length - 1]!.n : 0;
  const measuredAtMax = test.length ? test[test.length - 1]! : null;
  const diagnostics: Diagnostic[] = fit ? [...fit.diagnostics] : [];
  if (!fit) {
    const sizes = test.length;
    diagnostics.push({
      code: "NO_FIT",
      severity: "error",
      message: `no curve could be fitted from ${sizes} measured size${sizes === 1 ? "" : "s"}${fitErrors.test ? ` (${fitErrors.test})` : ""}; at least ${Math.max(1, 3 - sizes)} more size(s) are needed`,
    });
  }
  const safe = <T>(f: () => T): T | null => {
    try {
      const v = f();
      return v ?? null;
    } catch {
      return null;
    }
  };
  const samplesForTarget = fit && o.target !== null ? safe(() => fit.samplesFor(o.target!)) : null;
  const predictions: Prediction[] = [];
  if (fit) {
    const add = (n: number, kind: Prediction["kind"]) => {
      if (!(n > 0) || predictions.some((p) => p.n === n)) return;
      const s = safe(() => fit.scoreAt(n));
      if (s) predictions.push({ n, kind, mean: s.mean, lo: s.lo, hi: s.hi });
    };
    for (const p of test) add(p.n, "measured");
    add(o.have, "have");
    for (const n of o.at) add(n, "at");
    if (samplesForTarget && samplesForTarget.reachable !== false && Number.isFinite(samplesForTarget.mean)) add(Math.round(samplesForTarget.mean), "target");
    predictions.sort((a, b) => a.n - b.n);
  }
  const band: Analysis["band"] = [];
  if (fit && test.length) {
    const nLo = test[0]!.n;
    let nHi = Math.max(nMax, o.have, ...o.at);
    if (samplesForTarget && samplesForTarget.reachable !== false && Number.isFinite(samplesForTarget.hi)) nHi = Math.max(nHi, Math.min(samplesForTarget.hi, 100 * nHi));
    nHi = Math.max(nHi * 1.25, nLo * 2);
    const steps = 60;
    for (let i = 0; i <= steps; i++) {
      const n = Math.round(nLo * Math.pow(nHi / nLo, i / steps));
      const s = safe(() => fit.scoreAt(n));
      if (s && Number.isFinite(s.mean)) band.push({ n, mean: s.mean, lo: s.lo, hi: s.hi });
    }
  }
  const k = niceStep(o.have);
  const nextGain = fit ? safe(() => ({ ...fit.marginalGain(o.have, k), k })) : null;
  const gainPerDoubling = fit ? safe(() => fit.gainPerDoubling(o.have)) : null;
  let halvingDoublings: number | null = null;
  if (fit && gainPerDoubling) {
    const next = safe(() => fit.gainPerDoubling(2 * o.have));
    const r = next && gainPerDoubling.mean > 0 ? next.mean / gainPerDoubling.mean : NaN;
    if (r > 0 && r < 0.99) halvingDoublings = Math.log(0.5) / Math.log(r);
  }
  return {
    metric: o.metric,
    direction: o.direction,
    have: o.have,
    seedPoints,
    points,
    fits,
    fitErrors,
    predictions,
    band,
    samplesForTarget,
    scoreAtHave: fit ? safe(() => fit.scoreAt(o.have)) : null,
    measuredAtMax,
    nextGain,
    gainPerDoubling,
    halvingDoublings,
    asymptote: fit ? safe(() => fit.asymptote()) : null,
    diagnostics,
    confidence: fit ? fit.confidence : "none",
    gap: gapAnalysis(points.train, points.valid, o.direction, o.bounds?.upper !== undefined ? 0.05 : null),
  };
}

/**
 * The train/validation gap per measured size. With a bounded metric (accuracy) a gap of 0.05 or more reads as
 * overfitting; for unbounded metrics the threshold is 10% of the validation score's magnitude.
 */
export function gapAnalysis(train: AggregatedPoint[], valid: AggregatedPoint[], direction: "up" | "down", absThreshold: number | null): GapAnalysis {
  const rows: GapRow[] = [];
  for (const v of valid) {
    const t = train.find((p) => p.n === v.n);
    if (!t) continue;
    rows.push({ n: v.n, train: t.mean, valid: v.mean, gap: direction === "up" ? t.mean - v.mean : v.mean - t.mean });
  }
  const lastValid = rows.length ? Math.abs(rows[rows.length - 1]!.valid) : 1;
  const threshold = absThreshold ?? Math.max(1e-9, 0.1 * lastValid);
  if (!rows.length) return { rows, threshold, overfitsBelow: null, verdict: "unknown" };
  let from = rows.length;
  while (from > 0 && rows[from - 1]!.gap < threshold) from--;
  if (from === 0) return { rows, threshold, overfitsBelow: null, verdict: "no-large-gap" };
  if (from === rows.length) return { rows, threshold, overfitsBelow: null, verdict: "overfits-everywhere" };
  return { rows, threshold, overfitsBelow: rows[from]!.n, verdict: "overfits-at-small-n" };
}

/** A round step near a quarter of n (10,000 for 48,000): "the next 10,000 samples add ...". */
export function niceStep(n: number): number {
  const q = Math.max(1, n / 4);
  const p = Math.pow(10, Math.floor(Math.log10(q)));
  const m = q / p;
  return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}
