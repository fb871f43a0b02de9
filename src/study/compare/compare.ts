/**
 * compare(): learning curves for several variants of a model (capacity, regularisation, any Recipe field), on the
 * same nested subsets and seeds so that their differences are paired. Sizes are measured in ascending rungs with
 * the Store's re-use, the budget checked before each rung and Run, and clearly dominated variants dropped early
 * (prune.ts). The answer (frontier, crossovers, gap diagnosis, samples for the target, cost) is built by
 * summary.ts. Nothing here prints: progress goes out as events.
 */
import { InputError } from "../../errors.js";
import { forwardFlops } from "../../engine/flops.js";
import { prepareStudy, type StudyKind } from "../kit/study.js";
import type { StudyDeps } from "../kit/deps.js";
import { scoreOf } from "../metrics.js";
import { BUDGET_MARGIN, fitTimeModel, type TimeModel } from "../planner.js";
import { runKey, runStudy, type RunRecord } from "../runner.js";
import { expandVariants, parseAxes, type Axis, type Variant } from "./axes.js";
import { nextRung, predictRunSeconds } from "./ladder.js";
import type { CompareEvent, CompareOptions } from "./options.js";
import { rowsOf, scoreTable } from "./paired.js";
import { prune, type Domination } from "./prune.js";
import type { CompareReport } from "./result.js";
import { summarise } from "./summary.js";
import { int } from "../../format.js";

export type { CompareEvent, CompareOptions } from "./options.js";

const COMPARE: StudyKind = { kind: "compare", idPrefix: "c", defaultAutoBudget: 20 * 60, validFractionZero: false, validFractionWhy: "for the train/validation gap" };

/**
 * Returns the answer as a CompareReport and writes no files: the caller writes the report where it wants
 * (`writeCompareReport(report, dir)` from the report layer, or the CLI's --out).
 */
