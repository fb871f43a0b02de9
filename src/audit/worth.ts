/**
 * Worth in samples, and per-group learning curves, from one set of learning-curve Runs on nested subsets of the
 * pool (same subsets and seeds for every variant):
 * - baseline: train on each subset as is; test accuracy overall and per group;
 * - "label": the same subsets minus the rows flagged as label errors; "duplicate": minus the flagged copies.
 * Curves are indexed by rows collected (the subset size before removal), so the effective multiplier
 * n_baseline(X) / n_cleaned(X) at X = the baseline's accuracy on the whole pool reads as "cleaning is worth
 * multiplier × more data". Test rows flagged as label errors are left out of every evaluation (their labels are
 * doubtful), the same for all variants. Per-group curves put the group's own rows in the training subset on the
 * x-axis and read off how many it needs to reach the overall accuracy.
 */
import { nestedSubsets } from "../data/index.js";
import { train, type ModelSpec } from "../engine/index.js";
import { CancelledError } from "../errors.js";
import { effectiveMultiplier, fitCurve, metricInfo, type CurvePoint } from "../curves/index.js";
import { pct, round, type AuditContext } from "./context.js";
import { defaultAuditEpochs, defaultAuditModel } from "./oof.js";
import { mapLimit } from "../concurrency.js";
import { trainingConcurrency } from "./parallel.js";
import { sampleRows } from "./math/stats.js";
import type { AuditProgress, Issue } from "./types.js";
import { int } from "../format.js";

export interface WorthResult {
  /** label: flagged label errors removed; label_relabelled: given the model's suggested label; duplicate: copies removed. */
  kind: "label" | "label_relabelled" | "duplicate";
  removedFraction: number;
  removedRows: number;
  target: number;
  multiplier: { mean: number; lo: number; hi: number; reachable: boolean | "uncertain" } | null;
  /**
   * Read off the measured mean curves without a fit: N / (rows collected at which the cleaned curve, interpolated
   * in log n, first reaches the as-is accuracy at N). A lower bound (">=") when the cleaned curve is already above it
   * at the smallest size; null when it never reaches it.
   */
  measured: { multiplier: number; bound: "=" | ">=" } | null;
  points: { variant: "baseline" | "cleaned"; n: number; seed: number; accuracy: number; trainedOn: number }[];
  sentence: string;
}

export interface GroupCurve {
  column: string;
  group: string;
  testRows: number;
  have: number;
  target: number;
  points: { n: number; seed: number; accuracy: number }[];
  samplesForTarget: { mean: number; lo: number; hi: number; reachable: boolean | "uncertain" } | null;
  sentence: string;
}

interface Opts {
  worth: boolean;
  /** Per-group learning curves (one per --group value); false trains no per-group evaluation. */
  groupCurves: boolean;
  /** Also measure relabelling the flagged label errors (with the out-of-sample argmax) instead of removing them. */
  relabel?: boolean;
  seeds: number;
  model?: ModelSpec;
  epochs?: number;
  threads?: number;
  maxRows: number;
  onProgress?: (p: AuditProgress) => void;
  signal?: AbortSignal;
}

