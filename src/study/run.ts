/**
 * The Run protocol: a Run is a pure, serialisable job (JSON in, JSON out) so that the local executor (child
 * processes) and a later queue executor (BullMQ workers on other machines) are interchangeable. A job names the
 * encoded dataset by its cache directory and the subset by (size, seed); the worker recomputes the nested subset
 * deterministically instead of receiving indices, which keeps jobs small enough for any queue.
 */
import type { EpochReport } from "../engine/train.js";
import { stableHash } from "./hash.js";

/** Bumped when the meaning of a job changes (e.g. how the validation slice is drawn): old Runs are then redone. */
export const RUN_PROTOCOL = 1;

/** JSON-like model spec / recipe as they travel in jobs; the engine validates them. */
export type JsonObject = { [key: string]: unknown };

/** Everything a Run's result depends on; its hash is the Run id. */
export interface RunInputs {
  protocol: number;
  fingerprint: string;
  size: number;
  seed: number;
  spec: JsonObject;
  recipe: JsonObject;
  validFraction: number;
  engineVersion: string;
  /** Ensemble Runs only (absent otherwise, so a plain Run's id is what it always was): k members averaged. */
  ensemble?: { k: number };
  /** Pretraining jobs only (absent otherwise): the trained model is saved as an artifact, not only scored. */
  pretrain?: true;
  /** Runs trained with an extra data set (absent otherwise): the extra rows' fingerprint and count. */
  extra?: { fingerprint: string; rows: number };
  /** Runs trained with synthetic rows (absent otherwise): the generator and the synthetic rows per real row. */
  synthetic?: SyntheticJob;
  /** Semi-supervised Runs only (absent otherwise): how the unlabelled rows were used. */
  semi?: SemiJob;
  /** Self-supervised pretraining jobs only (absent otherwise): the pretext task. */
  pretext?: PretextJob;
  /** Active-learning trajectories only (absent otherwise): the acquisition's strategy and schedule. */
  active?: ActiveJob;
  /**
   * Runs on a subset of a chosen class composition (absent for the ordinary stratified subset, so ordinary ids are
   * unchanged): rows per class, index = class code (see RunJob.subset.composition).
   */
  composition?: number[];
}

/** The synthetic-data lever of a Run: which generator, trained on the Run's training rows only, and how many rows. */
export interface SyntheticJob {
  model: "cvae" | "copula";
  /** Synthetic rows per real training row. */
  ratio: number;
}

/**
 * A semi-supervised Run: the labelled subset as any Run, plus the rest of the pool with its labels hidden (a seeded
 * sample of at most `unlabeled` rows). "pseudo": train, pseudo-label the unlabelled rows whose top probability
 * reaches `threshold` (at most `ratio` per labelled training row, the most confident first), retrain from scratch
 * on both, `rounds` times. "fixmatch": one training with recipe.semi (`ratio` = mu, unlabelled rows per labelled
 * row in each step).
 */
export interface SemiJob {
  method: "pseudo" | "fixmatch";
  threshold: number;
  ratio: number;
  rounds: number;
  unlabeled: number;
  /** --unlabeled: the unlabelled rows are the given ones (see UnlabeledSource), not the rest of the pool. */
  source?: UnlabeledSource;
}

/**
 * Unlabelled rows given apart from the labelled data (`strategies --unlabeled`): the last `rows` rows of the Run's
 * dataset (a cached copy holding the labelled rows, then these, with placeholder labels), and the hash of their
 * encoded inputs. Only in the Run inputs of semi and selfsup Runs that use them, so every other id is unchanged.
 */
export interface UnlabeledSource {
  fingerprint: string;
  rows: number;
}

/** A pretraining job on the pool's inputs without labels: `size` rows (a seeded sample), `steps` steps. */
export interface PretextJob {
  method: "contrastive" | "reconstruct" | "masked-tokens";
  size: number;
  steps: number;
  /** --unlabeled: pretrain on (a sample of `size` of) the given rows instead of the pool's. */
  source?: UnlabeledSource;
}

/**
 * One active-learning trajectory (study/active-run.ts): a stratified seed set of `start` rows of the pool, then
 * rounds that train a model on the labelled rows, score it on the test split and acquire `batch` more rows with
 * `strategy`, until `max` rows are labelled. Every round trains from scratch (same seed, no warm start), with the
 * default batch size and epochs for its row count unless `fixed` names them as the user's.
 */
