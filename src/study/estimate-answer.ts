/**
 * The estimate's answer from its finished Runs: the curves' analysis, the findings in plain words and the report
 * object. One function for both a study that has just run (estimate.ts) and a study read back from the store
 * (stored.ts: `enough studies report`, the dashboard), so the two answers cannot drift apart.
 */
import type { MetricInfo } from "../curves/types.js";
import { analyse, type AggregateFn, type Analysis, type FitCurveFn } from "./analysis.js";
import { REPORT_SCHEMA, REPORT_VERSION, type EstimateReport, type ReportRun } from "./estimate-result.js";
import { findings as makeFindings } from "./findings.js";
import { toReportRun } from "./kit/job.js";
import { fitTimeModel } from "./planner.js";
import { narrowingRun } from "./narrow.js";
import type { RunRecord } from "./runner.js";

/** The test, validation and train curves of `records` fitted as the estimate fits them. */
export function analyseRuns(
  records: RunRecord[],
  o: { metric: string; info: Pick<MetricInfo, "direction" | "chance" | "lower" | "upper">; target: number | null; have: number; at: number[]; fitCurve: FitCurveFn; aggregate: AggregateFn; bootstrap?: number },
): Analysis {
  return analyse(records, {
    metric: o.metric,
    direction: o.info.direction,
    chance: o.info.chance,
    bounds: { lower: o.info.lower, upper: o.info.upper },
    target: o.target,
    have: o.have,
    at: o.at,
    fitCurve: o.fitCurve,
    aggregate: o.aggregate,
    bootstrap: o.bootstrap,
  });
}

export interface AnswerInput {
  studyId: string;
  analysis: Analysis;
  /** Every Run record of the study (cancelled ones are left out of the report). */
  records: RunRecord[];
  question: EstimateReport["question"];
  data: EstimateReport["data"];
  plan: EstimateReport["plan"];
  timing: Omit<EstimateReport["timing"], "timePerRun">;
  /** enough's, the engine's and the protocol's versions (the first Run's library versions are added). */
  versions: Record<string, string>;
  store: string;
  /**
   * For the Run that would narrow a wide answer most (narrow.ts): the curve fitter and its bootstrap count. Absent
   * (or a cancelled study): no such suggestion.
   */
  narrowing?: { fitCurve: FitCurveFn; info: MetricInfo; bootstrap?: number; cancelled?: boolean };
}

/** The report object of an estimate: findings, headline, curves, forecast and the Runs behind them. */
export function answerReport(o: AnswerInput): EstimateReport {
  const { analysis, records } = o;
  const done = records.filter((r) => r.status === "done");
  const failed = records.filter((r) => r.status === "failed");
  // A (size, seed) whose retry also failed is lost to the curve; its last error is the one to show.
  const lostRuns = [...new Map(failed.filter((f) => !done.some((d) => d.size === f.size && d.seed === f.seed)).map((f) => [`${f.size}:${f.seed}`, f])).values()];
  const finalTime = fitTimeModel(done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })));
  const target = o.question.target;
  const sfNow = analysis.samplesForTarget;
  const nw = o.narrowing;
  const narrowing =
    nw && !nw.cancelled && target && sfNow && sfNow.reachable !== false && Number.isFinite(sfNow.mean)
      ? narrowingRun({
          points: analysis.seedPoints.test,
          fitOptions: { metric: nw.info, seed: 1, bootstrap: Math.min(nw.bootstrap ?? 200, 100) },
          fitCurve: nw.fitCurve,
          target: target.value,
          answer: sfNow,
          pool: o.data.poolSize,
          ...(finalTime ? { secondsAt: (n: number) => finalTime.predict(n) } : {}),
        })
      : null;
  const found = makeFindings({
    narrowing,
    analysis,
    target: o.question.target,
    dataWarnings: o.data.warnings,
    testSize: o.data.testSize,
    runsDone: done.length,
    runsFailed: lostRuns.length,
    sizesMeasured: new Set(done.map((r) => r.size)).size,
    maxSeeds: Math.max(0, ...analysis.points.test.map((p) => p.count)),
    studyId: o.studyId,
    secondsAt: finalTime ? (n) => finalTime.predict(n) : undefined,
    failures: lostRuns.map((f) => ({ size: f.size, seed: f.seed, code: f.error!.code, message: f.error!.message })),
  });
  const runs: ReportRun[] = records
    .filter((r) => r.status !== "cancelled")
    .map(toReportRun)
    .sort((a, b) => a.size - b.size || a.seed - b.seed || a.attempt - b.attempt);
  const sfa = analysis.samplesForTarget;
  const curve = (s: "test" | "valid" | "train") => ({ points: analysis.points[s], seedPoints: analysis.seedPoints[s], fit: analysis.fits[s]?.toJSON() ?? null, ...(analysis.fitErrors[s] ? { error: analysis.fitErrors[s] } : {}) });
  return {
    schema: REPORT_SCHEMA,
    version: REPORT_VERSION,
    studyId: o.studyId,
    createdAt: new Date().toISOString(),
    status: "done",
    headline: (found.find((f) => f.id === "target") ?? found.find((f) => f.id === "have") ?? found[0]!).text,
    findings: found,
    question: o.question,
    data: o.data,
    points: analysis.points.test,
    predictions: analysis.predictions,
    samplesForTarget: sfa ? { mean: sfa.mean, lo: sfa.lo, hi: sfa.hi, reachable: sfa.reachable, confidence: sfa.confidence } : null,
    curves: { test: curve("test"), valid: curve("valid"), train: curve("train") },
    band: analysis.band,
    forecast: {
      have: o.data.poolSize,
      scoreAtHave: analysis.scoreAtHave,
      measuredAtMax: analysis.measuredAtMax,
      nextGain: analysis.nextGain,
      gainPerDoubling: analysis.gainPerDoubling,
      halvingDoublings: analysis.halvingDoublings,
      asymptote: analysis.asymptote,
    },
    gap: analysis.gap,
    confidence: analysis.confidence,
    diagnostics: analysis.diagnostics,
    runs,
    plan: o.plan,
    timing: { ...o.timing, timePerRun: done.map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, reused: r.reused })).sort((a, b) => a.n - b.n) },
    versions: { ...o.versions, ...(done[0]?.result?.versions ?? {}) },
    store: o.store,
    reports: null,
    ...(narrowing ? { narrowing } : {}),
  };
}
