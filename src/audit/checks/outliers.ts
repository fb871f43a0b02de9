/**
 * Outliers: rows far from all others. In the model's embedding space, the mean cosine distance to the 10 nearest
 * neighbours; for tabular features, an isolation forest. A row is flagged when its score is far out by Tukey's rule
 * (above Q3 + 3·IQR) and, for the forest, above 0.55 (ordinary points score about 0.5; one-hot columns dilute the scores of real anomalies, so the paper's 0.6 misses some).
 */
import { makeIssue, meanQuality, pct, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { isolationForest } from "../math/iforest.js";
import { knnCosine, normaliseRows, gatherRows } from "../math/knn.js";
import { quantile, rngFor, sampleRows } from "../math/stats.js";
import type { Issue } from "../types.js";

export async function checkOutliers(ctx: AuditContext, opts: { maxRows?: number } = {}): Promise<Issue[]> {
  const { ds } = ctx;
  const t = ds.tensors;
  const n = t.n;
  const quality = new Float32Array(n).fill(NaN);
  const flagged = new Map<number, { score: number; method: string }>();
  const methods: Record<string, unknown> = {};
  const mo = ctx.model;
  if (mo && mo.rows.length > 20) {
    const m = mo.rows.length;
    const u = normaliseRows(mo.embed, m, mo.dim);
    const knn = await knnCosine(u, m, mo.dim, 10);
    const dist = new Float32Array(m);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let k = 0; k < knn.k; k++) s += 1 - knn.sim[i * knn.k + k]!;
      dist[i] = s / knn.k;
    }
    const q1 = quantile(dist, 0.25);
    const q3 = quantile(dist, 0.75);
    const med = quantile(dist, 0.5);
    const thr = q3 + 3 * (q3 - q1);
    for (let i = 0; i < m; i++) {
      const r = mo.rows[i]!;
      // quality: 1 at zero distance, 0.5 at twice the median kNN distance
      quality[r] = Math.exp((-dist[i]! / Math.max(1e-9, 2 * med)) * Math.LN2);
      if (dist[i]! > thr) flagged.set(r, { score: dist[i]! / Math.max(thr, 1e-9), method: "embedding kNN distance" });
    }
    methods.embedding = { k: knn.k, threshold: thr, median: med };
  }
  if (t.xKind === "dense") {
    const all = Int32Array.from({ length: n }, (_, i) => i);
    const rows = sampleRows(all, opts.maxRows ?? 50000, ctx.seed, "iforest");
    const d = t.xShape[0]!;
    const xs = gatherRows(t.x as Float32Array, d, rows);
    const s = isolationForest(xs, rows.length, d, rngFor(ctx.seed, "iforest"));
    const q1 = quantile(s, 0.25);
    const q3 = quantile(s, 0.75);
    const thr = Math.max(0.55, q3 + 3 * (q3 - q1));
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      const qv = 1 - s[i]!;
      quality[r] = Number.isNaN(quality[r]!) ? qv : Math.min(quality[r]!, qv);
      if (s[i]! > thr) {
        const prev = flagged.get(r);
        flagged.set(r, { score: Math.max(prev?.score ?? 0, s[i]! / thr), method: prev ? `${prev.method} + isolation forest` : "isolation forest" });
      }
    }
    methods.isolationForest = { trees: 100, sampleSize: 256, threshold: thr };
  }
  ctx.scores.push({ type: "outlier", scores: quality });
  if (flagged.size === 0) return [];
  let scored = 0;
  for (const q of quality) if (!Number.isNaN(q)) scored++;
  const list = [...flagged.entries()].sort((a, b) => b[1].score - a[1].score);
  return [
    makeIssue(
      "outlier",
      flagged.size / scored >= 0.02 ? "medium" : "low",
      list.map(([r]) => ctx.rowId[r]!),
      `${flagged.size} row${flagged.size > 1 ? "s are" : " is"} far from the rest of the data (${pct(flagged.size / scored)} of ${scored} rows scored): check them for entry errors or out-of-scope inputs`,
      { methods, top: list.slice(0, 20).map(([r, v]) => ({ row: ctx.rowId[r]!, score: Math.round(v.score * 1000) / 1000, method: v.method })) },
      { score: meanQuality(quality) },
    ),
  ];
}

export const outliersCheck: AuditCheck = {
  name: "outliers",
  title: "outliers",
  types: ["outlier"],
  needs: [],
  uses: ["oof"],
  // the isolation forest is cheap (100 trees of 256 rows): it scores at least 50,000 rows whatever the cap
  run: async (ctx) => ({ issues: await checkOutliers(ctx, { maxRows: Math.max(ctx.maxRows, 50000) }) }),
};
