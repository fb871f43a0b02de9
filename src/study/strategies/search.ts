/**
 * The search lever: at each size, trials of the ModelSpec and regularisation space (width, depth, dropout, weight
 * decay, learning rate) proposed by TPE, each trained on every seed's subset (so trials are compared paired), scored
 * by the mean validation metric over the seeds. The test split never enters a choice: `bestTrial` sees only
 * validation scores, and the study reads the test score of the chosen trial alone.
 *
 * Choices the issue leaves open, made here: trial 0 is the default model itself (its Runs are the baseline's, so the
 * search is never worse than the default on validation and costs N-1 new trials); TPE's random start-up is a third
 * of the trials (at least 2, at most 10: Optuna's 10 would leave a 20-trial search half random); the history is per
 * size, since the best model changes with n.
 */
import { suggestTpe, type Params, type SearchSpace, type Trial } from "../../strategies/search/index.js";
import type { JsonObject } from "../run.js";

/** The family's knobs; families without width/depth (torchscript) search regularisation only. */
export function searchSpace(spec: JsonObject): SearchSpace {
  const arch = spec.family === "torchscript" ? {} : { width: { kind: "float", low: 0.25, high: 4, log: true }, depth: { kind: "int", low: 1, high: 4 } };
  return {
    ...arch,
    dropout: { kind: "float", low: 0, high: 0.5 },
    weightDecay: { kind: "float", low: 1e-6, high: 1e-2, log: true },
    lr: { kind: "float", low: 1e-4, high: 1e-2, log: true },
  } as SearchSpace;
}

/** Trial t's parameters at one size: trial 0 is the default model (no params); later ones come from TPE. */
export function proposeTrial(space: SearchSpace, history: readonly Trial[], t: number, size: number, trials: number): Params | null {
  if (t === 0) return null;
  return suggestTpe(space, history, { seed: size, direction: "maximize", startupTrials: Math.min(10, Math.max(2, Math.ceil(trials / 3))) });
}

/** The spec and recipe overrides of a trial's parameters (null: the default model). */
export function applyTrial(params: Params | null, spec: JsonObject, recipe: JsonObject | undefined): { spec: JsonObject; recipe: JsonObject | undefined } {
  if (!params) return { spec, recipe };
  const s: JsonObject = { ...spec };
  const r: JsonObject = { ...recipe };
  for (const [k, v] of Object.entries(params)) {
    if (k === "width" || k === "depth" || k === "dropout") s[k] = typeof v === "number" && k !== "depth" ? round3(v) : v;
    else r[k] = typeof v === "number" ? round3(v) : v;
  }
  // Weight decay needs an optimizer that applies it decoupled from Adam's scaling: AdamW.
  if (r.weightDecay !== undefined && r.optimizer === undefined) r.optimizer = "adamw";
  return { spec: s, recipe: r };
}

/** Three significant digits: proposals stay readable in reports and Run inputs. */
function round3(v: number): number {
  return Number(v.toPrecision(3));
}

export interface TrialScores {
  params: Params | null;
  /** Validation score of each seed (oriented: higher is better); the test score is not here on purpose. */
  valid: readonly number[];
}

/** The index of the trial with the best mean validation score (the first wins ties: the default model). */
export function bestTrial(trials: readonly TrialScores[]): number {
  let best = -1;
  let top = -Infinity;
  trials.forEach((t, i) => {
    const m = t.valid.length ? t.valid.reduce((a, b) => a + b, 0) / t.valid.length : -Infinity;
    if (m > top) {
      top = m;
      best = i;
    }
  });
  return best;
}
