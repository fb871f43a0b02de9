/**
 * The synthetic rows of one Run (RunJob.synthetic), made in the worker: a generator is fitted on the Run's training
 * rows alone (the subset minus its validation slice: never the slice, the test split or the rest of the pool) and
 * draws ratio x as many rows, class by class in the training rows' proportions. The Run then trains on a compact
 * copy holding its training rows, its validation slice and the synthetic rows (`combine`).
 *
 * Generators: "cvae" (native/src/generative.cc) for images (pixels / 255, Bernoulli decoder) and dense tabular
 * features (standardised over the training rows, Gaussian decoder; one-hot groups and missing indicators snapped
 * back to 0/1, embedding ids drawn from their class's frequencies); "copula" (strategies/synthetic/copula.ts) for
 * tabular data only.
 */
import { InputError } from "../../errors.js";
import type { Tensors } from "../../engine/types.js";
import type { CvaeOptions, CvaeSample } from "../../engine/generative.js";
import type { TabularEncoders } from "../../data/encoders/types.js";
import { rngFor } from "../../rng.js";
import { copulaColumns, fitCopula, sampleCopula, type CopulaColumn } from "../../strategies/synthetic/copula.js";
import type { SyntheticJob, SyntheticReport } from "../run.js";

export type CvaeFn = (x: Float32Array, y: Int32Array, numClasses: number, d: number, sampleY: Int32Array, options: CvaeOptions) => Promise<CvaeSample>;

/** Synthetic rows in the data's own encoding (x of the same array type as the data's). */
export interface SyntheticRows {
  n: number;
  x: Tensors["x"];
  cat?: Int32Array;
  y: Tensors["y"];
}

/**
 * Whether a generator can make rows of this data, as a sentence (null when it can): the study asks before any Run.
 */
export function syntheticUnsupported(model: SyntheticJob["model"], data: Pick<Tensors, "xKind" | "task">): string | null {
  if (data.xKind === "tokens") return "synthetic data is not made for text (token) data: it takes images or tabular features";
  if (model === "cvae" && data.task !== "classification") return "the cvae generator is conditioned on a class: use synthetic:model=copula for a regression target";
  if (model === "copula" && data.xKind === "image") return "the copula generator is for tabular data: use synthetic:model=cvae for images";
  return null;
}

/** Rows per class: `total` split in the training rows' class proportions (largest remainder), or [total] for regression. */
export function classCounts(data: Pick<Tensors, "task" | "numClasses" | "y">, train: Int32Array, total: number): number[] {
  if (data.task !== "classification") return [total];
  const have = new Array<number>(data.numClasses).fill(0);
  for (const i of train) have[data.y[i]!]!++;
  const exact = have.map((h) => (h * total) / Math.max(1, train.length));
  const out = exact.map(Math.floor);
  const order = exact.map((e, c) => ({ c, r: e - Math.floor(e) })).sort((a, b) => b.r - a.r || a.c - b.c);
  for (let k = 0, left = total - out.reduce((a, b) => a + b, 0); k < left; k++) out[order[k % order.length]!.c]!++;
  return out;
}

export interface GenerateDeps {
  cvae: CvaeFn;
}

/** Fits the job's generator on `train` rows of `data` and draws its rows; seeded by `seed`. */
export async function generate(
  job: SyntheticJob,
  data: Tensors,
  train: Int32Array,
  seed: number,
  deps: GenerateDeps,
  encoders?: { kind: string },
): Promise<{ rows: SyntheticRows; generator: SyntheticReport["generator"] }> {
  const why = syntheticUnsupported(job.model, data);
  if (why) throw new InputError("SYNTHETIC_DATA", why);
  const total = Math.round(job.ratio * train.length);
  const counts = classCounts(data, train, total);
  const tabular = encoders?.kind === "tabular" ? (encoders as TabularEncoders) : undefined;
  const t0 = performance.now();
  if (job.model === "copula") {
    const columns = copulaColumns(data.xShape[0]!, data.catCardinalities?.length ?? 0, tabular?.features);
    const rowsIn = { x: data.x as Float32Array, d: data.xShape[0]!, cat: data.cat, catWidth: data.catCardinalities?.length ?? 0, y: data.y, task: data.task, numClasses: data.numClasses };
    const model = fitCopula(rowsIn, train, columns, seed);
    const s = sampleCopula(model, counts, seed);
    return { rows: { n: s.n, x: s.x, ...(s.cat ? { cat: s.cat } : {}), y: s.y }, generator: { seconds: (performance.now() - t0) / 1000 } };
  }
  return cvaeRows(data, train, counts, seed, deps.cvae, tabular);
}

