/**
 * What a study needs from the layers below (data, engine, curves, the local executor), as one object, so that tests
 * replace parts of it and never load the native addon.
 */
import { aggregatePoints, fitCurve } from "../../curves/index.js";
import type { LoadOptions } from "../../data/options.js";
import type { Dataset } from "../../data/types.js";
import type { Tensors } from "../../engine/types.js";
import type { AggregateFn, FitCurveFn } from "../analysis.js";
import type { Executor } from "../executor.js";
import type { ExtraData } from "../../data/extra.js";
import type { UnlabelledData, UnlabelledOptions } from "../../data/unlabelled.js";
import type { TrainPredict } from "../extra/domain.js";
import type { JsonObject } from "../run.js";
import type { ExecutorChoice } from "./study-options.js";

export interface StudyDeps {
  loadDataset(o: LoadOptions): Promise<Dataset>;
  planSizes(o: { poolSize: number; numClasses: number }): number[];
  /** The data layer's --sizes reader (counts, k suffixes, percentages, "all"); the local reader otherwise. */
  parseSizes?(arg: string, poolSize: number): number[] | "auto";
  parseModelArg(arg: string): JsonObject;
  defaultRecipe(kind: Tensors["xKind"], nTrain: number): JsonObject;
  /** Checks a ModelSpec / Recipe up front (typed errors), so a typo fails at once instead of in every Run. */
  validateSpec?(spec: JsonObject): void;
  validateRecipe?(recipe: JsonObject): void;
  engineVersion(): string;
  /** The local executor (default), or the queue executor (`executor: "queue"`, `queue: redis://...`). */
  createExecutor(o: ExecutorChoice): Executor | Promise<Executor>;
  fitCurve: FitCurveFn;
  aggregate: AggregateFn;
  enoughVersion: string;
  /** --extra: read an extra data set with the dataset's encoders, and cache the two together (data/extra.ts). */
  loadExtra?(ds: Dataset, file: string, o: { cacheRoot?: string; refresh?: boolean }): Promise<ExtraData>;
  combineWithExtra?(ds: Dataset, extra: Pick<ExtraData, "fingerprint" | "tensors">, o: { cacheRoot?: string; keep?: Int32Array }): Promise<{ cacheDir: string; fingerprint: string; rows: number }>;
  /** --unlabeled: read unlabelled rows with the dataset's encoders (data/unlabelled.ts); cached with combineWithExtra. */
  loadUnlabelled?(ds: Dataset, source: string, o: UnlabelledOptions): Promise<UnlabelledData>;
  /** Trains a model in this process and predicts some rows (the domain classifier of --extra). */
  trainPredict?: TrainPredict;
}

/** The real engine, data layer and local executor, loaded on first use (tests never load the native addon). */
export async function defaultDeps(): Promise<StudyDeps> {
  const [engine, data, local, versions] = await Promise.all([
    import("../../engine/index.js"),
    import("../../data/index.js"),
    import("../executor-local.js"),
    import("../engine-version.js"),
  ]);
  const version = versions.enoughVersion();
  const engineVersion = () => versions.engineVersionOf(engine.engineInfo().torchVersion, version);
  return {
    loadDataset: (o) => data.loadDataset(o),
    planSizes: (o) => data.planSizes(o),
    parseSizes: (arg, poolSize) => data.parseSizes(arg, poolSize),
    parseModelArg: (arg) => engine.parseModelArg(arg) as unknown as JsonObject,
    defaultRecipe: (kind, n) => engine.defaultRecipe(kind, n) as unknown as JsonObject,
    validateSpec: (spec) => void engine.validateSpec(spec),
    validateRecipe: (recipe) => void engine.validateRecipe(recipe as never),
    engineVersion,
    createExecutor: async (o) => {
      if (o.executor !== "queue") return new local.LocalExecutor(o);
      const { QueueExecutor } = await import("../queue/executor-queue.js");
      return new QueueExecutor({ ...o, queue: o.queue ?? "", engineVersion: engineVersion() });
    },
    fitCurve: (p, o) => fitCurve(p, o),
    aggregate: aggregatePoints,
    enoughVersion: version,
    loadExtra: (ds, file, o) => data.loadExtra(ds, file, o),
    combineWithExtra: (ds, extra, o) => data.combineWithExtra(ds, extra, o),
    loadUnlabelled: (ds, source, o) => data.loadUnlabelled(ds, source, o),
    trainPredict: async (spec, tensors, rows, recipe) => {
      const { model } = await engine.train(spec as never, tensors, { train: rows.train }, recipe as never);
      try {
        return await model.predict(tensors, rows.predict);
      } finally {
        model.dispose();
      }
    },
  };
}

/** Whether the caller gave every dependency (then the real ones are not even loaded). */
export function isComplete(d: Partial<StudyDeps> | undefined): d is StudyDeps {
  return !!d && ["loadDataset", "planSizes", "parseModelArg", "defaultRecipe", "engineVersion", "createExecutor", "fitCurve", "aggregate"].every((k) => k in d);
}