export async function compare(options: CompareOptions, ctx: { onEvent?: (e: CompareEvent) => void; deps?: Partial<StudyDeps> } = {}): Promise<CompareReport> {
  const axes: Axis[] = options.vary.length && typeof options.vary[0] === "string" ? parseAxes(options.vary as string[]) : [...(options.vary as Axis[])];
  if (!axes.length) parseAxes([]);
  // The data is encoded once; every worker process loads the same cache once and serves all variants' Runs.
  const study = await prepareStudy<CompareEvent>(options, ctx, COMPARE);
  const { dataset, deps, target, metric, info, spec: baseSpec, seeds, adaptive, budgetSeconds, validFraction, emit, t0, loadSeconds, storePath, sizes: ladder } = study;
  const tensors = study.tensors;
  const poolSize = study.poolSize;

  const { variants, flops } = study.setup(() => {
    const variants: Variant[] = expandVariants(axes, { spec: baseSpec, recipe: options.recipe }, {
      parseFamily: (name) => deps.parseModelArg(name),
      validate: (spec, recipe) => {
        deps.validateSpec?.(spec);
        study.checkRecipe(recipe);
      },
    });
    const flops = new Map<string, number | null>();
    for (const v of variants) {
      try {
        flops.set(v.label, forwardFlops(v.spec as never, tensors));
      } catch (err) {
        // With the real engine a spec that cannot take this data (cnn on tabular data) fails here, naming the variant.
        if (deps.validateSpec) throw new InputError("BAD_AXIS_VALUE", `--vary ${v.label}: ${(err as Error).message}`, { hint: "choose values that fit the data kind", cause: err });
        flops.set(v.label, null);
      }
    }
    return { variants, flops };
  });
  emit({ type: "variants", count: variants.length, labels: variants.map((v) => v.label), axes: axes.map((a) => a.name) });

  const bounded = info.upper !== undefined && info.lower !== undefined;
  const pruneMargin = options.pruneMargin === false ? null : options.pruneMargin ?? (bounded ? 0.01 : null);
  const pruneWhy = options.pruneMargin === false ? "turned off" : seeds < 2 ? "needs at least 2 seeds (paired intervals); ran with 1" : variants.length < 2 ? "one variant" : "on";

  const studyKey = { kind: "compare", fingerprint: dataset.fingerprint, spec: baseSpec, recipe: options.recipe ?? "default", variants: variants.map((v) => v.id), sizes: adaptive ? "auto" : ladder, seeds, target, validFraction, pruneMargin };
  const record = { data: options.data, axes: axes.map((a) => `${a.name}=${a.labels.join(",")}`), budgetSeconds };
  return study.run({ key: studyKey, record, sizes: ladder }, async ({ studyId, store, executor, engineVersion, makeJob: jobOf, cancelled: cancel, signal }) => {
    const byLabel = new Map(variants.map((v) => [v.label, v]));
    // Built exactly as estimate builds its Runs, so a variant equal to an estimated model re-uses those Runs.
    const makeJob = (size: number, seed: number, attempt: number, label?: string) => {
      const v = byLabel.get(label!)!;
      return jobOf(v.spec, { ...options.recipe, ...v.recipe }, size, seed, attempt);
    };

    const stored = (size: number, seed: number, label: string) => store.getRun(makeJob(size, seed, 0, label).job.runId)?.status === "done";
    const records: RunRecord[] = [];
    const decisions: string[] = [];
    const dropped: (Domination & { atSize: number })[] = [];
    const alive = () => variants.filter((v) => !dropped.some((d) => d.variant === v.label)).map((v) => v.label);
    const reserve = 10 + 3 * variants.length;
    const remaining = () => study.remaining(reserve);
    const timeModels = new Map<string, TimeModel | null>();
    const refreshTimes = (recs: readonly RunRecord[]) => {
      for (const v of variants) {
        const obs = recs.filter((r) => r.variant === v.label && r.status === "done").map((r) => ({ n: r.size, seconds: r.result!.totalSeconds, trainSeconds: r.result!.seconds }));
        timeModels.set(v.label, fitTimeModel(obs));
      }
    };
    const predict = (label: string, n: number) => predictRunSeconds(label, n, timeModels, flops);
    const decide = (reason: string) => {
      decisions.push(reason);
      emit({ type: "decision", reason });
    };
    let stopReason = "";
    let cancelled = false;
    let busySeconds = 0;
    const measured: number[] = [];

    let last = -1;
    for (;;) {
      const live = alive();
      const rung = (i: number, k: number) => {
        const at = ladder[i]!;
        const q = [] as { label: string; seed: number }[];
        // Longest Runs first within a seed, so the slots finish together.
        for (let seed = 0; seed < k; seed++) q.push(...[...live].sort((a, b) => (predict(b, at) ?? 0) - (predict(a, at) ?? 0)).map((label) => ({ label, seed })));
        // A Run the Store already has costs nothing: a re-run spends its budget on the sizes still missing.
        const cost = (x: { label: string; seed: number }) => (stored(at, x.seed, x.label) ? 0 : predict(x.label, at));
        const known = q.every((x) => cost(x) !== null);
        return { q, seconds: known ? q.reduce((a, x) => a + cost(x)!, 0) / Math.max(1, executor.slots) : null };
      };
      // All seeds if that still leaves enough sizes for a fit; else fewer (at least 2 while pairing needs them).
      const rem = remaining();
      let choice: { k: number; index: number; sizes: number } | null = null;
      for (let k = seeds; k >= Math.min(2, seeds); k--) {
        const r = nextRung(ladder.length, last, measured.length, (i) => {
          const c = rung(i, k).seconds;
          return c === null ? null : BUDGET_MARGIN * c;
        }, rem);
        if (r && (!choice || (measured.length + choice.sizes < 3 && r.sizes > choice.sizes))) choice = { k, ...r };
      }
      if (!choice) {
        if (last + 1 >= ladder.length) stopReason = "every planned size has been measured";
        else {
          const next = rung(last + 1, Math.min(2, seeds));
          stopReason = `the next size (n=${int(ladder[last + 1]!)}: ${next.q.length} Runs, about ${Math.round(next.seconds ?? 0)} s) does not fit the remaining budget (${Math.max(0, Math.round(rem ?? 0))} s)`;
          decide(`stop: ${stopReason}`);
        }
        break;
      }
      const ri = choice.index;
      const k = choice.k;
      const n = ladder[ri]!;
      const plan = rung(ri, k);
      const queue = plan.q;
      const rungSeconds = plan.seconds;
      if (ri > last + 1) decide(`skip n=${ladder.slice(last + 1, ri).map(int).join(", ")}: the budget allows about ${choice.sizes} more size(s), spread over the range`);
      if (k < seeds) decide(`n=${int(n)}: ${k} of ${seeds} seeds, so that the budget reaches enough sizes for a curve`);
      emit({ type: "rung", size: n, variants: live, predictedSeconds: rungSeconds });
      decide(`n=${int(n)}: ${live.length} variant(s) × ${k} seed(s) on the same subsets${rungSeconds !== null ? `, about ${Math.round(rungSeconds)} s` : ""}`);
      const before = records.length;
      const outcome = await runStudy({
        store,
        executor,
        studyId,
        makeJob,
        next: (s) => {
          for (const q of queue) {
            if (s.taken.has(runKey(n, q.seed, q.label))) continue;
            const r = remaining();
            const p = predict(q.label, n);
            // A variant's first Run is never skipped on another variant's timing: that guess can be far off.
            const own = timeModels.get(q.label) ?? null;
            if (r !== null && p !== null && own !== null && BUDGET_MARGIN * p > r) {
              s.taken.add(runKey(n, q.seed, q.label));
              decide(`skip ${q.label} n=${int(n)} seed ${q.seed}: about ${Math.round(p)} s, beyond the remaining budget`);
              continue;
            }
            return { kind: "run", size: n, seed: q.seed, variant: q.label, reason: `${q.label}: n=${int(n)}, seed ${q.seed}`, predictedSeconds: p };
          }
          return { kind: "stop", reason: `n=${int(n)} done` };
        },
        afterRun: (s) => refreshTimes([...records, ...s.records]),
        eta: (s) => {
          const left = queue.filter((q) => !s.taken.has(runKey(n, q.seed, q.label))).reduce((a, q) => a + (predict(q.label, n) ?? 0), 0);
          const later = ladder.slice(ri + 1).reduce((a, m) => a + live.reduce((b, l) => b + seeds * (predict(l, m) ?? 0), 0), 0);
          const secs = (left + later) / Math.max(1, executor.slots);
          const r = remaining();
          return r !== null && secs > r ? { seconds: Math.max(0, r), bound: "budget", planned: null } : { seconds: secs, bound: "plan", planned: null };
        },
        scoreOf: (r) => scoreOf(r.metrics.test, metric),
        metric,
        onEvent: (e) => {
          if (e.type === "stop") return;
          if (e.type === "progress") {
            const done = records.filter((r) => r.status === "done").length;
            const failed = records.filter((r) => r.status === "failed").length;
            emit({ ...e, done: e.done + done, failed: e.failed + failed, elapsedSeconds: (Date.now() - t0) / 1000 });
            return;
          }
          if (e.type === "decision") {
            if (!e.reason.includes(": n=")) decide(e.reason);
            return;
          }
          emit(e);
        },
        signal,
      });
      records.push(...outcome.records);
      busySeconds += outcome.busySeconds;
      if (outcome.cancelled) {
        cancelled = true;
        break;
      }
      if (records.slice(before).some((r) => r.status === "done")) measured.push(n);
      refreshTimes(records);

      // Early discard: only with paired seeds, a margin, and sizes left to save.
      if (pruneMargin !== null && seeds >= 2 && ri < ladder.length - 1) {
        const table = scoreTable(rowsOf(records, metric), info.direction);
        for (const d of prune(table, alive(), { margin: pruneMargin, nFinal: ladder[ladder.length - 1]! })) {
          dropped.push({ ...d, atSize: n });
          decide(`drop ${d.variant} after n=${int(n)}: ${d.reason}`);
          emit({ type: "pruned", variant: d.variant, atSize: n, reason: d.reason });
        }
      }
      last = ri;
    }
    if (cancelled) cancel(records);

    // 3. Answer.
    emit({ type: "fitting" });
    const report = summarise({
      studyId,
      options,
      axes,
      variants,
      records,
      dropped,
      flops,
      timeModels,
      ladder,
      measured,
      decisions,
      stopReason,
      adaptive,
      seeds,
      budgetSeconds,
      validFraction,
      pruneMargin,
      pruneWhy,
      target,
      metric,
      info,
      dataset,
      baseSpec,
      fitCurve: deps.fitCurve,
      aggregate: deps.aggregate,
      bootstrap: options.bootstrap,
      timing: { wallSeconds: (Date.now() - t0) / 1000, loadSeconds, busySeconds, jobs: executor.slots, threads: executor.threads },
      versions: { enough: deps.enoughVersion, engine: engineVersion, node: process.version, ...(records.find((r) => r.result)?.result?.versions ?? {}) },
      store: storePath,
    });
    return { result: report, summary: { headline: report.headline, recommendation: report.recommendation } };
  });
}
