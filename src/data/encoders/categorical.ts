/**
 * Categorical columns: one-hot when the pool has few categories, otherwise embedding ids (Tensors.cat) with a
 * bucket for rare and unseen values. Input is provisional codes (index into `dict`, -1 = missing) from the reader.
 */
import type { EmbeddingEncoder, OneHotEncoder } from "./types.js";

export interface CategoricalOptions {
  /** At most this many pool categories are one-hot encoded (default 32). */
  maxOneHot?: number;
  /** Embedding: values seen fewer times in the pool go to the rare bucket (default 3). */
  minCount?: number;
  /** Embedding: keep at most this many categories (default 50,000). */
  maxCategories?: number;
}

export function fitCategorical(column: string, codes: Int32Array, dict: string[], pool: Int32Array, opts: CategoricalOptions = {}): OneHotEncoder | EmbeddingEncoder {
  const counts = new Float64Array(dict.length);
  let missing = 0;
  for (let i = 0; i < pool.length; i++) {
    const c = codes[pool[i]!]!;
    if (c < 0) missing++;
    else counts[c]!++;
  }
  const seen: number[] = [];
  for (let c = 0; c < dict.length; c++) if (counts[c]! > 0) seen.push(c);
  // Most frequent first; ties by value so the order is deterministic.
  seen.sort((a, b) => counts[b]! - counts[a]! || (dict[a]! < dict[b]! ? -1 : dict[a]! > dict[b]! ? 1 : 0));
  if (seen.length <= (opts.maxOneHot ?? 32)) {
    return { kind: "onehot", column, categories: seen.map((c) => dict[c]!), missingIndicator: missing > 0 };
  }
  const minCount = opts.minCount ?? 3;
  const kept = seen.filter((c) => counts[c]! >= minCount).slice(0, opts.maxCategories ?? 50_000);
  return { kind: "embedding", column, categories: kept.map((c) => dict[c]!), minCount };
}

export function categoricalWidth(e: OneHotEncoder): number {
  return e.categories.length + (e.missingIndicator ? 1 : 0);
}

/** Provisional code → one-hot position (-1 = none) or embedding id. */
export function remapTable(e: OneHotEncoder | EmbeddingEncoder, dict: string[]): Int32Array {
  const pos = new Map(e.categories.map((c, i) => [c, i]));
  const t = new Int32Array(dict.length);
  for (let c = 0; c < dict.length; c++) {
    const p = pos.get(dict[c]!);
    t[c] = e.kind === "onehot" ? (p ?? -1) : p === undefined ? 1 : p + 2;
  }
  return t;
}

export function applyOneHot(e: OneHotEncoder, codes: Int32Array, table: Int32Array, out: Float32Array, width: number, offset: number): void {
  const missCol = e.missingIndicator ? offset + e.categories.length : -1;
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c < 0) {
      if (missCol >= 0) out[i * width + missCol] = 1;
      continue;
    }
    const p = table[c]!;
    if (p >= 0) out[i * width + offset + p] = 1;
  }
}

export function applyEmbedding(codes: Int32Array, table: Int32Array, out: Int32Array, width: number, offset: number): void {
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    out[i * width + offset] = c < 0 ? 0 : table[c]!;
  }
}
