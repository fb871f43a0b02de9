/**
 * Embedding diversity and coverage. Vendi score per class on a sample of up to 500 rows (cosine kernel; bounded:
 * see math/eigen.ts), flagged when a class is far less diverse than the median class. Under-covered regions:
 * k-means clusters of the embeddings that hold few rows or whose out-of-fold accuracy is far below the overall.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { vendiScore } from "../math/eigen.js";
import { kmeans } from "../math/kmeans.js";
import { gatherRows, normaliseRows } from "../math/knn.js";
import { rngFor, sampleRows } from "../math/stats.js";
import type { Issue } from "../types.js";
import type { DiversitySummary } from "../sections.js";

export type { DiversitySummary };

export function checkDiversity(ctx: AuditContext, out: { summary?: DiversitySummary } = {}): Issue[] {
  const mo = ctx.model;
  const { ds } = ctx;
  if (!mo || ds.tensors.task !== "classification" || mo.rows.length < 20) return [];
  const y = ds.tensors.y as Int32Array;
  const m = mo.rows.length;
  const names = ds.schema.classes ?? [];
  const u = normaliseRows(mo.embed, m, mo.dim, true);
  const labels = Int32Array.from(mo.rows, (r) => y[r]!);
  const positions = Int32Array.from({ length: m }, (_, i) => i);
  const vendi: DiversitySummary["vendi"] = [];
  for (let c = 0; c < mo.K; c++) {
    const own = positions.filter((i) => labels[i] === c);
    if (own.length < 5) continue;
    const s = sampleRows(own, 500, ctx.seed, `vendi:${c}`);
    vendi.push({ class: names[c] ?? String(c), vendi: Math.round(vendiScore(gatherRows(u, mo.dim, s), s.length, mo.dim) * 100) / 100, sampled: s.length });
  }
  const issues: Issue[] = [];
  const sorted = vendi.map((v) => v.vendi).sort((a, b) => a - b);
  const med = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const low = vendi.filter((v) => v.vendi < 0.4 * med);
  if (low.length) {
    issues.push(
      makeIssue(
        "low_diversity",
        "low",
        [],
        `${low.length} class${low.length > 1 ? "es are" : " is"} much less varied than the others (Vendi score ${low.map((v) => `'${v.class}' ${v.vendi}`).join(", ")} vs median ${med}): new examples of ${low.length > 1 ? "them" : "it"} should differ from the existing ones`,
        { vendi, median: med },
        { count: low.length, score: Math.min(1, Math.min(...low.map((v) => v.vendi)) / Math.max(med, 1e-9)) },
      ),
    );
  }
  // coverage
  const k = Math.max(2, Math.min(30, Math.round(Math.sqrt(m / 20))));
  const { assign } = kmeans(u, m, mo.dim, k, rngFor(ctx.seed, "kmeans"));
  const size = new Int32Array(k);
  const right = new Int32Array(k);
  const top = Array.from({ length: k }, () => new Int32Array(mo.K));
  let correct = 0;
  for (let i = 0; i < m; i++) {
    size[assign[i]!]!++;
    top[assign[i]!]![labels[i]!]!++;
    if (mo.pred[i] === labels[i]) {
      right[assign[i]!]!++;
      correct++;
    }
  }
  const overall = correct / m;
  const clusters = Array.from({ length: k }, (_, c) => {
    const t = top[c]!;
    let b = 0;
    for (let j = 1; j < t.length; j++) if (t[j]! > t[b]!) b = j;
    return { cluster: c, rows: size[c]!, accuracy: size[c]! ? Math.round((right[c]! / size[c]!) * 1e4) / 1e4 : NaN, topClass: names[b] ?? String(b) };
  });
  out.summary = { vendi, clusters };
  const meanSize = m / k;
  const weak = clusters.filter((c) => c.rows >= 10 && (c.rows < 0.2 * meanSize || c.accuracy < overall - 0.2));
  if (weak.length) {
    const set = new Set(weak.map((c) => c.cluster));
    const rows: number[] = [];
    for (let i = 0; i < m; i++) if (set.has(assign[i]!)) rows.push(ctx.rowId[mo.rows[i]!]!);
    issues.push(
      makeIssue(
        "under_covered",
        "medium",
        rows,
        `${weak.length} region${weak.length > 1 ? "s" : ""} of the input space ${weak.length > 1 ? "are" : "is"} thinly covered or poorly learned: ` +
          weak.map((c) => `cluster ${c.cluster} (mostly '${c.topClass}', ${c.rows} rows, accuracy ${(100 * c.accuracy).toFixed(0)}% vs ${(100 * overall).toFixed(0)}% overall)`).join("; ") +
          "; more examples like these would help most",
        { k, overallAccuracy: Math.round(overall * 1e4) / 1e4, clusters: weak },
        { score: 1 - rows.length / m },
      ),
    );
  }
  return issues;
}

export const diversityCheck: AuditCheck = {
  name: "diversity",
  title: "diversity and coverage",
  types: ["low_diversity", "under_covered"],
  needs: ["labels", "oof"],
  run(ctx) {
    const out: { summary?: DiversitySummary } = {};
    const issues = checkDiversity(ctx, out);
    return { issues, sections: { diversity: out.summary ?? null } };
  },
};
