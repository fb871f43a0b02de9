import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { quantile } from "../src/stats.js";

/** The plain definition: drop what is not finite, sort, interpolate linearly. */
function reference(values: number[], q: number): number {
  const a = values.filter(Number.isFinite).sort((x, y) => x - y);
  if (a.length === 0) return NaN;
  const pos = (a.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return a[lo]! + (a[hi]! - a[lo]!) * (pos - lo);
}

describe("quantile", () => {
  it("interpolates over the finite values only, whatever NaN and infinities surround them", () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }), fc.constantFrom(NaN, Infinity, -Infinity));
    fc.assert(
      fc.property(fc.array(value, { maxLength: 40 }), fc.double({ min: 0, max: 1, noNaN: true }), (xs, q) => {
        const got = quantile(xs, q);
        const want = reference(xs, q);
        if (Number.isNaN(want)) expect(got).toBeNaN();
        else expect(got).toBeCloseTo(want, 9);
      }),
      { seed: 7, numRuns: 500 },
    );
  });
});
