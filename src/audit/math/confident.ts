/**
 * Confident learning (Northcutt, Jiang & Chuang 2021, as in cleanlab): find label errors from out-of-sample
 * predicted probabilities. Per-class thresholds t_j = mean p_j over rows labelled j; the confident joint counts rows
 * labelled i whose probability for some class j reaches t_j (the most probable such j); calibrated to the class
 * counts it estimates the joint of (given, true) labels. Rows are flagged by "prune by noise rate": for each
 * off-diagonal (i, j), the n·Q[i][j] rows labelled i with the largest margin p_j - p_i, kept only if they are also
 * in the confident joint's off-diagonal (cleanlab's filter_by="both"), which trades a little recall for precision.
 */
export interface ConfidentLearningResult {
  /** Flagged rows (positions into the given arrays), most likely errors first. */
  flagged: Int32Array;
  /** Per-row label quality: self-confidence p_given (cleanlab's default), or normalised margin. */
  quality: Float32Array;
  /** Suggested label per row: the argmax of the out-of-sample probabilities. */
  suggested: Int32Array;
  thresholds: Float64Array;
  /** K × K confident joint counts C[given][true]. */
  confidentJoint: Int32Array;
  /** K × K calibrated joint Q[given][true] (sums to 1). */
  joint: Float64Array;
  /** K × K noise matrix P(given = i | true = j), stored [i][j]. */
  noiseMatrix: Float64Array;
  /** Estimated fraction of rows whose given label is wrong. */
  noiseRate: number;
}

export function confidentLearning(probs: Float32Array, labels: Int32Array, K: number, opts: { ranking?: "self_confidence" | "normalized_margin"; filter?: "posterior" | "both" | "prune_by_noise_rate" | "confident_joint" } = {}): ConfidentLearningResult {
  const n = labels.length;
  const counts = new Float64Array(K);
  const sums = new Float64Array(K);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    counts[y]!++;
    sums[y]! += probs[i * K + y]!;
  }
  const thresholds = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) if (labels[i] === j) s += probs[i * K + j]!;
    thresholds[j] = counts[j]! > 0 ? s / counts[j]! : 1;
  }
  // confident joint and each row's confident "true" class (-1: none reaches its threshold)
  const C = new Int32Array(K * K);
  const conf = new Int32Array(n).fill(-1);
  const suggested = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bp = -Infinity;
    let arg = 0;
    let ap = -Infinity;
    for (let j = 0; j < K; j++) {
      const p = probs[i * K + j]!;
      if (p > ap) {
        ap = p;
        arg = j;
      }
      if (p >= thresholds[j]! - 1e-6 && p > bp) {
        bp = p;
        best = j;
      }
    }
    suggested[i] = arg;
    conf[i] = best;
    if (best >= 0) C[labels[i]! * K + best]!++;
  }
  // calibrate: each row of C scaled to the class count, then normalised to a joint distribution
  const Q = new Float64Array(K * K);
  let tot = 0;
  for (let i = 0; i < K; i++) {
    let r = 0;
    for (let j = 0; j < K; j++) r += C[i * K + j]!;
    for (let j = 0; j < K; j++) {
      Q[i * K + j] = r > 0 ? (C[i * K + j]! / r) * counts[i]! : 0;
      tot += Q[i * K + j]!;
    }
  }
  for (let i = 0; i < K * K; i++) Q[i]! /= tot || 1;
  let noiseRate = 0;
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) if (i !== j) noiseRate += Q[i * K + j]!;
  const noiseMatrix = new Float64Array(K * K);
  for (let j = 0; j < K; j++) {
    let col = 0;
    for (let i = 0; i < K; i++) col += Q[i * K + j]!;
    for (let i = 0; i < K; i++) noiseMatrix[i * K + j] = col > 0 ? Q[i * K + j]! / col : i === j ? 1 : 0;
  }

  const filter = opts.filter ?? "posterior";
  const inJointOff = (r: number) => conf[r]! >= 0 && conf[r] !== labels[r];
  const marked = new Uint8Array(n);
  if (filter === "posterior") {
    for (let r = 0; r < n; r++) {
      const i = labels[r]!;
      let num = 0;
      let den = 0;
      for (let j = 0; j < K; j++) {
        const v = noiseMatrix[i * K + j]! * probs[r * K + j]!;
        den += v;
        if (j === i) num = v;
      }
      if (den > 0 && num / den < 0.5) marked[r] = 1;
    }
  } else if (filter === "confident_joint") {
    for (let r = 0; r < n; r++) if (inJointOff(r)) marked[r] = 1;
  } else {
    // prune by noise rate: per off-diagonal cell, the round(n·Q[i][j]) rows labelled i with largest p_j - p_i
    const byLabel: number[][] = Array.from({ length: K }, () => []);
    for (let r = 0; r < n; r++) byLabel[labels[r]!]!.push(r);
    for (let i = 0; i < K; i++) {
      const rows = byLabel[i]!;
      if (rows.length === 0) continue;
      for (let j = 0; j < K; j++) {
        if (i === j) continue;
        // never prune a class below one row: cap at rows.length - 1
        const take = Math.min(Math.round(n * Q[i * K + j]!), rows.length - 1);
        if (take <= 0) continue;
        const margin = Float64Array.from(rows, (r) => probs[r * K + j]! - probs[r * K + i]!);
        const order = Int32Array.from(rows.keys()).sort((a, b) => margin[b]! - margin[a]!);
        for (let t = 0; t < take; t++) {
          const r = rows[order[t]!]!;
          if (margin[order[t]!]! <= 0 && filter === "prune_by_noise_rate") break;
          if (filter === "both" ? inJointOff(r) && suggested[r] !== labels[r] : true) marked[r] = 1;
        }
      }
    }
  }

  const ranking = opts.ranking ?? "self_confidence";
  const quality = new Float32Array(n);
  for (let r = 0; r < n; r++) {
    const y = labels[r]!;
    const py = probs[r * K + y]!;
    if (ranking === "self_confidence") quality[r] = py;
    else {
      let other = 0;
      for (let j = 0; j < K; j++) if (j !== y && probs[r * K + j]! > other) other = probs[r * K + j]!;
      quality[r] = (py - other + 1) / 2;
    }
  }
  const flaggedList: number[] = [];
  for (let r = 0; r < n; r++) if (marked[r]) flaggedList.push(r);
  const flagged = Int32Array.from(flaggedList).sort((a, b) => quality[a]! - quality[b]!);
  return { flagged, quality, suggested, thresholds, confidentJoint: C, joint: Q, noiseMatrix, noiseRate };
}
