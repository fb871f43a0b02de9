/**
 * The worker side of the local executor's IPC protocol. A worker process handles one Run at a time:
 *   parent -> worker  { type: "run", job }
 *   worker -> parent  { type: "ready", pid } once, { type: "epoch", runId, epoch } per epoch,
 *                     { type: "outcome", runId, outcome } per Run.
 * The handler gets plain jobs and returns plain results, so a queue worker can call the same handler.
 */
import type { EpochRecord, RunJob, RunOutcome, RunResult } from "./run.js";

export type ParentMessage = { type: "run"; job: RunJob };
export type WorkerMessage =
  | { type: "ready"; pid: number }
  | { type: "epoch"; runId: string; epoch: EpochRecord }
  | { type: "outcome"; runId: string; outcome: RunOutcome };

export type RunHandler = (job: RunJob, ctx: { onEpoch: (e: EpochRecord) => void }) => Promise<RunResult>;

/** Turns any thrown value into the protocol's error shape (typed errors keep their code). */
export function toRunError(err: unknown): { code: string; message: string } {
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" && e.code ? e.code : "RUN_FAILED";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return { code, message };
}

/** Serves Runs over the IPC channel of a forked process until the parent goes away. */
export function serveWorker(handler: RunHandler): void {
  const send = (m: WorkerMessage) => process.send?.(m);
  if (!process.send) throw new Error("worker: no IPC channel (start it with child_process.fork)");
  // Ctrl-C reaches the whole process group; the parent decides when workers stop, so a worker ignores it.
  process.on("SIGINT", () => {});
  // The parent died or closed the channel (including kill -9 of the CLI): nothing left to report to.
  process.on("disconnect", () => process.exit(0));
  let chain = Promise.resolve();
  process.on("message", (msg: ParentMessage) => {
    if (msg?.type !== "run") return;
    const job = msg.job;
    chain = chain.then(async () => {
      let outcome: RunOutcome;
      try {
        const result = await handler(job, { onEpoch: (epoch) => send({ type: "epoch", runId: job.runId, epoch }) });
        outcome = { ok: true, result };
      } catch (err) {
        outcome = { ok: false, error: toRunError(err) };
      }
      send({ type: "outcome", runId: job.runId, outcome });
    });
  });
  send({ type: "ready", pid: process.pid });
}
