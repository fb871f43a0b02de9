/** Architecture and hyper-parameter search: search spaces, the TPE and random samplers, successive halving. */
export { validateSpace, sampleUniform, type ParamSpec, type SearchSpace, type ParamValue, type Params, type Trial, type Direction } from "./space.js";
export { suggestTpe, suggestRandom, defaultGamma, type TpeOptions } from "./tpe.js";
export { successiveHalving, halvingRungs, type HalvingOptions, type HalvingResult, type Rung } from "./halving.js";
