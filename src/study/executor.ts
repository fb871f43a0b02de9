/**
 * What a study needs from an executor: run a job, report when it starts and how its epochs go, resolve with its
 * outcome (never reject for a failed Run: a failed Run is an outcome). `local` (child processes) implements it
 * now; a queue executor (BullMQ) can implement the same interface with the same job objects.
 */
import type { EpochRecord, RunJob, RunOutcome, WorkerInfo } from "./run.js";

export interface RunHooks {
  onStart?: (worker: WorkerInfo) => void;
  onEpoch?: (epoch: EpochRecord) => void;
}

export interface Executor {
  /** How many Runs proceed at once. */
  readonly slots: number;
  /** Threads each Run may use. */
  readonly threads: number;
  readonly kind: string;
  /** Connects what the executor needs before the first Run (the queue's Redis); typed errors when it cannot. */
  open?(): Promise<void>;
  run(job: RunJob, hooks?: RunHooks): Promise<RunOutcome>;
  /** Stops everything: queued and running jobs resolve as failed with code CANCELLED. */
  close(): Promise<void>;
}
