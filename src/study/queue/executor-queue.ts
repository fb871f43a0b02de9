/**
 * The queue executor: each Run becomes a BullMQ job on a Redis server, trained by `enough worker` processes on any
 * number of machines. The job id is the Run id, so a Run is queued once however many coordinators (or restarts of
 * one) ask for it, and a Run a worker finished while no coordinator listened is collected from BullMQ's completed
 * jobs. Results come back as job return values; the caller (the runner) alone writes them to the store.
 *
 * Events (QueueEvents, a Redis stream) bring starts, epochs and outcomes at once; a slow poll of each pending job's
 * state catches what the stream missed (a Redis restart) and re-queues a job Redis lost (a restart without
 * persistence), so a study finishes through server faults.
 */
import { Queue, QueueEvents, type Job } from "bullmq";
import type { Executor, RunHooks } from "../executor.js";
import type { EpochRecord, RunJob, RunOutcome, WorkerInfo } from "../run.js";
import { DataServer } from "./data-server.js";
import { decodeFailure, toQueueJob, unsupportedOverQueue, type QueueJobData, type QueueJobResult } from "./job-data.js";
import { QUEUE_NAME, connectionOptions, parseQueueUrl, reachRedis, type QueueAddress } from "./url.js";

export interface QueueExecutorOptions {
  /** redis://host:port[/db] or rediss://. */
  queue: string;
  /** The coordinator's engine version (part of every Run id); a worker with another one refuses the Run. */
  engineVersion: string;
  /** Runs in flight at once. Default: the worker slots connected when the study starts (at least 1). */
  jobs?: number;
  /** Threads per Run as the plan reports it; each worker chooses its own (`enough worker --threads`). */
  threads?: number;
  /** Serve the dataset to workers over HTTP (default true); without it workers need a shared cache folder. */
  serveData?: boolean;
  /** The address workers reach this machine at (default: its first non-internal IPv4 address). */
  dataAddress?: string;
  dataPort?: number;
  /** How often each pending job's state is read back (the events' safety net). Default 2 s. */
  pollMs?: number;
  /** How long to wait for Redis when the study opens. Default 10 s. */
  connectTimeoutMs?: number;
}

/** What a worker reports through job progress. */
export type QueueProgress = { type: "start"; worker: WorkerInfo } | { type: "epoch"; epoch: EpochRecord; worker: WorkerInfo };

interface Pending {
  payload: QueueJobData;
  hooks: RunHooks;
  started: boolean;
  /** The worker that last reported on the Run. */
  worker?: string;
  resolve: (o: RunOutcome) => void;
}

/** Completed and failed jobs stay in Redis this long, so that a coordinator restarted later collects them. */
const KEEP_SECONDS = 7 * 24 * 3600;

export class QueueExecutor implements Executor {
  readonly kind = "queue";
  readonly threads: number;
  readonly address: QueueAddress;
  private fixedSlots: number | undefined;
  private workerSlots = 1;
  private queue: Queue | null = null;
  private events: QueueEvents | null = null;
  private readonly data: DataServer;
  private readonly pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private polling = false;
  private closed = false;
  private opening: Promise<void> | null = null;

  constructor(private readonly opts: QueueExecutorOptions) {
    this.address = parseQueueUrl(opts.queue);
    this.fixedSlots = opts.jobs;
    this.threads = opts.threads ?? 1;
    this.data = new DataServer({ serve: opts.serveData ?? true, ...(opts.dataAddress ? { address: opts.dataAddress } : {}), ...(opts.dataPort ? { port: opts.dataPort } : {}) });
  }

  get slots(): number {
    return this.fixedSlots ?? this.workerSlots;
  }

  /** Connects to Redis (a typed error when it cannot), starts the data endpoint, counts the workers' slots. */
  open(): Promise<void> {
    this.opening ??= this.connect();
    return this.opening;
  }

  private async connect(): Promise<void> {
    const connection = connectionOptions(this.address);
    const queue = new Queue(QUEUE_NAME, { connection });
    this.queue = queue;
    // Reconnection errors are logged by ioredis as 'error' events; without a listener they would be thrown.
    queue.on("error", () => {});
    try {
      await reachRedis(queue, this.address, this.opts.connectTimeoutMs);
    } catch (err) {
      await forceClose(queue);
      this.queue = null;
      throw err;
    }
    const events = new QueueEvents(QUEUE_NAME, { connection });
    events.on("error", () => {});
    this.events = events;
    events.on("progress", ({ jobId, data }) => this.onProgress(jobId, data as QueueProgress));
    events.on("completed", ({ jobId, returnvalue }) => this.settle(jobId, okOutcome(returnvalue)));
    events.on("failed", ({ jobId, failedReason }) => this.settle(jobId, { ok: false, error: decodeFailure(failedReason) }));
    await events.waitUntilReady();
    await this.data.start();
    await this.countWorkers();
    this.timer = setInterval(() => void this.poll(), this.opts.pollMs ?? 2_000);
  }

