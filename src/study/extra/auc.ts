/** The area under the ROC curve from scores and 0/1 labels (Mann-Whitney, ties counted half), and its bootstrap. */
import { quantile } from "../../stats.js";
import { rngFor } from "../../rng.js";

export function auc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const rank = (i + j) / 2 + 1; // mid-rank of a tie block
    for (let k = i; k <= j; k++) if (labels[idx[k]!] === 1) {
      pos++;
      rankSum += rank;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** 80% interval of the AUC over rows resampled with replacement (seeded). */
export function aucInterval(scores: Float64Array, labels: Uint8Array, replicates = 200, seed = 0): { lo: number; hi: number } {
  const rand = rngFor(seed, "domain-auc");
  const n = scores.length;
  const vals: number[] = [];
  const s = new Float64Array(n);
  const l = new Uint8Array(n);
  for (let b = 0; b < replicates; b++) {
    for (let i = 0; i < n; i++) {
      const k = Math.floor(rand() * n);
      s[i] = scores[k]!;
      l[i] = labels[k]!;
    }
    const v = auc(s, l);
    if (Number.isFinite(v)) vals.push(v);
  }
  return { lo: quantile(vals, 0.1), hi: quantile(vals, 0.9) };
}
