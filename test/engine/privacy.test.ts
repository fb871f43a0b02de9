import { describe, expect, it } from "vitest";
import { train, type ModelSpec } from "../../src/engine/index.js";
import { SpecError } from "../../src/errors.js";
import { calibrateNoise, dpSgdEpsilon } from "../../src/strategies/privacy/accountant.js";
import { blobs, range, squares } from "./fixtures.js";

const one = { threads: 1, seed: 3 } as const;

/** Logits up to a per-row constant, centred: log p - mean(log p). */
function centredLogits(p: Float32Array, k: number): Float64Array {
  const out = new Float64Array(p.length);
  for (let i = 0; i < p.length; i += k) {
    let m = 0;
    for (let j = 0; j < k; j++) m += Math.log(p[i + j]!) / k;
    for (let j = 0; j < k; j++) out[i + j] = Math.log(p[i + j]!) - m;
  }
  return out;
}

describe("engine: DP-SGD (recipe.privacy)", () => {
  it("clips: with sigma 0 one SGD step of a linear model moves each logit by at most lr * C * |(x, 1)|", async () => {
    const d = blobs(64, 4, 3, 5);
    const spec: ModelSpec = { family: "mlp", depth: 0 };
    const base = { ...one, optimizer: "sgd", momentum: 0, batchSize: 16, steps: 1 } as const;
    const before = (await train(spec, d, { train: range(0, 64) }, { ...base, lr: 1e-30 })).model;
    const p0 = centredLogits(await before.predict(d), 3);
    const C = 0.01;
    const lr = 1;
    for (const sampling of ["shuffle", "poisson"] as const) {
      const { model, result } = await train(spec, d, { train: range(0, 64) }, { ...base, lr, privacy: { noiseMultiplier: 0, maxGradNorm: C, sampling } });
      expect(result.privacy!.epsilon).toBe(Infinity);
      const p1 = centredLogits(await model.predict(d), 3);
      let moved = 0;
      for (let i = 0; i < d.n; i++) {
        let xn = 1;
        for (let j = 0; j < 4; j++) xn += d.x[i * 4 + j]! ** 2;
        let dn = 0;
        for (let k = 0; k < 3; k++) dn += (p1[i * 3 + k]! - p0[i * 3 + k]!) ** 2;
        // A Poisson batch may hold more rows than the expected 16: the bound scales with rows / 16 (at most 64/16).
        const rowsFactor = sampling === "shuffle" ? 1 : 4;
        expect(Math.sqrt(dn)).toBeLessThanOrEqual(lr * C * rowsFactor * Math.sqrt(xn) * 1.001 + 1e-5);
        moved = Math.max(moved, Math.sqrt(dn));
      }
      expect(moved).toBeGreaterThan(1e-4);
      model.dispose();
    }
    before.dispose();
  });

  const plainCases: [string, ModelSpec, () => ReturnType<typeof blobs> | ReturnType<typeof squares>][] = [
    ["mlp (per-layer per-sample gradients)", { family: "mlp", hidden: [16, 8], dropout: 0 }, () => blobs(96, 6, 3, 7)],
    ["mlp with a categorical column (embedding per-sample gradients)", { family: "mlp", hidden: [8] }, () => ({ ...blobs(96, 3, 3, 8), cat: Int32Array.from({ length: 96 }, (_, i) => i % 5), catCardinalities: [5] })],
    ["cnn without batch norm (micro-batches)", { family: "cnn", channels: [4], fc: 8, batchNorm: false }, () => squares(64, 8, 4)],
  ];
  for (const [name, spec, make] of plainCases) {
    it(`${name}: sigma 0 and a huge C is plain SGD on the same shuffled batches`, async () => {
      const d = make();
      const rec = { ...one, optimizer: "sgd", momentum: 0.9, lr: 0.05, batchSize: 16, epochs: 2 } as const;
      const plain = await train(spec, d, { train: range(0, d.n) }, rec);
      const priv = await train(spec, d, { train: range(0, d.n) }, { ...rec, privacy: { noiseMultiplier: 0, maxGradNorm: 1e9, sampling: "shuffle" } });
      const a = await plain.model.predict(d);
      const b = await priv.model.predict(d);
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
      expect(priv.result.history[0]!.trainLoss).toBeCloseTo(plain.result.history[0]!.trainLoss, 4);
      plain.model.dispose();
      priv.model.dispose();
    });
  }

  it("is reproducible: same seed, same noise and metrics; another seed, other noise", async () => {
    const d = blobs(200, 6, 3, 2);
    const rec = { threads: 1, batchSize: 20, epochs: 2, privacy: { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson" as const } };
    const run = async (seed: number) => {
      const { model, result } = await train({ family: "mlp", hidden: [16], dropout: 0.1 }, d, { train: range(0, 150), valid: range(150, 200) }, { ...rec, seed });
      const p = await model.predict(d);
      model.dispose();
      return { p, h: result.history.map((e) => [e.trainLoss, e.validLoss]) };
    };
    const a = await run(4);
    const b = await run(4);
    const c = await run(5);
    expect(b.h).toEqual(a.h);
    expect(Array.from(b.p)).toEqual(Array.from(a.p));
    expect(Array.from(c.p)).not.toEqual(Array.from(a.p));
  });

  it("reports sampleRate, noiseMultiplier, steps, delta and epsilon from the accountant", async () => {
    const d = blobs(200, 6, 3, 2);
    const { model, result } = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 200) }, { ...one, batchSize: 25, epochs: 3, privacy: { noiseMultiplier: 1.2, maxGradNorm: 1, sampling: "poisson", delta: 1e-4 } });
    expect(Object.keys(result.privacy!).sort()).toEqual(["delta", "epsilon", "noiseMultiplier", "sampleRate", "steps"]);
    expect(result.privacy!.sampleRate).toBeCloseTo(0.125, 12);
    expect(result.privacy!.steps).toBe(24);
    expect(result.steps).toBe(24);
    expect(result.privacy!.delta).toBe(1e-4);
    expect(result.privacy!.epsilon).toBeCloseTo(dpSgdEpsilon({ sampleRate: 0.125, noiseMultiplier: 1.2, steps: 24, delta: 1e-4 }).epsilon, 12);
    expect(Number.isFinite(result.privacy!.epsilon)).toBe(true);
    model.dispose();
    const plain = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 200) }, { ...one, epochs: 1 });
    expect(plain.result.privacy).toBeUndefined();
    plain.model.dispose();
  });

  it("a private mlp on easy blobs learns at moderate epsilon; accuracy falls as epsilon shrinks (on average)", async () => {
    const d = blobs(900, 8, 3, 11);
    const n = 600;
    const batchSize = 30;
    const epochs = 6;
    const steps = epochs * Math.ceil(n / batchSize);
    const acc = async (epsilon: number, seed: number) => {
      const noiseMultiplier = calibrateNoise({ epsilon, delta: 1e-5, sampleRate: batchSize / n, steps });
      const { model, result } = await train({ family: "mlp", hidden: [32] }, d, { train: range(0, n) }, { threads: 1, seed, batchSize, epochs, lr: 0.01, privacy: { noiseMultiplier, maxGradNorm: 1, sampling: "poisson", delta: 1e-5 } });
      expect(result.privacy!.epsilon).toBeLessThanOrEqual(epsilon * 1.0001);
      const a = (await model.evaluate(d, range(n, 900))).accuracy!;
      model.dispose();
      return a;
    };
    const seeds = [1, 2, 3];
    const hi: number[] = [];
    const lo: number[] = [];
    for (const s of seeds) {
      hi.push(await acc(4, s));
      lo.push(await acc(0.2, s));
    }
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(hi)).toBeGreaterThan(1 / 3 + 0.4);
    expect(mean(lo)).toBeLessThan(mean(hi));
  });

  it("refuses batch norm, the resnet family and row-mixing augmentation with a SpecError", async () => {
    const d = blobs(60, 4, 3, 1);
    const img = squares(40, 8, 1);
    const privacy = { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson" as const };
    const bn = train({ family: "mlp", hidden: [8], batchNorm: true }, d, { train: range(0, 60) }, { ...one, privacy });
    await expect(bn).rejects.toThrow(SpecError);
    await expect(bn).rejects.toThrow(/batchNorm: false/);
    await expect(train({ family: "resnet", width: 0.25 }, img, { train: range(0, 40) }, { ...one, privacy })).rejects.toMatchObject({ code: "PRIVACY_BATCH_NORM" });
    await expect(train({ family: "mlp", hidden: [8] }, d, { train: range(0, 60) }, { ...one, privacy, augment: { mixup: 0.2 } })).rejects.toMatchObject({ code: "PRIVACY_AUGMENT" });
  });

  it("privacy.epsilon calibrates the noise so the planned steps spend at most that budget", async () => {
    const d = blobs(200, 6, 3, 2);
    const { model, result } = await train({ family: "mlp", hidden: [8] }, d, { train: range(0, 200) }, { ...one, batchSize: 25, epochs: 3, privacy: { epsilon: 4, maxGradNorm: 1, sampling: "poisson", delta: 1e-4 } });
    model.dispose();
    const p = result.privacy!;
    expect(p.targetEpsilon).toBe(4);
    expect(p.steps).toBe(24);
    expect(p.epsilon).toBeLessThanOrEqual(4);
    expect(p.epsilon).toBeGreaterThan(3.9); // the smallest sigma: the budget is spent, not wasted
    expect(p.noiseMultiplier).toBeCloseTo(calibrateNoise({ epsilon: 4, delta: 1e-4, sampleRate: 0.125, steps: 24 }), 10);
    await expect(
      train({ family: "mlp", hidden: [8] }, d, { train: range(0, 200) }, { ...one, epochs: 1, privacy: { epsilon: 4, noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson" } }),
    ).rejects.toMatchObject({ code: "PRIVACY_INVALID" });
  });

  it("validates recipe.privacy with typed errors", async () => {
    const d = blobs(60, 4, 3, 1);
    const bad = [
      { noiseMultiplier: -1, maxGradNorm: 1, sampling: "poisson" },
      { noiseMultiplier: 1, maxGradNorm: 0, sampling: "poisson" },
      { noiseMultiplier: 1, maxGradNorm: 1, sampling: "random" },
      { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson", delta: 1 },
      { noiseMultiplier: 1, maxGradNorm: 1, sampling: "poisson", epsilon: 3 },
      { maxGradNorm: 1, sampling: "poisson" },
      { epsilon: 0.01, maxGradNorm: 1, sampling: "poisson" },
    ];
    for (const privacy of bad) {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      await expect(train({ family: "mlp" }, d, { train: range(0, 60) }, { ...one, privacy: privacy as any })).rejects.toMatchObject({ code: "PRIVACY_INVALID" });
    }
  });
});
