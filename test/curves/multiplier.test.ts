import { describe, expect, it } from "vitest";
import { effectiveMultiplier, fitCurve } from "../../src/curves/index.js";
import { simulate } from "./helpers.js";

describe("effectiveMultiplier", () => {
  // A strategy that makes every sample count 4x: strategy(n) = baseline(4n), so the multiplier is 4 at any target.
  const base = (n: number) => 0.95 - 2 * Math.pow(n, -0.5);
  const strat = (n: number) => base(4 * n);
  const b = fitCurve(simulate(base, { seeds: 3, sd: 0.002, seed: 1 }), { metric: "accuracy", bootstrap: 60 });
  const s = fitCurve(simulate(strat, { seeds: 3, sd: 0.002, seed: 2 }), { metric: "accuracy", bootstrap: 60 });

  it("recovers a known 4x multiplier with an interval around it", () => {
    const m = effectiveMultiplier(b, s, 0.93, { confidence: 0.9 });
    expect(m.mean).toBeGreaterThan(2.5);
    expect(m.mean).toBeLessThan(6);
    expect(m.lo).toBeLessThan(4);
    expect(m.hi).toBeGreaterThan(4);
    expect(m.reachable).toBe(true);
  });

  it("is deterministic for a seed", () => {
    expect(effectiveMultiplier(b, s, 0.93, { seed: 3 })).toEqual(effectiveMultiplier(b, s, 0.93, { seed: 3 }));
  });

  it("is not reachable when the strategy's curve levels off below the target", () => {
    const low = fitCurve(simulate((n) => 0.8 - 0.3 * Math.exp(-n / 400), { seeds: 3, sd: 0.002 }), { metric: "accuracy", bootstrap: 40 });
    const m = effectiveMultiplier(b, low, 0.93);
    expect(m.reachable).toBe(false);
    expect(m.hi).toBeLessThan(1);
  });
});
