/**
 * The plan's check. The per-class curves read a class's recall against its own count in subsets drawn at the pool's
 * class shares, so the plan assumes a class's recall depends on its own count alone. A check Run tests that in the
 * user's data: the bottleneck class over-sampled (the ordinary stratified subset at a measured size n plus that
 * class's next rows in its own seeded order, data/subsets.ts composedSubset; never a test row), trained with the
 * study's seeds, measured against what the curves predict for that composition: the class's recall on its curve at
 * its new count, the other classes' on theirs at their unchanged counts, overall accuracy as their test-weighted sum.
 * Pure: check-run.ts trains the Runs.
 */
import type { CurveFit, Interval } from "../../curves/index.js";
import { ordinaryCounts } from "../../data/subsets.js";
import { int } from "../../format.js";
import { readBits } from "./bits.js";

/** The over-sampling factor: as large as the class's pool rows allow, up to 4, and at least 2 (else no check). */
const MAX_FACTOR = 4;
const MIN_FACTOR = 2;
/** Half-width of an 80% normal interval in standard errors. */
const Z80 = 1.2816;

export interface CheckDesign {
  /** The over-sampled class's code and name. */
  unit: number;
  name: string;
  /** The ordinary size the check builds on, the class's count there (first seed) and in the check Runs. */
  base: number;
  factor: number;
  count: { ordinary: number; oversampled: number };
  /** Per seed: rows per class (the ordinary subset's counts with the class's raised) and their sum. */
  runs: { seed: number; size: number; composition: number[] }[];
  /** The plan's own collection (samples beyond the pool), which no Run can train: null without one. */
  planMore: number | null;
}

/** A measured score against the curves' prediction: inside when the two 80% intervals overlap. */
export interface Compared {
  predicted: Interval;
  /** Mean over the check Runs, with an 80% interval from their spread (floored at the test rows' binomial error). */
  measured: Interval;
  /** The same seeds' ordinary Runs at the base size (null when they lack per-row outcomes). */
  ordinary: number | null;
  inside: boolean;
  /**
   * The change from the ordinary Run to the check Run, paired by seed (same seed, same rows but the added ones): the
   * sharper test, since the seeds' common level cancels. Predicted: the class's curve's gain from its ordinary count
   * to its over-sampled one (its fit's interval); 0 for the other classes, whose counts did not change. Agrees when
   * the two 80% intervals overlap. Null without the ordinary Runs' per-row outcomes.
   */
  change: { predicted: Interval; measured: Interval; agrees: boolean } | null;
}

export interface PlanCheck {
  class: string;
  base: number;
  factor: number;
  count: { ordinary: number; oversampled: number };
  /** Rows in a check Run (first seed). */
  size: number;
  seeds: number[];
  /** The plan's own collection (samples beyond the pool, so not trainable); null without one. */
  planMore: number | null;
  status: "measured" | "not run";
  /** Predicted seconds for the check's Runs on the study's slots (the planner's time model); null without one. */
  predictedSeconds: number | null;
  /** Why it was not run (budget, or no size leaves room). */
  why?: string;
  /** The over-sampled class's recall, the other classes' (test-weighted), overall accuracy. */
  recall: Compared | null;
  others: Compared | null;
  overall: Compared | null;
  /** Every measured level inside (overlapping) its predicted interval and every paired change agreeing; null when not measured. */
  held: boolean | null;
  runIds: string[];
  /** The check Runs' own seconds (the study's timing covers its curve Runs only); 0 when not run. */
  runSeconds: number;
  sentences: string[];
}

/**
 * The check Runs for a class plan: the plan's first class with a curve (the one it collects most of, else the
 * largest gain per sample), over-sampled at the largest measured size below the pool where its pool rows allow at
 * least twice its ordinary count; null (with the reason) when none does.
 */
