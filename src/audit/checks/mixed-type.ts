/** Mixed types in one column: mostly numbers with a few words ("12", "13", "twelve"), mostly dates with a few numbers, … */
import { makeIssue, pct, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";

type Kind = "number" | "boolean" | "date" | "string";
const NUM = /^[+-]?(?:\d+(?:[.,]\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?$/;
const BOOL = /^(?:true|false|yes|no)$/i;
const DATE = /^\d{4}-\d{1,2}-\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$/;

/** A trimmed cell that reads as a number ("12", "-3.5e2", "1,5", "40%"): kindOf's "number". */
export function isNumberText(t: string): boolean {
  return NUM.test(t);
}

export function kindOf(s: string): Kind {
  const t = s.trim();
  if (NUM.test(t)) return "number";
  if (DATE.test(t)) return "date";
  if (BOOL.test(t)) return "boolean";
  return "string";
}

/** A column is flagged when one kind holds ≥ 80% of its values and another kind appears at all. */
export function checkMixedType(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  if (!raw) return [];
  const n = raw.rows;
  const flagged = new Set<number>();
  const cols: { column: string; majority: Kind; share: number; minority: Record<string, number>; examples: number[] }[] = [];
  raw.columns.forEach((col, c) => {
    const v = raw.values[c]!;
    const kinds = new Uint8Array(n);
    const counts: Record<Kind, number> = { number: 0, boolean: 0, date: 0, string: 0 };
    const order: Kind[] = ["number", "boolean", "date", "string"];
    let present = 0;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined || s.trim() === "") {
        kinds[r] = 255;
        continue;
      }
      const k = kindOf(s);
      kinds[r] = order.indexOf(k);
      counts[k]++;
      present++;
    }
    if (present === 0) return;
    const major = order.reduce((a, b) => (counts[b] > counts[a] ? b : a));
    const share = counts[major] / present;
    // strings mixed into a string column are just strings; booleans among numbers 0/1 are fine too
    if (major === "string" || share < 0.8 || share === 1) return;
    const bad: number[] = [];
    const mi = order.indexOf(major);
    for (let r = 0; r < n; r++) if (kinds[r] !== 255 && kinds[r] !== mi) bad.push(r);
    bad.forEach((r) => flagged.add(r));
    const minority: Record<string, number> = {};
    for (const k of order) if (k !== major && counts[k]) minority[k] = counts[k];
    cols.push({ column: col, majority: major, share: Math.round(share * 1e4) / 1e4, minority, examples: bad.slice(0, 5) });
  });
  if (cols.length === 0) return [];
  const rows = [...flagged].sort((a, b) => a - b);
  return [
    makeIssue(
      "mixed_type",
      rows.length / n >= 0.01 ? "medium" : "low",
      rows,
      `${cols.length} column${cols.length > 1 ? "s mix" : " mixes"} value types: ` +
        cols.map((c) => `'${c.column}' is ${pct(c.share)} ${c.majority}s with ${Object.entries(c.minority).map(([k, m]) => `${m} ${k}${m > 1 ? "s" : ""}`).join(", ")}`).join("; "),
      { columns: cols },
      { columns: cols.map((c) => c.column), score: 1 - rows.length / n },
    ),
  ];
}

export const mixedTypeCheck: AuditCheck = {
  name: "mixed-type",
  title: "mixed types",
  types: ["mixed_type"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkMixedType(ctx) }),
};
