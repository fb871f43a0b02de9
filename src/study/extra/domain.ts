/**
 * How different an extra data set is: a two-sample test by a domain classifier. Equal-size random samples of the
 * user's pool (label 0) and of the extra rows (label 1) are cut into K stratified folds; a small model trained on
 * K-1 folds scores the held-out one, so every score is out of fold. Their AUC is 0.5 when the model cannot tell
 * the two apart and 1 when it always can; the interval is a bootstrap over the scored rows. The row labels (the
 * task's y) are not features here, only x: the question is whether the inputs look alike.
 */
import type { Tensors } from "../../engine/types.js";
import { rngFor, shuffle } from "../../rng.js";
import type { JsonObject } from "../run.js";
import { auc, aucInterval } from "./auc.js";

/** Trains on `train` rows of `data` and returns class probabilities (numClasses per row) for `predict` rows. */
export type TrainPredict = (spec: JsonObject, data: Tensors, rows: { train: Int32Array; predict: Int32Array }, recipe: JsonObject) => Promise<Float32Array>;

export interface DomainTest {
  auc: number;
  lo: number;
  hi: number;
  /** Rows scored from each side (the two samples are the same size). */
  rowsPerSide: number;
  folds: number;
  model: JsonObject;
  epochs: number;
  /**
   * With `scoreExtra`: every extra row's out-of-fold probability of being extra (sampled rows: from the fold that held
   * them out; the others, never trained on: the mean over the K fold models). Not in report.json (one per row).
   */
  extraScores?: Float64Array;
}

const MAX_PER_SIDE = 1000;
const FOLDS = 5;

export async function domainTest(
  base: Tensors,
  poolRows: Int32Array,
  extra: Pick<Tensors, "n" | "x" | "cat">,
  trainPredict: TrainPredict,
  o: { seed?: number; maxPerSide?: number; scoreExtra?: boolean } = {},
): Promise<DomainTest> {
  const seed = o.seed ?? 0;
  const m = Math.min(poolRows.length, extra.n, o.maxPerSide ?? MAX_PER_SIDE);
  const rand = rngFor(seed, "domain-sample");
  const mine = shuffle(Int32Array.from(poolRows), rand).subarray(0, m);
  const order = shuffle(Int32Array.from({ length: extra.n }, (_, i) => i), rand);
  const theirs = order.subarray(0, m);
  // With scoreExtra the unsampled extra rows ride along after the 2m rows: predicted by every fold, never trained on.
  const rest = o.scoreExtra ? order.subarray(m) : new Int32Array(0);
  const data = domainTensors(base, mine, extra, o.scoreExtra ? order : theirs);
  // Stratified folds: the two sides alternate through the folds in their own shuffled order.
  const fold = new Int32Array(2 * m);
  for (let i = 0; i < m; i++) fold[i] = fold[m + i] = i % FOLDS;
  const spec: JsonObject = base.xKind === "tokens" ? { family: "text" } : base.xKind === "image" ? { family: "cnn", width: 0.5 } : { family: "mlp", hidden: [64, 32], dropout: 0.1 };
  const nTrain = Math.round((2 * m * (FOLDS - 1)) / FOLDS);
  // Few optimiser steps suffice to find a shift a person would care about; more would only cost time.
  const epochs = Math.max(5, Math.min(30, Math.ceil(1500 / Math.max(1, Math.ceil(nTrain / 64)))));
  const scores = new Float64Array(2 * m);
  const restScores = new Float64Array(rest.length);
  const restRows = Int32Array.from({ length: rest.length }, (_, i) => 2 * m + i);
  for (let f = 0; f < FOLDS; f++) {
    const all = Int32Array.from({ length: 2 * m }, (_, i) => i);
    const train = all.filter((i) => fold[i] !== f);
    const held = all.filter((i) => fold[i] === f);
    const predict = rest.length ? Int32Array.from([...held, ...restRows]) : held;
    const p = await trainPredict(spec, data, { train, predict }, { epochs, schedule: "cosine", seed: seed + f, earlyStopping: false });
    held.forEach((r, j) => (scores[r] = p[2 * j + 1]!));
    for (let j = 0; j < rest.length; j++) restScores[j]! += p[2 * (held.length + j) + 1]! / FOLDS;
  }
  const labels = Uint8Array.from({ length: 2 * m }, (_, i) => (i < m ? 0 : 1));
  const value = auc(scores, labels);
  const band = aucInterval(scores, labels, 200, seed);
  const out: DomainTest = { auc: value, lo: Math.min(band.lo, value), hi: Math.max(band.hi, value), rowsPerSide: m, folds: FOLDS, model: spec, epochs };
  if (o.scoreExtra) {
    const all = new Float64Array(extra.n);
    theirs.forEach((r, i) => (all[r] = scores[m + i]!));
    rest.forEach((r, j) => (all[r] = restScores[j]!));
    out.extraScores = all;
  }
  return out;
}

/** The sampled rows of both sides as one classification data set: y = 0 for the user's rows, 1 for extra rows. */
function domainTensors(base: Tensors, mine: Int32Array, extra: Pick<Tensors, "n" | "x" | "cat">, theirs: Int32Array): Tensors {
  const width = base.n ? base.x.length / base.n : 0;
  const catWidth = base.cat && base.n ? base.cat.length / base.n : 0;
  const n = mine.length + theirs.length;
  const x = new (base.x.constructor as new (k: number) => Tensors["x"])(n * width);
  const cat = base.cat ? new Int32Array(n * catWidth) : undefined;
  const put = (src: Pick<Tensors, "x" | "cat">, r: number, at: number) => {
    x.set(src.x.subarray(r * width, (r + 1) * width) as never, at * width);
    if (cat) cat.set(src.cat!.subarray(r * catWidth, (r + 1) * catWidth), at * catWidth);
  };
  mine.forEach((r, i) => put(base, r, i));
  theirs.forEach((r, i) => put(extra, r, mine.length + i));
  const y = Int32Array.from({ length: n }, (_, i) => (i < mine.length ? 0 : 1));
  const { x: _x, y: _y, cat: _c, ...meta } = base;
  return { ...meta, task: "classification", numClasses: 2, n, x, y, ...(cat ? { cat } : {}) };
}
