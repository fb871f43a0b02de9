/**
 * Exact duplicates, train/test leakage and conflicting labels, from one content hash per row:
 * - duplicate: rows whose content (and label) repeats an earlier row: the extra copies are flagged;
 * - leakage: test rows whose content also appears in the training pool (the test score is inflated by them);
 * - conflicting_label: rows with identical content but different class labels (classification only).
 */
import { makeIssue, pct, severityOf, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { chanceContentKeys, contentKeys } from "../features.js";
import { rngFor } from "../math/stats.js";
import { groupsByKey } from "../math/hash.js";
import type { Issue } from "../types.js";

export function checkExactDuplicates(ctx: AuditContext): Issue[] {
  const { ds } = ctx;
  const n = ds.tensors.n;
  const keys = contentKeys(ctx);
  const y = ds.tensors.y;
  const groups = groupsByKey(keys);
  const out: Issue[] = [];
  const dupRows: number[] = [];
  const conflictRows: number[] = [];
  const leakRows: number[] = [];
  const dupGroups: number[][] = [];
  const conflictGroups: { rows: number[]; labels: string[] }[] = [];
  const leakPairs: { test: number; pool: number }[] = [];
  const label = (i: number) => (ds.schema.classes ? ds.schema.classes[y[i]!] ?? String(y[i]) : String(y[i]));
  for (const g of groups) {
    const labels = new Set(g.map((i) => y[i]!));
    if (labels.size > 1) {
      conflictRows.push(...g);
      conflictGroups.push({ rows: g.map((i) => ctx.rowId[i]!), labels: g.map(label) });
    }
    // copies with the same label: all but the first of each label
    const seen = new Set<number>();
    const before = dupRows.length;
    for (const i of g) {
      if (seen.has(y[i]!)) dupRows.push(i);
      seen.add(y[i]!);
    }
    if (dupRows.length > before) dupGroups.push(g.map((i) => ctx.rowId[i]!));
    const pool = g.filter((i) => !ctx.isTest[i]);
    const test = g.filter((i) => ctx.isTest[i]);
    if (pool.length && test.length) for (const t of test) {
      leakRows.push(t);
      leakPairs.push({ test: ctx.rowId[t]!, pool: ctx.rowId[pool[0]!]! });
    }
  }
  const ids = (rows: number[]) => rows.map((i) => ctx.rowId[i]!).sort((a, b) => a - b);
  // How many repeated inputs chance alone gives for columns with this few distinct values (a column-shuffled null
  // copy): repeats at that level are coincidences, not copies, and say so instead of raising an alarm.
  const chance = repeats(chanceContentKeys(ctx, rngFor(ctx.seed, "duplicates-null")), ctx.isTest);
  const observed = repeats(keys, ctx.isTest)!;
  // Within two Poisson sds (plus one) of the null's count; never when the null repeats nothing.
  const withinChance = (seen: number, expected: number) => expected > 0 && seen <= expected + 2 * Math.sqrt(expected) + 1;
  const byChance = chance !== null && withinChance(observed.rows, chance.rows);
  const chanceNote = chance && chance.rows > 0 ? ` (chance alone repeats about ${chance.rows} rows' inputs in columns like these${byChance ? ": these look like coincidences of few distinct values, not copies" : ""})` : "";
  if (dupRows.length) {
    out.push(
      makeIssue(
        "duplicate",
        byChance ? "low" : severityOf(dupRows.length / n, 0.05, 0.005),
        ids(dupRows),
        `${dupRows.length} row${dupRows.length > 1 ? "s are exact copies" : " is an exact copy"} of another row (${pct(dupRows.length / n)}, in ${dupGroups.length} group${dupGroups.length > 1 ? "s" : ""})${chanceNote || "; the copies add no information"}`,
        { groups: dupGroups.slice(0, 50), groupCount: dupGroups.length },
        { score: 1 - dupRows.length / n },
      ),
    );
  }
  if (leakRows.length) {
    const nt = ds.split.test.length;
    out.push(
      makeIssue(
        "leakage",
        byChance && withinChance(leakRows.length, chance!.leak) ? "low" : "high",
        ids(leakRows),
        `${leakRows.length} test row${leakRows.length > 1 ? "s" : ""} (${pct(leakRows.length / Math.max(1, nt))} of the test set) also appear${leakRows.length > 1 ? "" : "s"} in the training pool${byChance ? chanceNote : ": test scores are optimistic"}`,
        { pairs: leakPairs.slice(0, 100), testRows: nt },
        { score: 1 - leakRows.length / Math.max(1, nt) },
      ),
    );
  }
  // A regression target is a noisy measurement: equal inputs with different values are that noise, not a label
  // that is wrong. Only class labels conflict.
  if (conflictRows.length && ds.tensors.task === "classification") {
    out.push(
      makeIssue(
        "conflicting_label",
        byChance ? "low" : severityOf(conflictRows.length / n, 0.02, 0.002),
        ids(conflictRows),
        `${conflictGroups.length} input${conflictGroups.length > 1 ? "s appear" : " appears"} with different labels (${conflictRows.length} rows)${byChance ? `: with inputs this coarse, equal inputs of different classes are expected (the classes overlap)${chanceNote}` : ": at most one label of each can be right"}`,
        { groups: conflictGroups.slice(0, 50) },
        { score: 1 - conflictRows.length / n },
      ),
    );
  }
  return out;
}

/** Rows whose key repeats an earlier row's, and test rows whose key is also in the pool. */
function repeats(keys: Float64Array | null, isTest: ArrayLike<boolean | number>): { rows: number; leak: number } | null {
  if (!keys) return null;
  const pool = new Set<number>();
  for (let i = 0; i < keys.length; i++) if (!isTest[i]) pool.add(keys[i]!);
  let leak = 0;
  for (let i = 0; i < keys.length; i++) if (isTest[i] && pool.has(keys[i]!)) leak++;
  return { rows: keys.length - new Set(keys).size, leak };
}

export const duplicatesCheck: AuditCheck = {
  name: "duplicates",
  title: "exact duplicates and leakage",
  types: ["duplicate", "conflicting_label", "leakage"],
  needs: [],
  uses: ["raw"],
  run: (ctx) => ({ issues: checkExactDuplicates(ctx) }),
};
