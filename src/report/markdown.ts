/** report.md: the answer, the curve table, the plan and the Runs, readable in any text viewer or code review. */
import { curveTable, int, scoreFmt, secondsFmt } from "./format.js";
import type { EstimateReport } from "../study/estimate-result.js";
import { scoreOf } from "../study/metrics.js";
import type { EvalMetrics } from "../study/run.js";
import { costLines, costParagraph } from "./cost-lines.js";
import { planBlocks, planTable } from "./plan-lines.js";

export function renderMarkdown(r: EstimateReport): string {
  const f = scoreFmt(r);
  const L: string[] = [];
  L.push(`# How much data: ${r.data.source}`, "");
  L.push(`**${r.headline}**`, "");
  for (const x of r.findings) if (x.text !== r.headline) L.push(`- ${x.text}`);
  L.push("");
  L.push(`Study \`${r.studyId}\` · ${r.createdAt} · model \`${JSON.stringify(r.question.model)}\` · metric ${r.question.metric} · fit confidence ${r.confidence}${r.status === "partial" ? " · **partial (interrupted)**" : ""}`, "");
  L.push("## Learning curve (test split)", "");
  L.push("| n | measured (mean ± sd) | seeds | fitted (80% interval) | |", "| ---: | ---: | ---: | ---: | --- |");
  for (const row of curveTable(r)) L.push(`| ${row.n} | ${row.measured} | ${row.seeds} | ${row.predicted} | ${row.kind} |`);
  L.push("");
  if (r.samplesForTarget && r.question.target) {
    const s = r.samplesForTarget;
    const n = (v: number) => (Number.isFinite(v) ? int(v) : "∞");
    L.push(`Samples for ${r.question.target.metric} ${r.question.target.value}: ${n(s.mean)} (80% interval ${n(s.lo)}–${n(s.hi)}), reachable: ${s.reachable}.`, "");
  }
  if (r.extra) {
    const x = r.extra;
    L.push(`## Extra data: ${x.source}`, "", x.sentence, "");
    if (x.worth) {
      L.push("| n (yours) | yours alone | with the extra rows | worth (your samples) |", "| ---: | ---: | ---: | ---: |");
      for (const p of x.worth.points) L.push(`| ${int(p.n)} | ${f(p.alone)} | ${f(p.withExtra)} | ${Number.isFinite(p.worth) ? int(p.worth) : "∞"} |`);
      L.push("");
    }
    for (const d of x.drift.slice(0, 5)) L.push(`- ${d.column} (${d.kind}): ${d.statistic.toUpperCase()} ${d.value.toFixed(3)}${d.smd !== undefined ? `, standardised mean difference ${d.smd.toFixed(2)}` : ""}`);
    for (const n of x.notes) L.push(`- Note: ${n}`);
    if (x.kept) L.push("", x.kept.sentence, ...x.kept.notes.map((n) => `- Note: ${n}`));
    L.push("");
  }
  if (r.cost) {
    L.push("## Cost to reach the target", "", costParagraph(r, r.cost), "");
    for (const line of costLines(r.cost)) L.push(`- ${line}`);
    L.push("");
  }
  for (const b of r.collectionPlan ? planBlocks(r.collectionPlan) : []) {
    const t = planTable(b.plan);
    L.push(`## ${b.title}`, "", ...b.lines.map((l) => `- ${l}`), "", `| ${t.head.join(" | ")} |`, `| ${t.head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`);
    for (const row of t.rows) L.push(`| ${row.map((c) => c.replace(/\|/g, "\\|")).join(" | ")} |`);
    L.push("");
  }
  if (r.gap.rows.length) {
    L.push("## Train vs validation", "", "| n | train | validation | gap |", "| ---: | ---: | ---: | ---: |");
    for (const g of r.gap.rows) L.push(`| ${int(g.n)} | ${f(g.train)} | ${f(g.valid)} | ${f(g.gap)} |`);
    L.push("");
  }
  if (r.diagnostics.length) {
    L.push("## Fit diagnostics", "");
    for (const d of r.diagnostics) L.push(`- ${d.severity}: ${d.message} (\`${d.code}\`)`);
    L.push("");
  }
  L.push("## Plan", "", `${r.plan.adaptive ? "Adaptive" : "Fixed"} plan; stopped because: ${r.plan.stopReason || "–"}.`, "");
  for (const d of r.plan.decisions) L.push(`- ${d}`);
  L.push("");
  L.push("## Runs", "", "| run | n | seed | status | test | valid | train | epochs | seconds | note |", "| --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |");
  for (const x of r.runs) {
    const m = r.question.metric;
    const pick = (e: EvalMetrics | null | undefined) => {
      const v = scoreOf(e, m);
      return v === undefined ? "–" : f(v);
    };
    const note = x.error ? `${x.error.code}: ${x.error.message}` : x.reused ? "re-used" : "";
    L.push(`| \`${x.id}\` | ${int(x.size)} | ${x.seed} | ${x.status} | ${pick(x.metrics?.test)} | ${pick(x.metrics?.valid)} | ${pick(x.metrics?.train)} | ${x.epochs ?? "–"} | ${secondsFmt(x.totalSeconds)} | ${note.replace(/\|/g, "\\|")} |`);
  }
  L.push("");
  const t = r.timing;
  L.push("## Time", "", `Wall ${secondsFmt(t.wallSeconds)} s (data ${secondsFmt(t.loadSeconds)} s), ${t.jobs} concurrent Run(s) × ${t.threads} thread(s); outside Runs ${(100 * t.overheadFraction).toFixed(1)}% of the wall time.`, "");
  L.push(`Versions: ${Object.entries(r.versions).map(([k, v]) => `${k} ${v}`).join(", ")}. Store: \`${r.store}\`.`, "");
  return L.join("\n");
}
