/**
 * Per-feature drift between the user's pool and an extra data set, on the encoded columns (standardisation is
 * affine, so a numeric column's shift reads the same as on the raw values): numeric features by the
 * Kolmogorov-Smirnov statistic (largest gap between the two empirical CDFs) with the standardised mean difference
 * beside it; categorical ones by the total variation distance between the two category distributions.
 */
import type { EncoderState } from "../../data/index.js";
import type { Tensors } from "../../engine/types.js";

export interface FeatureDrift {
  column: string;
  kind: "numeric" | "categorical";
  /** "ks" for numeric, "tv" for categorical: both in [0, 1], 0 = same distribution. */
  statistic: "ks" | "tv";
  value: number;
  /** Numeric only: (mean_extra - mean_pool) / pooled sd. */
  smd?: number;
}

type Side = { x: Tensors["x"]; cat?: Int32Array; width: number; catWidth: number; rows: ArrayLike<number> };

export function featureDrift(enc: EncoderState, pool: Side, extra: Side): FeatureDrift[] {
  if (enc.kind !== "tabular") return [];
  const out: FeatureDrift[] = [];
  const dense = (s: Side, col: number) => Float64Array.from(s.rows as ArrayLike<number>, (r) => Number(s.x[r * s.width + col]));
  let catCol = 0;
  for (const f of enc.features) {
    if (f.kind === "numeric") {
      const col = enc.denseNames.indexOf(f.column);
      if (col < 0) continue;
      const a = dense(pool, col);
      const b = dense(extra, col);
      out.push({ column: f.column, kind: "numeric", statistic: "ks", value: ks(a, b), smd: smd(a, b) });
    } else if (f.kind === "onehot") {
      const cols = enc.denseNames.flatMap((n, i) => (n.startsWith(`${f.column}=`) ? [i] : []));
      const dist = (s: Side) => {
        // One bucket per category plus "none of them" (missing or unseen: all zeros).
        const d = new Float64Array(cols.length + 1);
        for (let i = 0; i < s.rows.length; i++) {
          const r = s.rows[i]!;
          const hot = cols.findIndex((c) => Number(s.x[r * s.width + c]) > 0.5);
          d[hot < 0 ? cols.length : hot]! += 1 / s.rows.length;
        }
        return d;
      };
      out.push({ column: f.column, kind: "categorical", statistic: "tv", value: tv(dist(pool), dist(extra)) });
    } else {
      const k = catCol++;
      const card = enc.catCardinalities[k] ?? 0;
      const dist = (s: Side) => {
        const d = new Float64Array(card + 1);
        for (let i = 0; i < s.rows.length; i++) d[Math.min(card, Math.max(0, s.cat![s.rows[i]! * s.catWidth + k]!))]! += 1 / s.rows.length;
        return d;
      };
      if (pool.cat && extra.cat) out.push({ column: f.column, kind: "categorical", statistic: "tv", value: tv(dist(pool), dist(extra)) });
    }
  }
  return out.sort((p, q) => q.value - p.value);
}

export function ks(a: Float64Array, b: Float64Array): number {
  const x = Float64Array.from(a).sort();
  const y = Float64Array.from(b).sort();
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < x.length && j < y.length) {
    const v = Math.min(x[i]!, y[j]!);
    while (i < x.length && x[i]! <= v) i++;
    while (j < y.length && y[j]! <= v) j++;
    d = Math.max(d, Math.abs(i / x.length - j / y.length));
  }
  return d;
}

export function smd(a: Float64Array, b: Float64Array): number {
  const m = (v: Float64Array) => v.reduce((s, t) => s + t, 0) / Math.max(1, v.length);
  const va = (v: Float64Array, mu: number) => v.reduce((s, t) => s + (t - mu) ** 2, 0) / Math.max(1, v.length - 1);
  const ma = m(a);
  const mb = m(b);
  const sd = Math.sqrt((va(a, ma) + va(b, mb)) / 2);
  return sd > 0 ? (mb - ma) / sd : 0;
}

function tv(p: Float64Array, q: Float64Array): number {
  let s = 0;
  for (let i = 0; i < p.length; i++) s += Math.abs(p[i]! - q[i]!);
  return s / 2;
}
