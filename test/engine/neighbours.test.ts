import { describe, expect, it } from "vitest";
import { nearestRows } from "../../src/engine/index.js";
import { rng } from "./fixtures.js";

/** The plain scan the native kernel replaces: every pair, double accumulation, ties to the lower index. */
function scan(x: Float32Array, n: number, d: number, k: number, metric: "cosine" | "euclidean", q?: Float32Array) {
  const nq = q ? q.length / d : n;
  const qs = q ?? x;
  const index: number[][] = [];
  const score: number[][] = [];
  for (let i = 0; i < nq; i++) {
    const all: { j: number; s: number }[] = [];
    for (let j = 0; j < n; j++) {
      if (!q && j === i) continue;
      let s = 0;
      for (let t = 0; t < d; t++) s += metric === "cosine" ? qs[i * d + t]! * x[j * d + t]! : (qs[i * d + t]! - x[j * d + t]!) ** 2;
      all.push({ j, s: metric === "cosine" ? s : -s });
    }
    all.sort((a, b) => b.s - a.s || a.j - b.j);
    index.push(all.slice(0, k).map((e) => e.j));
    score.push(all.slice(0, k).map((e) => e.s));
  }
  return { index, score };
}

function gaussRows(n: number, d: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n * d }, () => r() * 2 - 1);
}

describe("nearestRows (exact kNN in C++)", () => {
  it("matches a plain scan, euclidean and cosine, with exact copies tied to the lower index", async () => {
    const n = 300;
    const d = 37; // not a multiple of any vector width
    const x = gaussRows(n, d, 1);
    // exact copies: rows 10, 200 and 250 are equal, so row 10's two nearest are tied at distance 0
    x.copyWithin(200 * d, 10 * d, 11 * d);
    x.copyWithin(250 * d, 10 * d, 11 * d);
    for (const metric of ["euclidean", "cosine"] as const) {
      const got = await nearestRows(x, n, d, 4, { metric, threads: 2 });
      const want = scan(x, n, d, 4, metric);
      expect(got.k).toBe(4);
      for (let i = 0; i < n; i++) {
        expect(Array.from(got.index.subarray(i * 4, i * 4 + 4))).toEqual(want.index[i]);
        for (let t = 0; t < 4; t++) expect(got.score[i * 4 + t]).toBeCloseTo(want.score[i]![t]!, 4);
      }
      if (metric === "euclidean") {
        expect(Array.from(got.index.subarray(10 * 4, 10 * 4 + 2))).toEqual([200, 250]);
        expect(got.score[10 * 4]).toBeCloseTo(0, 6);
      }
    }
  });

  it("finds each query row's nearest reference row, and pads with -1 when k exceeds the rows", async () => {
    const d = 5;
    const x = gaussRows(40, d, 2);
    const q = gaussRows(7, d, 3);
    const got = await nearestRows(x, 40, d, 2, { metric: "euclidean", query: q });
    const want = scan(x, 40, d, 2, "euclidean", q);
    for (let i = 0; i < 7; i++) expect(Array.from(got.index.subarray(i * 2, i * 2 + 2))).toEqual(want.index[i]);
    const few = await nearestRows(x, 3, d, 5);
    expect(few.k).toBe(2); // three rows: at most two others each
    expect(few.index.length).toBe(6);
  });

  it("rejects a shape that does not match the values", async () => {
    await expect(nearestRows(new Float32Array(10), 3, 4, 1)).rejects.toMatchObject({ code: "NEIGHBOURS_SHAPE" });
  });
});
