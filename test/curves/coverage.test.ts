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
    expect(in80 / total).toBeGreaterThan(0.6);
    expect(in80 / total).toBeLessThanOrEqual(0.98);
    expect(in95 / total).toBeGreaterThan(0.8);
    expect(width / total).toBeLessThan(0.15);
  });

  it("curve intervals with several seeds cover the true mean curve at a useful rate", () => {
    let in80 = 0;
    let total = 0;
    for (const cs of cases.slice(0, 12)) {
      const fit = fitCurve(simulate(cs.truth, { seeds: 3, sd: cs.sd, seed: cs.seed }), { metric: "accuracy", seed: cs.seed, bootstrap: 60 });
      for (const n of [3200, 12800, 25600]) {
        const i = fit.scoreAt(n, { confidence: 0.8 });
        in80 += +(cs.truth(n) >= i.lo && cs.truth(n) <= i.hi);
        total++;
      }
    }
    expect(in80 / total).toBeGreaterThan(0.5);
  });
});
