/** The report folder every study writes: report.json, report.md and report.html side by side. */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";

export interface ReportPaths {
  json: string;
  md: string;
  html: string;
}

/** Writes one report into outDir (created if missing); the paths are recorded in the report before it is written. */
export async function writeReportFolder<R extends { reports: ReportPaths | null }>(
  report: R,
  outDir: string,
  render: { md: (r: R) => string; html: (r: R) => Promise<string> },
): Promise<ReportPaths> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "report.json"), md: join(dir, "report.md"), html: join(dir, "report.html") };
  report.reports = paths;
  const html = await render.html(report);
  await writeFile(paths.json, JSON.stringify(report, null, 2) + "\n");
  await writeFile(paths.md, render.md(report));
  await writeFile(paths.html, html);
  return paths;
}
