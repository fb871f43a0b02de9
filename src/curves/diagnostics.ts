/**
 * Checks for ill-behaved curves. Each finding is a Diagnostic; `confidenceFrom` turns them into the overall
 * confidence that callers show next to the numbers, so a doubtful forecast is never printed as a confident one.
 */
import type { FitState } from "./fit.js";
import { memberValue } from "./fit.js";
import type { Confidence, Diagnostic } from "./types.js";

export interface DiagnosticResult {
  diagnostics: Diagnostic[];
  confidence: Confidence;
  /** The curve gives no basis for extrapolation (flat at chance level, or a recent jump): widen forecasts. */
  unpredictable: boolean;
}

const fmt = (v: number): string => (Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3));

export function diagnose(st: FitState): DiagnosticResult {
  const { prep } = st;
  const out: Diagnostic[] = [];
  let severe = false;
  let unpredictable = false;
  const m = prep.agg.length;
  const sizes = prep.agg.map((a) => a.n);
  // "Goodness" g: higher is better whatever the metric's direction.
  const g = prep.agg.map((a) => -prep.orient.toE(a.mean));
  const se = prep.agg.map((a, i) => (prep.hasReplicates ? Math.sqrt(prep.noiseVar[i]! / a.count) : st.sigmaObs));
  const name = prep.metric.name;

  if (m < 4) {
    out.push({ code: "too_few_sizes", severity: "warning", message: `only ${m} distinct sizes: too few to validate the curve families against each other; the forecast rests on one family (pow3)` });
    severe = true;
  } else if (m < 6) {
    out.push({ code: "few_sizes", severity: "warning", message: `only ${m} distinct sizes: the choice among curve families rests on a few held-out points` });
  }
  if (!prep.hasReplicates) {
    out.push({ code: "single_seed", severity: "info", message: "one run per size: the noise level is estimated from the fit's residuals; several seeds per size give better intervals" });
  }

  // Flat: the last third is not measurably better than the first third.
  const k = Math.max(1, Math.floor(m / 3));
  const mean = (a: number[]): number => a.reduce((s, v) => s + v, 0) / a.length;
  const head = mean(g.slice(0, k));
  const tail = mean(g.slice(m - k));
  const seHT = Math.sqrt(mean(se.slice(0, k).map((s) => s * s)) / k + mean(se.slice(m - k).map((s) => s * s)) / k);
  const flat = tail - head < 2 * seHT;

  // Chance level, when known: the whole curve at chance, or a jump away from it.
  const chance = prep.metric.chance;
  let atChanceAll = false;
  if (chance !== undefined) {
    const gc = -prep.orient.toE(chance);
    const tolc = (i: number): number => Math.max(2.5 * se[i]!, 0.02 * Math.abs(gc) + 1e-9);
    const atC = g.map((v, i) => v <= gc + tolc(i));
    // Mostly at chance, including the latest sizes: one stray run above chance does not make a learning curve.
    const share = atC.filter(Boolean).length / m;
    if (atC.every(Boolean) || (m >= 5 && share >= 0.75 && atC.slice(-3).every(Boolean))) {
      atChanceAll = true;
      out.push({ code: "at_chance", severity: "warning", message: atC.every(Boolean)
        ? `${name} stays at chance level (${fmt(chance)}) at every size up to n=${fmt(prep.nMax)}: the model is not learning yet, so no forecast can be read from this curve`
        : `${name} is at chance level (${fmt(chance)}) at ${Math.round(share * 100)}% of the sizes, including the largest: the model is not learning, so no forecast can be read from this curve` });
      severe = true;
      unpredictable = true;
    } else if (atC[0] && atC[1]) {
      const j = atC.findIndex((v) => !v);
      out.push({ code: "jump_from_chance", severity: "warning", message: `${name} sits at chance level up to n=${fmt(sizes[j - 1]!)} and then jumps: learning starts late, and curve families fit such a shape poorly` });
      severe = true;
      if (j >= m - 2) unpredictable = true;
    } else if (atC[m - 1] && !atC[m - 2]) {
      out.push({ code: "fell_to_chance", severity: "warning", message: `${name} falls back to chance level at n=${fmt(prep.nMax)}: check the run at that size (diverged training?)` });
      severe = true;
    }
  }
  if (flat && !atChanceAll) {
    out.push({ code: "flat", severity: "warning", message: `no measurable gain from n=${fmt(sizes[0]!)} to n=${fmt(prep.nMax)}: more data of this kind is unlikely to help, or the model is not learning` });
    severe = true;
  }

  // Non-monotone: significant drops between consecutive sizes.
  const drops: string[] = [];
  for (let i = 0; i + 1 < m; i++) {
    const sd = Math.sqrt(se[i]! ** 2 + se[i + 1]! ** 2);
    if (g[i + 1]! < g[i]! - 3 * sd) drops.push(`n=${fmt(sizes[i]!)}→${fmt(sizes[i + 1]!)}`);
  }
  if (drops.length > 0 && !atChanceAll) {
    out.push({ code: "non_monotone", severity: "warning", message: `${name} gets worse with more data at ${drops.slice(0, 3).join(", ")}${drops.length > 3 ? ` and ${drops.length - 3} more` : ""}: noisy runs or a dip; forecasts assume a monotone curve` });
  }
  // Peaking: the best size is not near the end and the end is clearly worse.
  let iBest = 0;
  for (let i = 1; i < m; i++) if (g[i]! > g[iBest]!) iBest = i;
  if (iBest < m - 2 && g[m - 1]! < g[iBest]! - 3 * Math.sqrt(se[iBest]! ** 2 + se[m - 1]! ** 2) && !atChanceAll) {
    out.push({ code: "peaking", severity: "warning", message: `${name} peaks at n=${fmt(sizes[iBest]!)} and is worse at n=${fmt(prep.nMax)}: more data did not help beyond that point (overfitting, a changing data mix, or training that did not scale with n)` });
    severe = true;
  }
  // Jump without a known chance level: one step carries most of the total gain.
  if (chance === undefined && m >= 4 && !flat) {
    let jBig = -1;
    let step = 0;
    for (let i = 0; i + 1 < m; i++) if (g[i + 1]! - g[i]! > step) {
      step = g[i + 1]! - g[i]!;
      jBig = i;
    }
    const total = Math.max(...g) - Math.min(...g);
    const sd = Math.sqrt(se[jBig]! ** 2 + se[jBig + 1]! ** 2);
    const before = g.slice(0, jBig + 1);
    const flatBefore = before.length >= 2 && Math.max(...before) - Math.min(...before) < 0.25 * step;
    if (step > 0.6 * total && step > 4 * sd && flatBefore) {
      out.push({ code: "jump", severity: "warning", message: `${name} jumps between n=${fmt(sizes[jBig]!)} and n=${fmt(sizes[jBig + 1]!)} after a flat start: curve families fit such a shape poorly` });
      severe = true;
      if (jBig >= m - 3) unpredictable = true;
    }
  }
  // Poor fit: the held-out forecasts miss by much more than the noise.
  const weighted = st.members.filter((mm) => mm.weight > 0 && Number.isFinite(mm.cvError));
  if (weighted.length > 0) {
    const cv = weighted.reduce((s, mm) => s + mm.weight * mm.cvError, 0) / weighted.reduce((s, mm) => s + mm.weight, 0);
    const noise = st.sigmaObs;
    const span = Math.max(...g) - Math.min(...g);
    if (cv > 3 * noise && cv > 0.2 * span) {
      out.push({ code: "poor_fit", severity: "warning", message: `forecasts of held-out larger sizes missed by ${fmt(cv)} on average (noise ≈ ${fmt(noise)}): the curve does not follow a usual learning-curve shape` });
    }
  }
  if (prep.hasReplicates) {
    // Lack of fit against the seed spread.
    let chi = 0;
    prep.agg.forEach((a, i) => {
      let v = 0;
      let w = 0;
      for (const mm of st.members) if (mm.weight > 0) {
        v += mm.weight * memberValue(mm, a.n);
        w += mm.weight;
      }
      chi += (prep.orient.toE(a.mean) - v / w) ** 2 / (se[i]! ** 2);
    });
    if (m >= 5 && chi / m > 4) {
      out.push({ code: "lack_of_fit", severity: "warning", message: `the fitted curve misses the seed means by ${fmt(Math.sqrt(chi / m))}× their standard error: intervals may be too narrow` });
    }
  }

  const warnings = out.filter((d) => d.severity === "warning").length;
  const errors = out.filter((d) => d.severity === "error").length;
  const confidence: Confidence = errors > 0 || severe || warnings >= 2 ? "low" : warnings === 1 ? "medium" : "high";
  return { diagnostics: out, confidence, unpredictable };
}