export async function groupCurvesAndWorth(ctx: AuditContext, issues: Issue[], opts: Opts): Promise<{ groupCurves: GroupCurve[]; worth: WorthResult[]; warnings: string[] }> {
  const { ds } = ctx;
  const t = ds.tensors;
  const y = t.y as Int32Array;
  const warnings: string[] = [];
  const idOf = new Map<number, number>();
  ctx.rowId.forEach((r, i) => idOf.set(r, i));
  const toRows = (type: string) => new Set((issues.find((i) => i.type === type)?.rows ?? []).map((r) => idOf.get(r)!).filter((i) => i !== undefined));
  const labelBad = toRows("label");
  const dupBad = new Set([...toRows("duplicate"), ...toRows("near_duplicate")]);
  const pool = sampleRows(ds.split.pool, opts.maxRows, ctx.seed, "worth-pool", y);
  const test = ds.split.test.filter((i) => !labelBad.has(i));
  if (test.length < 20) return { groupCurves: [], worth: [], warnings: ["too few test rows for learning curves (need 20)"] };
  const N = pool.length;
  const minN = Math.max(4 * t.numClasses, 40);
  const sizes = [16, 8, 4, 2, 1].map((f) => Math.round(N / f)).filter((s) => s >= minN);
  if (sizes.length < 3) return { groupCurves: [], worth: [], warnings: [`pool too small for learning curves (${N} rows)`] };
  const variants: { kind: WorthResult["kind"]; drop: Set<number>; data?: typeof t }[] = [];
  if (opts.worth) {
    for (const [kind, drop] of [["label", labelBad], ["duplicate", dupBad]] as const) {
      const inPool = pool.filter((i) => drop.has(i)).length;
      if (inPool > 0) {
        variants.push({ kind, drop });
        if (kind === "label" && opts.relabel && ctx.model) {
          // same rows, the flagged ones carrying the model's out-of-sample suggestion instead of their given label
          const fixed = y.slice();
          ctx.model.rows.forEach((r, i) => {
            if (drop.has(r)) fixed[r] = ctx.model!.pred[i]!;
          });
          variants.push({ kind: "label_relabelled", drop: new Set(), data: { ...t, y: fixed } });
        }
      } else warnings.push(`--worth: no ${kind === "label" ? "label errors" : "duplicates"} flagged in the pool; nothing to measure`);
    }
  }
  const spec = opts.model ?? defaultAuditModel(ds);
  const eFull = opts.epochs ?? defaultAuditEpochs(ds, N);
  const total = sizes.length * opts.seeds * (1 + variants.length);
  let done = 0;
  const groupCols = opts.groupCurves ? Object.entries(ds.groups) : [];
  const base: { n: number; seed: number; accuracy: number; perGroup: { col: string; g: number; nTrain: number; acc: number }[] }[] = [];
  const cleaned = new Map<string, WorthResult["points"]>();
  // every training of the curves, in the order their results are read back
  const jobs: { s: number; sub: Int32Array; rows: Int32Array; epochs: number; v: (typeof variants)[number] | null }[] = [];
  for (let s = 0; s < opts.seeds; s++) {
    const { subsets } = nestedSubsets(pool, y, sizes, ctx.seed + 1000 + s);
    for (let k = 0; k < sizes.length; k++) {
      const sub = subsets[k]!;
      // a small subset gets more passes, so every size trains for a comparable number of steps (capped at 4×)
      const epochs = Math.min(4 * eFull, Math.max(eFull, Math.ceil((eFull * N) / sub.length)));
      for (const v of [null, ...variants]) jobs.push({ s, sub, rows: v ? sub.filter((i) => !v.drop.has(i)) : sub, epochs, v });
    }
  }
  const { jobs: lanes, threads } = trainingConcurrency(jobs.length, opts.threads);
  const results = await mapLimit(jobs, lanes, async ({ s, sub, rows, epochs, v }) => {
    if (opts.signal?.aborted) throw new CancelledError("audit cancelled");
    opts.onProgress?.({ phase: "curves", done, total, detail: `${v ? `without flagged ${v.kind} rows` : "as is"}, n=${sub.length}, seed ${s}` });
    const { model } = await train(spec, v?.data ?? t, { train: rows }, { epochs, seed: ctx.seed + s, earlyStopping: false, threads }, opts.signal ? { signal: opts.signal } : {});
    let p: Float32Array;
    try {
      p = await model.predict(t, test);
    } finally {
      model.dispose();
    }
    done++;
    const K = t.numClasses;
    const correct = new Uint8Array(test.length);
    let right = 0;
    for (let i = 0; i < test.length; i++) {
      let b = 0;
      for (let c = 1; c < K; c++) if (p[i * K + c]! > p[i * K + b]!) b = c;
      if ((correct[i] = b === y[test[i]!] ? 1 : 0)) right++;
    }
    return { correct, acc: right / test.length };
  });
  jobs.forEach(({ s, sub, rows, v }, j) => {
    const { correct, acc } = results[j]!;
    if (!v) {
      const perGroup: (typeof base)[number]["perGroup"] = [];
      for (const [col, { labels, codes }] of groupCols) {
        const nTrain = new Int32Array(labels.length);
        for (const i of rows) nTrain[codes[i]!]!++;
        const hit = new Int32Array(labels.length);
        const cnt = new Int32Array(labels.length);
        test.forEach((i, q) => {
          cnt[codes[i]!]!++;
          hit[codes[i]!]! += correct[q]!;
        });
        labels.forEach((_, g) => cnt[g]! > 0 && perGroup.push({ col, g, nTrain: nTrain[g]!, acc: hit[g]! / cnt[g]! }));
      }
      base.push({ n: sub.length, seed: s, accuracy: acc, perGroup });
    } else {
      const list = cleaned.get(v.kind) ?? [];
      list.push({ variant: "cleaned", n: sub.length, seed: s, accuracy: round(acc), trainedOn: rows.length });
      cleaned.set(v.kind, list);
    }
  });
  const metric = metricInfo("accuracy", { chance: 1 / t.numClasses });
  const fullAcc = mean(base.filter((b) => b.n === N).map((b) => b.accuracy));
  const basePoints: CurvePoint[] = base.map((b) => ({ n: b.n, score: b.accuracy, seed: b.seed }));
  const worth: WorthResult[] = [];
  for (const v of variants) {
    const pts = cleaned.get(v.kind)!;
    const labelDrop = variants.find((x) => x.kind === "label")?.drop;
    const removed = pool.filter((i) => (v.kind === "label_relabelled" ? labelDrop!.has(i) : v.drop.has(i))).length;
    const frac = removed / N;
    let multiplier: WorthResult["multiplier"] = null;
    let sentence: string;
    const what =
      v.kind === "label" ? `removing the ${pct(frac)} flagged labels` : v.kind === "label_relabelled" ? `relabelling the ${pct(frac)} flagged labels with the model's suggestion` : `removing the ${pct(frac)} flagged duplicate rows`;
    try {
      const fb = fitCurve(basePoints, { metric, seed: ctx.seed + 1 });
      const fc = fitCurve(pts.map((p) => ({ n: p.n, score: p.accuracy, seed: p.seed })), { metric, seed: ctx.seed + 2 });
      const m = effectiveMultiplier(fb, fc, fullAcc, { seed: ctx.seed + 3 });
      multiplier = { mean: round(m.mean, 3), lo: round(m.lo, 3), hi: round(m.hi, 3), reachable: m.reachable };
      const iv = `80% interval ${fmtX(m.lo)}–${fmtX(m.hi)}`;
      if (m.lo > 1) sentence = `${cap(what)} is worth about ${fmtX(m.mean)} more data (${iv}).`;
      else if (m.hi < 1) sentence = `${cap(what)} costs data: the cleaned curve needs more rows (${fmtX(m.mean)}, ${iv}); the flagged rows are probably informative.`;
      else sentence = `${cap(what)} has no measurable effect in samples: multiplier ${fmtX(m.mean)}, ${iv} spans 1.`;
    } catch (e) {
      sentence = `${cap(what)}: the learning curves could not be fitted (${(e as Error).message}).`;
    }
    const measured = interpolatedMultiplier(pts, sizes, fullAcc);
    if (multiplier && measured && multiplier.hi / Math.max(multiplier.lo, 1e-9) > 20) {
      sentence = `${cap(what)}: the fitted curves are too uncertain to price it (80% interval ${fmtX(multiplier.lo)}–${fmtX(multiplier.hi)}); read off the measured points it is worth ${measured.bound === ">=" ? "at least " : "about "}${fmtX(measured.multiplier)} the data. More seeds (--curve-seeds) narrow the interval.`;
    }
    const cleanFull = mean(pts.filter((p) => p.n === N).map((p) => p.accuracy));
    sentence += ` Test accuracy with all ${N} pool rows: ${pct(fullAcc)} as is, ${pct(cleanFull)} cleaned.`;
    worth.push({
      kind: v.kind,
      removedFraction: round(frac),
      removedRows: removed,
      target: round(fullAcc),
      multiplier,
      measured,
      points: [...base.map((b) => ({ variant: "baseline" as const, n: b.n, seed: b.seed, accuracy: round(b.accuracy), trainedOn: b.n })), ...pts],
      sentence,
    });
  }
  const groupCurves: GroupCurve[] = [];
  for (const [col, { labels }] of groupCols) {
    labels.forEach((label, g) => {
      const pts = base.flatMap((b) => b.perGroup.filter((p) => p.col === col && p.g === g).map((p) => ({ n: p.nTrain, seed: b.seed, accuracy: round(p.acc) })));
      const testRows = test.filter((i) => ds.groups[col]!.codes[i] === g).length;
      const have = pts.length ? Math.max(...pts.map((p) => p.n)) : 0;
      let samples: GroupCurve["samplesForTarget"] = null;
      let sentence = "";
      if (pts.length >= 3 && testRows >= 10 && new Set(pts.map((p) => p.n)).size >= 3 && pts.every((p) => p.n > 0)) {
        try {
          const f = fitCurve(pts.map((p) => ({ n: p.n, score: p.accuracy, seed: p.seed })), { metric, seed: ctx.seed + 7 });
          const sf = f.samplesFor(fullAcc);
          samples = { mean: Math.round(sf.mean), lo: Math.round(sf.lo), hi: Math.round(sf.hi), reachable: sf.reachable };
          const small = testRows < 30 ? ` (only ${testRows} test rows: a rough estimate)` : "";
          sentence =
            sf.reachable === false || !Number.isFinite(sf.mean)
              ? `'${col}' = '${label}': the curve does not reach the overall accuracy ${pct(fullAcc)} with more rows of this group alone${small}.`
              : sf.mean <= have
                ? `'${col}' = '${label}' already reaches the overall accuracy ${pct(fullAcc)} with its ${have} rows${small}.`
                : `'${col}' = '${label}' needs about ${int(sf.mean)} rows (80% interval ${int(sf.lo)}–${Number.isFinite(sf.hi) ? int(sf.hi) : "∞"}) to reach the overall accuracy ${pct(fullAcc)}; it has ${have}${small}.`;
        } catch {
          sentence = "";
        }
      }
      groupCurves.push({ column: col, group: label, testRows, have, target: round(fullAcc), points: pts, samplesForTarget: samples, sentence });
    });
  }
  return { groupCurves, worth, warnings };
}

function interpolatedMultiplier(pts: { n: number; accuracy: number }[], sizes: number[], target: number): WorthResult["measured"] {
  const N = sizes.at(-1)!;
  const m = sizes.map((n) => mean(pts.filter((p) => p.n === n).map((p) => p.accuracy)));
  if (m[0]! >= target) return { multiplier: round(N / sizes[0]!, 3), bound: ">=" };
  for (let k = 1; k < sizes.length; k++) {
    if (m[k]! >= target) {
      const f = (target - m[k - 1]!) / (m[k]! - m[k - 1]!);
      const n = Math.exp(Math.log(sizes[k - 1]!) + f * (Math.log(sizes[k]!) - Math.log(sizes[k - 1]!)));
      return { multiplier: round(N / n, 3), bound: "=" };
    }
  }
  return null;
}

const mean = (a: number[]) => (a.length ? a.reduce((s, v) => s + v, 0) / a.length : NaN);
const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const fmtX = (v: number) => (Number.isFinite(v) ? `${v.toFixed(v >= 10 ? 0 : 2)}x` : "∞");
