/**
 * Personal data in text and string columns: e-mail addresses, phone numbers, payment cards (Luhn-checked), IBANs
 * (mod-97-checked), US social security numbers, IP addresses, and person-name columns recognised by their header.
 * The report names the column, the count and row ids; values only ever appear masked.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { Issue } from "../types.js";

export type PiiKind = "email" | "phone" | "payment_card" | "iban" | "us_ssn" | "ip_address" | "person_name";

/** Luhn checksum (payment card numbers). */
export function luhnValid(digits: string): boolean {
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let dbl = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (dbl) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    dbl = !dbl;
  }
  return sum % 10 === 0;
}

/** ISO 13616 IBAN check: move the first four characters to the end, letters to 10..35, mod 97 must be 1. */
export function ibanValid(iban: string): boolean {
  const s = iban.replace(/[\s-]/g, "").toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const r = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of r) {
    const v = ch >= "A" && ch <= "Z" ? String(ch.charCodeAt(0) - 55) : ch;
    for (const d of v) rem = (rem * 10 + (d.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

/** Masks a value: keeps its shape and a few characters so a person can recognise the kind, never the value. */
export function maskValue(kind: PiiKind, v: string): string {
  const stars = (s: string) => s.replace(/[A-Za-z0-9]/g, "*");
  switch (kind) {
    case "email": {
      const at = v.indexOf("@");
      const user = v.slice(0, at);
      const domain = v.slice(at + 1);
      const dot = domain.lastIndexOf(".");
      return `${user[0] ?? ""}${"*".repeat(Math.max(1, user.length - 1))}@${domain[0] ?? ""}${"*".repeat(Math.max(1, dot - 1))}${domain.slice(dot)}`;
    }
    case "payment_card":
    case "iban": {
      const d = v.replace(/[\s-]/g, "");
      return `${kind === "iban" ? d.slice(0, 2) : ""}${"*".repeat(Math.max(0, d.length - 4 - (kind === "iban" ? 2 : 0)))}${d.slice(-4)}`;
    }
    case "us_ssn":
      return `***-**-${v.slice(-4)}`;
    case "phone":
      return stars(v.slice(0, -2)) + v.slice(-2);
    case "ip_address":
      return v.includes(":") ? v.split(":")[0] + ":****" : v.split(".")[0] + ".*.*.*";
    case "person_name":
      return v
        .split(/\s+/)
        .map((w) => (w ? w[0] + "*".repeat(Math.max(1, w.length - 1)) : w))
        .join(" ");
  }
}

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const CARD = /(?<![\d-])(?:\d[ -]?){12,18}\d(?![\d-])/g;
const IBAN = /\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{4}){2,7}(?:[ ]?[A-Z0-9]{1,4})?\b/g;
const SSN = /(?<!\d)(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?!\d)/g;
const IPV4 = /(?<![\d.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?![\d.])/g;
const IPV6 = /(?<![:\w])(?:[0-9a-fA-F]{1,4}:){7}[0-9a-fA-F]{1,4}(?![:\w])/g;
// international (+CC …) or grouped national numbers; bare digit runs are too often ids or amounts
const PHONE = /(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,4}[\s.-]\d{2,4}[\s.-]\d{2,4}(?:[\s.-]\d{2,4})?(?![\w])|(?<![\w+])(?:\+\d{1,3}[\s.-]?)?\(\d{2,4}\)[\s.-]?\d{3,4}[\s.-]\d{3,4}(?![\w])|(?<![\w+])\+\d{8,14}(?!\w)/g;
const NAME_HEADER = /^(?:(?:first|last|full|given|family|middle|sur|maiden|nick|user|customer|patient|client|employee|contact|person|owner|holder|account_holder)[\s_-]?name|name|surname|forename|fullname|firstname|lastname|full_name)$/i;

/** The PII found in one string (kinds, in a fixed order, with the matched substrings). */
export function findPii(s: string): { kind: PiiKind; match: string }[] {
  const out: { kind: PiiKind; match: string }[] = [];
  for (const m of s.match(EMAIL) ?? []) out.push({ kind: "email", match: m });
  const noEmail = s.replace(EMAIL, " ");
  for (const m of noEmail.match(IBAN) ?? []) if (ibanValid(m)) out.push({ kind: "iban", match: m });
  for (const m of noEmail.match(CARD) ?? []) {
    const d = m.replace(/[ -]/g, "");
    if (d.length >= 13 && d.length <= 19 && luhnValid(d)) out.push({ kind: "payment_card", match: m });
  }
  for (const m of noEmail.match(SSN) ?? []) out.push({ kind: "us_ssn", match: m });
  for (const m of noEmail.match(IPV4) ?? []) out.push({ kind: "ip_address", match: m });
  for (const m of noEmail.match(IPV6) ?? []) out.push({ kind: "ip_address", match: m });
  const taken = out.map((o) => o.match.replace(/\D/g, ""));
  for (const m of noEmail.match(PHONE) ?? []) {
    const d = m.replace(/\D/g, "");
    if (d.length < 8 || d.length > 15) continue;
    if (/^\d{4}-\d{1,2}-\d{1,2}$/.test(m.trim())) continue; // a date
    if (/^\d{3}-\d{2}-\d{4}$/.test(m.trim())) continue; // SSN-shaped (valid ones are reported as us_ssn)
    if (taken.some((t) => t.includes(d) || d.includes(t))) continue; // part of a card / ssn / ip
    out.push({ kind: "phone", match: m.trim() });
  }
  return out;
}

export function isNameHeader(column: string): boolean {
  return NAME_HEADER.test(column.trim());
}

export function checkPii(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  if (!raw) return [];
  const n = raw.rows;
  const numeric = new Set(ctx.ds.schema.columns.filter((c) => c.kind === "numeric").map((c) => c.name));
  const flagged = new Set<number>();
  const found: { column: string; kind: PiiKind; count: number; rows: number[]; examples: string[] }[] = [];
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
      // numbers in a numeric column (amounts, ids) are not phone numbers; emails/IBANs cannot hide there
      if (numeric.has(col)) continue;
      for (const f of findPii(s)) add(f.kind, r, f.match);
    }
    for (const [kind, e] of per) found.push({ column: col, kind, ...e });
  });
  if (found.length === 0) return [];
  const rows = [...flagged].sort((a, b) => a - b);
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
