/**
 * Personal data in the source's cells: e-mail addresses, phone numbers, payment cards (Luhn-checked; in numeric
 * columns as bare numbers in a card network's IIN range), IBANs (mod-97-checked), US social security numbers, IP
 * addresses, and person-name columns recognised by their header (detection lives in src/pii.ts).
 * The report names the column, the count and row ids; values only ever appear masked.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";
import { bareCardNumber, findPii, isNameHeader, maskValue, type PiiKind } from "../../pii.js";

export { luhnValid, ibanValid, maskValue, findPii, isNameHeader, cardNetwork, bareCardNumber, maskPiiIn, type PiiKind } from "../../pii.js";

interface PiiScan {
  /** Per column and kind: how many rows, which rows, masked examples. */
  found: { column: string; kind: PiiKind; count: number; rows: number[]; examples: string[] }[];
  /** Source rows with any personal data. */
  rows: number[];
}

// One scan per raw table: the pii check reports it, and every check that quotes values asks it which columns hold
// personal data (their values are never quoted), without a second pass over the cells.
const scans = new WeakMap<object, PiiScan>();

function scanPii(ctx: AuditContext): PiiScan {
  const raw = ctx.raw!;
  const hit = scans.get(raw);
  if (hit) return hit;
  const n = raw.rows;
  const numeric = new Set(ctx.ds.schema.columns.filter((c) => c.kind === "numeric").map((c) => c.name));
  const flagged = new Set<number>();
  const found: PiiScan["found"] = [];
  raw.columns.forEach((col, c) => {
    const v = raw.values[c]!;
    const per = new Map<PiiKind, { count: number; rows: number[]; examples: string[] }>();
    const add = (kind: PiiKind, r: number, match: string) => {
      let e = per.get(kind);
      if (!e) per.set(kind, (e = { count: 0, rows: [], examples: [] }));
      if (e.rows.at(-1) !== r) {
        e.count++;
        e.rows.push(r);
      }
      if (e.examples.length < 3) e.examples.push(maskValue(kind, match));
      flagged.add(r);
    };
    const nameCol = isNameHeader(col);
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined || s.trim() === "") continue;
      if (nameCol && /\p{L}/u.test(s)) add("person_name", r, s.trim());
      if (numeric.has(col)) {
        // numbers in a numeric column (amounts, ids) are not phone numbers and cannot hold e-mails or IBANs, but
        // a card number stored as a bare number is still a card number (Luhn and an IIN range, see bareCardNumber)
        const card = bareCardNumber(s);
        if (card) add("payment_card", r, card);
        continue;
      }
      for (const f of findPii(s)) add(f.kind, r, f.match);
    }
    for (const [kind, e] of per) found.push({ column: col, kind, ...e });
  });
  const scan = { found, rows: [...flagged].sort((a, b) => a - b) };
  scans.set(raw, scan);
  return scan;
}

/** Columns holding personal data: their values are never quoted in a report, not even masked by pattern. */
export function piiColumns(ctx: AuditContext): Set<string> {
  return ctx.raw ? new Set(scanPii(ctx).found.map((f) => f.column)) : new Set();
}

export function checkPii(ctx: AuditContext): Issue[] {
  if (!ctx.raw) return [];
  const n = ctx.raw.rows;
  const { found, rows } = scanPii(ctx);
  if (found.length === 0) return [];
  const strong = found.some((f) => f.kind === "payment_card" || f.kind === "iban" || f.kind === "us_ssn");
  return [
    makeIssue(
      "pii",
      strong || rows.length / n >= 0.01 ? "high" : "medium",
      rows,
      `personal data in ${rows.length} row${rows.length > 1 ? "s" : ""}: ` + found.map((f) => `${f.count} ${f.kind.replace(/_/g, " ")}${f.count > 1 ? "s" : ""} in '${f.column}'`).join(", ") + " (values masked in this report)",
      { found: found.map((f) => ({ column: f.column, kind: f.kind, count: f.count, rows: f.rows.slice(0, 20), masked: f.examples })) },
      { columns: [...new Set(found.map((f) => f.column))], score: 1 - rows.length / n },
    ),
  ];
}

export const piiCheck: AuditCheck = {
  name: "pii",
  title: "personal data",
  types: ["pii"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkPii(ctx) }),
};
