/**
 * The chart of a compare or strategies study while it runs (their own charts need the finished result): every
 * finished Run's score against n, one colour per variant or lever, with the mean per size joined. Strategies show
 * validation scores: a search trial's test score is never read before the choice, not even for display.
 */
import type { VegaLiteSpec } from "../report/charts.js";

export interface LivePoint {
  n: number;
  seed: number;
  score: number;
  label: string;
}

export function liveRunsSpec(points: LivePoint[], o: { metric: string; split: "test" | "valid" }): VegaLiteSpec {
  const x = { field: "n", type: "quantitative", scale: { type: "log", nice: false }, title: "training samples (n, log scale)", axis: { format: "~s" } };
  const y = { type: "quantitative", title: `${o.split === "valid" ? "validation" : "test"} ${o.metric}`, scale: { zero: false } };
  const color = { field: "label", type: "nominal", title: null, legend: { orient: "bottom-right", labelLimit: 320 } };
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: { text: `Runs so far: ${o.split === "valid" ? "validation" : "test"} ${o.metric} vs training samples`, anchor: "start", fontSize: 14 },
    width: 560,
    height: 300,
    config: { font: "system-ui, sans-serif", view: { stroke: null } },
    data: { values: points },
    layer: [
      { mark: { type: "point", filled: true, opacity: 0.7, size: 40 }, encoding: { x, y: { ...y, field: "score" }, color, tooltip: [{ field: "label" }, { field: "n" }, { field: "seed" }, { field: "score", format: ".4f" }] } },
      { mark: { type: "line" }, encoding: { x, y: { ...y, field: "score", aggregate: "mean" }, color } },
    ],
  };
}
