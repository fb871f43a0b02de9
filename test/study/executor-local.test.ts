import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { LocalExecutor, chooseConcurrency } from "../../src/study/executor-local.js";
import type { RunJob } from "../../src/study/run.js";

const fakeWorker = join(import.meta.dirname, "fixtures/fake-worker.ts");

function job(size: number, spec: Record<string, unknown> = {}, seed = 0): RunJob {
  return {
    runId: `r-${size}-${seed}`,
    cacheDir: "/nowhere",
    fingerprint: "fp",
    subset: { size, seed },
    spec: { family: "fake", ...spec },
    recipe: { lr: 0.001 },
    validFraction: 0.2,
  };
}

describe("chooseConcurrency", () => {
  it("gives Runs the cores first and honours overrides", () => {
    expect(chooseConcurrency(2, {})).toEqual({ jobs: 2, threads: 1 });
    expect(chooseConcurrency(1, {})).toEqual({ jobs: 1, threads: 1 });
    expect(chooseConcurrency(32, {})).toEqual({ jobs: 8, threads: 4 });
    expect(chooseConcurrency(2, { ENOUGH_JOBS: "1", ENOUGH_THREADS: "2" })).toEqual({ jobs: 1, threads: 2 });
  });
});

describe("LocalExecutor", () => {
  it("runs jobs in a pool of worker processes, with epochs and worker info", async () => {
    const ex = new LocalExecutor({ jobs: 2, threads: 1, workerScript: fakeWorker });
    const started: string[] = [];
    const epochs: number[] = [];
    try {
      const outcomes = await Promise.all(
        [100, 200, 400].map((n) => ex.run(job(n, { sleepMs: 50 }), { onStart: (w) => started.push(w.id), onEpoch: (e) => epochs.push(e.epoch) })),
      );
      expect(outcomes.every((o) => o.ok)).toBe(true);
      expect(outcomes.map((o) => (o.ok ? o.result.nTrain + o.result.nValid : 0))).toEqual([100, 200, 400]);
      expect(new Set(started).size).toBeLessThanOrEqual(2);
      expect(epochs).toHaveLength(3);
      expect(outcomes[0]!.worker?.pid).toBeGreaterThan(0);
    } finally {
      await ex.close();
    }
  });

  it("a worker that dies fails only its Run; the pool replaces it and goes on", async () => {
    const ex = new LocalExecutor({ jobs: 1, threads: 1, workerScript: fakeWorker });
    try {
      const [a, b, c] = await Promise.all([ex.run(job(100)), ex.run(job(200, { crashAt: [200] })), ex.run(job(300))]);
      expect(a.ok).toBe(true);
      expect(b).toMatchObject({ ok: false, error: { code: "WORKER_DIED" } });
      expect(!b.ok && b.error.message).toMatch(/SIGKILL/);
      expect(c.ok).toBe(true);
      expect(a.worker!.pid).not.toBe(c.worker!.pid);
    } finally {
      await ex.close();
    }
  });

  it("a thrown training error comes back with its code; an externally killed worker fails its Run", async () => {
    const ex = new LocalExecutor({ jobs: 1, threads: 1, workerScript: fakeWorker });
    try {
      const failed = await ex.run(job(100, { failAt: [100] }));
      expect(failed).toMatchObject({ ok: false, error: { code: "DIVERGED", message: "loss diverged at n=100" } });
      let pid = 0;
      const slow = ex.run(job(200, { sleepMs: 20_000 }), { onStart: (w) => (pid = w.pid!) });
      await new Promise((r) => setTimeout(r, 300));
      process.kill(pid, "SIGKILL");
      expect(await slow).toMatchObject({ ok: false, error: { code: "WORKER_DIED" } });
      expect((await ex.run(job(300))).ok).toBe(true);
    } finally {
      await ex.close();
    }
  });

  it("close() cancels queued and running jobs and stops the workers", async () => {
    const ex = new LocalExecutor({ jobs: 1, threads: 1, workerScript: fakeWorker });
    const started = new Promise<void>((resolve) => {
      const running = ex.run(job(100, { sleepMs: 20_000 }), { onStart: () => resolve() });
      void running;
    });
    const queued = ex.run(job(200));
    await started;
    const pids = ex.workerPids();
    await ex.close();
    expect(await queued).toMatchObject({ ok: false, error: { code: "CANCELLED" } });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });
});
