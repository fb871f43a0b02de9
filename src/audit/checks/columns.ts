/**
 * Constant and id-like columns: a column with one value carries no information; a column with a distinct value on
 * (nearly) every row cannot generalise and, if fed to a model, invites memorisation (row ids, timestamps, hashes).
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";
import { safeCell } from "../redact.js";

const ID_NAME = /(^|_|\b)(id|uuid|guid|key|index|idx|row|record|rowid)($|_|\b)|Id$|ID$/;

export function checkColumns(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  const out: Issue[] = [];
  if (!raw) return out;
  const n = raw.rows;
  const target = ctx.ds.schema.target;
  const constant: { column: string; value: string | null; share: number }[] = [];
  const ids: { column: string; distinct: number; why: string }[] = [];
  raw.columns.forEach((col, c) => {
    if (col === target) return;
    const counts = new Map<string, number>();
    const v = raw.values[c]!;
    let present = 0;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined || s.trim() === "") continue;
      present++;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    let top = 0;
    let topV: string | null = null;
    for (const [k, m] of counts) if (m > top) [top, topV] = [m, k];
    const shown = safeCell(ctx, col, topV);
    if (counts.size <= 1) constant.push({ column: col, value: shown, share: 1 });
    else if (top / n >= 0.999 && n >= 1000) constant.push({ column: col, value: shown, share: top / n });
    const named = ID_NAME.test(col);
    const unique = counts.size === present && present >= 10 && present >= 0.5 * n;
    if (!(unique || (named && present >= 10 && counts.size >= 0.99 * present))) return;
    // every value distinct: an id if it is an integer sequence or a uuid/hash-like token, or named like one.
    // Distinct decimals are just a continuous feature, and long free text is text.
    let ints = 0;
    let tokens = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const k of counts.keys()) {
      const t = k.trim();
      if (/^[+-]?\d+$/.test(t)) {
        ints++;
        const x = Number(t);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
      }
      else if (!/\s/.test(t) && t.length <= 64 && !Number.isFinite(Number(t))) tokens++;
    }
    const why = named ? "named like an id, values (nearly) all distinct" : ints === counts.size && hi - lo + 1 <= 2 * counts.size ? "unique integers forming a sequence" : tokens === counts.size ? "unique single-token strings" : "";
    if (why) ids.push({ column: col, distinct: counts.size, why });
  });
  if (constant.length) {
    out.push(
      makeIssue(
        "constant_column",
        "low",
        [],
        `${constant.length} column${constant.length > 1 ? "s are" : " is"} constant (or nearly): ${constant.map((c) => `'${c.column}'`).join(", ")}; they carry no information`,
        { columns: constant },
        { columns: constant.map((c) => c.column), count: constant.length, score: 1 - constant.length / raw.columns.length },
      ),
    );
  }
  if (ids.length) {
    out.push(
      makeIssue(
        "id_column",
        "medium",
        [],
        `${ids.length} column${ids.length > 1 ? "s look" : " looks"} like a row id: ${ids.map((c) => `'${c.column}' (${c.why})`).join(", ")}; do not train on ${ids.length > 1 ? "them" : "it"} (pass --id to name rows by it)`,
        { columns: ids },
        { columns: ids.map((c) => c.column), count: ids.length, score: 1 - ids.length / raw.columns.length },
      ),
    );
  }
  return out;
}

export const columnsCheck: AuditCheck = {
  name: "columns",
  title: "constant and id columns",
  types: ["constant_column", "id_column"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkColumns(ctx) }),
};
