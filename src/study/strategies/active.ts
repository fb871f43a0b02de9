/**
 * The active-learning lever of `enough strategies` (`--try active:strategy=margin,batch=250[,start=,max=,mc=]`):
 * simulated on the user's labelled pool. Each arm is one Run per seed: a whole acquisition trajectory (RunJob.active,
 * study/active-run.ts) whose result holds the test score at every label count. Each strategy is paired with the
 * random-acquisition arm of the same schedule (same seed set, seeds, rounds and training protocol), and its
 * multiplier is read from the two labels-vs-score curves by the paired machinery every lever uses: labels random
 * acquisition needs for a score / labels the strategy needs. `paysFrom` is the label count from which every
 * measured count reads "helps" (active learning often gives nothing while the model is too weak to know what it does
 * not know).
 */
import { InputError } from "../../errors.js";
import { resolveSpec, type ModelSpec } from "../../engine/spec.js";
import { int } from "../../format.js";
import { tQuantile } from "../../stats.js";
import { scoreOf } from "../metrics.js";
import type { ActiveJob, JsonObject } from "../run.js";
import type { RunRecord } from "../runner.js";
import type { Lever } from "./levers.js";
import type { LeverResult, MultiplierRow, ScorePoint } from "./result.js";
import { summariseLever, type LeverInput } from "./summary.js";

export type ActiveLever = Extract<Lever, { kind: "active" }>;

export const ONE_SEED = "one seed: no interval (use --seeds 3 or more)";

/** Default rounds when max= is not given: 16 batches (250 -> 4,000 labels), as the usual benchmarks. */
export const DEFAULT_ROUNDS = 16;

/**
 * The random arm also scores these multiples of max: a strategy that beats random at max reads as a multiplier
 * there only if random reaches that score somewhere (up to x4; beyond, a lower bound). Random acquisition does not
 * depend on the model, so the larger counts cost a few rounds, not a longer schedule.
 */
export const BEYOND = [1.5, 2, 3, 4];

export interface ActiveArm {
  label: string;
  job: ActiveJob;
}

/** The trajectory arms of the active levers: each lever's own, and one random arm per distinct schedule. */
export function activeArms(levers: readonly ActiveLever[], poolSize: number, recipe: JsonObject | undefined): { arms: ActiveArm[]; randomOf: Map<string, string> } {
  const fixed = ["batchSize", "epochs", "steps"].filter((k) => recipe?.[k] !== undefined);
  const arms = new Map<string, ActiveArm>();
  const randomOf = new Map<string, string>();
  for (const l of levers) {
    const start = l.start ?? l.batch;
    const max = l.max ?? Math.min(poolSize, start + (DEFAULT_ROUNDS - 1) * l.batch);
    if (max > poolSize) throw new InputError("ACTIVE_POOL", `--try ${l.label}: max=${int(max)} labels is more than the pool's ${int(poolSize)} rows`, { hint: `use max=${int(poolSize)} or less (the test split is never queried)` });
    if (start >= max) throw new InputError("ACTIVE_POOL", `--try ${l.label}: the seed set (${int(start)} rows) leaves nothing to acquire below max=${int(max)}`, { hint: "lower start= or raise max=" });
    const schedule = { batch: l.batch, start, max, ...(fixed.length ? { fixed } : {}) };
    const random = `active:random,batch=${l.batch},start=${start},max=${max}`;
    const beyond = [...new Set(BEYOND.map((f) => Math.min(poolSize, Math.round(max * f))))].filter((n) => n > max);
    if (!arms.has(random)) arms.set(random, { label: random, job: { strategy: "random", ...schedule, ...(beyond.length ? { beyond } : {}) } });
    arms.set(l.label, { label: l.label, job: { strategy: l.strategy, ...schedule, ...(l.strategy === "bald" ? { mcSamples: l.mc ?? 20 } : {}) } });
    randomOf.set(l.label, random);
  }
  return { arms: [...arms.values()], randomOf };
}

