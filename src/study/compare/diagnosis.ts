/**
 * Overfitting diagnosis per variant: the train/validation gap per size (estimate's gapAnalysis), and what closes
 * it. "More data" when the gap falls with n (its slope per doubling, and where it would cross the threshold);
 * "more regularisation" when a sibling variant that differs only in a regularising axis (higher dropout, weight
 * decay, label smoothing, early stopping on) or a smaller capacity has a clearly smaller gap at the same sizes
 * without a worse validation score.
 */
import type { GapAnalysis } from "../analysis.js";
import { CAPACITY, REGULARISING } from "./axes.js";
import { int } from "../../format.js";

export interface VariantGap {
  id: string;
  label: string;
  values: Record<string, unknown>;
  gap: GapAnalysis;
}

export interface GapDiagnosis {
  verdict: GapAnalysis["verdict"];
  /** Change of the gap per doubling of n (least squares over the measured sizes); null with fewer than 2 sizes. */
  slopePerDoubling: number | null;
  /** Where the gap is expected to fall below the threshold (extrapolated), when it is above it now and falling. */
  closesAt: number | null;
  moreData: boolean;
  /** A sibling with more regularisation and a smaller gap at no loss of validation score. */
  regularisedBy: { id: string; label: string; gapThere: number; gapHere: number; n: number } | null;
  text: string;
}

export function diagnoseGaps(variants: readonly VariantGap[], f: (v: number) => string, count: (n: number) => string, direction: "up" | "down" = "up"): Map<string, GapDiagnosis> {
  const out = new Map<string, GapDiagnosis>();
  for (const v of variants) {
    const rows = v.gap.rows;
    const last = rows[rows.length - 1];
    let slope: number | null = null;
    if (rows.length >= 2) {
      const xs = rows.map((r) => Math.log2(r.n));
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = rows.reduce((a, r) => a + r.gap, 0) / rows.length;
      const sxx = xs.reduce((a, x) => a + (x - mx) ** 2, 0);
      slope = sxx > 0 ? xs.reduce((a, x, i) => a + (x - mx) * (rows[i]!.gap - my), 0) / sxx : null;
    }
    const above = !!last && last.gap >= v.gap.threshold;
    const closesAt = above && slope !== null && slope < 0 ? last!.n * Math.pow(2, (last!.gap - v.gap.threshold) / -slope) : null;
    const moreData = slope !== null && slope < -0.25 * v.gap.threshold;
    const regularisedBy = above ? findRegularised(v, variants, direction === "up" ? 1 : -1) : null;
    let text: string;
    if (!last) text = "no train/validation scores to compare";
    else if (!above && v.gap.verdict === "no-large-gap") text = `no overfitting: the gap stays under ${f(v.gap.threshold)} at every size (a larger model may use the data better)`;
    else if (!above) text = `overfits below ~${int(v.gap.overfitsBelow ?? last.n)} samples; more data has closed the gap (${f(last.gap)} at ${int(last.n)})`;
    else {
      const data = moreData
        ? `more data closes it (the gap falls ${f(-slope!)} per doubling${closesAt && closesAt < 1e9 ? `, below ${f(v.gap.threshold)} from ~${count(closesAt)} samples` : ""})`
        : slope === null
          ? "whether more data closes it needs a second size"
          : `more data barely closes it (${slope <= 0 ? "−" : "+"}${f(Math.abs(slope))} per doubling)`;
      const reg = regularisedBy
        ? `; more regularisation does: ${regularisedBy.label} has a gap of ${f(regularisedBy.gapThere)} instead of ${f(regularisedBy.gapHere)} at ${int(regularisedBy.n)} with no worse validation score`
        : moreData || slope === null
          ? ""
          : "; try more regularisation (e.g. --vary dropout=0,0.3 or weightDecay=0,1e-4) or a smaller model";
      text = `overfits: train ${f(last.train)} vs validation ${f(last.valid)} at ${int(last.n)} (gap ${f(last.gap)}); ${data}${reg}`;
    }
    out.set(v.id, { verdict: v.gap.verdict, slopePerDoubling: slope, closesAt, moreData, regularisedBy, text });
  }
  return out;
}

/** A variant equal to v except on regularising/capacity axes, more regularised, with a clearly smaller gap. */
function findRegularised(v: VariantGap, all: readonly VariantGap[], sign: number) {
  let best: GapDiagnosis["regularisedBy"] = null;
  for (const u of all) {
    if (u.id === v.id) continue;
    const keys = new Set([...Object.keys(v.values), ...Object.keys(u.values)]);
    let more = false;
    let ok = true;
    for (const k of keys) {
      const a = v.values[k];
      const b = u.values[k];
      if (JSON.stringify(a) === JSON.stringify(b)) continue;
      const stronger = REGULARISING.has(k) ? regStrength(k, b) > regStrength(k, a) : CAPACITY.has(k) ? capacity(b) < capacity(a) : false;
      if (!stronger) ok = false;
      else more = true;
    }
    if (!ok || !more) continue;
    for (const r of [...v.gap.rows].reverse()) {
      const s = u.gap.rows.find((x) => x.n === r.n);
      if (!s) continue;
      if (s.gap < 0.6 * r.gap && sign * (s.valid - r.valid) >= -0.25 * v.gap.threshold && (!best || s.gap < best.gapThere)) best = { id: u.id, label: u.label, gapThere: s.gap, gapHere: r.gap, n: r.n };
      break;
    }
  }
  return best;
}

/** Measured sizes are exact; only forecasts are rounded. */
const regStrength = (k: string, v: unknown): number => (k === "earlyStopping" ? (v === false ? 0 : 1) : typeof v === "number" ? v : 0);
const capacity = (v: unknown): number => (Array.isArray(v) ? v.reduce((a: number, b) => a + Number(b), 0) : Number(v));
