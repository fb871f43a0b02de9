/**
 * Side-by-side trainings for the audit (out-of-fold folds, learning-curve points). A small model's batches split
 * poorly over threads, while separate trainings scale with the cores; libtorch trains each on its own worker thread,
 * so several run at once in this process. One thread per training also makes the results independent of the
 * machine's load.
 */
import { availableParallelism } from "node:os";

/** Trainings at a time and threads each: as many as cores at one thread (at most `tasks`); with T threads, cores / T. */
export function trainingConcurrency(tasks: number, threads?: number, cores = availableParallelism()): { jobs: number; threads: number } {
  const t = threads && threads > 0 ? threads : 1;
  return { jobs: Math.max(1, Math.min(tasks, Math.floor(cores / t))), threads: t };
}
