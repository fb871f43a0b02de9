/**
 * The strategies report as report.json, report.md and report.html (self-contained: inline CSS and SVG, no
 * scripts): the lever table, the baseline's and every lever's curve overlaid, and a forest plot of the multipliers
 * with their 80% intervals. Chart specs are pure Vega-Lite, like the other reports'.
 */
import { duration, scoreFormatter } from "../study/findings.js";
import type { LeverResult, StrategiesResult } from "../study/strategies/result.js";
import type { VegaLiteSpec } from "./charts.js";
import { writeReportFolder, type ReportPaths } from "./folder.js";
import { int, secondsFmt } from "./format.js";
import { CSS, escapeHtml } from "./html.js";
import { renderSvg } from "./svg.js";
import { costSentences, costTable, extraLines } from "./strategy-costs.js";

export type { StrategiesResult, LeverResult } from "../study/strategies/result.js";

export function writeStrategiesReport(r: StrategiesResult, outDir: string): Promise<ReportPaths> {
  return writeReportFolder(r, outDir, { md: renderStrategiesMarkdown, html: renderStrategiesHtml });
}

/** "x1.6 (1.3-2.0)", ">=" for lower bounds; "–" without a reading; "(no interval: < 3 seeds)" without an interval. */
export function multText(m: { value: number; lo: number | null; hi: number | null; kind: string; noInterval?: string } | null | undefined): string {
  if (!m) return "–";
  const b = m.kind === "lower-bound" || m.kind === "beyond-reach" ? ">=" : m.kind === "upper-bound" ? "<=" : "";
  const x = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : "inf");
  if (m.lo === null) return `${b}x${x(m.value)} (no interval: < 3 seeds)`;
  return `${b}x${x(m.value)} (${x(m.lo)}-${m.hi === null ? "inf" : x(m.hi)})`;
}

/**
 * A pool reading that says nothing: the pool lies beyond every measured size, and all the data can say is ">= x"
 * of (largest baseline size / pool), a bound below 1 (">=x0.05" for 1,600 of 30,000). Shown as "not measured".
 */
export function poolUnmeasured(l: LeverResult): boolean {
  const p = l.multiplier?.atPool;
  return !!p && p.kind === "lower-bound" && p.value < 1;
}

/** The notes under the lever table: why a reading has no interval or no value, said once in full. */
export function tableNotes(r: StrategiesResult): { column: string; text: string }[] {
  const why = new Set(r.levers.flatMap((l) => (l.multiplier?.atTarget?.noInterval ? [l.multiplier.atTarget.noInterval] : [])));
  const notes = [...why].map((text) => ({ column: "x at target", text }));
  const act = r.levers.filter((l) => l.active);
  if (act.length) {
    notes.push({
      column: "active rows",
      text: `against random acquisition from the same seed set and seeds (not the baseline row); "x at pool" is read at the last label count (${[...new Set(act.map((l) => int(l.active!.max)))].join(", ")}), "score at pool" extrapolates to the pool; every round retrains from scratch; "pays from": the label count from which every measured count reads helps`,
    });
  }
  const largest = r.measured.length ? Math.max(...r.measured) : 0;
  if (r.levers.some(poolUnmeasured)) {
    notes.push({
      column: "x at pool",
      text: `"not measured": the pool (${int(r.data.poolSize)}) is beyond the largest size measured (${int(largest)}), so the multiplier there is only a bound below x1; the verdict rests on the target or the largest size measured`,
    });
  }
  return notes;
}