  /** Worker slots connected now: each `enough worker` names its BullMQ worker "<id>#<jobs>". */
  private async countWorkers(): Promise<void> {
    try {
      const workers = await this.queue!.getWorkers();
      let n = 0;
      for (const w of workers) n += Number(/#(\d+)$/.exec(String(w.name ?? ""))?.[1] ?? 1);
      this.workerSlots = Math.max(1, n);
    } catch {
      /* CLIENT LIST refused (some hosted Redis): one slot until --jobs says more */
    }
  }

  async run(job: RunJob, hooks: RunHooks = {}): Promise<RunOutcome> {
    if (this.closed) return cancelled("the executor is closed");
    const why = unsupportedOverQueue(job);
    if (why) return { ok: false, error: { code: "QUEUE_UNSUPPORTED", message: `this Run cannot go through the queue: ${why}; use --executor local for it` } };
    try {
      await this.open();
      const ref = await this.data.offer(job.cacheDir);
      const payload = toQueueJob(job, this.opts.engineVersion, ref);
      const done = new Promise<RunOutcome>((resolve) => this.pending.set(job.runId, { payload, hooks, started: false, resolve }));
      await this.submit(payload);
      return await done;
    } catch (err) {
      this.pending.delete(job.runId);
      if (this.closed) return cancelled("cancelled while queueing");
      const e = err as { code?: string; message?: string };
      return { ok: false, error: { code: e.code && /^[A-Z_]+$/.test(e.code) ? e.code : "QUEUE_FAILED", message: e.message ?? String(err) } };
    }
  }

  /**
   * Queues the Run, or joins the job already there: a completed one is collected (a worker finished it while no
   * coordinator listened), a failed one is queued afresh (the store decided to try it again), a waiting one gets
   * this coordinator's data address (the one it carries may be a dead coordinator's).
   */
  private async submit(payload: QueueJobData): Promise<void> {
    const id = payload.run.runId;
    const queue = this.queue!;
    const existing = (await queue.getJob(id)) as Job | undefined;
    if (existing) {
      const state = await existing.getState();
      if (state === "completed") return this.settle(id, okOutcome(existing.returnvalue));
      if (state === "failed") await existing.remove();
      else {
        if (state === "waiting" || state === "prioritized" || state === "delayed") await existing.updateData(payload).catch(() => {});
        return;
      }
    }
    await queue.add("run", payload, { jobId: id, attempts: 1, removeOnComplete: { age: KEEP_SECONDS }, removeOnFail: { age: KEEP_SECONDS } });
  }

  private onProgress(jobId: string, p: QueueProgress): void {
    const w = this.pending.get(jobId);
    if (!w || typeof p !== "object" || p === null || typeof p.worker?.id !== "string") return;
    // A start, or a hand-over: the Run's worker went silent and the stalled check gave it to another one.
    if (w.worker !== p.worker.id) {
      w.started = true;
      w.worker = p.worker.id;
      w.hooks.onStart?.(p.worker);
    }
    if (p.type === "epoch") w.hooks.onEpoch?.(p.epoch);
  }

  private settle(jobId: string, outcome: RunOutcome): void {
    const w = this.pending.get(jobId);
    if (!w) return;
    this.pending.delete(jobId);
    w.resolve(outcome);
  }

  /** The events' safety net: reads each pending job's state; re-queues a job Redis no longer has. */
  private async poll(): Promise<void> {
    if (this.polling || this.closed || !this.queue) return;
    this.polling = true;
    try {
      for (const [id, w] of [...this.pending]) {
        if (this.closed) break;
        const state = await this.queue.getJobState(id);
        if (state === "unknown") {
          await this.submit(w.payload);
          continue;
        }
        if (state !== "completed" && state !== "failed" && (state !== "active" || w.started)) continue;
        const job = (await this.queue.getJob(id)) as Job | undefined;
        if (!job) continue;
        if (state === "completed") this.settle(id, okOutcome(job.returnvalue));
        else if (state === "failed") this.settle(id, { ok: false, error: decodeFailure(job.failedReason) });
        else if (job.progress && typeof job.progress === "object") this.onProgress(id, job.progress as QueueProgress);
      }
      if (this.fixedSlots === undefined) await this.countWorkers();
    } catch {
      /* Redis is away: the next poll tries again */
    } finally {
      this.polling = false;
    }
  }

  /**
   * Stops waiting: pending Runs resolve as cancelled. Jobs no worker has taken are removed; Runs in training finish
   * on their workers, and the next coordinator to ask for them collects their results.
   */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const ids = [...this.pending.keys()];
    for (const id of ids) this.settle(id, cancelled("cancelled"));
    const queue = this.queue;
    if (queue && ids.length) {
      await withTimeout(
        Promise.all(
          ids.map(async (id) => {
            const job = (await queue.getJob(id)) as Job | undefined;
            if (job && (await job.getState()) === "waiting") await job.remove();
          }),
        ),
        2_000,
      ).catch(() => {});
    }
    await Promise.all([this.events && forceClose(this.events), queue && forceClose(queue), this.data.close()]);
  }
}

function okOutcome(returnvalue: unknown): RunOutcome {
  let v = returnvalue;
  if (typeof v === "string") {
    try {
      v = JSON.parse(v);
    } catch {
      /* not ours */
    }
  }
  const r = v as QueueJobResult | undefined;
  if (!r || typeof r !== "object" || !r.result) return { ok: false, error: { code: "BAD_RESULT", message: "the worker's result is not a Run result" } };
  return { ok: true, result: r.result, worker: r.worker };
}

function cancelled(message: string): RunOutcome {
  return { ok: false, error: { code: "CANCELLED", message } };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let t: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_, reject) => (t = setTimeout(() => reject(new Error("timeout")), ms)))]).finally(() => clearTimeout(t));
}

/** close() waits for Redis; a server that is away would hold the study's exit, so disconnect after a moment. */
async function forceClose(c: Queue | QueueEvents): Promise<void> {
  await withTimeout(c.close(), 3_000).catch(async () => {
    await c.disconnect().catch(() => {});
  });
}
