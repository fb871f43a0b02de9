/** What `strategies()` returns (documented in docs/report-schema.md, "strategies"). */
import type { MultiplierKind, MultiplierVerdict } from "../../curves/multiplier-paired.js";
import type { Params } from "../../strategies/search/index.js";
import type { ReportRun } from "../estimate-result.js";
import type { CostPlan } from "../../cost/index.js";
import type { Interval } from "../../curves/index.js";
import type { EncodingIssue } from "../../data/encoders/coverage.js";
import type { LoadReport } from "../../data/types.js";

/**
 * One multiplier reading; `hi` is null where the interval's upper end lies beyond the baseline's data. At the
 * target, `lo` and `hi` are both null with `noInterval` saying why when fewer than 3 seeds are paired.
 */
export interface MultiplierRow {
  n: number;
  value: number;
  lo: number | null;
  /** Why there is no interval (lo and hi null): "too few seeds for an interval at the target (...)". */
  noInterval?: string;
  hi: number | null;
  kind: MultiplierKind;
  extrapolated: boolean;
  /** The practical verdict (see strategies' summary: an effect under 10% is not called help or harm). */
  verdict: MultiplierVerdict;
  text: string;
}

export interface ScorePoint {
  n: number;
  seed: number;
  score: number;
}

export interface Range {
  min: number;
  max: number;
}

export interface LeverResult {
  label: string;
  kind: "augment" | "ensemble" | "backbone" | "transfer" | "search" | "dp" | "extra" | "synthetic" | "semi" | "selfsup" | "active";
  /** The lever's Runs are the baseline's (e.g. augment:policy=none): its multiplier is exactly x1. */
  identical: boolean;
  verdict: MultiplierVerdict;
  /** "helps (x1.6, 80% 1.3-2.0)"; or why there is no multiplier. */
  summary: string;
  multiplier: { perSize: MultiplierRow[]; atTarget: (MultiplierRow & { baselineN: number; strategyN: number }) | null; atPool: MultiplierRow | null; fadesAt: number | null; pairedSeeds: number } | null;
  /** Test scores (the chosen trial's, for search) per size and seed. */
  points: ScorePoint[];
  scoreAtPool: { mean: number; lo: number; hi: number } | null;
  cost: {
    /** Measured seconds of the lever's Runs over the baseline's on the same (size, seed) pairs. */
    computeX: number | null;
    /** Prediction cost per sample relative to one model (an ensemble of k: k). */
    inferenceX: number;
    /** n_base(target) - n_strategy(target), when both are read within the data. */
    labelsSaved: number | null;
    /**
     * transfer:source and selfsup only: the one pretraining's seconds (measured when it ran, kept with the artifact when re-used)
     * and its key. computeX includes it, spread over the lever's Runs in this study: (pretraining + the lever's
     * Runs) / the baseline's Runs on the same pairs; a study with more sizes or seeds spreads it thinner.
     */
    pretrain?: { seconds: number; reused: boolean; artifact: string };
  };
  /**
   * dp only: the budget asked and what the lever's Runs spent (each Run: DP-SGD with the noise calibrated to the
   * budget for its own steps; the Runs' sampleRate, noiseMultiplier, steps, delta and epsilon are in report.json's
   * runs). The data cost of privacy is 1 / the multiplier.
   */
  privacy?: { targetEpsilon: number; runs: number; epsilon: Range | null; noiseMultiplier: Range | null; sampleRate: Range | null; delta: Range | null };
  /**
   * --extra only ("pool + extra"): the extra rows' worth in your samples at the largest measured size, (x - 1) n,
   * with the multiplier's interval (null = no bound); `bound` follows the multiplier's kind ("at least" where the
   * baseline never reached the with-extra score within its data); spansZero: an estimate whose interval includes 0.
   */
  extra?: { source: string; rows: number; worth: { n: number; mean: number; lo: number | null; hi: number | null; bound: "about" | "at least" | "at most" } | null; spansZero: boolean };
  /** Synthetic only: the generator and the fidelity of its rows beside the multiplier (strategies/synthetic.ts). */
  synthetic?: SyntheticFidelity;
  /**
   * semi only: the method and its settings, and what its Runs did: unlabelled rows offered per Run, pseudo-labels
   * added per Run (pseudo: summed over rounds), the share of weak views confident enough (fixmatch).
   */
  semi?: { method: "pseudo" | "fixmatch"; threshold: number; ratio: number; rounds: number; runs: number; unlabeled: Range | null; pseudoLabelled: Range | null; confident: Range | null };
  /**
   * active only: the trajectory schedule (label counts start, start + batch, ..., max; every round retrains from
   * scratch: warmStart false), the random arm it is paired with and its points (the row's baseline), and the label
   * count from which every measured count reads "helps" (null: none). The row's `points` are the strategy's.
   */
  active?: { strategy: string; batch: number; start: number; max: number; warmStart: false; random: ScorePoint[]; randomArm: string; paysFrom: number | null };
  /**
   * semi and selfsup only: where their unlabelled rows came from: "pool" (the pool's rows with labels hidden; each
   * semi Run takes those outside its subset) or "given" (--unlabeled: those rows only), and how many there are.
   */
  unlabeled?: { from: "pool" | "given"; source: string; rows: number };
  /** Search only: the trial chosen on validation at each size. */
  best?: { n: number; trial: number; params: Params | null; validScore: number }[];
}

