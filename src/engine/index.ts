/** The engine's TypeScript face: models from a ModelSpec, trained and run by the native libtorch addon. */
export type { Tensors, Task } from "./types.js";
export { parseModelArg, validateSpec, resolveSpec, FAMILIES } from "./spec.js";
export type { ModelSpec, ResolvedSpec, Family } from "./spec.js";
export { defaultRecipe, validateRecipe } from "./recipe.js";
export type { Recipe } from "./recipe.js";
export { train } from "./train.js";
export type { EpochReport, TrainResult, TrainOptions } from "./train.js";
export { Model } from "./model.js";
export type { InputMeta, Evaluation } from "./model.js";
export { engineInfo } from "./info.js";
export type { EngineInfo } from "./info.js";
