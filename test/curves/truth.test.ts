import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fitCurve, metricInfo } from "../../src/curves/index.js";
import { learnCalibration, type CalibrationCase } from "../../src/curves/calibrate.js";
import { blendedValue, blendWeight, CALIBRATION, calibratedInterval, NO_CALIBRATION, slopeBase, tailValue, type Calibration } from "../../src/curves/calibration.js";
import { foldRatio, quantile, summariseTruth, truthCases } from "../../src/curves/truth.js";
import { simulate } from "./helpers.js";

const acc = metricInfo("accuracy");
const SIZES = [250, 500, 1000, 2000, 4000, 8000, 16000, 32000];
/** A deep-net-like curve: accuracy linear in log n over the range (no bend yet). */
const loglin = (n: number): number => 0.6 + 0.03 * Math.log2(n / 250);

describe("the truth protocol", () => {
  it("cuts at a fraction of the largest size and takes each new best beyond it as a target", () => {
    const points = [250, 500, 1000, 2000, 4000, 8000].flatMap((n) => [{ n, score: n === 4000 ? 0.7 : 0.5 + 0.01 * Math.log2(n), seed: 0 }]);
    const [c4] = truthCases({ id: "c", group: "g", points }, [4]);
    expect(c4!.nFit).toBe(2000);
    expect(c4!.fitPoints.every((p) => p.n <= 2000)).toBe(true);
    // 4000 (0.7) is a new best; 8000 (0.63) is below it, so its target was met at 4000: skipped, not graded.
    expect(c4!.targets).toEqual([{ target: 0.7, truth: 4000 }]);
    expect(c4!.skipped).toBe(1);
    // 1/16 leaves 2 sizes: no case.
    expect(truthCases({ id: "c", group: "g", points }, [16])).toEqual([]);
  });

  it("scores answers by fold ratio, coverage and width", () => {
    expect(foldRatio(200, 100)).toBe(2);
    expect(foldRatio(50, 100)).toBe(2);
    expect(foldRatio(Infinity, 100)).toBe(Infinity);
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantile([1, 2, Infinity], 0.9)).toBe(Infinity);
    const s = summariseTruth([
      { truth: 100, mean: 100, lo: 50, hi: 200 },
      { truth: 100, mean: 300, lo: 150, hi: 600 },
      { truth: 100, mean: 80, lo: 40, hi: Infinity },
    ]);
    expect(s.count).toBe(3);
    expect(s.medianRatio).toBe(1.25);
    expect(s.coverage).toBeCloseTo(2 / 3, 10);
    expect(s.medianWidth).toBe(4);
  });
});

