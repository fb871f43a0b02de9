/**
 * Chart specs (Vega-Lite) for the compare report: overlaid learning curves with bands, the data-optimal frontier,
 * the train/validation gap per variant, and time per Run. Pure functions from the report to specs.
 */
import type { VegaLiteSpec } from "./charts.js";
import type { CompareReport } from "../study/compare/result.js";

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const PALETTE = ["#4c78a8", "#f58518", "#54a24b", "#e45756", "#72b7b2", "#b279a2", "#eeca3b", "#9d755d", "#ff9da6", "#bab0ac"];

const base = (title: string): VegaLiteSpec => ({
  $schema: SCHEMA,
  title: { text: title, anchor: "start", fontSize: 14 },
  width: 560,
  height: 300,
  config: { font: "system-ui, sans-serif", view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});
const xLog = () => ({ field: "n", type: "quantitative", scale: { type: "log", nice: false }, title: "training samples (n, log scale)", axis: { format: "~s" } });
const colour = (r: CompareReport) => ({
  field: "variant",
  type: "nominal",
  title: null,
  scale: { domain: r.variants.map((v) => v.label), range: r.variants.map((_, i) => PALETTE[i % PALETTE.length]) },
  legend: { orient: "bottom-right", labelLimit: 320 },
});

/** Every variant's fitted curve with its 80% band, its seeds' scores and means; pruned variants dashed. */
export function compareCurvesSpec(r: CompareReport): VegaLiteSpec {
  const band = r.variants.flatMap((v) => v.band.map((b) => ({ ...b, variant: v.label, pruned: v.status === "pruned" })));
  const seeds = r.variants.flatMap((v) => v.seedPoints.map((p) => ({ ...p, variant: v.label })));
  const means = r.variants.flatMap((v) => v.points.map((p) => ({ ...p, variant: v.label })));
  const layers: VegaLiteSpec[] = [
    { data: { values: band }, mark: { type: "area", opacity: 0.18 }, encoding: { x: xLog(), y: { field: "lo", type: "quantitative", title: r.question.metric, scale: { zero: false } }, y2: { field: "hi" }, color: colour(r) } },
    { data: { values: band }, mark: { type: "line", strokeWidth: 2 }, encoding: { x: xLog(), y: { field: "mean", type: "quantitative" }, color: colour(r), strokeDash: { field: "pruned", type: "nominal", scale: { domain: [false, true], range: [[1, 0], [5, 4]] }, legend: null } } },
    { data: { values: seeds }, mark: { type: "point", opacity: 0.5, size: 22 }, encoding: { x: xLog(), y: { field: "score", type: "quantitative" }, color: colour(r), tooltip: [{ field: "variant" }, { field: "n" }, { field: "seed" }, { field: "score", format: ".4f" }] } },
    { data: { values: means }, mark: { type: "point", shape: "diamond", filled: true, size: 60 }, encoding: { x: xLog(), y: { field: "mean", type: "quantitative" }, color: colour(r) } },
  ];
  const t = r.question.target;
  if (t) layers.push({ data: { values: [{ y: t.value }] }, mark: { type: "rule", color: "#e45756", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" } } });
  layers.push({ data: { values: [{ n: r.data.poolSize }] }, mark: { type: "rule", color: "#54a24b", strokeDash: [4, 3] }, encoding: { x: xLog() } });
  return { ...base(`Learning curves: test ${r.question.metric} per variant (80% bands)`), layer: layers };
}

/**
 * The frontier: the best fitted score at each n, coloured by the variant that gives it, with the crossovers as
 * vertical rules, and the measured best per size (filled when its paired lead over the runner-up is clear).
 */
export function frontierSpec(r: CompareReport): VegaLiteSpec {
  const grid = r.frontier.fitted.grid.map((g) => ({ n: g.n, score: g.score, variant: g.best }));
  const measured = r.frontier.measured.map((m) => ({ n: m.n, score: m.scores[m.best], variant: m.best, lead: m.clear ? "clear lead (paired 80% interval > 0)" : "within noise" }));
  const cross = r.frontier.fitted.crossovers.map((c) => ({ n: c.n, label: `${Math.round(c.n).toLocaleString("en-US")}${c.extrapolated ? " (extrapolated)" : ""}` }));
  const layers: VegaLiteSpec[] = [
    { data: { values: grid }, mark: { type: "point", filled: true, size: 14 }, encoding: { x: xLog(), y: { field: "score", type: "quantitative", title: `best ${r.question.metric} (fitted)`, scale: { zero: false } }, color: colour(r) } },
    { data: { values: measured }, mark: { type: "point", size: 90, strokeWidth: 2 }, encoding: { x: xLog(), y: { field: "score", type: "quantitative" }, color: colour(r), shape: { field: "lead", type: "nominal", title: null, scale: { domain: ["clear lead (paired 80% interval > 0)", "within noise"], range: ["diamond", "circle"] }, legend: { orient: "top-left" } }, tooltip: [{ field: "variant" }, { field: "n" }, { field: "lead" }] } },
  ];
  if (cross.length) {
    layers.push({ data: { values: cross }, mark: { type: "rule", color: "#555", strokeDash: [3, 3] }, encoding: { x: xLog() } });
    layers.push({ data: { values: cross }, mark: { type: "text", align: "left", dx: 3, baseline: "top", y: 2, color: "#555" }, encoding: { x: xLog(), text: { field: "label" } } });
  }
  return { ...base("Data-optimal frontier: the best variant at each data size"), layer: layers };
}

/** Train minus validation score per size and variant (positive: overfitting), with the threshold. */
export function compareGapSpec(r: CompareReport): VegaLiteSpec {
  const rows = r.variants.flatMap((v) => v.gap.rows.map((g) => ({ n: g.n, gap: g.gap, variant: v.label })));
  const threshold = r.variants.find((v) => v.gap.rows.length)?.gap.threshold ?? 0;
  return {
    ...base(`Overfitting: train − validation ${r.question.metric} per variant`),
    layer: [
      { data: { values: rows }, mark: { type: "line", point: true }, encoding: { x: xLog(), y: { field: "gap", type: "quantitative", title: "train − validation gap" }, color: colour(r) } },
      { data: { values: [{ y: threshold }] }, mark: { type: "rule", color: "#e45756", strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" } } },
    ],
  };
}

export function compareTimeSpec(r: CompareReport): VegaLiteSpec {
  const values = r.variants.flatMap((v) => v.timePerRun.map((t) => ({ ...t, variant: v.label })));
  return {
    ...base("Time per Run vs training samples"),
    data: { values },
    mark: { type: "point", filled: true, size: 45 },
    encoding: { x: xLog(), y: { field: "seconds", type: "quantitative", scale: { type: "log" }, title: "seconds per Run (log scale)" }, color: colour(r), tooltip: [{ field: "variant" }, { field: "n" }, { field: "seconds", format: ".2f" }] },
  };
}

export function compareCharts(r: CompareReport): { id: string; title: string; spec: VegaLiteSpec }[] {
  const out = [];
  if (r.variants.some((v) => v.points.length)) out.push({ id: "curves", title: "Learning curves", spec: compareCurvesSpec(r) });
  if (r.frontier.fitted.grid.length || r.frontier.measured.length) out.push({ id: "frontier", title: "Data-optimal frontier", spec: frontierSpec(r) });
  if (r.variants.some((v) => v.gap.rows.length)) out.push({ id: "gap", title: "Train vs validation gap", spec: compareGapSpec(r) });
  if (r.variants.some((v) => v.timePerRun.length)) out.push({ id: "time", title: "Time per Run", spec: compareTimeSpec(r) });
  return out;
}
