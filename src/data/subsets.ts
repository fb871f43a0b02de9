/**
 * Subset plans: the sizes n1 < n2 < … at which a learning curve is measured, and the nested, stratified subsets
 * of the pool at those sizes.
 *
 * Nesting comes from construction: every stratum (class, or class × group) is shuffled once per seed, and the
 * subset of size n takes the first q_s(n) rows of each stratum. Quotas grow monotonically with n (each extra row
 * goes to the stratum furthest below its proportional share), so subset(n1) ⊂ subset(n2). For the first size
 * this is the largest-remainder method; later sizes stay within one row of proportional unless a class had to be
 * added to keep every class present.
 */
import { InputError } from "../errors.js";
import { rngFor, shuffle } from "./rng.js";

export interface NestedSubsets {
  sizes: number[];
  subsets: Int32Array[];
  warnings: string[];
}

export function nestedSubsets(
  pool: Int32Array,
  labels: Int32Array | null,
  sizes: number[],
  seed: number,
  opts: { groups?: Int32Array } = {},
): NestedSubsets {
  const warnings: string[] = [];
  const N = pool.length;
  const clean = normaliseSizes(sizes, N, warnings);
  if (N === 0 || clean.length === 0) return { sizes: clean, subsets: clean.map(() => new Int32Array(0)), warnings };

  // Strata: class (and group when given). Keys are "class:group" to keep them readable in debugging.
  const strataIndex = new Map<string, number>();
  const strataRows: number[][] = [];
  const strataClass: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = pool[i]!;
    const c = labels ? labels[r]! : 0;
    const g = opts.groups ? opts.groups[r]! : 0;
    const key = `${c}:${g}`;
    let s = strataIndex.get(key);
    if (s === undefined) {
      s = strataRows.length;
      strataIndex.set(key, s);
      strataRows.push([]);
      strataClass.push(c);
    }
    strataRows[s]!.push(r);
  }
  // A deterministic stratum order (independent of pool order) so the same seed gives the same subsets.
  const order = [...strataIndex.entries()].sort((a, b) => cmpKey(a[0], b[0])).map((e) => e[1]);
  const S = order.length;
  const rows: Int32Array[] = [];
  const cls: number[] = [];
  const rng = rngFor(seed, "subsets");
  for (const s of order) {
    const a = Int32Array.from(strataRows[s]!).sort();
    rows.push(shuffle(a, rng));
    cls.push(strataClass[s]!);
  }
  const share = rows.map((r) => r.length / N);
  const tie = rows.map(() => rng());
  const classIds = [...new Set(cls)].sort((a, b) => a - b);
  const K = labels ? classIds.length : 1;

  const q = new Int32Array(S);
  const classCount = new Map<number, number>(classIds.map((c) => [c, 0]));
  const subsets: Int32Array[] = [];
  let total = 0;
  for (const n of clean) {
    let units = n - total;
    const capOne = labels !== null && n < K;
    if (capOne) warnings.push(`size ${n} is smaller than the number of classes (${K}): only ${n} classes can be present`);
    // Keep every class present once n allows it: one row for each missing class, from its largest stratum.
    if (labels && !capOne) {
      for (const c of classIds) {
        if (classCount.get(c)! > 0 || units === 0) continue;
        let best = -1;
        for (let s = 0; s < S; s++) if (cls[s] === c && q[s]! < rows[s]!.length && (best < 0 || share[s]! > share[best]!)) best = s;
        if (best >= 0) {
          q[best]!++;
          classCount.set(c, 1);
          units--;
        }
      }
    }
    // The remaining rows go one at a time to the stratum with the largest deficit n*share - q.
    const heap = new DeficitHeap(S, (s) => n * share[s]! - q[s]!, tie);
    for (let s = 0; s < S; s++) if (q[s]! < rows[s]!.length) heap.push(s);
    while (units > 0 && heap.size > 0) {
      const s = heap.pop();
      if (capOne && classCount.get(cls[s]!)! > 0) continue;
      q[s]!++;
      classCount.set(cls[s]!, classCount.get(cls[s]!)! + 1);
      units--;
      if (q[s]! < rows[s]!.length && !capOne) heap.push(s);
    }
    total = n - units;
    const out = new Int32Array(total);
    let k = 0;
    for (let s = 0; s < S; s++) {
      const r = rows[s]!;
      for (let i = 0; i < q[s]!; i++) out[k++] = r[i]!;
    }
    subsets.push(out.sort());
  }
  return { sizes: clean, subsets, warnings };
}

