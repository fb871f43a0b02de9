/**
 * Chart specs (Vega-Lite) for the estimate report. Pure functions from report data to specs, so the HTML report
 * (rendered to SVG in Node) and the dashboard (rendered in the browser) draw the same charts.
 */
import type { EstimateReport } from "../study/estimate-result.js";
import { shortCount } from "../format.js";

export type VegaLiteSpec = Record<string, unknown>;

const SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
const WIDTH = 560;
const HEIGHT = 300;
const COLORS = { fit: "#4c78a8", extrap: "#9ecae9", point: "#1f3b5a", target: "#e45756", have: "#54a24b", train: "#f58518", valid: "#4c78a8", test: "#72b7b2" };

const base = (title: string): VegaLiteSpec => ({
  $schema: SCHEMA,
  title: { text: title, anchor: "start", fontSize: 14 },
  width: WIDTH,
  height: HEIGHT,
  config: { font: "system-ui, sans-serif", view: { stroke: null }, axis: { labelFontSize: 11, titleFontSize: 12 } },
});

const xLog = (title = "training samples (n, log scale)") => ({ field: "n", type: "quantitative", scale: { type: "log", nice: false }, title, axis: { format: "~s" } });

/**
 * The learning curve: every seed's test score, the means, the fitted curve with its 80% band (lighter beyond the
 * largest measured n, where it is an extrapolation), the target, the pool size, and the samples needed.
 */
export function learningCurveSpec(r: EstimateReport): VegaLiteSpec {
  const metric = r.question.metric;
  const nMax = r.points.length ? r.points[r.points.length - 1]!.n : 0;
  const band = r.band.map((b) => ({ ...b, part: b.n <= nMax ? "fitted (80% band)" : "extrapolated (80% band)" }));
  // The two parts share their boundary point so the band has no gap.
  const boundary = band.filter((b) => b.n <= nMax).at(-1);
  if (boundary) band.push({ ...boundary, part: "extrapolated (80% band)" });
  const layers: VegaLiteSpec[] = [
    {
      data: { values: band },
      mark: { type: "area", opacity: 0.35 },
      encoding: {
        x: xLog(),
        y: { field: "lo", type: "quantitative", title: metric, scale: { zero: false } },
        y2: { field: "hi" },
        color: { field: "part", type: "nominal", title: null, scale: { domain: ["fitted (80% band)", "extrapolated (80% band)"], range: [COLORS.fit, COLORS.extrap] }, legend: { orient: "bottom-right", labelLimit: 320 } },
      },
    },
    { data: { values: band }, mark: { type: "line", color: COLORS.fit, strokeWidth: 2 }, encoding: { x: xLog(), y: { field: "mean", type: "quantitative" }, detail: { field: "part" }, strokeDash: { field: "part", type: "nominal", scale: { domain: ["fitted (80% band)", "extrapolated (80% band)"], range: [[1, 0], [6, 4]] }, legend: null } } },
    { data: { values: r.curves.test.seedPoints }, mark: { type: "point", color: COLORS.point, opacity: 0.6, size: 30 }, encoding: { x: xLog(), y: { field: "score", type: "quantitative" }, tooltip: [{ field: "n" }, { field: "seed" }, { field: "score", format: ".4f" }] } },
    { data: { values: r.points }, mark: { type: "point", shape: "diamond", filled: true, color: COLORS.point, size: 70 }, encoding: { x: xLog(), y: { field: "mean", type: "quantitative" } } },
  ];
  if (r.forecast.have > 0) {
    layers.push({ data: { values: [{ n: r.forecast.have, label: `you have ${shortCount(r.forecast.have)}` }] }, mark: { type: "rule", color: COLORS.have, strokeDash: [4, 3] }, encoding: { x: xLog() } });
    layers.push({ data: { values: [{ n: r.forecast.have, label: `you have ${shortCount(r.forecast.have)}` }] }, mark: { type: "text", color: COLORS.have, align: "right", dx: -4, dy: 4, baseline: "top", y: 0 }, encoding: { x: xLog(), text: { field: "label" } } });
  }
  const t = r.question.target;
  if (t) {
    layers.push({ data: { values: [{ y: t.value, label: `target ${t.value}` }] }, mark: { type: "rule", color: COLORS.target, strokeDash: [4, 3] }, encoding: { y: { field: "y", type: "quantitative" } } });
    const sf = r.samplesForTarget;
    if (sf && sf.reachable !== false && Number.isFinite(sf.mean)) {
      const lo = Math.max(sf.lo, r.band[0]?.n ?? sf.lo);
      const hi = Number.isFinite(sf.hi) ? sf.hi : r.band.at(-1)?.n ?? sf.mean;
      layers.push({ data: { values: [{ n: lo, n2: hi, y: t.value }] }, mark: { type: "rule", color: COLORS.target, strokeWidth: 6, opacity: 0.35 }, encoding: { x: xLog(), x2: { field: "n2" }, y: { field: "y", type: "quantitative" } } });
      layers.push({ data: { values: [{ n: sf.mean, y: t.value, label: `needs ≈${shortCount(Number(sf.mean.toPrecision(2)))}` }] }, mark: { type: "point", shape: "cross", color: COLORS.target, size: 120, filled: true }, encoding: { x: xLog(), y: { field: "y", type: "quantitative" } } });
      layers.push({ data: { values: [{ n: sf.mean, y: t.value, label: `needs ≈${shortCount(Number(sf.mean.toPrecision(2)))}` }] }, mark: { type: "text", color: COLORS.target, dy: -12 }, encoding: { x: xLog(), y: { field: "y", type: "quantitative" }, text: { field: "label" } } });
    }
  }
  return { ...base(`Learning curve: test ${metric} vs training samples`), layer: layers, resolve: { scale: { color: "independent", strokeDash: "independent" } } };
}

