/** Writes an estimate report as report.json, report.md and report.html into one folder. */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { renderHtml } from "./html.js";
import { renderMarkdown } from "./markdown.js";
import type { EstimateReport } from "./types.js";

export * from "./types.js";
export { learningCurveSpec, gapSpec, timeSpec, reportCharts, type VegaLiteSpec } from "./charts.js";
export { renderSvg } from "./svg.js";
export { renderHtml } from "./html.js";
export { renderMarkdown } from "./markdown.js";

export async function writeReport(report: EstimateReport, outDir: string): Promise<{ json: string; md: string; html: string }> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "report.json"), md: join(dir, "report.md"), html: join(dir, "report.html") };
  report.reports = paths;
  const html = await renderHtml(report);
  await writeFile(paths.json, JSON.stringify(report, null, 2) + "\n");
  await writeFile(paths.md, renderMarkdown(report));
  await writeFile(paths.html, html);
  return paths;
}