/** One row per lever: the terminal table and the reports show the same figures. */
export function leverRows(r: StrategiesResult): Record<string, string>[] {
  const f = scoreFormatter(r.question.metric);
  // The baseline's own row first, so that each lever's score at the pool has its reference beside it.
  const base = { strategy: "baseline (the plain model)", "x at target": "x1", "x at pool": "x1", "score at pool": scoreText(r.baseline.scoreAtPool, f), compute: "1.0x", inference: "1x", verdict: "–" };
  // Active levers add a column (only when present, so other studies' tables are unchanged): the label count from
  // which acquisition pays.
  const active = r.levers.some((l) => l.active);
  const pays = (l: LeverResult) => (active ? { "pays from": l.active ? (l.active.paysFrom === null ? "never" : `${int(l.active.paysFrom)} labels`) : "–" } : {});
  return [{ ...base, ...(active ? { "pays from": "–" } : {}) }, ...r.levers.map((l) => ({
    strategy: l.label,
    "x at target": multText(l.multiplier?.atTarget),
    "x at pool": poolUnmeasured(l) ? "not measured" : multText(l.multiplier?.atPool),
    "score at pool": scoreText(l.scoreAtPool, f),
    compute: l.cost.computeX === null ? "–" : `${l.cost.computeX.toFixed(1)}x`,
    inference: `${l.cost.inferenceX}x`,
    verdict: l.verdict,
    ...pays(l),
  }))];
}

/** A forecast score with its 80% interval: far beyond the measured sizes the interval is the honest part. */
function scoreText(s: { mean: number; lo: number; hi: number } | null, f: (v: number) => string): string {
  return s ? `${f(s.mean)} (${f(s.lo)}-${f(s.hi)})` : "–";
}

/** The synthetic levers' fidelity per measured size (two-sample AUC, TSTR beside the real-trained score, copies). */
export function fidelityRows(r: StrategiesResult): Record<string, string>[] {
  const f = scoreFormatter(r.question.metric);
  const range = (s: { mean: number; min: number; max: number } | null, g: (v: number) => string) => (s ? (s.min === s.max ? g(s.mean) : `${g(s.mean)} (${g(s.min)}-${g(s.max)})`) : "–");
  return r.levers.flatMap((l) =>
    (l.synthetic?.perSize ?? []).map((p) => ({
      lever: l.label,
      n: int(p.n),
      "synthetic rows": int(Math.round(p.rows)),
      "two-sample AUC": range(p.twoSampleAuc, (v) => v.toFixed(2)),
      [`TSTR ${r.question.metric}`]: range(p.tstr, f),
      [`real ${r.question.metric}`]: p.trtr === null ? "–" : f(p.trtr),
      copies: `${int(p.copies.flagged)} of ${int(p.copies.rows)}`,
      "generator s": p.generatorSeconds.toFixed(1),
    })),
  );
}

const FIDELITY_NOTE =
  "Two-sample AUC: an MLP telling the Run's real training rows from its synthetic rows, out of fold (0.5: it cannot; 1: it always can; well below 0.5: the synthetic rows stay closer to the rows the generator was fitted on than those rows are to each other). TSTR: the same model trained on the synthetic rows alone, scored on the real test split, beside the baseline's score on the same sizes and seeds. Copies: synthetic rows nearer to a real training row than 99% of the real rows are to their nearest other real row (a privacy leak; fresh draws from the real distribution flag about 1%). Means over seeds (range).";

