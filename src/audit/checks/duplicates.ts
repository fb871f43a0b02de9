/**
 * Exact duplicates, train/test leakage and conflicting labels, from one content hash per row:
 * - duplicate: rows whose content (and label) repeats an earlier row: the extra copies are flagged;
 * - leakage: test rows whose content also appears in the training pool (the test score is inflated by them);
 * - conflicting_label: rows with identical content but different class labels (classification only).
 */
import { makeIssue, pct, severityOf, type AuditContext } from "../context.js";
import { contentKeys } from "../features.js";
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
  if (dupRows.length) {
    out.push(
      makeIssue(
        "duplicate",
        severityOf(dupRows.length / n, 0.05, 0.005),
        ids(dupRows),
        `${dupRows.length} row${dupRows.length > 1 ? "s are exact copies" : " is an exact copy"} of another row (${pct(dupRows.length / n)}, in ${dupGroups.length} group${dupGroups.length > 1 ? "s" : ""}); the copies add no information`,
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
        "high",
        ids(leakRows),
        `${leakRows.length} test row${leakRows.length > 1 ? "s" : ""} (${pct(leakRows.length / Math.max(1, nt))} of the test set) also appear${leakRows.length > 1 ? "" : "s"} in the training pool: test scores are optimistic`,
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
        severityOf(conflictRows.length / n, 0.02, 0.002),
        ids(conflictRows),
        `${conflictGroups.length} input${conflictGroups.length > 1 ? "s appear" : " appears"} with different labels (${conflictRows.length} rows): at most one label of each can be right`,
        { groups: conflictGroups.slice(0, 50) },
        { score: 1 - conflictRows.length / n },
      ),
    );
  }
  return out;
}
