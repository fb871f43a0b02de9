/**
 * The report layer's API: a study's result written as report.json, report.md and report.html into one folder.
 * Studies return their results and write nothing; whoever wants files (the CLI, a library user) calls writeReport.
 */
import { COMPARE_REPORT_SCHEMA, type CompareReport } from "../study/compare/result.js";
import type { EstimateReport } from "../study/estimate-result.js";
import { writeCompareReport } from "./compare.js";
import { writeReportFolder, type ReportPaths } from "./folder.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";

export * from "../study/estimate-result.js";
export type { ReportPaths } from "./folder.js";
export { writeCompareReport } from "./compare.js";
export { learningCurveSpec, gapSpec, timeSpec, reportCharts, type VegaLiteSpec } from "./charts.js";
export { renderSvg } from "./svg.js";
export { renderHtml } from "./html.js";
export { renderMarkdown } from "./markdown.js";

/** Writes an estimate or a compare result into outDir (created if missing) and records the paths in it. */
export function writeReport(report: EstimateReport | CompareReport, outDir: string): Promise<ReportPaths> {
  if (report.schema === COMPARE_REPORT_SCHEMA) return writeCompareReport(report as CompareReport, outDir);
  return writeReportFolder(report as EstimateReport, outDir, { md: renderMarkdown, html: renderHtml });
}
export { writeStrategiesReport, strategiesCharts } from "./strategies.js";
