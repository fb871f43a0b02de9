/**
 * `estimate --plan`: a data-collection plan from the study's own Runs. Per unit (class, or value of a --group
 * column) a learning curve of its test recall (class) or accuracy (group) against its own count; from them, which
 * units to collect more of (marginal gain in the overall score per sample), the cheapest collection that reaches the
 * target with the overall score it predicts (and its interval), what collecting in the pool's proportions would
 * need instead, and each unit's data need at a common score relative to the unit that needs the fewest.
 */
import type { CurveFit, Interval, MetricInfo } from "../../curves/index.js";
import { int } from "../../format.js";
import type { FitCurveFn } from "../analysis.js";
import { allocate, gridded, proportional, type AllocUnit } from "./allocate.js";
import { dataNeeds, type NeedRow } from "./needs.js";
import type { UnitRuns } from "./units.js";
import type { PlanCheck } from "./check.js";

export interface PlanUnitRow {
  name: string;
  /** Labelled samples of this unit in the pool, and its test rows (its weight in the overall score). */
  poolCount: number;
  testRows: number;
  weight: number;
  /** The unit's mean score at the largest measured size (its count there, seeds). */
  measured: { n: number; mean: number; seeds: number } | null;
  /** The unit's curve at its pool count, 80% interval. */
  scoreAtPool: Interval | null;
  /** Overall score gained per 1,000 more samples of this unit (at its pool count), 80% interval. */
  gainPer1000: Interval | null;
  /** Samples of this unit the plan collects (null without a target or a plan). */
  collect: number | null;
  confidence: "high" | "medium" | "low" | null;
  fitError?: string;
}

export interface CollectionPlan {
  /** "class", or the group column's name. */
  by: string;
  kind: "class" | "group";
  /** What a unit's score is: recall for a class, accuracy within a group. */
  score: "recall" | "accuracy";
  /** How the Runs behind the curves were drawn, in words. */
  drawn: string;
  /** By class: the check Runs (one class over-sampled) measured against the curves' prediction (check.ts). */
  check?: PlanCheck;
  /** Most gain per sample first. */
  units: PlanUnitRow[];
  target: number | null;
  /** The cheapest collection reaching the target on the units' curves (every sample priced the same). */
  plan: { total: number; predicted: Interval; reached: boolean; labelCost: Interval | null } | null;
  /** Collecting in the pool's proportions instead (the same curves). */
  proportional: { total: number; predicted: number; reached: boolean } | null;
  /** The overall score at the pool as the units' curves add it up (a check against the overall curve). */
  overallAtPool: Interval | null;
  /**
   * Each unit's samples for `level` (the lowest of the units' scores at the largest measured size) relative to the
   * unit needing the fewest; a unit past the level at its smallest measured count is an "at most" (needs.ts).
   */
  needs: { level: number; reference: string; rows: NeedRow[] } | null;
  runs: { used: number; missing: number };
  sentences: string[];
  notes: string[];
}

type PlanInput = {
  kind: "class" | "group";
  by: string;
  runs: UnitRuns;
  fitCurve: FitCurveFn;
  /** Overall accuracy to reach; null: no target (marginal gains and needs only). */
  target: number | null;
  /** The overall curve's score at the pool, for the check sentence. */
  overallAtPool: Interval | null;
  labelPrice?: number;
  bootstrap?: number;
};

export function collectionPlan(o: PlanInput): CollectionPlan {
  return planWithFits(o).plan;
}