/** Train, validation and test scores per size: the gap between train and validation is the overfitting. */
export function gapSpec(r: EstimateReport): VegaLiteSpec {
  const rows: { n: number; split: string; mean: number; sd: number }[] = [];
  const labels = [["train", "train (rows it learned from)"], ["valid", "validation (held out of the subset)"], ["test", "test (fixed split)"]] as const;
  for (const [split, label] of labels) {
    for (const p of r.curves[split].points) rows.push({ n: p.n, split: label, mean: p.mean, sd: p.sd });
  }
  return {
    ...base(`Train vs validation ${r.question.metric}: the gap is overfitting`),
    data: { values: rows },
    layer: [
      { mark: { type: "line", point: true }, encoding: { x: xLog(), y: { field: "mean", type: "quantitative", title: r.question.metric, scale: { zero: false } }, color: { field: "split", type: "nominal", title: null, scale: { domain: labels.map((l) => l[1]), range: [COLORS.train, COLORS.valid, COLORS.test] }, legend: { orient: "bottom-right", labelLimit: 320 } } } },
    ],
  };
}

/** Measured seconds per Run against n (log-log): what more data costs in training time. */
export function timeSpec(r: EstimateReport): VegaLiteSpec {
  const values = r.timing.timePerRun.map((t) => ({ ...t, source: t.reused ? "re-used from the store" : "this run" }));
  return {
    ...base("Time per Run vs training samples"),
    data: { values },
    mark: { type: "point", filled: true, size: 50 },
    encoding: {
      x: xLog(),
      y: { field: "seconds", type: "quantitative", scale: { type: "log" }, title: "seconds per Run (log scale)" },
      color: { field: "source", type: "nominal", title: null, scale: { domain: ["this run", "re-used from the store"], range: ["#4c78a8", "#bab0ac"] }, legend: { orient: "bottom-right", labelLimit: 320 } },
      tooltip: [{ field: "n" }, { field: "seconds", format: ".2f" }],
    },
  };
}

export function reportCharts(r: EstimateReport): { id: string; title: string; spec: VegaLiteSpec }[] {
  const charts = [];
  if (r.points.length) charts.push({ id: "learning-curve", title: "Learning curve", spec: learningCurveSpec(r) });
  if (r.curves.train.points.length || r.curves.valid.points.length) charts.push({ id: "gap", title: "Train vs validation", spec: gapSpec(r) });
  if (r.timing.timePerRun.length) charts.push({ id: "time", title: "Time per Run", spec: timeSpec(r) });
  return charts;
}

