import { describe, expect, it } from "vitest";
import { train, type ModelSpec } from "../../src/engine/index.js";
import { blobs, linear, range, sentences, squares } from "./fixtures.js";

const fast = { threads: 1, seed: 1 } as const;

describe("engine: every family learns", () => {
  const cases: [string, ModelSpec, () => ReturnType<typeof blobs> | ReturnType<typeof squares> | ReturnType<typeof sentences>, number][] = [
    ["mlp on dense", { family: "mlp", hidden: [32] }, () => blobs(), 1 / 3],
    ["mlp with batch norm and dropout", { family: "mlp", hidden: [32, 16], batchNorm: true, dropout: 0.1 }, () => blobs(), 1 / 3],
    ["mlp on images", { family: "mlp", width: 0.25 }, () => squares(), 1 / 4],
    ["cnn", { family: "cnn", width: 0.25 }, () => squares(), 1 / 4],
    ["cnn without batch norm, channels-last", { family: "cnn", channels: [8, 16], fc: 16, batchNorm: false, channelsLast: true }, () => squares(), 1 / 4],
    ["resnet", { family: "resnet", width: 0.5 }, () => squares(), 1 / 4],
    ["text bag", { family: "text" }, () => sentences(), 1 / 3],
    ["text conv", { family: "text", variant: "conv", width: 0.25 }, () => sentences(), 1 / 3],
  ];
  for (const [name, spec, make, chance] of cases) {
    it(`${name} beats chance on held-out rows`, async () => {
      const d = make();
      const cut = Math.floor(d.n * 0.75);
      const { model, result } = await train(spec, d, { train: range(0, cut), valid: range(cut, d.n) }, { ...fast, epochs: 8, batchSize: 32, lr: 3e-3 });
      const ev = await model.evaluate(d, range(cut, d.n));
      expect(ev.n).toBe(d.n - cut);
      expect(ev.accuracy!).toBeGreaterThan(chance + 0.3);
      expect(result.history.length).toBeGreaterThan(0);
      expect(result.paramCount).toBe(model.paramCount);
      expect(result.history.at(-1)!.validMetric).toBeDefined();
      model.dispose();
    });
  }

  it("mlp learns from categorical columns through embeddings", async () => {
    const d = blobs(600, 2, 3, 9);
    const cat = new Int32Array(600);
    const y = new Int32Array(600);
    for (let i = 0; i < 600; i++) {
      cat[i] = (i * 7) % 30;
      y[i] = cat[i]! % 3; // the class depends only on the categorical id
    }
    const data = { ...d, y, cat, catCardinalities: [30] };
    const { model } = await train({ family: "mlp", hidden: [16] }, data, { train: range(0, 450) }, { ...fast, epochs: 30, batchSize: 32, lr: 1e-2 });
    expect((await model.evaluate(data, range(450, 600))).accuracy!).toBeGreaterThan(0.9);
    model.dispose();
    await expect(train({ family: "cnn" }, { ...squares(20), cat: new Int32Array(20), catCardinalities: [2] }, { train: range(0, 20) }, fast)).rejects.toThrow(/does not take categorical columns/);
  });

  it("regression: MSE head on a large-scale target reaches a high R²", async () => {
    const d = linear();
    const { model, result } = await train({ family: "mlp", hidden: [32] }, d, { train: range(0, 450), valid: range(450, 600) }, { ...fast, epochs: 30, batchSize: 32, lr: 3e-3 });
    const ev = await model.evaluate(d, range(450, 600));
    expect(ev.r2!).toBeGreaterThan(0.9);
    expect(ev.mse).toBeCloseTo(ev.loss, 6);
    expect(result.history.at(-1)!.validMetric!).toBeCloseTo(ev.r2!, 6);
    const pred = await model.predict(d, range(450, 460));
    expect(pred.length).toBe(10);
    expect(Math.abs(pred[0]! - d.y[450]!)).toBeLessThan(100); // predictions are in target units
    model.dispose();
  });

  it("class weights, label smoothing, sgd+nesterov, cosine and one-cycle schedules, step budgets run", async () => {
    const d = blobs();
    const spec: ModelSpec = { family: "mlp", hidden: [16], classWeights: [1, 2, 1], labelSmoothing: 0.1 };
    for (const recipe of [
      { optimizer: "sgd", lr: 0.05, momentum: 0.9, nesterov: true, schedule: "cosine", epochs: 3 },
      { optimizer: "adamw", lr: 1e-2, weightDecay: 0.01, schedule: "onecycle", steps: 25, batchSize: 50 },
    ] as const) {
      const { model, result } = await train(spec, d, { train: range(0, 500) }, { ...fast, ...recipe });
      if ("steps" in recipe) {
        expect(result.steps).toBe(25);
        expect(result.epochs).toBe(3); // 10 batches per epoch
      }
      expect((await model.evaluate(d, range(500, 600))).accuracy!).toBeGreaterThan(0.6);
      model.dispose();
    }
  });
});

describe("engine: early stopping and reproducibility", () => {
  it("stops early and restores the best weights", async () => {
    const d = blobs(600, 8, 3, 7);
    // Validation labels are scrambled, so validation loss rises as the model grows confident.
    const y = d.y.slice();
    for (let i = 400; i < 600; i++) y[i] = (y[i]! + 1 + (i % 2)) % 3;
    const data = { ...d, y };
    const valid = range(400, 600);
    const { model, result } = await train({ family: "mlp", hidden: [64] }, data, { train: range(0, 400), valid }, {
      ...fast,
      epochs: 40,
      batchSize: 16,
      lr: 1e-2,
      earlyStopping: { patience: 3 },
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.epochs).toBe(result.bestEpoch + 3);
    const best = result.history[result.bestEpoch - 1]!;
    expect(best.validLoss).toBe(Math.min(...result.history.map((h) => h.validLoss!)));
    const ev = await model.evaluate(data, valid);
    expect(ev.loss).toBeCloseTo(best.validLoss!, 5);
    model.dispose();
  });

  it("same seed and one thread give identical histories; another seed differs", async () => {
    const d = squares(200);
    const run = async (seed: number) => {
      const { model, result } = await train({ family: "cnn", width: 0.25, dropout: 0.2 }, d, { train: range(0, 150), valid: range(150, 200) }, { threads: 1, seed, epochs: 3, batchSize: 16 });
      model.dispose();
      return result.history.map((h) => [h.trainLoss, h.validLoss, h.validMetric]);
    };
    const a = await run(5);
    const b = await run(5);
    const c = await run(6);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it("reports progress once per epoch, in order, before resolving", async () => {
    const d = blobs(200);
    const seen: number[] = [];
    const { model, result } = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 200) }, { ...fast, epochs: 4 }, { onEpoch: (e) => seen.push(e.epoch) });
    expect(seen).toEqual([1, 2, 3, 4]);
    expect(result.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4]);
    expect(result.samplesPerSecond).toBeGreaterThan(0);
    model.dispose();
  });
});
