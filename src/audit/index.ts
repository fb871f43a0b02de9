/** The audit layer: data quality, diversity, bias and privacy checks, and what fixing them is worth in samples. */
export { audit, auditDataset, mergeIssues, AUDIT_SCHEMA, AUDIT_VERSION, type AuditOptions, type AuditReport } from "./audit.js";
export { AUDIT_CHECKS, CHECK_NAMES, selectChecks } from "./checks/registry.js";
export type { AuditCheck, AuditNeed, CheckResult } from "./check.js";
export type { AuditSections, BalanceSummary, BiasSummary, DiversitySummary, GroupMetrics } from "./sections.js";
export type { Issue, IssueType, Severity, AuditProgress, RowScores } from "./types.js";
export { confidentLearning, type ConfidentLearningResult } from "./math/confident.js";
export { luhnValid, ibanValid, maskValue, findPii } from "./checks/pii.js";
export { writeAuditReport, flaggedCsv } from "./report.js";
