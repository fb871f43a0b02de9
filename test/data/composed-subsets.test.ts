/**
 * Subsets of a chosen class composition (estimate --plan's check Runs): deterministic for a seed, nested with the
 * ordinary stratified subsets, exact counts, pool rows only, and a typed error naming the class that is short.
 */
import { describe, expect, it } from "vitest";
import { composedSubset, nestedSubsets, ordinaryCounts } from "../../src/data/subsets.js";
import { threeClasses as task } from "./fixtures/three-classes.js";

const count = (rows: Int32Array, y: Int32Array, c: number) => rows.reduce((a, r) => a + (y[r] === c ? 1 : 0), 0);
const has = (big: Int32Array, small: Int32Array) => {
  const s = new Set(big);
  return small.every((r) => s.has(r));
};

describe("composed subsets", () => {
  const { y, test, pool } = task();
  const poolCounts = [0, 1, 2].map((c) => count(pool, y, c));

  it("counts equal to the ordinary subset's give that subset; over-sampling one class adds its rows only, nested", () => {
    for (const seed of [0, 1, 7]) {
      const base = nestedSubsets(pool, y, [200], seed).subsets[0]!;
      const ord = ordinaryCounts(pool, y, 200, seed, 3);
      expect(ord.reduce((a, b) => a + b, 0)).toBe(200);
      expect(Array.from(composedSubset(pool, y, ord, seed))).toEqual(Array.from(base));
      const x2 = composedSubset(pool, y, [ord[0]!, ord[1]!, 2 * ord[2]!], seed);
      const x4 = composedSubset(pool, y, [ord[0]!, ord[1]!, 4 * ord[2]!], seed);
      expect([0, 1, 2].map((c) => count(x4, y, c))).toEqual([ord[0], ord[1], 4 * ord[2]!]);
      expect(has(x2, base) && has(x4, x2)).toBe(true);
      // The added rows are class 2's only, and the same composition draws the same rows.
      expect(Array.from(x4).filter((r) => !base.includes(r)).every((r) => y[r] === 2)).toBe(true);
      expect(Array.from(composedSubset(pool, y, [ord[0]!, ord[1]!, 4 * ord[2]!], seed))).toEqual(Array.from(x4));
      // Under-sampling a class keeps a prefix of its rows: inside the ordinary subset.
      expect(has(base, composedSubset(pool, y, [ord[0]! >> 1, ord[1]!, ord[2]!], seed))).toBe(true);
      // Never a test row, every row a pool row.
      const inPool = new Set(pool);
      expect(x4.every((r) => inPool.has(r) && !test.includes(r))).toBe(true);
    }
    expect(Array.from(composedSubset(pool, y, [50, 50, 50], 1))).not.toEqual(Array.from(composedSubset(pool, y, [50, 50, 50], 2)));
  });

  it("a class asked for more rows than the pool holds is a typed error naming it, its count and what was asked", () => {
    const names = ["cat", "dog", "bird"];
    let err: unknown;
    try {
      composedSubset(pool, y, [10, 10, poolCounts[2]! + 5], 0, names);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "COMPOSITION_TOO_LARGE", details: { class: "bird", asked: poolCounts[2]! + 5, pool: poolCounts[2] } });
    expect((err as Error).message).toBe(`class bird: ${poolCounts[2]! + 5} rows asked, the pool has ${poolCounts[2]} of that class`);
    expect(() => composedSubset(pool, y, [10, -1, 3], 0, names)).toThrow(expect.objectContaining({ code: "BAD_COMPOSITION" }));
    // The whole of a class is fine.
    expect(count(composedSubset(pool, y, [0, 0, poolCounts[2]!], 0), y, 2)).toBe(poolCounts[2]);
  });
});

