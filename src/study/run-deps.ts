/** What a worker's Run needs from the engine (run-train.ts, run-semi.ts): passed in, so both stay testable. */
import type { TrainResult } from "../engine/train.js";
import type { Tensors } from "../engine/types.js";
import type { EpochRecord, EvalMetrics, JsonObject, RunResult } from "./run.js";
import type { CvaeFn } from "./synthetic/generate.js";
import type { NearestFn } from "./synthetic/fidelity.js";

export interface TrainedModel {
  evaluate(data: Tensors, rows?: Int32Array): Promise<EvalMetrics>;
  /**
   * Class probabilities (n x classes), on inputs with or without labels: classification Runs keep which test rows they
   * got right, pseudo-labelling Runs (RunJob.semi) label the unlabelled rows, synthetic-data Runs run their two-sample
   * test.
   */
  predict?(data: Omit<Tensors, "y">, rows?: Int32Array): Promise<Float32Array>;
  /** Model.save(); needed only by pretraining jobs (RunJob.save). */
  save?(dir: string): Promise<void>;
  /** Model.acquire(); needed only by active-learning trajectories (RunJob.active). */
  acquire?(data: Tensors, pool: Int32Array, labelled: Int32Array | null, opts: { strategy: string; k: number; seed: number; mcSamples?: number }): Promise<{ rows: Int32Array; scores: Float32Array }>;
  dispose(): void;
}

export interface RunTrainDeps {
  nestedSubsets(pool: Int32Array, labels: Int32Array | null, sizes: number[], seed: number): { subsets: Int32Array[]; warnings: string[] };
  train(
    spec: JsonObject,
    data: Tensors,
    rows: { train: Int32Array; valid?: Int32Array },
    recipe: JsonObject,
    opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal; unlabeled?: { data: Omit<Tensors, "y">; rows: Int32Array } },
  ): Promise<{ model: TrainedModel; result: EngineResult }>;
  /** Self-supervised pretraining (the engine's pretext()); needed only by pretraining jobs with RunJob.pretext. */
  pretext?(
    spec: JsonObject,
    data: Omit<Tensors, "y">,
    rows: Int32Array,
    options: { method: string },
    recipe: JsonObject,
    opts: { onEpoch?: (e: EpochRecord) => void; signal?: AbortSignal },
  ): Promise<{ model: TrainedModel; result: EngineResult }>;
  versions(): Record<string, string>;
  /** Averages trained members' predictions (the engine's Ensemble); needed only for ensemble Runs. */
  ensemble?(members: TrainedModel[]): TrainedModel;
  /** The CVAE generator and exact nearest-neighbour distances (engine/generative.ts); needed only for synthetic Runs. */
  synthetic?: { cvae: CvaeFn; nearest: NearestFn };
}

/** What the engine's train() reports that a Run keeps. */
export type EngineResult = Omit<TrainResult, "privacy"> & { privacy?: RunResult["privacy"] };

/** A Run result's figures that come straight from the engine's report (and the worker's clock since `t0`). */
export function engineFigures(result: EngineResult, t0: number, versions: Record<string, string>) {
  return {
    history: result.history.map((e) => ({ ...e })),
    seconds: result.seconds,
    totalSeconds: (performance.now() - t0) / 1000,
    samplesPerSecond: result.samplesPerSecond,
    paramCount: result.paramCount,
    bestEpoch: result.bestEpoch,
    epochs: result.epochs,
    steps: result.steps,
    stoppedEarly: result.stoppedEarly,
    versions,
  };
}

