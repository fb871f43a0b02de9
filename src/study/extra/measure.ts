/**
 * `estimate --extra <file>`: the extra data set's relevance, measured inside the estimate study. After the
 * study's own Runs, the largest measured sizes (up to three, every seed measured there) are trained again with
 * every extra row added to the training rows: same subsets, seeds, validation slices and test split (the user's
 * only), so the two curves differ by the extra rows alone. Those Runs are ordinary Runs (stored, re-used) whose id
 * includes the extra set's fingerprint.
 */
import type { CurveFit } from "../../curves/index.js";
import { int } from "../../format.js";
import { scoreOf } from "../metrics.js";
import type { OnEvent } from "../events.js";
import { toReportRun } from "../kit/job.js";
import type { Study, StudyRun } from "../kit/study.js";
import { nextFixed } from "../planner.js";
import type { JsonObject } from "../run.js";
import { runStudy, type RunRecord } from "../runner.js";
import type { ExtraData } from "../../data/extra.js";
import { domainTest } from "./domain.js";
import { featureDrift } from "./drift.js";
import type { ExtraReport } from "../estimate-result.js";
import { extraWorth } from "./worth.js";
import { InputError } from "../../errors.js";
import { dirname } from "node:path";
import { keepSimilar, type KeepRule } from "./keep.js";

/** How many of the largest measured sizes are measured again with the extra rows. */
const EXTRA_SIZES = 3;

export interface PreparedExtra {
  data: ExtraData;
  combined: { cacheDir: string; fingerprint: string; rows: number };
}

/** Reads the extra set with the study's encoders and caches the combined copy (before any Run; typed errors). */
export async function prepareExtra<E>(study: Study<E>, file: string): Promise<PreparedExtra> {
  const { deps, dataset } = study;
  if (!deps.loadExtra || !deps.combineWithExtra) throw new InputError("EXTRA_UNSUPPORTED", "this study's data layer cannot read an extra data set");
  const cacheRoot = dirname(dataset.cacheDir!);
  const data = await deps.loadExtra(dataset, file, { cacheRoot });
  if (data.tensors.n === 0) throw new InputError("EXTRA_EMPTY", `${file}: no row with a label of ${dataset.source}'s classes`, { hint: "check the extra file's label column" });
  const combined = await deps.combineWithExtra(dataset, data, { cacheRoot });
  return { data, combined };
}

