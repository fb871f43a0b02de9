/** estimate --plan: per-class and per-group learning curves, where to collect, and per-group data needs. */
export { collectionPlan, planSentences, planWithFits, type CollectionPlan, type PlanUnitRow } from "./plan.js";
export type { PlanCheck, Compared } from "./check.js";
export { unitRuns, type UnitRuns, type PlanUnit } from "./units.js";
export { correctBits, readBits } from "./bits.js";
