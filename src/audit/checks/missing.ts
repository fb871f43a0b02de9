/** Missing values per column (missing tokens such as "", NA, null, ? and whitespace-only cells). */
import { makeIssue, pct, severityOf, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";

export function checkMissing(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  if (!raw) return [];
  const n = raw.rows;
  const rowMissing = new Int32Array(n);
  const perColumn: { column: string; missing: number; fraction: number; examples: number[] }[] = [];
  raw.columns.forEach((col, c) => {
    const v = raw.values[c]!;
    let m = 0;
    const ex: number[] = [];
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined || s.trim() === "") {
        m++;
        rowMissing[r]!++;
        if (ex.length < 5) ex.push(r);
      }
    }
    if (m > 0) perColumn.push({ column: col, missing: m, fraction: m / n, examples: ex });
  });
  if (perColumn.length === 0) return [];
  const rows: number[] = [];
  for (let r = 0; r < n; r++) if (rowMissing[r]! > 0) rows.push(r);
  rows.sort((a, b) => rowMissing[b]! - rowMissing[a]! || a - b);
  perColumn.sort((a, b) => b.missing - a.missing);
  const target = ctx.ds.schema.target;
  const tgt = perColumn.find((p) => p.column === target);
  const cells = perColumn.reduce((a, p) => a + p.missing, 0);
  const worst = perColumn[0]!;
  return [
    makeIssue(
      "missing",
      severityOf(rows.length / n, 0.2, 0.02),
      rows,
      `${rows.length} of ${n} rows (${pct(rows.length / n)}) have a missing value; most in '${worst.column}' (${worst.missing}, ${pct(worst.fraction)})` +
        (tgt ? `; ${tgt.missing} rows miss the target and were left out of training` : ""),
      { cells, perColumn: perColumn.map((p) => ({ ...p, fraction: Math.round(p.fraction * 1e4) / 1e4 })) },
      { score: 1 - cells / (n * raw.columns.length), columns: perColumn.map((p) => p.column) },
    ),
  ];
}

export const missingCheck: AuditCheck = {
  name: "missing",
  title: "missing values",
  types: ["missing"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkMissing(ctx) }),
};
