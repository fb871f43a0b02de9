/**
 * Keeping personal data out of every audit output. Two layers, because a check author can forget the first:
 * - checks that quote cell values call `quoteCell`, which never quotes a value of a column the pii check flags
 *   (a person's name is personal data without any pattern to mask) and masks whatever the PII scanner recognises;
 * - `redactReport` then masks every PII pattern left in any string of the finished issues, findings and warnings
 *   (summaries, details), so a value quoted some other way is still masked before it reaches stdout or a file.
 */
import type { AuditContext } from "./context.js";
import { piiColumns } from "./checks/pii.js";
import { maskPiiIn } from "../pii.js";

/** A cell value as a check may quote it: JSON-quoted, or masked when the column or the value is personal data. */
export function quoteCell(ctx: AuditContext, column: string, value: string | null): string {
  if (value === null) return "null";
  if (piiColumns(ctx).has(column)) return `"${maskAll(value)}"`;
  return JSON.stringify(maskPiiIn(value));
}

/** A raw cell value for a details field: as is, or masked as quoteCell would (without quotes). */
export function safeCell(ctx: AuditContext, column: string, value: string | null): string | null {
  if (value === null) return null;
  return piiColumns(ctx).has(column) ? maskAll(value) : maskPiiIn(value);
}

/** Keeps the shape (length, separators), never a letter or digit. */
function maskAll(value: string): string {
  return value.replace(/[\p{L}\p{N}]/gu, "*");
}

/** Every string inside `value` (objects and arrays, deeply) with PII patterns masked; other values unchanged. */
export function redactDeep<T>(value: T): T {
  if (typeof value === "string") return maskPiiIn(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactDeep(v)) as T;
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactDeep(v)])) as T;
  }
  return value;
}
