/**
 * Out-of-range and impossible values in numeric columns: bounds implied by the column's name (age, percent,
 * probability, counts), a few negatives in an otherwise non-negative column, infinities, and values so far from
 * the rest (robust z > 10) that they are more likely entry errors than data.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";
import { robustScale } from "../math/stats.js";
import { isNumberText } from "./mixed-type.js";
import { safeCell } from "../redact.js";

const NAMED: { re: RegExp; lo: number; hi: number; what: string }[] = [
  { re: /(^|_|\b)age(s)?($|_|\b)/i, lo: 0, hi: 130, what: "an age" },
  { re: /percent|pct|percentage/i, lo: 0, hi: 100, what: "a percentage" },
  { re: /(^|_|\b)(prob|probability|proba)($|_|\b)/i, lo: 0, hi: 1, what: "a probability" },
  { re: /(^|_|\b)(count|num|number_of|n)_|_(count|cnt)$|^(count|cnt)$/i, lo: 0, hi: Infinity, what: "a count" },
  { re: /(^|_|\b)(height|weight|length|width|price|amount|duration|distance|area|volume)($|_|\b)/i, lo: 0, hi: Infinity, what: "a size or amount" },
];

export function checkOutOfRange(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  if (!raw) return [];
  const n = raw.rows;
  const rowScore = new Float32Array(n).fill(1);
  const cols: { column: string; rule: string; count: number; examples: { row: number; value: string }[] }[] = [];
  raw.columns.forEach((col, c) => {
    if (col === ctx.ds.schema.target && ctx.ds.schema.task === "classification") return;
    const v = raw.values[c]!;
    const x = new Float64Array(n).fill(NaN);
    let nums = 0;
    let present = 0;
    let inf = 0;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined) continue;
      // one trim and one pattern per cell: a wide table has millions of them
      const t = s.trim();
      if (t === "") continue;
      present++;
      if (isNumberText(t)) {
        const num = Number(t.endsWith("%") || t.includes(",") ? t.replace(/%$/, "").replace(",", ".") : t);
        if (Number.isFinite(num)) {
          x[r] = num;
          nums++;
        }
      } else if (/^[+-]?(inf|infinity)$/i.test(t)) {
        inf++;
        x[r] = t.startsWith("-") ? -Infinity : Infinity;
      }
    }
    if (present === 0 || (nums + inf) / present < 0.9 || nums < 5) return;
    const flag = (rule: string, test: (v: number) => boolean) => {
      const ex: { row: number; value: string }[] = [];
      let count = 0;
      for (let r = 0; r < n; r++) {
        const val = x[r]!;
        if (Number.isNaN(val) || !test(val)) continue;
        count++;
        rowScore[r] = 0;
        if (ex.length < 5) ex.push({ row: r, value: safeCell(ctx, col, v[r]!)! });
      }
      if (count) cols.push({ column: col, rule, count, examples: ex });
    };
    if (inf) flag("infinite value", (val) => !Number.isFinite(val));
    const named = NAMED.find((m) => m.re.test(col));
    if (named) flag(`${named.what}: expected in [${named.lo}, ${named.hi}]`, (val) => Number.isFinite(val) && (val < named.lo || val > named.hi));
    let neg = 0;
    for (let r = 0; r < n; r++) if (x[r]! < 0) neg++;
    if (!named && neg > 0 && neg <= Math.max(1, 0.01 * nums) && nums >= 20) flag("negative in an otherwise non-negative column", (val) => val < 0);
    const fin = x.filter(Number.isFinite);
    const { median, scale } = robustScale(fin);
    // a heavy-tailed column (incomes, counts) has many "far" values: that is its shape, not an error
    const far = (val: number) => Number.isFinite(val) && Math.abs(val - median) / scale > 10;
    let farCount = 0;
    for (let r = 0; r < n; r++) if (far(x[r]!)) farCount++;
    if (scale > 0 && nums >= 20 && farCount <= Math.max(1, 0.005 * nums)) flag("more than 10 robust standard deviations from the median", (val) => Number.isFinite(val) && Math.abs(val - median) / scale > 10 && !(named && (val < named.lo || val > named.hi)));
  });
  if (cols.length === 0) return [];
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (rowScore[r] === 0) rows.push(r);
  return [
    makeIssue(
      "out_of_range",
      rows.length / n >= 0.01 ? "medium" : "low",
      rows,
      `${rows.length} row${rows.length > 1 ? "s have" : " has"} an impossible or extreme value: ` + cols.map((c) => `'${c.column}' ${c.count}× (${c.rule})`).join("; "),
      { columns: cols },
      { columns: [...new Set(cols.map((c) => c.column))], score: 1 - rows.length / n },
    ),
  ];
}

export const outOfRangeCheck: AuditCheck = {
  name: "out-of-range",
  title: "out-of-range values",
  types: ["out_of_range"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkOutOfRange(ctx) }),
};
