/**
 * Per-unit learning-curve points (a unit is a class, or a value of a --group column) from the Runs a study already
 * has: each Run's per-row test outcome (plan/bits.ts) averaged over the unit's test rows is its recall (class) or
 * accuracy (group); its x is the unit's count in the Run's subset, read as the subset size times the unit's share of
 * the pool (classes: the subsets are stratified to those shares; groups: the expected count, groups not being
 * stratified).
 */
import type { CurvePoint } from "../../curves/index.js";
import { readBits } from "./bits.js";

export interface PlanUnit {
  name: string;
  /** Rows of this unit in the pool (labelled samples you have). */
  poolCount: number;
  /** Test rows of this unit: the overall accuracy is the test-share-weighted sum of the units' scores. */
  testRows: number;
}

export interface UnitRuns {
  units: PlanUnit[];
  /** Per unit: one point per Run (n = the unit's count in the subset). */
  points: CurvePoint[][];
  /** Runs read, and Runs without a per-row test outcome (stored by an older version, or another test split). */
  used: number;
  missing: number;
}

/**
 * `codes` gives each row's unit (label or group code; < 0 = none) over the whole dataset; the test outcome bitsets
 * are in `test` order.
 */
export function unitRuns(o: {
  names: readonly string[];
  codes: ArrayLike<number>;
  pool: Int32Array;
  test: Int32Array;
  runs: readonly { size: number; seed: number; testCorrect?: string }[];
}): UnitRuns {
  const K = o.names.length;
  const poolCount = new Array<number>(K).fill(0);
  for (const r of o.pool) {
    const c = o.codes[r]!;
    if (c >= 0 && c < K) poolCount[c]!++;
  }
  const testCode = Int32Array.from(o.test, (r) => o.codes[r]!);
  const testRows = new Array<number>(K).fill(0);
  for (const c of testCode) if (c >= 0 && c < K) testRows[c]!++;
  const poolTotal = o.pool.length;
  const points: CurvePoint[][] = o.names.map(() => []);
  let used = 0;
  let missing = 0;
  for (const run of o.runs) {
    const bits = run.testCorrect === undefined ? null : readBits(run.testCorrect, o.test.length);
    if (!bits) {
      missing++;
      continue;
    }
    used++;
    const right = new Array<number>(K).fill(0);
    for (let i = 0; i < bits.length; i++) {
      const c = testCode[i]!;
      if (c >= 0 && c < K) right[c]! += bits[i]!;
    }
    for (let c = 0; c < K; c++) {
      if (!testRows[c] || !poolCount[c]) continue;
      points[c]!.push({ n: (run.size * poolCount[c]!) / poolTotal, score: right[c]! / testRows[c]!, seed: run.seed });
    }
  }
  return { units: o.names.map((name, c) => ({ name, poolCount: poolCount[c]!, testRows: testRows[c]! })), points, used, missing };
}
