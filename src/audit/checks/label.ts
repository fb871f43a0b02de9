/** Label errors by confident learning on out-of-sample probabilities (see math/confident.ts). */
import { makeIssue, meanQuality, pct, severityOf, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { confidentLearning } from "../math/confident.js";
import type { Issue } from "../types.js";

export function checkLabels(ctx: AuditContext, opts: { ranking?: "self_confidence" | "normalized_margin" } = {}): Issue[] {
  const mo = ctx.model;
  const { ds } = ctx;
  if (!mo || ds.tensors.task !== "classification") return [];
  const y = ds.tensors.y as Int32Array;
  const labels = Int32Array.from(mo.rows, (r) => y[r]!);
  const cl = confidentLearning(mo.probs, labels, mo.K, { ranking: opts.ranking ?? "self_confidence" });
  const quality = new Float32Array(ds.tensors.n).fill(NaN);
  mo.rows.forEach((r, i) => (quality[r] = cl.quality[i]!));
  ctx.scores.push({ type: "label", scores: quality });
  let disagree = 0;
  for (let i = 0; i < labels.length; i++) if (mo.pred[i] !== labels[i]) disagree++;
  const classes = ds.schema.classes ?? [];
  const name = (c: number) => classes[c] ?? String(c);
  const K = mo.K;
  const pairs: { given: string; likelyTrue: string; rate: number; estimatedRows: number }[] = [];
  for (let i = 0; i < K; i++) for (let j = 0; j < K; j++) {
    if (i === j) continue;
    const q = cl.joint[i * K + j]!;
    if (q * labels.length >= 0.5) pairs.push({ given: name(i), likelyTrue: name(j), rate: Math.round(cl.noiseMatrix[i * K + j]! * 1e4) / 1e4, estimatedRows: Math.round(q * labels.length) });
  }
  pairs.sort((a, b) => b.estimatedRows - a.estimatedRows);
  const m = labels.length;
  const f = cl.flagged.length;
  const details = {
    method: "confident learning (flagged where the given label is more likely wrong than right under the estimated noise matrix), ranked by " + (opts.ranking ?? "self_confidence"),
    folds: mo.folds,
    audited: m,
    estimatedNoiseRate: Math.round(cl.noiseRate * 1e4) / 1e4,
    baselineDisagreements: disagree,
    thresholds: Array.from(cl.thresholds, (v, c) => ({ class: name(c), threshold: Math.round(v * 1e4) / 1e4 })),
    noisePairs: pairs.slice(0, 20),
    suggestions: Array.from(cl.flagged.slice(0, 50), (i) => ({ row: ctx.rowId[mo.rows[i]!]!, given: name(labels[i]!), suggested: name(cl.suggested[i]!), quality: Math.round(cl.quality[i]! * 1e4) / 1e4 })),
  };
  if (f === 0) return [];
  return [
    makeIssue(
      "label",
      severityOf(f / m, 0.03, 0.005),
      Array.from(cl.flagged, (i) => ctx.rowId[mo.rows[i]!]!),
      `${f} label${f > 1 ? "s look" : " looks"} wrong (${pct(f / m)} of ${m} audited rows; estimated noise rate ${pct(cl.noiseRate)})` +
        (pairs[0] ? `; most often '${pairs[0].given}' given where '${pairs[0].likelyTrue}' is likely` : ""),
      details,
      { score: meanQuality(cl.quality) },
    ),
  ];
}

export const labelCheck: AuditCheck = {
  name: "label",
  title: "label errors",
  types: ["label"],
  needs: ["labels", "oof"],
  run: (ctx) => ({ issues: checkLabels(ctx) }),
};
