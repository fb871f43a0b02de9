/**
 * `enough worker --queue redis://host:6379`: trains Runs that studies started with `--executor queue` put on the
 * queue, until Ctrl-C or SIGTERM (which let the Runs in training finish; a second signal stops at once). One line per
 * Run on stderr.
 */
import type { Command } from "commander";
import { DEFAULT_CACHE_ROOT } from "../../data/options.js";
import { engineInfo, validateRecipe, validateSpec } from "../../engine/index.js";
import { engineVersionOf } from "../../study/engine-version.js";
import { startQueueWorker, type QueueWorkerEvent } from "../../study/queue/worker-queue.js";
import { parsePositiveInt } from "../format.js";
import { writeErr } from "../output.js";

interface WorkerCliOptions {
  queue: string;
  jobs: string;
  threads: string;
  cacheRoot: string;
  name?: string;
  lock: string;
}

export function register(program: Command): void {
  program
    .command("worker")
    .description("train the Runs of queued studies (--executor queue) from a Redis queue, on this machine")
    .requiredOption("--queue <redis-url>", "the queue's Redis: redis://[:password@]host:6379[/db] (rediss:// for TLS)")
    .option("--jobs <count>", "Runs trained at once (one child process each)", "1")
    .option("--threads <count>", "threads per Run", "1")
    .option("--cache-root <dir>", "dataset cache: a folder shared with the coordinator, or where downloads are kept", DEFAULT_CACHE_ROOT)
    .option("--name <name>", "this worker's name in the store and logs (default host:pid)")
    .option("--lock <seconds>", "how long a silent worker keeps a Run before another worker takes it over", "30")
    .action(async (opts: WorkerCliOptions) => {
      await runWorker(opts);
    });
}

async function runWorker(opts: WorkerCliOptions): Promise<void> {
  const worker = await startQueueWorker({
    queue: opts.queue,
    jobs: parsePositiveInt(opts.jobs, "--jobs"),
    threads: parsePositiveInt(opts.threads, "--threads"),
    cacheRoot: opts.cacheRoot,
    ...(opts.name ? { name: opts.name } : {}),
    lockSeconds: parsePositiveInt(opts.lock, "--lock"),
    engineVersion: engineVersionOf(engineInfo().torchVersion),
    validate: (spec, recipe) => {
      validateSpec(spec as never);
      validateRecipe(recipe as never);
    },
    onEvent: (e) => writeErr(line(e)),
  });
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) {
        writeErr("enough worker: stopping now\n");
        void worker.close(true).then(resolve, resolve);
        return;
      }
      stopping = true;
      writeErr("enough worker: finishing the Runs in training (signal again to stop now)\n");
      void worker.close().then(resolve, resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

function line(e: QueueWorkerEvent): string {
  switch (e.type) {
    case "ready":
      return `enough worker ${e.worker.id}: waiting for Runs on ${e.queue} (${e.jobs} at once, ${e.threads} thread${e.threads === 1 ? "" : "s"} each)\n`;
    case "run-start":
      return `run ${e.runId}: n=${e.size}, seed ${e.seed}\n`;
    case "run-done":
      return `run ${e.runId}: done in ${e.seconds.toFixed(1)} s\n`;
    case "run-failed":
      return `run ${e.runId}: failed [${e.error.code}] ${e.error.message}\n`;
    case "connection":
      return `enough worker: queue connection: ${e.message}\n`;
  }
}