/** BALD samples MC dropout: a model without dropout has nothing to sample (refused before anything trains). */
export function checkActiveModel(levers: readonly ActiveLever[], spec: JsonObject, data: Parameters<typeof resolveSpec>[1]): void {
  const bald = levers.find((l) => l.strategy === "bald");
  if (bald && !(resolveSpec(spec as unknown as ModelSpec, data).dropout > 0)) {
    throw new InputError("ACTIVE_NO_DROPOUT", `--try ${bald.label}: BALD needs a model with dropout (it samples MC dropout), and this model has none`, { hint: `run the study with e.g. --model ${String(spec.family ?? "mlp")}:dropout=0.2 (every arm then uses it, so the comparison stays paired)` });
  }
  for (const l of levers) {
    if (data.task !== "classification" && l.strategy !== "coreset") throw new InputError("ACTIVE_TASK", `--try ${l.label}: ${l.strategy} needs class probabilities; this is a regression task`, { hint: "use strategy=coreset for regression" });
  }
}

/** Score points (label count, seed, test score) of an arm's finished trajectories. */
export function trajectoryPoints(records: readonly RunRecord[], label: string, metric: string): ScorePoint[] {
  const out = new Map<string, ScorePoint>();
  for (const r of records) {
    if (r.variant !== label || r.status !== "done" || !r.result?.active) continue;
    for (const round of r.result.active.rounds) {
      const score = scoreOf(round.test, metric);
      if (score !== undefined) out.set(`${round.n}:${r.seed}`, { n: round.n, seed: r.seed, score });
    }
  }
  return [...out.values()].sort((a, b) => a.n - b.n || a.seed - b.seed);
}

/** The smallest label count from which every measured count reads "helps"; null when the largest does not. */
export function paysFrom(perSize: readonly { n: number; verdict: string }[]): number | null {
  let from: number | null = null;
  for (let i = perSize.length - 1; i >= 0 && perSize[i]!.verdict === "helps"; i--) from = perSize[i]!.n;
  return from;
}

/**
 * Whether random acquisition learns at all over its label counts: per seed, the least-squares slope of the score
 * against log(labels) (in the metric's good direction), with an 80% t-interval over seeds, must be above 0. Where it
 * is not (pure label noise; a task every model solves from the seed set) the curve is flat, and a multiplier read
 * off it turns small score differences into large ratios either way: labels add nothing for any strategy to save.
 * Null with fewer than 2 seeds or 3 label counts.
 */
export function randomLearns(points: readonly ScorePoint[], up: boolean, resolution = 0): { learns: boolean; slope: number; lo: number; gain: number } | null {
  const seeds = [...new Set(points.map((p) => p.seed))];
  const slopes = seeds.flatMap((seed) => {
    const pts = points.filter((p) => p.seed === seed);
    if (pts.length < 3) return [];
    const xs = pts.map((p) => Math.log(p.n));
    const ys = pts.map((p) => (up ? p.score : -p.score));
    const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
    const my = ys.reduce((a, b) => a + b, 0) / ys.length;
    const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
    return sxx > 0 ? [xs.reduce((a, x, i) => a + (x - mx) * (ys[i]! - my), 0) / sxx] : [];
  });
  if (slopes.length < 2) return null;
  const mean = slopes.reduce((x, y) => x + y, 0) / slopes.length;
  const sd = Math.sqrt(slopes.reduce((x, y) => x + (y - mean) ** 2, 0) / (slopes.length - 1));
  const lo = mean - tQuantile(0.9, slopes.length - 1) * (sd / Math.sqrt(slopes.length));
  const ns = points.map((p) => p.n);
  const at = (n: number) => points.filter((p) => p.n === n).reduce((a, p, _, all) => a + p.score / all.length, 0);
  const gain = (up ? 1 : -1) * (at(Math.max(...ns)) - at(Math.min(...ns)));
  return { learns: lo > 0 && gain > resolution, slope: mean, lo, gain };
}

/**
 * What the test split can resolve of an accuracy: twice its binomial standard error. A random-acquisition curve
 * that rises less than this over all its label counts has learned nothing the test rows can tell apart from luck
 * (on pure label noise it "learns" only the test split's class balance). 0 for other metrics.
 */
export function testResolution(metric: string, score: number, nTest: number): number {
  return metric === "accuracy" && nTest > 0 ? 2 * Math.sqrt(Math.max(0, score * (1 - score)) / nTest) : 0;
}

