/** Writes an audit as audit.json, audit.md, audit.html (the estimate report's shell and chart rendering) and flagged.csv. */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { CSS, escapeHtml } from "../report/html.js";
import { renderSvg } from "../report/svg.js";
import type { AuditReport } from "./audit.js";
import { auditCharts } from "./charts.js";

export async function writeAuditReport(r: AuditReport, outDir: string): Promise<NonNullable<AuditReport["reports"]>> {
  const dir = resolve(outDir);
  await mkdir(dir, { recursive: true });
  const paths = { json: join(dir, "audit.json"), md: join(dir, "audit.md"), html: join(dir, "audit.html"), csv: join(dir, "flagged.csv") };
  r.reports = paths;
  await writeFile(paths.json, JSON.stringify(r) + "\n");
  await writeFile(paths.md, auditMarkdown(r));
  await writeFile(paths.html, await auditHtml(r));
  await writeFile(paths.csv, flaggedCsv(r));
  return paths;
}

const csvCell = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/** One line per flagged row: its id(s), the issue types that flag it and its per-row quality scores. */
export function flaggedCsv(r: AuditReport): string {
  const rs = r.rowScores;
  const types = new Map<number, string[]>();
  for (const [type, rows] of Object.entries(rs.flagged)) for (const row of rows ?? []) {
    let t = types.get(row);
    if (!t) types.set(row, (t = []));
    t.push(type);
  }
  const pos = new Map<number, number>();
  rs.rowIds.forEach((id, i) => pos.set(id, i));
  const scoreTypes = Object.keys(rs.scores) as (keyof typeof rs.scores)[];
  const head = ["row", ...(rs.ids ? ["id"] : []), "issues", ...scoreTypes.map((t) => `${t}_quality`)];
  const lines = [head.join(",")];
  for (const row of [...types.keys()].sort((a, b) => a - b)) {
    const i = pos.get(row);
    const cells = [String(row), ...(rs.ids ? [csvCell(i !== undefined ? rs.ids[i] ?? "" : "")] : []), csvCell(types.get(row)!.join(" "))];
    for (const t of scoreTypes) {
      const v = i !== undefined ? rs.scores[t]![i] : null;
      cells.push(v === null || v === undefined ? "" : String(v));
    }
    lines.push(cells.join(","));
  }
  return lines.join("\n") + "\n";
}

export function auditMarkdown(r: AuditReport): string {
  const out = [`# Data audit: ${r.data.source}`, "", `**${r.headline}**`, ""];
  out.push(`${r.data.rows} rows (${r.data.poolSize} pool, ${r.data.testSize} test), ${r.data.kind} data, ${r.data.task} of '${r.data.target}'.`);
  if (r.model) out.push(`Model-based checks: ${r.model.folds}-fold out-of-sample predictions of \`${JSON.stringify(r.model.spec)}\` (${r.model.epochs} epochs) on ${r.model.auditedRows} rows${r.model.sampled ? ` (a sample: --max-rows ${r.model.maxRows})` : ""}; out-of-fold accuracy ${(100 * r.model.outOfFoldAccuracy).toFixed(1)}%.`);
  out.push("", "## Issues", "", "| type | severity | count | score | example rows | summary |", "| --- | --- | ---: | ---: | --- | --- |");
  for (const i of r.issues) out.push(`| ${i.type} | ${i.severity} | ${i.count} | ${i.score.toFixed(3)} | ${i.examples.slice(0, 5).join(", ")} | ${i.summary.replace(/\|/g, "\\|")} |`);
  if (r.worth.length) out.push("", "## Worth in samples", "", ...r.worth.map((w) => `- ${w.sentence}`));
  if (r.bias.length) {
    out.push("", "## Groups");
    for (const s of r.bias) {
      out.push("", `### ${s.column}`, "", "| group | rows | accuracy (90% interval) |" + (s.positiveClass ? " selection rate | TPR | FPR |" : ""), "| --- | ---: | --- |" + (s.positiveClass ? " --- | --- | --- |" : ""));
      for (const g of s.groups) out.push(`| ${g.group} | ${g.rows} | ${iv(g.accuracy)}${g.smallSample ? " (small)" : ""} |` + (g.selectionRate ? ` ${iv(g.selectionRate)} | ${iv(g.tpr!)} | ${iv(g.fpr!)} |` : ""));
      for (const [k, v] of Object.entries(s.gaps)) out.push("", `- ${k}: gap ${iv(v.gap)}, ratio ${iv(v.ratio)}`);
      for (const n of s.notes) out.push(`- ${n}`);
    }
    for (const c of r.groupCurves) if (c.sentence) out.push(`- ${c.sentence}`);
  }
  if (r.warnings.length) out.push("", "## Warnings", "", ...r.warnings.map((w) => `- ${w}`));
  return out.join("\n") + "\n";
}

