import { describe, expect, it } from "vitest";
import { Ensemble, train, type Recipe } from "../../src/engine/index.js";
import { blobs, linear, range } from "./fixtures.js";

const base: Recipe = { threads: 1, epochs: 3, batchSize: 16, earlyStopping: false };

describe("ensembles", () => {
  it("k identical members equal one model", async () => {
    const d = blobs(200);
    const { model } = await train({ family: "mlp", hidden: [16] }, d, { train: range(0, 150) }, { ...base, seed: 1 });
    const e = new Ensemble([model, model, model, model, model]);
    const test = range(150, 200);
    expect(await e.predict(d, test)).toEqual(await model.predict(d, test));
    const one = await model.evaluate(d, test);
    const ens = await e.evaluate(d, test);
    expect(ens.accuracy).toBe(one.accuracy);
    expect(ens.loss).toBeCloseTo(one.loss, 4);
    model.dispose();
  });

  it("averages class probabilities and regression values", async () => {
    for (const d of [blobs(200), linear(200)]) {
      const members = await Promise.all([1, 2, 3].map(async (seed) => (await train({ family: "mlp", hidden: [16] }, d, { train: range(0, 150) }, { ...base, seed })).model));
      const test = range(150, 200);
      const preds = await Promise.all(members.map((m) => m.predict(d, test)));
      const avg = await new Ensemble(members).predict(d, test);
      expect(avg.length).toBe(preds[0]!.length);
      for (let i = 0; i < avg.length; i++) expect(avg[i]!).toBeCloseTo((preds[0]![i]! + preds[1]![i]! + preds[2]![i]!) / 3, 4);
      const ev = await new Ensemble(members).evaluate(d, test);
      if (d.task === "classification") {
        const c = d.numClasses;
        let correct = 0;
        for (let i = 0; i < 50; i++) {
          const row = Array.from(avg.subarray(i * c, i * c + c));
          if (row.indexOf(Math.max(...row)) === d.y[150 + i]) correct++;
        }
        expect(ev.accuracy).toBe(correct / 50);
      } else {
        let sse = 0;
        for (let i = 0; i < 50; i++) sse += (avg[i]! - d.y[150 + i]!) ** 2;
        expect(ev.mse! / (sse / 50)).toBeCloseTo(1, 5);
        const ys = Array.from(d.y.subarray(150, 200) as ArrayLike<number>);
        const mean = ys.reduce((a, b) => a + b, 0) / 50;
        const sst = ys.reduce((a, b) => a + (b - mean) ** 2, 0);
        expect(ev.r2!).toBeCloseTo(1 - sse / sst, 4);
      }
      new Ensemble(members).dispose();
    }
  });

  it("rejects members that do not fit together", async () => {
    const a = (await train({ family: "mlp", hidden: [4] }, blobs(60), { train: range(0, 60) }, { ...base, epochs: 1 })).model;
    const b = (await train({ family: "mlp", hidden: [4] }, linear(60), { train: range(0, 60) }, { ...base, epochs: 1 })).model;
    expect(() => new Ensemble([a, b])).toThrow(/same input/);
    expect(() => new Ensemble([])).toThrow(/at least one/);
    a.dispose();
    b.dispose();
  });
});