export interface ActiveJob {
  strategy: string;
  batch: number;
  start: number;
  max: number;
  /** BALD's stochastic forward passes. */
  mcSamples?: number;
  /** Recipe fields the user set that the rounds keep as given (batchSize, epochs, steps); sorted. */
  fixed?: string[];
  /**
   * Label counts scored beyond `max` (random arms only): a strategy's score at `max` can only be read as a
   * multiplier where random acquisition reaches it, so the random arm goes on to a few larger counts.
   */
  beyond?: number[];
}

export interface RunJob {
  runId: string;
  /** The encoded dataset's cache directory (loaded once per worker process). */
  cacheDir: string;
  fingerprint: string;
  /**
   * The subset: the pool's nested stratified subset of `size` rows for `seed`; with `composition`, `composition[c]`
   * rows of class c instead, each class's rows in the seed's stratified order (data/subsets.ts composedSubset: the
   * ordinary subset plus the over-sampled class's next rows), and `size` their sum. Absent when it equals the
   * ordinary subset's counts (buildJob drops it), so such a Run is the ordinary Run.
   */
  subset: { size: number; seed: number; composition?: number[] };
  spec: JsonObject;
  /** A concrete recipe (the coordinator resolves the default recipe, so the stored inputs say what ran). */
  recipe: JsonObject;
  /** Share of the subset held out (stratified, seeded) for early stopping. */
  validFraction: number;
  /** At most this many training rows are re-evaluated for the train score (a seeded sample beyond it). */
  trainEvalCap?: number;
  /**
   * An ensemble Run: k members trained on the same subset and validation slice (member 0 with the Run's own seed, so
   * it is the plain Run's model; member j with a seed derived from it), scored on their averaged predictions.
   */
  ensemble?: { k: number };
  /**
   * A Run that starts from a pretrained artifact: recipe.init.weights is the artifact's folder on this machine, and
   * the Run id hashes this key in its place (moving the store or its artifacts keeps every id).
   */
  artifact?: { key: string };
  /** A pretraining job: after training, save the model (Model.save()) into this folder. */
  save?: string;
  /**
   * Train on the subset plus extra rows: the last `rows` rows of the dataset at cacheDir (the user's rows followed
   * by an extra data set, see data/extra.ts). They join the training rows only: the validation slice and the test
   * split stay the user's.
   */
  extra?: { fingerprint: string; rows: number };
  /**
   * Train on the subset's training rows plus ratio x as many synthetic rows, drawn from a generator fitted in this
   * Run on those training rows alone (never the validation slice, the test split or the rest of the pool); the
   * Run's result carries the generator's figures and the fidelity report (study/synthetic/).
   */
  synthetic?: SyntheticJob;
  /** See RunInputs.semi. */
  semi?: SemiJob;
  /** See RunInputs.pretext (with `save`: the pretrained model is the job's product). */
  pretext?: PretextJob;
  /** An active-learning trajectory: the Run's subset is the acquired rows, round by round (see ActiveJob). */
  active?: ActiveJob;
}

export interface EvalMetrics {
  loss: number;
  accuracy?: number;
  mse?: number;
  r2?: number;
  /** From the evaluation's predictions (engine/scores.ts); absent in Runs stored before they were measured. */
  f1?: number;
  balancedAccuracy?: number;
  auc?: number;
  mae?: number;
  n: number;
}

/** One epoch of a Run's history, as the engine reports it. */
export type EpochRecord = EpochReport;

export interface RunResult {
  metrics: { test: EvalMetrics; valid: EvalMetrics | null; train: EvalMetrics };
  history: EpochRecord[];
  /** Training wall time (the engine's figure). */
  seconds: number;
  /** The whole Run in the worker: subset, training and the three evaluations. */
  totalSeconds: number;
  samplesPerSecond: number;
  paramCount: number;
  bestEpoch: number;
  epochs: number;
  steps: number;
  stoppedEarly: boolean;
  nTrain: number;
  nValid: number;
  versions: Record<string, string>;
  /** Private Runs only: the sampling rate, noise multiplier, steps, delta and epsilon spent (engine's PrivacyReport). */
  privacy?: { sampleRate: number; noiseMultiplier: number; steps: number; delta: number; epsilon: number; targetEpsilon?: number };
  /**
   * Classification Runs: which test rows the model got right, one bit per row in the test split's order (bit i of
   * byte i>>3, low bit first), base64. Per-class and per-group scores (estimate --plan) are read from it.
   */
  testCorrect?: string;
  /** Synthetic-data Runs only: the generator and the fidelity of its rows (study/synthetic/fidelity.ts). */
  synthetic?: SyntheticReport;
  /** Semi-supervised Runs only: unlabelled rows offered, pseudo-labels added per round (pseudo), the share of confident weak views (fixmatch). */
  semi?: { unlabeled: number; pseudoLabelled?: number[]; confident?: number };
  /**
   * Active-learning trajectories only: each round's label count and scores (the Run's own metrics are the last
   * round's), and the labelled rows in the order they were labelled (the seed set first).
   */
  active?: { rounds: ActiveRound[]; labelled: number[] };
}

