/**
 * strategies(): what can replace more data, measured. The baseline (the plain model and recipe: its Runs are the
 * very Runs `estimate` stores for the same data, model, sizes and seeds) and every lever train on the same nested
 * subsets, seeds and test split, size by size in ascending order; within a size, seed by seed, every arm's Run of a
 * seed before the next seed, so a budget stop leaves balanced, paired data. Re-running re-uses every finished Run
 * through the Store. The answer per lever is an effective data multiplier (summary.ts). Nothing here prints.
 */
import { scoreOf } from "../metrics.js";
import { prepareStudy, type StudyContext, type StudyKind } from "../kit/study.js";
import { toReportRun } from "../kit/job.js";
import { BUDGET_MARGIN, fitTimeModel } from "../planner.js";
import { runKey, runStudy, type RunRecord } from "../runner.js";
import type { StudyEvent } from "../events.js";
import type { ActiveJob, JsonObject, SemiJob } from "../run.js";
import type { StudyOptions } from "../kit/study-options.js";
import { nextRung } from "../compare/ladder.js";
import type { Params, Trial } from "../../strategies/search/index.js";
import { int } from "../../format.js";
import { checkLabelFreeLevers, checkPrivateBaseline, checkSyntheticData, leverChange, parseLevers, type Lever } from "./levers.js";
import type { SyntheticJob } from "../run.js";
import { syntheticFidelity } from "./synthetic.js";
import { loadSource, pretrain, pretrainSelfsup, type PretrainOutcome } from "./pretrain.js";
import type { Dataset } from "../../data/types.js";
import { applyTrial, bestTrial, proposeTrial, searchSpace } from "./search.js";
import { summariseLever, scoreAt, type LeverInput } from "./summary.js";
import { activeArms, checkActiveModel, summariseActive, type ActiveArm, type ActiveLever } from "./active.js";
import type { LeverResult, ScorePoint, StrategiesResult } from "./result.js";
import { bytesPerSample, parsePrices, timeWithSpread, type Prices } from "../../cost/index.js";
import { prepareExtra, type PreparedExtra } from "../extra/measure.js";
import { strategyCosts } from "./cost.js";
import { checkQueueable } from "../queue/job-data.js";
import { prepareUnlabeled, unlabeledDecision, unlabeledFrom, unlabeledReport, type PreparedUnlabeled } from "./unlabeled.js";

export type { StrategiesResult, LeverResult } from "./result.js";

export interface StrategiesOptions extends StudyOptions {
  /** `--try` values ("augment:mixup=0.2", "ensemble:k=5", "search:trials=20", "transfer:backbone=model/"). */
  try: readonly string[];
  /** Prices: each row (baseline and levers) priced to reach the target, ranked by total cost (strategies/cost.ts). */
  cost?: string | Prices;
  /** An extra data set (same columns): a "pool + extra" row on the same paired subsets and seeds. */
  extra?: string;
  /** Unlabelled rows (same columns, the target absent, empty or ignored) for semi and selfsup, in place of the pool's. */
  unlabeled?: string;
}

export type StrategiesEvent = StudyEvent | { type: "arm"; size: number; arms: string[] };

const STRATEGIES: StudyKind = { kind: "strategies", idPrefix: "t", defaultAutoBudget: 30 * 60, validFractionZero: false, validFractionWhy: "for the search lever's choices" };
const BASELINE = "baseline";
/** The --extra row's label (and its Runs' variant). */
export const EXTRA_ROW = "pool + extra";

interface Config {
  spec: JsonObject;
  recipe: JsonObject | undefined;
  ensemble?: number;
  /** transfer:source: the pretrained artifact's key (the Run ids hash it instead of the weights' folder). */
  artifact?: string;
  /** --extra: the combined copy (the user's rows then the extra rows) the Runs train from. */
  withExtra?: { cacheDir: string; fingerprint: string; rows: number };
  /** synthetic: the generator and ratio its Runs make their rows with. */
  synthetic?: SyntheticJob;
  /** semi: the Runs' unlabelled rows and method (RunJob.semi). */
  semi?: SemiJob;
  /** semi with --unlabeled: the combined copy holding the given rows (the Runs' SemiJob.source names them). */
  unlabeled?: { cacheDir: string; fingerprint: string; rows: number };
  /** active: the arm's acquisition trajectory (one Run per seed, at size = its last label count). */
  active?: ActiveJob;
}

