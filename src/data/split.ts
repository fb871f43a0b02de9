/**
 * The fixed test split: rows that no training ever sees. Stratified by class (or by target quantile bins for
 * regression) so the test set has the data's proportions; group-aware when asked, so that no group is in both
 * the test set and the pool (rows of one patient, one user, one session…).
 */
import { DataError } from "../errors.js";
import { rngFor, shuffle } from "../rng.js";

export interface SplitResult {
  test: Int32Array;
  pool: Int32Array;
  warnings: string[];
}

/** Stratum ids for a regression target: deciles of y (so the test set spans the target's range). */
export function quantileBins(y: Float32Array | Float64Array, bins = 10): Int32Array {
  const n = y.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  order.sort((a, b) => y[a]! - y[b]!);
  const out = new Int32Array(n);
  for (let r = 0; r < n; r++) out[order[r]!] = Math.min(bins - 1, Math.floor((r * bins) / n));
  return out;
}

/**
 * Splits rows 0..n-1 (or `rows`) into test and pool, taking `testFraction` of each stratum (largest remainder so
 * the total is round(n * fraction)). A stratum with a single row stays in the pool.
 */
export function stratifiedSplit(opts: { strata: Int32Array | null; testFraction: number; seed: number; rows?: Int32Array; n?: number }): SplitResult {
  const rows = opts.rows ?? range(opts.n ?? opts.strata?.length ?? 0);
  const f = opts.testFraction;
  if (!(f > 0 && f < 1)) throw new DataError("BAD_TEST_FRACTION", `test fraction must be between 0 and 1 (got ${f})`, { hint: "use e.g. 0.2" });
  const rng = rngFor(opts.seed, "split");
  const byStratum = new Map<number, number[]>();
  for (const r of rows) {
    const s = opts.strata ? opts.strata[r]! : 0;
    let list = byStratum.get(s);
    if (!list) byStratum.set(s, (list = []));
    list.push(r);
  }
  const keys = [...byStratum.keys()].sort((a, b) => a - b);
  const want = Math.round(rows.length * f);
  const quota = new Map<number, number>();
  const rem: { k: number; r: number; tie: number }[] = [];
  let given = 0;
  for (const k of keys) {
    const size = byStratum.get(k)!.length;
    const ideal = size * f;
    const q = Math.min(Math.floor(ideal), size - 1);
    quota.set(k, q);
    given += q;
    if (q + 1 <= size - 1) rem.push({ k, r: ideal - q, tie: rng() });
  }
  rem.sort((a, b) => b.r - a.r || a.tie - b.tie);
  for (let i = 0; given < want && i < rem.length; i++, given++) quota.set(rem[i]!.k, quota.get(rem[i]!.k)! + 1);
  const test: number[] = [];
  const pool: number[] = [];
  for (const k of keys) {
    const list = Int32Array.from(byStratum.get(k)!);
    shuffle(list, rng);
    const q = quota.get(k)!;
    for (let i = 0; i < list.length; i++) (i < q ? test : pool).push(list[i]!);
  }
  return { test: sorted(test), pool: sorted(pool), warnings: [] };
}

/**
 * Whole groups go to the test set (in seeded random order) until it holds about `testFraction` of the rows, so
 * that no group is in both the test set and the pool.
 */
export function groupSplit(opts: { groups: Int32Array; testFraction: number; seed: number; rows?: Int32Array; groupName?: string }): SplitResult {
  const rows = opts.rows ?? range(opts.groups.length);
  const byGroup = new Map<number, number[]>();
  for (const r of rows) {
    const g = opts.groups[r]!;
    let list = byGroup.get(g);
    if (!list) byGroup.set(g, (list = []));
    list.push(r);
  }
  const ids = Int32Array.from([...byGroup.keys()].sort((a, b) => a - b));
  if (ids.length < 2) {
    throw new DataError("GROUP_SPLIT_ONE_GROUP", `group split needs at least two groups; column '${opts.groupName ?? "group"}' has ${ids.length}`, {
      hint: "drop --group-split, or split by a column with several groups",
      details: { field: opts.groupName },
    });
  }
  shuffle(ids, rngFor(opts.seed, "group-split"));
  const want = Math.round(rows.length * opts.testFraction);
  const testGroups = new Set<number>();
  let taken = 0;
  for (const g of ids) {
    if (testGroups.size >= ids.length - 1) break; // the pool keeps at least one group
    const size = byGroup.get(g)!.length;
    if (taken >= want) break;
    // Take the group if it brings the test size closer to the target (always take the first one).
    if (taken === 0 || Math.abs(taken + size - want) <= Math.abs(taken - want)) {
      testGroups.add(g);
      taken += size;
    }
  }
  const test: number[] = [];
  const pool: number[] = [];
  for (const r of rows) (testGroups.has(opts.groups[r]!) ? test : pool).push(r);
  const warnings: string[] = [];
  const frac = test.length / Math.max(1, rows.length);
  if (Math.abs(frac - opts.testFraction) > 0.05) {
    warnings.push(`group split: test set has ${(frac * 100).toFixed(1)}% of rows (asked ${(opts.testFraction * 100).toFixed(0)}%) because groups are large`);
  }
  return { test: sorted(test), pool: sorted(pool), warnings };
}

function range(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

function sorted(a: number[]): Int32Array {
  return Int32Array.from(a).sort();
}
