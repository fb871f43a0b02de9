import { describe, expect, it } from "vitest";
import { cvaeSample, nearestDistances } from "../../src/engine/generative.js";
import { blobs, rng, squares } from "./fixtures.js";

const classMean = (x: Float32Array, y: Int32Array, d: number, c: number) => {
  const m = new Float64Array(d);
  let k = 0;
  for (let i = 0; i < y.length; i++) if (y[i] === c) {
    k++;
    for (let j = 0; j < d; j++) m[j] += x[i * d + j]!;
  }
  return Array.from(m, (v) => v / k);
};

describe("conditional VAE (native)", () => {
  it("samples match the class-conditional means and spread of a toy set (Gaussian decoder)", async () => {
    const data = blobs(600, 4, 3, 5); // 3 classes, centres about 2 apart per feature, unit noise
    const sampleY = Int32Array.from({ length: 1500 }, (_, i) => i % 3);
    const out = await cvaeSample(data.x, data.y, 3, 4, sampleY, { seed: 1, likelihood: "gaussian", hidden: 64, latent: 4, steps: 1500 });
    expect(out.samples.length).toBe(1500 * 4);
    expect(out.steps).toBeGreaterThanOrEqual(1500);
    for (let c = 0; c < 3; c++) {
      const real = classMean(data.x, data.y, 4, c);
      const syn = classMean(out.samples, sampleY, 4, c);
      for (let j = 0; j < 4; j++) expect(Math.abs(syn[j]! - real[j]!)).toBeLessThan(0.35);
    }
    // Not collapsed onto the means: the per-class spread is of the data's order (unit noise).
    let ss = 0;
    const m0 = classMean(out.samples, sampleY, 4, 0);
    for (let i = 0; i < 1500; i += 3) for (let j = 0; j < 4; j++) ss += (out.samples[i * 4 + j]! - m0[j]!) ** 2;
    const sd = Math.sqrt(ss / (500 * 4));
    expect(sd).toBeGreaterThan(0.5);
    expect(sd).toBeLessThan(1.6);
  });

  it("images (Bernoulli decoder): each class's bright quadrant comes out in its samples", async () => {
    const data = squares(400, 8, 3);
    const d = 64;
    const x = Float32Array.from(data.x, (v) => v / 255);
    const sampleY = Int32Array.from({ length: 400 }, (_, i) => i % 4);
    const out = await cvaeSample(x, data.y, 4, d, sampleY, { seed: 2, likelihood: "bernoulli", hidden: 64, latent: 4, steps: 800 });
    for (let c = 0; c < 4; c++) {
      const real = classMean(x, data.y, d, c);
      const syn = classMean(out.samples, sampleY, d, c);
      expect(Math.max(...real.map((v, j) => Math.abs(v - syn[j]!)))).toBeLessThan(0.12);
    }
    expect(Math.min(...out.samples)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...out.samples)).toBeLessThanOrEqual(1);
  });

  it("same seed, same samples; another seed, other samples", async () => {
    const data = blobs(120, 3, 2, 9);
    const sy = Int32Array.from({ length: 50 }, (_, i) => i % 2);
    const o = { likelihood: "gaussian" as const, hidden: 16, latent: 2, steps: 60 };
    const a = await cvaeSample(data.x, data.y, 2, 3, sy, { ...o, seed: 4 });
    const b = await cvaeSample(data.x, data.y, 2, 3, sy, { ...o, seed: 4 });
    const c = await cvaeSample(data.x, data.y, 2, 3, sy, { ...o, seed: 5 });
    expect(Array.from(a.samples)).toEqual(Array.from(b.samples));
    expect(a.loss).toBe(b.loss);
    expect(Array.from(a.samples)).not.toEqual(Array.from(c.samples));
  });

  it("refuses labels outside the classes and Bernoulli inputs outside [0, 1]", async () => {
    const x = new Float32Array([0.1, 0.2, 0.3, 0.4]);
    await expect(cvaeSample(x, new Int32Array([0, 3]), 2, 2, new Int32Array([0]), { seed: 0, likelihood: "gaussian", steps: 1 })).rejects.toThrow(/label 3 of training row 1/);
    await expect(cvaeSample(new Float32Array([2, 0, 0, 0]), new Int32Array([0, 1]), 2, 2, new Int32Array([0]), { seed: 0, likelihood: "bernoulli", steps: 1 })).rejects.toThrow(/\[0, 1\]/);
  });
});

describe("nearest distances (native)", () => {
  it("are exact against a brute force, with and without the row itself, and 0 for a copy", async () => {
    const r = rng(3);
    const d = 7;
    const a = Float32Array.from({ length: 40 * d }, () => r() * 4 - 2);
    const b = Float32Array.from({ length: 55 * d }, () => r() * 4 - 2);
    b.set(a.subarray(5 * d, 6 * d), 20 * d); // row 5 of a is copied into b
    const brute = (p: Float32Array, q: Float32Array, self: boolean) =>
      Array.from({ length: p.length / d }, (_, i) => {
        let best = Infinity;
        for (let k = 0; k < q.length / d; k++) {
          if (self && k === i) continue;
          let s = 0;
          for (let j = 0; j < d; j++) s += (p[i * d + j]! - q[k * d + j]!) ** 2;
          best = Math.min(best, Math.sqrt(s));
        }
        return best;
      });
    const ab = await nearestDistances(a, b, d);
    brute(a, b, false).forEach((v, i) => expect(ab[i]!).toBeCloseTo(v, 5));
    expect(ab[5]).toBe(0);
    const aa = await nearestDistances(a, a, d, true);
    brute(a, a, true).forEach((v, i) => expect(aa[i]!).toBeCloseTo(v, 5));
    expect(Math.min(...aa)).toBeGreaterThan(0);
  });
});
