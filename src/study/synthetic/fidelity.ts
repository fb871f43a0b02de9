/**
 * How good and how private a Run's synthetic rows are, beside the multiplier:
 * - a classifier two-sample test (extra/domain.ts: an MLP told real training rows from synthetic ones, out of fold;
 *   its AUC is 0.5 when it cannot, 1 when it always can; the real side is the generator's own training rows, so
 *   a generator that stays close to them pushes it below 0.5, the out-of-fold rows having their "relatives" in the
 *   training folds);
 * - train on synthetic, test on real (TSTR): the Run's model and recipe trained on the synthetic rows alone (the
 *   real validation slice still stops it early) and scored on the real test split;
 * - the distance of each synthetic row to its nearest real training row (exact, native float64 matrix products),
 *   against the real rows' own nearest-other-row distances: a synthetic row closer than the real rows' 1% quantile
 *   (or at distance 0) is flagged as a copy, a privacy leak. Fresh draws from the real rows' own distribution
 *   would flag about 1% by this rule, so a share well above 1% is the warning sign. Distances are over the dense features (images: pixels
 *   / 255; tabular: the encoded, standardised features), not over embedding ids.
 */
import type { Tensors } from "../../engine/types.js";
import { quantile } from "../../stats.js";
import { domainTest, type TrainPredict } from "../extra/domain.js";
import type { EvalMetrics, JsonObject, SyntheticReport } from "../run.js";

/** The low quantile of the real rows' nearest-neighbour distances under which a synthetic row counts as a copy. */
export const COPY_QUANTILE = 0.01;

export type NearestFn = (a: Float32Array, b: Float32Array, d: number, excludeSelf?: boolean) => Promise<Float64Array>;

export interface FidelityDeps {
  nearest: NearestFn;
  trainPredict: TrainPredict;
  /** The Run's own training (run-train.ts's deps.train, typed here by what this file uses). */
  train(spec: JsonObject, data: Tensors, rows: { train: Int32Array; valid?: Int32Array }, recipe: JsonObject, opts: object): Promise<{ model: { evaluate(data: Tensors, rows?: Int32Array): Promise<EvalMetrics>; dispose(): void } }>;
}

/** The rows as float features for distances (images scaled to [0, 1]). */
function floats(data: Tensors, rows: Int32Array): Float32Array {
  const d = data.x.length / Math.max(1, data.n);
  const out = new Float32Array(rows.length * d);
  const k = data.x instanceof Uint8Array ? 1 / 255 : 1;
  rows.forEach((r, i) => {
    for (let j = 0; j < d; j++) out[i * d + j] = data.x[r * d + j]! * k;
  });
  return out;
}

export async function copiesReport(data: Tensors, real: Int32Array, synthetic: Int32Array, nearest: NearestFn): Promise<SyntheticReport["fidelity"]["copies"]> {
  const d = data.x.length / Math.max(1, data.n);
  const a = floats(data, real);
  const own = await nearest(a, a, d, true);
  const syn = await nearest(floats(data, synthetic), a, d, false);
  const threshold = quantile(own, COPY_QUANTILE);
  let flagged = 0;
  for (const v of syn) if (v < threshold || v === 0) flagged++;
  return {
    flagged,
    share: syn.length ? flagged / syn.length : 0,
    quantile: COPY_QUANTILE,
    threshold,
    synthetic: { min: syn.length ? Math.min(...syn) : NaN, q05: quantile(syn, 0.05), median: quantile(syn, 0.5) },
    real: { q05: threshold, median: quantile(own, 0.5) },
  };
}

/**
 * The fidelity report of one Run. `data` is the Run's compact training data (study/synthetic/generate.ts
 * `combine`), `real` its real training rows, `synthetic` the synthetic rows, `valid` the real validation slice;
 * `original` and `test` the data set and its test split.
 */
export async function fidelityReport(
  o: { data: Tensors; real: Int32Array; synthetic: Int32Array; valid: Int32Array; original: Tensors; test: Int32Array; spec: JsonObject; recipe: JsonObject; seed: number },
  deps: FidelityDeps,
): Promise<SyntheticReport["fidelity"]> {
  const t0 = performance.now();
  const { data, real, synthetic } = o;
  // The two-sample test needs a few rows per fold on each side.
  const twoSample =
    Math.min(real.length, synthetic.length) >= 10
      ? await domainTest(data, real, pick(data, synthetic), deps.trainPredict, { seed: o.seed }).then((t) => ({ auc: t.auc, lo: t.lo, hi: t.hi, rowsPerSide: t.rowsPerSide }))
      : null;
  const { model } = await deps.train(o.spec, data, o.valid.length ? { train: synthetic, valid: o.valid } : { train: synthetic }, o.recipe, {});
  let tstr: EvalMetrics;
  try {
    tstr = await model.evaluate(o.original, o.test);
  } finally {
    model.dispose();
  }
  const copies = await copiesReport(data, real, synthetic, deps.nearest);
  return { twoSample, tstr, copies, seconds: (performance.now() - t0) / 1000 };
}

/** The given rows of `data` as the extra side of the two-sample test. */
function pick(data: Tensors, rows: Int32Array): Pick<Tensors, "n" | "x" | "cat"> {
  const d = data.x.length / Math.max(1, data.n);
  const w = data.cat && data.n ? data.cat.length / data.n : 0;
  const first = rows[0] ?? 0;
  // The synthetic rows are one contiguous block at the end of the compact data.
  return { n: rows.length, x: data.x.subarray(first * d, (first + rows.length) * d), ...(data.cat ? { cat: data.cat.subarray(first * w, (first + rows.length) * w) } : {}) };
}
