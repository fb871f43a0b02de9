import { describe, expect, it } from "vitest";
import * as enough from "../src/index.js";

describe("the library API", () => {
  it("exports each layer's entry points", () => {
    for (const name of ["train", "Model", "loadDataset", "nestedSubsets", "fitCurve", "effectiveMultiplier", "estimate", "compare", "Store", "writeReport", "audit", "EnoughError"]) {
      expect(enough, name).toHaveProperty(name);
    }
  });

  it("fits a curve without touching the engine or the disk", () => {
    const points = [100, 200, 400, 800, 1600].flatMap((n) => [0, 1, 2].map((seed) => ({ n, seed, score: 0.95 - 2 * n ** -0.5 + 0.002 * (seed - 1) })));
    const fit = enough.fitCurve(points, { metric: "accuracy", seed: 1 });
    const at = fit.scoreAt(3200);
    expect(at.lo).toBeLessThanOrEqual(at.mean);
    expect(at.mean).toBeLessThanOrEqual(at.hi);
    expect(at.mean).toBeGreaterThan(0.9);
  });
});
