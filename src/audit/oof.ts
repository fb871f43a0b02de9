/**
 * Out-of-sample model outputs for the audited rows: the pool sample is cut into K stratified folds; a model trained
 * on K-1 folds predicts the held-out fold (out-of-fold probabilities); test rows get the mean of the K models'
 * probabilities (no model saw them). Embeddings of every audited row come from fold 0's model, so all rows share
 * one space. The model is small and trained for a few epochs: enough to rank label errors, fast on 2 cores.
 */
import { CancelledError } from "../errors.js";
import { train, type ModelSpec, type Recipe } from "../engine/index.js";
import type { Dataset } from "../data/index.js";
import type { ModelOutputs } from "./context.js";
import { rngFor, shuffle } from "../rng.js";
import type { AuditProgress } from "./types.js";
import { mapLimit } from "../concurrency.js";
import { trainingConcurrency } from "./parallel.js";

export interface OofOptions {
  folds?: number;
  model?: ModelSpec;
  epochs?: number;
  seed?: number;
  threads?: number;
  onProgress?: (p: AuditProgress) => void;
  signal?: AbortSignal;
}

/** A fast default per data kind: a small CNN for images, an MLP for tabular data, a bag-of-embeddings for text. */
export function defaultAuditModel(ds: Dataset): ModelSpec {
  const k = ds.tensors.xKind;
  if (k === "image") return { family: "cnn", channels: [16, 32], fc: 64 };
  if (k === "tokens") return { family: "text" };
  return { family: "mlp", hidden: [128, 64], dropout: 0.1 };
}

export function defaultAuditEpochs(ds: Dataset, nTrain: number): number {
  if (ds.tensors.xKind === "image") return 8;
  // small tabular sets need more passes to get the same number of optimiser steps
  return Math.max(10, Math.min(60, Math.ceil(3000 / Math.max(1, Math.ceil(nTrain / 64)))));
}

/** Stratified fold id per position of `rows` (labels may be null for regression). */
export function stratifiedFolds(rows: Int32Array, labels: Int32Array | null, K: number, seed: number): Int32Array {
  const fold = new Int32Array(rows.length);
  const rng = rngFor(seed, "audit-folds");
  const by = new Map<number, number[]>();
  rows.forEach((r, i) => {
    const c = labels ? labels[r]! : 0;
    let g = by.get(c);
    if (!g) by.set(c, (g = []));
    g.push(i);
  });
  let offset = 0;
  for (const c of [...by.keys()].sort((a, b) => a - b)) {
    const idx = shuffle(Int32Array.from(by.get(c)!), rng);
    // continue the round-robin across classes so small classes do not all land in fold 0
    for (let j = 0; j < idx.length; j++) fold[idx[j]!] = (offset + j) % K;
    offset = (offset + idx.length) % K;
  }
  return fold;
}

export async function outOfSample(ds: Dataset, rows: Int32Array, isTest: Uint8Array, opts: OofOptions = {}): Promise<ModelOutputs> {
  const t0 = Date.now();
  const t = ds.tensors;
  const K = t.numClasses;
  const folds = Math.max(2, opts.folds ?? 5);
  const poolPos = Int32Array.from(rows.keys()).filter((i) => !isTest[rows[i]!]);
  const testPos = Int32Array.from(rows.keys()).filter((i) => isTest[rows[i]!] === 1);
  const poolRows = Int32Array.from(poolPos, (i) => rows[i]!);
  const fold = stratifiedFolds(poolRows, t.task === "classification" ? (t.y as Int32Array) : null, folds, opts.seed ?? 0);
  const probs = new Float32Array(rows.length * K);
  const spec = opts.model ?? defaultAuditModel(ds);
  const nTrain = Math.round((poolRows.length * (folds - 1)) / folds);
  const epochs = opts.epochs ?? defaultAuditEpochs(ds, nTrain);
  const testRows = Int32Array.from(testPos, (i) => rows[i]!);
  // Folds train side by side, one thread each: a small model's batches split poorly over threads, while separate
  // trainings scale with the cores (the audit of 20,000 rows kept one core of two busy before). One thread per
  // training also makes the predictions the same whatever the machine's load.
  const { jobs, threads } = trainingConcurrency(folds, opts.threads);
  const done = new Array<number>(folds).fill(0);
  const runFold = async (f: number) => {
    if (opts.signal?.aborted) throw new CancelledError("audit cancelled");
    const trainRows = poolRows.filter((_, i) => fold[i] !== f);
    const heldPos = poolPos.filter((_, i) => fold[i] === f);
    const heldRows = Int32Array.from(heldPos, (i) => rows[i]!);
    // cosine decay: a better model in the same few epochs, and a calmer end (less memorising of flipped labels)
    const recipe: Recipe = { epochs, schedule: "cosine", seed: (opts.seed ?? 0) + f, earlyStopping: false, threads };
    const { model } = await train(spec, t, { train: trainRows }, recipe, {
      ...(opts.signal ? { signal: opts.signal } : {}),
      onEpoch: (e) => {
        done[f] = e.epoch;
        const all = done.reduce((a, b) => a + b, 0);
        opts.onProgress?.({ phase: "train", done: all, total: folds * epochs, detail: `${folds} folds, ${jobs} at a time: ${all}/${folds * epochs} epochs` });
      },
    });
    try {
      const held = await model.predict(t, heldRows);
      const test = testRows.length ? await model.predict(t, testRows) : null;
      const emb = f === 0 ? await model.embed(t, rows) : null;
      return { heldPos, held, test, emb };
    } finally {
      model.dispose();
    }
  };
  const results = await mapLimit(Array.from({ length: folds }, (_, f) => f), jobs, runFold);
  let embed: Float32Array = new Float32Array(0);
  let dim = 0;
  // combined in fold order, so the test rows' mean sums in the same order however the folds were scheduled
  for (const [f, r] of results.entries()) {
    r.heldPos.forEach((pos, j) => probs.set(r.held.subarray(j * K, (j + 1) * K), pos * K));
    if (r.test) {
      const q = r.test;
      testPos.forEach((pos, j) => {
        for (let c = 0; c < K; c++) probs[pos * K + c]! += q[j * K + c]! / folds;
      });
    }
    if (f === 0 && r.emb) {
      embed = r.emb.values;
      dim = r.emb.dim;
    }
  }
  const pred = new Int32Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    let b = 0;
    for (let c = 1; c < K; c++) if (probs[i * K + c]! > probs[i * K + b]!) b = c;
    pred[i] = b;
  }
  return { rows, probs, K, embed, dim, pred, folds, model: spec, epochs, seconds: (Date.now() - t0) / 1000 };
}
