/**
 * The cost plan in words: one short paragraph and one line per part, shared by the terminal, report.md and
 * report.html so the three say the same thing. Prices carry no currency (the user's own unit), so neither do the
 * sums.
 */
import type { CostPart, CostPlan } from "../cost/index.js";
import { int } from "../format.js";
import type { EstimateReport } from "../study/estimate-result.js";

/** A money or hours figure: whole numbers from 100, else two significant digits; unbounded as ∞. */
export function amount(v: number): string {
  if (!Number.isFinite(v)) return "∞";
  if (Math.abs(v) >= 100) return int(v);
  if (v === 0) return "0";
  return Math.abs(v) >= 1 ? v.toFixed(2) : Number(v.toPrecision(2)).toString();
}

const band = (i: { mean: number; lo: number; hi: number }, f: (v: number) => string) => `${f(i.mean)} (80% interval ${f(i.lo)}–${f(i.hi)})`;

export function costParagraph(r: EstimateReport, c: CostPlan): string {
  const t = r.question.target;
  const s = r.samplesForTarget;
  if (!t || !s || !c.labels) return "Cost to reach the target: none measured (see the notes).";
  const more = c.labels.quantity.mean > 0 ? `${int(c.labels.quantity.mean)} more labels than the ${int(r.data.poolSize)} you have` : `no labels beyond the ${int(r.data.poolSize)} you have`;
  const total = c.total ? `; priced parts total ${band(c.total, amount)}` : "";
  return `Cost to reach ${t.metric} ${t.value}: about ${int(s.mean)} samples, ${more}${total}.`;
}

export function costLines(c: CostPlan): string[] {
  const part = (label: string, p: CostPart | null, f: (v: number) => string, per: string) =>
    p ? [`${label}: ${band(p.quantity, f)} ${p.unit}${p.cost ? ` × ${amount(p.price!)} = ${band(p.cost, amount)}${per}` : " (no price given)"}`] : [];
  const lines = [
    ...part("Labels to buy", c.labels, int, ""),
    ...part("Train once at the target size", c.trainOnce, amount, ""),
    ...part("Storage of the target's samples", c.storage, amount, " per month"),
    `The study so far: ${amount(c.study.hours)} ${c.study.unit}${c.study.cost !== null ? ` = ${amount(c.study.cost)}` : " (no price given)"}`,
  ];
  if (c.total) lines.push(`Total to reach the target (priced parts, one month of storage): ${band(c.total, amount)}`);
  for (const n of c.notes) lines.push(`Note: ${n}`);
  return lines;
}
