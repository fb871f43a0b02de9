/**
 * The cost of reaching a target: labels to buy, compute to train once at the target's size, what the study itself
 * used, and storage, from the learning curve's samples-for-target (with its interval), the pool already labelled,
 * the measured time per Run vs n and the bytes per encoded sample. Pure arithmetic, so a strategies row (which
 * changes n, compute per Run or labels) can call it with its own inputs.
 *
 * Every part grows with n, so the interval of each part (and of their sum) is the part evaluated at the interval's
 * ends: lo <= mean <= hi by construction, and the total's band is the envelope of the parts' bands (they move
 * together with n, so adding their ends is not double counting). A part whose price is not given is left out of
 * the money figures with a note; its quantity is still reported.
 */
import type { Interval } from "../curves/index.js";
import type { PriceKey, Prices } from "./prices.js";

export interface CostInput {
  prices: Prices;
  /** Samples (subset size, as the curve counts them) for the target with its 80% interval; null without a target. */
  samplesForTarget: (Interval & { reachable?: boolean | "uncertain" }) | null;
  /** Samples already labelled (the pool). */
  pool: number;
  /** Wall seconds of one Run at n (training and its evaluation), with spread; null when no Run finished. */
  runSeconds: ((n: number) => Interval) | null;
  /** Wall seconds of every finished Run of the study (re-used ones too: they were paid for once). */
  studySeconds: number;
  /** Threads each Run used: CPU-hours are wall hours times threads. */
  threads: number;
  /** Where Runs train: CPU-hours are priced at cpu-hour, GPU-hours at gpu-hour. */
  device: "cpu" | "cuda";
  /** Bytes of one encoded sample (features and label) as the cache stores it. */
  bytesPerSample: number;
}

/** A quantity with its 80% interval and, when its price was given, the money with the same interval. */
export interface CostPart {
  quantity: Interval;
  unit: string;
  /** The price used (per unit); null when it was not given. */
  price: number | null;
  cost: Interval | null;
}

export interface CostPlan {
  prices: Prices;
  /** "cpu-hour" or "gpu-hour": the unit compute is counted in on this machine. */
  computeUnit: "cpu-hour" | "gpu-hour";
  /** Labels to buy to reach the target: max(0, n_target - pool). Null without a (reachable) target. */
  labels: CostPart | null;
  /** Compute to train once at n_target. */
  trainOnce: CostPart | null;
  /** Compute the study's Runs used so far (one number: it was measured). */
  study: { hours: number; unit: string; price: number | null; cost: number | null };
  /** Storage of n_target encoded samples, per month. */
  storage: CostPart | null;
  /** Sum of the priced parts to reach the target (labels + train once + one month of storage); null if none priced. */
  total: Interval | null;
  /** What was left out and why, in plain words. */
  notes: string[];
}

const GB = 1e9;

export function costToTarget(o: CostInput): CostPlan {
  const notes: string[] = [];
  const computeUnit = o.device === "cuda" ? "gpu-hour" : "cpu-hour";
  // A CPU Run occupies `threads` cores for its wall time; a GPU Run occupies one device.
  const hoursPer = (seconds: number) => (seconds * (o.device === "cuda" ? 1 : Math.max(1, o.threads))) / 3600;
  const part = (quantity: Interval, unit: string, key: PriceKey): CostPart => {
    const price = o.prices[key] ?? null;
    return { quantity, unit, price, cost: price === null ? null : scale(quantity, price) };
  };

  const sf = o.samplesForTarget;
  const usable = sf !== null && sf.reachable !== false && Number.isFinite(sf.mean);
  if (sf === null) notes.push("no --target: labels, training at the target size and storage need one");
  else if (!usable) notes.push("the target is out of reach on the fitted curve: no cost to reach it");
  else if (!Number.isFinite(sf.hi)) notes.push("the samples-for-target interval has no upper end: so do the costs that grow with it");

  const n = usable ? ordered(sf) : null;
  const labels = n ? part(map(n, (v) => Math.max(0, v - o.pool)), "labels", "label") : null;
  let trainOnce: CostPart | null = null;
  if (n && o.runSeconds) {
    // Seconds grow with n: the band's low end at n.lo, its high end at n.hi.
    const at = (v: number) => (Number.isFinite(v) ? o.runSeconds!(v) : { mean: Infinity, lo: Infinity, hi: Infinity });
    const hours = { mean: hoursPer(at(n.mean).mean), lo: hoursPer(at(n.lo).lo), hi: hoursPer(at(n.hi).hi) };
    trainOnce = part(ordered(hours), `${computeUnit}s`, computeUnit);
    notes.push("training time at the target size is read off the time per Run measured at the study's sizes (a power law in n)");
  } else if (n) notes.push("no finished Run to measure the time per Run: compute to train once is left out");
  const storage = n ? part(map(n, (v) => (v * o.bytesPerSample) / GB), "GB-months", "storage-gb-month") : null;
  const studyHours = hoursPer(o.studySeconds);
  const studyPrice = o.prices[computeUnit] ?? null;
  const study = { hours: studyHours, unit: `${computeUnit}s`, price: studyPrice, cost: studyPrice === null ? null : studyHours * studyPrice };

  const parts = [labels, trainOnce, storage].filter((p): p is CostPart => p !== null);
  const priced = parts.filter((p) => p.cost !== null);
  const missing = ([["label", labels], [computeUnit, trainOnce], ["storage-gb-month", storage]] as const).filter(([, p]) => p !== null && p.price === null).map(([k]) => k);
  if (missing.length) notes.push(`no price for ${missing.join(", ")}: left out of the total (give it with --cost ${missing[0]}=...)`);
  const total = priced.length ? priced.reduce<Interval>((acc, p) => ({ mean: acc.mean + p.cost!.mean, lo: acc.lo + p.cost!.lo, hi: acc.hi + p.cost!.hi }), { mean: 0, lo: 0, hi: 0 }) : null;
  return { prices: { ...o.prices }, computeUnit, labels, trainOnce, study, storage, total, notes };
}

/** Bytes of one encoded row: its slice of x (and of cat) plus its label. */
export function bytesPerSample(t: { n: number; x: ArrayBufferView; y: ArrayBufferView; cat?: ArrayBufferView }): number {
  if (t.n <= 0) return 0;
  return (t.x.byteLength + t.y.byteLength + (t.cat?.byteLength ?? 0)) / t.n;
}

function scale(i: Interval, k: number): Interval {
  return { mean: i.mean * k, lo: i.lo * k, hi: i.hi * k };
}

function map(i: Interval, f: (v: number) => number): Interval {
  return ordered({ mean: f(i.mean), lo: f(i.lo), hi: f(i.hi) });
}

/** lo <= mean <= hi, whatever rounding or a clamp did to the ends. */
function ordered(i: Interval): Interval {
  return { mean: i.mean, lo: Math.min(i.lo, i.mean), hi: Math.max(i.hi, i.mean) };
}