export async function measureExtra<E>(o: {
  study: Study<E>;
  run: StudyRun;
  extra: PreparedExtra;
  spec: JsonObject;
  recipe: JsonObject | undefined;
  done: RunRecord[];
  aloneFit: CurveFit | null;
  onEvent: OnEvent;
  signal?: AbortSignal;
  /** --extra-keep: keep the extra rows most like yours and measure their worth again (keep.ts). */
  keep?: KeepRule;
}): Promise<{ report: ExtraReport; cancelled: boolean; records: RunRecord[] }> {
  const { study, run, extra } = o;
  const { metric, info, dataset } = study;
  const notes: string[] = [];
  const sizes = [...new Set(o.done.map((r) => r.size))].sort((a, b) => b - a).slice(0, EXTRA_SIZES);
  const order = o.done.filter((r) => sizes.includes(r.size)).map((r) => ({ size: r.size, seed: r.seed })).sort((a, b) => a.seed - b.seed || b.size - a.size);
  const runWith = (withExtra: { cacheDir: string; fingerprint: string; rows: number }) =>
    runStudy({
      store: run.store,
      executor: run.executor,
      studyId: run.studyId,
      makeJob: (size, seed, attempt) => run.makeJob(o.spec, o.recipe, size, seed, attempt, { withExtra }),
      next: (s) => nextFixed({ order, taken: s.taken, time: null, remainingSeconds: null }),
      scoreOf: (r) => scoreOf(r.metrics.test, metric),
      metric,
      onEvent: o.onEvent,
      ...(o.signal ? { signal: o.signal } : {}),
    });
  const outcome = await runWith({ cacheDir: extra.combined.cacheDir, fingerprint: extra.data.fingerprint, rows: extra.combined.rows });
  const points = (records: RunRecord[]) =>
    records.filter((r) => r.status === "done").flatMap((r) => {
      const v = scoreOf(r.result!.metrics.test, metric);
      return v === undefined ? [] : [{ n: r.size, score: v, seed: r.seed }];
    });
  const worth = o.aloneFit ? extraWorth(o.aloneFit, points(o.done), points(outcome.records), info.direction) : null;
  if (!o.aloneFit) notes.push("no pool-alone curve could be fitted: the worth in your samples is not measured");
  if (worth && spansZero(worth)) notes.push(NOISY);

  let domain: ExtraReport["domain"] = null;
  if (study.deps.trainPredict && !outcome.cancelled) {
    o.onEvent({ type: "decision", reason: "extra data: training the domain classifier (your rows against the extra rows)" });
    domain = await domainTest(dataset.tensors, dataset.split.pool, extra.data.tensors, study.deps.trainPredict, { scoreExtra: !!o.keep });
  } else notes.push("the domain classifier was not run");
  let kept: ExtraReport["kept"];
  let keptRecords: RunRecord[] = [];
  let cancelled = outcome.cancelled;
  if (o.keep && domain?.extraScores && study.deps.combineWithExtra && !cancelled) {
    const pick = keepSimilar(domain.extraScores, o.keep.fraction);
    o.onEvent({ type: "decision", reason: `extra data: keeping the ${int(pick.rows.length)} extra rows most like yours (${o.keep.text}) and measuring them again` });
    const combined = await study.deps.combineWithExtra(dataset, extra.data, { cacheRoot: dirname(dataset.cacheDir!), keep: pick.rows });
    // The kept rows' Runs are keyed by the combined copy's fingerprint, which hashes the kept row ids.
    const again = await runWith({ cacheDir: combined.cacheDir, fingerprint: combined.fingerprint, rows: combined.rows });
    keptRecords = again.records;
    cancelled = again.cancelled;
    const w = o.aloneFit ? extraWorth(o.aloneFit, points(o.done), points(again.records), info.direction) : null;
    const keptNotes = w && spansZero(w) ? [NOISY] : [];
    kept = {
      rule: o.keep.text,
      rows: combined.rows,
      weights: pick.weights,
      worth: w,
      sentence: `Keeping the ${int(combined.rows)} extra rows most like yours (${o.keep.text}, importance weight ${Number(pick.weights.min.toPrecision(2))}–${Number(pick.weights.max.toPrecision(2))}): ${w ? worthText(w) : "their worth could not be measured"}.`,
      notes: keptNotes,
      runs: again.records.filter((r) => r.status !== "cancelled").map(toReportRun).sort((a, b) => a.size - b.size || a.seed - b.seed),
    };
  } else if (o.keep) notes.push(`--extra-keep ${o.keep.text} was not applied: ${cancelled ? "the study was cancelled" : "the domain classifier did not run"}`);
  const t = dataset.tensors;
  const width = t.n ? t.x.length / t.n : 0;
  const catWidth = t.cat && t.n ? t.cat.length / t.n : 0;
  const drift = dataset.encoders
    ? featureDrift(
        dataset.encoders,
        { x: t.x, ...(t.cat ? { cat: t.cat } : {}), width, catWidth, rows: dataset.split.pool },
        { x: extra.data.tensors.x, ...(extra.data.tensors.cat ? { cat: extra.data.tensors.cat } : {}), width, catWidth, rows: Int32Array.from({ length: extra.data.tensors.n }, (_, i) => i) },
      )
    : [];
  if (extra.data.dropped) notes.push(`${int(extra.data.dropped)} extra row(s) left out: no label, or a class your data does not have`);
  for (const k of extra.data.skipped ?? []) notes.push(`${int(k.count)} extra file(s) skipped: ${k.reason} (e.g. ${k.examples.slice(0, 2).join(", ")})`);
  if (dataset.encoders?.kind === "image") notes.push("per-feature drift is measured on tables only; for images the domain classifier (a CNN on the pixels) is the test");
  const report: ExtraReport = {
    source: extra.data.source,
    fingerprint: extra.data.fingerprint,
    rows: extra.data.tensors.n,
    dropped: extra.data.dropped,
    domain,
    drift,
    worth,
    sentence: extraSentence(extra.data.tensors.n, worth, domain, drift),
    notes,
    ...(kept ? { kept } : {}),
    runs: outcome.records.filter((r) => r.status !== "cancelled").map(toReportRun).sort((a, b) => a.size - b.size || a.seed - b.seed),
  };
  if (report.domain) delete report.domain.extraScores;
  return { report, cancelled, records: [...outcome.records, ...keptRecords] };
}

/** Said whenever a worth's interval includes 0. */
const NOISY = "the worth's interval spans 0: extra-data worth is noisy where the learning curve is flat (a small score change reads as many samples), so this does not show that the extra rows help or hurt; more seeds or sizes would settle it";

function spansZero(w: { lo: number; hi: number }): boolean {
  return w.lo <= 0 && w.hi >= 0;
}

function worthText(w: NonNullable<ExtraReport["worth"]>): string {
  const n = (v: number) => (Number.isFinite(v) ? int(v) : "∞");
  return `worth about ${n(w.mean)} of yours (80% interval ${n(w.lo)} to ${n(w.hi)}) at ${int(w.n)} of yours`;
}

export function extraSentence(rows: number, worth: ExtraReport["worth"], domain: ExtraReport["domain"], drift: ExtraReport["drift"]): string {
  const n = (v: number) => (Number.isFinite(v) ? int(v) : "∞");
  const parts: string[] = [];
  if (worth) {
    const what = !Number.isFinite(worth.mean)
      ? "worth more than any number of yours on the fitted curve (with them the score passes the pool-alone curve's asymptote)"
      : worth.mean > 0 ? `worth about ${n(worth.mean)} of yours` : worth.mean === 0 ? "worth nothing" : `worth less than nothing: about ${n(-worth.mean)} of yours lost`;
    parts.push(`These ${int(rows)} extra rows are ${what} (80% interval ${n(worth.lo)} to ${n(worth.hi)}) at ${int(worth.n)} of yours`);
  } else parts.push(`The worth of these ${int(rows)} extra rows could not be measured`);
  if (domain) parts.push(`a domain classifier tells them from yours with AUC ${domain.auc.toFixed(2)} (${domain.lo.toFixed(2)}–${domain.hi.toFixed(2)}; 0.5 = indistinguishable)`);
  const top = drift.slice(0, 5).map((d) => `${d.column} ${d.statistic.toUpperCase()} ${d.value.toFixed(2)}`);
  if (top.length) parts.push(`most drifted: ${top.join(", ")}`);
  return parts.join("; ") + ".";
}
