/**
 * What the dashboard shows, as JSON: the list of studies, and one study's answer, charts (the report's own
 * Vega-Lite specs), tables and Runs. Re-fitting an estimate's curve while it runs is the costly part: it is done once
 * per change of the study's Runs (a cache keyed by their counts), not once per viewer.
 */
import type { VegaLiteSpec } from "../report/charts.js";
import { reportCharts } from "../report/charts.js";
import { compareCharts, variantRows } from "../report/compare.js";
import { leverRows, strategiesCharts } from "../report/strategies.js";
import { defaultMetric, scoreOf } from "../study/metrics.js";
import type { Store, StudyCounts } from "../study/store.js";
import { readStudy, workerOf, type StoredStudy } from "../study/stored.js";
import { liveRunsSpec, type LivePoint } from "./live-chart.js";
import { noReportWhy, resultOf, type StudyResult } from "./reports.js";
import { lineKey } from "./watch.js";

export interface StudyRow {
  id: string;
  kind: string;
  status: string;
  data: string;
  model: string;
  target: string;
  answer: string;
  created: string;
  updated: string;
  runsDone: number;
  runsFailed: number;
  runsRunning: number;
  /** Runs the plan holds for fixed sizes (sizes x seeds x arms); null for adaptive plans, which decide as they go. */
  runsPlanned: number | null;
}

export interface RunRow {
  id: string;
  status: string;
  worker: string;
  size: number;
  seed: number;
  attempts: number;
  seconds: number | null;
  score: number | null;
  reason: string;
}

export interface StudyView extends StudyRow {
  metric: string;
  headline: string | null;
  findings: string[];
  /** The answer is the Runs' so far (the study is not done, or its result was re-fitted from the store). */
  partial: boolean;
  note: string | null;
  charts: { id: string; title: string; spec: VegaLiteSpec }[];
  tables: { title: string; rows: Record<string, string>[] }[];
  runs: RunRow[];
  /** Report files can be rendered (report.html, .md, .json). */
  reports: boolean;
}

interface Key {
  data?: string;
  spec?: Record<string, unknown>;
  target?: { metric: string; value: number } | null;
  sizes?: "auto" | number[];
  seeds?: number;
  variants?: unknown[];
  levers?: unknown[];
  facts?: { metric?: string; task?: string };
}

export function studyRows(store: Store): StudyRow[] {
  const counts = new Map(store.studyCounts().map((c) => [c.id, c]));
  return store.listStudies().map((rec) => rowOf(rec.id, rec.kind, rec.options as Key, rec.result as { headline?: string } | null, rec.created, counts.get(rec.id)!));
}

function rowOf(id: string, kind: string, k: Key, result: { headline?: string } | null, created: string, c: StudyCounts): StudyRow {
  const arms = kind === "compare" ? k.variants?.length ?? 1 : kind === "strategies" ? 1 + (k.levers?.length ?? 0) : 1;
  return {
    id,
    kind,
    status: c.status,
    data: k.data ?? "",
    model: modelText(k.spec),
    target: k.target ? `${k.target.metric}=${k.target.value}` : "",
    answer: result?.headline ?? "",
    created,
    updated: c.updated,
    runsDone: c.done,
    runsFailed: c.failed,
    runsRunning: c.running,
    // Strategies' search levers run several trials per size: their plan is not a product, so it is not shown.
    runsPlanned: Array.isArray(k.sizes) && kind !== "strategies" ? k.sizes.length * (k.seeds ?? 1) * arms : null,
  };
}

/** "mlp width=64 depth=2": the family, then its fields. */
export function modelText(spec: Record<string, unknown> | undefined): string {
  if (!spec) return "";
  const { family, ...rest } = spec;
  const fields = Object.entries(rest).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return [String(family ?? "model"), ...fields].join(" ");
}

/** Builds study views, re-fitting a study only when its Runs or status changed since the last view. */
export class ViewCache {
  private readonly cache = new Map<string, { key: string; view: StudyView }>();

  constructor(private readonly store: Store) {}

  view(id: string): StudyView {
    const counts = this.store.studyCounts().find((c) => c.id === id);
    const key = counts ? lineKey(counts) : "";
    const hit = this.cache.get(id);
    if (hit && hit.key === key) return hit.view;
    const s = readStudy(this.store, id);
    const view = studyView(s, counts!);
    this.cache.set(id, { key, view });
    return view;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }
}

export function studyView(s: StoredStudy, counts: StudyCounts): StudyView {
  const k = s.record.options as Key;
  const row = rowOf(s.record.id, s.record.kind, k, s.record.result as { headline?: string } | null, s.record.created, counts);
  const metric = k.facts?.metric ?? k.target?.metric ?? defaultMetric(s.runs.some((r) => r.result?.metrics.test.accuracy !== undefined) ? "classification" : "regression");
  // The dashboard's live fits use 50 bootstrap replicates, not a study's 200: a redraw must take well under a second.
  const r = resultOf(s, { bootstrap: 50 });
  const split = s.record.kind === "strategies" ? "valid" : "test";
  const runs: RunRow[] = s.runs.map((x) => ({
    id: x.id,
    status: x.status,
    worker: workerOf(x),
    size: x.size,
    seed: x.seed,
    attempts: x.attempts,
    seconds: x.result?.totalSeconds ?? null,
    score: scoreOf(x.result?.metrics[split], metric) ?? null,
    reason: x.reason,
  }));
  const base = { ...row, metric, runs, reports: r !== null, partial: s.record.status !== "done" };
  if (r) return { ...base, ...answerOf(r), note: base.partial && r.kind === "estimate" ? "fitted again from the Runs finished so far (50 bootstrap replicates)" : null };
  return {
    ...base,
    headline: null,
    findings: [],
    note: noReportWhy(s),
    charts: runs.some((x) => x.score !== null) ? [{ id: "runs", title: "Runs so far", spec: liveRunsSpec(livePoints(runs), { metric, split }) }] : [],
    tables: [],
  };
}

function answerOf(r: StudyResult): Pick<StudyView, "headline" | "findings" | "charts" | "tables"> {
  if (r.kind === "estimate") return { headline: r.result.headline, findings: r.result.findings.map((f) => f.text), charts: reportCharts(r.result), tables: [] };
  if (r.kind === "compare") return { headline: r.result.headline, findings: r.result.recommendation, charts: compareCharts(r.result), tables: [{ title: "Variants", rows: variantRows(r.result) }] };
  return { headline: r.result.headline, findings: [], charts: strategiesCharts(r.result), tables: [{ title: "Levers: effective data multipliers", rows: leverRows(r.result) }] };
}

/** The variant or lever a Run belongs to, from why it was chosen ("wd=0.01: n=1,000, seed 2"). */
function livePoints(runs: RunRow[]): LivePoint[] {
  return runs.flatMap((x) => (x.score === null ? [] : [{ n: x.size, seed: x.seed, score: x.score, label: /^(.+?): n=/.exec(x.reason)?.[1] ?? "runs" }]));
}
