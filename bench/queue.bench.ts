/**
 * Queue benchmark: the same small tabular study through the local executor (2 jobs x 1 thread) and through the
 * queue with 2 `enough worker`s (1 job x 1 thread each) on a redis-server started here, interleaved, best of
 * ENOUGH_BENCH_REPEATS (default 2) each; Redis is emptied between queue repeats (job id = Run id: a second study
 * would otherwise collect the first's results). The workers start cold before each queue study, as a user's would,
 * and download the data over the coordinator's HTTP endpoint. Then the coordinator's costs per result, for the
 * capacity estimate in docs/ARCHITECTURE.md: a BullMQ round trip (add, a worker's completion, the completed event)
 * with a real job and result, the store's claim + start + finish of a Run, and the estimate's refit after each Run.
 * Wall times on a shared machine swing with its load, so the bench also reads each study's store for the dispatch
 * cost per Run, which load hardly touches: the time a Run's slot spent on anything but the Run (from the coordinator
 * handing it out to the result stored, minus the worker's own time for it, plus the gap before that slot's next
 * Run), as a share of the Run's own time.
 * ENOUGH_BENCH_QUEUE_ROWS (8000), ENOUGH_BENCH_QUEUE_SIZES ("500,1000,2000,4000"), ENOUGH_BENCH_QUEUE_SEEDS (2).
 * Writes bench/out/queue.json.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Queue, QueueEvents, Worker } from "bullmq";
import { Redis } from "ioredis";
import { writeLearnableCsv } from "../test/cli/fixtures/env.js";
import { RedisServer, startWorker } from "../test/study/fixtures/queue-env.js";
import { estimate } from "../src/study/estimate.js";
import { Store } from "../src/study/store.js";
import { fitCurve } from "../src/curves/index.js";
import { metricInfo } from "../src/curves/metric.js";
import { QUEUE_NAME } from "../src/study/queue/url.js";
import { runId, type RunInputs, type RunResult } from "../src/study/run.js";

const here = dirname(fileURLToPath(import.meta.url));
const envInt = (k: string, d: number) => (Number.isInteger(Number(process.env[k])) && Number(process.env[k]) > 0 ? Number(process.env[k]) : d);
const repeats = envInt("ENOUGH_BENCH_REPEATS", 2);
const dir = mkdtempSync(join(tmpdir(), "enough-bench-queue-"));
const csv = join(dir, "data.csv");
writeLearnableCsv(csv, envInt("ENOUGH_BENCH_QUEUE_ROWS", 8000));
process.env.ENOUGH_THREADS = "1";

const redis = await RedisServer.start(dir);
const base = (store: string) => ({
  data: csv,
  targetColumn: "label",
  model: "mlp",
  sizes: process.env.ENOUGH_BENCH_QUEUE_SIZES ?? "500,1000,2000,4000",
  seeds: envInt("ENOUGH_BENCH_QUEUE_SEEDS", 2),
  store: join(dir, store),
  cacheRoot: join(dir, "cache"),
});

const walls: { local: number[]; queue: number[] } = { local: [], queue: [] };
const dispatch: { local: number[]; queue: number[] } = { local: [], queue: [] };

/** Per Run: seconds its slot spent beyond the Run itself, and the Run's own seconds (from the store's timestamps). */
function dispatchCost(path: string): { perRun: number; runSeconds: number; startup: number } {
  const s = Store.open(path);
  const studies = s.listStudies();
  const runs = studies.flatMap((st) => s.studyRuns(st.id)).filter((r) => r.result && r.started && r.finished && r.worker);
  s.close();
  const t = (iso: string) => Date.parse(iso) / 1000;
  // From the study's record (opened after the data loaded) to the first Run a worker started.
  const startup = Math.min(...runs.map((r) => t(r.started!))) - t(studies[0]!.created);
  let extra = 0;
  let own = 0;
  const byWorker = new Map<string, typeof runs>();
  for (const r of runs) {
    extra += t(r.finished!) - t(r.started!) - r.result!.totalSeconds;
    own += r.result!.totalSeconds;
    byWorker.set(r.worker!, [...(byWorker.get(r.worker!) ?? []), r]);
  }
  for (const list of byWorker.values()) {
    list.sort((a, b) => t(a.started!) - t(b.started!));
    for (let k = 1; k < list.length; k++) extra += Math.max(0, t(list[k]!.started!) - t(list[k - 1]!.finished!));
  }
  return { perRun: extra / runs.length, runSeconds: own / runs.length, startup };
}
let runSeconds = 0;
let runs = 0;
let trainSeconds = 0;
let lastStore = "";
try {
  for (let i = 0; i < repeats; i++) {
    const l = await estimate({ ...base(`local-${i}.db`), jobs: 2, threads: 1 });
    walls.local.push(l.timing.wallSeconds);
    runs = l.runs.length;
    trainSeconds = l.runs.reduce((s, r) => s + (r.totalSeconds ?? 0), 0);
    const dl = dispatchCost(join(dir, `local-${i}.db`));
    dispatch.local.push(dl.perRun);
    runSeconds = dl.runSeconds;
    console.log(`local ${i + 1}: ${l.timing.wallSeconds.toFixed(1)} s for ${runs} Runs; dispatch ${(dl.perRun * 1000).toFixed(0)} ms per Run of ${dl.runSeconds.toFixed(2)} s; first Run started ${dl.startup.toFixed(1)} s after the study opened`);

    const flush = new Redis(redis.url);
    await flush.flushall();
    flush.disconnect();
    const workers = await Promise.all(["b1", "b2"].map((n) => startWorker(`${n}-${i}`, redis.url, join(dir, `cache-${n}-${i}`))));
    try {
      lastStore = `queue-${i}.db`;
      const q = await estimate({ ...base(lastStore), executor: "queue", queue: redis.url, dataAddress: "127.0.0.1", jobs: 2 });
      walls.queue.push(q.timing.wallSeconds);
      const dq = dispatchCost(join(dir, lastStore));
      dispatch.queue.push(dq.perRun);
      console.log(`queue ${i + 1}: ${q.timing.wallSeconds.toFixed(1)} s for ${q.runs.length} Runs; dispatch ${(dq.perRun * 1000).toFixed(0)} ms per Run of ${dq.runSeconds.toFixed(2)} s; first Run started ${dq.startup.toFixed(1)} s after the study opened`);
    } finally {
      await Promise.all(workers.map((w) => w.stop("SIGTERM")));
    }
  }

  // ---- the coordinator's costs per result ----
  const store = Store.open(join(dir, lastStore));
  const stored = store.listStudies().flatMap((s) => store.studyRuns(s.id)).find((r) => r.result)!;
  store.close();
  const result: RunResult = stored.result!;
  const payload = { v: 1, run: { runId: "x", fingerprint: stored.fingerprint, subset: { size: stored.size, seed: stored.seed }, spec: stored.inputs.spec, recipe: stored.inputs.recipe, validFraction: stored.inputs.validFraction }, engineVersion: stored.inputs.engineVersion, data: { key: "k".repeat(24), hash: "h".repeat(64), url: "http://10.0.0.1:40000", token: "t".repeat(48) } };

  // BullMQ round trip: the coordinator's add and completed event, a worker that answers at once with a real result.
  const n = 300;
  const connection = { url: redis.url, maxRetriesPerRequest: null };
  const queue = new Queue(`${QUEUE_NAME}-bench`, { connection });
  const events = new QueueEvents(`${QUEUE_NAME}-bench`, { connection });
  await events.waitUntilReady();
  const echo = new Worker(`${QUEUE_NAME}-bench`, async () => ({ result, worker: { id: "bench", pid: 1, host: "h" } }), { connection, concurrency: 8 });
  await echo.waitUntilReady();
  let completed = 0;
  const allDone = new Promise<void>((resolve) => events.on("completed", () => ++completed === n && resolve()));
  const t0 = performance.now();
  for (let k = 0; k < n; k++) await queue.add("run", { ...payload, run: { ...payload.run, runId: `b${k}` } }, { jobId: `b${k}`, attempts: 1 });
  const addMs = (performance.now() - t0) / n;
  await allDone;
  const roundTripMs = (performance.now() - t0) / n;
  await echo.close();
  await events.close();
  await queue.close();

  // The store's writes for one Run: claim (queued), start (running, on which worker), finish (done, the result).
  const s2 = Store.open(join(dir, "writes.db"));
  const t1 = performance.now();
  for (let k = 0; k < n; k++) {
    const inputs: RunInputs = { ...stored.inputs, seed: 1000 + k };
    const id = runId(inputs);
    s2.claimRun(id, inputs);
    s2.startRun(id, { id: "w", pid: 1, host: "h" });
    s2.finishRun(id, result, { id: "w", pid: 1, host: "h" });
  }
  const storeMs = (performance.now() - t1) / n;
  s2.close();

  // The estimate's refit after each Run (bootstrap 60), on 30 points (10 sizes x 3 seeds) shaped like a real curve.
  const pts = [200, 400, 800, 1600, 3200, 6400, 12800, 25600, 51200, 102400].flatMap((m, j) => [0, 1, 2].map((seed) => ({ n: m, seed, score: 0.9 - 0.5 * Math.pow(m, -0.35) + 0.004 * ((j + seed) % 3) })));
  const info = metricInfo("accuracy", { chance: 0.1 });
  fitCurve(pts, { metric: info, seed: 1, bootstrap: 60 });
  const fits: number[] = [];
  for (let k = 0; k < 5; k++) {
    const t = performance.now();
    fitCurve(pts, { metric: info, seed: 1, bootstrap: 60 });
    fits.push(performance.now() - t);
  }
  const fitMs = fits.sort((a, b) => a - b)[2]!;

  const best = (a: number[]) => Math.min(...a);
  const ratio = best(walls.queue) / best(walls.local);
  console.log("\n| executor | best wall (s) | Runs | Run seconds (sum) |\n| --- | --- | --- | --- |");
  console.log(`| local, 2 jobs x 1 thread | ${best(walls.local).toFixed(1)} | ${runs} | ${trainSeconds.toFixed(1)} |`);
  console.log(`| queue, 2 workers x 1 job x 1 thread | ${best(walls.queue).toFixed(1)} | ${runs} | |`);
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)]!;
  const added = med(dispatch.queue) - med(dispatch.local);
  console.log(`\nqueue / local wall: ${ratio.toFixed(3)} (best of ${repeats} each; swings with the machine's load)`);
  console.log(`dispatch per Run (median): local ${(med(dispatch.local) * 1000).toFixed(0)} ms, queue ${(med(dispatch.queue) * 1000).toFixed(0)} ms; the queue adds ${(added * 1000).toFixed(0)} ms per Run = ${((added / runSeconds) * 100).toFixed(1)}% of a ${runSeconds.toFixed(2)} s Run`);
  console.log(`per result on the coordinator: BullMQ add ${addMs.toFixed(2)} ms, round trip (add .. completed event, 8 at once) ${roundTripMs.toFixed(2)} ms, store claim+start+finish ${storeMs.toFixed(2)} ms, refit (30 points, 60 bootstraps) ${fitMs.toFixed(0)} ms`);
  mkdirSync(join(here, "out"), { recursive: true });
  writeFileSync(join(here, "out", "queue.json"), JSON.stringify({ walls, ratio, dispatch, addedPerRun: added, runSeconds, runs, trainSeconds, perResultMs: { add: addMs, roundTrip: roundTripMs, store: storeMs, refit: fitMs }, payloadBytes: JSON.stringify(payload).length, resultBytes: JSON.stringify(result).length }, null, 1));
} finally {
  await redis.kill("SIGTERM");
}
process.exit(0);
