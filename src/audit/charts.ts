/** Vega-Lite specs for the audit report: class balance, group accuracy with intervals, per-group and worth curves. */
import type { VegaLiteSpec } from "../report/charts.js";
import type { AuditReport } from "./audit.js";

const WIDTH = 640;

export function balanceSpec(r: AuditReport): VegaLiteSpec | null {
  const b = r.balance;
  if (!b || b.classes.length === 0) return null;
  const values = b.classes.flatMap((c) => [
    { class: c.class, split: "pool", rows: c.pool },
    { class: c.class, split: "test", rows: c.test },
  ]);
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: WIDTH,
    height: Math.max(120, 18 * b.classes.length),
    data: { values },
    mark: "bar",
    encoding: {
      y: { field: "class", type: "nominal", sort: "-x", title: null },
      x: { field: "rows", type: "quantitative", stack: "zero", title: "rows" },
      color: { field: "split", type: "nominal", scale: { range: ["#4c78a8", "#f58518"] } },
    },
  };
}

export function groupGapSpec(r: AuditReport): VegaLiteSpec | null {
  if (!r.bias.length) return null;
  const values = r.bias.flatMap((s) => s.groups.filter((g) => g.rows > 0).map((g) => ({ column: s.column, group: `${s.column}=${g.group}`, accuracy: g.accuracy.value, lo: g.accuracy.lo, hi: g.accuracy.hi, rows: g.rows, overall: s.overallAccuracy })));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: WIDTH,
    height: Math.max(120, 22 * values.length),
    data: { values },
    layer: [
      { mark: { type: "rule", strokeWidth: 2 }, encoding: { y: { field: "group", type: "nominal", title: null }, x: { field: "lo", type: "quantitative", title: "out-of-fold accuracy (90% bootstrap interval)", scale: { zero: false } }, x2: { field: "hi" } } },
      { mark: { type: "point", filled: true, size: 70 }, encoding: { y: { field: "group", type: "nominal" }, x: { field: "accuracy", type: "quantitative" }, tooltip: [{ field: "rows" }] } },
      { mark: { type: "rule", strokeDash: [4, 4], color: "#e45756" }, encoding: { x: { aggregate: "mean", field: "overall", type: "quantitative" } } },
    ],
  };
}

export function groupCurvesSpec(r: AuditReport): VegaLiteSpec | null {
  const values = r.groupCurves.flatMap((c) => c.points.map((p) => ({ line: `${c.column}=${c.group}`, n: p.n, accuracy: p.accuracy })));
  return accuracyLines(values, "training rows of the group", "test accuracy in the group", "group");
}

export function worthSpec(r: AuditReport): VegaLiteSpec | null {
  const values = r.worth.flatMap((w) => w.points.map((p) => ({ line: p.variant === "baseline" ? "as is" : w.kind === "label_relabelled" ? "flagged labels relabelled" : `without flagged ${w.kind} rows`, n: p.n, accuracy: p.accuracy })));
  return accuracyLines(values, "rows collected", "test accuracy", "curve");
}

/** Mean test accuracy against rows (log scale), one line per `line` value: the shape of both curve charts above. */
function accuracyLines(values: { line: string; n: number; accuracy: number }[], xTitle: string, yTitle: string, legend: string): VegaLiteSpec | null {
  if (!values.length) return null;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    width: WIDTH,
    height: 300,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "n", type: "quantitative", scale: { type: "log" }, title: xTitle },
      y: { field: "accuracy", type: "quantitative", aggregate: "mean", scale: { zero: false }, title: yTitle },
      color: { field: "line", type: "nominal", title: legend },
    },
  };
}

export function auditCharts(r: AuditReport): { id: string; title: string; spec: VegaLiteSpec }[] {
  const out: { id: string; title: string; spec: VegaLiteSpec }[] = [];
  const add = (id: string, title: string, spec: VegaLiteSpec | null) => spec && out.push({ id, title, spec });
  add("balance", "Class balance", balanceSpec(r));
  add("group-gaps", "Accuracy per group", groupGapSpec(r));
  add("group-curves", "Learning curves per group", groupCurvesSpec(r));
  add("worth", "What cleaning is worth", worthSpec(r));
  return out;
}