/** One active lever's row: its trajectories against the random arm's, read as every lever's multiplier is. */
export function summariseActive(
  l: ActiveLever,
  arm: ActiveArm,
  randomLabel: string,
  records: readonly RunRecord[],
  o: Parameters<typeof summariseLever>[2] & { metric: string },
): LeverResult {
  const random = trajectoryPoints(records, randomLabel, o.metric);
  const points = trajectoryPoints(records, l.label, o.metric);
  // Compute on the same label counts (the random arm's rounds beyond max are for reading, not for the comparison).
  const secs = (label: string) =>
    records.filter((r) => r.variant === label && r.status === "done").reduce((a, r) => a + r.result!.active!.rounds.filter((q) => q.n <= arm.job.max).reduce((b, q) => b + q.trainSeconds + q.acquireSeconds, 0), 0);
  const seconds = secs(randomLabel) > 0 ? { lever: secs(l.label), baseline: secs(randomLabel) } : null;
  const input: LeverInput = { label: l.label, kind: "active", identical: false, points, seconds, inferenceX: 1 };
  // The "pool" of this row is the trajectory's last label count: read there off the fitted curves (smoothed over the
  // seeds, not the raw means), at a measured count, never extrapolated.
  const nTest = records.find((r) => r.variant === randomLabel && r.status === "done")?.result?.metrics.test.n ?? 0;
  const lastMean = random.filter((p) => p.n === random[random.length - 1]?.n).reduce((a, p, _, all) => a + p.score / all.length, 0);
  const learns = randomLearns(random, o.info.direction === "up", testResolution(o.metric, lastMean, nTest));
  if (learns && !learns.learns) {
    const f = (v: number) => v.toFixed(3);
    const mean = (pts: ScorePoint[], n: number) => pts.filter((p) => p.n === n).reduce((x, p, _, all) => x + p.score / all.length, 0);
    const last = Math.max(...random.map((p) => p.n));
    return {
      label: l.label,
      kind: "active",
      identical: false,
      verdict: "no clear effect",
      summary: `no clear effect (about x1: random acquisition does not learn from ${int(arm.job.start)} to ${int(last)} labels here (gain ${f(learns.gain)}; per doubling of labels ${f(learns.slope * Math.LN2)}, 80% lower end ${f(learns.lo * Math.LN2)}), so labels save nothing for any strategy; ${arm.job.strategy} scores ${f(mean(points, arm.job.max))} at ${int(arm.job.max)} labels, random ${f(mean(random, arm.job.max))})`,
      multiplier: null,
      points,
      scoreAtPool: null,
      cost: { computeX: seconds ? seconds.lever / seconds.baseline : null, inferenceX: 1, labelsSaved: null },
      active: { strategy: arm.job.strategy, batch: arm.job.batch, start: arm.job.start, max: arm.job.max, warmStart: false, random, randomArm: randomLabel, paysFrom: null },
    };
  }
  const read = summariseLever(input, random, { ...o, pool: arm.job.max });
  // At the seed set both arms train the very same model (same rows, seed and recipe): exactly x1 there, whatever
  // the fitted curves' smoothing would read.
  const seedSet = (m: MultiplierRow): MultiplierRow => (m.n === arm.job.start ? { ...m, value: 1, lo: 1, hi: 1, kind: "estimate", extrapolated: false, verdict: "no clear effect", text: "x1.00 (the seed set: both arms train the same model)" } : m);
  let res = read.multiplier ? { ...read, multiplier: { ...read.multiplier, perSize: read.multiplier.perSize.map(seedSet) } } : read;
  // One seed has no spread to resample: its bootstrap "interval" is the curve fit's alone and says nothing about
  // another seed set. Point values only, and no verdict.
  if (res.multiplier && res.multiplier.pairedSeeds < 2) {
    const bare = (m: MultiplierRow): MultiplierRow => ({ ...m, lo: null, hi: null, noInterval: ONE_SEED, verdict: "no clear effect", text: `x${m.value.toFixed(2)}; ${ONE_SEED}` });
    const m = res.multiplier;
    const at = m.atPool ? bare(m.atPool) : null;
    res = { ...res, verdict: "no clear effect", summary: at ? `no clear effect (${at.text} at ${int(at.n)} labels)` : res.summary, multiplier: { ...m, perSize: m.perSize.map(bare), atPool: at } };
  }
  const from = res.multiplier ? paysFrom(res.multiplier.perSize) : null;
  const where = res.multiplier?.perSize.length ? (from === null ? "; pays at no measured label count" : from === res.multiplier.perSize[0]!.n ? `; pays from the first label count (${int(from)})` : `; pays from ${int(from)} labels`) : "";
  return {
    ...res,
    summary: res.summary + where,
    active: { strategy: arm.job.strategy, batch: arm.job.batch, start: arm.job.start, max: arm.job.max, warmStart: false, random, randomArm: randomLabel, paysFrom: from },
  };
}
