import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { nestedSubsets, planSizes, parseSizes } from "../../src/data/subsets.js";
import { InputError } from "../../src/errors.js";

const poolArb = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 8 }),
    seed: fc.integer({ min: 0, max: 1000 }),
    fractions: fc.array(fc.double({ min: 0.01, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }),
  })
  .map(({ counts, seed, fractions }) => {
    const labels: number[] = [];
    counts.forEach((c, k) => {
      for (let i = 0; i < c; i++) labels.push(k);
    });
    // Rows are shuffled in the pool and offset, as in a real dataset (pool = a subset of all rows).
    const n = labels.length;
    const all = new Int32Array(n + 5).fill(-1);
    const pool = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      all[i + 5] = labels[(i * 7919) % n]!;
      pool[i] = i + 5;
    }
    const sizes = fractions.map((f) => Math.max(1, Math.round(f * n)));
    return { labels: all, pool, sizes, seed, counts };
  });

describe("nestedSubsets", () => {
  it("nests, has exact sizes, keeps every class once n >= classes, and stays within one row of proportional", () => {
    fc.assert(
      fc.property(poolArb, ({ labels, pool, sizes, seed, counts }) => {
        const r = nestedSubsets(pool, labels, sizes, seed);
        const K = counts.length;
        const N = pool.length;
        expect(r.sizes).toEqual([...new Set(sizes)].sort((a, b) => a - b));
        const poolSet = new Set(pool);
        for (let i = 0; i < r.sizes.length; i++) {
          const s = r.subsets[i]!;
          const n = r.sizes[i]!;
          expect(s.length).toBe(n);
          expect(new Set(s).size).toBe(n);
          for (const v of s) expect(poolSet.has(v)).toBe(true);
          if (i > 0) {
            const prev = new Set(r.subsets[i - 1]);
            const cur = new Set(s);
            for (const v of prev) expect(cur.has(v)).toBe(true);
          }
          const present = new Set(Array.from(s, (v) => labels[v]));
          if (n >= K) expect(present.size).toBe(K);
          else expect(present.size).toBe(n);
          // Proportional within 1 when no class had to be forced in (every class's ideal share >= 1).
          if (counts.every((c) => (n * c) / N >= 1)) {
            const got = new Array<number>(K).fill(0);
            for (const v of s) got[labels[v]!]!++;
            counts.forEach((c, k) => expect(Math.abs(got[k]! - (n * c) / N)).toBeLessThan(1 + 1e-9));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it("is deterministic for a seed and differs between seeds", () => {
    const pool = Int32Array.from({ length: 500 }, (_, i) => i);
    const labels = Int32Array.from({ length: 500 }, (_, i) => i % 3);
    const a = nestedSubsets(pool, labels, [50, 100], 7);
    const b = nestedSubsets(pool, labels, [50, 100], 7);
    const c = nestedSubsets(pool, labels, [50, 100], 8);
    expect(a.subsets).toEqual(b.subsets);
    expect(a.subsets[0]).not.toEqual(c.subsets[0]);
  });

  it("warns when a size is smaller than the number of classes or larger than the pool", () => {
    const pool = Int32Array.from({ length: 30 }, (_, i) => i);
    const labels = Int32Array.from({ length: 30 }, (_, i) => i % 5);
    const r = nestedSubsets(pool, labels, [3, 40], 1);
    expect(r.sizes).toEqual([3, 30]);
    expect(r.warnings.join("\n")).toMatch(/smaller than the number of classes/);
    expect(r.warnings.join("\n")).toMatch(/larger than the pool/);
    expect(new Set(Array.from(r.subsets[0]!, (v) => labels[v])).size).toBe(3);
  });

  it("handles regression (no labels) and group strata", () => {
    const pool = Int32Array.from({ length: 100 }, (_, i) => i);
    const groups = Int32Array.from({ length: 100 }, (_, i) => (i < 80 ? 0 : 1));
    const r = nestedSubsets(pool, null, [10, 50], 3, { groups });
    expect(r.subsets[0]!.length).toBe(10);
    expect(Array.from(r.subsets[0]!).filter((v) => groups[v] === 1).length).toBe(2);
    expect(Array.from(r.subsets[1]!).filter((v) => groups[v] === 1).length).toBe(10);
  });
});

describe("planSizes / parseSizes", () => {
  it("plans geometric sizes from a per-class floor up to the pool", () => {
    const s = planSizes({ poolSize: 60000, numClasses: 10 });
    expect(s[0]).toBe(50);
    expect(s.at(-1)).toBe(60000);
    for (let i = 1; i < s.length; i++) expect(s[i]! / s[i - 1]!).toBeGreaterThan(1.2);
    expect(s.length).toBeGreaterThanOrEqual(4);
    expect(s.length).toBeLessThanOrEqual(12);
    expect(planSizes({ poolSize: 1000, numClasses: 2, count: 5 })).toHaveLength(5);
    expect(planSizes({ poolSize: 30, numClasses: 10 })).toEqual([30]);
    expect(planSizes({ poolSize: 1000, numClasses: 0 })[0]).toBe(20);
    const byRatio = planSizes({ poolSize: 1600, numClasses: 2, ratio: 2 });
    expect(byRatio).toEqual([10, 20, 40, 80, 160, 320, 640, 1280, 1600]);
  });

  it("parses counts, k suffixes, percentages and all; rejects sizes beyond the pool", () => {
    expect(parseSizes("auto", 100)).toBe("auto");
    expect(parseSizes("10, 1k,50%,all", 2000)).toEqual([10, 1000, 2000]);
    expect(() => parseSizes("5000", 100)).toThrow(InputError);
    expect(() => parseSizes("5000", 100)).toThrow(/larger than the training pool \(100 rows\)/);
    expect(() => parseSizes("ten", 100)).toThrow(/cannot read 'ten'/);
  });
});

describe("nestedSubsets path independence", () => {
  it("a size asked alone gives the same subset as in a list (workers ask one size at a time)", () => {
    fc.assert(
      fc.property(poolArb, ({ labels, pool, sizes, seed }) => {
        const all = nestedSubsets(pool, labels, sizes, seed);
        all.sizes.forEach((n, i) => expect(nestedSubsets(pool, labels, [n], seed).subsets[0]).toEqual(all.subsets[i]));
      }),
      { numRuns: 100 },
    );
  });

  it("is fast on a large pool", () => {
    const N = 1_000_000;
    const pool = Int32Array.from({ length: N }, (_, i) => i);
    const labels = Int32Array.from({ length: N }, (_, i) => (i * 2654435761) % 10);
    const t = performance.now();
    const r = nestedSubsets(pool, labels, [100, 10_000, N], 1);
    expect(r.subsets[2]!.length).toBe(N);
    expect(performance.now() - t).toBeLessThan(5000);
  });
});