function cmpKey(a: string, b: string): number {
  const [a1, a2] = a.split(":").map(Number) as [number, number];
  const [b1, b2] = b.split(":").map(Number) as [number, number];
  return a1 - b1 || a2 - b2;
}

function normaliseSizes(sizes: number[], N: number, warnings: string[]): number[] {
  const out = new Set<number>();
  for (const s of sizes) {
    if (!Number.isFinite(s) || s < 1) {
      warnings.push(`size ${s} ignored: sizes must be positive integers`);
      continue;
    }
    let v = Math.round(s);
    if (v > N) {
      warnings.push(`size ${v} is larger than the pool (${N} rows): using ${N}`);
      v = N;
    }
    out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

/** A max-heap of strata by deficit (ties broken by a seeded random key, so no class is favoured by its id). */
class DeficitHeap {
  private a: number[] = [];
  constructor(
    _n: number,
    private readonly key: (s: number) => number,
    private readonly tie: number[],
  ) {}
  get size(): number {
    return this.a.length;
  }
  private gt(x: number, y: number): boolean {
    const kx = this.key(x);
    const ky = this.key(y);
    return kx > ky || (kx === ky && this.tie[x]! > this.tie[y]!);
  }
  push(s: number): void {
    const a = this.a;
    a.push(s);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.gt(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): number {
    const a = this.a;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.gt(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.gt(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

/**
 * Geometric sizes from a floor that gives every class `minPerClass` examples (or 20 rows for regression) up to
 * the whole pool. Default: about one point per doubling, 4 to 12 points.
 */
export function planSizes(opts: { poolSize: number; numClasses: number; minPerClass?: number; count?: number; ratio?: number }): number[] {
  const N = Math.floor(opts.poolSize);
  if (N <= 0) return [];
  const per = opts.minPerClass ?? 5;
  const floor = Math.min(N, Math.max(opts.numClasses > 0 ? opts.numClasses * per : 20, 10));
  if (floor >= N) return [N];
  if (opts.count === undefined && opts.ratio !== undefined && opts.ratio > 1) {
    // floor, floor*ratio, floor*ratio^2, … then the whole pool.
    const out: number[] = [];
    for (let v = floor; v < N; v *= opts.ratio) if (out.at(-1) !== Math.round(v)) out.push(Math.round(v));
    if (out.at(-1)! < N) out.push(N);
    return out;
  }
  let count: number;
  if (opts.count !== undefined) count = Math.max(2, Math.floor(opts.count));
  else count = Math.min(12, Math.max(4, Math.ceil(Math.log2(N / floor)) + 1));
  const out = new Set<number>();
  for (let i = 0; i < count; i++) out.add(Math.min(N, Math.round(floor * Math.pow(N / floor, i / (count - 1)))));
  out.add(N);
  return [...out].sort((a, b) => a - b);
}

/**
 * `--sizes` argument: "auto", or a comma list of counts ("100,1k,5000"), percentages of the pool ("10%,50%")
 * or "all". Sizes larger than the pool are an error (say which).
 */
export function parseSizes(arg: string, poolSize: number): number[] | "auto" {
  const s = arg.trim().toLowerCase();
  if (s === "auto" || s === "") return "auto";
  const out = new Set<number>();
  for (const part of s.split(",").map((p) => p.trim()).filter(Boolean)) {
    let v: number;
    if (part === "all" || part === "full") v = poolSize;
    else {
      const m = /^(\d+(?:\.\d+)?)(%|k|m)?$/.exec(part);
      if (!m) throw new InputError("BAD_SIZES", `--sizes: cannot read '${part}'`, { hint: "use auto, or counts and percentages such as 100,1k,50%,all" });
      const num = Number(m[1]);
      v = m[2] === "%" ? Math.max(1, Math.round((poolSize * num) / 100)) : m[2] === "k" ? num * 1000 : m[2] === "m" ? num * 1e6 : num;
      v = Math.round(v);
    }
    if (v < 1) throw new InputError("BAD_SIZES", `--sizes: '${part}' is not a positive size`, { hint: "sizes are counts of training rows, at least 1" });
    if (v > poolSize) {
      throw new InputError("SIZE_TOO_LARGE", `--sizes: ${part} (${v}) is larger than the training pool (${poolSize} rows)`, {
        hint: `use sizes up to ${poolSize}, or 'all'`,
        details: { field: "sizes" },
      });
    }
    out.add(v);
  }
  if (out.size === 0) throw new InputError("BAD_SIZES", "--sizes: no sizes given", { hint: "use auto, or e.g. 100,1000,all" });
  return [...out].sort((a, b) => a - b);
}
