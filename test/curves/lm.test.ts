import { describe, expect, it } from "vitest";
import { levenbergMarquardt, solveSmall } from "../../src/curves/lm.js";

describe("solveSmall", () => {
  it("solves a 3x3 system", () => {
    const A = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
    const x = solveSmall(A, Float64Array.from([7, 4, 7]), 3)!;
    expect(Array.from(x).map((v) => +v.toFixed(9))).toEqual([1, 1, 1]);
  });
  it("reports a singular system", () => {
    expect(solveSmall(Float64Array.from([1, 2, 2, 4]), Float64Array.from([1, 2]), 2)).toBeUndefined();
  });
});

describe("levenbergMarquardt", () => {
  const xs = Array.from({ length: 20 }, (_, i) => i / 4);
  it("recovers the parameters of an exponential decay exactly (known solution)", () => {
    const y = xs.map((x) => 2 + 3 * Math.exp(-1.3 * x));
    const r = levenbergMarquardt(
      { model: (i, p) => p[0]! + p[1]! * Math.exp(-p[2]! * xs[i]!), y, w: xs.map(() => 1), lower: [-10, 0, 0], upper: [10, 10, 10] },
      [0, 1, 0.1],
    );
    expect(r.p[0]).toBeCloseTo(2, 6);
    expect(r.p[1]).toBeCloseTo(3, 6);
    expect(r.p[2]).toBeCloseTo(1.3, 6);
    expect(r.cost).toBeLessThan(1e-12);
  });
  it("solves the Rosenbrock problem written as least squares", () => {
    // r1 = 10 (b - a^2), r2 = 1 - a: the minimum is a = b = 1 at the end of a curved valley.
    const r = levenbergMarquardt(
      { model: (i, p) => (i === 0 ? 10 * (p[1]! - p[0]! * p[0]!) : 1 - p[0]!), y: [0, 0], w: [1, 1], lower: [-5, -5], upper: [5, 5] },
      [-1.2, 1],
      { maxIter: 500 },
    );
    expect(r.p[0]).toBeCloseTo(1, 5);
    expect(r.p[1]).toBeCloseTo(1, 5);
  });
  it("stops on an active bound instead of leaving the box", () => {
    // The unconstrained optimum has offset 2; the box caps it at 1.5, and the slope must still be fitted.
    const y = xs.map((x) => 2 + 0.5 * x);
    const r = levenbergMarquardt({ model: (i, p) => p[0]! + p[1]! * xs[i]!, y, w: xs.map(() => 1), lower: [0, 0], upper: [1.5, 5] }, [0.5, 0.1]);
    expect(r.p[0]).toBe(1.5);
    expect(r.p[1]).toBeGreaterThan(0.5);
    expect(r.p[1]).toBeLessThan(0.7);
  });
  it("honours the weights", () => {
    // Two clusters disagree; the heavily weighted one wins.
    const y = [0, 0, 10, 10];
    const r = levenbergMarquardt({ model: (_i, p) => p[0]!, y, w: [100, 100, 1, 1], lower: [-100], upper: [100] }, [5]);
    expect(r.p[0]).toBeCloseTo(20 / 202, 6);
  });
});