export function strategiesCharts(r: StrategiesResult): { id: string; title: string; spec: VegaLiteSpec }[] {
  const randoms = new Map(r.levers.flatMap((l) => (l.active ? [[l.active.randomArm, l.active.random] as const] : [])));
  const arms: { arm: string; points: { n: number; score: number }[] }[] = [
    ...(r.baseline.points.length ? [{ arm: "baseline", points: r.baseline.points }] : []),
    ...r.levers.filter((l) => !l.identical).map((l) => ({ arm: l.label, points: l.points })),
    ...[...randoms].map(([arm, points]) => ({ arm, points })),
  ];
  const curve = arms.flatMap((a) => a.points.map((p) => ({ arm: a.arm, n: p.n, score: p.score })));
  const forest = r.levers.flatMap((l: LeverResult) => {
    const m = l.multiplier;
    const rows = [
      ["target", m?.atTarget],
      ["pool", poolUnmeasured(l) ? null : m?.atPool],
    ] as const;
    // A reading without an interval (too few seeds) has no bar to draw.
    return rows.flatMap(([where, x]) => (x && x.lo !== null ? [{ lever: l.label, where, value: x.value, lo: x.lo, hi: x.hi ?? Math.max(x.value, x.lo) * 4 }] : []));
  });
  const base = (title: string) => ({ $schema: "https://vega.github.io/schema/vega-lite/v6.json", title: { text: title, anchor: "start", fontSize: 14 }, width: 560, height: 300 });
  return [
    {
      id: "curves",
      title: "Learning curves: baseline and levers (test score, mean over seeds)",
      spec: {
        ...base("Learning curves"),
        data: { values: curve },
        mark: { type: "line", point: true },
        encoding: {
          x: { field: "n", type: "quantitative", scale: { type: "log" }, title: "training samples" },
          y: { aggregate: "mean", field: "score", type: "quantitative", scale: { zero: false }, title: r.question.metric },
          color: { field: "arm", type: "nominal" },
        },
      },
    },
    {
      id: "forest",
      title: "Effective data multipliers (80% intervals; 1 = no effect)",
      spec: {
        ...base("Effective data multipliers"),
        height: Math.max(60, 28 * Math.max(1, forest.length)),
        data: { values: forest },
        transform: [{ calculate: "datum.lever + ' @ ' + datum.where", as: "row" }],
        layer: [
          { mark: "rule", encoding: { y: { field: "row", type: "nominal", title: null }, x: { field: "lo", type: "quantitative", scale: { type: "log" }, title: "multiplier" }, x2: { field: "hi" } } },
          { mark: { type: "point", filled: true, size: 60 }, encoding: { y: { field: "row", type: "nominal" }, x: { field: "value", type: "quantitative" } } },
          { data: { values: [{ one: 1 }] }, mark: { type: "rule", strokeDash: [4, 4] }, encoding: { x: { field: "one", type: "quantitative" } } },
        ],
      },
    },
  ];
}

/** How a semi lever used the unlabelled rows, in words (the terminal answer and the report). */
export function semiText(l: LeverResult): string | null {
  const s = l.semi;
  if (!s) return null;
  const span = (r: { min: number; max: number }, f: (v: number) => string = int) => (r.min === r.max ? f(r.min) : `${f(r.min)}-${f(r.max)}`);
  const how =
    s.method === "pseudo"
      ? `pseudo-labelling, ${s.rounds} round${s.rounds === 1 ? "" : "s"} (predict the unlabelled rows, keep those with top probability >= ${s.threshold}, at most ${s.ratio} per labelled row, retrain from scratch)`
      : `FixMatch in the training loop (${s.ratio}x the batch of unlabelled rows per step; pseudo-label of the weak view where its top probability >= ${s.threshold}, cross-entropy on the strong view)`;
  const parts = [how];
  const from = l.unlabeled?.from === "given" ? `from ${l.unlabeled.source} (--unlabeled)` : "from the rest of the pool, labels hidden";
  if (s.unlabeled) parts.push(`${span(s.unlabeled)} unlabelled rows per Run ${from}`);
  if (s.pseudoLabelled) parts.push(`${span(s.pseudoLabelled)} pseudo-labels added per Run`);
  if (s.confident) parts.push(`${span(s.confident, (v) => `${(100 * v).toFixed(0)}%`)} of the weak views confident`);
  return `${parts.join("; ")} (${s.runs} Runs)`;
}

/** --unlabeled: the given rows as read, for the answer and the reports (empty without --unlabeled). */
export function unlabeledLines(r: StrategiesResult): string[] {
  const u = r.unlabeled;
  if (!u) return [];
  const out = [`unlabelled rows: ${int(u.rows)} from ${u.source} (--unlabeled), used by ${u.levers.join(", ")} in place of the pool's rows${u.targetValues ? `; ${int(u.targetValues)} have a value in the target column, never read` : ""}`];
  for (const i of u.issues) out.push(`  ${u.source}: ${int(i.count)} of ${int(i.of)} ${i.kind === "unknown token" ? "tokens" : "cells"} in '${i.column}': ${i.kind}${i.examples.length ? ` (${i.examples.map((e) => JSON.stringify(e)).join(", ")})` : ""}; ${i.kind === "unknown token" ? "read as the unknown token" : i.kind === "unknown category" ? "encoded as unseen" : "imputed as in the labelled data"}`);
  for (const k of u.skipped) out.push(`  ${u.source}: ${int(k.count)} skipped: ${k.reason}${k.examples.length ? ` (${k.examples.join("; ")})` : ""}`);
  for (const w of u.warnings) out.push(`  ${w}`);
  return out;
}

