/**
 * `labelNext()`: the real active-learning workflow. Given the rows labelled so far and a file of unlabelled rows,
 * which k rows should be labelled next? A model (a ModelSpec trained here on every labelled row, a stratified
 * validation slice held out for early stopping; or a model saved by enough) scores the unlabelled rows and the
 * strategy picks k of them in native code (engine Model.acquire). Reproducible: the training and the acquisition
 * run on one thread with the given seed (a thread count changes float sums, and with them near-tied picks).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../errors.js";
import { ACQUIRE_STRATEGIES, defaultRecipe, Model, parseModelArg, train, type AcquireStrategy, type Tensors } from "../engine/index.js";
import { loadDataset, type LoadOptions } from "../data/index.js";
import { loadUnlabelled } from "../data/unlabelled.js";
import { splitValidation } from "./valid-split.js";

export interface LabelNextOptions {
  /** The unlabelled rows (CSV, JSONL or Parquet; the target column absent or empty). */
  data: string;
  /** The rows labelled so far (same columns, the target filled). */
  labelled: string;
  /** A ModelSpec argument (mlp, mlp:dropout=0.2, a spec JSON file) or a folder written by Model.save(). */
  model: string;
  k: number;
  strategy: AcquireStrategy;
  seed?: number;
  targetColumn?: string;
  /** Share of the labelled rows held out for early stopping when a model is trained here (default 0.15). */
  validFraction?: number;
  load?: Omit<LoadOptions, "source">;
}

export interface LabelNextResult {
  strategy: AcquireStrategy;
  k: number;
  seed: number;
  /** In pick order: the data row of the unlabelled file (1 = the first row after the header), its score, the row. */
  rows: { rank: number; row: number; score: number; record: Record<string, unknown> }[];
  columns: string[];
  model: { source: "trained" | "loaded"; spec: unknown; labelledRows: number };
  unlabelledRows: number;
}

export async function labelNext(o: LabelNextOptions): Promise<LabelNextResult> {
  if (!(ACQUIRE_STRATEGIES as readonly string[]).includes(o.strategy)) throw new InputError("BAD_STRATEGY", `--strategy ${o.strategy} is not a strategy`, { hint: `use one of: ${ACQUIRE_STRATEGIES.join(", ")}` });
  if (!Number.isInteger(o.k) || o.k < 1) throw new InputError("BAD_K", `--k must be a whole number of at least 1, got ${o.k}`);
  const seed = o.seed ?? 0;
  const savedModel = existsSync(join(o.model, "model.json"));
  const spec = savedModel ? undefined : parseModelArg(o.model);
  const ds = await loadDataset({ ...o.load, source: o.labelled, ...(o.targetColumn !== undefined ? { target: o.targetColumn } : {}) });
  if (ds.schema.kind === "image") throw new InputError("UNLABELLED_KIND", `label-next reads tabular and text files; ${ds.source} is image data`, { hint: "give CSV, JSONL or Parquet files as --data and --labelled" });
  const unl = await loadUnlabelled(ds, o.data, { labels: "refuse" });
  if (o.k > unl.tensors.n) throw new InputError("K_TOO_LARGE", `--k ${o.k} is more than the ${unl.tensors.n} unlabelled rows in ${o.data}`, { hint: `use --k ${unl.tensors.n} or less (or add rows to ${o.data})` });
  // One table: the labelled rows, then the unlabelled ones (coreset measures distances to the labelled rows).
  const nL = ds.tensors.n;
  const all = concatRows(ds.tensors, unl.tensors);
  const labelled = Int32Array.from({ length: nL }, (_, i) => i);
  const pool = Int32Array.from({ length: unl.tensors.n }, (_, i) => nL + i);
  let model: Model;
  if (savedModel) {
    model = await Model.load(o.model);
  } else {
    const labels = ds.tensors.task === "classification" ? (ds.tensors.y as Int32Array) : null;
    const split = splitValidation(labelled, labels, o.validFraction ?? 0.15, seed);
    const rows = split.valid.length ? { train: split.train, valid: split.valid } : { train: split.train };
    model = (await train(spec!, ds.tensors, rows, { ...defaultRecipe(ds.tensors.xKind, split.train.length), seed, threads: 1 })).model;
  }
  try {
    const picked = await model.acquire(all, pool, labelled, { strategy: o.strategy, k: o.k, seed, threads: 1 });
    const rows = Array.from(picked.rows, (r, i) => ({ rank: i + 1, row: r - nL + 1, score: picked.scores[i]!, record: unl.records[r - nL]! }));
    return { strategy: o.strategy, k: o.k, seed, rows, columns: unl.columns, model: { source: savedModel ? "loaded" : "trained", spec: savedModel ? model.spec : spec, labelledRows: nL }, unlabelledRows: unl.tensors.n };
  } finally {
    model.dispose();
  }
}

/** The rows of `b` after those of `a` (same encoding): features, categorical codes and placeholder labels. */
function concatRows(a: Tensors, b: Tensors): Tensors {
  const cat = <T extends Float32Array | Int32Array | Uint8Array>(x: T, y: T): T => {
    const out = new (x.constructor as new (n: number) => T)(x.length + y.length);
    out.set(x);
    out.set(y, x.length);
    return out;
  };
  return {
    ...a,
    n: a.n + b.n,
    x: cat(a.x as Float32Array, b.x as Float32Array),
    y: cat(a.y as Int32Array, b.y as Int32Array),
    ...(a.cat && b.cat ? { cat: cat(a.cat, b.cat) } : {}),
  } as Tensors;
}