export async function strategies(options: StrategiesOptions, ctx: StudyContext<StrategiesEvent> = {}): Promise<StrategiesResult> {
  const levers = parseLevers(options.try);
  const prices = options.cost === undefined ? null : parsePrices(options.cost);
  const study = await prepareStudy<StrategiesEvent>(options, ctx, STRATEGIES);
  const { dataset, deps, target, metric, info, spec: baseSpec, seeds, adaptive, budgetSeconds, validFraction, emit, t0, loadSeconds, storePath, sizes: ladder } = study;
  const poolSize = study.poolSize;
  const configs = new Map<string, Config>([[BASELINE, { spec: baseSpec, recipe: options.recipe }]]);
  const plain = levers.filter((l): l is Exclude<Lever, { kind: "search" } | { kind: "active" }> => l.kind !== "search" && l.kind !== "active");
  const actives = levers.filter((l): l is ActiveLever => l.kind === "active");
  let act: { arms: ActiveArm[]; randomOf: Map<string, string> } = { arms: [], randomOf: new Map() };
  const searches = levers.filter((l): l is Extract<Lever, { kind: "search" }> => l.kind === "search");
  const identical = new Set<string>();
  study.setup(() => {
    checkPrivateBaseline(levers, baseSpec, study.tensors);
    checkSyntheticData(levers, study.tensors);
    checkLabelFreeLevers(levers, study.tensors);
    checkActiveModel(actives, baseSpec, study.tensors);
    act = activeArms(actives, poolSize, options.recipe);
    for (const a of act.arms) configs.set(a.label, { spec: baseSpec, recipe: options.recipe, active: a.job });
    for (const l of plain) {
      const c = leverChange(l, baseSpec, options.recipe);
      if (c.spec !== baseSpec) deps.validateSpec?.(c.spec);
      study.checkRecipe(c.recipe);
      if (c.spec === baseSpec && c.recipe === options.recipe && !c.ensemble && !c.synthetic && !c.semi) identical.add(l.label);
      configs.set(l.label, c);
    }
    // --executor queue: a lever whose Runs name files on this machine (transfer, selfsup, backbone) is refused now,
    // before any Run is queued; every other lever's Runs travel (queue/job-data.ts).
    if (options.executor === "queue") for (const [label, c] of configs) if (label !== BASELINE) checkQueueable(`--try ${label}`, { spec: c.spec, recipe: c.recipe ?? {}, ...(c.artifact ? { artifact: { key: c.artifact } } : {}) });
  });
  // transfer:source: every source loads (and its shape is checked) before anything trains.
  const transfers = plain.filter((l): l is Extract<Lever, { kind: "transfer" }> => l.kind === "transfer");
  const sources = new Map<string, Dataset>();
  await study.setupAsync(async () => {
    for (const l of transfers) sources.set(l.label, await loadSource(l, options, deps, dataset));
  });
  const extra: PreparedExtra | null = options.extra === undefined ? null : await study.setupAsync(() => prepareExtra(study, options.extra!));
  const unl: PreparedUnlabeled | null = options.unlabeled === undefined ? null : await study.setupAsync(() => prepareUnlabeled(study, options.unlabeled!, levers));
  const given = unl ? { cacheDir: unl.combined.cacheDir, fingerprint: unl.data.fingerprint, rows: unl.combined.rows } : null;
  if (given) for (const l of plain) if (l.kind === "semi") configs.set(l.label, { ...configs.get(l.label)!, unlabeled: given });
  if (extra) configs.set(EXTRA_ROW, { spec: baseSpec, recipe: options.recipe, withExtra: { cacheDir: extra.combined.cacheDir, fingerprint: extra.data.fingerprint, rows: extra.combined.rows } });
  const trained = [...plain.filter((l) => !identical.has(l.label)).map((l) => l.label), ...(extra ? [EXTRA_ROW] : [])];
  const key = { kind: "strategies", fingerprint: dataset.fingerprint, spec: baseSpec, recipe: options.recipe ?? "default", levers: levers.map((l) => l.label), sizes: adaptive ? "auto" : ladder, seeds, target, validFraction, ...(extra ? { extra: extra.data.fingerprint } : {}), ...(unl ? { unlabeled: unl.data.fingerprint } : {}) };
  return study.run({ key, record: { data: options.data, budgetSeconds }, sizes: ladder }, async ({ studyId, store, executor, engineVersion, makeJob: jobOf, cancelled: cancel, signal }) => {
    const makeJob = (size: number, seed: number, attempt: number, label?: string) => {
      const c = configs.get(label ?? BASELINE)!;
      return jobOf(c.spec, c.recipe, size, seed, attempt, { ...(c.ensemble ? { ensemble: c.ensemble } : {}), ...(c.artifact ? { artifact: c.artifact } : {}), ...(c.withExtra ? { withExtra: c.withExtra } : {}), ...(c.synthetic ? { synthetic: c.synthetic } : {}), ...(c.semi ? { semi: c.semi } : {}), ...(c.unlabeled ? { unlabeled: c.unlabeled } : {}), ...(c.active ? { active: c.active } : {}) });
    };
    const records: RunRecord[] = [];
    const decisions: string[] = [];
    const decide = (reason: string) => {
      decisions.push(reason);
      emit({ type: "decision", reason });
    };
    if (unl) decide(unlabeledDecision(unl, levers));
    // Pretraining first, once per transfer lever (or never: a finished artifact is re-used), in a worker process.
    const pretrained = new Map<string, PretrainOutcome>();
    for (const l of transfers) {
      if (signal.aborted) cancel([]);
      // Seed 0 is the study's first seed (seeds are 0..seeds-1): one pretrained model serves every seed's Runs.
      const p = await pretrain({ lever: l, source: sources.get(l.label)!, spec: baseSpec, seed: 0, validFraction, engineVersion, storePath, executor, deps }).catch((err: unknown) => {
        // A Ctrl-C during pretraining is a cancellation (nothing finished yet), not a failed pretraining.
        if (signal.aborted) cancel([]);
        throw err;
      });
      pretrained.set(l.label, p);
      configs.set(l.label, leverChange(l, baseSpec, options.recipe, p));
      decide(`${l.label}: ${p.reused ? "re-used the pretrained model" : `pretrained on ${int(p.size)} source rows in ${p.seconds.toFixed(1)} s`} (artifact ${p.key})`);
    }
    // selfsup: one pretext pretraining on the pool's inputs per lever (re-used when its artifact exists).
    for (const l of plain.filter((x): x is Extract<Lever, { kind: "selfsup" }> => x.kind === "selfsup")) {
      if (options.signal?.aborted) cancel([]);
      const p = await pretrainSelfsup({ lever: l, dataset, spec: baseSpec, seed: 0, validFraction, engineVersion, storePath, executor, deps, ...(given ? { unlabeled: { ...given, source: unl!.data.source } } : {}) }).catch((err: unknown) => {
        if (options.signal?.aborted) cancel([]);
        throw err;
      });
      pretrained.set(l.label, p);
      configs.set(l.label, leverChange(l, baseSpec, options.recipe, p));
      decide(`${l.label}: ${p.reused ? "re-used the self-supervised model" : `pretrained on ${int(p.size)} ${unl ? `rows of ${unl.data.source} (--unlabeled)` : "pool rows"} without labels in ${p.seconds.toFixed(1)} s`} (artifact ${p.key})`);
    }
    const valid = (r: RunRecord) => (r.status === "done" ? scoreOf(r.result!.metrics.valid, metric) : undefined);
    const orient = (v: number) => (info.direction === "up" ? v : -v);
    const history = new Map<string, { trial: number; params: Params | null; label: string }[]>();
    const best = new Map<string, LeverResult["best"]>();
    let cancelled = false;

    /** Runs one queue of (arm, seed) at size n; returns false when cancelled. */
    const runQueue = async (n: number, queue: { label: string; seed: number; size?: number }[]): Promise<boolean> => {
      const outcome = await runStudy({
        store,
        executor,
        studyId,
        makeJob,
        next: (s) => {
          for (const q of queue) {
            if (s.taken.has(runKey(q.size ?? n, q.seed, q.label))) continue;
            return { kind: "run", size: q.size ?? n, seed: q.seed, variant: q.label, reason: `${q.label}: n=${int(q.size ?? n)}, seed ${q.seed}`, predictedSeconds: null };
          }
          return { kind: "stop", reason: `n=${int(n)} done` };
        },
        // Progress shows validation scores: a search trial's test score must never be read, even for display.
        scoreOf: (r) => scoreOf(r.metrics.valid, metric),
        metric,
        onEvent: (e) => {
          if (e.type === "stop") return;
          if (e.type === "progress") {
            const done = records.filter((r) => r.status === "done").length;
            emit({ ...e, done: e.done + done, elapsedSeconds: (Date.now() - t0) / 1000 });
            return;
          }
          emit(e);
        },
        signal,
      });
      records.push(...outcome.records);
      return !outcome.cancelled;
    };

    // Cost of a size relative to one baseline Run: measured ratios once known, else guesses (ensemble k, search N).
    const factor = (): number => {
      const base = records.filter((r) => r.variant === BASELINE && r.status === "done");
      const ratio = (label: string, guess: number) => {
        const mine = records.filter((r) => r.variant === label && r.status === "done");
        const b = base.reduce((a, r) => a + r.result!.totalSeconds, 0) / Math.max(1, base.length);
        const m = mine.reduce((a, r) => a + r.result!.totalSeconds, 0) / Math.max(1, mine.length);
        return mine.length && b > 0 ? m / b : guess;
      };
      return 1 + trained.reduce((a, l) => a + ratio(l, configs.get(l)!.ensemble ?? 1.2), 0) + searches.reduce((a, s) => a + (s.trials - 1), 0);
    };
    const timeModel = () => fitTimeModel(records.filter((r) => r.variant === BASELINE && r.status === "done").map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds })));
    const sizeCost = (n: number): number | null => {
      const tm = timeModel();
      return tm ? (BUDGET_MARGIN * tm.predict(n) * factor() * seeds) / Math.max(1, executor.slots) : null;
    };

    const measured: number[] = [];
    let stopReason = "every planned size has been measured";
    let last = -1;
    // A study of active levers alone has no plain sizes to measure: its trajectories are its label counts.
    const sizeLoop = plain.length > 0 || searches.length > 0;
    if (!sizeLoop) stopReason = "active learning only: each trajectory measures its own label counts";
    while (sizeLoop) {
      const rem = study.remaining(10 + 2 * levers.length);
      const pick = nextRung(ladder.length, last, measured.length, (i) => sizeCost(ladder[i]!), rem);
      if (!pick) {
        if (last + 1 < ladder.length) {
          stopReason = `the next size (n=${int(ladder[last + 1]!)}) does not fit the remaining budget (${Math.max(0, Math.round(rem ?? 0))} s)`;
          decide(`stop: ${stopReason}`);
        }
        break;
      }
      const n = ladder[pick.index]!;
      const arms = [BASELINE, ...trained];
      emit({ type: "arm", size: n, arms: [...arms, ...searches.map((s) => s.label)] });
      decide(`n=${int(n)}: ${arms.length + searches.length} arm(s) × ${seeds} seed(s) on the same subsets`);
      // Seed-major: every arm's Run of seed 0, then of seed 1, ... (a stop leaves complete pairs).
      const queue = Array.from({ length: seeds }, (_, seed) => arms.map((label) => ({ label, seed }))).flat();
      if (!(await runQueue(n, queue))) {
        cancelled = true;
        break;
      }
      // Search: trial 0 is the baseline's Runs; each next trial is proposed from this size's history.
      const maxTrials = Math.max(0, ...searches.map((s) => s.trials));
      for (const s of searches) history.set(`${s.label}@${n}`, [{ trial: 0, params: null, label: BASELINE }]);
      const trialScores = (h: { label: string }) => records.filter((r) => r.size === n && r.variant === h.label).map(valid).filter((v): v is number => v !== undefined).map(orient);
      for (let t = 1; t < maxTrials && !cancelled; t++) {
        const round: { label: string; seed: number }[] = [];
        for (const s of searches.filter((x) => x.trials > t)) {
          const h = history.get(`${s.label}@${n}`)!;
          const done: Trial[] = h.filter((x) => x.params).map((x) => ({ params: x.params!, value: mean(trialScores(x)) })).filter((x) => Number.isFinite(x.value));
          const params = proposeTrial(searchSpace(baseSpec), done, t, n, s.trials)!;
          const label = `${s.label}@${n}#${t}`;
          configs.set(label, applyTrial(params, baseSpec, options.recipe));
          h.push({ trial: t, params, label });
          for (let seed = 0; seed < seeds; seed++) round.push({ label, seed });
        }
        if (!(await runQueue(n, round))) cancelled = true;
      }
      if (cancelled) break;
      for (const s of searches) {
        const h = history.get(`${s.label}@${n}`)!;
        const i = bestTrial(h.map((x) => ({ params: x.params, valid: trialScores(x) })));
        if (i >= 0) {
          const list = best.get(s.label) ?? [];
          list.push({ n, trial: h[i]!.trial, params: h[i]!.params, validScore: orient(mean(trialScores(h[i]!))) });
          best.set(s.label, list);
          decide(`${s.label} n=${int(n)}: trial ${h[i]!.trial} is best on validation${h[i]!.params ? ` (${Object.entries(h[i]!.params!).map(([k, v]) => `${k}=${v}`).join(", ")})` : " (the default model)"}`);
        }
      }
      measured.push(n);
      last = pick.index;
    }
    // Active learning: one trajectory Run per (arm, seed), seed-major, each random arm beside its strategies.
    if (!cancelled && act.arms.length) {
      const a0 = act.arms[0]!.job;
      decide(`active: ${act.arms.length} arm(s) × ${seeds} seed(s), one trajectory each (${int(a0.start)} seed labels, +${int(a0.batch)} per round to ${int(a0.max)}; every round retrains from scratch)`);
      // Seed by seed (every arm of a seed, then the next), so a budget stop leaves complete pairs; the next seed
      // starts only when the budget holds another seed as long as the slowest so far.
      let longest = 0;
      for (let seed = 0; seed < seeds && !cancelled; seed++) {
        const rem = study.remaining(10);
        if (seed > 0 && rem !== null && rem < longest) {
          stopReason = `the next seed's trajectories (about ${Math.round(longest)} s) do not fit the remaining budget (${Math.max(0, Math.round(rem))} s)`;
          decide(`stop: ${stopReason}`);
          break;
        }
        const t = Date.now();
        if (!(await runQueue(a0.max, act.arms.map((a) => ({ label: a.label, seed, size: a.job.max }))))) cancelled = true;
        longest = Math.max(longest, (Date.now() - t) / 1000);
      }
    }
    if (cancelled) cancel(records);

    emit({ type: "fitting" });
    const test = (r: RunRecord) => (r.status === "done" ? scoreOf(r.result!.metrics.test, metric) : undefined);
    const pointsOf = (label: string, sizes: readonly number[] = measured): ScorePoint[] =>
      records.filter((r) => r.variant === label && sizes.includes(r.size)).flatMap((r) => {
        const s = test(r);
        return s === undefined ? [] : [{ n: r.size, seed: r.seed, score: s }];
      });
    const baselinePoints = dedupe(pointsOf(BASELINE));
    const secondsOf = (labels: (n: number) => string[]) => {
      let lever = 0;
      let base = 0;
      for (const p of baselinePoints) {
        const runs = labels(p.n).map((l) => records.find((r) => r.variant === l && r.size === p.n && r.seed === p.seed && r.status === "done"));
        if (runs.some((r) => !r)) continue;
        const b = records.find((r) => r.variant === BASELINE && r.size === p.n && r.seed === p.seed && r.status === "done")!;
        // A synthetic Run's fidelity report is a diagnostic, not the lever's cost.
        lever += runs.reduce((a, r) => a + r!.result!.totalSeconds - (r!.result!.synthetic?.fidelity.seconds ?? 0), 0);
        base += b.result!.totalSeconds;
      }
      return base > 0 ? { lever, baseline: base } : null;
    };
    const fitOpts = { info, target: target?.value, pool: poolSize, fitCurve: deps.fitCurve, ...(options.bootstrap !== undefined ? { replicates: options.bootstrap } : {}) };
    const results: LeverResult[] = levers.map((l) => {
      let input: LeverInput;
      if (l.kind === "active") return summariseActive(l, act.arms.find((a) => a.label === l.label)!, act.randomOf.get(l.label)!, records, { ...fitOpts, metric });
      if (l.kind === "search") {
        const chosen = best.get(l.label) ?? [];
        const points = chosen.flatMap((b) => {
          const label = history.get(`${l.label}@${b.n}`)!.find((x) => x.trial === b.trial)!.label;
          return dedupe(pointsOf(label, [b.n]));
        });
        input = { label: l.label, kind: "search", identical: false, points, seconds: secondsOf((n) => (history.get(`${l.label}@${n}`) ?? []).map((x) => x.label)), inferenceX: 1, best: chosen };
      } else {
        const p = pretrained.get(l.label);
        input = { label: l.label, kind: l.kind, identical: identical.has(l.label), points: dedupe(pointsOf(l.label)), seconds: secondsOf(() => [l.label]), inferenceX: l.kind === "ensemble" ? l.k : 1, ...(p ? { pretrain: { seconds: p.seconds, reused: p.reused, artifact: p.key } } : {}) };
        if (l.kind === "synthetic") input.synthetic = syntheticFidelity(records.filter((r) => r.variant === l.label && measured.includes(r.size)), records.filter((r) => r.variant === BASELINE), metric);
        if (l.kind === "semi") input.semi = semiOf(records.filter((r) => r.variant === l.label && r.status === "done").map((r) => r.result!.semi), l.semi);
        if (l.kind === "dp") input.privacy = privacyOf(records.filter((r) => r.variant === l.label && r.status === "done").flatMap((r) => (r.result!.privacy ? [r.result!.privacy] : [])), l.epsilon);
      }
      const row = summariseLever(input, baselinePoints, fitOpts);
      return l.kind === "semi" || l.kind === "selfsup" ? { ...row, unlabeled: unlabeledFrom(unl, dataset.source, poolSize) } : row;
    });
    if (extra) results.push(extraRow(summariseLever({ label: EXTRA_ROW, kind: "extra", identical: false, points: dedupe(pointsOf(EXTRA_ROW)), seconds: secondsOf(() => [EXTRA_ROW]), inferenceX: 1 }, baselinePoints, fitOpts), extra));
    const runSecondsOf = (label: string | null) => {
      const mine = records.filter((r) => r.status === "done" && (label === null ? r.variant === BASELINE : r.variant === label || r.variant?.startsWith(`${label}@`)));
      return mine.reduce((a, r) => a + r.result!.totalSeconds, 0) + (label ? (pretrained.get(label)?.seconds ?? 0) : 0);
    };
    const baseDone = records.filter((r) => r.variant === BASELINE && r.status === "done").map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds }));
    const tm = fitTimeModel(baseDone);
    const costs = prices
      ? strategyCosts({ prices, target: target?.value, info, pool: poolSize, fitCurve: deps.fitCurve, baseline: baselinePoints, levers: results, baseTime: tm ? timeWithSpread(baseDone, (n) => tm.predict(n)) : null, studySeconds: runSecondsOf, threads: executor.threads, device: options.recipe?.device === "cuda" ? "cuda" : "cpu", bytesPerSample: bytesPerSample(study.tensors) })
      : null;
    const result: StrategiesResult = {
      kind: "strategies",
      studyId,
      data: { source: dataset.source, fingerprint: dataset.fingerprint, poolSize, testSize: study.testSize },
      question: { metric, target, model: baseSpec, seeds, sizes: measured, levers: levers.map((l) => l.label) },
      headline: headlineOf(results),
      baseline: { points: baselinePoints, scoreAtPool: scoreAt(baselinePoints, { info, pool: poolSize, fitCurve: deps.fitCurve }) },
      levers: results,
      ...(costs ? { costs } : {}),
      ...(unl ? { unlabeled: unlabeledReport(unl, levers) } : {}),
      measured,
      decisions,
      stopReason,
      runs: records.filter((r) => r.status !== "cancelled").map((r) => ({ ...toReportRun(r), arm: r.variant ?? BASELINE })),
      timing: { wallSeconds: (Date.now() - t0) / 1000, loadSeconds, jobs: executor.slots, threads: executor.threads },
      versions: { enough: deps.enoughVersion, engine: engineVersion, node: process.version },
      store: storePath,
      reports: null,
    };
    return { result, summary: { headline: result.headline } };
  });
}