export function designCheck(o: {
  /** The class plan's units, in its order (plan.ts's PlanUnitRow; structural, as plan.ts keeps the check's type). */
  plan: { units: readonly { name: string; poolCount: number; scoreAtPool: Interval | null }[]; plan?: { total: number; reached: boolean } | null };
  names: readonly string[];
  pool: Int32Array;
  labels: Int32Array;
  numClasses: number;
  done: readonly { size: number; seed: number }[];
}): CheckDesign | { why: string } {
  const unit = o.plan.units.find((u) => u.scoreAtPool !== null);
  if (!unit) return { why: "no class has a fitted curve to check" };
  const c = o.names.indexOf(unit.name);
  const sizes = [...new Set(o.done.map((r) => r.size))].filter((n) => n < o.pool.length).sort((a, b) => b - a);
  for (const n of sizes) {
    const seeds = [...new Set(o.done.filter((r) => r.size === n).map((r) => r.seed))].sort((a, b) => a - b);
    const first = ordinaryCounts(o.pool, o.labels, n, seeds[0]!, o.numClasses);
    const have = first[c]!;
    if (have === 0) continue;
    const factor = Math.min(MAX_FACTOR, unit.poolCount / have);
    if (factor < MIN_FACTOR) continue;
    const m = Math.min(unit.poolCount, Math.round(factor * have));
    const runs = seeds.map((seed) => {
      const composition = seed === seeds[0] ? [...first] : ordinaryCounts(o.pool, o.labels, n, seed, o.numClasses);
      composition[c] = Math.max(m, composition[c]!);
      return { seed, size: composition.reduce((a, b) => a + b, 0), composition };
    });
    const planMore = o.plan.plan?.reached && o.plan.plan.total > 0 ? o.plan.plan.total : null;
    return { unit: c, name: unit.name, base: n, factor: m / have, count: { ordinary: have, oversampled: m }, runs, planMore };
  }
  return { why: `no measured size below the pool leaves room to over-sample ${unit.name} ${MIN_FACTOR}x within its ${int(unit.poolCount)} pool rows` };
}

/** What the curves predict for a composition: each class on its own curve at its count (comonotone sums, as plan.ts). */
export type CheckPrediction = Record<"recall" | "others" | "overall", { level: Interval; change: Interval }>;

export function predictCheck(o: { design: CheckDesign; fits: readonly (CurveFit | null)[]; flat: readonly (number | null)[]; testRows: readonly number[] }): CheckPrediction {
  const counts = o.design.runs[0]!.composition;
  const at = (c: number): Interval => {
    const f = o.fits[c];
    if (f) return f.scoreAt(Math.max(1, counts[c]!));
    const v = o.flat[c] ?? 0;
    return { mean: v, lo: v, hi: v };
  };
  const sum = (keep: (c: number) => boolean): Interval => {
    const w = o.testRows.reduce((a, t, c) => a + (keep(c) ? t : 0), 0);
    const out = { mean: 0, lo: 0, hi: 0 };
    o.testRows.forEach((t, c) => {
      if (!keep(c) || !t) return;
      const s = at(c);
      out.mean += (t / w) * s.mean;
      out.lo += (t / w) * s.lo;
      out.hi += (t / w) * s.hi;
    });
    return out;
  };
  const u = o.design.unit;
  const f = o.fits[u];
  const { ordinary, oversampled } = o.design.count;
  const gain = f ? f.marginalGain(ordinary, oversampled - ordinary) : { mean: 0, lo: 0, hi: 0 };
  const w = o.testRows[u]! / Math.max(1, o.testRows.reduce((a, b) => a + b, 0));
  const zero = { mean: 0, lo: 0, hi: 0 };
  return {
    recall: { level: at(u), change: gain },
    others: { level: sum((c) => c !== u), change: zero },
    overall: { level: sum(() => true), change: { mean: w * gain.mean, lo: w * gain.lo, hi: w * gain.hi } },
  };
}

/** Per Run: the class's recall, the other classes' recall and accuracy, from its per-row test outcome. */
export function checkScores(o: { testCorrect: string | undefined; testLabels: Int32Array; unit: number }): { recall: number; others: number; overall: number } | null {
  const bits = o.testCorrect === undefined ? null : readBits(o.testCorrect, o.testLabels.length);
  if (!bits) return null;
  let rightU = 0;
  let nU = 0;
  let right = 0;
  bits.forEach((b, i) => {
    right += b;
    if (o.testLabels[i] === o.unit) (rightU += b), nU++;
  });
  const n = bits.length;
  return { recall: nU ? rightU / nU : 0, others: n - nU ? (right - rightU) / (n - nU) : 0, overall: n ? right / n : 0 };
}

