/**
 * How every study turns (model, subset, seed) into a Run, and a Run back into a result row. Shared by every kind of
 * study, so the same model on the same subset is the same Run (same id, re-used) whatever study asks for it.
 */
import type { LoadOptions } from "../../data/options.js";
import { ordinaryCounts } from "../../data/subsets.js";
import { InputError } from "../../errors.js";
import type { Dataset } from "../../data/types.js";
import type { ReportRun } from "../estimate-result.js";
import { runId, runInputs, type ActiveJob, type JsonObject, type RunInputs, type RunJob, type SemiJob, type SyntheticJob } from "../run.js";
import type { RunRecord } from "../runner.js";
import type { StudyDeps } from "./deps.js";
import type { StudyOptions } from "./study-options.js";

/**
 * The job of one Run: the default recipe for the subset's training rows, the overrides, the seed (a safer recipe on
 * a retry).
 */
export function buildJob(o: {
  dataset: Dataset;
  spec: JsonObject;
  recipe?: JsonObject;
  size: number;
  seed: number;
  attempt: number;
  validFraction: number;
  engineVersion: string;
  defaultRecipe: StudyDeps["defaultRecipe"];
  /** Ensemble size of an ensemble Run (k >= 2); absent for a plain Run. */
  ensemble?: number;
  /** The pretrained artifact's key when recipe.init.weights is its folder (the id hashes the key, not the folder). */
  artifact?: string;
  /** Train with an extra data set: the combined copy's cache folder and the extra rows (data/extra.ts). */
  extra?: { cacheDir: string; fingerprint: string; rows: number };
  /** Train with synthetic rows made in the Run (RunJob.synthetic). */
  synthetic?: SyntheticJob;
  /** A semi-supervised Run (RunJob.semi). */
  semi?: SemiJob;
  /** --unlabeled (semi Runs): the combined copy holding the given unlabelled rows after the user's (data/extra.ts). */
  unlabeled?: { cacheDir: string; fingerprint: string; rows: number };
  /** An active-learning trajectory (size = its largest label count; see study/active-run.ts). */
  active?: ActiveJob;
  /** Rows per class (RunJob.subset.composition); `size` must be their sum. */
  composition?: number[];
}): { job: RunJob; inputs: RunInputs } {
  const { size, seed, validFraction } = o;
  const composition = o.composition ? nonDefault(o.dataset, o.composition, size, seed) : null;
  const nTrain = size >= 4 ? size - Math.max(1, Math.round(validFraction * size)) : size;
  // With extra or synthetic rows the default recipe (batch, epochs) is the one for the rows actually trained on.
  const added = (o.extra?.rows ?? 0) + (o.synthetic ? Math.round(o.synthetic.ratio * nTrain) : 0);
  let recipe: JsonObject = { ...o.defaultRecipe(o.dataset.tensors.xKind, nTrain + added), ...o.recipe, seed };
  if (o.attempt > 0) recipe = saferRecipe(recipe);
  const base = {
    cacheDir: o.extra?.cacheDir ?? (o.semi && o.unlabeled ? o.unlabeled.cacheDir : o.dataset.cacheDir!),
    fingerprint: o.dataset.fingerprint,
    subset: { size, seed, ...(composition ? { composition } : {}) },
    spec: o.spec,
    recipe,
    validFraction,
    ...(o.ensemble ? { ensemble: { k: o.ensemble } } : {}),
    ...(o.artifact ? { artifact: { key: o.artifact } } : {}),
    ...(o.extra ? { extra: { fingerprint: o.extra.fingerprint, rows: o.extra.rows } } : {}),
    ...(o.synthetic ? { synthetic: { model: o.synthetic.model, ratio: o.synthetic.ratio } } : {}),
    ...(o.semi ? { semi: o.unlabeled ? { ...o.semi, source: { fingerprint: o.unlabeled.fingerprint, rows: o.unlabeled.rows } } : o.semi } : {}),
    ...(o.active ? { active: o.active } : {}),
  };
  const inputs = runInputs(base, o.engineVersion);
  return { job: { ...base, runId: runId(inputs) }, inputs };
}

/**
 * A composition as a Run carries it: null when it is the ordinary subset's (the same rows: the ordinary Run, same
 * id); an error when its counts do not add up to the size.
 */
function nonDefault(dataset: Dataset, counts: number[], size: number, seed: number): number[] | null {
  const sum = counts.reduce((a, b) => a + b, 0);
  if (sum !== size) throw new InputError("BAD_COMPOSITION", `a composition of ${sum} rows for a Run of size ${size}`, { hint: "a composed Run's size is the sum of its class counts" });
  const labels = dataset.tensors.y as Int32Array;
  const ordinary = ordinaryCounts(dataset.split.pool, labels, size, seed, dataset.tensors.numClasses);
  const padded = ordinary.map((_, c) => counts[c] ?? 0);
  return padded.every((m, c) => m === ordinary[c]) ? null : padded;
}

/** The retry after a failure: a third of the learning rate, and half the batch (memory) when it is above 16. */
export function saferRecipe(r: JsonObject): JsonObject {
  const out: JsonObject = { ...r };
  if (typeof r.lr === "number") out.lr = r.lr / 3;
  if (typeof r.batchSize === "number" && r.batchSize > 16) out.batchSize = Math.max(16, Math.floor(r.batchSize / 2));
  return out;
}

/** A finished or failed Run as the results list it. */
export function toReportRun(r: RunRecord): ReportRun {
  return {
    id: r.id,
    size: r.size,
    seed: r.seed,
    attempt: r.attempt,
    status: r.status as "done" | "failed",
    reused: r.reused,
    reason: r.reason,
    metrics: r.result?.metrics ?? null,
    seconds: r.result?.seconds ?? null,
    totalSeconds: r.result?.totalSeconds ?? null,
    epochs: r.result?.epochs ?? null,
    bestEpoch: r.result?.bestEpoch ?? null,
    stoppedEarly: r.result?.stoppedEarly ?? null,
    nTrain: r.result?.nTrain ?? null,
    nValid: r.result?.nValid ?? null,
    paramCount: r.result?.paramCount ?? null,
    error: r.error ?? null,
    ...(r.result?.privacy ? { privacy: r.result.privacy } : {}),
    ...(r.result?.synthetic ? { synthetic: r.result.synthetic } : {}),
  };
}

/** The data layer's load options of a study: `load`, then the study's own data fields where given. */
export function studyLoadOptions(
  o: Pick<StudyOptions, "data" | "load" | "targetColumn" | "testFraction" | "splitSeed" | "cacheRoot">,
  onProgress: LoadOptions["onProgress"],
): LoadOptions {
  return {
    ...o.load,
    source: o.data,
    ...(o.targetColumn !== undefined ? { target: o.targetColumn } : {}),
    ...(o.testFraction !== undefined ? { testFraction: o.testFraction } : {}),
    ...(o.splitSeed !== undefined ? { seed: o.splitSeed } : {}),
    ...(o.cacheRoot !== undefined ? { cacheRoot: o.cacheRoot } : {}),
    onProgress,
  };
}
