import { describe, expect, it } from "vitest";
import { isolationForest } from "../../src/audit/math/iforest.js";
import { vendiScore, symmetricEigenvalues } from "../../src/audit/math/eigen.js";
import { kmeans } from "../../src/audit/math/kmeans.js";
import { knnCosine, normaliseRows } from "../../src/audit/math/knn.js";
import { bootstrapRates } from "../../src/audit/math/bootstrap.js";
import { variantClusters } from "../../src/audit/checks/category-variants.js";
import { editDistance } from "../../src/data/edit-distance.js";
import { mulberry32 } from "../../src/rng.js";
import { rand } from "./fixtures.js";

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());

describe("isolation forest", () => {
  it("scores planted far points highest and ordinary points near 0.5", () => {
    const r = rand(3);
    const n = 500;
    const d = 4;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n * d; i++) x[i] = gauss(r);
    for (const i of [7, 99]) for (let j = 0; j < d; j++) x[i * d + j] = 12;
    const s = isolationForest(x, n, d, mulberry32(1));
    const order = Array.from(s.keys()).sort((a, b) => s[b]! - s[a]!);
    expect(order.slice(0, 2).sort((a, b) => a - b)).toEqual([7, 99]);
    expect(s[7]).toBeGreaterThan(0.65);
    const med = Array.from(s).sort((a, b) => a - b)[n >> 1]!;
    expect(med).toBeGreaterThan(0.35);
    expect(med).toBeLessThan(0.55);
  });
});

describe("Vendi score and eigenvalues", () => {
  it("eigenvalues of a known symmetric matrix", () => {
    const ev = Array.from(symmetricEigenvalues(Float64Array.from([2, 1, 0, 1, 2, 0, 0, 0, 5]), 3)).sort((a, b) => a - b);
    expect(ev[0]).toBeCloseTo(1, 8);
    expect(ev[1]).toBeCloseTo(3, 8);
    expect(ev[2]).toBeCloseTo(5, 8);
  });
  it("is 1 for identical rows and d for orthogonal rows", () => {
    const same = normaliseRows(Float32Array.from({ length: 40 }, (_, i) => (i % 4) + 1), 10, 4);
    expect(vendiScore(same, 10, 4)).toBeCloseTo(1, 5);
    const eye = new Float32Array(16);
    for (let i = 0; i < 4; i++) eye[i * 4 + i] = 1;
    expect(vendiScore(eye, 4, 4)).toBeCloseTo(4, 5);
  });
});

describe("kNN and k-means", () => {
  it("kNN finds the planted near copy", async () => {
    const r = rand(5);
    const n = 200;
    const d = 16;
    const x = new Float32Array(n * d);
    for (let i = 0; i < n * d; i++) x[i] = gauss(r);
    for (let j = 0; j < d; j++) x[150 * d + j] = x[20 * d + j]! + 0.001;
    const knn = await knnCosine(normaliseRows(x, n, d), n, d, 3);
    expect(knn.index[20 * knn.k]).toBe(150);
    expect(knn.sim[20 * knn.k]).toBeGreaterThan(0.999);
  });
  it("k-means separates two far blobs", () => {
    const r = rand(8);
    const x = new Float32Array(200 * 2);
    for (let i = 0; i < 200; i++) {
      x[2 * i] = gauss(r) + (i < 100 ? -10 : 10);
      x[2 * i + 1] = gauss(r);
    }
    const { assign } = kmeans(x, 200, 2, 2, mulberry32(2));
    for (let i = 1; i < 100; i++) expect(assign[i]).toBe(assign[0]);
    for (let i = 101; i < 200; i++) expect(assign[i]).toBe(assign[100]);
    expect(assign[0]).not.toBe(assign[100]);
  });
});

describe("bootstrap rates", () => {
  it("a real gap has an interval above 0; a small group's interval is wider", () => {
    const r = rand(4);
    const n = 2000;
    const out = new Uint8Array(n);
    const g = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      g[i] = i < 1000 ? 0 : i < 1960 ? 1 : 2;
      out[i] = r() < (g[i] === 1 ? 0.7 : 0.9) ? 1 : 0;
    }
    const b = bootstrapRates(out, g, 3, mulberry32(1));
    expect(b.rates[0]!.value).toBeGreaterThan(0.85);
    expect(b.gap.lo).toBeGreaterThan(0.1);
    const width = (k: number) => b.rates[k]!.hi - b.rates[k]!.lo;
    expect(width(2)).toBeGreaterThan(3 * width(0));
    expect(b.rates[0]!.lo).toBeLessThanOrEqual(b.rates[0]!.value);
    expect(b.rates[0]!.hi).toBeGreaterThanOrEqual(b.rates[0]!.value);
  });
});

describe("category spellings", () => {
  it("edit distance with transpositions", () => {
    expect(editDistance("paris", "pairs")).toBe(1);
    expect(editDistance("berlin", "berlim")).toBe(1);
    expect(editDistance("abc", "xyz", { max: 1 })).toBe(2);
    // plain Levenshtein (the column-name suggestions): a swap is two edits
    expect(editDistance("paris", "pairs", { transpositions: false })).toBe(2);
    expect(editDistance("kitten", "sitting", { transpositions: false })).toBe(3);
  });
  it("clusters case/space/punctuation variants, initials and typos; keeps distinct values apart", () => {
    const counts = new Map([["New York", 50], ["NY", 5], ["ny ", 2], ["N.Y.", 1], ["Boston", 40], ["boston", 3], ["Bostn", 1], ["Austin", 30], ["A1", 10], ["A2", 10]]);
    const cl = variantClusters(counts);
    const byCanon = Object.fromEntries(cl.map((c) => [c.canonical, c.variants.map((v) => v.value).sort()]));
    expect(byCanon["New York"]).toEqual(["N.Y.", "NY", "New York", "ny "].sort());
    expect(byCanon["Boston"]).toEqual(["Boston", "Bostn", "boston"].sort());
    expect(byCanon["Austin"]).toBeUndefined();
    expect(byCanon["A1"]).toBeUndefined();
  });
});
