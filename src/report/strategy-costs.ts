/**
 * strategies --cost and --extra in words and a table, shared by the terminal, report.md and report.html: every row
 * priced to reach the target (cheapest first) and the "pool + extra" row's worth in your samples.
 */
import type { StrategiesResult } from "../study/strategies/result.js";
import { int } from "../format.js";
import { amount } from "./cost-lines.js";

const band = (i: { mean: number; lo: number; hi: number } | null | undefined, f: (v: number) => string) => (i ? `${f(i.mean)} (${f(i.lo)}–${f(i.hi)})` : "–");
const count = (v: number) => (Number.isFinite(v) ? int(v) : "∞");

/** One row per strategy, cheapest total first: samples for the target, labels to buy, train once, total. */
export function costTable(r: StrategiesResult): { head: string[]; rows: string[][] } | null {
  const c = r.costs;
  if (!c) return null;
  const unit = c.rows[0]?.plan.computeUnit ?? "cpu-hour";
  const head = ["rank", "strategy", "samples for target (80%)", "labels to buy", `train once (${unit}s)`, "compute", "total (80%)"];
  const rows = c.rows.map((x, i) => [
    x.plan.total ? String(i + 1) : "–",
    x.label,
    band(x.samplesForTarget, count),
    band(x.plan.labels?.quantity, count),
    band(x.plan.trainOnce?.quantity, amount),
    x.computeX === null ? "–" : `${x.computeX.toFixed(1)}x`,
    band(x.plan.total, amount),
  ]);
  return { head, rows };
}

/** The sentence over the cost table, and its notes (the first row's plan notes plus the table's own). */
export function costSentences(r: StrategiesResult): string[] {
  const c = r.costs;
  if (!c) return [];
  const priced = c.rows.filter((x) => x.plan.total && Number.isFinite(x.plan.total.mean));
  const money = (i: { mean: number; lo: number; hi: number }) => `${amount(i.mean)} (80% interval ${amount(i.lo)}–${amount(i.hi)})`;
  const out: string[] = [];
  if (!r.question.target) out.push("No --target: the cost to reach it cannot be priced.");
  else if (!priced.length) out.push("No row could be priced to reach the target (out of reach on its curve, too few sizes, or no price given).");
  else {
    const [a, b] = priced;
    out.push(`Cheapest to reach ${r.question.target.metric} ${r.question.target.value}: ${a!.label}, total ${money(a!.plan.total!)}${b ? `; next ${b.label}, ${money(b.plan.total!)}${c.overlap ? " (the intervals overlap: no clear winner)" : ""}` : ""}.`);
  }
  // A note every row has is said once; one that only some rows have names them.
  const all = [...new Set(c.rows.flatMap((x) => x.plan.notes))];
  const planNotes = all.map((n) => {
    const who = c.rows.filter((x) => x.plan.notes.includes(n)).map((x) => x.label);
    return who.length === c.rows.length ? n : `${who.join(", ")}: ${n}`;
  });
  return [...out, ...[...planNotes, ...c.notes].map((n) => `Note: ${n}`)];
}

/** The "pool + extra" row in words: its worth in your samples, and a warning when the interval spans 0. */
export function extraLines(r: StrategiesResult): string[] {
  return r.levers.flatMap((l) => {
    const x = l.extra;
    if (!x) return [];
    if (!x.worth) return [`${l.label}: the worth of the ${int(x.rows)} extra rows (${x.source}) could not be read (no multiplier)`];
    const w = x.worth;
    const b = (v: number | null, end: "lo" | "hi") => (v === null ? (end === "hi" ? "∞" : "−∞") : int(v));
    const why = w.bound === "at least" ? "; with them the score passes the baseline's at every size measured, so only a bound: estimate --extra reads it through the baseline's fitted curve" : "";
    const line = `${l.label}: the ${int(x.rows)} extra rows (${x.source}) are worth ${w.bound} ${int(w.mean)} of yours at n=${int(w.n)} (80% interval ${b(w.lo, "lo")} to ${b(w.hi, "hi")}; same subsets and seeds${why})`;
    return [x.spansZero ? `${line}; the interval spans 0: extra-data worth is noisy where the curve is flat, so this does not show a worth (more seeds or sizes would)` : line];
  });
}