/**
 * A synthetic lever's fidelity, per measured size over its Runs (seeds): the two-sample AUC (0.5: the classifier
 * cannot tell synthetic rows from real ones; 1: it always can), train-on-synthetic / test-on-real (TSTR) beside the
 * baseline's score on the same pairs (train on real, test on real), and the copies flagged by the nearest-real-row
 * distance. Means over seeds with their range; each Run's own report is in `runs[].synthetic`.
 */
export interface SyntheticFidelity {
  model: "cvae" | "copula";
  ratio: number;
  perSize: {
    n: number;
    runs: number;
    /** Mean synthetic rows per Run. */
    rows: number;
    twoSampleAuc: { mean: number; min: number; max: number } | null;
    tstr: { mean: number; min: number; max: number } | null;
    /** The baseline's test score on the same (size, seed) pairs. */
    trtr: number | null;
    /** Flagged copies over all the size's synthetic rows, and their share. */
    copies: { flagged: number; rows: number; share: number };
    generatorSeconds: number;
    fidelitySeconds: number;
  }[];
  /** One line: "two-sample AUC 0.93 (n=400); TSTR 0.71 vs 0.80 real; 0 of 800 rows flagged as copies". */
  text: string;
}

export interface StrategiesResult {
  kind: "strategies";
  studyId: string;
  data: { source: string; fingerprint: string; poolSize: number; testSize: number };
  question: { metric: string; target: { metric: string; value: number } | null; model: Record<string, unknown>; seeds: number; sizes: number[]; levers: string[] };
  headline: string;
  baseline: { points: ScorePoint[]; scoreAtPool: { mean: number; lo: number; hi: number } | null };
  levers: LeverResult[];
  /** With --cost: every row priced to reach the target, cheapest first (strategies/cost.ts). */
  costs?: StrategyCosts;
  /** With --unlabeled: the given unlabelled rows as read (strategies/unlabeled.ts). */
  unlabeled?: UnlabeledReport;
  /** Sizes measured for every arm, ascending. */
  measured: number[];
  decisions: string[];
  stopReason: string;
  runs: (ReportRun & { arm: string })[];
  timing: { wallSeconds: number; loadSeconds: number; jobs: number; threads: number };
  versions: Record<string, string>;
  store: string;
  reports: { json: string; md: string; html: string } | null;
}

/** strategies --cost: one priced row (strategies/cost.ts). */
export interface StrategyCost {
  label: string;
  /** Samples for the target on the row's own curve (80% interval); null without a target or a curve. */
  samplesForTarget: (Interval & { reachable: boolean | "uncertain" }) | null;
  /** Compute per Run relative to the baseline's (the lever's measured computeX; 1 for the baseline). */
  computeX: number | null;
  plan: CostPlan;
}

export interface StrategyCosts {
  /** Cheapest total first; rows without a total last. */
  rows: StrategyCost[];
  /** The two cheapest totals' 80% intervals overlap: no clear winner. */
  overlap: boolean;
  notes: string[];
}

/**
 * strategies --unlabeled: the unlabelled rows the semi and selfsup levers used in place of the pool's, read with
 * the labelled data's encoders. `targetValues`: rows with a value in the target column, which was never read.
 */
export interface UnlabeledReport {
  source: string;
  /** Hash of the rows' encoded inputs (and the labelled data's key): the part of the semi/selfsup Run ids. */
  fingerprint: string;
  rows: number;
  targetValues: number;
  /** Cells the labelled data's encoders could not represent as read (encoded all the same), per column. */
  issues: EncodingIssue[];
  /** Rows or files not read (malformed lines, unreadable images). */
  skipped: LoadReport["skipped"];
  warnings: string[];
  /** The levers that used them. */
  levers: string[];
}