/**
 * Mean over Runs with an 80% interval: the Runs' spread over sqrt(count), but never narrower than the binomial error
 * of a mean over that many Runs on `rows` test rows at level `p` (two or three seeds can agree by chance on a small
 * test split); for differences of two Runs, twice the variance (as if their outcomes were independent: conservative,
 * since two Runs tend to get the same rows right).
 */
function measured(v: number[], rows: number, p: number, difference = false): Interval {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const binomial = Math.sqrt(((difference ? 2 : 1) * Math.max(p * (1 - p), 0.25 / Math.max(1, rows))) / Math.max(1, rows) / v.length);
  const spread = v.length >= 2 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1) / v.length) : 0;
  const se = Math.max(spread, binomial);
  return { mean, lo: mean - Z80 * se, hi: mean + Z80 * se };
}

const overlap = (a: Interval, b: Interval) => a.hi >= b.lo && a.lo <= b.hi;
const mean = (v: number[]) => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : null);

/** The check's result from its Runs and the same seeds' ordinary Runs at the base size. */
export function compareCheck(o: {
  design: CheckDesign;
  predicted: CheckPrediction;
  check: readonly { seed: number; testCorrect?: string }[];
  ordinary: readonly { seed: number; testCorrect?: string }[];
  testLabels: Int32Array;
  runIds: string[];
  runSeconds: number;
  predictedSeconds: number | null;
}): PlanCheck {
  const score = (r: { testCorrect?: string }) => checkScores({ testCorrect: r.testCorrect, testLabels: o.testLabels, unit: o.design.unit });
  const scored = (runs: readonly { seed: number; testCorrect?: string }[]) => new Map(runs.flatMap((r) => (score(r) ? [[r.seed, score(r)!] as const] : [])));
  const checkBySeed = scored(o.check);
  const baseBySeed = scored(o.ordinary);
  const got = [...checkBySeed.values()];
  const base = [...baseBySeed.values()];
  const paired = [...checkBySeed.keys()].filter((seed) => baseBySeed.has(seed));
  const nU = o.testLabels.reduce((a, y) => a + (y === o.design.unit ? 1 : 0), 0);
  const rows = { recall: nU, others: o.testLabels.length - nU, overall: o.testLabels.length };
  const cmp = (k: "recall" | "others" | "overall"): Compared | null => {
    if (!got.length) return null;
    const m = measured(got.map((s) => s[k]), rows[k], mean(got.map((s) => s[k]))!);
    const p = o.predicted[k].level;
    let change: Compared["change"] = null;
    if (paired.length) {
      const d = measured(paired.map((seed) => checkBySeed.get(seed)![k] - baseBySeed.get(seed)![k]), rows[k], m.mean, true);
      const pc = o.predicted[k].change;
      change = { predicted: pc, measured: d, agrees: overlap(d, pc) };
    }
    return { predicted: p, measured: m, ordinary: mean(base.map((s) => s[k])), inside: overlap(m, p), change };
  };
  const recall = cmp("recall");
  const others = cmp("others");
  const overall = cmp("overall");
  const agree = (k: Compared) => k.inside && (k.change?.agrees ?? true);
  const held = recall && others && overall ? agree(recall) && agree(others) && agree(overall) : null;
  const out: PlanCheck = { ...shape(o.design, o.predictedSeconds), status: "measured", recall, others, overall, held, runIds: o.runIds, runSeconds: o.runSeconds, sentences: [] };
  out.sentences = checkSentences(out);
  return out;
}

/** The check that was not run, with the Runs that would run it and their predicted time. */
export function unrunCheck(design: CheckDesign, why: string, predictedSeconds: number | null): PlanCheck {
  const out: PlanCheck = { ...shape(design, predictedSeconds), status: "not run", why, recall: null, others: null, overall: null, held: null, runIds: [], runSeconds: 0, sentences: [] };
  out.sentences = checkSentences(out);
  return out;
}

function shape(d: CheckDesign, predictedSeconds: number | null) {
  return { class: d.name, base: d.base, factor: d.factor, count: d.count, size: d.runs[0]!.size, seeds: d.runs.map((r) => r.seed), planMore: d.planMore, predictedSeconds };
}

