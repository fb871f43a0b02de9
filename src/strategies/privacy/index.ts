/** Differential privacy: the Rényi-DP accountant of DP-SGD (the training itself is the engine's recipe.privacy). */
export { DEFAULT_ORDERS, computeRdp, rdpStep, rdpToEpsilon, classicEpsilon, dpSgdEpsilon, calibrateNoise, type PrivacySpent } from "./accountant.js";