/**
 * The "pool + extra" row's worth in your samples at the largest measured size: the paired multiplier x there means
 * the pool + extra at n scores like the baseline at x n, so the extra rows are worth (x - 1) n of yours. On a flat
 * baseline curve the inversion is noisy: an interval spanning 0 is said as such.
 */
function extraRow(r: LeverResult, extra: PreparedExtra): LeverResult {
  const m = r.multiplier?.perSize.at(-1);
  const bound: "about" | "at least" | "at most" = m?.kind === "lower-bound" || m?.kind === "beyond-reach" ? "at least" : m?.kind === "upper-bound" ? "at most" : "about";
  const worth = m ? { n: m.n, mean: (m.value - 1) * m.n, lo: m.lo === null ? null : (m.lo - 1) * m.n, hi: m.hi === null ? null : (m.hi - 1) * m.n, bound } : null;
  // A bound is not a reading that spans 0: "at least 0" says the extra rows lift the score past anything measured.
  const spansZero = !!worth && bound === "about" && (worth.lo === null || worth.lo <= 0) && (worth.hi === null || worth.hi >= 0);
  return { ...r, extra: { source: extra.data.source, rows: extra.combined.rows, worth, spansZero } };
}

/** What a dp lever's Runs spent: the budget asked, and the range of epsilon, noise and sampling rate over its Runs. */
function privacyOf(spent: NonNullable<RunRecord["result"]>["privacy"][], target: number): LeverResult["privacy"] {
  const runs = spent.filter((p): p is NonNullable<typeof p> => !!p);
  const range = (f: (p: (typeof runs)[number]) => number) => (runs.length ? { min: Math.min(...runs.map(f)), max: Math.max(...runs.map(f)) } : null);
  return { targetEpsilon: target, runs: runs.length, epsilon: range((p) => p.epsilon), noiseMultiplier: range((p) => p.noiseMultiplier), sampleRate: range((p) => p.sampleRate), delta: range((p) => p.delta) };
}

