import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pretext, train, validateRecipe, type ModelSpec, type Recipe } from "../../src/engine/index.js";
import type { Tensors } from "../../src/engine/types.js";
import { blobs, clusters, range, sentences, squares } from "./fixtures.js";

const mlp: ModelSpec = { family: "mlp", hidden: [32] };
const recipe: Recipe = { threads: 1, steps: 300, epochs: 1, batchSize: 8, earlyStopping: false, lr: 3e-3 };
const semi = { threshold: 0.95, ratio: 3 };

/** Test accuracy of training on rows 0..8 (2 per cluster), with or without FixMatch on rows 8..1008 unlabelled. */
async function accuracy(data: Tensors, seed: number, withSemi: boolean): Promise<number> {
  const r = { ...recipe, seed, ...(withSemi ? { semi } : {}) };
  const { model } = await train(mlp, data, { train: range(0, 8) }, r, withSemi ? { unlabeled: { data, rows: range(8, 1008) } } : {});
  const e = await model.evaluate(data, range(1008, data.n));
  model.dispose();
  return e.accuracy!;
}

describe("FixMatch (recipe.semi)", () => {
  it("never reads the unlabelled rows' labels: scrambled labels there give the same training, to the bit", async () => {
    const data = clusters(1200, true, 5);
    const r = { ...recipe, steps: 100, seed: 2, semi };
    const scrambled = { ...data, y: Int32Array.from(data.y, (v, i) => (i >= 8 && i < 1008 ? 1 - v : v)) };
    const runs = [];
    for (const d of [data, scrambled]) {
      const { model, result } = await train(mlp, d, { train: range(0, 8) }, r, { unlabeled: { data: d, rows: range(8, 1008) } });
      runs.push({ loss: result.history.map((h) => h.trainLoss), test: await model.evaluate(data, range(1008, 1200)), confident: result.semiConfident });
      model.dispose();
    }
    expect(runs[1]).toEqual(runs[0]);
    // Inputs without any y are what the engine sends anyway; the unlabelled loss did take part.
    expect(runs[0]!.confident).toBeGreaterThan(0);
    const { y: _y, ...inputs } = data;
    const { result } = await train(mlp, data, { train: range(0, 8) }, r, { unlabeled: { data: inputs, rows: range(8, 1008) } });
    expect(result.history.map((h) => h.trainLoss)).toEqual(runs[0]!.loss);
  });

  it("helps where classes are clusters; where the cluster assumption fails it does not help", async () => {
    const gains = async (clustered: boolean) => {
      const out: number[] = [];
      for (const s of [1, 2, 3]) {
        const d = clusters(1400, clustered, 40 + s);
        out.push((await accuracy(d, s, true)) - (await accuracy(d, s, false)));
      }
      return out;
    };
    // Measured: supervised 0.95-0.99 from 8 labels in 32 features, FixMatch 1.00 on every seed.
    const helped = await gains(true);
    expect(helped.every((g) => g >= 0)).toBe(true);
    expect(helped.reduce((a, b) => a + b) / 3).toBeGreaterThan(0.02);
    // Isotropic inputs, boundary through the densest point: FixMatch pushes the boundary toward lower density,
    // which here is away from the truth (measured: -0.03 to -0.23). It must not read as help.
    const control = await gains(false);
    expect(Math.max(...control)).toBeLessThan(0.01);
  });

  it("refuses a regression task, privacy, and a recipe without unlabelled rows, with typed errors", async () => {
    const data = clusters(100, true, 1);
    await expect(train(mlp, data, { train: range(0, 8) }, { ...recipe, semi })).rejects.toMatchObject({ code: "SEMI_NO_UNLABELED" });
    const reg = { ...data, task: "regression" as const, numClasses: 0, y: new Float32Array(100) };
    await expect(train(mlp, reg, { train: range(0, 8) }, { ...recipe, semi }, { unlabeled: { data: reg } })).rejects.toMatchObject({ code: "SEMI_TASK" });
    expect(() => validateRecipe({ semi: { threshold: 2, ratio: 1 } })).toThrow(/threshold must be a number in \[0, 1\]/);
    expect(() => validateRecipe({ semi: { threshold: 0.9, ratio: 0.5 } })).toThrow(/ratio must be a whole number/);
  });

  it("trains images with weak and strong views, reproducibly", async () => {
    const data = squares(300, 12, 7);
    const cnn: ModelSpec = { family: "cnn", channels: [8, 8], fc: 16 };
    const r: Recipe = { threads: 1, seed: 4, epochs: 2, batchSize: 16, earlyStopping: false, semi: { threshold: 0.5, ratio: 2 } };
    const losses = [];
    for (let i = 0; i < 2; i++) {
      const { model, result } = await train(cnn, data, { train: range(0, 40) }, r, { unlabeled: { data, rows: range(40, 300) } });
      losses.push(result.history.map((h) => h.trainLoss));
      model.dispose();
    }
    expect(losses[1]).toEqual(losses[0]);
  });
});

describe("pretext()", () => {
  it("pretrains each data kind without labels, reproducibly, into weights that fine-tuning loads", async () => {
    const img = squares(200, 12, 3);
    const cnn: ModelSpec = { family: "cnn", channels: [8, 8], fc: 16 };
    const dir = mkdtempSync(join(tmpdir(), "enough-pretext-"));
    const { y: _y, ...inputs } = img;
    const losses = [];
    for (let i = 0; i < 2; i++) {
      const { model, result } = await pretext(cnn, inputs, range(0, 200), { method: "contrastive" }, { steps: 6, batchSize: 32, threads: 1, seed: 1 });
      losses.push(result.history.map((h) => h.trainLoss));
      if (i === 0) await model.save(join(dir, "m"));
      model.dispose();
    }
    expect(losses[1]).toEqual(losses[0]);
    expect(Number.isFinite(losses[0]![0]!)).toBe(true);
    expect(existsSync(join(dir, "m", "weights.pt"))).toBe(true);
    const { result } = await train(cnn, img, { train: range(0, 40) }, { threads: 1, epochs: 1, batchSize: 16, earlyStopping: false, init: { weights: join(dir, "m"), skipHead: true } });
    expect(result.epochs).toBe(1);
    const rec = await pretext(cnn, inputs, range(0, 200), { method: "reconstruct" }, { steps: 4, batchSize: 32, threads: 1 });
    expect(Number.isFinite(rec.result.history[0]!.trainLoss)).toBe(true);
    rec.model.dispose();
    const text = sentences(120, 16, 50, 2);
    const tok = await pretext({ family: "text" }, text, undefined, {}, { steps: 4, batchSize: 32, threads: 1 });
    expect(Number.isFinite(tok.result.history[0]!.trainLoss)).toBe(true);
    tok.model.dispose();
    await expect(pretext(cnn, inputs, undefined, { method: "masked-tokens" })).rejects.toMatchObject({ code: "PRETEXT_INVALID" });
  });

  it("denoising on tabular data lowers its own loss", async () => {
    const d = blobs(600, 16, 3, 3);
    const { model, result } = await pretext(mlp, d, undefined, {}, { steps: 200, batchSize: 64, threads: 1, seed: 2 });
    model.dispose();
    const h = result.history.map((e) => e.trainLoss);
    expect(h[h.length - 1]!).toBeLessThan(h[0]! * 0.9);
  });
});
