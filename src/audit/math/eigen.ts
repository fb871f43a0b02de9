/** Eigenvalues of a small symmetric matrix by cyclic Jacobi rotations (robust, O(m³) per sweep; m ≤ a few hundred). */
export function symmetricEigenvalues(a: Float64Array, m: number, maxSweeps = 50): Float64Array {
  const A = Float64Array.from(a);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < m; p++) for (let q = p + 1; q < m; q++) off += A[p * m + q]! ** 2;
    if (off < 1e-20) break;
    for (let p = 0; p < m; p++) {
      for (let q = p + 1; q < m; q++) {
        const apq = A[p * m + q]!;
        if (Math.abs(apq) < 1e-30) continue;
        const app = A[p * m + p]!;
        const aqq = A[q * m + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < m; k++) {
          const akp = A[k * m + p]!;
          const akq = A[k * m + q]!;
          A[k * m + p] = c * akp - s * akq;
          A[k * m + q] = s * akp + c * akq;
        }
        for (let k = 0; k < m; k++) {
          const apk = A[p * m + k]!;
          const aqk = A[q * m + k]!;
          A[p * m + k] = c * apk - s * aqk;
          A[q * m + k] = s * apk + c * aqk;
        }
      }
    }
  }
  const ev = new Float64Array(m);
  for (let i = 0; i < m; i++) ev[i] = A[i * m + i]!;
  return ev;
}

/**
 * Vendi score (Friedman & Dieng 2023) with the cosine kernel: exp(entropy of the eigenvalues of K/m), K = U Uᵀ for
 * m unit rows U (m × d). The non-zero eigenvalues of U Uᵀ equal those of Uᵀ U (d × d), so the cost is m·d² + d³
 * whatever m is: bounded time for any sample. 1 = all rows identical; up to min(m, d) = all orthogonal.
 */
export function vendiScore(u: Float32Array, m: number, d: number): number {
  if (m === 0) return 0;
  const G = new Float64Array(d * d);
  for (let i = 0; i < m; i++) {
    const b = i * d;
    for (let p = 0; p < d; p++) {
      const vp = u[b + p]!;
      if (vp === 0) continue;
      for (let q = p; q < d; q++) G[p * d + q]! += vp * u[b + q]!;
    }
  }
  for (let p = 0; p < d; p++) for (let q = p; q < d; q++) G[q * d + p] = G[p * d + q]! /= m;
  const ev = symmetricEigenvalues(G, d);
  let total = 0;
  for (const v of ev) if (v > 0) total += v;
  let h = 0;
  for (const v of ev) {
    if (v <= 1e-12) continue;
    const p = v / total;
    h -= p * Math.log(p);
  }
  return Math.exp(h);
}