export interface SyntheticReport {
  model: "cvae" | "copula";
  ratio: number;
  /** Real training rows the generator saw, and the synthetic rows added. */
  realRows: number;
  rows: number;
  generator: { seconds: number; epochs?: number; steps?: number; loss?: number; reconstruction?: number; kl?: number };
  fidelity: {
    /** Classifier two-sample test: out-of-fold AUC of telling real training rows from synthetic ones (0.5 = alike). */
    twoSample: { auc: number; lo: number; hi: number; rowsPerSide: number } | null;
    /** Train on synthetic rows only, test on the real test split (same model and recipe). */
    tstr: EvalMetrics;
    /**
     * Distance of each synthetic row to its nearest real training row, against the real rows' distances to their
     * nearest other real row: rows closer than the real rows' `quantile` quantile (`threshold`) are flagged copies.
     */
    copies: { flagged: number; share: number; quantile: number; threshold: number; synthetic: { min: number; q05: number; median: number }; real: { q05: number; median: number } };
    /** Seconds spent on the fidelity report (not on the lever itself). */
    seconds: number;
  };
}

export interface ActiveRound {
  n: number;
  test: EvalMetrics;
  valid: EvalMetrics | null;
  /** Training seconds and acquisition seconds of the round. */
  trainSeconds: number;
  acquireSeconds: number;
  epochs: number;
}

/** A failure as it crosses process boundaries (errors do not survive structured cloning with their class). */
export interface RunError {
  code: string;
  message: string;
}

export type RunOutcome = { ok: true; result: RunResult; worker?: WorkerInfo } | { ok: false; error: RunError; worker?: WorkerInfo };

export interface WorkerInfo {
  id: string;
  pid?: number;
  host?: string;
}

export function runInputs(job: Omit<RunJob, "runId" | "cacheDir" | "trainEvalCap" | "artifact" | "save"> & Pick<RunJob, "artifact" | "save">, engineVersion: string): RunInputs {
  return {
    protocol: RUN_PROTOCOL,
    fingerprint: job.fingerprint,
    size: job.subset.size,
    seed: job.subset.seed,
    spec: job.spec,
    recipe: job.artifact ? withArtifactKey(job.recipe, job.artifact.key) : job.recipe,
    validFraction: job.validFraction,
    engineVersion,
    ...(job.ensemble ? { ensemble: { k: job.ensemble.k } } : {}),
    ...(job.save !== undefined ? { pretrain: true as const } : {}),
    ...(job.extra ? { extra: { fingerprint: job.extra.fingerprint, rows: job.extra.rows } } : {}),
    ...(job.synthetic ? { synthetic: { model: job.synthetic.model, ratio: job.synthetic.ratio } } : {}),
    ...(job.semi ? { semi: { ...job.semi } } : {}),
    ...(job.pretext ? { pretext: { ...job.pretext } } : {}),
    ...(job.active ? { active: { ...job.active } } : {}),
    ...(job.subset.composition ? { composition: [...job.subset.composition] } : {}),
  };
}

/** The recipe as a Run's inputs hold it: the artifact's key where the job has its folder (a path is no input). */
function withArtifactKey(recipe: JsonObject, key: string): JsonObject {
  const init = recipe.init as JsonObject | undefined;
  return init ? { ...recipe, init: { ...init, weights: `artifact:${key}` } } : recipe;
}

/** The Run id: a hash of its inputs, stable across key order, processes and machines. */
export function runId(inputs: RunInputs): string {
  return "r" + stableHash(inputs, 20);
}
