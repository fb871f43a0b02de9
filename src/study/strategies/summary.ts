/**
 * A lever's answer from its paired points: the effective data multiplier (pairedMultiplier: per size, at the
 * target, at the pool, with 80% intervals), a verdict in words, and its cost beside the gain.
 *
 * The verdict is stricter than pairedMultiplier's interval alone: "helps" needs the interval above 1 AND a point
 * value of at least x1.1 ("hurts": below 1 and at most x1/1.1). With three seeds a paired interval can exclude 1
 * for a 3% effect that no one would collect data over; calling that "helps" is the large-multiplier-from-noise
 * failure the issue warns about.
 */
import { pairedMultiplier, type MultiplierReading, type MultiplierVerdict, type PairedMultiplierResult } from "../../curves/multiplier-paired.js";
import type { MetricInfo } from "../../curves/types.js";
import type { FitCurveFn } from "../analysis.js";
import type { LeverResult, MultiplierRow, ScorePoint } from "./result.js";

export const PRACTICAL_EFFECT = 1.1;

export function practicalVerdict(r: Pick<MultiplierReading, "value" | "lo" | "hi">): MultiplierVerdict {
  if (r.lo > 1 && r.value >= PRACTICAL_EFFECT) return "helps";
  if (r.hi < 1 && r.value <= 1 / PRACTICAL_EFFECT) return "hurts";
  return "no clear effect";
}

function row(r: MultiplierReading): MultiplierRow {
  return { n: r.n, value: r.value, lo: r.lo, hi: Number.isFinite(r.hi) ? r.hi : null, kind: r.kind, extrapolated: r.extrapolated, verdict: practicalVerdict(r), text: r.text };
}

/** Below this many seeds paired at the target, its bootstrap over seeds has nothing to resample: no interval. */
export const MIN_SEEDS_FOR_TARGET_INTERVAL = 3;
export const TOO_FEW_SEEDS = "too few seeds for an interval at the target (use --seeds 3 or more)";

/**
 * The target's reading without an interval (lo and hi null, and why): with 1-2 paired seeds the paired bootstrap
 * gives 0-inf, a range that says nothing and reads like a number. Its verdict cannot be "helps" or "hurts".
 */
function withoutInterval<T extends MultiplierRow>(r: T): T {
  return { ...r, lo: null, hi: null, verdict: "no clear effect", noInterval: TOO_FEW_SEEDS, text: `x${r.value.toFixed(2)}; ${TOO_FEW_SEEDS}` };
}

export interface LeverInput {
  label: string;
  kind: LeverResult["kind"];
  identical: boolean;
  points: ScorePoint[];
  /** Seconds of the lever's Runs and the baseline's on the same (size, seed) pairs. */
  seconds: { lever: number; baseline: number } | null;
  inferenceX: number;
  best?: LeverResult["best"];
  /** dp: what the lever's Runs spent. */
  privacy?: LeverResult["privacy"];
  /** synthetic: the fidelity of the generated rows, per size (synthetic.ts). */
  synthetic?: LeverResult["synthetic"];
  /** semi: what its Runs did with the unlabelled rows. */
  semi?: LeverResult["semi"];
  /** transfer:source: the pretraining (amortised into computeX over this study's Runs of the lever). */
  pretrain?: { seconds: number; reused: boolean; artifact: string };
}

