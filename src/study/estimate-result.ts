/**
 * The estimate report: everything a study found, as one JSON-serialisable object. Its schema is versioned and
 * documented in docs/report-schema.md; bump REPORT_VERSION on any change that could break a reader.
 */
import type { CostPlan } from "../cost/index.js";
import type { DataFacts } from "./data-facts.js";
import type { CollectionPlan } from "./plan/plan.js";
import type { AggregatedPoint, CurvePoint, Diagnostic, Interval } from "../curves/index.js";
import type { GapAnalysis, Prediction } from "./analysis.js";
import type { Finding } from "./findings.js";
import type { DomainTest } from "./extra/domain.js";
import type { FeatureDrift } from "./extra/drift.js";
import type { WorthPoint } from "./extra/worth.js";
import type { EvalMetrics, RunError, RunResult } from "./run.js";

export const REPORT_SCHEMA = "enough/estimate-report";
export const REPORT_VERSION = 1;

export interface ReportCurve {
  /** Mean, sd and count per measured size. */
  points: AggregatedPoint[];
  /** One point per Run (seed). */
  seedPoints: CurvePoint[];
  /** The fitted curve (the fitter's toJSON), or null with the reason in `error`. */
  fit: object | null;
  error?: string;
}

import type { NarrowingRun } from "./narrow.js";

export interface ReportRun {
  id: string;
  size: number;
  seed: number;
  attempt: number;
  status: "done" | "failed";
  reused: boolean;
  reason: string;
  metrics: { test: EvalMetrics; valid: EvalMetrics | null; train: EvalMetrics } | null;
  /** Training seconds (engine) and the whole Run in the worker. */
  seconds: number | null;
  totalSeconds: number | null;
  epochs: number | null;
  bestEpoch: number | null;
  stoppedEarly: boolean | null;
  nTrain: number | null;
  nValid: number | null;
  paramCount: number | null;
  error: RunError | null;
  /** Private Runs (recipe.privacy) only: sampleRate, noiseMultiplier, steps, delta and the epsilon spent. */
  privacy?: RunResult["privacy"];
  /** Synthetic-data Runs only: the generator's figures and the fidelity of its rows. */
  synthetic?: RunResult["synthetic"];
}

export interface EstimateReport {
  schema: typeof REPORT_SCHEMA;
  version: typeof REPORT_VERSION;
  studyId: string;
  createdAt: string;
  status: "done" | "partial";
  headline: string;
  findings: Finding[];
  question: {
    data: string;
    targetColumn: string | null;
    target: { metric: string; value: number } | null;
    metric: string;
    direction: "up" | "down";
    model: unknown;
    recipe: "default" | object;
    sizes: "auto" | number[];
    seeds: number;
    budgetSeconds: number | null;
    at: number[];
    validFraction: number;
  };
  data: DataFacts & { fingerprint: string };
  /** Test-split points, as `enough fit` prints them. */
  points: AggregatedPoint[];
  predictions: Prediction[];
  /** When the target's interval is wide: the one Run (size, one seed) that would narrow it most, its predicted time, and the interval before and roughly after (if it scores as forecast). */
  narrowing?: NarrowingRun;
  samplesForTarget: (Interval & { reachable: boolean | "uncertain"; confidence: number }) | null;
  curves: { test: ReportCurve; valid: ReportCurve; train: ReportCurve };
  /** The test fit's band on a log grid, for charts. */
  band: { n: number; mean: number; lo: number; hi: number }[];
  forecast: {
    have: number;
    scoreAtHave: Interval | null;
    measuredAtMax: AggregatedPoint | null;
    nextGain: (Interval & { k: number }) | null;
    gainPerDoubling: Interval | null;
    halvingDoublings: number | null;
    asymptote: Interval | null;
  };
  gap: GapAnalysis;
  confidence: "high" | "medium" | "low" | "none";
  diagnostics: Diagnostic[];
  runs: ReportRun[];
  plan: { adaptive: boolean; decisions: string[]; stopReason: string };
  timing: {
    wallSeconds: number;
    loadSeconds: number;
    /** Wall time with at least one Run in flight. */
    busySeconds: number;
    /** Sum of the Runs' own times (this invocation's Runs only). */
    runSeconds: number;
    /** Wall time outside Runs (loading, planning, fitting), as a share of the wall time. */
    overheadFraction: number;
    jobs: number;
    threads: number;
    timePerRun: { n: number; seconds: number; reused: boolean }[];
  };
  versions: Record<string, string>;
  store: string;
  reports: { json: string; md: string; html: string } | null;
  /** With --cost: the cost of reaching the target (src/cost/plan.ts). */
  cost?: CostPlan;
  /** With --extra: how different an extra data set is and what it is worth (src/study/extra/). */
  extra?: ExtraReport;
  /** With --plan: the data-collection plan by class and by each --group column (src/study/plan/). */
  collectionPlan?: { classes: CollectionPlan; groups: CollectionPlan[] };
}

export interface ExtraReport {
  source: string;
  fingerprint: string;
  /** Extra rows used (after dropping rows without a usable label). */
  rows: number;
  dropped: number;
  /** How different: the domain classifier's out-of-fold AUC (0.5 = indistinguishable); null when not measured. */
  domain: DomainTest | null;
  /** Per-feature drift, most drifted first (every feature; the sentence names the top 5). */
  drift: FeatureDrift[];
  /** What it is worth, in your samples, at `n` of yours: mean with its 80% interval (<= 0: no help, or harm). */
  worth: { n: number; mean: number; lo: number; hi: number; points: WorthPoint[] } | null;
  sentence: string;
  notes: string[];
  /** The Runs trained with the extra rows (the pool-alone Runs are the study's own). */
  runs: ReportRun[];
  /**
   * --extra-keep: the extra rows most like yours (by the domain classifier's importance weights) and their worth
   * measured again on the same subsets and seeds.
   */
  kept?: { rule: string; rows: number; weights: { min: number; max: number }; worth: ExtraReport["worth"]; sentence: string; notes: string[]; runs: ReportRun[] };
}
