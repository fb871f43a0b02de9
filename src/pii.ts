/**
 * Personal data detection, shared by the data layer (a PII column is not a model feature unless the user says so)
 * and the audit (the pii check, and the masking of every value any check quotes). Pure string functions, no I/O.
 * Kinds: e-mail addresses, phone numbers, payment cards (Luhn-checked; bare digit runs also need a card network's
 * IIN range), IBANs (mod-97-checked), US social security numbers, IP addresses, and person-name columns by header.
 */

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
  // digits already claimed by a card / IBAN / SSN / IP; an e-mail without digits claims none (an empty string would
  // be "included" in every phone number and hide it)
  const taken = out.map((o) => o.match.replace(/\D/g, "")).filter((t) => t.length > 0);
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

/**
 * The card network whose IIN (issuer identification number) range and length a digit string fits, or null.
 * Needed for bare numbers (a numeric column): 10% of arbitrary 16-digit ids pass Luhn, far fewer also start like a
 * real card of the right length.
 */
export function cardNetwork(digits: string): string | null {
  const len = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  if (digits[0] === "4" && (len === 13 || len === 16 || len === 19)) return "visa";
  if (((p2 >= 51 && p2 <= 55) || (p4 >= 2221 && p4 <= 2720)) && len === 16) return "mastercard";
  if ((p2 === 34 || p2 === 37) && len === 15) return "amex";
  if ((p4 === 6011 || p2 === 65 || (p3 >= 644 && p3 <= 649) || (p6 >= 622126 && p6 <= 622925)) && len >= 16 && len <= 19) return "discover";
  if (p4 >= 3528 && p4 <= 3589 && len >= 16 && len <= 19) return "jcb";
  if (((p3 >= 300 && p3 <= 305) || p2 === 36 || p2 === 38 || p2 === 39) && len >= 14 && len <= 19) return "diners";
  if (p2 === 62 && len >= 16 && len <= 19) return "unionpay";
  if ((p2 === 50 || (p2 >= 56 && p2 <= 69)) && len >= 12 && len <= 19) return "maestro";
  return null;
}

/**
 * A number as a numeric column holds it ("4111111111111111", "4111111111111111.0", "4.111111111111111e15") read
 * as a card number: Luhn-valid digits in a card network's IIN range. Returns the digits, or null.
 */
export function bareCardNumber(cell: string): string | null {
  let s = cell.trim();
  if (/^\d+\.0*$/.test(s)) s = s.slice(0, s.indexOf("."));
  else if (/e\+?\d+$/i.test(s)) {
    const v = Number(s);
    if (!Number.isSafeInteger(v)) return null; // beyond 2^53 the digits are no longer the card's
    s = String(v);
  }
  if (!/^\d{12,19}$/.test(s)) return null;
  return luhnValid(s) && cardNetwork(s) ? s : null;
}

/** The text with every piece of personal data findPii recognises replaced by its mask. */
export function maskPiiIn(text: string): string {
  let out = text;
  // longest first, so a card inside a longer match is not half-masked
  const found = findPii(text).sort((a, b) => b.match.length - a.match.length);
  for (const f of found) out = out.split(f.match).join(maskValue(f.kind, f.match));
  return out;
}
