/** The cost model: prices (--cost) and the cost of reaching a target. Pure; below study/ so any study kind can call it. */
export { PRICE_KEYS, parsePrices, type PriceKey, type Prices } from "./prices.js";
export { bytesPerSample, costToTarget, type CostInput, type CostPart, type CostPlan } from "./plan.js";
export { timeWithSpread } from "./time-spread.js";
