/**
 * From a comparison's finished Runs to its report: one analysis per variant (estimate's analyse: fits with
 * intervals, samples for the target, the gap), the paired frontier and its crossovers, the overfitting diagnosis,
 * cost (parameters, FLOPs, time per Run), the pruning ledger and the plain-words recommendation. Pure.
 */
import type { AggregatedPoint, CurveFit, MetricInfo } from "../../curves/index.js";
import type { Dataset } from "../../data/types.js";
import { COMPARE_REPORT_SCHEMA, COMPARE_REPORT_VERSION, type CompareReport, type CompareVariantReport } from "./result.js";
import { analyse, type AggregateFn, type Analysis, type FitCurveFn } from "../analysis.js";
import type { Axis, Variant } from "./axes.js";
import { diagnoseGaps } from "./diagnosis.js";
import { flopsText } from "../../engine/flops.js";
import { fittedFrontier, frontierSentence, measuredFrontier } from "./frontier.js";
import { rowsOf, scoreTable } from "./paired.js";
import type { Domination } from "./prune.js";
import type { CompareOptions } from "./options.js";
import { roughCount as count } from "../../format.js";
import { duration, scoreFormatter } from "../findings.js";
import { toReportRun } from "../kit/job.js";
import type { Target } from "../kit/options.js";
import type { TimeModel } from "../planner.js";
import type { JsonObject } from "../run.js";
import type { RunRecord } from "../runner.js";
import { int } from "../../format.js";

export interface SummaryInput {
  studyId: string;
  options: CompareOptions;
  axes: Axis[];
  variants: Variant[];
  records: RunRecord[];
  dropped: (Domination & { atSize: number })[];
  flops: ReadonlyMap<string, number | null>;
  timeModels: ReadonlyMap<string, TimeModel | null>;
  ladder: number[];
  measured: number[];
  decisions: string[];
  stopReason: string;
  adaptive: boolean;
  seeds: number;
  budgetSeconds: number | null;
  validFraction: number;
  pruneMargin: number | null;
  pruneWhy: string;
  target: Target | null;
  metric: string;
  info: MetricInfo;
  dataset: Dataset;
  baseSpec: JsonObject;
  fitCurve: FitCurveFn;
  aggregate: AggregateFn;
  bootstrap?: number;
  timing: { wallSeconds: number; loadSeconds: number; busySeconds: number; jobs: number; threads: number };
  versions: Record<string, string>;
  store: string;
}

