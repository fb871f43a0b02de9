// Metrics from an evaluation's predictions (engine/scores.ts), against values worked out by hand in scikit-learn's
// conventions (f1_score average="macro", balanced_accuracy_score, roc_auc_score binary and ovr-macro).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Ensemble, train } from "../../src/engine/index.js";
import { predictionScores, rocAuc } from "../../src/engine/scores.js";
import { blobs, linear, range } from "./fixtures.js";

const engineBuilt = existsSync(join(import.meta.dirname, "../../native/build/Release/enough_native.node"));

const probs = (rows: number[][]) => Float32Array.from(rows.flat());

describe("predictionScores", () => {
  it("macro F1 and balanced accuracy of a three-class prediction", () => {
    // truth 0 0 1 1 2 2, predicted 0 1 1 1 0 2
    const y = Int32Array.from([0, 0, 1, 1, 2, 2]);
    const p = probs([[0.8, 0.1, 0.1], [0.2, 0.7, 0.1], [0.1, 0.8, 0.1], [0.2, 0.6, 0.2], [0.5, 0.2, 0.3], [0.1, 0.2, 0.7]]);
    const s = predictionScores("classification", p, y, undefined, 3);
    // class 0: tp 1, predicted 2, true 2 -> 0.5; class 1: tp 2, predicted 3, true 2 -> 0.8; class 2: tp 1, 1, 2 -> 2/3
    expect(s.f1).toBeCloseTo((0.5 + 0.8 + 2 / 3) / 3, 12);
    // recalls 1/2, 2/2, 1/2
    expect(s.balancedAccuracy).toBeCloseTo(2 / 3, 12);
    expect(s.auc).toBeGreaterThan(0.5);
    expect(s.mae).toBeUndefined();
  });

  it("reads only the given rows, in order", () => {
    const y = Int32Array.from([1, 0, 1, 0]);
    const p = probs([[0.9, 0.1], [0.2, 0.8]]); // predictions for rows 2 and 1
    const s = predictionScores("classification", p, y, Int32Array.from([2, 1]), 2);
    // row 2 (truth 1) predicted 0, row 1 (truth 0) predicted 1: every prediction wrong
    expect(s.balancedAccuracy).toBe(0);
    expect(s.f1).toBe(0);
    expect(s.auc).toBe(0);
  });

  it("binary AUC is class 1's rank statistic, ties counting one half", () => {
    const y = Int32Array.from([0, 0, 1, 1]);
    // class-1 scores 0.1, 0.4, 0.35, 0.8: pairs (pos, neg) ordered right 3 of 4 -> 0.75 (scikit-learn's example)
    const p = probs([[0.9, 0.1], [0.6, 0.4], [0.65, 0.35], [0.2, 0.8]]);
    expect(predictionScores("classification", p, y, undefined, 2).auc).toBeCloseTo(0.75, 6);
    // a tie between a positive and a negative counts one half
    const t = probs([[0.5, 0.5], [0.5, 0.5], [0.9, 0.1], [0.1, 0.9]]);
    expect(rocAuc(t, 2, 1, Int32Array.from([0, 1, 0, 1]))).toBeCloseTo((1 + 0.5 + 1 + 1) / 4, 12);
  });

  it("AUC equals the share of (positive, negative) pairs ordered right, counted pair by pair", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.boolean()), { minLength: 2, maxLength: 40 }), (rows) => {
        const truth = Int32Array.from(rows.map(([, pos]) => (pos ? 1 : 0)));
        const p = Float32Array.from(rows.flatMap(([v]) => [1 - v / 5, v / 5])); // few distinct values: many ties
        let pairs = 0;
        let count = 0;
        rows.forEach(([a, pa]) => rows.forEach(([b, pb]) => {
          if (pa && !pb) {
            count++;
            pairs += a > b ? 1 : a === b ? 0.5 : 0;
          }
        }));
        const auc = rocAuc(p, 2, 1, truth);
        if (count === 0) expect(auc).toBeUndefined();
        else expect(auc).toBeCloseTo(pairs / count, 12);
      }),
      { numRuns: 200 },
    );
  });

  it("multi-class AUC is the mean one-vs-rest AUC over classes with positives and negatives; none on one class", () => {
    const y = Int32Array.from([0, 1, 2, 0, 1, 2]);
    const perfect = probs([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.9, 0.05, 0.05], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]);
    expect(predictionScores("classification", perfect, y, undefined, 3).auc).toBe(1);
    const one = predictionScores("classification", probs([[0.7, 0.3], [0.6, 0.4]]), Int32Array.from([0, 0]), undefined, 2);
    expect(one.auc).toBeUndefined();
    expect(one.balancedAccuracy).toBe(1);
  });

  it("a class in neither the labels nor the predictions is left out of macro F1", () => {
    const y = Int32Array.from([0, 1]);
    const s = predictionScores("classification", probs([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]]), y, undefined, 3);
    expect(s.f1).toBe(1);
  });

  it("regression: mean absolute error", () => {
    const s = predictionScores("regression", Float32Array.from([1, 2, 4]), Float32Array.from([1.5, 2, 2]), undefined, 0);
    expect(s.mae).toBeCloseTo((0.5 + 0 + 2) / 3, 6);
    expect(s.f1).toBeUndefined();
  });
});

describe.skipIf(!engineBuilt)("Model.evaluate", () => {
  it("gives the scores of its own pass's predictions (the same as predict's), for one model and an ensemble", async () => {
    for (const d of [blobs(240, 6, 3), linear(240)]) {
      const { model } = await train({ family: "mlp", hidden: [16] }, d, { train: range(0, 160) }, { threads: 1, epochs: 3, batchSize: 16, earlyStopping: false, seed: 1 });
      const rows = range(160, 240);
      const ev = await model.evaluate(d, rows);
      const fromPredict = predictionScores(d.task, await model.predict(d, rows), d.y, rows, d.numClasses);
      if (d.task === "classification") {
        expect(ev.f1).toBeCloseTo(fromPredict.f1!, 12);
        expect(ev.balancedAccuracy).toBeCloseTo(fromPredict.balancedAccuracy!, 12);
        expect(ev.auc).toBeCloseTo(fromPredict.auc!, 6);
        expect(ev.auc).toBeGreaterThan(0.5);
      } else {
        expect(ev.mae).toBeCloseTo(fromPredict.mae!, 3);
        expect(ev.mae! ** 2).toBeLessThanOrEqual(ev.mse! * (1 + 1e-9)); // mean |e| <= sqrt(mean e^2)
      }
      const ens = await new Ensemble([model]).evaluate(d, rows);
      expect(ens.f1 ?? ens.mae).toBeCloseTo((ev.f1 ?? ev.mae)!, 3);
      model.dispose();
    }
  });
});
