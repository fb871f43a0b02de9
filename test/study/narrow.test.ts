import { describe, expect, it } from "vitest";
import { fitCurve, metricInfo } from "../../src/curves/index.js";
import { narrowingCandidates, narrowingRun } from "../../src/study/narrow.js";
import { findings } from "../../src/study/findings.js";
import type { Analysis } from "../../src/study/analysis.js";
import { simulate } from "../curves/helpers.js";

const acc = metricInfo("accuracy");
const truth = (n: number): number => 0.95 - 0.5 * Math.pow(n, -0.3);

describe("the Run that narrows a wide answer", () => {
  it("proposes sizes beyond the measured ones and within the pool", () => {
    expect(narrowingCandidates(1_000, 29_700, 60_000)).toEqual([5_400, 30_000, 60_000]);
    expect(narrowingCandidates(1_000, 200_000, 60_000)).toEqual([7_700, 60_000]);
    expect(narrowingCandidates(50_000, 200_000, 55_000)).toEqual([]);
  });

  it("refits with the what-if Run, picks the narrowest answer and times it with the time model", () => {
    const points = simulate(truth, { sizes: [100, 200, 400, 800], sd: 0.01, seed: 2 });
    const opts = { metric: acc, seed: 1, bootstrap: 20 };
    const target = truth(20_000);
    const answer = fitCurve(points, opts).samplesFor(target);
    expect(answer.hi / answer.lo).toBeGreaterThan(2);
    const r = narrowingRun({ points, fitOptions: opts, fitCurve, target, answer, pool: 40_000, secondsAt: (n) => n / 100 })!;
    expect(r).not.toBeNull();
    expect(r.n).toBeGreaterThan(800);
    expect(r.n).toBeLessThanOrEqual(40_000);
    expect(r.seconds).toBeCloseTo(r.n / 100, 6);
    expect(Math.log(r.after.hi / r.after.lo)).toBeLessThan(0.75 * Math.log(answer.hi / answer.lo));
    // A tight answer needs no suggestion.
    expect(narrowingRun({ points, fitOptions: opts, fitCurve, target, answer: { mean: 1000, lo: 900, hi: 1100 }, pool: 40_000 })).toBeNull();
  }, 30_000);

  it("is said in the answer, with its size, time and the narrower interval", () => {
    const analysis = {
      metric: "accuracy", direction: "up", have: 60_000, seedPoints: { test: [], valid: [], train: [] }, points: { test: [], valid: [], train: [] },
      fits: { test: null, valid: null, train: null }, fitErrors: {}, predictions: [], band: [],
      samplesForTarget: { mean: 35_000, lo: 22_000, hi: 252_000, reachable: true, confidence: 0.95 },
      scoreAtHave: null, measuredAtMax: null, nextGain: null, gainPerDoubling: null, halvingDoublings: null, asymptote: null,
      diagnostics: [], confidence: "high", gap: { rows: [], threshold: 0.05, overfitsBelow: null, verdict: "unknown" },
    } as unknown as Analysis;
    const out = findings({
      analysis, target: { metric: "accuracy", value: 0.9 }, testSize: 10_000, runsDone: 20, runsFailed: 0, sizesMeasured: 8, maxSeeds: 3, studyId: "s1",
      narrowing: { n: 30_000, seconds: 240, before: { lo: 22_000, hi: 252_000 }, after: { mean: 33_000, lo: 26_000, hi: 45_000 } },
    });
    expect(out.find((f) => f.id === "narrow")!.text).toBe("The interval is wide. One Run at 30,000 samples (one seed), about 4 min on this machine, would narrow it to roughly 26,000–45,000 if it scores as the curve forecasts.");
  });
});