export function summarise(input: SummaryInput): CompareReport {
  const f = scoreFormatter(input.metric);
  const poolSize = input.dataset.split.pool.length;
  const sign = input.info.direction === "up" ? 1 : -1;
  const analyses = new Map<string, Analysis>();
  for (const v of input.variants) {
    analyses.set(
      v.label,
      analyse(
        input.records.filter((r) => r.variant === v.label),
        {
          metric: input.metric,
          direction: input.info.direction,
          chance: input.info.chance,
          bounds: { lower: input.info.lower, upper: input.info.upper },
          target: input.target?.value ?? null,
          have: poolSize,
          at: [],
          fitCurve: input.fitCurve,
          aggregate: input.aggregate,
          bootstrap: input.bootstrap,
        },
      ),
    );
  }
  const diagnosis = diagnoseGaps(
    input.variants.map((v) => ({ id: v.label, label: v.label, values: v.values, gap: analyses.get(v.label)!.gap })),
    f,
    count,
    input.info.direction,
  );
  const variantReports: CompareVariantReport[] = input.variants.map((v) => {
    const a = analyses.get(v.label)!;
    const recs = input.records.filter((r) => r.variant === v.label);
    const done = recs.filter((r) => r.status === "done");
    const drop = input.dropped.find((d) => d.variant === v.label);
    const sf = a.samplesForTarget;
    const tm = input.timeModels.get(v.label);
    const reachable = sf && sf.reachable !== false && Number.isFinite(sf.mean);
    return {
      id: v.id,
      label: v.label,
      values: v.values,
      spec: v.spec,
      recipe: v.recipe,
      status: drop ? "pruned" : "kept",
      pruned: drop ? { atSize: drop.atSize, by: drop.by, reason: drop.reason } : null,
      paramCount: done.find((r) => r.result)?.result?.paramCount ?? null,
      flops: input.flops.get(v.label) ?? null,
      points: a.points.test,
      seedPoints: a.seedPoints.test,
      trainPoints: a.points.train,
      validPoints: a.points.valid,
      fit: a.fits.test?.toJSON() ?? null,
      fitError: a.fitErrors.test ?? null,
      band: a.band,
      confidence: a.confidence,
      diagnostics: a.diagnostics,
      samplesForTarget: sf ? { mean: sf.mean, lo: sf.lo, hi: sf.hi, reachable: sf.reachable, confidence: sf.confidence } : null,
      secondsForTarget: reachable && tm ? tm.predict(sf!.mean) : null,
      scoreAtHave: a.scoreAtHave,
      asymptote: a.asymptote,
      measuredAtMax: a.measuredAtMax,
      gap: a.gap,
      diagnosis: diagnosis.get(v.label)!,
      timePerRun: done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, reused: r.reused })).sort((x, y) => x.n - y.n),
      runs: { done: done.length, failed: recs.filter((r) => r.status === "failed").length, reused: recs.filter((r) => r.reused).length },
    };
  });

  // Frontier.
  const labels = input.variants.map((v) => v.label);
  const table = scoreTable(rowsOf(input.records, input.metric), input.info.direction);
  const measured = measuredFrontier(table, labels).map((row) => ({
    ...row,
    scores: Object.fromEntries(Object.entries(row.scores).map(([k, s]) => [k, sign * s])),
  }));
  // A fit that misses its own measured means cannot say which variant leads between or beyond them.
  const misfits: string[] = [];
  const fits = new Map(
    input.variants.flatMap((v) => {
      const a = analyses.get(v.label)!;
      if (!a.fits.test) return [];
      if (missesPoints(a.fits.test, a.points.test)) {
        misfits.push(v.label);
        return [];
      }
      return [[v.label, a.fits.test] as const];
    }),
  );
  const maxMeasured = (l: string) => analyses.get(l)!.points.test.at(-1)?.n ?? 0;
  const allN = measured.map((m) => m.n);
  const nLo = allN.length ? Math.min(...allN) : 1;
  // Up to the pool (what the user can act on) or the largest size measured, whichever is larger.
  const nHi = Math.max(poolSize, ...allN);
  const fitted = fittedFrontier(fits, {
    direction: input.info.direction,
    nLo,
    nHi,
    nMaxOf: (l) => (input.dropped.some((d) => d.variant === l) ? maxMeasured(l) : Infinity),
    measuredMaxOf: maxMeasured,
  });
  const sentence = frontierSentence(fitted, (l) => l, count);

  // Best choices.
  let atHave: CompareReport["best"]["atHave"] = null;
  for (const v of variantReports) {
    if (v.status === "pruned" || !v.scoreAtHave) continue;
    if (!atHave || sign * v.scoreAtHave.mean > sign * atHave.score.mean) atHave = { variant: v.label, score: v.scoreAtHave };
  }
  const reach = variantReports.filter((v) => v.samplesForTarget && v.samplesForTarget.reachable !== false && Number.isFinite(v.samplesForTarget.mean) && v.samplesForTarget.mean < 1e9);
  const leastDataV = reach.reduce<CompareVariantReport | null>((b, v) => (!b || v.samplesForTarget!.mean < b.samplesForTarget!.mean ? v : b), null);
  const leastTimeV = reach.filter((v) => v.secondsForTarget !== null).reduce<CompareVariantReport | null>((b, v) => (!b || v.secondsForTarget! < b.secondsForTarget! ? v : b), null);
  const best: CompareReport["best"] = {
    atHave,
    leastData: leastDataV ? { variant: leastDataV.label, samples: { mean: leastDataV.samplesForTarget!.mean, lo: leastDataV.samplesForTarget!.lo, hi: leastDataV.samplesForTarget!.hi } } : null,
    leastTime: leastTimeV ? { variant: leastTimeV.label, seconds: leastTimeV.secondsForTarget!, samples: leastTimeV.samplesForTarget!.mean } : null,
  };

  // Pruning ledger: Runs the dropped variants would have had at the sizes measured after they were dropped.
  let runsSaved = 0;
  let secondsSaved = 0;
  let secondsKnown = true;
  for (const d of input.dropped) {
    for (const n of input.measured.filter((m) => m > d.atSize)) {
      runsSaved += input.seeds;
      const t = input.timeModels.get(d.variant);
      if (t) secondsSaved += input.seeds * t.predict(n);
      else secondsKnown = false;
    }
  }

  const recommendation = recommend(input, variantReports, measured, sentence, best, f);
  const findings = moreFindings(input, variantReports, runsSaved, secondsSaved, f);
  if (misfits.length) {
    findings.splice(findings.length - 1, 0, {
      id: "misfit",
      text: `The fitted curve of ${misfits.join(" and ")} misses its own measured means by more than their seed spread allows, so the fitted frontier leaves it out; more sizes or seeds would give it a usable curve.`,
    });
  }
  const runs = input.records
    .filter((r) => r.status !== "cancelled")
    .map((r) => ({ ...toReportRun(r), variant: r.variant ?? "" }))
    .sort((a, b) => a.variant.localeCompare(b.variant) || a.size - b.size || a.seed - b.seed || a.attempt - b.attempt);
  const ds = input.dataset;
  return {
    schema: COMPARE_REPORT_SCHEMA,
    version: COMPARE_REPORT_VERSION,
    studyId: input.studyId,
    createdAt: new Date().toISOString(),
    status: "done",
    headline: recommendation[0] ?? "No variant could be measured.",
    recommendation,
    findings,
    question: {
      data: input.options.data,
      targetColumn: input.options.targetColumn ?? ds.schema.target ?? null,
      target: input.target,
      metric: input.metric,
      direction: input.info.direction,
      model: input.baseSpec,
      recipe: input.options.recipe ?? "default",
      axes: input.axes.map((a) => ({ name: a.name, values: a.labels })),
      sizes: input.adaptive ? "auto" : input.ladder,
      seeds: input.seeds,
      budgetSeconds: input.budgetSeconds,
      validFraction: input.validFraction,
      pruneMargin: input.pruneMargin,
    },
    data: { source: ds.source, fingerprint: ds.fingerprint, kind: ds.schema.kind, task: ds.tensors.task, rows: ds.tensors.n, poolSize, testSize: ds.split.test.length, numClasses: ds.tensors.numClasses, warnings: ds.report.warnings },
    variants: variantReports,
    frontier: { measured, fitted, sentence },
    best,
    pruning: {
      enabled: input.pruneWhy === "on" && input.pruneMargin !== null,
      why: input.pruneMargin === null && input.pruneWhy === "on" ? "no default margin for an unbounded metric; pass pruneMargin" : input.pruneWhy,
      margin: input.pruneMargin,
      dropped: input.dropped.map((d) => ({ variant: d.variant, atSize: d.atSize, by: d.by, reason: d.reason })),
      runsSaved,
      secondsSaved: secondsKnown ? secondsSaved : null,
    },
    runs,
    plan: { sizes: input.ladder, measured: input.measured, decisions: input.decisions, stopReason: input.stopReason },
    timing: { ...input.timing, runSeconds: input.records.filter((r) => r.status === "done" && !r.reused).reduce((a, r) => a + r.result!.totalSeconds, 0) },
    versions: input.versions,
    store: input.store,
    reports: null,
  };
}

