/**
 * `strategies --cost`: each row (the baseline and every lever) priced to reach the target with costToTarget, the
 * same arithmetic as `estimate --cost`. A row's samples for the target come from its own fitted curve (so a lever
 * with a multiplier above 1 buys fewer labels); its time per Run is the baseline's measured time model times the
 * lever's measured compute ratio (augmentation's overhead, an ensemble's k members, a search's trials, a transfer's
 * pretraining spread over its Runs); its study compute is the seconds its own Runs took. Rows are ranked by the
 * total's mean; `overlap` says when the two cheapest totals' intervals overlap (no clear winner).
 */
import { costToTarget, type Prices } from "../../cost/index.js";
import type { Interval, MetricInfo } from "../../curves/index.js";
import type { FitCurveFn } from "../analysis.js";
import type { LeverResult, ScorePoint, StrategyCost, StrategyCosts } from "./result.js";

export type { StrategyCost, StrategyCosts } from "./result.js";

export function strategyCosts(o: {
  prices: Prices;
  target: number | undefined;
  info: MetricInfo;
  pool: number;
  fitCurve: FitCurveFn;
  baseline: ScorePoint[];
  levers: readonly LeverResult[];
  /** The baseline's wall seconds per Run at n, with spread (planner time model); null when no Run finished. */
  baseTime: ((n: number) => Interval) | null;
  /** Seconds the row's own Runs took in this study (a lever's: its Runs and any pretraining). */
  studySeconds: (label: string | null) => number;
  threads: number;
  device: "cpu" | "cuda";
  bytesPerSample: number;
}): StrategyCosts {
  const notes: string[] = [];
  const samplesFor = (label: string, points: ScorePoint[]): StrategyCost["samplesForTarget"] => {
    if (o.target === undefined || new Set(points.map((p) => p.n)).size < 3) return null;
    try {
      const s = o.fitCurve(points, { metric: o.info, seed: 1, bootstrap: 60 }).samplesFor(o.target);
      const least = Math.min(...points.map((p) => p.n));
      if (Number.isFinite(s.mean) && s.mean < least) {
        // Past the target already at the smallest size measured: that size bounds the need (a curve read back
        // toward zero samples is not evidence).
        notes.push(`${label}: past the target at the smallest size measured (${least}): its samples are at most that`);
        return { mean: least, lo: least, hi: least, reachable: true };
      }
      return { mean: s.mean, lo: s.lo, hi: s.hi, reachable: s.reachable };
    } catch {
      return null;
    }
  };
  const row = (label: string, points: ScorePoint[], computeX: number | null, studySeconds: number): StrategyCost => {
    const sf = samplesFor(label, points);
    const t = o.baseTime;
    const runSeconds = t && computeX !== null ? (n: number) => scale(t(n), computeX) : null;
    const plan = costToTarget({ prices: o.prices, samplesForTarget: sf, pool: o.pool, runSeconds, studySeconds, threads: o.threads, device: o.device, bytesPerSample: o.bytesPerSample });
    return { label, samplesForTarget: sf, computeX, plan };
  };
  const rows = [row("baseline", o.baseline, 1, o.studySeconds(null)), ...o.levers.map((l) => row(l.label, l.identical ? o.baseline : l.points, l.cost.computeX, o.studySeconds(l.label)))];
  rows.sort((a, b) => (a.plan.total?.mean ?? Infinity) - (b.plan.total?.mean ?? Infinity));
  if (o.levers.some((l) => l.kind === "extra")) notes.push("the extra rows' own price is not known: their row's labels are yours only");
  if (o.levers.some((l) => l.kind === "ensemble")) notes.push("an ensemble of k also costs k times the inference (not in the total)");
  notes.push("time per Run: the baseline's measured time model times each row's measured compute ratio");
  const [a, b] = rows.filter((r) => r.plan.total && Number.isFinite(r.plan.total.mean));
  const overlap = !!a && !!b && b.plan.total!.lo <= a.plan.total!.hi;
  return { rows, overlap, notes };
}

function scale(i: Interval, k: number): Interval {
  return { mean: i.mean * k, lo: i.lo * k, hi: i.hi * k };
}
