/**
 * The Rényi-DP accountant of DP-SGD. It lives in src/engine/accountant.ts (train() reports the epsilon a private
 * training spent, and the engine layer may not import this one); this is its public home for the strategies.
 */
export * from "../../engine/accountant.js";
