/**
 * The compare report as report.json, report.md and report.html (one self-contained file: inline CSS and SVG,
 * no scripts), with the same conventions and style as the estimate report.
 */
import { roughCount as count } from "../format.js";
import { duration, scoreFormatter } from "../study/findings.js";
import { flopsText } from "../engine/flops.js";
import { scoreOf } from "../study/metrics.js";
import type { EvalMetrics } from "../study/run.js";
import { compareCharts } from "./compare-charts.js";
import { writeReportFolder, type ReportPaths } from "./folder.js";
import type { CompareReport, CompareVariantReport } from "../study/compare/result.js";
import { int, secondsFmt } from "./format.js";
import { CSS, escapeHtml } from "./html.js";
import { renderSvg } from "./svg.js";

export * from "../study/compare/result.js";
export { compareCharts, compareCurvesSpec, frontierSpec, compareGapSpec, compareTimeSpec } from "./compare-charts.js";

export function writeCompareReport(report: CompareReport, outDir: string): Promise<ReportPaths> {
  return writeReportFolder(report, outDir, { md: renderCompareMarkdown, html: renderCompareHtml });
}

/** One row per variant: the figures a reader compares. */
export function variantRows(r: CompareReport): Record<string, string>[] {
  const f = scoreFormatter(r.question.metric);
  const iv = (x: { mean: number; lo: number; hi: number } | null) => (x ? `${f(x.mean)} (${f(x.lo)}–${f(x.hi)})` : "–");
  return r.variants.map((v: CompareVariantReport) => {
    const sf = v.samplesForTarget;
    const last = v.measuredAtMax;
    const t = v.timePerRun.at(-1);
    return {
      variant: v.label,
      params: v.paramCount !== null ? int(v.paramCount) : "–",
      flops: v.flops !== null ? flopsText(v.flops) : "–",
      measured: last ? `${f(last.mean)} at ${count(last.n)}` : "–",
      atPool: iv(v.scoreAtHave),
      target: !r.question.target ? "" : !sf ? "–" : sf.reachable === false || !Number.isFinite(sf.mean) ? "out of reach" : `${count(sf.mean)} (${count(sf.lo)}–${Number.isFinite(sf.hi) && sf.hi < 1e9 ? count(sf.hi) : "∞"})`,
      time: t ? `${secondsFmt(t.seconds)} s at ${count(t.n)}` : "–",
      gap: v.gap.rows.length ? f(v.gap.rows.at(-1)!.gap) : "–",
      status: v.pruned ? `dropped after n=${count(v.pruned.atSize)}` : "kept",
      fit: v.confidence,
    };
  });
}

const HEAD = ["variant", "parameters", "FLOPs/sample (fwd)", "measured at largest n", "fitted at your pool (80%)", "samples for target (80%)", "time per Run", "train−valid gap", "status", "fit"];

export function renderCompareMarkdown(r: CompareReport): string {
  const f = scoreFormatter(r.question.metric);
  const L: string[] = [];
  L.push(`# Which model for how much data: ${r.data.source}`, "");
  L.push(`**${r.headline}**`, "");
  for (const x of r.recommendation.slice(1)) L.push(`- ${x}`);
  L.push("");
  L.push(`Study \`${r.studyId}\` · ${r.createdAt} · base model \`${JSON.stringify(r.question.model)}\` · varied ${r.question.axes.map((a) => `${a.name} = ${a.values.join(", ")}`).join("; ")} · ${r.variants.length} variants · metric ${r.question.metric}`, "");
  L.push("## Variants", "", `| ${HEAD.join(" | ")} |`, `| --- | ${HEAD.slice(1).map(() => "---:").join(" | ")} |`);
  for (const row of variantRows(r)) L.push(`| ${Object.values(row).join(" | ")} |`);
  L.push("");
  L.push("## Frontier (measured, paired over seeds)", "", "| n | best | runner-up | lead (80% paired interval) | seeds | clear |", "| ---: | --- | --- | ---: | ---: | --- |");
  for (const m of r.frontier.measured) {
    const a = m.advantage;
    L.push(`| ${int(m.n)} | ${m.best} | ${m.runnerUp ?? "–"} | ${a ? `${f(a.mean)} (${Number.isFinite(a.lo) ? f(a.lo) : "–∞"} to ${Number.isFinite(a.hi) ? f(a.hi) : "∞"})` : "–"} | ${a?.count ?? "–"} | ${m.clear ? "yes" : "no"} |`);
  }
  L.push("");
  if (r.frontier.fitted.crossovers.length) {
    L.push("Crossovers (fitted curves): " + r.frontier.fitted.crossovers.map((c) => `${c.from} → ${c.to} at ~${count(c.n)}${c.extrapolated ? " (extrapolated)" : ""}`).join("; "), "");
  }
  L.push("## Findings", "");
  for (const x of r.findings) L.push(`- ${x.text}`);
  L.push("");
  L.push("## Train vs validation", "", "| variant | n | train | validation | gap |", "| --- | ---: | ---: | ---: | ---: |");
  for (const v of r.variants) for (const g of v.gap.rows) L.push(`| ${v.label} | ${int(g.n)} | ${f(g.train)} | ${f(g.valid)} | ${f(g.gap)} |`);
  L.push("");
  L.push("## Plan", "", `Sizes planned: ${r.plan.sizes.map(int).join(", ")}; measured: ${r.plan.measured.map(int).join(", ") || "–"}; stopped because ${r.plan.stopReason || "–"}.`, "");
  for (const d of r.plan.decisions) L.push(`- ${d}`);
  L.push("");
  L.push("## Runs", "", "| variant | run | n | seed | status | test | epochs | seconds | note |", "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | --- |");
  for (const x of r.runs) {
    const note = x.error ? `${x.error.code}: ${x.error.message}` : x.reused ? "re-used" : "";
    L.push(`| ${x.variant} | \`${x.id}\` | ${int(x.size)} | ${x.seed} | ${x.status} | ${pick(r, x.metrics?.test, f)} | ${x.epochs ?? "–"} | ${secondsFmt(x.totalSeconds)} | ${note.replace(/\|/g, "\\|")} |`);
  }
  L.push("");
  const t = r.timing;
  L.push("## Time", "", `Wall ${duration(t.wallSeconds)} (data ${secondsFmt(t.loadSeconds)} s), ${t.jobs} concurrent Run(s) × ${t.threads} thread(s). Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", ")}. Store: \`${r.store}\`.`, "");
  return L.join("\n");
}