export function renderStrategiesMarkdown(r: StrategiesResult): string {
  const rows = leverRows(r);
  const head = Object.keys(rows[0] ?? { strategy: "" });
  const L = [`# What replaces more data? ${r.data.source}`, "", r.headline, "", `| ${head.join(" | ")} |`, `| ${head.map(() => "---").join(" | ")} |`];
  for (const x of rows) L.push(`| ${Object.values(x).join(" | ")} |`);
  for (const note of tableNotes(r)) L.push("", `${note.column}: ${note.text}.`);
  L.push("", "## Levers", "");
  for (const l of r.levers) {
    L.push(`- **${l.label}**: ${l.summary}${l.cost.labelsSaved !== null ? `; saves about ${int(l.cost.labelsSaved)} labels at the target` : ""}`);
    const semi = semiText(l);
    if (semi) L.push(`  - ${semi}`);
    if (l.cost.pretrain) L.push(`  - pretraining: ${l.cost.pretrain.seconds.toFixed(1)} s once (artifact ${l.cost.pretrain.artifact}${l.cost.pretrain.reused ? ", re-used" : ""}), included in its compute over this study's Runs of the lever`);
    if (l.active && l.multiplier) L.push(`  - per label count (against random acquisition): ${l.multiplier.perSize.map((m) => `${int(m.n)}: ${multText(m)}`).join("; ")}`);
    for (const b of l.best ?? []) L.push(`  - n=${int(b.n)}: trial ${b.trial} best on validation (${b.params ? paramText(b.params) : "the default model"})`);
    if (l.synthetic) L.push(`  - fidelity: ${l.synthetic.text}`);
  }
  const fid = fidelityRows(r);
  if (fid.length) {
    const h = Object.keys(fid[0]!);
    L.push("", "## Synthetic data: fidelity", "", `| ${h.join(" | ")} |`, `| ${h.map(() => "---").join(" | ")} |`, ...fid.map((x) => `| ${Object.values(x).join(" | ")} |`), "", FIDELITY_NOTE);
  }
  for (const x of extraLines(r)) L.push(`- ${x}`);
  for (const x of unlabeledLines(r)) L.push(x.startsWith("  ") ? `  - ${x.trim()}` : `- ${x}`);
  const ct = costTable(r);
  if (ct) {
    L.push("", "## Cost to reach the target", "", ...costSentences(r).map((x) => `- ${x}`), "", `| ${ct.head.join(" | ")} |`, `| ${ct.head.map(() => "---").join(" | ")} |`);
    for (const row of ct.rows) L.push(`| ${row.join(" | ")} |`);
  }
  L.push("", "## Plan", "", `Measured ${r.measured.map(int).join(", ") || "–"} × ${r.question.seeds} seeds; ${r.stopReason}.`, "");
  L.push("## Time", "", `Wall ${duration(r.timing.wallSeconds)} (data ${secondsFmt(r.timing.loadSeconds)} s), ${r.timing.jobs} concurrent Run(s). Store: \`${r.store}\`.`, "");
  return L.join("\n");
}