/**
 * Whether a fit misses a measured mean by more than 3 standard errors of that mean (seed spread, at least 0.01 of
 * the score's scale so that identical seeds do not make every fit fail).
 */
export function missesPoints(fit: CurveFit, points: readonly AggregatedPoint[]): boolean {
  const scale = Math.max(...points.map((p) => Math.abs(p.mean)), 1e-9);
  return points.some((p) => {
    let m: number;
    try {
      m = fit.scoreAt(p.n).mean;
    } catch {
      return true;
    }
    const se = Math.max(p.count > 1 ? p.sd / Math.sqrt(p.count) : 0, 0.01 * Math.min(1, scale));
    return !(Math.abs(m - p.mean) <= 3 * se);
  });
}

/** Measured sizes are exact; only forecasts are rounded. */

/** Beyond this many times the largest size measured, a samples-for-target figure is a far extrapolation. */
const FAR = 20;
const far = (n: number, nMax: number) => `~${count(n / nMax)}× beyond the largest size measured: a far extrapolation`;

function recommend(
  input: SummaryInput,
  vs: CompareVariantReport[],
  measured: CompareReport["frontier"]["measured"],
  sentence: string | null,
  best: CompareReport["best"],
  f: (v: number) => string,
): string[] {
  const out: string[] = [];
  const m = input.metric;
  const nMax = Math.max(0, ...measured.map((r) => r.n));
  if (sentence) {
    // The fitted envelope is a reading of curves; say how much of it the paired measurements back.
    const paired = measured.filter((r) => r.advantage && r.advantage.count >= 2);
    const clear = paired.filter((r) => r.clear).length;
    const backing = !paired.length
      ? " (read off the fitted curves; one seed per size, so no paired check)"
      : clear === paired.length
        ? ` (the leader's paired lead is clear at every size measured)`
        : ` (read off the fitted curves; the leader's paired lead is clear at ${clear} of ${paired.length} sizes measured${clear === 0 ? ", so the variants are still within noise of each other" : ""})`;
    // One parenthesis, not two in a row, when the sentence already ends with its own note.
    const base = sentence.replace(/\.$/, "");
    out.push((base.endsWith(")") ? `${base.slice(0, -1)}; ${backing.trim().slice(1, -1)})` : base + backing) + ".");
  }
  const last = measured.at(-1);
  if (last) {
    const a = last.advantage;
    const vsTxt = last.runnerUp
      ? a && a.count >= 2
        ? `${last.clear ? "clearly ahead of" : "not clearly ahead of"} ${last.runnerUp} (${a.mean >= 0 ? "+" : ""}${f(a.mean)}, paired 80% interval ${f(a.lo)} to ${f(a.hi)} over ${a.count} seeds)`
        : `ahead of ${last.runnerUp} by ${f(Math.abs(a?.mean ?? 0))} (one seed: no paired interval)`
      : "the only variant measured there";
    out.push(`At the largest size measured (${int(last.n)} samples) ${last.best} scores ${m} ${f(last.scores[last.best]!)}, ${vsTxt}.`);
  }
  if (best.atHave) {
    const s = best.atHave.score;
    const pool = input.dataset.split.pool.length;
    const beyond = nMax > 0 && pool > 2 * nMax ? `, extrapolated from n ≤ ${int(nMax)}` : "";
    out.push(`With all ${int(pool)} samples of your pool, ${best.atHave.variant} should reach ${m} about ${f(s.mean)} (80% interval ${f(s.lo)}–${f(s.hi)})${beyond}, the best of the variants kept.`);
  }
  if (input.target) {
    const t = `${m} ${f(input.target.value)}`;
    if (best.leastData) {
      const s = best.leastData.samples;
      const hi = Number.isFinite(s.hi) && s.hi < 1e9 ? count(s.hi) : "unbounded";
      let txt: string;
      if (nMax > 0 && s.mean > FAR * nMax) {
        // Naming a winner (or a training time) from a curve stretched that far would overstate what was measured.
        txt = `No variant is shown to reach ${t} near the sizes measured: the nearest is ${best.leastData.variant} at about ${count(s.mean)} samples (80% interval ${count(s.lo)}–${hi}), ${far(s.mean, nMax)}`;
      } else {
        txt = `Fewest samples for ${t}: ${best.leastData.variant}, about ${count(s.mean)} (80% interval ${count(s.lo)}–${hi})`;
        const lt = best.leastTime;
        if (lt && lt.variant !== best.leastData.variant) txt += `; least training time: ${lt.variant} (about ${duration(lt.seconds)} per Run at its ${count(lt.samples)} samples)`;
        else if (lt) txt += `, which is also the fastest to train there (about ${duration(lt.seconds)} per Run)`;
      }
      out.push(txt + ".");
    } else if (!vs.some((v) => v.fit)) out.push(`How many samples ${t} needs cannot be said yet: no curve could be fitted (${input.measured.length} size${input.measured.length === 1 ? "" : "s"} measured, at least 3 needed); a larger --budget measures more sizes, and a re-run re-uses every finished Run.`);
    else out.push(`No variant is expected to reach ${t} by adding data alone, within the fitted intervals.`);
  }
  return out;
}

