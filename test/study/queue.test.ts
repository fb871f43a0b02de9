// The queue executor against a real redis-server and real `enough worker` processes (no mock of Redis or BullMQ):
// the same Runs and answer as the local executor, and the faults the issue names.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Queue } from "bullmq";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "../cli/fixtures/env.js";
import { RedisServer, redisInstalled, startWorker, type WorkerProc } from "./fixtures/queue-env.js";
import type { StudyEvent } from "../../src/study/events.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.skipIf(!engineBuilt || !redisInstalled)("the queue executor on a real Redis with enough workers", () => {
  let dir = "";
  let csv = "";
  let redis: RedisServer;
  const workers: WorkerProc[] = [];
  const worker = (name: string) => workers.find((w) => w.name === name)!;
  const study = (store: string, extra: Record<string, unknown> = {}) => ({
    data: csv,
    targetColumn: "label",
    target: "accuracy=0.85",
    model: "mlp:width=0.25",
    sizes: "100,250,600",
    seeds: 1,
    store: join(dir, store),
    cacheRoot: join(dir, "cache"),
    ...extra,
  });
  const viaQueue = () => ({ executor: "queue" as const, queue: redis.url, dataAddress: "127.0.0.1", jobs: 2 });
  const estimate = async (...args: Parameters<typeof import("../../src/study/estimate.js").estimate>) => (await import("../../src/study/estimate.js")).estimate(...args);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "enough-queue-"));
    csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 1500);
    redis = await RedisServer.start(dir);
    // Each worker has its own cache folder: the data reaches them over the coordinator's HTTP endpoint.
    workers.push(...(await Promise.all(["w1", "w2"].map((n) => startWorker(n, redis.url, join(dir, `cache-${n}`))))));
  }, 120_000);

  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.kill();
  });

  it("trains the same Runs to the same answer as the local executor, on both workers, recorded in the store", async () => {
    const events: StudyEvent[] = [];
    // At the same time (different stores): one thread per Run, so the metrics do not depend on the load.
    // With --plan: its check Run (a class over-sampled: the job carries the composition) goes through the queue too.
    const [q, l] = await Promise.all([estimate(study("q.db", { ...viaQueue(), plan: true }), { onEvent: (e) => events.push(e) }), estimate(study("l.db", { jobs: 2, threads: 1, plan: true }))]);
    const qc = q.collectionPlan!.classes.check!;
    expect(qc.status).toBe("measured");
    expect(qc.runIds).toEqual(l.collectionPlan!.classes.check!.runIds);
    expect(qc.recall).toEqual(l.collectionPlan!.classes.check!.recall);
    const byId = (runs: typeof q.runs) => Object.fromEntries(runs.map((r) => [r.id, r.metrics?.test]));
    expect(q.runs.map((r) => r.status)).toEqual(["done", "done", "done"]);
    expect(byId(q.runs)).toEqual(byId(l.runs));
    expect(q.headline).toBe(l.headline);
    const running = events.filter((e): e is Extract<StudyEvent, { type: "run-running" }> => e.type === "run-running");
    expect(running.map((e) => e.worker.id).sort()).toEqual(expect.arrayContaining(["w1", "w2"]));
    // Progress tells queued from running: first everything handed out waits, later some Run is on a worker.
    const progress = events.filter((e): e is Extract<StudyEvent, { type: "progress" }> => e.type === "progress");
    expect(progress[0]).toMatchObject({ running: 1, queued: 1 });
    expect(progress.some((e) => e.queued! < e.running)).toBe(true);
    const db = new Database(join(dir, "q.db"), { readonly: true });
    const rows = db.prepare("SELECT status, worker, host FROM runs").all() as { status: string; worker: string; host: string }[];
    db.close();
    expect(rows.every((r) => r.status === "done" && ["w1", "w2"].includes(r.worker) && r.host)).toBe(true);
    expect(existsSync(join(dir, "cache-w1"))).toBe(true);
  }, 90_000);

  it("active and synthetic levers travel: the same Runs, ids and scores as the local executor; a lever that cannot is refused before queueing", async () => {
    const strategies = async (...args: Parameters<typeof import("../../src/study/strategies/strategies.js").strategies>) => (await import("../../src/study/strategies/strategies.js")).strategies(...args);
    const levers = (store: string, extra: Record<string, unknown>) => ({
      data: csv,
      targetColumn: "label",
      model: "mlp:depth=1,width=0.25",
      try: ["active:strategy=margin,batch=50,start=50,max=150", "synthetic:model=copula"],
      sizes: "100,200",
      seeds: 1,
      bootstrap: 40,
      store: join(dir, store),
      cacheRoot: join(dir, "cache"),
      ...extra,
    });
    const [q, l] = await Promise.all([strategies(levers("lq.db", viaQueue())), strategies(levers("ll.db", { jobs: 2, threads: 1 }))]);
    const runs = (r: typeof q) => Object.fromEntries(r.runs.map((x) => [x.id, { arm: x.arm, status: x.status, test: x.metrics?.test, tstr: x.synthetic?.fidelity.tstr, twoSample: x.synthetic?.fidelity.twoSample }]));
    expect(new Set(q.runs.map((r) => r.arm))).toEqual(new Set(["baseline", "synthetic:model=copula", "active:strategy=margin,batch=50,start=50,max=150", "active:random,batch=50,start=50,max=150"]));
    expect(q.runs.every((r) => r.status === "done")).toBe(true);
    expect(runs(q)).toEqual(runs(l));
    // The trajectories' rounds (label counts and scores) and the synthetic fidelity came back from the workers too.
    const activeOf = (r: typeof q) => r.levers.filter((x) => x.active).map((x) => x.active);
    expect(activeOf(q).length).toBe(1);
    expect(activeOf(q)).toEqual(activeOf(l));
    expect(q.runs.some((r) => r.synthetic && r.synthetic.rows > 0)).toBe(true);
    expect(q.headline).toBe(l.headline);

    // Levers whose Runs name files on this machine: refused before any Run is queued or any store is made.
    const queue = new Queue("enough-runs", { connection: { url: redis.url } });
    try {
      const count = async () => Object.values(await queue.getJobCounts()).reduce((a, b) => a + b, 0);
      const before = await count();
      for (const lever of [`transfer:backbone=${dir}`, "selfsup:steps=10"]) {
        const store = `refused-${lever.split(":")[0]}.db`;
        const err = await strategies(levers(store, { ...viaQueue(), try: ["synthetic:model=copula", lever] })).then(() => null, (e: unknown) => e as { code: string; message: string; hint: string });
        expect(err).toMatchObject({ code: "QUEUE_UNSUPPORTED", message: expect.stringContaining(`--try ${lever} cannot run through the queue`), hint: expect.stringContaining("--executor local") });
        expect(existsSync(join(dir, store))).toBe(false);
      }
      expect(await count()).toBe(before);
    } finally {
      await queue.close();
    }
  }, 90_000);

  it("a worker killed with kill -9 mid-Run: the stalled Run goes to the other worker and the study finishes", async () => {
    let killed = "";
    const running: Extract<StudyEvent, { type: "run-running" }>[] = [];
    // Runs of their own (a recipe no other test uses): Runs already finished in the queue would just be collected.
    const q = await estimate(study("kill.db", { ...viaQueue(), recipe: { epochs: 41, earlyStopping: false } }), {
      onEvent: (e) => {
        if (e.type === "run-running") running.push(e);
        if (e.type === "run-running" && !killed) {
          killed = e.worker.id;
          void worker(killed).stop("SIGKILL");
        }
      },
    });
    expect(killed).not.toBe("");
    expect(q.runs.filter((r) => r.status === "done")).toHaveLength(3);
    const db = new Database(join(dir, "kill.db"), { readonly: true });
    const workersUsed = (db.prepare("SELECT worker FROM runs").all() as { worker: string }[]).map((r) => r.worker);
    db.close();
    expect(workersUsed.every((w) => w !== killed)).toBe(true);
    // The hand-over is visible: the killed worker's Run starts again on the other worker.
    const handed = running.filter((e) => e.runId === running[0]!.runId).map((e) => e.worker.id);
    expect(handed[0]).toBe(killed);
    expect(handed.slice(1)).toContain(workersUsed.find((w) => w !== killed));
    // Replace it for the tests below.
    workers.splice(workers.indexOf(worker(killed)), 1, await startWorker(killed, redis.url, join(dir, `cache-${killed}`)));
  }, 90_000);

  it("Redis killed and restarted empty mid-study: coordinator and workers reconnect, lost jobs are queued again", async () => {
    let restarted: Promise<void> | null = null;
    const q = await estimate(study("redis.db", { ...viaQueue(), recipe: { epochs: 42, earlyStopping: false } }), {
      onEvent: (e) => {
        if (e.type === "run-running" && !restarted) {
          restarted = (async () => {
            await redis.kill("SIGKILL");
            await sleep(500);
            await redis.launch();
          })();
        }
      },
    });
    expect(restarted).not.toBeNull();
    await restarted;
    expect(q.runs.filter((r) => r.status === "done")).toHaveLength(3);
  }, 90_000);

  it("the coordinator killed: rerunning the command collects the Runs finished meanwhile and trains none twice", async () => {
    const store = join(dir, "coord.db");
    const recipe = join(dir, "coord-recipe.json");
    writeFileSync(recipe, JSON.stringify({ epochs: 43, earlyStopping: false }));
    const args = ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "label", "--model", "mlp:width=0.25", "--sizes", "100,250,600,900", "--seeds", "1", "--recipe", recipe, "--store", store, "--cache-root", join(dir, "cache"), "--executor", "queue", "--queue", redis.url, "--data-address", "127.0.0.1", "--jobs", "2", "--json"];
    const first = spawn(process.execPath, args, { cwd: dir, stdio: "ignore" });
    let started: string | undefined;
    for (let i = 0; i < 600 && !started; i++) {
      await sleep(100);
      if (!existsSync(store)) continue;
      const db = new Database(store, { readonly: true, fileMustExist: true });
      try {
        started = (db.prepare("SELECT id FROM runs WHERE status = 'running'").get() as { id: string } | undefined)?.id;
      } catch {
        /* the store's tables are not there yet */
      } finally {
        db.close();
      }
    }
    expect(started).toBeDefined();
    first.kill("SIGKILL");
    // The Run in training finishes on its worker with no coordinator listening; BullMQ keeps its result.
    const queue = new Queue("enough-runs", { connection: { url: redis.url } });
    try {
      for (let i = 0; i < 300 && (await queue.getJobState(started!)) !== "completed"; i++) await sleep(100);
      expect(await queue.getJobState(started!)).toBe("completed");
    } finally {
      await queue.close();
    }
    // The same study again (in this process: a second CLI start would only cost time).
    const again = await estimate(study("coord.db", { ...viaQueue(), sizes: "100,250,600,900", target: undefined, recipe: { epochs: 43, earlyStopping: false } }));
    expect(again.runs.map((r) => r.status)).toEqual(["done", "done", "done", "done"]);
    expect(again.runs.find((r) => r.id === started)).toMatchObject({ status: "done", reused: false });
    const trained = workers.map((w) => w.log()).join("").match(new RegExp(`run ${started}: done`, "g")) ?? [];
    expect(trained).toHaveLength(1);
  }, 90_000);

  it("a worker of another engine build, or without the data, fails the Run with that reason", async () => {
    const [{ QueueExecutor }, { buildJob }, data, engine] = await Promise.all([
      import("../../src/study/queue/executor-queue.js"),
      import("../../src/study/kit/job.js"),
      import("../../src/data/index.js"),
      import("../../src/engine/index.js"),
    ]);
    const cacheRoot = join(dir, "cache");
    const ds = await data.loadDataset({ source: csv, target: "label", cacheRoot });
    const spec = engine.parseModelArg("mlp:width=0.25") as never;
    const other = "enough 0.0.0; torch 0.0.0";
    const mismatched = new QueueExecutor({ queue: redis.url, engineVersion: other, jobs: 1, dataAddress: "127.0.0.1" });
    try {
      const { job } = buildJob({ dataset: ds, spec, size: 100, seed: 0, attempt: 0, validFraction: 0.15, engineVersion: other, defaultRecipe: engine.defaultRecipe as never });
      const o = await mismatched.run(job);
      expect(o).toMatchObject({ ok: false, error: { code: "ENGINE_MISMATCH" } });
      expect(!o.ok && o.error.message).toMatch(/runs "enough .*; torch .*" but the Run was queued for "enough 0\.0\.0; torch 0\.0\.0"/);
    } finally {
      await mismatched.close();
    }
    // Data the workers have never seen, from a coordinator that serves none (their cache folders are their own).
    const csv2 = join(dir, "other.csv");
    writeLearnableCsv(csv2, 600, 7);
    mkdirSync(join(dir, "cache2"), { recursive: true });
    const ds2 = await data.loadDataset({ source: csv2, target: "label", cacheRoot: join(dir, "cache2") });
    const version = `enough ${(await import("../../src/study/engine-version.js")).enoughVersion()}; torch ${engine.engineInfo().torchVersion}`;
    const dark = new QueueExecutor({ queue: redis.url, engineVersion: version, jobs: 1, serveData: false });
    try {
      const { job } = buildJob({ dataset: ds2, spec, size: 100, seed: 0, attempt: 0, validFraction: 0.15, engineVersion: version, defaultRecipe: engine.defaultRecipe as never });
      const o = await dark.run(job);
      expect(o).toMatchObject({ ok: false, error: { code: "DATA_UNAVAILABLE" } });
      expect(!o.ok && o.error.message).toMatch(/not in this worker's cache folder .*serves no data/);
    } finally {
      await dark.close();
    }
  }, 60_000);
});