describe("the calibration", () => {
  it("the blend extrapolates the fitted gain per doubling with the curvature prior, for the target's answer only", () => {
    const cal: Calibration = { ...NO_CALIBRATION, blend: 1, curvature: 1, slopeSpan: 2 };
    // Linear in log n: error falls 0.03 per doubling, so two doublings beyond nMax gain 0.06.
    const lin = (n: number): number => 0.3 - 0.03 * Math.log2(n / 4000);
    expect(blendedValue(0.3, lin, 16000, 250, 4000, cal)).toBeCloseTo(0.24, 10);
    expect(slopeBase(250, 4000, cal)).toBe(1000);
    expect(slopeBase(3000, 4000, cal)).toBe(2000);
    // Curvature 0.5: 0.03 + 0.015 over two doublings; in the limit 0.06 in all.
    expect(blendedValue(0.3, lin, 16000, 250, 4000, { ...cal, curvature: 0.5 })).toBeCloseTo(0.255, 10);
    expect(blendedValue(0.2, lin, Infinity, 250, 4000, { ...cal, curvature: 0.5, blend: 0.5 })).toBeCloseTo(0.5 * 0.2 + 0.5 * 0.24, 10);
    // No blend: the family's own value.
    expect(blendedValue(0.3, lin, 16000, 250, 4000, NO_CALIBRATION)).toBe(0.3);
    // The score forecasts keep the families: only samplesFor reads the blend.
    const points = simulate(loglin, { sizes: SIZES.slice(0, 5), sd: 0.004, seed: 3 });
    const fit = fitCurve(points, { metric: acc, seed: 1, bootstrap: 10, calibration: NO_CALIBRATION });
    const blended = fit.recalibrated({ ...NO_CALIBRATION, blend: 1, curvature: 1, slopeSpan: 4 });
    expect(blended.scoreAt(64000)).toEqual(fit.scoreAt(64000));
    expect(blended.samplesFor(loglin(32000)).mean).not.toBe(fit.samplesFor(loglin(32000)).mean);
  });

  it("the interval grows with the horizon and with thin evidence, and the identity leaves it alone", () => {
    const cal: Calibration = { ...NO_CALIBRATION, spreadScale: 0.5, horizonSd: 0.3 };
    expect(calibratedInterval(8000, 4000, 16000, 4000, NO_CALIBRATION, 0.8)).toEqual({ lo: 4000, hi: 16000 });
    const near = calibratedInterval(8000, 6000, 10000, 4000, cal, 0.8);
    const far = calibratedInterval(64000, 48000, 80000, 4000, cal, 0.8);
    expect(far.hi / far.lo).toBeGreaterThan(near.hi / near.lo);
    const thin = calibratedInterval(8000, 6000, 10000, 4000, { ...cal, thinEvidence: 0.25 }, 0.8, 2);
    expect(Math.log(thin.hi / thin.lo)).toBeCloseTo(1.5625 * Math.log(near.hi / near.lo), 6);
    // An unbounded side stays unbounded.
    expect(calibratedInterval(8000, 6000, Infinity, 4000, cal, 0.8).hi).toBe(Infinity);
  });

  it("on a log-linear curve, the blended answer is near the truth where the families bend too early", () => {
    const points = simulate(loglin, { sizes: SIZES.slice(0, 5), sd: 0.004, seed: 3 });
    const fit = fitCurve(points, { metric: acc, seed: 1, bootstrap: 20, calibration: NO_CALIBRATION });
    const truth = 32000;
    const target = loglin(truth);
    const cal = fit.recalibrated({ ...NO_CALIBRATION, blend: 1, curvature: 1, slopeSpan: 4 }).samplesFor(target);
    expect(foldRatio(cal.mean, truth)).toBeLessThan(1.5);
    expect(foldRatio(cal.mean, truth)).toBeLessThan(foldRatio(fit.samplesFor(target).mean, truth));
  });

  it("blends only as far as the families' own answer is in doubt, and leaves a likely-unreachable target to them", () => {
    const cal: Calibration = { ...NO_CALIBRATION, blend: 0.5, blendSpread: 6 };
    expect(blendWeight(cal, 1000, 1000 * Math.exp(3))).toBeCloseTo(0.25, 10);
    expect(blendWeight(cal, 1000, 1000 * Math.exp(9))).toBe(0.5);
    expect(blendWeight(cal, 1000, Infinity)).toBe(0.5);
    expect(blendWeight({ ...cal, blendSpread: 0 }, 1000, 1100)).toBe(0.5);
    // A curve that levels off at 0.80: a target at 0.86, beyond the families' own point forecast. With the families'
    // verdict it is theirs; without it the tail's own curvature levels off too, so it is never read as reachable.
    const plateau = (n: number): number => 0.8 - 0.5 * Math.pow(n, -0.6);
    const fit = fitCurve(simulate(plateau, { sizes: SIZES.slice(0, 5), sd: 0.002, seed: 4 }), { metric: acc, seed: 1, bootstrap: 20, calibration: CALIBRATION });
    const a = fit.samplesFor(0.86);
    expect(a.reachable).not.toBe(true);
    expect(a.hi).toBe(Infinity);
    const verdict = fit.recalibrated({ ...CALIBRATION, familiesVerdict: "always" });
    expect(verdict.samplesFor(0.86)).toEqual(fit.recalibrated({ ...CALIBRATION, blend: 0, spreadScale: 1, horizonSd: 0 }).samplesFor(0.86));
  });

  it("a flat stretch the families read as a plateau is placed by the tail where the latest doubling still gains", () => {
    // The corpus' teacher-student MLP cut at 4,000: 0.788, 0.791, 0.795 at 1,000-4,000, then 0.812 at 8,000.
    const lines = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "../../bench/corpus/tab-teacher-mlp.csv"), "utf8").trim().split(/\r?\n/);
    const head = lines[0]!.split(",");
    const points = lines.slice(1).map((l) => l.split(",")).map((c) => ({ n: Number(c[head.indexOf("size")]), score: Number(c[head.indexOf("score")]), seed: Number(c[head.indexOf("seed")]) }));
    const fit = fitCurve(points.filter((p) => p.n <= 4000), { metric: acc, seed: 1, bootstrap: 60 });
    const target = 0.8119;
    expect(fit.recalibrated({ ...CALIBRATION, familiesVerdict: "always" }).samplesFor(target).reachable).toBe(false);
    const a = fit.samplesFor(target);
    expect(a.reachable).not.toBe(false);
    expect(foldRatio(a.mean, 8000)).toBeLessThan(2);
    expect(a.lo).toBeLessThanOrEqual(8000);
    expect(a.hi).toBeGreaterThanOrEqual(8000);
  });

  it("the power tail divides the error above the best value by a factor per doubling, and enters unshrunk", () => {
    const cal: Calibration = { ...NO_CALIBRATION, blend: 1, curvature: 1, slopeSpan: 2, tail: "power" };
    // Error 0.2 (n / 4000)^-0.5: halves every two doublings.
    const pow = (n: number): number => 0.2 * Math.pow(n / 4000, -0.5);
    expect(tailValue(pow, 16000, 250, 4000, cal, 0)).toBeCloseTo(0.1, 10);
    // Curvature 0.5: the log drop per doubling halves each time (ln 2 / 2, then ln 2 / 4), at most ln 2 in all.
    expect(tailValue(pow, Infinity, 250, 4000, { ...cal, curvature: 0.5 }, 0)).toBeCloseTo(0.1, 10);
    // No best value (an unbounded metric): read as the linear tail.
    expect(tailValue(pow, 16000, 250, 4000, cal, -Infinity)).toBeCloseTo(tailValue(pow, 16000, 250, 4000, { ...cal, tail: "linear" }), 10);
    // A power law in the error, fitted on 250-4,000: the power tail places a target reached at 32,000 within 1.3x.
    const law = (n: number): number => 1 - 0.9 * Math.pow(n, -0.25);
    const fit = fitCurve(simulate(law, { sizes: SIZES.slice(0, 5), sd: 0.003, seed: 6 }), { metric: acc, seed: 1, bootstrap: 20, calibration: NO_CALIBRATION });
    const a = fit.recalibrated({ ...CALIBRATION, blend: 1, curvature: 0.95, tail: "power" }).samplesFor(law(32000));
    expect(foldRatio(a.mean, 32000)).toBeLessThan(1.3);
  });

  it("the run noise widens the interval where the curve gains little per doubling", () => {
    const cal: Calibration = { ...NO_CALIBRATION, spreadScale: 1, horizonSd: 0, runNoise: 1 };
    const tight = calibratedInterval(8000, 7000, 9000, 4000, cal, 0.8);
    expect(tight).toEqual({ lo: 7000, hi: 9000 });
    const noisy = calibratedInterval(8000, 7000, 9000, 4000, cal, 0.8, 0, { lo: 0.5, hi: 0.7 });
    expect(noisy.lo).toBeCloseTo(8000 * Math.exp(-Math.hypot(Math.log(8000 / 7000), 0.5)), 6);
    expect(noisy.hi).toBeCloseTo(8000 * Math.exp(Math.hypot(Math.log(9000 / 8000), 0.7)), 6);
    expect(calibratedInterval(8000, 7000, 9000, 4000, cal, 0.8, 0, { lo: 0.5, hi: Infinity }).hi).toBe(Infinity);
    expect(calibratedInterval(8000, 7000, 9000, 4000, { ...cal, runNoise: 0 }, 0.8, 0, { lo: 0.5, hi: 0.7 })).toEqual(tight);
    // A saturating curve gains less per doubling than a log-linear one, and less the further out: the same noise
    // moves its crossing further.
    const sat = (n: number): number => 0.85 - 2 * Math.pow(n, -0.5);
    const fitSat = fitCurve(simulate(sat, { sizes: SIZES.slice(0, 5), sd: 0.004, seed: 7 }), { metric: acc, seed: 1, bootstrap: 10 });
    const fitLin = fitCurve(simulate(loglin, { sizes: SIZES.slice(0, 5), sd: 0.004, seed: 7 }), { metric: acc, seed: 1, bootstrap: 10 });
    const reach = (fit: typeof fitSat, target: number) => {
      const r = fit.noiseReach(target, fit.samplesFor(target).mean, 0.8);
      return r.lo + r.hi;
    };
    expect(reach(fitSat, sat(8000))).toBeGreaterThan(reach(fitLin, loglin(8000)));
    expect(reach(fitSat, sat(32000))).toBeGreaterThan(1.2 * reach(fitSat, sat(8000)));
  });

  it("learns the blend from curves whose truth is known, and keeps the identity without any", () => {
    const cases: CalibrationCase[] = [1, 2, 3].map((seed) => {
      const all = simulate(loglin, { sizes: SIZES, sd: 0.004, seed });
      const [c] = truthCases({ id: `c${seed}`, group: "g", points: all }, [8]);
      return { curve: c!.curve, group: "g", fraction: 8, fit: fitCurve(c!.fitPoints, { metric: acc, seed: 1, bootstrap: 10, calibration: NO_CALIBRATION }), targets: c!.targets };
    });
    const learnt = learnCalibration(cases);
    expect(learnt.blend).toBeGreaterThan(0);
    expect(learnt.thinEvidence).toBe(CALIBRATION.thinEvidence);
    expect(learnCalibration([])).toEqual(NO_CALIBRATION);
  }, 60_000);
});

