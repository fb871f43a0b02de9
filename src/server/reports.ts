/**
 * A study's report files, rendered from the store by its kind's own writers (report/): what `enough studies report`
 * writes and what the dashboard's report links serve. Only these three names exist; nothing is read from disk.
 */
import { aggregatePoints, fitCurve } from "../curves/index.js";
import { InputError } from "../errors.js";
import { renderCompareHtml, renderCompareMarkdown, writeCompareReport } from "../report/compare.js";
import { writeReport } from "../report/index.js";
import { renderHtml } from "../report/html.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderStrategiesHtml, renderStrategiesMarkdown, writeStrategiesReport } from "../report/strategies.js";
import type { ReportPaths } from "../report/folder.js";
import type { CompareReport } from "../study/compare/result.js";
import type { EstimateReport } from "../study/estimate-result.js";
import type { StrategiesResult } from "../study/strategies/result.js";
import { estimateReportOf, type StoredStudy } from "../study/stored.js";

export const REPORT_FILES = ["report.html", "report.md", "report.json"] as const;
export type ReportFile = (typeof REPORT_FILES)[number];

export type StudyResult =
  | { kind: "estimate"; result: EstimateReport }
  | { kind: "compare"; result: CompareReport }
  | { kind: "strategies"; result: StrategiesResult };

/** The study's result: stored when it finished; an estimate's re-fitted from its Runs otherwise; else null. */
export function resultOf(s: StoredStudy, o: { bootstrap?: number } = {}): StudyResult | null {
  const kind = s.record.kind;
  if (kind === "estimate") {
    const r = estimateReportOf(s, { fitCurve, aggregate: aggregatePoints }, o);
    return r ? { kind, result: r } : null;
  }
  if (!s.result || s.record.status !== "done") return null;
  if (kind === "compare") return { kind, result: s.result as CompareReport };
  if (kind === "strategies") return { kind, result: s.result as StrategiesResult };
  return null;
}

/** Why a study has no report yet, in words (for the CLI's error and the dashboard's note). */
export function noReportWhy(s: StoredStudy): string {
  if (s.record.kind === "estimate") return `the study ${s.record.id} has no finished Run yet`;
  if (!["compare", "strategies"].includes(s.record.kind)) return `the store does not know how to report a ${s.record.kind} study`;
  return s.record.status === "done"
    ? `the study ${s.record.id} finished before studies kept their whole result; run its command again (its Runs are re-used) to store it`
    : `the ${s.record.kind} study ${s.record.id} is ${s.record.status}: its report is written when it finishes (run its command again to resume it)`;
}

export async function renderReportFile(r: StudyResult, file: ReportFile): Promise<string> {
  if (file === "report.json") return JSON.stringify(r.result, null, 2) + "\n";
  if (r.kind === "estimate") return file === "report.html" ? renderHtml(r.result) : renderMarkdown(r.result);
  if (r.kind === "compare") return file === "report.html" ? renderCompareHtml(r.result) : renderCompareMarkdown(r.result);
  return file === "report.html" ? renderStrategiesHtml(r.result) : renderStrategiesMarkdown(r.result);
}

/** Writes report.json/md/html of a stored study into `outDir` with its kind's writer. */
export async function writeStoredReport(s: StoredStudy, outDir: string): Promise<ReportPaths> {
  const r = resultOf(s);
  if (!r) throw new InputError("NO_REPORT", noReportWhy(s), { hint: "`enough studies show <id>` says what the store has" });
  // The writers record the paths in the object they write: give them a copy, not the stored result.
  const copy = structuredClone(r.result);
  if (r.kind === "estimate") return writeReport(copy as EstimateReport, outDir);
  if (r.kind === "compare") return writeCompareReport(copy as CompareReport, outDir);
  return writeStrategiesReport(copy as StrategiesResult, outDir);
}