/** What a semi lever's Runs did with their unlabelled rows (ranges over its Runs). */
function semiOf(runs: (NonNullable<RunRecord["result"]>["semi"] | undefined)[], s: SemiJob): LeverResult["semi"] {
  const done = runs.filter((r): r is NonNullable<typeof r> => !!r);
  const range = (xs: number[]) => (xs.length ? { min: Math.min(...xs), max: Math.max(...xs) } : null);
  return {
    method: s.method,
    threshold: s.threshold,
    ratio: s.ratio,
    rounds: s.rounds,
    runs: done.length,
    unlabeled: range(done.map((r) => r.unlabeled)),
    pseudoLabelled: range(done.flatMap((r) => (r.pseudoLabelled ? [r.pseudoLabelled.reduce((a, b) => a + b, 0)] : []))),
    confident: range(done.flatMap((r) => (r.confident !== undefined ? [r.confident] : []))),
  };
}

function mean(xs: readonly number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

/** One point per (size, seed): a Run retried after a failure is listed once. */
function dedupe(points: ScorePoint[]): ScorePoint[] {
  const m = new Map<string, ScorePoint>();
  for (const p of points) m.set(`${p.n}:${p.seed}`, p);
  return [...m.values()].sort((a, b) => a.n - b.n || a.seed - b.seed);
}

function headlineOf(rows: readonly LeverResult[]): string {
  const helps = rows.filter((r) => r.verdict === "helps");
  if (!helps.length) return `No lever clearly replaces data here: ${rows.map((r) => `${r.label} ${r.verdict}`).join("; ")}.`;
  const top = helps.reduce((a, b) => ((b.multiplier?.atTarget?.value ?? b.multiplier?.atPool?.value ?? 0) > (a.multiplier?.atTarget?.value ?? a.multiplier?.atPool?.value ?? 0) ? b : a));
  return `${top.label} helps most: ${top.summary}.`;
}
