/**
 * The compare report: one JSON-serialisable object with every variant's curve, the frontier, the overfitting
 * diagnosis, the pruning and the recommendation. Same conventions as the estimate report (schema + version).
 */
import type { AggregatedPoint, CurvePoint, Diagnostic, Interval } from "../../curves/index.js";
import type { GapAnalysis } from "../analysis.js";
import type { GapDiagnosis } from "./diagnosis.js";
import type { FittedFrontier, MeasuredFrontierRow } from "./frontier.js";
import type { EstimateReport, ReportRun } from "../estimate-result.js";

export const COMPARE_REPORT_SCHEMA = "enough/compare-report";
export const COMPARE_REPORT_VERSION = 1;

export interface CompareVariantReport {
  id: string;
  label: string;
  /** Axis -> value. */
  values: Record<string, unknown>;
  spec: object;
  /** Recipe fields the variant sets. */
  recipe: object;
  status: "kept" | "pruned";
  pruned: { atSize: number; by: string; reason: string } | null;
  /** Trainable parameters (measured by the engine in the Runs). */
  paramCount: number | null;
  /** Forward FLOPs per sample (rough, see src/study/compare-flops.ts). */
  flops: number | null;
  points: AggregatedPoint[];
  seedPoints: CurvePoint[];
  /** Train and validation means per size, for the gap chart. */
  trainPoints: AggregatedPoint[];
  validPoints: AggregatedPoint[];
  fit: object | null;
  fitError: string | null;
  band: { n: number; mean: number; lo: number; hi: number }[];
  confidence: "high" | "medium" | "low" | "none";
  diagnostics: Diagnostic[];
  samplesForTarget: (Interval & { reachable: boolean | "uncertain"; confidence: number }) | null;
  /** Predicted seconds of one Run at the samples needed for the target (measured time per Run vs n). */
  secondsForTarget: number | null;
  scoreAtHave: Interval | null;
  asymptote: Interval | null;
  measuredAtMax: AggregatedPoint | null;
  gap: GapAnalysis;
  diagnosis: GapDiagnosis;
  timePerRun: { n: number; seconds: number; reused: boolean }[];
  runs: { done: number; failed: number; reused: number };
}

export interface CompareReport {
  schema: typeof COMPARE_REPORT_SCHEMA;
  version: typeof COMPARE_REPORT_VERSION;
  studyId: string;
  createdAt: string;
  status: "done";
  headline: string;
  /** The plain-words recommendation, one sentence per entry. */
  recommendation: string[];
  findings: { id: string; text: string }[];
  /** What was asked: as for estimate (without --at), plus the axes and the pruning margin. */
  question: Omit<EstimateReport["question"], "at"> & {
    axes: { name: string; values: string[] }[];
    pruneMargin: number | null;
  };

  data: Omit<EstimateReport["data"], "classes">;
  variants: CompareVariantReport[];
  frontier: {
    /** Best variant (id) per measured size with its paired advantage over the runner-up. */
    measured: MeasuredFrontierRow[];
    fitted: FittedFrontier;
    sentence: string | null;
  };
  best: {
    atHave: { variant: string; score: Interval } | null;
    leastData: { variant: string; samples: Interval } | null;
    leastTime: { variant: string; seconds: number; samples: number } | null;
  };
  pruning: {
    enabled: boolean;
    why: string;
    margin: number | null;
    dropped: { variant: string; atSize: number; by: string; reason: string }[];
    runsSaved: number;
    secondsSaved: number | null;
  };
  runs: (ReportRun & { variant: string })[];
  plan: { sizes: number[]; measured: number[]; decisions: string[]; stopReason: string };
  timing: { wallSeconds: number; loadSeconds: number; busySeconds: number; runSeconds: number; jobs: number; threads: number };
  versions: Record<string, string>;
  store: string;
  reports: { json: string; md: string; html: string } | null;
}
