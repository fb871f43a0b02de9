/**
 * Learning the calibration (calibration.ts) from curves whose truth is known (truth.ts): the blend and curvature
 * that minimise the squared log error of the answers, then the smallest interval scales (spreadScale, horizonSd) whose 80%
 * intervals hold the truth at least 80% of the time. Every curve weighs the same, however many targets it has.
 * Grid searches: three numbers, a few hundred answers, and a result that is easy to read back.
 */
import { CALIBRATION, calibratedInterval, NO_CALIBRATION, type Calibration } from "./calibration.js";
import type { FittedCurve } from "./forecast.js";

export interface CalibrationCase {
  curve: string;
  group: string;
  fraction: number;
  /** Fitted (any calibration: it is re-read with each candidate) on the sizes up to the cut. */
  fit: FittedCurve;
  targets: { target: number; truth: number }[];
}

const BLENDS = [0, 0.5, 0.75, 1];
// Below 1 only: a curvature of 1 never levels off, so every target would read as reachable.
const CURVATURES = [0.7, 0.8, 0.9, 0.95];
const SPANS = [1, 2, 4];
const TAILS: Calibration["tail"][] = ["linear", "power"];
// The families' interval width (ln hi/lo) at which the full blend applies; 0 = always.
const BLEND_SPREADS = [0, 1, 2, 3, 4, 6, 8, 12];
const SPREADS = Array.from({ length: 16 }, (_, i) => i * 0.1);
const HORIZONS = Array.from({ length: 21 }, (_, i) => i * 0.05);
/** Log errors beyond this (8x) count as this much: one unreachable answer must not decide the warp alone. */
const LOG_CAP = Math.log(8);
const COVERAGE = 0.8;

type Point = Pick<Calibration, "blend" | "blendSpread" | "curvature" | "slopeSpan" | "tail">;
type Fixed = Pick<Calibration, "thinEvidence" | "flatResume" | "familiesVerdict" | "runNoise">;
interface Raw { truth: number; mean: number; lo: number; hi: number; nMax: number; doubts: number; noise: { lo: number; hi: number }; w: number }
const memo = new WeakMap<CalibrationCase, Map<string, Raw[]>>();

/** The uncalibrated-interval answers of a case under one point calibration (memoised: learning reads them many times). */
function raw(c: CalibrationCase, p: Point, fixed: Fixed, weight: number): Raw[] {
  const { blend, blendSpread, curvature, slopeSpan, tail } = p;
  let m = memo.get(c);
  if (!m) memo.set(c, (m = new Map()));
  const key = `${blend}:${blendSpread}:${curvature}:${slopeSpan}:${tail}:${fixed.familiesVerdict}`;
  let r = m.get(key);
  if (!r) {
    const fit = c.fit.recalibrated({ ...NO_CALIBRATION, blend, blendSpread, curvature, slopeSpan, tail, familiesVerdict: fixed.familiesVerdict });
    r = c.targets.map((t) => {
      const a = fit.samplesFor(t.target);
      return { truth: t.truth, mean: a.mean, lo: a.lo, hi: a.hi, nMax: fit.nMax, doubts: fit.doubts, noise: fit.noiseReach(t.target, a.mean, COVERAGE), w: 1 };
    });
    m.set(key, r);
  }
  return r.map((x) => ({ ...x, w: weight }));
}

/** `fixed`: the calibration's fields that are not learnt (thinEvidence, flatResume, familiesVerdict, runNoise), kept as given. */
export function learnCalibration(cases: readonly CalibrationCase[], fixed: Fixed = CALIBRATION): Calibration {
  if (!cases.some((c) => c.targets.length > 0)) return { ...NO_CALIBRATION };
  const perCurve = new Map<string, number>();
  for (const c of cases) perCurve.set(c.curve, (perCurve.get(c.curve) ?? 0) + c.targets.length);
  const all = (p: Point): Raw[] => cases.flatMap((c) => raw(c, p, fixed, 1 / perCurve.get(c.curve)!));
  let point: Point = { blend: 0, blendSpread: 0, curvature: 1, slopeSpan: 1, tail: "linear" };
  let bestLoss = Infinity;
  const grid: Point[] = BLENDS.flatMap((blend) =>
    blend === 0
      ? [{ blend, blendSpread: 0, curvature: 1, slopeSpan: 1, tail: "linear" as const }]
      : TAILS.flatMap((tail) => CURVATURES.flatMap((curvature) => SPANS.flatMap((slopeSpan) => BLEND_SPREADS.map((blendSpread) => ({ blend, blendSpread, curvature, slopeSpan, tail }))))),
  );
  for (const p of grid) {
    const rs = all(p);
    const loss = rs.reduce((s, r) => {
      const e = r.mean > 0 && Number.isFinite(r.mean) ? Math.min(Math.abs(Math.log(r.mean / r.truth)), LOG_CAP) : LOG_CAP;
      return s + r.w * e * e;
    }, 0);
    if (loss < bestLoss - 1e-12) {
      bestLoss = loss;
      point = p;
    }
  }
  const rs = all(point);
  const wTot = rs.reduce((s, r) => s + r.w, 0);
  let best: { cal: Calibration; cov: number; width: number } | null = null;
  for (const spreadScale of SPREADS) for (const horizonSd of HORIZONS) {
    const cal: Calibration = { ...point, spreadScale, horizonSd, thinEvidence: fixed.thinEvidence, flatResume: fixed.flatResume, familiesVerdict: fixed.familiesVerdict, runNoise: fixed.runNoise };
    let cov = 0;
    let width = 0;
    for (const r of rs) {
      const { lo, hi } = calibratedInterval(r.mean, r.lo, r.hi, r.nMax, cal, COVERAGE, r.doubts, r.noise);
      if (r.truth >= lo && r.truth <= hi) cov += r.w;
      width += r.w * Math.min(lo > 0 && Number.isFinite(hi) ? Math.log(hi / lo) : 2 * LOG_CAP, 2 * LOG_CAP);
    }
    cov /= wTot;
    width /= wTot;
    const ok = cov >= COVERAGE;
    if (!best || (ok && (best.cov < COVERAGE || width < best.width - 1e-12)) || (!ok && best.cov < COVERAGE && cov > best.cov)) best = { cal, cov, width };
  }
  return best!.cal;
}