async function cvaeRows(data: Tensors, train: Int32Array, counts: number[], seed: number, cvae: CvaeFn, tabular: TabularEncoders | undefined): Promise<{ rows: SyntheticRows; generator: SyntheticReport["generator"] }> {
  const d = data.x.length / Math.max(1, data.n);
  const n = train.length;
  const bytes = data.x instanceof Uint8Array;
  const x = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    const src = train[r]! * d;
    for (let j = 0; j < d; j++) x[r * d + j] = bytes ? data.x[src + j]! / 255 : data.x[src + j]!;
  }
  // Gaussian decoder: features standardised over these rows (a constant column keeps scale 1).
  const mean = new Float64Array(d);
  const scale = new Float64Array(d).fill(1);
  if (!bytes) {
    for (let j = 0; j < d; j++) {
      let s = 0;
      let s2 = 0;
      for (let r = 0; r < n; r++) (s += x[r * d + j]!), (s2 += x[r * d + j]! ** 2);
      mean[j] = s / n;
      const v = s2 / n - mean[j]! ** 2;
      scale[j] = v > 1e-12 ? Math.sqrt(v) : 1;
      for (let r = 0; r < n; r++) x[r * d + j] = (x[r * d + j]! - mean[j]!) / scale[j]!;
    }
  }
  const y = Int32Array.from(train, (i) => data.y[i]!);
  const sampleY = new Int32Array(counts.reduce((a, b) => a + b, 0));
  let k = 0;
  counts.forEach((c, cls) => sampleY.fill(cls, k, (k += c)));
  // Images: a wider layer and more latent dimensions than a handful of tabular features need.
  const image = data.xKind === "image";
  const out = await cvae(x, y, data.numClasses, d, sampleY, { seed, likelihood: bytes ? "bernoulli" : "gaussian", hidden: image ? 256 : 128, latent: image ? 16 : 8, steps: 3000, batchSize: 64 });
  const m = sampleY.length;
  let xs: Tensors["x"];
  if (bytes) xs = Uint8Array.from(out.samples, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  else {
    xs = new Float32Array(m * d);
    for (let r = 0; r < m; r++) for (let j = 0; j < d; j++) xs[r * d + j] = out.samples[r * d + j]! * scale[j]! + mean[j]!;
    if (tabular) snapGroups(xs, d, copulaColumns(d, data.catCardinalities?.length ?? 0, tabular.features));
  }
  const cat = data.cat && data.catCardinalities?.length ? catIds(data, train, sampleY, seed) : undefined;
  return {
    rows: { n: m, x: xs, ...(cat ? { cat } : {}), y: sampleY },
    generator: { seconds: out.seconds, epochs: out.epochs, steps: out.steps, loss: out.loss, reconstruction: out.reconstruction, kl: out.kl },
  };
}

/** One-hot groups and missing indicators back to 0/1: the largest column is 1 when it is above 0.5, else none. */
function snapGroups(x: Float32Array, d: number, columns: CopulaColumn[]): void {
  const m = x.length / d;
  for (const c of columns) {
    if (c.kind !== "onehot") continue;
    for (let r = 0; r < m; r++) {
      let best = -1;
      let v = 0.5;
      for (const col of c.cols) if (x[r * d + col]! > v) (v = x[r * d + col]!), (best = col);
      for (const col of c.cols) x[r * d + col] = col === best ? 1 : 0;
    }
  }
}

/** Embedding id columns (which the CVAE does not model): each drawn from its class's frequencies in the training rows. */
function catIds(data: Tensors, train: Int32Array, sampleY: Int32Array, seed: number): Int32Array {
  const w = data.catCardinalities!.length;
  const rand = rngFor(seed, "synthetic-cat");
  const byClass = new Map<number, number[]>();
  for (const i of train) {
    const c = data.y[i]!;
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const out = new Int32Array(sampleY.length * w);
  for (let r = 0; r < sampleY.length; r++) {
    const pool = byClass.get(sampleY[r]!)!;
    // Each column from an independently drawn row of the class: the class's marginal frequencies, not a row copy.
    for (let t = 0; t < w; t++) out[r * w + t] = data.cat![pool[Math.floor(rand() * pool.length)]! * w + t]!;
  }
  return out;
}

/**
 * The Run's training data: its training rows, then its validation slice, then the synthetic rows, as one compact
 * Tensors (the test split stays in the original data); the index lists of each part.
 */
export function combine(data: Tensors, train: Int32Array, valid: Int32Array, syn: SyntheticRows): { tensors: Tensors; train: Int32Array; valid: Int32Array; real: Int32Array; synthetic: Int32Array } {
  const d = data.x.length / Math.max(1, data.n);
  const w = data.cat && data.n ? data.cat.length / data.n : 0;
  const real = [...train, ...valid];
  const n = real.length + syn.n;
  const x = new (data.x.constructor as new (k: number) => Tensors["x"])(n * d);
  const y = new (data.y.constructor as new (k: number) => Tensors["y"])(n);
  const cat = data.cat ? new Int32Array(n * w) : undefined;
  real.forEach((r, i) => {
    x.set(data.x.subarray(r * d, (r + 1) * d) as never, i * d);
    y[i] = data.y[r]!;
    if (cat) cat.set(data.cat!.subarray(r * w, (r + 1) * w), i * w);
  });
  x.set(syn.x as never, real.length * d);
  y.set(syn.y as never, real.length);
  if (cat && syn.cat) cat.set(syn.cat, real.length * w);
  const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
  const nt = train.length;
  const synthetic = range(real.length, n);
  const trainRows = new Int32Array(nt + syn.n);
  trainRows.set(range(0, nt));
  trainRows.set(synthetic, nt);
  const { x: _x, y: _y, cat: _c, n: _n, ...meta } = data;
  return { tensors: { ...meta, n, x, y, ...(cat ? { cat } : {}) }, train: trainRows, valid: range(nt, real.length), real: range(0, nt), synthetic };
}