/** The plan and each unit's fitted curve (null: none), in `o.runs.units`' order: the plan check predicts from them. */
export function planWithFits(o: PlanInput): { plan: CollectionPlan; fits: (CurveFit | null)[] } {
  const score = o.kind === "class" ? "recall" : "accuracy";
  const info: MetricInfo = { name: "accuracy", direction: "up", lower: 0, upper: 1 };
  const notes: string[] = [];
  const { units, points } = o.runs;
  const testTotal = units.reduce((a, u) => a + u.testRows, 0);
  const poolTotal = units.reduce((a, u) => a + u.poolCount, 0);
  const drawn =
    o.kind === "class"
      ? "nested subsets stratified by class at the pool's shares (no class over-sampled); a class's curve is its test recall against its count in the subset (subset size × its pool share), so it assumes a class's recall depends on its own count (the effect of one class's count on another's recall is not separated)"
      : `nested subsets stratified by class, not by ${o.by}; a group's curve is its test accuracy against its expected count in the subset (subset size × its pool share)`;
  if (o.runs.missing) notes.push(`${int(o.runs.missing)} Run(s) have no per-row test outcome (stored by an older version of enough): left out of the per-${o.kind} curves; a fresh store measures them`);

  const fits: (CurveFit | null)[] = points.map((p, i) => {
    const u = units[i]!;
    if (!u.testRows || !u.poolCount) return null;
    if (new Set(p.map((q) => q.n)).size < 3) return null;
    try {
      return o.fitCurve(p, { metric: info, seed: 1, bootstrap: o.bootstrap ?? 40 });
    } catch (err) {
      notes.push(`${u.name}: no curve (${(err as Error).message})`);
      return null;
    }
  });
  const rows: PlanUnitRow[] = units.map((u, i) => {
    const f = fits[i] ?? null;
    const p = points[i]!;
    const top = p.length ? Math.max(...p.map((q) => q.n)) : 0;
    const atTop = p.filter((q) => q.n === top).map((q) => q.score);
    const weight = testTotal ? u.testRows / testTotal : 0;
    let gain: Interval | null = null;
    if (f && u.poolCount > 0) {
      const k = Math.max(1, Math.ceil(0.1 * u.poolCount));
      const g = f.marginalGain(u.poolCount, k);
      const s = (1000 * weight) / k;
      gain = { mean: g.mean * s, lo: g.lo * s, hi: g.hi * s };
    }
    return {
      name: u.name,
      poolCount: u.poolCount,
      testRows: u.testRows,
      weight,
      measured: atTop.length ? { n: top, mean: atTop.reduce((a, b) => a + b, 0) / atTop.length, seeds: atTop.length } : null,
      scoreAtPool: f ? f.scoreAt(u.poolCount) : null,
      gainPer1000: gain,
      collect: null,
      confidence: f ? f.confidence : null,
      ...(f ? {} : { fitError: u.testRows && u.poolCount ? "fewer than 3 measured sizes, or the fit failed" : "no rows in the pool or the test split" }),
    };
  });
  const unfitted = rows.filter((r) => r.fitError && r.testRows > 0);
  if (unfitted.length) notes.push(`no curve for ${unfitted.map((r) => r.name).join(", ")}: held at the measured score in the plan (no gain from collecting them)`);
  if (rows.some((r) => r.gainPer1000) && !rows.some((r) => r.gainPer1000 && r.gainPer1000.lo > 0)) {
    notes.push(`no ${o.kind === "class" ? "class" : o.by}'s gain per sample is clear of 0 (80% intervals): the plan follows the curves' means and is a guess at this noise; more seeds or a larger test split would firm it up`);
  }
  const low = rows.filter((r) => r.confidence === "low");
  if (low.length) notes.push(`the curves of ${low.map((r) => r.name).join(", ")} fit poorly (low confidence): read their gains as rough`);

  // Each unit as the greedy sees it: its curve's mean on a log grid (held flat at its measured mean without a curve).
  const alloc: AllocUnit[] = rows.map((r, i) => {
    const f = fits[i];
    const flat = r.measured?.mean ?? 0;
    const score = f ? gridded((n) => f.scoreAt(n).mean, Math.max(1, r.poolCount / 4), r.poolCount + 101 * poolTotal) : () => flat;
    return { score, weight: r.weight, have: r.poolCount };
  });
  const overallAt = (extra: number[]): Interval => {
    // The units' intervals added as if they moved together (comonotone): a conservative band, since the classes'
    // scores share one model and are not independent.
    let mean = 0;
    let lo = 0;
    let hi = 0;
    rows.forEach((r, i) => {
      const f = fits[i];
      const s = f ? f.scoreAt(r.poolCount + extra[i]!) : { mean: r.measured?.mean ?? 0, lo: r.measured?.mean ?? 0, hi: r.measured?.mean ?? 0 };
      mean += r.weight * s.mean;
      lo += r.weight * s.lo;
      hi += r.weight * s.hi;
    });
    return { mean, lo, hi };
  };
  const overallAtPool = fits.some((f) => f) ? overallAt(rows.map(() => 0)) : null;

  let plan: CollectionPlan["plan"] = null;
  let prop: CollectionPlan["proportional"] = null;
  if (o.target !== null && fits.some((f) => f)) {
    const a = allocate(alloc, o.target);
    // A plan that does not reach the target has no per-unit amounts worth acting on: only the ranking stands.
    if (a.reached) rows.forEach((r, i) => (r.collect = a.extra[i]!));
    const predicted = overallAt(a.extra);
    plan = { total: a.total, predicted, reached: a.reached, labelCost: o.labelPrice !== undefined ? { mean: a.total * o.labelPrice, lo: a.total * o.labelPrice, hi: a.total * o.labelPrice } : null };
    const p = proportional(alloc, o.target);
    prop = { total: p.total, predicted: p.predicted, reached: p.reached };
  }
  // The plan's units first (most collected), then by the local gain per sample.
  rows.sort((a, b) => (b.collect ?? 0) - (a.collect ?? 0) || (b.gainPer1000?.mean ?? -Infinity) - (a.gainPer1000?.mean ?? -Infinity));
  const fewest = rows.filter((r) => r.testRows > 0).reduce<PlanUnitRow | null>((a, r) => (!a || r.testRows < a.testRows ? r : a), null);
  if (fewest && fewest.testRows < 500) {
    // Binomial noise of one Run's score on that many rows, at its measured level (0.5 at worst).
    const p = fewest.measured?.mean ?? 0.5;
    notes.push(`the test split has ${int(fewest.testRows)} rows of ${fewest.name} (the fewest): one Run's ${score} there is only good to about ±${(Math.sqrt((p * (1 - p)) / fewest.testRows) || 0.5 / Math.sqrt(fewest.testRows)).toFixed(3)}, so the per-${o.kind} curves are noisier than the overall one (a larger test split, e.g. --test-fraction, sharpens them)`);
  }

  // The common level: the lowest of the units' scores at the largest measured size, a score every unit reached.
  // A unit already past it at its smallest measured count is read as "at most" that count (dataNeeds).
  const fitted = rows.flatMap((r) => {
    const i = units.findIndex((u) => u.name === r.name);
    const f = fits[i];
    const p = points[i]!;
    return f && r.measured && p.length ? [{ name: r.name, fit: f, top: r.measured.mean, minN: Math.min(...p.map((q) => q.n)) }] : [];
  });
  const level = fitted.length >= 2 ? Math.min(...fitted.map((f) => f.top)) : null;
  const needs = level !== null && level > 0 && level < 1 ? dataNeeds(fitted, level) : null;

  const result: CollectionPlan = { by: o.by, kind: o.kind, score, drawn, units: rows, target: o.target, plan, proportional: prop, overallAtPool, needs: needs && level !== null ? { level, ...needs } : null, runs: { used: o.runs.used, missing: o.runs.missing }, sentences: [], notes };
  result.sentences = planSentences(result, o.overallAtPool);
  return { plan: result, fits };
}

