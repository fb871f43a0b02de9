/** Public types of the curves layer: learning-curve points, fitted curves and forecasts. */

export type MetricDirection = "up" | "down";

/** What a score means: which way is better, its hard bounds and the chance level (a floor hint). */
export interface MetricInfo {
  name: string;
  direction: MetricDirection;
  lower?: number;
  upper?: number;
  chance?: number;
}

/** One measurement: the metric of a model trained on n samples (one seed). */
export interface CurvePoint {
  n: number;
  score: number;
  seed?: number | string;
}

export interface Interval {
  mean: number;
  lo: number;
  hi: number;
}

export interface SamplesForResult extends Interval {
  /** true: the target is reached within the interval; false: the asymptote's interval lies short of it. */
  reachable: boolean | "uncertain";
  /** Probability (over the fitted uncertainty) that the target is reachable at all. */
  confidence: number;
}

export interface Diagnostic {
  code: string;
  severity: "info" | "warning" | "error";
  message: string;
}

export type Confidence = "high" | "medium" | "low";

export interface FamilyWeight {
  name: string;
  weight: number;
  params: Record<string, number>;
  /** Rolling-origin validation error (RMSE of forecasts of later sizes from earlier ones, metric units). */
  cvError: number;
}

/** Options shared by the interval-returning forecasts. */
export interface IntervalOptions {
  /** Central probability of the interval (default 0.8). */
  confidence?: number;
  /**
   * "curve" (default): where the expected score at n lies. "observation": where one new run's score at n lies
   * (adds the seed-to-seed noise); use this to check a future measurement.
   */
  kind?: "curve" | "observation";
}

export interface CurveFit {
  metric: MetricInfo;
  points: CurvePoint[];
  /** The single family when one dominates, otherwise "ensemble". */
  family: string;
  families: FamilyWeight[];
  diagnostics: Diagnostic[];
  confidence: Confidence;
  /** Largest observed n. */
  nMax: number;
  scoreAt(n: number, opts?: IntervalOptions): Interval;
  samplesFor(target: number, opts?: { confidence?: number }): SamplesForResult;
  /** Expected gain (in the metric's better direction, so positive = better) from k more samples at n. */
  marginalGain(n: number, k: number, opts?: { confidence?: number }): Interval;
  gainPerDoubling(n: number, opts?: { confidence?: number }): Interval;
  /** The score the curve tends to as n grows (the irreducible error for a falling metric). */
  asymptote(opts?: { confidence?: number }): Interval;
  /** The n beyond which one more doubling gains less than epsilon. */
  saturation(epsilon: number, opts?: { confidence?: number }): Interval & { reachable: boolean };
  toJSON(): object;
}

export interface FitOptions {
  metric: MetricInfo | string;
  /** Seed for every random choice (bootstrap); the same seed gives the same output. Default 1. */
  seed?: number;
  /** Restrict to these families (default: all). */
  families?: string[];
  /** Bootstrap replicates (default 200; 0 disables parameter uncertainty). */
  bootstrap?: number;
  /** How answers beyond the measured sizes are calibrated (default: the corpus-learnt CALIBRATION; see calibration.ts). */
  calibration?: import("./calibration.js").Calibration;
}
