/**
 * The engine's TypeScript face: models from a ModelSpec, trained and run by the native libtorch addon
 * (native/, built by `npm run build:native`).
 *
 *   const { model, result } = await train(parseModelArg("cnn"), data, { train: rows, valid }, defaultRecipe("image", rows.length));
 *   const { accuracy } = await model.evaluate(data, testRows);
 *
 * Every call crosses into C++ once (typed arrays are read in place; `rows` index into them), runs on a worker
 * thread, and fails with an EnoughError subclass: InputError (data), SpecError (spec or recipe), TrainingError
 * (diverging loss, libtorch failure), CancelledError (AbortSignal), EnvironmentError (no addon, no CUDA).
 * Thread defaults are explained in native.ts and threads.ts.
 */
export type { Tensors, Task } from "./types.js";
export { parseModelArg, validateSpec, resolveSpec, FAMILIES } from "./spec.js";
export type { ModelSpec, ResolvedSpec, Family } from "./spec.js";
export { defaultRecipe, validateRecipe } from "./recipe.js";
export type { Recipe, SemiOptions } from "./recipe.js";
export { train, pretext, withoutLabels } from "./train.js";
export { resolveSemi, resolvePretext, semiViews, defaultPretext } from "./semi.js";
export type { PretextOptions, PretextMethod } from "./semi.js";
export type { EpochReport, TrainResult, TrainOptions } from "./train.js";
export { Model, ACQUIRE_STRATEGIES, MC_SAMPLES } from "./model.js";
export type { InputMeta, Evaluation, AcquireStrategy } from "./model.js";
export { engineInfo, machineChoices } from "./info.js";
export type { MachineChoices, CpuProfile, Choice } from "./machine.js";
export type { EngineInfo } from "./info.js";
export { Ensemble } from "./ensemble.js";
export { resolveAugment, defaultAugment, resolveFinetune } from "./recipe.js";
export type { AugmentOptions, ResolvedAugment, InitOptions, FinetuneMode } from "./recipe.js";
export { cvaeSample, nearestDistances } from "./generative.js";
export type { CvaeOptions, CvaeSample } from "./generative.js";
export { nearestRows } from "./neighbours.js";
export type { Neighbours, NeighbourMetric, NeighbourOptions } from "./neighbours.js";
