/**
 * Subset plans: the sizes n1 < n2 < … at which a learning curve is measured, and the nested, stratified subsets
 * of the pool at those sizes.
 *
 * For a seed, the pool is put in one order and the subset of size n is its first n rows: so subsets are nested
 * and a subset does not depend on which other sizes were asked for (worker processes ask for one size at a time).
 * The order is built like a seat apportionment run one seat at a time: the first K rows take one row of each class
 * (largest classes first), then each next row comes from the stratum (class, or class × group) furthest below its
 * proportional share t * share - taken. Within a stratum rows come in a seeded random order.
 */
import { InputError } from "../errors.js";
import { rngFor, shuffle } from "../rng.js";

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
  const order = subsetOrder(pool, labels, seed, opts.groups, clean.at(-1)!);
  const K = labels ? order.classes : 1;
  const subsets = clean.map((n) => {
    if (labels && n < K) warnings.push(`size ${n} is smaller than the number of classes (${K}): only ${n} classes can be present`);
    return order.rows.slice(0, n).sort();
  });
  return { sizes: clean, subsets, warnings };
}

/** The pool's stratified order for a seed (only the first `upTo` rows are computed). */
export function subsetOrder(pool: Int32Array, labels: Int32Array | null, seed: number, groups: Int32Array | undefined, upTo = pool.length): { rows: Int32Array; classes: number } {
  const N = pool.length;
  const strataIndex = new Map<string, number>();
  const strataRows: number[][] = [];
  const strataClass: number[] = [];
  for (let i = 0; i < N; i++) {
    const r = pool[i]!;
    const c = labels ? labels[r]! : 0;
    const g = groups ? groups[r]! : 0;
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
  // A deterministic stratum order and row order (independent of the pool's order) for the seed.
  const sorted = [...strataIndex.entries()].sort((a, b) => cmpKey(a[0], b[0])).map((e) => e[1]);
  const S = sorted.length;
  const rows: Int32Array[] = [];
  const cls: number[] = [];
  const rng = rngFor(seed, "subsets");
  for (const s of sorted) {
    rows.push(shuffle(Int32Array.from(strataRows[s]!).sort(), rng));
    cls.push(strataClass[s]!);
  }
  const share = rows.map((r) => r.length / N);
  const tie = rows.map(() => rng());
  const q = new Int32Array(S);
  const out = new Int32Array(Math.min(upTo, N));
  let t = 0;
  const take = (s: number) => {
    out[t++] = rows[s]![q[s]!]!;
    q[s]!++;
  };
  // One row of each class first, largest class first (its largest stratum).
  const classIds = [...new Set(cls)];
  const classShare = new Map<number, number>();
  cls.forEach((c, s) => classShare.set(c, (classShare.get(c) ?? 0) + share[s]!));
  if (labels) {
    classIds.sort((a, b) => classShare.get(b)! - classShare.get(a)! || a - b);
    for (const c of classIds) {
      if (t >= out.length) break;
      let best = -1;
      for (let s = 0; s < S; s++) if (cls[s] === c && (best < 0 || share[s]! > share[best]! || (share[s] === share[best] && tie[s]! > tie[best]!))) best = s;
      take(best);
    }
  }
  // Then the stratum furthest below its share of the next position (a linear scan: deficits change with t, so a
  // heap would go stale). With very many strata, Webster's divisor rule (a fixed key per stratum) keeps it fast.
  if (S <= 256) {
    while (t < out.length) {
      let best = -1;
      let bestKey = -Infinity;
      for (let s = 0; s < S; s++) {
        if (q[s]! >= rows[s]!.length) continue;
        const key = (t + 1) * share[s]! - q[s]!;
        if (key > bestKey || (key === bestKey && tie[s]! > tie[best]!)) {
          best = s;
          bestKey = key;
        }
      }
      take(best);
    }
  } else {
    const heap = new DeficitHeap((s) => -(q[s]! + 0.5) / share[s]!, tie);
    for (let s = 0; s < S; s++) if (q[s]! < rows[s]!.length) heap.push(s);
    while (t < out.length) {
      const s = heap.pop();
      take(s);
      if (q[s]! < rows[s]!.length) heap.push(s);
    }
  }
  return { rows: out, classes: labels ? classIds.length : 1 };
}

/**
 * Each class's count in the ordinary subset of size n for a seed (the first n rows of `subsetOrder`, no groups): the
 * default composition, against which a composed subset's counts are compared (and dropped from a Run's id when
 * equal).
 */
export function ordinaryCounts(pool: Int32Array, labels: Int32Array, n: number, seed: number, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (const r of subsetOrder(pool, labels, seed, undefined, Math.min(n, pool.length)).rows) counts[labels[r]!]!++;
  return counts;
}

/**
 * A subset with a chosen class composition: `counts[c]` rows of class c (a missing entry: none), each class's rows
 * taken in the order the seed's stratified order (`subsetOrder`) gives them. So counts equal to the ordinary subset's
 * at n give that subset exactly, and counts at least those contain it: over-sampling class c by k adds c's next
 * rows in its own seeded order, and the same composition with a larger count for c contains the smaller one. Rows
 * come from the pool only (never the test split). Sorted, like nestedSubsets' subsets.
 */
export function composedSubset(pool: Int32Array, labels: Int32Array, counts: readonly number[], seed: number, names?: readonly string[]): Int32Array {
  const K = counts.length;
  const have = new Array<number>(K).fill(0);
  for (const r of pool) if (labels[r]! < K) have[labels[r]!]!++;
  counts.forEach((m, c) => {
    const name = names?.[c] ?? String(c);
    if (!Number.isInteger(m) || m < 0) throw new InputError("BAD_COMPOSITION", `class ${name}: a composition's count must be a whole number >= 0, not ${m}`, { hint: "give each class's count of training rows", details: { field: "composition", class: name } });
    if (m > have[c]!) {
      throw new InputError("COMPOSITION_TOO_LARGE", `class ${name}: ${m} rows asked, the pool has ${have[c]} of that class`, {
        hint: `ask for at most ${have[c]} rows of ${name} (a smaller base size or over-sampling factor), or collect more of it`,
        details: { field: "composition", class: name, asked: m, pool: have[c] },
      });
    }
  });
  const order = subsetOrder(pool, labels, seed, undefined).rows;
  const taken = new Array<number>(K).fill(0);
  const out: number[] = [];
  for (const r of order) {
    const c = labels[r]!;
    if (c < K && taken[c]! < counts[c]!) {
      taken[c]!++;
      out.push(r);
    }
  }
  return Int32Array.from(out).sort();
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

/** A max-heap of strata by a fixed key (ties broken by a seeded random key, so no class is favoured by its id). */
class DeficitHeap {
  private a: number[] = [];
  constructor(
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

/** One part of a `--sizes` list as written: a count, a fraction of the pool (0.1), a percentage (10%) or all. */
export type SizePart = { kind: "count"; n: number; text: string } | { kind: "fraction"; f: number; text: string } | { kind: "all"; text: string };

/**
 * Reads a `--sizes` list without the pool (so that a typo fails before any data is read): "auto", or counts
 * ("100,1k,5000"), fractions of the pool as scikit-learn's `train_sizes` ("0.1,0.5,1.0": a number with a decimal
 * point, in (0, 1]), percentages ("10%,50%") or "all". Fractions and counts in one list are refused: "0.5,1" would
 * otherwise be half the pool and one row.
 */
export function readSizes(arg: string): SizePart[] | "auto" {
  const s = arg.trim().toLowerCase();
  if (s === "auto" || s === "") return "auto";
  const parts: SizePart[] = [];
  for (const text of s.split(",").map((p) => p.trim()).filter(Boolean)) {
    if (text === "all" || text === "full") {
      parts.push({ kind: "all", text });
      continue;
    }
    const m = /^(\d*\.?\d+|\d+\.)(%|k|m)?$/.exec(text);
    if (!m) throw new InputError("BAD_SIZES", `--sizes: cannot read '${text}'`, { hint: "use auto, counts (100,1k,5000), fractions of the pool (0.1,0.5,1.0), percentages (10%,50%) or all" });
    const num = Number(m[1]);
    const suffix = m[2];
    if (suffix === "%") parts.push({ kind: "fraction", f: num / 100, text });
    else if (suffix === undefined && text.includes(".")) {
      if (!(num > 0 && num <= 1)) {
        throw new InputError("BAD_SIZES", `--sizes: '${text}' has a decimal point, so it reads as a fraction of the pool, and fractions lie in (0, 1]`, {
          hint: "write counts as whole numbers (1500, 1.5k) and fractions as 0.1, 0.5, 1.0",
          details: { field: "sizes" },
        });
      }
      parts.push({ kind: "fraction", f: num, text });
    } else {
      const n = Math.round(suffix === "k" ? num * 1000 : suffix === "m" ? num * 1e6 : num);
      if (!(n >= 1)) throw new InputError("BAD_SIZES", `--sizes: '${text}' is not a positive size`, { hint: "sizes are counts of training rows, at least 1" });
      parts.push({ kind: "count", n, text });
    }
  }
  if (parts.length === 0) throw new InputError("BAD_SIZES", "--sizes: no sizes given", { hint: "use auto, or e.g. 100,1000,all" });
  const fraction = parts.find((p) => p.kind === "fraction" && !p.text.endsWith("%"));
  const count = parts.find((p) => p.kind === "count");
  if (fraction && count) {
    throw new InputError("BAD_SIZES", `--sizes: '${fraction.text}' is a fraction of the pool and '${count.text}' a count; one list takes one or the other`, {
      hint: `write every size as a fraction (0.1,0.5,1.0) or every size as a count (500,2k,10k)${count.text === "1" ? "; the whole pool as a fraction is 1.0" : ""}`,
      details: { field: "sizes" },
    });
  }
  return parts;
}

/**
 * `--sizes` argument (see readSizes) resolved against the pool: fractions and percentages round to a count (at
 * least 1). Sizes larger than the pool are an error (say which).
 */
export function parseSizes(arg: string, poolSize: number): number[] | "auto" {
  const parts = readSizes(arg);
  if (parts === "auto") return "auto";
  const out = new Set<number>();
  for (const p of parts) {
    const v = p.kind === "all" ? poolSize : p.kind === "fraction" ? Math.max(1, Math.round(poolSize * p.f)) : p.n;
    if (v > poolSize) {
      throw new InputError("SIZE_TOO_LARGE", `--sizes: ${p.text} (${v}) is larger than the training pool (${poolSize} rows)`, {
        hint: `use sizes up to ${poolSize}, or 'all'`,
        details: { field: "sizes" },
      });
    }
    out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}
