/**
 * Runs on a composed subset (estimate --plan's check Runs): ids of ordinary Runs unchanged, the composition in a
 * Run's id only when it is not the ordinary subset's, carried by the queue's job payload, and drawn by the worker.
 */
import { describe, expect, it } from "vitest";
import { composedSubset, nestedSubsets, ordinaryCounts } from "../../src/data/subsets.js";
import { buildJob } from "../../src/study/kit/job.js";
import { readQueueJob, toQueueJob } from "../../src/study/queue/job-data.js";
import { runId, runInputs, type JsonObject } from "../../src/study/run.js";
import { trainRun, type RunTrainDeps } from "../../src/study/run-train.js";
import type { Dataset } from "../../src/data/types.js";
import type { Tensors } from "../../src/engine/types.js";
import { threeClasses as task } from "../data/fixtures/three-classes.js";

describe("composed Runs", () => {
  const { y, test, pool } = task();
  const tensors: Tensors = { task: "classification", numClasses: 3, n: y.length, x: new Float32Array(y.length), xShape: [1], xKind: "dense", y };
  const dataset = { fingerprint: "fp-comp", source: "sim", schema: { kind: "tabular", task: "classification", target: "label", columns: [], groups: [], classes: ["cat", "dog", "bird"] }, tensors, split: { test, pool }, groups: {}, report: {} as never, cacheDir: "/c/comp" } as unknown as Dataset;
  const job = (size: number, composition?: number[]) =>
    buildJob({ dataset, spec: { family: "mlp" }, recipe: { lr: 0.001 }, size, seed: 2, attempt: 0, validFraction: 0.15, engineVersion: "engine-1", defaultRecipe: () => ({}), ...(composition ? { composition } : {}) });

  it("an ordinary Run's id is what it was before compositions existed; the ordinary composition is the ordinary Run", () => {
    // Pinned from the code before this change: the same inputs must keep their id (stores keep re-using Runs).
    const plain = { fingerprint: "fp-pin", subset: { size: 500, seed: 2 }, spec: { family: "mlp" }, recipe: { lr: 0.001, seed: 2 }, validFraction: 0.15 };
    expect(runId(runInputs(plain, "engine-1"))).toBe("rc078f972039776026790");
    const ord = ordinaryCounts(pool, y, 300, 2, 3);
    const a = job(300);
    expect("composition" in a.inputs).toBe(false);
    expect(job(300, ord).job.runId).toBe(a.job.runId);
    const over = [ord[0]!, ord[1]!, 3 * ord[2]!];
    const b = job(over.reduce((s, v) => s + v, 0), over);
    expect(b.inputs.composition).toEqual(over);
    expect(b.job.subset.composition).toEqual(over);
    expect(b.job.runId).not.toBe(job(b.job.subset.size).job.runId);
    expect(() => job(301, ord)).toThrow(expect.objectContaining({ code: "BAD_COMPOSITION" }));
  });

  it("the queue carries the composition and checks the id against it; the worker draws the composed rows", async () => {
    const ord = ordinaryCounts(pool, y, 300, 2, 3);
    const over = [ord[0]!, ord[1]!, 3 * ord[2]!];
    const { job: j } = job(over.reduce((s, v) => s + v, 0), over);
    const data = { key: "comp", hash: "h".repeat(64) };
    const payload = JSON.parse(JSON.stringify(toQueueJob(j, "engine-1", data)));
    expect(readQueueJob(payload, j.runId).job.subset).toEqual(j.subset);
    const { composition: _c, ...bare } = payload.run.subset;
    expect(() => readQueueJob({ ...payload, run: { ...payload.run, subset: bare } }, j.runId)).toThrow(/not the hash of its inputs/);
    // The worker's Run: training and validation rows together are exactly the composed subset.
    let seen: Int32Array | null = null;
    const deps: RunTrainDeps = {
      nestedSubsets,
      train: async (_s, _d, rows) => {
        seen = Int32Array.from([...rows.train, ...(rows.valid ?? [])]).sort();
        const model = { evaluate: async (_t: Tensors, r?: Int32Array) => ({ loss: 1, accuracy: 0.5, n: r?.length ?? 0 }), dispose() {} };
        return { model, result: { history: [], bestEpoch: 1, epochs: 1, steps: 1, seconds: 0, samplesPerSecond: 0, stoppedEarly: false, paramCount: 1 } };
      },
      versions: () => ({}),
    };
    const r = await trainRun({ ...j, spec: { family: "mlp" } as JsonObject }, dataset, deps);
    expect(Array.from(seen!)).toEqual(Array.from(composedSubset(pool, y, over, 2)));
    expect(r.nTrain + r.nValid).toBe(j.subset.size);
  });
});
