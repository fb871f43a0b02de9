/** Class balance: counts per class (pool and test), imbalance ratio, normalised entropy, rare classes; counts per group. */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { normalisedEntropy } from "../math/stats.js";
import type { Issue } from "../types.js";
import type { BalanceSummary } from "../sections.js";

export type { BalanceSummary };

export function balanceSummary(ctx: AuditContext): BalanceSummary | null {
  const { ds } = ctx;
  const groups: BalanceSummary["groups"] = {};
  const n = ds.tensors.n;
  const y = ds.tensors.y;
  const K = ds.tensors.task === "classification" ? ds.tensors.numClasses : 0;
  for (const [g, { labels, codes }] of Object.entries(ds.groups)) {
    const counts = new Int32Array(labels.length);
    const per = labels.map(() => new Array<number>(K).fill(0));
    for (let i = 0; i < n; i++) {
      counts[codes[i]!]!++;
      if (K) per[codes[i]!]![y[i]!]!++;
    }
    groups[g] = labels.map((l, c) => ({ group: l, rows: counts[c]!, share: Math.round((counts[c]! / n) * 1e4) / 1e4, ...(K ? { perClass: per[c]! } : {}) }));
  }
  if (!K) return { classes: [], imbalanceRatio: 1, entropy: 1, groups };
  const pool = new Int32Array(K);
  const test = new Int32Array(K);
  for (let i = 0; i < n; i++) (ctx.isTest[i] ? test : pool)[y[i]!]!++;
  const total = Array.from(pool, (p, c) => p + test[c]!);
  const present = total.filter((c) => c > 0);
  const names = ds.schema.classes ?? [];
  return {
    classes: total.map((t, c) => ({ class: names[c] ?? String(c), pool: pool[c]!, test: test[c]!, share: Math.round((t / n) * 1e4) / 1e4 })),
    imbalanceRatio: Math.max(...present) / Math.max(1, Math.min(...present)),
    entropy: Math.round(normalisedEntropy(total) * 1e4) / 1e4,
    groups,
  };
}

export function checkBalance(ctx: AuditContext): Issue[] {
  const b = balanceSummary(ctx);
  if (!b || b.classes.length === 0) return [];
  const out: Issue[] = [];
  const n = ctx.ds.tensors.n;
  const y = ctx.ds.tensors.y as Int32Array;
  const totals = b.classes.map((c) => c.pool + c.test);
  const median = [...totals].sort((a, b2) => a - b2)[Math.floor(totals.length / 2)]!;
  if (b.imbalanceRatio >= 5 || b.entropy < 0.8) {
    const maxI = totals.indexOf(Math.max(...totals));
    const minI = totals.indexOf(Math.min(...totals.filter((t) => t > 0)));
    out.push(
      makeIssue(
        "class_imbalance",
        b.imbalanceRatio >= 20 ? "high" : "medium",
        [],
        `classes are imbalanced: '${b.classes[maxI]!.class}' has ${b.imbalanceRatio.toFixed(1)}× the rows of '${b.classes[minI]!.class}' (normalised entropy ${b.entropy.toFixed(2)}); accuracy will mostly reflect the large classes`,
        { imbalanceRatio: Math.round(b.imbalanceRatio * 100) / 100, entropy: b.entropy, classes: b.classes },
        { score: b.entropy, count: b.classes.length },
      ),
    );
  }
  // rare: under 1% of rows and under a fifth of the median class, or fewer than 10 rows in the pool
  const rare = b.classes.map((c, i) => ({ ...c, i })).filter((c) => c.pool + c.test > 0 && (c.pool < 10 || ((c.pool + c.test) / n < 0.01 && c.pool + c.test < median / 5)));
  if (rare.length) {
    const rows: number[] = [];
    const set = new Set(rare.map((c) => c.i));
    for (let i = 0; i < n; i++) if (set.has(y[i]!)) rows.push(ctx.rowId[i]!);
    out.push(
      makeIssue(
        "rare_class",
        rare.some((c) => c.pool < 10) ? "high" : "medium",
        rows,
        `${rare.length} rare class${rare.length > 1 ? "es" : ""}: ${rare.map((c) => `'${c.class}' (${c.pool} pool, ${c.test} test)`).join(", ")}; the model sees too few examples to learn ${rare.length > 1 ? "them" : "it"} and the test estimate for ${rare.length > 1 ? "them" : "it"} is noisy`,
        { classes: rare.map(({ i: _i, ...c }) => c), medianClassRows: median },
        { score: 1 - rows.length / n },
      ),
    );
  }
  return out;
}

export const balanceCheck: AuditCheck = {
  name: "balance",
  title: "class balance",
  types: ["class_imbalance", "rare_class"],
  needs: ["labels"],
  run: (ctx) => ({ issues: checkBalance(ctx), sections: { balance: balanceSummary(ctx) } }),
};