export async function renderCompareHtml(r: CompareReport): Promise<string> {
  const e = escapeHtml;
  const f = scoreFormatter(r.question.metric);
  const charts = await Promise.all(compareCharts(r).map(async (c) => ({ ...c, svg: await renderSvg(c.spec) })));
  const rows = variantRows(r)
    .map((row) => `<tr>${Object.values(row).map((v, i) => `<td${i === 0 || i === 8 ? ' class="l"' : ""}>${e(v)}</td>`).join("")}</tr>`)
    .join("");
  const frontier = r.frontier.measured
    .map((m) => {
      const a = m.advantage;
      return `<tr><td>${int(m.n)}</td><td class="l">${e(m.best)}</td><td class="l">${e(m.runnerUp ?? "–")}</td><td>${a ? `${f(a.mean)} (${Number.isFinite(a.lo) ? f(a.lo) : "−∞"} to ${Number.isFinite(a.hi) ? f(a.hi) : "∞"})` : "–"}</td><td>${a?.count ?? "–"}</td><td class="l">${m.clear ? "clear" : "within noise"}</td></tr>`;
    })
    .join("");
  const runs = r.runs
    .map((x) => `<tr><td class="l">${e(x.variant)}</td><td class="l"><code>${e(x.id)}</code></td><td>${int(x.size)}</td><td>${x.seed}</td><td class="l">${e(x.status)}${x.reused ? " (re-used)" : ""}</td><td>${pick(r, x.metrics?.test, f)}</td><td>${x.epochs ?? "–"}</td><td>${secondsFmt(x.totalSeconds)}</td><td class="l">${e(x.error ? `${x.error.code}: ${x.error.message}` : "")}</td></tr>`)
    .join("");
  const t = r.timing;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>enough compare: ${e(r.headline)}</title><style>${CSS}</style></head>
<body><main>
<h1>Which model for how much data?</h1>
<div class="meta">${e(r.data.source)} · ${int(r.data.rows)} rows (${int(r.data.poolSize)} pool, ${int(r.data.testSize)} test) · base model <code>${e(JSON.stringify(r.question.model))}</code> · varied ${e(r.question.axes.map((a) => `${a.name} = ${a.values.join(", ")}`).join("; "))} · ${r.variants.length} variants · metric ${e(r.question.metric)} · study <code>${e(r.studyId)}</code> · ${e(r.createdAt)}</div>
<section class="answer" id="answer"><p class="headline">${e(r.headline)}</p><ul>${r.recommendation.slice(1).map((x) => `<li>${e(x)}</li>`).join("")}</ul></section>
<h2>Variants</h2>
<table id="variants"><tr>${HEAD.map((h, i) => `<th${i === 0 || i === 8 ? ' class="l"' : ""}>${e(h)}</th>`).join("")}</tr>${rows}</table>
${charts.map((c) => `<h2>${e(c.title)}</h2><figure class="chart" id="chart-${c.id}">${c.svg}</figure>`).join("\n")}
<h2>Frontier at the measured sizes (paired over seeds)</h2>
<table><tr><th>n</th><th class="l">best</th><th class="l">runner-up</th><th>lead (80% paired interval)</th><th>seeds</th><th class="l"></th></tr>${frontier}</table>
<h2>Findings</h2><ul>${r.findings.map((x) => `<li>${e(x.text)}</li>`).join("")}</ul>
<h2>Plan and Runs</h2>
<p>Sizes planned ${e(r.plan.sizes.map(int).join(", "))}; measured ${e(r.plan.measured.map(int).join(", ") || "–")}; stopped because ${e(r.plan.stopReason || "–")}. Pruning: ${e(r.pruning.enabled ? `on (margin ${r.pruning.margin})` : r.pruning.why)}; ${r.pruning.runsSaved} Run(s) saved.</p>
<details><summary>Decisions (${r.plan.decisions.length})</summary><ol>${r.plan.decisions.map((d) => `<li>${e(d)}</li>`).join("")}</ol></details>
<details><summary>Runs (${r.runs.length})</summary><table><tr><th class="l">variant</th><th class="l">run</th><th>n</th><th>seed</th><th class="l">status</th><th>test</th><th>epochs</th><th>s</th><th class="l">error</th></tr>${runs}</table></details>
<h2>Time and versions</h2>
<p>Wall ${e(duration(t.wallSeconds))} (data ${secondsFmt(t.loadSeconds)} s); ${t.jobs} concurrent Run(s) × ${t.threads} thread(s). ${e(Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", "))}. Store <code>${e(r.store)}</code>.</p>
</main></body></html>
`;
}

function pick(r: CompareReport, m: EvalMetrics | null | undefined, f: (v: number) => string): string {
  const v = scoreOf(m, r.question.metric);
  return v === undefined ? "–" : f(v);
}
