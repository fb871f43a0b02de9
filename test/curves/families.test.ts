import { describe, expect, it } from "vitest";
import { FAMILIES, FAMILY_NAMES, type FamilyContext } from "../../src/curves/families.js";
import { evalFamily, fitFamily } from "../../src/curves/fitfamily.js";

const ctx: FamilyContext = { s: 3200, eLo: 0, eHi: 0.6, range: 0.5 };
const ns = [50, 100, 200, 400, 800, 1600, 3200];

/** A representative true parameter vector per family (error space, x = n/3200). */
const TRUE: Record<string, number[]> = {
  pow3: [0.05, 0.04, 0.5],
  pow4: [0.05, 0.04, 0.7, 0.01],
  log2: [0.1, 0.05],
  exp3: [0.08, 0.4, 20],
  expd3: [0.08, 0.48, 20],
  vap3: [-2.5, 0.01, -0.3],
  logpower3: [0.5, -4, 0.8],
  mmf4: [0.05, 0.4, 0.01, 0.8],
  wbl4: [0.06, 0.4, 8, 0.6],
  exp4: [0.06, Math.log(0.4), 8, 0.6],
  ilog2: [-0.05, 1.5],
};

describe("curve families", () => {
  it("lists every family of the issue plus last1 and plateau", () => {
    for (const f of ["pow3", "pow4", "log2", "exp3", "expd3", "vap3", "logpower3", "mmf4", "wbl4", "exp4", "ilog2", "last1"]) expect(FAMILY_NAMES).toContain(f);
  });

  for (const fam of FAMILIES) {
    describe(fam.name, () => {
      const p = TRUE[fam.name]!;
      it("has the true test parameters inside its box", () => {
        const { lower, upper } = fam.bounds(ctx);
        expect(lower.length).toBe(fam.paramNames.length);
        p.forEach((v, j) => {
          expect(v).toBeGreaterThanOrEqual(lower[j]!);
          expect(v).toBeLessThanOrEqual(upper[j]!);
        });
      });
      it("is non-increasing in n at random points of its box", () => {
        const { lower, upper } = fam.bounds(ctx);
        let seed = 3;
        const u = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
        for (let t = 0; t < 200; t++) {
          // Log-uniform inside positive boxes, uniform otherwise, to reach all scales.
          const q = lower.map((lo, j) => (lo > 0 ? Math.exp(Math.log(lo) + u() * (Math.log(upper[j]!) - Math.log(lo))) : lo + u() * (upper[j]! - lo)));
          let prev = Infinity;
          for (const n of [10, 30, 100, 300, 1000, 3000, 1e4, 1e5, 1e6]) {
            const v = evalFamily(fam, q, ctx, n);
            expect(v).toBeLessThanOrEqual(prev + 1e-9 * Math.max(1, Math.abs(prev)));
            prev = v;
          }
        }
      });
      it("tends to its stated limit", () => {
        const lim = Math.max(fam.limit(p, ctx), ctx.eLo);
        if (fam.name === "ilog2") return; // 1/ln(n) converges too slowly to check numerically
        expect(evalFamily(fam, p, ctx, 1e14)).toBeCloseTo(lim, 3);
      });
      it("fits its own noiseless curve (the forecast at 10x is recovered)", () => {
        const e = Float64Array.from(ns.map((n) => evalFamily(fam, p, ctx, n)));
        const c: FamilyContext = { ...ctx, eHi: Math.max(...e) * 1.05, range: Math.max(...e) - Math.min(...e) };
        const fit = fitFamily(fam, { n: Float64Array.from(ns), e, w: new Float64Array(ns.length).fill(1) }, c);
        const rmse = Math.sqrt(fit.cost / ns.length);
        expect(rmse).toBeLessThan(2e-3 * c.range);
        const at = 32000;
        expect(Math.abs(evalFamily(fam, fit.p, c, at) - evalFamily(fam, p, c, at))).toBeLessThan(0.02 * c.range + 1e-4);
      });
    });
  }
});
