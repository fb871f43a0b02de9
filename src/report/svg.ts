/** Renders a Vega-Lite spec to an SVG string in Node (no canvas, no network: data are inline). */
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import type { VegaLiteSpec } from "./charts.js";

export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  // Vega tags the data objects it is given (a symbol id per row): hand it a copy so the report stays clean.
  const compiled = compile(JSON.parse(JSON.stringify(spec)) as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
