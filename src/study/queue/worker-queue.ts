/**
 * `enough worker`'s engine room: a BullMQ worker that takes Runs from the queue and trains each in a child process
 * of a LocalExecutor (so a native crash or an out-of-memory kill fails that Run only, and the dataset is loaded once
 * per child). Each job is read like CLI input (job-data.ts), refused when it was queued by another engine build, and
 * trained on data found by hash in the cache folder or downloaded from the coordinator (data-fetch.ts).
 *
 * A worker killed outright stops renewing its jobs' locks: BullMQ's stalled-job check (run by every worker) puts the
 * Run back in the queue for another worker, at most `maxStalls` times, then fails it.
 */
import { Worker, UnrecoverableError, type Job } from "bullmq";
import { hostname } from "node:os";
import { LocalExecutor } from "../executor-local.js";
import type { RunError, WorkerInfo } from "../run.js";
import { toRunError } from "../worker-serve.js";
import { DataFetcher } from "./data-fetch.js";
import type { QueueProgress } from "./executor-queue.js";
import { encodeFailure, readQueueJob, type QueueJobResult } from "./job-data.js";
import { QUEUE_NAME, connectionOptions, parseQueueUrl, reachRedis } from "./url.js";

export interface QueueWorkerOptions {
  queue: string;
  /** Runs trained at once (child processes). Default 1. */
  jobs?: number;
  /** Threads per Run. Default 1. */
  threads?: number;
  /** Where datasets are found (a folder shared with the coordinator) or downloaded to. */
  cacheRoot: string;
  /** This worker's name in the store and the logs (default host:pid). */
  name?: string;
  /** How long a silent worker keeps a Run before the stalled check hands it to another (default 30 s). */
  lockSeconds?: number;
  /** How many times a Run may be handed on after its worker went silent before it fails (default 2). */
  maxStalls?: number;
  /** This worker's engine version (engine-version.ts) and the engine's spec/recipe checks. */
  engineVersion: string;
  validate(spec: Record<string, unknown>, recipe: Record<string, unknown>): void;
  onEvent?: (e: QueueWorkerEvent) => void;
}

export type QueueWorkerEvent =
  | { type: "ready"; worker: WorkerInfo; queue: string; jobs: number; threads: number }
  | { type: "run-start"; runId: string; size: number; seed: number }
  | { type: "run-done"; runId: string; size: number; seed: number; seconds: number }
  | { type: "run-failed"; runId: string; error: RunError }
  | { type: "connection"; message: string };

export interface RunningQueueWorker {
  info: WorkerInfo;
  /** Stops taking Runs; waits for the ones in training unless `force`. */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningQueueWorker> {
  const address = parseQueueUrl(o.queue);
  const jobs = o.jobs ?? 1;
  const threads = o.threads ?? 1;
  const emit = o.onEvent ?? (() => {});
  const info: WorkerInfo = { id: o.name ?? `${hostname()}:${process.pid}`, host: hostname(), pid: process.pid };
  const local = new LocalExecutor({ jobs, threads });
  const data = new DataFetcher(o.cacheRoot);
  const fail = (e: RunError): never => {
    // Unrecoverable: BullMQ must not retry a Run that failed for what it is (a retry with a safer recipe is the
    // coordinator's decision, as a new Run).
    throw new UnrecoverableError(encodeFailure(e));
  };

  const processor = async (job: Job): Promise<QueueJobResult> => {
    let parsed: ReturnType<typeof readQueueJob>;
    try {
      parsed = readQueueJob(job.data, job.id);
      o.validate(parsed.job.spec, parsed.job.recipe);
    } catch (err) {
      return fail(toRunError(err));
    }
    const run = parsed.job;
    if (parsed.engineVersion !== o.engineVersion) {
      return fail({
        code: "ENGINE_MISMATCH",
        message: `worker ${info.id} runs "${o.engineVersion}" but the Run was queued for "${parsed.engineVersion}"; install the same enough and libtorch on every machine (a Run's result depends on the build)`,
      });
    }
    let cacheDir: string;
    try {
      cacheDir = await data.get(parsed.data);
    } catch (err) {
      return fail({ code: "DATA_UNAVAILABLE", message: `worker ${info.id}: ${(err as Error).message}` });
    }
    emit({ type: "run-start", runId: run.runId, size: run.subset.size, seed: run.subset.seed });
    const report = (p: QueueProgress) => void job.updateProgress(p).catch(() => {});
    const outcome = await local.run({ ...run, cacheDir }, { onStart: () => report({ type: "start", worker: info }), onEpoch: (epoch) => report({ type: "epoch", epoch, worker: info }) });
    if (!outcome.ok) {
      emit({ type: "run-failed", runId: run.runId, error: outcome.error });
      return fail(outcome.error);
    }
    emit({ type: "run-done", runId: run.runId, size: run.subset.size, seed: run.subset.seed, seconds: outcome.result.totalSeconds });
    return { result: outcome.result, worker: info };
  };

  const lockDuration = Math.round((o.lockSeconds ?? 30) * 1000);
  const worker = new Worker(QUEUE_NAME, processor, {
    connection: connectionOptions(address),
    concurrency: jobs,
    // "<id>#<jobs>": a coordinator counts the slots of connected workers from these names.
    name: `${info.id}#${jobs}`,
    lockDuration,
    stalledInterval: Math.max(1_000, Math.round(lockDuration / 2)),
    maxStalledCount: o.maxStalls ?? 2,
    autorun: false,
  });
  let lastError = "";
  worker.on("error", (err) => {
    const message = (err as Error).message;
    if (message !== lastError) emit({ type: "connection", message });
    lastError = message;
  });
  worker.on("ready", () => {
    if (lastError) emit({ type: "connection", message: "connected again" });
    lastError = "";
  });
  try {
    await reachRedis(worker, address);
  } catch (err) {
    await worker.close(true).catch(() => {});
    throw err;
  }
  void worker.run().catch((err) => emit({ type: "connection", message: (err as Error).message }));
  emit({ type: "ready", worker: info, queue: address.display, jobs, threads });
  return {
    info,
    async close(force = false) {
      await worker.close(force);
      await local.close();
    },
  };
}
