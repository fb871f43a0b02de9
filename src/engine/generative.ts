/**
 * Generative models over the native engine, for the synthetic-data lever: a class-conditional VAE (trained and
 * sampled in one native call; every random draw from its seed) and exact nearest-neighbour distances (blocked
 * float64 matrix products in libtorch). Both take plain float rows; the caller decides the feature space.
 */
import { InputError } from "../errors.js";
import { call, loadAddon } from "./native.js";
import { nearestRows } from "./neighbours.js";

export interface CvaeOptions {
  /** Latent dimensions (default 16). */
  latent?: number;
  /** Width of the encoder's and decoder's two hidden layers (default 256). */
  hidden?: number;
  /** Optimiser steps, rounded up to whole epochs (default 3000). */
  steps?: number;
  batchSize?: number;
  lr?: number;
  /** Share of the steps over which the KL weight rises from 0 to 1 (default 0.2). */
  warmup?: number;
  seed: number;
  /** "bernoulli" for values in [0, 1] (images; samples are the decoder's means), "gaussian" otherwise. */
  likelihood: "bernoulli" | "gaussian";
}

export interface CvaeSample {
  /** One row per requested class id, d values each. */
  samples: Float32Array;
  epochs: number;
  steps: number;
  /** Last epoch's mean negative ELBO per row, and its reconstruction and KL parts. */
  loss: number;
  reconstruction: number;
  kl: number;
  seconds: number;
}

/** Trains a CVAE on `x` (n x d) with labels `y`, then draws one row for each class id in `sampleY`. */
export async function cvaeSample(x: Float32Array, y: Int32Array, numClasses: number, d: number, sampleY: Int32Array, options: CvaeOptions): Promise<CvaeSample> {
  if (!(d >= 1) || x.length !== y.length * d) throw new InputError("GENERATOR_INPUT", `the generator got ${x.length} values for ${y.length} rows of ${d} features`);
  const o = { latent: 16, hidden: 256, steps: 3000, batchSize: 64, lr: 1e-3, warmup: 0.2, ...options };
  return call(() => loadAddon().trainCvae(x, y, numClasses, d, sampleY, o));
}

/**
 * For each row of `a` (rows of d values), the Euclidean distance to its nearest row of `b`. With `excludeSelf`
 * (a and b the same rows) a row's distance to itself is skipped: each row's nearest other row.
 */
export async function nearestDistances(a: Float32Array, b: Float32Array, d: number, excludeSelf = false): Promise<Float64Array> {
  const nb = b.length / d;
  if (!Number.isInteger(nb) || nb < (excludeSelf ? 2 : 1)) {
    throw new InputError("NEIGHBOURS_SHAPE", `nearest distances need at least ${excludeSelf ? "2 rows" : "1 reference row"} of ${d} values`);
  }
  // exact, in float64 (neighbours.ts); the score is minus the squared distance
  const r = await nearestRows(b, nb, d, 1, { metric: "euclidean", ...(excludeSelf ? {} : { query: a }) });
  return Float64Array.from(r.score, (s) => Math.sqrt(Math.max(0, -s)));
}
