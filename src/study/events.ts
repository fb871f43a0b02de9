/** Progress events of a study. The library emits them; the CLI (or the dashboard) decides how to show them. */
import type { RunError, WorkerInfo } from "./run.js";

export type StudyEvent =
  | { type: "loading"; phase: string; done?: number; total?: number }
  | { type: "data"; source: string; fingerprint: string; kind: string; task: string; rows: number; poolSize: number; testSize: number; numClasses: number; warnings: string[] }
  | { type: "plan"; studyId: string; adaptive: boolean; sizes: number[]; seeds: number; budgetSeconds: number | null; jobs: number; threads: number; model: unknown; metric: string; target: { metric: string; value: number } | null }
  | { type: "decision"; reason: string }
  | { type: "run-start"; runId: string; size: number; seed: number; attempt: number; reason: string; predictedSeconds: number | null; variant?: string }
  /** A worker has taken the Run (run-start is when it was handed to the executor: queued). */
  | { type: "run-running"; runId: string; size: number; seed: number; worker: WorkerInfo; variant?: string }
  | { type: "run-epoch"; runId: string; size: number; seed: number; epoch: number; trainLoss: number; validMetric?: number; variant?: string }
  | { type: "run-done"; runId: string; size: number; seed: number; score: number | undefined; seconds: number; reused: boolean; variant?: string }
  | { type: "run-failed"; runId: string; size: number; seed: number; error: RunError; willRetry: boolean; variant?: string }
  /** running: Runs in flight; queued: those of them no worker has started yet (waiting in the executor's queue). */
  | { type: "progress"; done: number; failed: number; running: number; queued?: number; planned: number | null; elapsedSeconds: number; etaSeconds: number | null; etaBound: "plan" | "budget" | null }
  | { type: "answer"; metric: string; have: number; scoreAtHave: { mean: number; lo: number; hi: number } | null; samplesForTarget: { mean: number; lo: number; hi: number; reachable: boolean | "uncertain" } | null }
  | { type: "stop"; reason: string }
  | { type: "fitting" }
  | { type: "report"; paths: { json: string; md: string; html: string } };

export type OnEvent = (e: StudyEvent) => void;
