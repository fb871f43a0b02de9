/**
 * The library API: what `import { ... } from "enough"` gives. The CLI is a thin layer over these functions;
 * nothing here prints (long work reports progress through callbacks and events).
 */
export * from "./errors.js";

// Engine: libtorch models and training (the native addon loads on first use).
export { train, Model, parseModelArg, validateSpec, defaultRecipe, validateRecipe, engineInfo, Ensemble, resolveAugment } from "./engine/index.js";
export type { Tensors, Task, ModelSpec, Recipe, EpochReport, TrainResult, Evaluation, EngineInfo, AugmentOptions, InitOptions, FinetuneMode } from "./engine/index.js";

// Data: sources, schema, encoders, split, nested subsets, cache.
export { loadDataset, loadCachedDataset, nestedSubsets, planSizes, parseSizes, encodeRows, encodeTarget } from "./data/index.js";
export type { Dataset, Schema, ColumnInfo, ColumnKind, LoadReport, LoadOptions, DataKind } from "./data/index.js";

// Curves: fitting, intervals, forecasts, effective data multipliers.
export { fitCurve, effectiveMultiplier, aggregatePoints, metricInfo, FAMILY_NAMES } from "./curves/index.js";
export type * from "./curves/types.js";

// Studies return their results and write nothing but Runs to the store; writeReport writes a result's files.
export { estimate } from "./study/estimate.js";
export type { EstimateOptions } from "./study/estimate.js";
export { compare } from "./study/compare/compare.js";
export type { CompareOptions } from "./study/compare/options.js";
export type { CompareReport } from "./study/compare/result.js";
export { strategies } from "./study/strategies/strategies.js";
export type { StrategiesOptions, StrategiesEvent, StrategiesResult, LeverResult } from "./study/strategies/strategies.js";
export { parseLever, parseLevers, type Lever } from "./study/strategies/levers.js";
export { labelNext, type LabelNextOptions, type LabelNextResult } from "./study/label-next.js";
export { ACQUIRE_STRATEGIES, type AcquireStrategy } from "./engine/index.js";
export { Store } from "./study/store.js";
export { writeReport, writeCompareReport } from "./report/index.js";
export type { EstimateReport } from "./study/estimate-result.js";
export type { ReportPaths } from "./report/index.js";
export { audit } from "./audit/index.js";
export type { AuditOptions, AuditReport } from "./audit/index.js";
