/** Tabular features: fit every column's encoder on the pool, then write the dense matrix and the embedding ids. */
import type { FeatureEncoder, TabularEncoders, TargetEncoder } from "./types.js";
import { applyNumeric, fitNumeric, numericWidth } from "./numeric.js";
import { applyEmbedding, applyOneHot, categoricalWidth, fitCategorical, remapTable, type CategoricalOptions } from "./categorical.js";

export type RawColumn = { kind: "numeric"; name: string; values: Float64Array } | { kind: "categorical"; name: string; codes: Int32Array; dict: string[] };

export interface TabularFitOptions extends CategoricalOptions {
  fillStrategy?: "median" | "mean";
}

export function fitTabular(columns: RawColumn[], pool: Int32Array, target: TargetEncoder, opts: TabularFitOptions = {}): TabularEncoders {
  const features: FeatureEncoder[] = columns.map((c) =>
    c.kind === "numeric" ? fitNumeric(c.name, c.values, pool, opts.fillStrategy) : fitCategorical(c.name, c.codes, c.dict, pool, opts),
  );
  const denseNames: string[] = [];
  const catCardinalities: number[] = [];
  for (const f of features) {
    if (f.kind === "numeric") {
      denseNames.push(f.column);
      if (f.missingIndicator) denseNames.push(`${f.column}:missing`);
    } else if (f.kind === "onehot") {
      for (const c of f.categories) denseNames.push(`${f.column}=${c}`);
      if (f.missingIndicator) denseNames.push(`${f.column}:missing`);
    } else catCardinalities.push(f.categories.length + 2);
  }
  return { kind: "tabular", features, denseNames, catCardinalities, target };
}

/** Encodes `columns` (same order as the encoders' features) into x [n, width] and cat [n, k]. */
export function applyTabular(enc: TabularEncoders, columns: RawColumn[], n: number): { x: Float32Array; width: number; cat?: Int32Array } {
  const width = enc.denseNames.length;
  const k = enc.catCardinalities.length;
  const x = new Float32Array(n * width);
  const cat = k ? new Int32Array(n * k) : undefined;
  let off = 0;
  let catOff = 0;
  enc.features.forEach((f, j) => {
    const col = columns[j]!;
    if (f.kind === "numeric") {
      if (col.kind !== "numeric") throw new Error(`column ${f.column}: expected numeric values`);
      applyNumeric(f, col.values, x, width, off);
      off += numericWidth(f);
    } else {
      if (col.kind !== "categorical") throw new Error(`column ${f.column}: expected categorical codes`);
      const table = remapTable(f, col.dict);
      if (f.kind === "onehot") {
        applyOneHot(f, col.codes, table, x, width, off);
        off += categoricalWidth(f);
      } else {
        applyEmbedding(col.codes, table, cat!, k, catOff++);
      }
    }
  });
  return { x, width, cat };
}
