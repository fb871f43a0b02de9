/**
 * Bias across --group columns, on out-of-sample predictions (Fairlearn MetricFrame-like): per group accuracy and
 * error, selection rate, TPR and FPR (binary: the second class is "positive"; multiclass: one-vs-rest per class),
 * the gap (max - min) and ratio (min / max) between groups, each with a 90% bootstrap interval. A group is
 * flagged when its whole accuracy interval lies below the overall accuracy.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { bootstrapRates, type RateInterval } from "../math/bootstrap.js";
import { rngFor } from "../math/stats.js";
import type { Issue } from "../types.js";
import type { BiasSummary, GroupMetrics } from "../sections.js";

export type { BiasSummary, GroupMetrics };

const SMALL = 30;
const r4 = (v: RateInterval): RateInterval => ({ value: Math.round(v.value * 1e4) / 1e4, lo: Math.round(v.lo * 1e4) / 1e4, hi: Math.round(v.hi * 1e4) / 1e4 });

export function biasSummaries(ctx: AuditContext): BiasSummary[] {
  const mo = ctx.model;
  const { ds } = ctx;
  if (!mo || ds.tensors.task !== "classification") return [];
  const y = ds.tensors.y as Int32Array;
  const m = mo.rows.length;
  const K = mo.K;
  const names = ds.schema.classes ?? [];
  const out: BiasSummary[] = [];
  for (const [col, { labels, codes }] of Object.entries(ds.groups)) {
    const G = labels.length;
    const g = Int32Array.from(mo.rows, (r) => codes[r]!);
    const correct = new Uint8Array(m);
    let right = 0;
    for (let i = 0; i < m; i++) if ((correct[i] = mo.pred[i] === y[mo.rows[i]!] ? 1 : 0)) right++;
    const rng = rngFor(ctx.seed, `bias:${col}`);
    const acc = bootstrapRates(correct, g, G, rng);
    const gaps: BiasSummary["gaps"] = { accuracy: { gap: r4(acc.gap), ratio: r4(acc.ratio) } };
    const counts = new Int32Array(G);
    for (let i = 0; i < m; i++) counts[g[i]!]!++;
    const groups: GroupMetrics[] = labels.map((l, c) => ({ group: l, rows: counts[c]!, accuracy: r4(acc.rates[c]!), error: Math.round((1 - acc.rates[c]!.value) * 1e4) / 1e4, smallSample: counts[c]! < SMALL }));
    let positiveClass: string | undefined;
    if (K === 2) {
      positiveClass = names[1] ?? "1";
      const sel = new Uint8Array(m);
      const tpOut = new Uint8Array(m);
      const fpOut = new Uint8Array(m);
      const gPos = new Int32Array(m);
      const gNeg = new Int32Array(m);
      for (let i = 0; i < m; i++) {
        const isPos = y[mo.rows[i]!] === 1;
        sel[i] = mo.pred[i] === 1 ? 1 : 0;
        tpOut[i] = sel[i]!;
        fpOut[i] = sel[i]!;
        gPos[i] = isPos ? g[i]! : -1;
        gNeg[i] = isPos ? -1 : g[i]!;
      }
      const s = bootstrapRates(sel, g, G, rng);
      const tp = bootstrapRates(tpOut, gPos, G, rng);
      const fp = bootstrapRates(fpOut, gNeg, G, rng);
      groups.forEach((gm, c) => {
        gm.selectionRate = r4(s.rates[c]!);
        gm.tpr = r4(tp.rates[c]!);
        gm.fpr = r4(fp.rates[c]!);
      });
      gaps.selectionRate = { gap: r4(s.gap), ratio: r4(s.ratio) };
      gaps.tpr = { gap: r4(tp.gap), ratio: r4(tp.ratio) };
      gaps.fpr = { gap: r4(fp.gap), ratio: r4(fp.ratio) };
    } else {
      // one-vs-rest point estimates per class (intervals only for accuracy, to keep the report readable)
      groups.forEach((gm, c) => {
        gm.perClass = [];
        for (let k = 0; k < K; k++) {
          let n = 0, sel = 0, pos = 0, tp = 0, neg = 0, fp = 0;
          for (let i = 0; i < m; i++) {
            if (g[i] !== c) continue;
            n++;
            const p = mo.pred[i] === k;
            const t = y[mo.rows[i]!] === k;
            if (p) sel++;
            if (t) {
              pos++;
              if (p) tp++;
            } else {
              neg++;
              if (p) fp++;
            }
          }
          gm.perClass.push({ class: names[k] ?? String(k), selectionRate: n ? Math.round((sel / n) * 1e4) / 1e4 : NaN, tpr: pos ? Math.round((tp / pos) * 1e4) / 1e4 : NaN, fpr: neg ? Math.round((fp / neg) * 1e4) / 1e4 : NaN });
        }
      });
    }
    const notes: string[] = [];
    const small = groups.filter((x) => x.smallSample);
    if (small.length) notes.push(`${small.length} group${small.length > 1 ? "s have" : " has"} fewer than ${SMALL} audited rows (${small.map((x) => `'${x.group}' ${x.rows}`).join(", ")}): ${small.length > 1 ? "their" : "its"} intervals are wide; treat ${small.length > 1 ? "their" : "its"} gaps as unresolved`);
    out.push({ column: col, overallAccuracy: Math.round((right / m) * 1e4) / 1e4, ...(positiveClass ? { positiveClass } : {}), groups, gaps, notes });
  }
  return out;
}

export function checkBias(ctx: AuditContext, out: { summaries?: BiasSummary[] } = {}): Issue[] {
  const summaries = biasSummaries(ctx);
  out.summaries = summaries;
  const issues: Issue[] = [];
  const mo = ctx.model;
  if (!mo) return issues;
  for (const s of summaries) {
    const worse = s.groups.filter((g) => g.rows > 0 && g.accuracy.hi < s.overallAccuracy);
    if (!worse.length) continue;
    const { codes, labels } = ctx.ds.groups[s.column]!;
    const set = new Set(worse.map((g) => labels.indexOf(g.group)));
    const rows: number[] = [];
    for (let i = 0; i < ctx.ds.tensors.n; i++) if (set.has(codes[i]!)) rows.push(ctx.rowId[i]!);
    const gap = s.gaps.accuracy!.gap;
    issues.push(
      makeIssue(
        "underperforming_group",
        gap.lo >= 0.1 ? "high" : "medium",
        rows,
        `'${s.column}': the model is less accurate for ${worse.map((g) => `'${g.group}' (${(100 * g.accuracy.value).toFixed(1)}%, 90% interval ${(100 * g.accuracy.lo).toFixed(1)}–${(100 * g.accuracy.hi).toFixed(1)}%, ${g.rows} rows)`).join(", ")} than overall (${(100 * s.overallAccuracy).toFixed(1)}%); gap between groups ${(100 * gap.value).toFixed(1)} points (${(100 * gap.lo).toFixed(1)}–${(100 * gap.hi).toFixed(1)})`,
        { column: s.column, groups: worse.map((g) => g.group), gaps: s.gaps, notes: s.notes },
        { columns: [s.column], score: Math.min(...worse.map((g) => g.accuracy.value)) / Math.max(1e-9, s.overallAccuracy) },
      ),
    );
  }
  return issues;
}

export const biasCheck: AuditCheck = {
  name: "bias",
  title: "group bias",
  types: ["underperforming_group"],
  needs: ["labels", "oof", "groups"],
  run(ctx) {
    const out: { summaries?: BiasSummary[] } = {};
    const issues = checkBias(ctx, out);
    return { issues, sections: { bias: out.summaries ?? [] } };
  },
};
