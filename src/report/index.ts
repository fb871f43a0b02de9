/** Writes an estimate report as report.json, report.md and report.html into one folder. */
import { writeReportFolder, type ReportPaths } from "./folder.js";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { EstimateReport } from "./types.js";

export * from "./types.js";
export { learningCurveSpec, gapSpec, timeSpec, reportCharts, type VegaLiteSpec } from "./charts.js";
export { renderSvg } from "./svg.js";
export { renderHtml } from "./html.js";
export { renderMarkdown } from "./markdown.js";

export function writeReport(report: EstimateReport, outDir: string): Promise<ReportPaths> {
  return writeReportFolder(report, outDir, { md: renderMarkdown, html: renderHtml });
}