const f3 = (v: number) => v.toFixed(3);
const iv = (i: Interval) => `${f3(i.mean)} (80% ${f3(i.lo)}–${f3(i.hi)})`;
const sg = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(3)}`;
const secs = (s: number) => (s < 90 ? `${Math.round(s)} s` : `${(s / 60).toFixed(1)} min`);

export function checkSentences(c: PlanCheck): string[] {
  const seeds = c.seeds.length === 1 ? `seed ${c.seeds[0]}` : `seeds ${c.seeds.join(", ")}`;
  const what = `n=${int(c.base)} with ${c.class} over-sampled ${c.factor.toFixed(1)}x (${int(c.count.oversampled)} of its rows instead of ${int(c.count.ordinary)}; ${int(c.size)} rows in all), ${seeds}`;
  const drawn = `the ordinary stratified subset at n=${int(c.base)} plus ${c.class}'s next rows in its own seeded order from the pool, never test rows`;
  if (c.status === "not run") {
    const t = c.predictedSeconds !== null ? `; about ${secs(c.predictedSeconds)} of Runs on this study's workers (the planner's time model)` : "";
    return [`Check of the plan's assumption not run (${c.why}): it would train ${what}${t}. Run the same command with a larger --budget to measure it (the study's Runs are re-used); its Runs are drawn as ${drawn}.`];
  }
  const beyond = c.planMore !== null ? ` The plan's own collection adds ${int(c.planMore)} samples you do not have, so the check over-samples its first class within the pool instead.` : "";
  const out = [`Check of the plan's assumption (a class's recall depends on its own count): trained ${what}; its subsets are ${drawn}.${beyond}`];
  const line = (label: string, k: Compared | null) =>
    k
      ? `${label}: measured ${f3(k.measured.mean)} (80% ${f3(k.measured.lo)}–${f3(k.measured.hi)}${k.ordinary !== null ? `; ${f3(k.ordinary)} in the ordinary subset` : ""}), the curves predicted ${iv(k.predicted)}${k.inside ? "" : ": outside"}${
          k.change ? `; change paired by seed ${sg(k.change.measured.mean)} (80% ${sg(k.change.measured.lo)} to ${sg(k.change.measured.hi)}), predicted ${sg(k.change.predicted.mean)}${k.change.predicted.hi > k.change.predicted.lo ? ` (${sg(k.change.predicted.lo)} to ${sg(k.change.predicted.hi)})` : ""}${k.change.agrees ? "" : ": disagrees"}` : ""
        }`
      : null;
  out.push([line(`${c.class}'s recall`, c.recall), line("the other classes' recall", c.others), line("overall accuracy", c.overall)].filter(Boolean).join("; ") + ".");
  if (c.held === null) out.push("The check Runs have no per-row test outcome: nothing to compare.");
  else if (c.held) out.push(`The assumption held here: every measured score and paired change lies within its predicted interval, so over-sampling ${c.class} did what its curve says and the plan's per-class gains are borne out at this size in your data.`);
  else {
    const why: string[] = [];
    const off = (k: Compared) => (!k.change || k.change.agrees ? k.measured.mean - k.predicted.mean : k.change.measured.mean - k.change.predicted.mean);
    const bad = (k: Compared | null): k is Compared => !!k && (!k.inside || (k.change !== null && !k.change.agrees));
    const x = c.class;
    const rUp = bad(c.recall) && off(c.recall) > 0;
    const oDown = bad(c.others) && off(c.others) < 0;
    if (rUp && oDown) why.push(`over-sampling ${x} shifted the model's decisions toward ${x}: its recall rose more than its curve says and the other classes lost recall, so part of ${x}'s gain was taken from them (the curves read each class's gain as its own)`);
    else {
      if (bad(c.recall)) why.push(off(c.recall) < 0 ? `${x}'s recall rose less than its curve says (it depends on more than its own count, e.g. on the classes it is confused with)` : `${x}'s recall rose more than its curve says`);
      if (bad(c.others)) why.push(off(c.others) < 0 ? `the other classes lost recall when ${x} was over-sampled (the curves ignore that)` : `the other classes gained recall from ${x}'s extra rows (shared features; the curves ignore that)`);
    }
    if (bad(c.overall)) why.push(`overall accuracy ${off(c.overall) < 0 ? "fell short of" : "beat"} its prediction`);
    out.push(
      `The assumption did not hold here: ${why.join("; ")}. So the plan's amounts and predicted score are off in your data (collecting one class changes the class balance the model learns from): read its ranking of classes rather than its amounts, collect in steps and measure again (or collect closer to the pool's proportions).`,
    );
  }
  return out;
}
