// The queue's job payload read like CLI input, its failures, and the --queue address (no Redis needed here).
import { describe, expect, it } from "vitest";
import { checkQueueable, decodeFailure, encodeFailure, readQueueJob, toQueueJob, unsupportedOverQueue } from "../../src/study/queue/job-data.js";
import { parseQueueUrl } from "../../src/study/queue/url.js";
import { runId, runInputs, type RunJob } from "../../src/study/run.js";

const engine = "enough 0.1.0; torch 2.0";
function job(over: Partial<RunJob> = {}): RunJob {
  const base = { cacheDir: "/c/abc", fingerprint: "fp1", subset: { size: 100, seed: 2 }, spec: { family: "mlp", width: 0.5 }, recipe: { lr: 0.001, seed: 2 }, validFraction: 0.15, ...over };
  return { ...base, runId: runId(runInputs(base, engine)) };
}
const data = { key: "abc", hash: "h".repeat(64), url: "http://10.0.0.2:4000", token: "t" };

describe("queue jobs", () => {
  it("a Run travels without its folder and reads back as the same Run, id checked against its inputs", () => {
    const j = job();
    const payload = JSON.parse(JSON.stringify(toQueueJob(j, engine, data)));
    expect(payload.run.cacheDir).toBeUndefined();
    const back = readQueueJob(payload, j.runId);
    const { cacheDir: _c, ...rest } = j;
    expect(back.job).toEqual(rest);
    expect(back).toMatchObject({ engineVersion: engine, data });
  });

  it("refuses a job whose id is not its inputs' hash, a malformed one, and one that names files", () => {
    const j = job();
    const payload = toQueueJob(j, engine, data);
    expect(() => readQueueJob({ ...payload, run: { ...payload.run, subset: { size: 101, seed: 2 } } }, j.runId)).toThrow(/not the hash of its inputs/);
    expect(() => readQueueJob(payload, "r-other")).toThrow(/not the hash of its inputs/);
    expect(() => readQueueJob({ ...payload, run: { ...payload.run, validFraction: 0.9 } }, j.runId)).toThrow(/validFraction/);
    expect(() => readQueueJob({ ...payload, data: { ...data, key: "../etc" } }, j.runId)).toThrow(/not a cache folder name/);
    expect(() => readQueueJob({ ...payload, data: { ...data, url: "file:///etc/passwd" } }, j.runId)).toThrow(/http/);
    expect(() => readQueueJob("rm -rf /", "x")).toThrow(expect.objectContaining({ code: "BAD_JOB" }));
    const ts = job({ spec: { family: "torchscript", path: "/x.pt" } });
    expect(() => readQueueJob(toQueueJob(ts, engine, data), ts.runId)).toThrow(/TorchScript/);
    expect(unsupportedOverQueue(ts)).toMatch(/TorchScript/);
    expect(unsupportedOverQueue(job({ save: "/s/a" }))).toMatch(/pretraining/);
    expect(unsupportedOverQueue(job())).toBeNull();
  });

  it("every optional field that can travel reads back as the same Run; a malformed one is BAD_JOB naming the field", () => {
    const synthetic = { model: "copula" as const, ratio: 1.5 };
    const active = { strategy: "bald", batch: 10, start: 20, max: 60, mcSamples: 5, fixed: ["epochs"], beyond: [90, 120] };
    const semi = { method: "pseudo" as const, threshold: 0.9, ratio: 2, rounds: 1, unlabeled: 500, source: { fingerprint: "u1", rows: 300 } };
    const all = [
      job({ synthetic }),
      job({ active }),
      job({ active: { strategy: "random", batch: 10, start: 20, max: 60 } }),
      job({ semi }),
      job({ ensemble: { k: 3 }, extra: { fingerprint: "x1", rows: 40 }, trainEvalCap: 500, subset: { size: 100, seed: 2, composition: [70, 30] } }),
      job({ synthetic, extra: { fingerprint: "x1", rows: 40 }, recipe: { lr: 0.01, seed: 2, augment: { mixup: 0.2 }, privacy: { epsilon: 3, maxGradNorm: 1 } } }),
    ];
    for (const j of all) {
      const back = readQueueJob(JSON.parse(JSON.stringify(toQueueJob(j, engine, data))), j.runId);
      const { cacheDir: _c, ...rest } = j;
      expect(back.job).toEqual(rest);
    }
    // Before this field travelled, a synthetic job lost it and read back as another Run: the ids differ.
    expect(job({ synthetic }).runId).not.toBe(job().runId);
    const bad = (run: object, field: RegExp) => {
      const j = job(run as Partial<RunJob>);
      const p = JSON.parse(JSON.stringify(toQueueJob(j, engine, data)));
      expect(() => readQueueJob(p, j.runId)).toThrow(expect.objectContaining({ code: "BAD_JOB", message: expect.stringMatching(field) }));
    };
    bad({ synthetic: { model: "gan", ratio: 1 } }, /run\.synthetic\.model/);
    bad({ synthetic: { model: "cvae", ratio: -1 } }, /run\.synthetic\.ratio/);
    bad({ synthetic: "copula" }, /run\.synthetic is not an object/);
    bad({ active: { ...active, strategy: "oracle" } }, /run\.active\.strategy/);
    bad({ active: { ...active, max: 10 } }, /run\.active\.max/);
    bad({ active: { ...active, batch: 0 } }, /run\.active\.batch/);
    bad({ active: { ...active, fixed: ["lr"] } }, /run\.active\.fixed\[0\]/);
    bad({ active: { ...active, beyond: [30] } }, /run\.active\.beyond\[0\]/);
    bad({ active: { ...active, mcSamples: 1 } }, /run\.active\.mcSamples/);
    bad({ pretext: { method: "contrastive", size: 100, steps: 10 } }, /run\.pretext/);
  });

  it("what cannot travel is refused up front with QUEUE_UNSUPPORTED, naming the lever, why and what to do", () => {
    const refused = (what: string, j: Parameters<typeof checkQueueable>[1]) => {
      try {
        checkQueueable(what, j);
      } catch (err) {
        return err as { code: string; message: string; hint: string };
      }
      return null;
    };
    const tr = refused("--try transfer:source=other.csv", { spec: { family: "mlp" }, recipe: { init: { weights: "/store/artifacts/a1" } }, artifact: { key: "a1" } });
    expect(tr).toMatchObject({ code: "QUEUE_UNSUPPORTED", message: expect.stringMatching(/^--try transfer:source=other\.csv cannot run through the queue: .*pretrained into this machine/) });
    expect(tr!.hint).toMatch(/--executor local/);
    expect(refused("--try transfer:backbone=m.pt", { spec: { family: "torchscript", path: "m.pt" }, recipe: {} })).toMatchObject({ code: "QUEUE_UNSUPPORTED", message: expect.stringMatching(/TorchScript/) });
    expect(refused("--try synthetic:model=copula", { spec: { family: "mlp" }, recipe: { lr: 0.01 } })).toBeNull();
  });

  it("a study whose --model or --recipe names a file is refused before its data is read or Redis is asked", async () => {
    const { estimate } = await import("../../src/study/estimate.js");
    const queued = { data: "/nowhere/x.csv", executor: "queue" as const, queue: "redis://127.0.0.1:1" };
    await expect(estimate({ ...queued, recipe: { init: { weights: "/models/a" } } })).rejects.toMatchObject({ code: "QUEUE_UNSUPPORTED", message: expect.stringMatching(/^--model\/--recipe .*weights in \/models\/a/), hint: expect.stringContaining("--executor local") });
    await expect(estimate({ ...queued, model: { family: "torchscript", path: "/models/b.pt" } })).rejects.toMatchObject({ code: "QUEUE_UNSUPPORTED", message: expect.stringContaining("TorchScript") });
  });

  it("failures keep their code through BullMQ's reason string; a stalled job reads as WORKER_LOST", () => {
    expect(decodeFailure(encodeFailure({ code: "DIVERGED", message: "loss: NaN\nat epoch 3" }))).toEqual({ code: "DIVERGED", message: "loss: NaN\nat epoch 3" });
    expect(decodeFailure("job stalled more than allowable limit").code).toBe("WORKER_LOST");
    expect(decodeFailure("something else")).toEqual({ code: "RUN_FAILED", message: "something else" });
  });

  it("reads --queue addresses and names what is wrong with a bad one", () => {
    expect(parseQueueUrl("redis://:pw@host:6380/2").display).toBe("redis://host:6380/2");
    expect(parseQueueUrl("rediss://host").display).toBe("rediss://host:6379");
    expect(() => parseQueueUrl(undefined)).toThrow(expect.objectContaining({ code: "NO_QUEUE" }));
    expect(() => parseQueueUrl("http://host:6379")).toThrow(expect.objectContaining({ code: "BAD_QUEUE_URL" }));
    expect(() => parseQueueUrl("redis://host/x")).toThrow(/database/);
  });

  it("every study command takes --executor queue and checks --queue before reading any data", async () => {
    // estimate, compare and strategies all register their shared flags with addStudyOptions.
    const [{ Command }, { addStudyOptions, studyOptionsFrom }] = await Promise.all([import("commander"), import("../../src/cli/study-options.js")]);
    const flags = addStudyOptions(new Command("study")).options.map((o) => o.long);
    expect(flags).toEqual(expect.arrayContaining(["--executor", "--queue", "--data-address", "--no-serve-data"]));
    const base = { data: "x.csv", sizes: "auto", seeds: "3" };
    expect(() => studyOptionsFrom({ ...base, executor: "queue", queue: "http://host:6379" })).toThrow(expect.objectContaining({ code: "BAD_QUEUE_URL" }));
    expect(() => studyOptionsFrom({ ...base, executor: "queue" })).toThrow(expect.objectContaining({ code: "NO_QUEUE" }));
    expect(() => studyOptionsFrom({ ...base, executor: "cluster" })).toThrow(expect.objectContaining({ code: "BAD_EXECUTOR" }));
    expect(studyOptionsFrom({ ...base, executor: "queue", queue: "redis://h:6379", serveData: false })).toMatchObject({ executor: "queue", queue: "redis://h:6379", serveData: false });
  });
});
