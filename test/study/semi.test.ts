import { describe, expect, it } from "vitest";
import type { Dataset } from "../../src/data/types.js";
import { nestedSubsets } from "../../src/data/subsets.js";
import { train } from "../../src/engine/index.js";
import type { Tensors } from "../../src/engine/types.js";
import { confidentRows, trainSemi, unlabeledRows } from "../../src/study/run-semi.js";
import { trainRun, type RunTrainDeps } from "../../src/study/run-train.js";
import { runId, runInputs, type RunJob, type SemiJob } from "../../src/study/run.js";
import { parseLever } from "../../src/study/strategies/levers.js";
import { clusters, range } from "../engine/fixtures.js";

const engine: RunTrainDeps = {
  nestedSubsets: (pool, labels, sizes, seed) => nestedSubsets(pool, labels, sizes, seed),
  train: (spec, data, rows, recipe, opts) => train(spec as never, data, rows, recipe as never, opts) as never,
  versions: () => ({}),
};

/** The toy data as a study's Dataset: rows 0..1199 the pool, 1200.. the test split. */
function dataset(t: Tensors): Dataset {
  return { tensors: t, split: { pool: range(0, 1200), test: range(1200, t.n) } } as unknown as Dataset;
}

const pseudo: SemiJob = { method: "pseudo", threshold: 0.9, ratio: 20, rounds: 2, unlabeled: 800 };

describe("semi lever: parsing and Run ids", () => {
  it("reads method, threshold, ratio, rounds and unlabeled; refuses what does not apply", () => {
    expect(parseLever("semi")).toMatchObject({ kind: "semi", semi: { method: "fixmatch", threshold: 0.95, ratio: 3, rounds: 0, unlabeled: 20000 } });
    expect(parseLever("semi:method=pseudo,threshold=0.8,ratio=2,rounds=3,unlabeled=500")).toMatchObject({ semi: { method: "pseudo", threshold: 0.8, ratio: 2, rounds: 3, unlabeled: 500 } });
    expect(() => parseLever("semi:method=fixmatch,rounds=2")).toThrow(/rounds= belongs to method=pseudo/);
    expect(() => parseLever("semi:method=mixmatch")).toThrow(/method must be pseudo or fixmatch/);
    expect(() => parseLever("semi:threshold=1.5")).toThrow(/threshold must be a number from 0 to 1/);
    expect(parseLever("selfsup")).toMatchObject({ kind: "selfsup", steps: 1000, mode: "head-then-full" });
    expect(() => parseLever("selfsup:method=jigsaw")).toThrow(/method must be contrastive, reconstruct, masked-tokens/);
    const plain = { fingerprint: "f", subset: { size: 100, seed: 0 }, spec: { family: "mlp" }, recipe: { lr: 0.001 }, validFraction: 0.15 };
    expect(runId(runInputs(plain, "e"))).not.toBe(runId(runInputs({ ...plain, semi: pseudo }, "e")));
    expect(JSON.stringify(runInputs(plain, "e"))).not.toContain("semi");
  });

  it("the unlabelled rows are the pool without the Run's subset, a seeded sample", () => {
    const u = unlabeledRows(range(0, 100), Int32Array.from([3, 5, 7]), 50, 1);
    expect(u.length).toBe(50);
    expect([...u].some((r) => r === 3 || r === 5 || r === 7)).toBe(false);
    expect([...u]).toEqual([...unlabeledRows(range(0, 100), Int32Array.from([3, 5, 7]), 50, 1)]);
    expect(confidentRows(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5, 0.05, 0.95]), 2, 0.8, 2)).toEqual([
      { i: 3, label: 1, p: expect.closeTo(0.95, 5) },
      { i: 0, label: 0, p: expect.closeTo(0.9, 5) },
    ]);
  });
});

describe("pseudo-labelling never sees the unlabelled rows' labels", () => {
  it("predicts on inputs without y, and retrains on a label array with the labelled rows' own labels and pseudo-labels only", async () => {
    const data = clusters(1400, true, 9);
    const labelled = range(0, 8);
    const unl = range(100, 300);
    const seen: { rows: Int32Array; y: Int32Array }[] = [];
    const predicted: boolean[] = [];
    // A fake model whose prediction for row r is class (r % 2), with confidence 0.99: unrelated to the true labels.
    const deps: RunTrainDeps = {
      ...engine,
      train: async (_spec, d, rows) => {
        seen.push({ rows: rows.train, y: d.y as Int32Array });
        const model = {
          evaluate: async () => ({ loss: 0, n: 0 }),
          predict: async (inputs: Omit<Tensors, "y">, rows?: Int32Array) => {
            predicted.push("y" in inputs);
            return Float32Array.from([...rows!].flatMap((r) => (r % 2 ? [0.01, 0.99] : [0.99, 0.01])));
          },
          dispose: () => {},
        };
        return { model, result: { history: [], bestEpoch: 0, epochs: 1, steps: 1, seconds: 0, samplesPerSecond: 0, stoppedEarly: false, paramCount: 0 } };
      },
    };
    const job = { spec: {}, recipe: {}, semi: { ...pseudo, ratio: 10 } } as unknown as RunJob;
    const out = await trainSemi(job, data, { train: labelled }, unl, deps, {});
    expect(predicted).toEqual([false, false]);
    expect(out.semi.pseudoLabelled).toEqual([80, 80]);
    for (const { rows, y } of seen.slice(1)) {
      for (const r of rows) expect(y[r]).toBe(r < 8 ? data.y[r] : r % 2);
      // Outside the training rows the label array holds nothing (zeros), never the true labels.
      expect([...unl].filter((r) => !rows.includes(r)).every((r) => y[r] === 0)).toBe(true);
    }
  });

  it("with the real engine: scrambling the labels of every pool row outside the subset changes nothing", async () => {
    const data = clusters(1600, true, 21);
    const job = (semi?: SemiJob): RunJob => ({
      runId: "r",
      cacheDir: "",
      fingerprint: "f",
      subset: { size: 12, seed: 1 },
      spec: { family: "mlp", hidden: [32] },
      recipe: { threads: 1, steps: 300, epochs: 1, batchSize: 8, earlyStopping: false, lr: 3e-3, seed: 1 },
      validFraction: 0.3,
      ...(semi ? { semi } : {}),
    });
    // The subset draw is stratified by the pool's labels (every arm's, the baseline's too): fixed here on the true
    // labels, so that the only way a scrambled label could matter is through the semi-supervised training.
    const fixedDraw: RunTrainDeps = { ...engine, nestedSubsets: (pool, _labels, sizes, seed) => nestedSubsets(pool, data.y, sizes, seed) };
    const first = await trainRun(job(pseudo), dataset(data), fixedDraw);
    const { subsets } = nestedSubsets(range(0, 1200), data.y, [12], 1);
    const keep = new Set(subsets[0]);
    const scrambled = { ...data, y: Int32Array.from(data.y, (v, i) => (i < 1200 && !keep.has(i) ? 1 - v : v)) };
    const again = await trainRun(job(pseudo), dataset(scrambled), fixedDraw);
    expect(again.metrics.test).toEqual(first.metrics.test);
    expect(again.semi).toEqual(first.semi);
    expect(first.semi!.pseudoLabelled!.length).toBe(2);
    expect(first.semi!.pseudoLabelled![0]).toBeGreaterThan(0);
    expect(first.nTrain).toBe(8);
  });
});
