/** The library API: what `import { ... } from "enough"` gives. */
export * from "./errors.js";
export type * from "./engine/types.js";
export type * from "./data/types.js";