export async function renderStrategiesHtml(r: StrategiesResult): Promise<string> {
  const e = escapeHtml;
  const charts = await Promise.all(strategiesCharts(r).map(async (c) => ({ ...c, svg: await renderSvg(c.spec) })));
  const rows = leverRows(r);
  const head = Object.keys(rows[0] ?? { strategy: "" });
  const perSize = r.levers
    .flatMap((l) => (l.multiplier?.perSize ?? []).map((m) => `<tr><td class="l">${e(l.label)}</td><td>${int(m.n)}</td><td>${e(multText(m))}</td><td class="l">${e(m.verdict)}</td></tr>`))
    .join("");
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>enough strategies: ${e(r.headline)}</title><style>${CSS}</style></head>
<body><main>
<h1>What can replace more data?</h1>
<div class="meta">${e(r.data.source)} · ${int(r.data.poolSize)} pool, ${int(r.data.testSize)} test · model <code>${e(JSON.stringify(r.question.model))}</code> · metric ${e(r.question.metric)} · study <code>${e(r.studyId)}</code></div>
<section class="answer" id="answer"><p class="headline">${e(r.headline)}</p><ul>${r.levers.map((l) => `<li>${e(`${l.label}: ${l.summary}`)}</li>`).join("")}</ul></section>
<h2>Levers</h2>
<table id="levers"><tr>${head.map((h, i) => `<th${i === 0 ? ' class="l"' : ""}>${e(h)}</th>`).join("")}</tr>${rows.map((x) => `<tr>${Object.values(x).map((v, i) => `<td${i === 0 ? ' class="l"' : ""}>${e(v)}</td>`).join("")}</tr>`).join("")}</table>
${charts.map((c) => `<h2>${e(c.title)}</h2><figure class="chart" id="chart-${c.id}">${c.svg}</figure>`).join("\n")}
${extraLines(r).length ? `<ul id="extra">${extraLines(r).map((x) => `<li>${e(x)}</li>`).join("")}</ul>` : ""}
${unlabeledLines(r).length ? `<ul id="unlabeled">${unlabeledLines(r).map((x) => `<li>${e(x.trim())}</li>`).join("")}</ul>` : ""}
${costHtml(r)}
<h2>Multiplier per measured size</h2>
<table id="per-size"><tr><th class="l">lever</th><th>n</th><th>multiplier (80%)</th><th class="l">verdict</th></tr>${perSize}</table>
${fidelityHtml(r)}<h2>Plan</h2><p>Measured ${e(r.measured.map(int).join(", ") || "–")} × ${r.question.seeds} seeds; ${e(r.stopReason)}.</p>
<details><summary>Decisions (${r.decisions.length})</summary><ol>${r.decisions.map((d) => `<li>${e(d)}</li>`).join("")}</ol></details>
<p>Wall ${e(duration(r.timing.wallSeconds))}; ${r.runs.length} Run(s), ${r.runs.filter((x) => x.reused).length} re-used. Store <code>${e(r.store)}</code>.</p>
</main></body></html>
`;
}

/** The --cost section: the sentence and notes, then the rows cheapest first. */
function costHtml(r: StrategiesResult): string {
  const t = costTable(r);
  if (!t) return "";
  const e = escapeHtml;
  return `<h2 id="cost">Cost to reach the target</h2><ul>${costSentences(r).map((x) => `<li>${e(x)}</li>`).join("")}</ul><table><tr>${t.head.map((h) => `<th>${e(h)}</th>`).join("")}</tr>${t.rows.map((row) => `<tr>${row.map((c) => `<td>${e(c)}</td>`).join("")}</tr>`).join("")}</table>`;
}

/** The synthetic levers' fidelity: two-sample AUC, train-on-synthetic score, copies of training rows. */
function fidelityHtml(r: StrategiesResult): string {
  const rows = fidelityRows(r);
  if (!rows.length) return "";
  const e = escapeHtml;
  const head = Object.keys(rows[0]!);
  return `<h2>Synthetic data: fidelity</h2>
<table id="fidelity"><tr>${head.map((h, i) => `<th${i === 0 ? ' class="l"' : ""}>${e(h)}</th>`).join("")}</tr>${rows.map((x) => `<tr>${Object.values(x).map((v, i) => `<td${i === 0 ? ' class="l"' : ""}>${e(v)}</td>`).join("")}</tr>`).join("")}</table>
<p>${e(FIDELITY_NOTE)}</p>
`;
}

/** Search parameters in three significant digits. */
export function paramText(p: Record<string, unknown>, sep = ", "): string {
  return Object.entries(p).map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(3)) : v}`).join(sep);
}
