/**
 * The local executor: a pool of k child processes, each loading the dataset once and training one Run at a time
 * with t threads. Thread settings of libtorch/OpenMP/OpenBLAS are process-wide, so "k jobs x t threads" is only
 * controllable per process; and a native crash or out-of-memory kill takes down one worker, which fails that Run
 * and is replaced, while the study goes on.
 */
import { fork, type ChildProcess } from "node:child_process";
import { availableParallelism, hostname } from "node:os";
import { dirname, join } from "node:path";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Executor, RunHooks } from "./executor.js";
import type { RunJob, RunOutcome, WorkerInfo } from "./run.js";
import type { ParentMessage, WorkerMessage } from "./worker-serve.js";

export interface LocalExecutorOptions {
  /** Concurrent Runs (worker processes). Default: see chooseConcurrency. */
  jobs?: number;
  /** Threads per Run. */
  threads?: number;
  /** The worker script (default: worker.ts under tsx, or worker.js from dist). Tests pass a fake worker. */
  workerScript?: string;
  execArgv?: string[];
  env?: NodeJS.ProcessEnv;
}

/**
 * k jobs x t threads from the core count. Small models scale poorly with threads inside one training (per-batch
 * work is too small to split), while separate Runs are independent, so concurrency goes to Runs first: t = 1,
 * k = cores, capped at 8 processes (each holds a copy of the dataset); beyond 8 cores the spare cores become
 * threads. One thread per Run also keeps OpenMP from spinning against other processes. Overridable with
 * ENOUGH_JOBS / ENOUGH_THREADS (or --jobs / --threads).
 * Measured on the 2-core reference machine while other work held the cores (load 7-8), Fashion-MNIST CNN, four
 * Runs (n = 1,000 and 4,000, two seeds each): 2 jobs x 1 thread 162 s, 1 job x 2 threads 181 s; evaluating 10,000
 * test images took 3.2 s with 1 thread and 7.0 s with 2.
 */
export function chooseConcurrency(cores = availableParallelism(), env: NodeJS.ProcessEnv = process.env): { jobs: number; threads: number } {
  const envJobs = Number(env.ENOUGH_JOBS);
  const envThreads = Number(env.ENOUGH_THREADS);
  let threads = Number.isInteger(envThreads) && envThreads > 0 ? envThreads : 1;
  let jobs = Number.isInteger(envJobs) && envJobs > 0 ? envJobs : Math.max(1, Math.min(8, Math.floor(cores / threads)));
  if (!(Number.isInteger(envThreads) && envThreads > 0) && jobs * threads < cores) threads = Math.max(1, Math.floor(cores / jobs));
  return { jobs, threads };
}

/** Where the worker entry is: next to this module, as .ts under tsx (tests, dev) or .js in dist. */
export function defaultWorkerEntry(): { script: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (here.endsWith(".ts")) return { script: join(dir, "worker.ts"), execArgv: tsxArgs() };
  return { script: join(dir, "worker.js"), execArgv: [] };
}

/** `--import <tsx loader>` by absolute URL, so a .ts worker starts whatever the current folder is. */
function tsxArgs(): string[] {
  try {
    const pkg = createRequire(import.meta.url).resolve("tsx/package.json");
    const loader = join(dirname(pkg), "dist", "loader.mjs");
    if (existsSync(loader)) return ["--import", pathToFileURL(loader).href];
  } catch {
    /* fall back to resolving "tsx" from the current folder */
  }
  return ["--import", "tsx"];
}

interface Pending {
  job: RunJob;
  hooks: RunHooks;
  resolve: (o: RunOutcome) => void;
}

interface Slot {
  id: string;
  proc: ChildProcess;
  current: Pending | null;
  ready: boolean;
  exited: Promise<void>;
}

let workerCounter = 0;

export class LocalExecutor implements Executor {
  readonly kind = "local";
  readonly slots: number;
  readonly threads: number;
  private readonly script: string;
  private readonly execArgv: string[];
  private readonly env: NodeJS.ProcessEnv;
  private readonly queue: Pending[] = [];
  private readonly workers = new Set<Slot>();
  private closed = false;

  constructor(opts: LocalExecutorOptions = {}) {
    const chosen = chooseConcurrency();
    this.slots = opts.jobs ?? chosen.jobs;
    this.threads = opts.threads ?? chosen.threads;
    const entry = defaultWorkerEntry();
    this.script = opts.workerScript ?? entry.script;
    this.execArgv = opts.execArgv ?? (this.script.endsWith(".ts") ? tsxArgs() : entry.execArgv);
    const t = String(this.threads);
    this.env = {
      ...process.env,
      ...opts.env,
      ENOUGH_THREADS: t,
      // Set before libtorch loads in the worker; the engine may refine them (e.g. OpenBLAS at 1 thread).
      OMP_NUM_THREADS: opts.env?.OMP_NUM_THREADS ?? t,
    };
  }

