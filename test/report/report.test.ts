import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimate } from "../../src/study/estimate.js";
import { gapSpec, learningCurveSpec, renderSvg, timeSpec, writeReport, REPORT_VERSION, type EstimateReport } from "../../src/report/index.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-report-"));

async function makeReport(out: string, target = "accuracy=0.92"): Promise<EstimateReport> {
  const report = await estimate(
    { data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target, store: join(out, "e.db"), at: "20000" },
    { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
  );
  await writeReport(report, out);
  return report;
}

describe("report files", () => {
  it("writes report.json (versioned), report.md and a self-contained report.html with SVG charts", async () => {
    const out = tmp();
    const report = await makeReport(out);
    const json = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(json).toMatchObject({ schema: "enough/estimate-report", version: REPORT_VERSION, studyId: report.studyId });
    expect(json.points).toHaveLength(6);
    expect(json.reports.html).toBe(join(out, "report.html"));

    const md = readFileSync(join(out, "report.md"), "utf8");
    expect(md).toContain(report.headline);
    expect(md).toMatch(/\| 4,000 \|/);

    const html = readFileSync(join(out, "report.html"), "utf8");
    // Self-contained: no external resources of any kind.
    expect(html.match(/\s(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//gi)).toBeNull();
    expect(html).not.toMatch(/<script|<link|@import|url\(\s*["']?https?:/i);
    const svgs = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(svgs.length).toBe(3);
    for (const id of ["learning-curve", "gap", "time"]) expect(html).toContain(`id="chart-${id}"`);
    // The answer comes before the first chart.
    expect(html.indexOf('id="answer"')).toBeLessThan(html.indexOf("<svg"));
    expect(html).toContain(report.headline.replace(/&/g, "&amp;").slice(0, 40));
  });

  it("chart specs are plain Vega-Lite with inline data, and render to SVG", async () => {
    const out = tmp();
    const report = await makeReport(out);
    for (const spec of [learningCurveSpec(report), gapSpec(report), timeSpec(report)]) {
      expect(spec.$schema).toMatch(/vega-lite\/v6/);
      expect(JSON.stringify(spec)).not.toMatch(/"url"/);
      const svg = await renderSvg(spec);
      expect(svg.startsWith("<svg")).toBe(true);
      expect(svg).toMatch(/<path|<line|<rect/);
    }
    const lc = JSON.stringify(learningCurveSpec(report));
    expect(lc).toContain("extrapolated (80% band)");
    expect(lc).toContain("target 0.92");
  });

  it("an unreachable target is said plainly, with the best reachable score and the asymptote", async () => {
    const out = tmp();
    const report = await makeReport(out, "accuracy=0.99");
    const target = report.findings.find((f) => f.id === "target")!;
    expect(report.samplesForTarget!.reachable).not.toBe(true);
    // Out of reach, or probably so (reachable "uncertain" with a low probability): said plainly either way.
    expect(target.text).toMatch(/(looks|is probably) out of reach/);
    expect(target.text).toMatch(/levels off near 0\.9\d\d/);
    expect(target.text).toMatch(/best it reaches with your data is about 0\.9\d\d/);
    expect(existsSync(join(out, "report.html"))).toBe(true);
  });
});
