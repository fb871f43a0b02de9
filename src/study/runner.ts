/**
 * Drives a study's Runs through an executor and the Store: asks the planner for the next Run whenever a slot is
 * free, re-uses Runs the Store already has, waits for Runs another live process is training, retries a failed Run
 * once with a safer recipe, and stops cleanly on abort (finished Runs stay stored; in-flight ones are released).
 */
import type { Executor } from "./executor.js";
import { measuredBefore } from "./metrics.js";
import type { OnEvent } from "./events.js";
import type { Decision } from "./planner.js";
import type { RunError, RunInputs, RunJob, RunResult } from "./run.js";
import type { Store } from "./store.js";

export interface RunRecord {
  id: string;
  size: number;
  seed: number;
  attempt: number;
  status: "done" | "failed" | "cancelled";
  result?: RunResult;
  error?: RunError;
  reused: boolean;
  reason: string;
  recipe: Record<string, unknown>;
  /** Which variant of a comparison study the Run belongs to (absent in single-model studies). */
  variant?: string;
}

export interface RunnerSnapshot {
  records: RunRecord[];
  /** (size, seed) of Runs in flight. */
  inFlight: { size: number; seed: number; startedAt: number; predictedSeconds: number | null; variant?: string }[];
  /** "size:seed" keys ever decided (done, running, failed). */
  taken: Set<string>;
  elapsedSeconds: number;
}

export interface RunnerOptions {
  store: Store;
  executor: Executor;
  studyId: string;
  /** The job for (size, seed) (of a variant, in comparisons); attempt 1 is the retry with a safer recipe. */
  makeJob(size: number, seed: number, attempt: number, variant?: string): { job: RunJob; inputs: RunInputs; retryNote?: string };
  next(s: RunnerSnapshot): Decision;
  /** Called after each finished Run (done or failed), e.g. to refit and tighten the plan. */
  afterRun?(s: RunnerSnapshot): void;
  /** The score the progress events show. */
  scoreOf(r: RunResult): number | undefined;
  /** The study's metric: a stored Run measured before that metric existed is trained again, not re-used. */
  metric?: string;
  eta?(s: RunnerSnapshot): { seconds: number | null; bound: "plan" | "budget" | null; planned: number | null };
  onEvent: OnEvent;
  signal?: AbortSignal;
  /** How often to look at a Run another process is training. */
  pollMs?: number;
}

export interface RunnerOutcome {
  records: RunRecord[];
  cancelled: boolean;
  stopReason: string;
  wallSeconds: number;
  /** Wall time during which at least one Run was in flight. */
  busySeconds: number;
}

const CANCELLED = "CANCELLED";

