/** Small formatting helpers shared by the Markdown and HTML reports. */
import { scoreFormatter } from "../study/findings.js";
import type { EstimateReport } from "../study/estimate-result.js";

import { int } from "../format.js";

export { int };

export function scoreFmt(r: EstimateReport): (v: number | null | undefined) => string {
  const f = scoreFormatter(r.question.metric);
  return (v) => (v === null || v === undefined || !Number.isFinite(v) ? "–" : f(v));
}

export function secondsFmt(s: number | null | undefined): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return "–";
  return s < 10 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : Math.round(s).toString();
}

/** Rows of the points/predictions table: measured mean ± sd and the fit's interval at each size. */
export function curveTable(r: EstimateReport): { n: string; measured: string; seeds: string; predicted: string; kind: string }[] {
  const f = scoreFmt(r);
  const byN = new Map<number, { measured?: string; seeds?: string; predicted?: string; kind: string }>();
  for (const p of r.points) byN.set(p.n, { measured: p.count > 1 ? `${f(p.mean)} ± ${f(p.sd)}` : f(p.mean), seeds: String(p.count), kind: "measured" });
  for (const p of r.predictions) {
    const row = byN.get(p.n) ?? { kind: p.kind };
    row.predicted = `${f(p.mean)} (${f(p.lo)}–${f(p.hi)})`;
    if (p.kind !== "measured") row.kind = p.kind === "have" ? "your pool" : p.kind === "target" ? "reaches the target" : "asked (--at)";
    byN.set(p.n, row);
  }
  return [...byN.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, v]) => ({ n: int(n), measured: v.measured ?? "", seeds: v.seeds ?? "", predicted: v.predicted ?? "", kind: v.kind }));
}
