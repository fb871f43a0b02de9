import { describe, expect, it } from "vitest";
import { confidentLearning } from "../../src/audit/index.js";
import { rand } from "./fixtures.js";

/** Out-of-sample-like probabilities of a decent classifier on K classes, labels with planted flips. */
function synthetic(n: number, K: number, noise: number, seed: number) {
  const r = rand(seed);
  const truth = new Int32Array(n);
  const labels = new Int32Array(n);
  const probs = new Float32Array(n * K);
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    const t = Math.floor(r() * K);
    truth[i] = t;
    // 85% of rows confidently right, the rest confused with a neighbour class
    const hard = r() < 0.15;
    const other = (t + 1) % K;
    let s = 0;
    for (let c = 0; c < K; c++) {
      const v = c === t ? (hard ? 2 : 6) + r() : c === other && hard ? 1.8 + r() : r();
      probs[i * K + c] = Math.exp(v);
      s += Math.exp(v);
    }
    for (let c = 0; c < K; c++) probs[i * K + c]! /= s;
    labels[i] = t;
    if (r() < noise) {
      let f = Math.floor(r() * (K - 1));
      if (f >= t) f++;
      labels[i] = f;
      flipped.add(i);
    }
  }
  return { probs, labels, flipped, truth };
}

describe("confident learning", () => {
  for (const noise of [0.05, 0.2]) {
    it(`finds planted flips at ${noise * 100}% noise with precision and recall above a floor`, () => {
      const { probs, labels, flipped } = synthetic(4000, 5, noise, 11);
      const cl = confidentLearning(probs, labels, 5);
      const found = new Set(cl.flagged);
      let tp = 0;
      for (const i of found) if (flipped.has(i)) tp++;
      const precision = tp / found.size;
      const recall = tp / flipped.size;
      expect(precision).toBeGreaterThan(0.85);
      expect(recall).toBeGreaterThan(0.7);
      expect(cl.noiseRate).toBeGreaterThan(noise * 0.6);
      expect(cl.noiseRate).toBeLessThan(noise * 1.5);
      // ranked: the worst-quality rows come first
      for (let k = 1; k < cl.flagged.length; k++) expect(cl.quality[cl.flagged[k]!]).toBeGreaterThanOrEqual(cl.quality[cl.flagged[k - 1]!]!);
    });
  }
  it("flags nothing much on clean labels", () => {
    const { probs, labels } = synthetic(3000, 4, 0, 5);
    const cl = confidentLearning(probs, labels, 4);
    expect(cl.flagged.length / labels.length).toBeLessThan(0.01);
  });
  it("estimates the noise matrix of a one-directional flip", () => {
    const { probs, labels, truth } = synthetic(4000, 3, 0, 3);
    // flip 20% of class 0 to class 2
    const r = rand(9);
    for (let i = 0; i < labels.length; i++) if (truth[i] === 0 && r() < 0.2) labels[i] = 2;
    const cl = confidentLearning(probs, labels, 3);
    // P(given = 2 | true = 0) ≈ 0.2
    expect(cl.noiseMatrix[2 * 3 + 0]).toBeGreaterThan(0.12);
    expect(cl.noiseMatrix[2 * 3 + 0]).toBeLessThan(0.28);
    expect(cl.noiseMatrix[1 * 3 + 0]).toBeLessThan(0.05);
  });
});
