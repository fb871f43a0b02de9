import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InputError } from "../../src/errors.js";
import { Model, train, type ModelSpec } from "../../src/engine/index.js";
import { blobs, linear, range, sentences, squares } from "./fixtures.js";

describe("engine: Model", () => {
  const cases: [string, ModelSpec, () => ReturnType<typeof blobs> | ReturnType<typeof squares> | ReturnType<typeof sentences> | ReturnType<typeof linear>][] = [
    ["mlp", { family: "mlp", hidden: [16, 8], batchNorm: true }, () => blobs(200)],
    ["cnn (channels-last)", { family: "cnn", width: 0.25, channelsLast: true }, () => squares(100)],
    ["resnet", { family: "resnet", width: 0.25 }, () => squares(100)],
    ["text conv", { family: "text", variant: "conv", width: 0.25 }, () => sentences(100)],
    ["mlp regression", { family: "mlp", hidden: [8] }, () => linear(200)],
  ];
  for (const [name, spec, make] of cases) {
    it(`${name}: save/load round-trip gives identical predictions and embeddings`, async () => {
      const d = make();
      const { model } = await train(spec, d, { train: range(0, d.n) }, { threads: 1, epochs: 2, batchSize: 16 });
      const dir = join(mkdtempSync(join(tmpdir(), "enough-model-")), "m");
      await model.save(dir);
      expect(existsSync(join(dir, "weights.pt"))).toBe(true);
      const meta = JSON.parse(readFileSync(join(dir, "model.json"), "utf8"));
      expect(meta).toMatchObject({ format: "enough-model", version: 1, spec });
      const loaded = await Model.load(dir);
      expect(loaded.paramCount).toBe(model.paramCount);
      const rows = range(0, 20);
      expect(await loaded.predict(d, rows)).toEqual(await model.predict(d, rows));
      expect((await loaded.embed(d, rows)).values).toEqual((await model.embed(d, rows)).values);
      expect(await loaded.evaluate(d)).toEqual(await model.evaluate(d));
      model.dispose();
      loaded.dispose();
    });
  }

  it("convolutions with fewer than 8 channels run in NCHW layout (oneDNN's AVX2 channels-last kernels overwrite the heap there)", async () => {
    const d = squares(40);
    const layout = async (spec: ModelSpec) => {
      const { model } = await train(spec, d, { train: range(0, 40) }, { threads: 1, epochs: 1, batchSize: 16 });
      const used = model.channelsLast;
      model.dispose();
      return used;
    };
    // channels-last asked for explicitly: the default is a per-machine choice (engine/machine.ts)
    expect(await layout({ family: "resnet", width: 0.25, channelsLast: true })).toBe(false); // 4-channel stage
    expect(await layout({ family: "resnet", channels: [8, 16], channelsLast: true })).toBe(true);
    expect(await layout({ family: "cnn", channels: [4, 8], fc: 8, channelsLast: true })).toBe(false);
    expect(await layout({ family: "cnn", channels: [8, 16], fc: 8, channelsLast: false })).toBe(false);
    expect(await layout({ family: "cnn", channels: [8, 16], fc: 8, channelsLast: true })).toBe(true);
  });

  it("predict gives class probabilities; embed gives penultimate features", async () => {
    const d = squares(100);
    const { model } = await train({ family: "cnn", channels: [4, 8], fc: 24 }, d, { train: range(0, 100) }, { threads: 1, epochs: 1 });
    const p = await model.predict(d, range(10, 15));
    expect(p.length).toBe(5 * 4);
    for (let i = 0; i < 5; i++) expect(p.subarray(i * 4, i * 4 + 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    const e = await model.embed(d, range(0, 7));
    expect(e.dim).toBe(24);
    expect(model.embedDim).toBe(24);
    expect(e.values.length).toBe(7 * 24);
    expect((await model.predict(d)).length).toBe(100 * 4); // all rows by default
    model.dispose();
  });

  it("predict works on unlabeled-task data and rejects data of another shape", async () => {
    const d = blobs(100);
    const { model } = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 100) }, { threads: 1, epochs: 1 });
    const unlabeled = { ...d, task: "regression" as const, numClasses: 0, y: new Float32Array(100) };
    expect((await model.predict(unlabeled, range(0, 3))).length).toBe(9);
    const other = blobs(100, 5);
    await expect(model.predict(other)).rejects.toThrow(/xShape is \[5\], the model takes \[8\]/);
    model.dispose();
    await expect(model.predict(d)).rejects.toThrow(InputError);
    expect(() => model.dispose()).not.toThrow();
  });

  it("reads data and rows backed by a SharedArrayBuffer, and typed-array views with an offset", async () => {
    const d = blobs(120);
    const shared = new Float32Array(new SharedArrayBuffer(d.x.byteLength));
    shared.set(d.x);
    const padded = new Int32Array(130);
    padded.set(d.y, 10);
    const data = { ...d, x: shared, y: padded.subarray(10) };
    const rows = new Int32Array(new SharedArrayBuffer(4 * 100));
    rows.set(range(0, 100));
    const { model } = await train({ family: "mlp", hidden: [8] }, data, { train: rows }, { threads: 1, epochs: 5, seed: 3 });
    const { model: ref } = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 100) }, { threads: 1, epochs: 5, seed: 3 });
    expect(await model.predict(data, range(100, 120))).toEqual(await ref.predict(d, range(100, 120)));
    model.dispose();
    ref.dispose();
  });

  it("load of a missing or foreign directory is an InputError", async () => {
    await expect(Model.load(join(tmpdir(), "no-such-enough-model"))).rejects.toThrow(InputError);
  });
});
