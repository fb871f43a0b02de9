/**
 * report.html: one self-contained file (inline CSS and SVG charts, no scripts, no network), the answer first.
 */
import { reportCharts } from "./charts.js";
import { curveTable, int, scoreFmt, secondsFmt } from "./format.js";
import { renderSvg } from "./svg.js";
import type { EstimateReport } from "../study/estimate-result.js";
import { costLines, costParagraph } from "./cost-lines.js";
import { planBlocks, planTable } from "./plan-lines.js";

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export const CSS = `
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2430;background:#f6f7f9}
main{max-width:980px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px}
.meta{color:#5b6572;font-size:13px}
.answer{background:#fff;border-left:5px solid #4c78a8;padding:16px 20px;margin:16px 0;border-radius:4px;box-shadow:0 1px 2px #0001}
.answer .headline{font-size:19px;font-weight:600;margin:0 0 8px}
.answer ul{margin:0;padding-left:20px}
.warn{border-left-color:#e45756}
.chart{background:#fff;padding:12px;margin:12px 0;border-radius:4px;box-shadow:0 1px 2px #0001;overflow-x:auto}
table{border-collapse:collapse;background:#fff;font-size:13px;width:100%}
th,td{padding:4px 8px;border-bottom:1px solid #e4e7eb;text-align:right}th{background:#eef1f4}
td.l,th.l{text-align:left}code{font-size:12px}
details{margin:8px 0}summary{cursor:pointer;color:#4c78a8}
`;

