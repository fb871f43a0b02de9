import { describe, expect, it } from "vitest";
import { fitCurve } from "../../src/curves/index.js";
import { normal, rng } from "../../src/curves/random.js";
import { simulate } from "./helpers.js";

/**
 * Interval coverage on simulated curves of shapes the families do not exactly contain (shifted power laws,
 * sigmoids in log n, stretched exponentials). Bounds are loose: 24 curves give a coarse estimate, and the point
 * is to catch intervals that are badly too narrow or uselessly wide.
 */
describe("interval coverage on simulated curves", () => {
  const u = rng(2024);
  const z = normal(rng(99));
  const cases = Array.from({ length: 24 }, (_, r) => {
    const a = 0.85 + 0.12 * u();
    const c = 0.3 + 0.6 * u();
    const kind = r % 3;
    const truth =
      kind === 0
        ? (n: number) => a - (a - 0.3) * Math.pow(n / 50, -c)
        : kind === 1
          ? (n: number) => a - (a - 0.3) / (1 + Math.pow(n / 400, c + 0.3))
          : (n: number) => a - (a - 0.3) * Math.exp(-Math.pow(n / 500, c));
    return { truth, sd: 0.003 + 0.007 * u(), seed: r + 1 };
  });

  it("observation intervals at 2x-10x the largest size cover new runs near their nominal rate", () => {
    let in80 = 0;
    let in95 = 0;
    let total = 0;
    let width = 0;
    for (const cs of cases) {
      const fit = fitCurve(simulate(cs.truth, { seeds: 1, sd: cs.sd, seed: cs.seed }), { metric: "accuracy", seed: cs.seed, bootstrap: 60 });
      for (const n of [12800, 25600, 64000]) {
        const obs = cs.truth(n) + cs.sd * z();
        const i80 = fit.scoreAt(n, { confidence: 0.8, kind: "observation" });
        const i95 = fit.scoreAt(n, { confidence: 0.95, kind: "observation" });
        in80 += +(obs >= i80.lo && obs <= i80.hi);
        in95 += +(obs >= i95.lo && obs <= i95.hi);
        width += i80.hi - i80.lo;
        total++;
      }
    }
    // Measured: 76% and 92%, mean 80% width 0.044.
    expect(in80 / total).toBeGreaterThan(0.7);
    expect(in80 / total).toBeLessThanOrEqual(0.9);
    expect(in95 / total).toBeGreaterThan(0.88);
    expect(width / total).toBeLessThan(0.08);
  });

  it("curve intervals with several seeds cover the true mean curve near their nominal rate", () => {
    let in80 = 0;
    let in95 = 0;
    let total = 0;
    for (const cs of cases) {
      const fit = fitCurve(simulate(cs.truth, { seeds: 3, sd: cs.sd, seed: cs.seed }), { metric: "accuracy", seed: cs.seed, bootstrap: 60 });
      for (const n of [3200, 12800, 25600]) {
        const i80 = fit.scoreAt(n, { confidence: 0.8 });
        const i95 = fit.scoreAt(n, { confidence: 0.95 });
        in80 += +(cs.truth(n) >= i80.lo && cs.truth(n) <= i80.hi);
        in95 += +(cs.truth(n) >= i95.lo && cs.truth(n) <= i95.hi);
        total++;
      }
    }
    // Measured: 79% and 93% over the 24 curves (72 forecasts); the misses are mostly at 4x nMax, where the
    // families' shapes differ most from these (sigmoid, stretched-exponential) truths.
    expect(in80 / total).toBeGreaterThan(0.72);
    expect(in95 / total).toBeGreaterThan(0.88);
  });
});