const f3 = (v: number) => v.toFixed(3);
const signed = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}`;
const ratio = (v: number) => (!Number.isFinite(v) ? "∞" : v > 1000 ? ">1,000x" : `${v.toFixed(1)}x`);

export function planSentences(p: CollectionPlan, overallCurve: Interval | null): string[] {
  const what = p.kind === "class" ? "class" : `${p.by}`;
  const out: string[] = [];
  const planned = p.plan?.reached ? p.units.filter((u) => (u.collect ?? 0) > 0) : [];
  const top = p.units.filter((u) => u.gainPer1000 && u.gainPer1000.mean > 0).slice(0, 3);
  if (planned.length) {
    out.push(`Collect more of: ${planned.slice(0, 3).map((u) => `${u.name} (${p.score} ${u.scoreAtPool ? f3(u.scoreAtPool.mean) : "?"} at its ${int(u.poolCount)})`).join(", ")}: the plan below buys the most overall accuracy per sample there.`);
  } else if (top.length) {
    out.push(
      `Collect more of: ${top.map((u) => `${u.name} (${signed(u.gainPer1000!.mean)} overall accuracy per 1,000 more, 80% ${signed(u.gainPer1000!.lo)} to ${signed(u.gainPer1000!.hi)}; ${p.score} ${u.scoreAtPool ? f3(u.scoreAtPool.mean) : "?"} at its ${int(u.poolCount)})`).join(", ")}.`,
    );
  } else out.push(`No ${what} gains measurably from more samples on its curve.`);
  if (p.plan && p.target !== null) {
    const parts = p.units.filter((u) => (u.collect ?? 0) > 0).sort((a, b) => b.collect! - a.collect!);
    const pred = `predicted overall accuracy ${f3(p.plan.predicted.mean)} (80% interval ${f3(p.plan.predicted.lo)}–${f3(p.plan.predicted.hi)})`;
    if (p.plan.total === 0) out.push(`The per-${what} curves put accuracy ${p.target} within the pool already: ${pred}.`);
    else if (p.plan.reached) {
      const cost = p.plan.labelCost ? ` (labels ${p.plan.labelCost.mean.toFixed(2)})` : "";
      out.push(`To reach accuracy ${p.target}: about ${int(p.plan.total)} more samples${cost}: ${parts.map((u) => `${u.name} ${int(u.collect!)}`).join(", ")}; ${pred}.`);
    } else out.push(`Accuracy ${p.target} is not reached on the per-${what} curves within ${int(p.plan.total)} more samples (100x the pool): the curves level off below it (with them: ${pred}).`);
    if (p.proportional && p.plan.total > 0 && p.plan.reached) {
      out.push(
        p.proportional.reached
          ? `Collecting in the pool's proportions instead needs about ${int(p.proportional.total)}${p.plan.reached && p.plan.total > 0 ? ` (${(p.proportional.total / p.plan.total).toFixed(1)}x as many)` : ""}.`
          : `Collecting in the pool's proportions does not reach it within ${int(p.proportional.total)} more samples.`,
      );
    }
  }
  if (p.needs) {
    const word = { estimate: "about", "at least": "at least", "at most": "at most" } as const;
    const ranked = p.needs.rows.filter((r) => r.name !== p.needs!.reference && r.ratio && r.ratio.kind !== "at most" && Number.isFinite(r.ratio.mean));
    const worst = [...ranked].sort((a, b) => b.ratio!.mean - a.ratio!.mean).slice(0, 4);
    const never = p.needs.rows.filter((r) => r.ratio && !Number.isFinite(r.ratio.mean)).map((r) => r.name);
    if (worst.length || never.length)
      out.push(
        `For the same ${p.score} (${f3(p.needs.level)}, the lowest ${p.score} at the largest size measured): ${[
          ...worst.map((r) => `${r.name} needs ${word[r.ratio!.kind]} ${ratio(r.ratio!.mean)} the samples of ${p.needs!.reference} (80% ${ratio(r.ratio!.lo)}–${ratio(r.ratio!.hi)})`),
          ...(never.length ? [`${never.join(", ")} do(es) not reach it on the fitted curve`] : []),
        ].join("; ")}${worst.some((r) => r.ratio!.kind === "at least") ? ` ("at least": ${p.needs.reference} had passed that ${p.score} at the smallest size measured, so its need is bounded, not read off its curve below the data)` : ""}.`,
      );
  }
  if (p.overallAtPool && overallCurve) out.push(`Check: the per-${what} curves add up to accuracy ${f3(p.overallAtPool.mean)} at the pool; the overall curve says ${f3(overallCurve.mean)} (${f3(overallCurve.lo)}–${f3(overallCurve.hi)}).`);
  out.push(`How the Runs were drawn: ${p.drawn}; ${int(p.runs.used)} Runs.`);
  return out;
}