  run(job: RunJob, hooks: RunHooks = {}): Promise<RunOutcome> {
    if (this.closed) return Promise.resolve(cancelled("the executor is closed"));
    return new Promise((resolve) => {
      this.queue.push({ job, hooks, resolve });
      this.pump();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const p of this.queue.splice(0)) p.resolve(cancelled("cancelled before it started"));
    const exits: Promise<void>[] = [];
    for (const w of this.workers) {
      const cur = w.current;
      w.current = null;
      cur?.resolve(cancelled("cancelled while running"));
      exits.push(w.exited);
      w.proc.kill("SIGTERM");
      const timer = setTimeout(() => w.proc.kill("SIGKILL"), 2000);
      w.exited.then(() => clearTimeout(timer));
    }
    await Promise.all(exits);
  }

  /** Process ids of live workers (tests kill one to check that its Run fails and the study goes on). */
  workerPids(): number[] {
    return [...this.workers].map((w) => w.proc.pid).filter((p): p is number => p !== undefined);
  }

  private pump(): void {
    if (this.closed) return;
    for (const w of this.workers) {
      if (!this.queue.length) return;
      if (w.ready && !w.current) this.assign(w, this.queue.shift()!);
    }
    const starting = [...this.workers].filter((w) => !w.ready).length;
    let spare = this.queue.length - starting;
    while (spare > 0 && this.workers.size < this.slots) {
      this.spawn();
      spare--;
    }
  }

  private assign(w: Slot, p: Pending): void {
    w.current = p;
    p.hooks.onStart?.(this.info(w));
    const msg: ParentMessage = { type: "run", job: p.job };
    w.proc.send(msg);
  }

  private info(w: Slot): WorkerInfo {
    return { id: w.id, pid: w.proc.pid, host: hostname() };
  }

  private spawn(): void {
    const id = `local-${process.pid}-${++workerCounter}`;
    const proc = fork(this.script, [], { execArgv: this.execArgv, env: this.env, stdio: ["ignore", "ignore", "pipe", "ipc"] });
    let stderrTail = "";
    proc.stderr?.on("data", (d: Buffer) => {
      stderrTail = (stderrTail + d.toString()).slice(-2000);
    });
    let markExited!: () => void;
    const slot: Slot = { id, proc, current: null, ready: false, exited: new Promise((r) => (markExited = r)) };
    this.workers.add(slot);
    proc.on("message", (m: WorkerMessage) => {
      if (m.type === "ready") {
        slot.ready = true;
        this.pump();
      } else if (m.type === "epoch") {
        if (slot.current?.job.runId === m.runId) slot.current.hooks.onEpoch?.(m.epoch);
      } else if (m.type === "outcome") {
        const cur = slot.current;
        if (cur?.job.runId !== m.runId) return;
        slot.current = null;
        cur.resolve({ ...m.outcome, worker: this.info(slot) });
        this.pump();
      }
    });
    let gone = false;
    const onGone = (why: string) => {
      if (gone) return;
      gone = true;
      this.workers.delete(slot);
      const cur = slot.current;
      slot.current = null;
      if (cur) {
        const detail = stderrTail.trim().split("\n").slice(-3).join(" | ");
        cur.resolve({
          ok: false,
          error: {
            code: "WORKER_DIED",
            message: `the worker process ${why} while training (killed, out of memory, or a native crash)${detail ? `: ${detail}` : ""}`,
          },
          worker: this.info(slot),
        });
      } else if (!slot.ready && !this.closed && this.queue.length) {
        // A worker that dies before it is ready would die again: fail the next job instead of looping.
        const next = this.queue.shift()!;
        next.resolve({
          ok: false,
          error: { code: "WORKER_START", message: `a worker could not start (${why})${stderrTail ? `: ${stderrTail.trim().slice(-500)}` : ""}` },
        });
      }
      markExited();
      this.pump();
    };
    proc.on("exit", (code, signal) => onGone(signal ? `was killed by ${signal}` : `exited with code ${code}`));
    proc.on("error", (err) => {
      onGone(`failed (${err.message})`);
      proc.kill("SIGKILL");
    });
  }
}

function cancelled(message: string): RunOutcome {
  return { ok: false, error: { code: "CANCELLED", message } };
}
