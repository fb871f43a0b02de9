/**
 * The worker process of the local executor (forked by executor-local.ts): loads each dataset once from its cache
 * and trains Runs one at a time with the real engine. Threads come from ENOUGH_THREADS, set by the executor before
 * libtorch loads.
 */
import type { Dataset } from "../data/types.js";
import { serveWorker } from "./worker-serve.js";
import { trainRun, type RunTrainDeps } from "./run-train.js";
import { trainTrajectory } from "./active-run.js";

const datasets = new Map<string, Promise<Dataset>>();

async function main(): Promise<void> {
  const [engine, data] = await Promise.all([import("../engine/index.js"), import("../data/index.js")]);
  const info = engine.engineInfo();
  const versions = { torch: info.torchVersion, blas: info.blas, threads: String(info.threads), node: process.version };
  const deps: RunTrainDeps = {
    nestedSubsets: (pool, labels, sizes, seed) => data.nestedSubsets(pool, labels, sizes, seed),
    train: (spec, tensors, rows, recipe, opts) => engine.train(spec as never, tensors, rows, recipe as never, opts) as never,
    versions: () => versions,
    ensemble: (members) => new engine.Ensemble(members as never) as never,
    synthetic: { cvae: engine.cvaeSample, nearest: engine.nearestDistances },
    pretext: (spec, tensors, rows, options, recipe, opts) => engine.pretext(spec as never, tensors, rows, options as never, recipe as never, opts) as never,
  };
  serveWorker(async (job, ctx) => {
    let ds = datasets.get(job.cacheDir);
    if (!ds) {
      ds = data.loadCachedDataset(job.cacheDir);
      datasets.set(job.cacheDir, ds);
      ds.catch(() => datasets.delete(job.cacheDir));
    }
    // An active-learning trajectory is a Run of its own kind: many trainings, one result (active-run.ts).
    return job.active ? trainTrajectory(job, await ds, deps, { onEpoch: ctx.onEpoch }) : trainRun(job, await ds, deps, { onEpoch: ctx.onEpoch });
  });
}

main().catch((err) => {
  // Nothing to serve without the engine or the data layer: say why on stderr (the executor shows its tail).
  process.stderr.write(`enough worker: cannot start: ${(err as Error)?.message ?? String(err)}\n`);
  process.exit(3);
});
