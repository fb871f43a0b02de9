/**
 * The answer in plain words. Each finding is one sentence or two, with its interval and the evidence it rests on;
 * a poor fit is said out loud instead of being hidden behind a confident number.
 */
import type { Analysis } from "./analysis.js";
import { int, roughCount as count } from "../format.js";
import type { NarrowingRun } from "./narrow.js";

export interface Finding {
  id: "have" | "target" | "narrow" | "next" | "doubling" | "asymptote" | "gap" | "fit" | "time" | "failures" | "data" | "evidence";
  text: string;
}

export interface FindingsInput {
  analysis: Analysis;
  target: { metric: string; value: number } | null;
  testSize: number;
  runsDone: number;
  runsFailed: number;
  sizesMeasured: number;
  maxSeeds: number;
  studyId: string;
  /** Predicted seconds for one Run at n (measured time per Run vs n), if known. */
  secondsAt?: (n: number) => number | null;
  failures?: { size: number; seed: number; code: string; message: string }[];
  /** The one Run that would narrow a wide answer most (narrow.ts), when there is one. */
  narrowing?: NarrowingRun | null;
  /** What reading the data skipped or warned about (rows, files), so the answer says what it rests on. */
  dataWarnings?: string[];
}

/** Sample counts: 3 significant digits above 1,000, so intervals do not pretend to more precision than they have. */