describe("thin evidence and flat stretches", () => {
  it("a fit on three sizes counts its doubts and widens the forecast beyond the measured sizes", () => {
    const points = simulate(loglin, { sizes: SIZES.slice(0, 3), sd: 0.004, seed: 5 });
    const fit = fitCurve(points, { metric: acc, seed: 1, bootstrap: 20 });
    expect(fit.doubts).toBe(3); // fewer than 4 sizes (2) and one family (pow3) carrying the fit (1)
    const wide = fit.scoreAt(4000);
    const plain = fit.recalibrated({ ...fit.calibration, thinEvidence: 0 }).scoreAt(4000);
    expect(wide.hi - wide.lo).toBeGreaterThan(1.8 * (plain.hi - plain.lo));
    // Within the measured sizes nothing changes.
    expect(fit.scoreAt(500)).toEqual(fit.recalibrated({ ...fit.calibration, thinEvidence: 0 }).scoreAt(500));
  });

  it("a flat stretch at small sizes is not a confident plateau: the interval reaches the rise that followed", () => {
    // The curve: flat from 150 to 600 samples, then 0.870 at 1,200 and 0.896 at 5,148.
    const points = [150, 300, 600].flatMap((n, i) => [0, 1, 2].map((seed) => ({ n, seed, score: [0.842, 0.847, 0.85][i]! + [-0.004, 0, 0.004][seed]! })));
    const fit = fitCurve(points, { metric: acc, seed: 1, bootstrap: 40 });
    expect(fit.confidence).toBe("low");
    const now = fit.scoreAt(5148);
    const before = fit.recalibrated(NO_CALIBRATION).scoreAt(5148);
    expect(before.hi).toBeLessThan(0.896); // the old interval missed the truth
    expect(now.hi).toBeGreaterThan(0.896);
  });
});
