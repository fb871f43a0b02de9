import { describe, expect, it } from "vitest";
import { fitCurve, metricInfo } from "../../src/curves/index.js";
import { simulate } from "./helpers.js";

const codes = (f: { diagnostics: { code: string }[] }) => f.diagnostics.map((d) => d.code);

describe("diagnostics for ill-behaved curves", () => {
  it("a well-behaved curve with seeds is confident", () => {
    const f = fitCurve(simulate((n) => 0.95 - 2 * Math.pow(n, -0.5), { seeds: 3, sd: 0.002 }), { metric: "accuracy", bootstrap: 30 });
    expect(f.confidence).toBe("high");
    expect(f.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("flags too few sizes and falls back on pow3", () => {
    const f = fitCurve(simulate((n) => 0.9 - Math.pow(n, -0.5), { sizes: [100, 400, 1600], seeds: 2, sd: 0.002 }), { metric: "accuracy", bootstrap: 20 });
    expect(codes(f)).toContain("too_few_sizes");
    expect(f.confidence).toBe("low");
    expect(f.family).toBe("pow3");
  });

  it("flags a flat curve", () => {
    const f = fitCurve(simulate(() => 0.7, { seeds: 3, sd: 0.005 }), { metric: "accuracy", bootstrap: 20 });
    expect(codes(f)).toContain("flat");
    expect(f.confidence).toBe("low");
  });

  it("flags a curve stuck at chance level and gives no confident forecast", () => {
    const metric = metricInfo("accuracy", { chance: 0.5 });
    const f = fitCurve(simulate(() => 0.5, { seeds: 2, sd: 0.01 }), { metric, bootstrap: 20 });
    expect(codes(f)).toContain("at_chance");
    expect(f.confidence).toBe("low");
    const s = f.samplesFor(0.8);
    expect(s.reachable).toBe("uncertain");
    expect(s.hi).toBe(Infinity);
    // The interval beyond the data is left wide open upwards (a jump anywhere up to the best score is possible).
    expect(f.scoreAt(64000).hi).toBeGreaterThan(0.85);
    expect(f.scoreAt(64000, { confidence: 0.95 }).hi).toBeGreaterThan(0.95);
  });

  it("flags a jump from chance level", () => {
    const metric = metricInfo("accuracy", { chance: 0.5 });
    const f = fitCurve(simulate((n) => (n < 1000 ? 0.5 : 0.9 - 5 / Math.sqrt(n)), { seeds: 2, sd: 0.005 }), { metric, bootstrap: 20 });
    expect(codes(f)).toContain("jump_from_chance");
    expect(f.confidence).toBe("low");
  });

  it("flags a jump without a known chance level", () => {
    const f = fitCurve(simulate((n) => (n < 1000 ? 0.6 : 0.9), { seeds: 2, sd: 0.003 }), { metric: "accuracy", bootstrap: 20 });
    expect(codes(f)).toContain("jump");
  });

  it("flags a peaking (overfitting) curve and non-monotone steps", () => {
    const f = fitCurve(simulate((n) => 0.9 - 0.1 * Math.pow(Math.log(n / 800), 2) / 4, { seeds: 3, sd: 0.002 }), { metric: "accuracy", bootstrap: 20 });
    expect(codes(f)).toContain("peaking");
    expect(codes(f)).toContain("non_monotone");
    expect(f.confidence).toBe("low");
  });

  it("notes single-seed curves and does not trust a zig-zag", () => {
    const pts = [100, 200, 400, 800, 1600, 3200, 6400].map((n, i) => ({ n, score: i % 2 ? 0.9 : 0.6 }));
    const f = fitCurve(pts, { metric: "accuracy", bootstrap: 20 });
    expect(codes(f)).toContain("single_seed");
    // The swings dwarf any trend: read as noise (flat) or as a poor fit, never as a confident curve.
    expect(codes(f).some((c) => ["poor_fit", "non_monotone", "flat"].includes(c))).toBe(true);
    expect(f.confidence).toBe("low");
  });
});