const iv = (v: { value: number; lo: number; hi: number }) => `${(100 * v.value).toFixed(1)}% (${(100 * v.lo).toFixed(1)}–${(100 * v.hi).toFixed(1)})`;

export async function auditHtml(r: AuditReport): Promise<string> {
  const e = escapeHtml;
  const charts = await Promise.all(auditCharts(r).map(async (c) => ({ ...c, svg: await renderSvg(c.spec) })));
  const rows = r.issues.map((i) => `<tr><td class="l">${e(i.type)}</td><td class="l">${e(i.severity)}</td><td>${i.count}</td><td>${i.score.toFixed(3)}</td><td class="l">${e(i.examples.slice(0, 8).join(", "))}</td><td class="l">${e(i.summary)}</td></tr>`).join("");
  const high = r.issues.some((i) => i.severity === "high");
  const bias = r.bias
    .map((s) => `<h3>${e(s.column)}</h3><table><tr><th class="l">group</th><th>rows</th><th>accuracy (90% interval)</th>${s.positiveClass ? "<th>selection rate</th><th>TPR</th><th>FPR</th>" : ""}</tr>${s.groups.map((g) => `<tr><td class="l">${e(g.group)}</td><td>${g.rows}</td><td>${e(iv(g.accuracy))}${g.smallSample ? " (small)" : ""}</td>${g.selectionRate ? `<td>${e(iv(g.selectionRate))}</td><td>${e(iv(g.tpr!))}</td><td>${e(iv(g.fpr!))}</td>` : ""}</tr>`).join("")}</table><ul>${Object.entries(s.gaps).map(([k, v]) => `<li>${e(k)}: gap ${e(iv(v.gap))}, ratio ${e(iv(v.ratio))}</li>`).join("")}${s.notes.map((n) => `<li>${e(n)}</li>`).join("")}</ul>`)
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>enough audit: ${e(r.headline)}</title><style>${CSS}</style></head>
<body><main>
<h1>Is this data good enough?</h1>
<div class="meta">${e(r.data.source)} · ${r.data.rows} rows (${r.data.poolSize} pool, ${r.data.testSize} test) · ${e(r.data.kind)} · ${e(r.data.task)} of <code>${e(r.data.target)}</code>${r.model ? ` · model <code>${e(JSON.stringify(r.model.spec))}</code>, ${r.model.folds} folds on ${r.model.auditedRows} rows${r.model.sampled ? " (sample)" : ""}` : ""} · ${e(r.createdAt)}</div>
<section class="answer${high ? " warn" : ""}" id="answer"><p class="headline">${e(r.headline)}</p><ul>${r.findings.map((f) => `<li>${e(f)}</li>`).join("")}</ul></section>
<h2>Issues</h2>
<table><tr><th class="l">type</th><th class="l">severity</th><th>count</th><th>score</th><th class="l">example rows</th><th class="l">summary</th></tr>${rows}</table>
${charts.map((c) => `<h2>${e(c.title)}</h2><figure class="chart" id="chart-${c.id}">${c.svg}</figure>`).join("\n")}
${bias ? `<h2>Groups</h2>${bias}` : ""}
${r.warnings.length ? `<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${e(w)}</li>`).join("")}</ul>` : ""}
<p class="meta">Scores are per-row quality in [0, 1] (low = likely problem); per-row scores are in audit.json, flagged rows in flagged.csv. Row ids are 0-based positions among the source's data rows.</p>
</main></body></html>
`;
}