export async function runStudy(o: RunnerOptions): Promise<RunnerOutcome> {
  const t0 = Date.now();
  const records: RunRecord[] = [];
  const inFlight = new Map<string, { size: number; seed: number; startedAt: number; predictedSeconds: number | null; variant?: string; done: Promise<void> }>();
  const taken = new Set<string>();
  /** Run ids a worker has started (the rest of inFlight waits in the executor's queue). */
  const onWorker = new Set<string>();
  let busyMs = 0;
  let busySince: number | null = null;
  let stopReason = "";
  let cancelled = false;
  const pollMs = o.pollMs ?? 500;

  const snapshot = (): RunnerSnapshot => ({
    records,
    inFlight: [...inFlight.values()].map(({ size, seed, startedAt, predictedSeconds, variant }) => ({ size, seed, startedAt, predictedSeconds, ...(variant !== undefined ? { variant } : {}) })),
    taken,
    elapsedSeconds: (Date.now() - t0) / 1000,
  });
  const progress = () => {
    const s = snapshot();
    const eta = o.eta?.(s) ?? { seconds: null, bound: null, planned: null };
    o.onEvent({
      type: "progress",
      done: records.filter((r) => r.status === "done").length,
      failed: records.filter((r) => r.status === "failed").length,
      running: inFlight.size,
      queued: Math.max(0, inFlight.size - onWorker.size),
      planned: eta.planned,
      elapsedSeconds: s.elapsedSeconds,
      etaSeconds: eta.seconds,
      etaBound: eta.bound,
    });
  };
  const onAbort = () => {
    cancelled = true;
    void o.executor.close();
  };
  if (o.signal?.aborted) onAbort();
  o.signal?.addEventListener("abort", onAbort, { once: true });
  const heartbeat = setInterval(() => o.store.heartbeat(), 30_000);
  heartbeat.unref();

  const finish = (rec: RunRecord) => {
    records.push(rec);
    if (rec.status === "done") {
      o.onEvent({ type: "run-done", runId: rec.id, size: rec.size, seed: rec.seed, score: rec.result ? o.scoreOf(rec.result) : undefined, seconds: rec.result?.totalSeconds ?? 0, reused: rec.reused, ...tag(rec.variant) });
    }
  };

  /** One attempt; resolves with the record (never rejects). */
  const attemptRun = async (size: number, seed: number, attempt: number, reason: string, predictedSeconds: number | null, variant?: string): Promise<RunRecord> => {
    const { job, inputs } = o.makeJob(size, seed, attempt, variant);
    const base = { id: job.runId, size, seed, attempt, reason, recipe: job.recipe, ...tag(variant) };
    for (;;) {
      if (cancelled) return { ...base, status: "cancelled", reused: false };
      const claim = o.store.claimRun(job.runId, inputs, o.metric ? { redo: (run) => !!run.result && measuredBefore(run.result.metrics, o.metric!) } : {});
      o.store.linkRun(o.studyId, job.runId, reason);
      if (claim.state === "done") return { ...base, status: "done", result: claim.run.result!, reused: true };
      if (claim.state === "busy") {
        // Another live process trains this very Run: wait for its result instead of training it twice.
        o.onEvent({ type: "decision", reason: `n=${size}, seed ${seed}: already being trained by ${claim.run.owner}; waiting for it` });
        for (;;) {
          await sleep(pollMs);
          if (cancelled) return { ...base, status: "cancelled", reused: false };
          const r = o.store.getRun(job.runId);
          if (r?.status === "done") return { ...base, status: "done", result: r.result!, reused: true };
          if (r?.status === "failed") return { ...base, status: "failed", error: r.error ?? { code: "RUN_FAILED", message: "failed" }, reused: true };
          if ((r?.status !== "running" && r?.status !== "queued") || !r.owner || o.store.requeueStale() > 0) break;
        }
        continue;
      }
      o.onEvent({ type: "run-start", runId: job.runId, size, seed, attempt, reason, predictedSeconds, ...tag(variant) });
      const outcome = await o.executor.run(job, {
        onStart: (worker) => {
          o.store.startRun(job.runId, worker);
          onWorker.add(job.runId);
          o.onEvent({ type: "run-running", runId: job.runId, size, seed, worker, ...tag(variant) });
          progress();
        },
        onEpoch: (e) => o.onEvent({ type: "run-epoch", runId: job.runId, size, seed, epoch: e.epoch, trainLoss: e.trainLoss, validMetric: e.validMetric, ...tag(variant) }),
      });
      onWorker.delete(job.runId);
      if (outcome.ok) {
        o.store.finishRun(job.runId, outcome.result, outcome.worker);
        return { ...base, status: "done", result: outcome.result, reused: false };
      }
      if (outcome.error.code === CANCELLED || cancelled) {
        o.store.releaseRun(job.runId);
        return { ...base, status: "cancelled", reused: false };
      }
      o.store.failRun(job.runId, outcome.error, outcome.worker);
      return { ...base, status: "failed", error: outcome.error, reused: false };
    }
  };

  const launch = (d: Extract<Decision, { kind: "run" }>) => {
    const key = runKey(d.size, d.seed, d.variant);
    taken.add(key);
    if (busySince === null) busySince = Date.now();
    const entry = { size: d.size, seed: d.seed, startedAt: Date.now(), predictedSeconds: d.predictedSeconds, ...tag(d.variant), done: Promise.resolve() };
    entry.done = (async () => {
      let rec = await attemptRun(d.size, d.seed, 0, d.reason, d.predictedSeconds, d.variant);
      if (rec.status === "failed" && !rec.reused && !cancelled) {
        const retryReason = `retry of n=${d.size}, seed ${d.seed} with a safer recipe after ${rec.error!.code}`;
        o.onEvent({ type: "run-failed", runId: rec.id, size: d.size, seed: d.seed, error: rec.error!, willRetry: true, ...tag(d.variant) });
        records.push(rec);
        rec = await attemptRun(d.size, d.seed, 1, retryReason, d.predictedSeconds, d.variant);
      }
      if (rec.status === "failed") o.onEvent({ type: "run-failed", runId: rec.id, size: d.size, seed: d.seed, error: rec.error!, willRetry: false, ...tag(d.variant) });
      if (rec.status !== "cancelled") finish(rec);
      inFlight.delete(key);
      if (inFlight.size === 0 && busySince !== null) {
        busyMs += Date.now() - busySince;
        busySince = null;
      }
      if (!cancelled) {
        o.afterRun?.(snapshot());
        progress();
      }
    })();
    inFlight.set(key, entry);
  };

  try {
    let stopped = false;
    for (;;) {
      while (!cancelled && !stopped && inFlight.size < o.executor.slots) {
        const d = o.next(snapshot());
        if (d.kind === "stop") {
          stopped = true;
          stopReason = d.reason;
          o.onEvent({ type: "stop", reason: d.reason });
          break;
        }
        if (d.reason) o.onEvent({ type: "decision", reason: d.reason });
        launch(d);
        progress();
        // A re-used Run resolves at once; let it land before asking the planner again.
        await new Promise((r) => setImmediate(r));
      }
      if (inFlight.size === 0) break;
      await Promise.race([...inFlight.values()].map((e) => e.done));
    }
  } finally {
    clearInterval(heartbeat);
    o.signal?.removeEventListener("abort", onAbort);
  }
  if (cancelled) stopReason = "cancelled";
  if (busySince !== null) busyMs += Date.now() - busySince;
  return { records, cancelled, stopReason, wallSeconds: (Date.now() - t0) / 1000, busySeconds: busyMs / 1000 };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The `taken` key of a Run: "size:seed", prefixed with "variant|" in comparison studies. */
export function runKey(size: number, seed: number, variant?: string): string {
  return variant === undefined ? `${size}:${seed}` : `${variant}|${size}:${seed}`;
}

const tag = (variant: string | undefined) => (variant !== undefined ? { variant } : {});
