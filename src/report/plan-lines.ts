/**
 * The collection plan (estimate --plan) as lines and a table, shared by the terminal, report.md and report.html so
 * the three say the same thing.
 */
import type { CollectionPlan } from "../study/plan/index.js";
import { int } from "../format.js";

/** The plans of a report, class first: a title and its sentences and notes. */
export function planBlocks(p: { classes: CollectionPlan; groups: CollectionPlan[] }): { title: string; plan: CollectionPlan; lines: string[] }[] {
  return [p.classes, ...p.groups].map((plan) => ({
    title: plan.kind === "class" ? "Collection plan by class" : `Collection plan by ${plan.by}`,
    plan,
    lines: [...plan.sentences, ...plan.notes.map((n) => `Note: ${n}`)],
  }));
}

const g = (v: number) => `${v >= 0 ? "+" : "−"}${Math.abs(v).toFixed(4)}`;
const s3 = (v: number) => v.toFixed(3);
const x = (v: number) => (!Number.isFinite(v) ? "∞" : v > 1000 ? ">1,000x" : `${v.toFixed(1)}x`);

/** One row per unit: pool count, score at the pool, gain per 1,000 more, samples the plan collects, data need. */
export function planTable(p: CollectionPlan): { head: string[]; rows: string[][] } {
  const head = [p.kind === "class" ? "class" : p.by, "have", `${p.score} at have (80%)`, "overall gain per 1,000 more (80%)", "collect", p.needs ? `samples for ${p.score} ${s3(p.needs.level)} vs ${p.needs.reference}` : "data need"];
  const rows = p.units.map((u) => {
    const need = p.needs?.rows.find((r) => r.name === u.name);
    return [
      u.name,
      int(u.poolCount),
      u.scoreAtPool ? `${s3(u.scoreAtPool.mean)} (${s3(u.scoreAtPool.lo)}–${s3(u.scoreAtPool.hi)})` : u.measured ? `${s3(u.measured.mean)} measured` : "–",
      u.gainPer1000 ? `${g(u.gainPer1000.mean)} (${g(u.gainPer1000.lo)} to ${g(u.gainPer1000.hi)})` : "–",
      u.collect === null ? "–" : int(u.collect),
      need?.ratio ? `${need.ratio.kind === "at most" ? "<= " : need.ratio.kind === "at least" ? ">= " : ""}${x(need.ratio.mean)} (${x(need.ratio.lo)}–${x(need.ratio.hi)})` : "–",
    ];
  });
  return { head, rows };
}
