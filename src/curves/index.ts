/**
 * Learning curves: fit, combine and forecast. Pure computation (no I/O); see fit.ts for the method.
 */
export type {
  MetricDirection,
  MetricInfo,
  CurvePoint,
  Interval,
  SamplesForResult,
  Diagnostic,
  Confidence,
  CurveFit,
  FamilyWeight,
  FitOptions,
  IntervalOptions,
} from "./types.js";
export { metricInfo, isKnownMetric, KNOWN_METRICS } from "./metric.js";
export { aggregatePoints, type AggregatedPoint } from "./aggregate.js";
export { fitCurve, FittedCurve } from "./forecast.js";
export { FAMILY_NAMES } from "./families.js";
export { parseCsv, curvePointsFromCsv, type CsvTable } from "./csv.js";
export { effectiveMultiplier, type MultiplierResult } from "./multiplier.js";
export {
  pairedMultiplier,
  type PairedMultiplierInput,
  type PairedMultiplierOptions,
  type PairedMultiplierResult,
  type MultiplierReading,
  type TargetMultiplierReading,
  type MultiplierKind,
  type MultiplierVerdict,
} from "./multiplier-paired.js";