export function summariseLever(
  lever: LeverInput,
  baseline: ScorePoint[],
  o: { info: MetricInfo; target: number | undefined; pool: number; fitCurve: FitCurveFn; replicates?: number },
): LeverResult {
  let m: PairedMultiplierResult | null = null;
  let why = "";
  const strategy = lever.identical ? baseline : lever.points;
  try {
    m = pairedMultiplier({ baseline, strategy, metric: o.info, ...(o.target !== undefined ? { target: o.target } : {}), pool: o.pool }, { replicates: o.replicates ?? 200 });
  } catch (err) {
    why = `no multiplier: ${(err as Error).message}`;
  }
  const fewSeeds = !!m?.atTarget && m.pairedSeeds < MIN_SEEDS_FOR_TARGET_INTERVAL;
  // The verdict rests on measured evidence: the target's reading when a target is given, else the pool's only when
  // the pool was measured, else the largest measured size. A pool beyond the measured sizes is read off two
  // extrapolated curves; on a flat baseline that inversion is ill-posed (a transfer that helped at every measured
  // size read "x0.04, hurts" at the pool), so it is shown, marked, but never decides.
  const largest = m?.perSize[m.perSize.length - 1];
  const poolMeasured = !!m?.atPool && !!largest && m.atPool.n <= largest.n;
  const headline = m ? (m.atTarget ?? (poolMeasured ? m.atPool : largest)) : undefined;
  const verdict: MultiplierVerdict = lever.identical || (fewSeeds && headline === m?.atTarget) ? "no clear effect" : headline ? practicalVerdict(headline) : "no clear effect";
  const where = headline && headline === largest && headline !== m?.atTarget ? ` at n=${headline.n}, the largest size measured` : "";
  const headText = fewSeeds && headline === m?.atTarget ? `x${headline!.value.toFixed(2)} at the target; ${TOO_FEW_SEEDS}` : headline ? `${headline.text}${where}` : undefined;
  // Privacy reads as a data cost: x0.4 of the data's worth is 2.5 times the data for the same score. Said only when
  // the verdict is "hurts" (with no clear effect there is no cost to state); an upper bound on the multiplier is a
  // lower bound on the cost.
  const costWord = headline?.kind === "upper-bound" ? "at least" : headline?.kind === "lower-bound" ? "at most" : "about";
  const dataCost = lever.kind === "dp" && verdict === "hurts" && headline && headline.value > 0 ? `; privacy costs ${costWord} ${(1 / headline.value).toFixed(1)}x the data` : "";
  const summary = lever.identical
    ? "no clear effect (x1.00: the same Runs as the baseline)"
    : headline
      ? `${verdict} (${headText})${dataCost}${m?.fadesAt !== undefined ? `; fades from n=${m.fadesAt}` : ""}`
      : why || "no multiplier: too few measured sizes";
  const targetRow = m?.atTarget ? { ...row(m.atTarget), baselineN: m.atTarget.baselineN, strategyN: m.atTarget.strategyN } : null;
  const atTarget = targetRow && fewSeeds ? withoutInterval(targetRow) : targetRow;
  const labelsSaved = atTarget && atTarget.kind === "estimate" && Number.isFinite(atTarget.baselineN) && Number.isFinite(atTarget.strategyN) ? Math.round(atTarget.baselineN - atTarget.strategyN) : null;
  return {
    label: lever.label,
    kind: lever.kind,
    identical: lever.identical,
    verdict,
    summary,
    multiplier: m ? { perSize: m.perSize.map(row), atTarget, atPool: m.atPool ? row(m.atPool) : null, fadesAt: m.fadesAt ?? null, pairedSeeds: m.pairedSeeds } : null,
    points: strategy,
    scoreAtPool: scoreAt(strategy, o),
    cost: {
      computeX: lever.identical ? 1 : lever.seconds && lever.seconds.baseline > 0 ? (lever.seconds.lever + (lever.pretrain?.seconds ?? 0)) / lever.seconds.baseline : null,
      inferenceX: lever.inferenceX,
      labelsSaved,
      ...(lever.pretrain ? { pretrain: lever.pretrain } : {}),
    },
    ...(lever.best ? { best: lever.best } : {}),
    ...(lever.privacy ? { privacy: lever.privacy } : {}),
    ...(lever.synthetic ? { synthetic: lever.synthetic } : {}),
    ...(lever.semi ? { semi: lever.semi } : {}),
  };
}

/** The fitted curve's score at the pool size with its 80% interval; null when the points cannot be fitted. */
export function scoreAt(points: ScorePoint[], o: { info: MetricInfo; pool: number; fitCurve: FitCurveFn }): { mean: number; lo: number; hi: number } | null {
  if (new Set(points.map((p) => p.n)).size < 2) return null;
  try {
    const f = o.fitCurve(points, { metric: o.info, bootstrap: 50 });
    const s = f.scoreAt(o.pool);
    return Number.isFinite(s.mean) ? { mean: s.mean, lo: s.lo, hi: s.hi } : null;
  } catch {
    return null;
  }
}