export function scoreFormatter(metric: string): (v: number) => string {
  const bounded = ["accuracy", "error", "r2", "f1", "balanced_accuracy", "auc"].includes(metric);
  return (v) => (bounded ? v.toFixed(3) : Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
}

const signed = (s: string) => (s.startsWith("-") ? s : `+${s}`);

export function findings(input: FindingsInput): Finding[] {
  const a = input.analysis;
  const f = scoreFormatter(a.metric);
  const out: Finding[] = [];
  const m = a.metric;
  const better = a.direction === "up" ? "higher" : "lower";

  // What you have.
  const maxPt = a.measuredAtMax;
  const pool = `Your training pool has ${int(a.have)} labelled samples (${int(input.testSize)} more are held out for testing)`;
  if (maxPt && maxPt.n === a.have) {
    const spread = maxPt.count > 1 ? ` (±${f(maxPt.sd)} across ${maxPt.count} seeds)` : " (one seed)";
    out.push({ id: "have", text: `${pool}; trained on all of them the model reaches ${m} ${f(maxPt.mean)}${spread}.` });
  } else if (a.scoreAtHave) {
    const s = a.scoreAtHave;
    const measured = maxPt ? `; the largest size measured was ${int(maxPt.n)} (${m} ${f(maxPt.mean)})` : "";
    out.push({ id: "have", text: `${pool}; trained on all of them the model should reach ${m} about ${f(s.mean)} (80% interval ${f(s.lo)}–${f(s.hi)})${measured}.` });
  } else if (maxPt) {
    out.push({ id: "have", text: `${pool}; the largest size measured (${int(maxPt.n)}) reaches ${m} ${f(maxPt.mean)}.` });
  }

  // The target.
  const t = input.target;
  const sf = a.samplesForTarget;
  if (t && sf) {
    const asym = a.asymptote ? ` the curve levels off near ${f(a.asymptote.mean)} (80% interval ${f(a.asymptote.lo)}–${f(a.asymptote.hi)})` : "";
    const finite = Number.isFinite(sf.mean) && sf.mean < 1e9;
    if (sf.reachable === false || (sf.reachable === "uncertain" && (!finite || sf.confidence < 0.5))) {
      const best = a.scoreAtHave ? ` The best it reaches with your data is about ${f(a.scoreAtHave.mean)} (80% interval ${f(a.scoreAtHave.lo)}–${f(a.scoreAtHave.hi)}).` : "";
      const how = sf.reachable === false ? "looks out of reach" : `is probably out of reach (probability it can be reached about ${Math.round(100 * sf.confidence)}%)`;
      out.push({ id: "target", text: `${m} ${f(t.value)} ${how} for this model by adding data alone:${asym}.${best} A bigger or different model, or another strategy, is needed to get there.` });
    } else {
      const need = `about ${count(sf.mean)} samples (80% interval ${count(sf.lo)}–${Number.isFinite(sf.hi) && sf.hi < 1e9 ? count(sf.hi) : "unbounded"})`;
      let rel = "";
      if (sf.hi <= a.have) rel = " You already have enough.";
      else if (sf.mean <= a.have) rel = " You probably have enough already, but the interval reaches beyond your pool.";
      else rel = ` That is about ${timesText(sf.mean / a.have)}× what you have: roughly ${count(sf.mean - a.have)} more labelled samples.`;
      const unsure = sf.reachable === "uncertain" ? ` Whether the target can be reached at all is uncertain (probability about ${Math.round(100 * sf.confidence)}%):${asym}.` : "";
      out.push({ id: "target", text: `Reaching ${m} ${f(t.value)} needs ${need}.${rel}${unsure}` });
    }
  }

  // What would narrow a wide answer.
  const nr = input.narrowing;
  if (nr && t && out.some((x) => x.id === "target")) {
    const time = nr.seconds !== null && Number.isFinite(nr.seconds) ? `, about ${duration(nr.seconds)} on this machine,` : "";
    const after = `${count(nr.after.lo)}–${Number.isFinite(nr.after.hi) && nr.after.hi < 1e9 ? count(nr.after.hi) : "unbounded"}`;
    out.push({ id: "narrow", text: `The interval is wide. One Run at ${int(nr.n)} samples (one seed)${time} would narrow it to roughly ${after} if it scores as the curve forecasts.` });
  }

  // Is more data still worth it?
  if (a.nextGain) {
    const g = a.nextGain;
    const sign = a.direction === "up" ? 1 : -1;
    out.push({ id: "next", text: `The next ${int(g.k)} samples change ${m} by about ${signed(f(sign * g.mean))} (80% interval ${signed(f(sign * g.lo))} to ${signed(f(sign * g.hi))}).` });
  }
  if (a.gainPerDoubling) {
    const d = a.gainPerDoubling;
    const sign = a.direction === "up" ? 1 : -1;
    // How fast the gain shrinks means something only while there is a visible gain to shrink.
    const visible = Number(f(Math.abs(d.mean))) > 0;
    const halving = visible && a.halvingDoublings !== null && a.halvingDoublings < 50 ? `, and that gain halves every ${a.halvingDoublings.toFixed(1)} doublings` : "";
    out.push({ id: "doubling", text: `Doubling the data from ${int(a.have)} changes ${m} by about ${signed(f(sign * d.mean))}${halving}.` });
  }
  if (a.asymptote && !out.some((x) => x.id === "target" && x.text.includes("levels off"))) {
    out.push({ id: "asymptote", text: `With unlimited data this model's ${m} tends to about ${f(a.asymptote.mean)} (80% interval ${f(a.asymptote.lo)}–${f(a.asymptote.hi)}).` });
  }

  // Over- or under-fitting.
  const gap = a.gap;
  if (gap.verdict === "overfits-at-small-n") {
    out.push({ id: "gap", text: `The train/validation gap says the model overfits below about ${count(gap.overfitsBelow!)} samples (gap ≥ ${f(gap.threshold)} in ${m}); from there on train and validation scores stay close.` });
  } else if (gap.verdict === "overfits-everywhere") {
    const last = gap.rows[gap.rows.length - 1]!;
    out.push({ id: "gap", text: `The model overfits at every size measured: at ${int(last.n)} samples it scores ${f(last.train)} on its training rows but ${f(last.valid)} on validation. More data or more regularisation should help.` });
  } else if (gap.verdict === "no-large-gap") {
    out.push({ id: "gap", text: `Train and validation scores stay within ${f(gap.threshold)} of each other at every size: the model is not overfitting, so a larger model may turn extra data into ${better} ${m} faster.` });
  }

  // How far to trust it.
  const warnings = a.diagnostics.filter((d) => d.severity !== "info");
  if (a.confidence === "low" || a.confidence === "none" || warnings.length) {
    const why = warnings.map((d) => d.message).join("; ");
    out.push({ id: "fit", text: `The curve fit is ${a.confidence === "none" ? "not possible yet" : `of ${a.confidence} confidence`}${why ? `: ${why}` : ""}. Treat these numbers as rough; more sizes or seeds (a larger --budget) would tighten them.` });
  }

  // Cost in time.
  const needsSaid = out.some((x) => x.id === "target" && x.text.startsWith("Reaching"));
  if (input.secondsAt && t && sf && needsSaid && Number.isFinite(sf.mean) && sf.mean > a.have) {
    const sec = input.secondsAt(sf.mean);
    if (sec !== null && Number.isFinite(sec)) out.push({ id: "time", text: `Training one model on ${count(sf.mean)} samples would take about ${duration(sec)} on this machine (measured time per Run vs n).` });
  }
  if (input.runsFailed > 0) {
    const ex = (input.failures ?? []).slice(0, 3).map((e) => `n=${int(e.size)} seed ${e.seed}: ${e.code}`).join("; ");
    out.push({ id: "failures", text: `${input.runsFailed} Run${input.runsFailed === 1 ? "" : "s"} failed and ${input.runsFailed === 1 ? "is" : "are"} left out of the curve${ex ? ` (${ex})` : ""}.` });
  }
  if (input.dataWarnings?.length) {
    out.push({ id: "data", text: `Reading the data: ${input.dataWarnings.join("; ")}.` });
  }
  out.push({ id: "evidence", text: `Based on ${input.runsDone} Runs at ${input.sizesMeasured} sizes (up to ${input.maxSeeds} seeds each), stored as study ${input.studyId}.` });
  return out;
}

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** A ratio in words: one decimal below 10 ("3.4"), then a rough count ("370,000", not "369614.8"). */
function timesText(x: number): string {
  return x < 10 ? x.toFixed(1) : count(x);
}