export async function renderHtml(r: EstimateReport): Promise<string> {
  const f = scoreFmt(r);
  const e = escapeHtml;
  const charts = await Promise.all(reportCharts(r).map(async (c) => ({ ...c, svg: await renderSvg(c.spec) })));
  const lowConfidence = r.confidence === "low" || r.confidence === "none";
  const table = curveTable(r)
    .map((row) => `<tr><td>${e(row.n)}</td><td>${e(row.measured)}</td><td>${e(row.seeds)}</td><td>${e(row.predicted)}</td><td class="l">${e(row.kind)}</td></tr>`)
    .join("");
  const m = r.question.metric;
  const pick = (x: Record<string, unknown> | null | undefined) => {
    if (!x) return "–";
    const v = m === "error" ? (typeof x.accuracy === "number" ? 1 - x.accuracy : undefined) : x[m];
    return typeof v === "number" ? f(v) : "–";
  };
  const runs = r.runs
    .map((x) => `<tr><td class="l"><code>${e(x.id)}</code></td><td>${int(x.size)}</td><td>${x.seed}</td><td class="l">${e(x.status)}${x.reused ? " (re-used)" : ""}</td><td>${pick(x.metrics?.test as never)}</td><td>${pick(x.metrics?.valid as never)}</td><td>${pick(x.metrics?.train as never)}</td><td>${x.epochs ?? "–"}</td><td>${secondsFmt(x.totalSeconds)}</td><td class="l">${e(x.error ? `${x.error.code}: ${x.error.message}` : x.reason)}</td></tr>`)
    .join("");
  const gap = r.gap.rows.map((g) => `<tr><td>${int(g.n)}</td><td>${f(g.train)}</td><td>${f(g.valid)}</td><td>${f(g.gap)}</td></tr>`).join("");
  const t = r.timing;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>enough: ${e(r.headline)}</title><style>${CSS}</style></head>
<body><main>
<h1>How much data does this task need?</h1>
<div class="meta">${e(r.data.source)} · ${int(r.data.rows)} rows (${int(r.data.poolSize)} pool, ${int(r.data.testSize)} test) · model <code>${e(JSON.stringify(r.question.model))}</code> · metric ${e(m)} · study <code>${e(r.studyId)}</code> · ${e(r.createdAt)}${r.status === "partial" ? " · <b>partial (interrupted)</b>" : ""}</div>
<section class="answer${lowConfidence ? " warn" : ""}" id="answer"><p class="headline">${e(r.headline)}</p><ul>${r.findings.filter((x) => x.text !== r.headline).map((x) => `<li>${e(x.text)}</li>`).join("")}</ul></section>
${charts.map((c) => `<h2>${e(c.title)}</h2><figure class="chart" id="chart-${c.id}">${c.svg}</figure>`).join("\n")}
<h2>Measured and predicted ${e(m)}</h2>
<table><tr><th>n</th><th>measured (mean ± sd)</th><th>seeds</th><th>fitted (80% interval)</th><th class="l"></th></tr>${table}</table>
${r.extra ? extraHtml(r, f) : ""}
${r.cost ? `<h2 id="cost">Cost to reach the target</h2><p>${e(costParagraph(r, r.cost))}</p><ul>${costLines(r.cost).map((x) => `<li>${e(x)}</li>`).join("")}</ul>` : ""}
${r.collectionPlan ? planHtml(r.collectionPlan) : ""}
${gap ? `<h2>Train vs validation</h2><table><tr><th>n</th><th>train</th><th>validation</th><th>gap</th></tr>${gap}</table>` : ""}
${r.diagnostics.length ? `<h2>Fit diagnostics</h2><ul>${r.diagnostics.map((d) => `<li><b>${e(d.severity)}</b>: ${e(d.message)} <code>${e(d.code)}</code></li>`).join("")}</ul>` : ""}
<h2>Plan and Runs</h2>
<p>${r.plan.adaptive ? "Adaptive" : "Fixed"} plan; stopped because: ${e(r.plan.stopReason || "–")}.</p>
<details><summary>Why each Run was chosen (${r.plan.decisions.length})</summary><ol>${r.plan.decisions.map((d) => `<li>${e(d)}</li>`).join("")}</ol></details>
<table><tr><th class="l">run</th><th>n</th><th>seed</th><th class="l">status</th><th>test</th><th>valid</th><th>train</th><th>epochs</th><th>s</th><th class="l">why / error</th></tr>${runs}</table>
<h2>Time and versions</h2>
<p>Wall ${secondsFmt(t.wallSeconds)} s (data ${secondsFmt(t.loadSeconds)} s); ${t.jobs} concurrent Run(s) × ${t.threads} thread(s); time outside Runs ${(100 * t.overheadFraction).toFixed(1)}% of the wall time. ${e(Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", "))}. Store <code>${e(r.store)}</code>.</p>
</main></body></html>
`;
}

/** The --plan sections: the sentences and the per-unit table, one section per plan (class, then each group column). */
function planHtml(p: NonNullable<EstimateReport["collectionPlan"]>): string {
  const e = escapeHtml;
  return planBlocks(p)
    .map((b, i) => {
      const t = planTable(b.plan);
      return `<h2 id="plan-${i}">${e(b.title)}</h2><ul>${b.lines.map((l) => `<li>${e(l)}</li>`).join("")}</ul><table><tr>${t.head.map((h, j) => `<th${j === 0 ? ' class="l"' : ""}>${e(h)}</th>`).join("")}</tr>${t.rows.map((row) => `<tr>${row.map((c, j) => `<td${j === 0 ? ' class="l"' : ""}>${e(c)}</td>`).join("")}</tr>`).join("")}</table>`;
    })
    .join("\n");
}

/** The --extra section: the sentence, the two curves at the sizes measured both ways, and the most drifted features. */
function extraHtml(r: EstimateReport, f: (v: number | null | undefined) => string): string {
  const x = r.extra!;
  const e = escapeHtml;
  const rows = (x.worth?.points ?? []).map((p) => `<tr><td>${int(p.n)}</td><td>${f(p.alone)}</td><td>${f(p.withExtra)}</td><td>${Number.isFinite(p.worth) ? int(p.worth) : "∞"}</td></tr>`).join("");
  const drift = x.drift.slice(0, 5).map((d) => `<li>${e(d.column)} (${d.kind}): ${d.statistic.toUpperCase()} ${d.value.toFixed(3)}${d.smd !== undefined ? `, standardised mean difference ${d.smd.toFixed(2)}` : ""}</li>`).join("");
  return `<h2 id="extra">Extra data: ${e(x.source)}</h2><p>${e(x.sentence)}</p>${rows ? `<table><tr><th>n (yours)</th><th>yours alone</th><th>with the extra rows</th><th>worth (your samples)</th></tr>${rows}</table>` : ""}<ul>${drift}${x.notes.map((n) => `<li>Note: ${e(n)}</li>`).join("")}</ul>${x.kept ? `<p id="extra-kept">${e(x.kept.sentence)}</p><ul>${x.kept.notes.map((n) => `<li>Note: ${e(n)}</li>`).join("")}</ul>` : ""}`;
}
