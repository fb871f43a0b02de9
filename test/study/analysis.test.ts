import { describe, expect, it } from "vitest";
import { gapAnalysis, niceStep } from "../../src/study/analysis.js";
import { roughCount as count } from "../../src/format.js";
import { findings } from "../../src/study/findings.js";
import type { Analysis } from "../../src/study/analysis.js";

const pt = (n: number, mean: number) => ({ n, mean, sd: 0, count: 1 });

describe("train/validation gap", () => {
  it("finds where overfitting stops, or says there is none", () => {
    const train = [pt(100, 1), pt(400, 0.98), pt(1600, 0.93), pt(6400, 0.9)];
    const valid = [pt(100, 0.7), pt(400, 0.8), pt(1600, 0.9), pt(6400, 0.89)];
    expect(gapAnalysis(train, valid, "up", 0.05)).toMatchObject({ verdict: "overfits-at-small-n", overfitsBelow: 1600 });
    expect(gapAnalysis(valid, valid, "up", 0.05)).toMatchObject({ verdict: "no-large-gap", overfitsBelow: null });
    expect(gapAnalysis(train.map((p) => ({ ...p, mean: 1 })), valid, "up", 0.05).verdict).toBe("overfits-everywhere");
    expect(gapAnalysis([], [], "up", 0.05).verdict).toBe("unknown");
    // A falling metric (loss): the gap is valid - train.
    expect(gapAnalysis([pt(100, 0.1)], [pt(100, 0.5)], "down", null).rows[0]!.gap).toBeCloseTo(0.4);
  });

  it("rounds steps and counts for people", () => {
    expect(niceStep(48_000)).toBe(10_000);
    expect(niceStep(4_000)).toBe(1_000);
    expect(niceStep(60_000)).toBe(20_000);
    expect(count(41_234)).toBe("41,000");
    expect(count(537_123)).toBe("537,000");
    expect(count(965)).toBe("965");
  });
});

describe("findings", () => {
  const analysis = (over: Partial<Analysis>): Analysis => ({
    metric: "accuracy",
    direction: "up",
    have: 12_000,
    seedPoints: { test: [], valid: [], train: [] },
    points: { test: [], valid: [], train: [] },
    fits: { test: null, valid: null, train: null },
    fitErrors: {},
    predictions: [],
    band: [],
    samplesForTarget: null,
    scoreAtHave: { mean: 0.874, lo: 0.87, hi: 0.878 },
    measuredAtMax: { n: 12_000, mean: 0.874, sd: 0.004, count: 3 },
    nextGain: { k: 5_000, mean: 0.011, lo: 0.006, hi: 0.015 },
    gainPerDoubling: { mean: 0.02, lo: 0.015, hi: 0.025 },
    halvingDoublings: 1.5,
    asymptote: { mean: 0.93, lo: 0.91, hi: 0.95 },
    diagnostics: [],
    confidence: "high",
    gap: { rows: [], threshold: 0.05, overfitsBelow: 5_000, verdict: "overfits-at-small-n" },
    ...over,
  });
  const base = { target: { metric: "accuracy", value: 0.9 }, testSize: 3000, runsDone: 24, runsFailed: 0, sizesMeasured: 8, maxSeeds: 3, studyId: "s1" };

  it("say what you have, what you need with its interval, what more data buys and where the model overfits", () => {
    const f = findings({ ...base, analysis: analysis({ samplesForTarget: { mean: 41_000, lo: 33_000, hi: 55_000, reachable: true, confidence: 0.97 } }) });
    const text = f.map((x) => x.text).join("\n");
    expect(text).toContain("Your training pool has 12,000 labelled samples (3,000 more are held out for testing); trained on all of them the model reaches accuracy 0.874 (±0.004 across 3 seeds).");
    expect(text).toContain("Reaching accuracy 0.900 needs about 41,000 samples (80% interval 33,000–55,000). That is about 3.4× what you have: roughly 29,000 more labelled samples.");
    expect(text).toContain("The next 5,000 samples change accuracy by about +0.011 (80% interval +0.006 to +0.015).");
    expect(text).toContain("that gain halves every 1.5 doublings");
    expect(text).toContain("overfits below about 5,000 samples");
    expect(f.at(-1)!.text).toBe("Based on 24 Runs at 8 sizes (up to 3 seeds each), stored as study s1.");
  });

  it("say plainly when the target is out of reach, and when the fit is poor", () => {
    const f = findings({
      ...base,
      analysis: analysis({
        samplesForTarget: { mean: Infinity, lo: Infinity, hi: Infinity, reachable: false, confidence: 0.02 },
        asymptote: { mean: 0.88, lo: 0.875, hi: 0.885 },
        confidence: "low",
        diagnostics: [{ code: "FEW_POINTS", severity: "warning", message: "only 3 sizes" }],
      }),
    });
    const t = f.find((x) => x.id === "target")!.text;
    expect(t).toMatch(/^accuracy 0\.900 looks out of reach for this model by adding data alone: the curve levels off near 0\.880 \(80% interval 0\.875–0\.885\)\. The best it reaches with your data is about 0\.874/);
    expect(f.find((x) => x.id === "fit")!.text).toMatch(/low confidence: only 3 sizes\. Treat these numbers as rough/);
    expect(f.some((x) => x.id === "asymptote")).toBe(false);
  });
});
