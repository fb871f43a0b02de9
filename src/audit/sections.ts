/**
 * The audit report's summary sections beside the issue table. Their types live here, not in the checks that fill
 * them, so that the check interface (check.ts) can name them without importing a check (which imports it back).
 */
import type { RateInterval } from "./math/bootstrap.js";

export interface BalanceSummary {
  classes: { class: string; pool: number; test: number; share: number }[];
  imbalanceRatio: number;
  entropy: number;
  groups: Record<string, { group: string; rows: number; share: number; perClass?: number[] }[]>;
}

export interface DiversitySummary {
  vendi: { class: string; vendi: number; sampled: number }[];
  clusters: { cluster: number; rows: number; accuracy: number; topClass: string }[];
}

export interface GroupMetrics {
  group: string;
  rows: number;
  accuracy: RateInterval;
  error: number;
  selectionRate?: RateInterval;
  tpr?: RateInterval;
  fpr?: RateInterval;
  /** Multiclass: one-vs-rest selection rate / TPR / FPR per class. */
  perClass?: { class: string; selectionRate: number; tpr: number; fpr: number }[];
  smallSample: boolean;
}

export interface BiasSummary {
  column: string;
  overallAccuracy: number;
  positiveClass?: string;
  groups: GroupMetrics[];
  gaps: Record<string, { gap: RateInterval; ratio: RateInterval }>;
  notes: string[];
}

/** The sections a check may fill besides its issues (each belongs to one check; absent when it did not run). */
export interface AuditSections {
  balance: BalanceSummary | null;
  diversity: DiversitySummary | null;
  bias: BiasSummary[];
}