function moreFindings(input: SummaryInput, vs: CompareVariantReport[], runsSaved: number, secondsSaved: number, f: (v: number) => string): { id: string; text: string }[] {
  const out: { id: string; text: string }[] = [];
  for (const v of vs) {
    const cost = [v.paramCount !== null ? `${v.paramCount.toLocaleString("en-US")} parameters` : null, v.flops !== null ? `${flopsText(v.flops)} per sample forward` : null];
    const t = v.timePerRun.at(-1);
    if (t) cost.push(`${duration(t.seconds)} per Run at ${int(t.n)}`);
    const sf = v.samplesForTarget;
    const nMax = v.measuredAtMax?.n ?? 0;
    const need =
      input.target && sf
        ? sf.reachable === false || !Number.isFinite(sf.mean)
          ? `; ${input.metric} ${f(input.target.value)} out of reach`
          : `; needs ~${count(sf.mean)} samples for ${input.metric} ${f(input.target.value)}${nMax > 0 && sf.mean > FAR * nMax ? ` (${far(sf.mean, nMax)})` : ""}`
        : "";
    const fit = v.confidence === "low" || v.confidence === "none" ? ` (curve fit ${v.confidence === "none" ? "not possible" : "of low confidence"})` : "";
    out.push({ id: `variant:${v.label}`, text: `${v.label}: ${cost.filter(Boolean).join(", ")}${need}${fit}; ${v.diagnosis.text}.` });
  }
  const dropped = vs.filter((v) => v.pruned);
  if (dropped.length) {
    for (const v of dropped) out.push({ id: `pruned:${v.label}`, text: `Dropped ${v.label} after n=${int(v.pruned!.atSize)}: ${v.pruned!.reason}.` });
    out.push({ id: "pruning", text: `Pruning saved ${runsSaved} Run${runsSaved === 1 ? "" : "s"}${secondsSaved > 0 ? ` (about ${duration(secondsSaved)} of training)` : ""}.` });
  } else if (input.pruneWhy !== "on") out.push({ id: "pruning", text: `No variant was dropped early (pruning ${input.pruneWhy}).` });
  else out.push({ id: "pruning", text: "No variant was clearly dominated at every size measured, so none was dropped early." });
  const done = input.records.filter((r) => r.status === "done");
  const reused = done.filter((r) => r.reused).length;
  out.push({
    id: "evidence",
    text: `Based on ${done.length} Runs (${reused} re-used from the store) of ${vs.length} variants at ${input.measured.length} size${input.measured.length === 1 ? "" : "s"} × up to ${input.seeds} seed${input.seeds === 1 ? "" : "s"}, every variant on the same subsets; stopped because ${input.stopReason || "–"}; study ${input.studyId}.`,
  });
  return out;
}
