import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Model, train, type ModelSpec, type Recipe } from "../../src/engine/index.js";
import type { Tensors } from "../../src/engine/types.js";
import { blobs, range, squares } from "./fixtures.js";

const tmp = mkdtempSync(join(tmpdir(), "enough-transfer-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const fixtures = join(import.meta.dirname, "..", "fixtures", "torchscript");
const base: Recipe = { threads: 1, seed: 2, epochs: 6, batchSize: 16, earlyStopping: false };

/** The same inputs relabelled into 2 classes (the source task has 3). */
function twoClass(d: ReturnType<typeof blobs>): Tensors {
  return { ...d, numClasses: 2, y: d.y.map((c) => (c === 0 ? 0 : 1)) };
}

async function embedOf(m: Model, d: Tensors): Promise<Float32Array> {
  return (await m.embed(d, range(0, 60))).values;
}

describe("transfer from saved weights", () => {
  const spec: ModelSpec = { family: "mlp", hidden: [32, 16] };
  const src = blobs(300, 8, 3, 5);
  const dst = twoClass(blobs(300, 8, 3, 5));
  const dir = join(tmp, "source");

  it("loads everything but the head; frozen features stay exactly as saved and the head trains", async () => {
    const { model: source } = await train(spec, src, { train: range(0, 240) }, base);
    await source.save(dir);
    const before = await embedOf(source, dst);
    const { model: head } = await train(spec, dst, { train: range(0, 240) }, { ...base, init: { weights: dir, skipHead: true }, finetune: "head" });
    expect(await embedOf(head, dst)).toEqual(before);
    expect((await head.evaluate(dst, range(240, 300))).accuracy).toBeGreaterThan(0.8);
    const { model: full } = await train(spec, dst, { train: range(0, 240) }, { ...base, init: { weights: dir, skipHead: true }, finetune: "full" });
    expect(await embedOf(full, dst)).not.toEqual(before);
    const { model: both } = await train(spec, dst, { train: range(0, 240) }, { ...base, init: { weights: join(dir, "weights.pt"), skipHead: true }, finetune: { mode: "head-then-full", headFraction: 0.5 } });
    expect(await embedOf(both, dst)).not.toEqual(before);
    // The step budget's first half trains the head only: the first epochs' features equal the source's, so the
    // first epoch's loss is that of the head-only run.
    const h1 = await train(spec, dst, { train: range(0, 240) }, { ...base, epochs: 2, init: { weights: dir, skipHead: true }, finetune: "head" });
    const h2 = await train(spec, dst, { train: range(0, 240) }, { ...base, epochs: 2, init: { weights: dir, skipHead: true }, finetune: { mode: "head-then-full", headFraction: 0.5 } });
    expect(h2.result.history[0]!.trainLoss).toBe(h1.result.history[0]!.trainLoss);
    expect(h2.result.history[1]!.trainLoss).not.toBe(h1.result.history[1]!.trainLoss);
    for (const m of [source, head, full, both, h1.model, h2.model]) m.dispose();
  });

  it("a starting point changes training; without skipHead another class count is an InputError", async () => {
    const plain = await train(spec, src, { train: range(0, 240) }, base);
    const init = await train(spec, src, { train: range(0, 240) }, { ...base, init: { weights: dir } });
    expect(init.result.history[0]!.trainLoss).toBeLessThan(plain.result.history[0]!.trainLoss);
    await expect(train(spec, dst, { train: range(0, 240) }, { ...base, init: { weights: dir } })).rejects.toMatchObject({ name: "InputError", message: expect.stringContaining("skip the head") });
    await expect(train({ family: "mlp", hidden: [8] }, dst, { train: range(0, 240) }, { ...base, init: { weights: dir, skipHead: true } })).rejects.toMatchObject({ code: "INIT_WEIGHTS" });
    plain.model.dispose();
    init.model.dispose();
  });
});

describe("TorchScript backbones", () => {
  const dense = join(fixtures, "backbone-dense8.pt");
  const image = join(fixtures, "backbone-image1.pt");

  it("the committed fixtures are small", () => {
    expect(statSync(dense).size).toBeLessThan(200_000);
    expect(statSync(image).size).toBeLessThan(200_000);
  });

  it("frozen by default: the features do not change, the linear head trains", async () => {
    const d = blobs(300, 8, 3, 6);
    const a = await train({ family: "torchscript", path: dense }, d, { train: range(0, 240) }, base);
    const b = await train({ family: "torchscript", path: dense }, d, { train: range(0, 240) }, { ...base, epochs: 1, seed: 9 });
    expect(a.model.embedDim).toBe(16);
    expect(await embedOf(a.model, d)).toEqual(await embedOf(b.model, d));
    expect((await a.model.evaluate(d, range(240, 300))).accuracy).toBeGreaterThan(0.7);
    const full = await train({ family: "torchscript", path: dense }, d, { train: range(0, 240) }, { ...base, finetune: "full" });
    expect(await embedOf(full.model, d)).not.toEqual(await embedOf(a.model, d));
    // Saved and loaded with its (fine-tuned) backbone weights.
    await full.model.save(join(tmp, "ts"));
    const back = await Model.load(join(tmp, "ts"));
    expect(await back.predict(d, range(0, 60))).toEqual(await full.model.predict(d, range(0, 60)));
    for (const m of [a.model, b.model, full.model, back]) m.dispose();
  });

  it("an image backbone feeds a trained head", async () => {
    const d = squares(240, 12);
    const { model } = await train({ family: "torchscript", path: image }, d, { train: range(0, 180) }, { ...base, epochs: 10, lr: 3e-3 });
    expect(model.embedDim).toBe(64);
    expect((await model.evaluate(d, range(180, 240))).accuracy).toBeGreaterThan(0.5);
    model.dispose();
  });

  it("a missing or unfit module is a SpecError", async () => {
    await expect(train({ family: "torchscript", path: join(tmp, "nope.pt") }, blobs(40), { train: range(0, 40) }, base)).rejects.toMatchObject({ name: "SpecError" });
    await expect(train({ family: "torchscript", path: dense }, blobs(40, 5), { train: range(0, 40) }, base)).rejects.toMatchObject({ name: "SpecError" });
  });
});
