/**
 * Which columns hold personal data, so that they are not model features unless the user asks for them
 * (--keep-pii-features / LoadOptions.keepPiiFeatures). A model that learns from e-mail addresses or card numbers
 * memorises people, and its predictions then carry their data; a person-name column is the same by its header.
 * A sample of the first rows decides (the full scan is the audit's pii check): a column is personal data when at
 * least 1% of its sampled values (and 2 or more) hold a PII pattern. A rare address inside otherwise ordinary free
 * text does not take the column away.
 */
import { bareCardNumber, findPii, isNameHeader, type PiiKind } from "../pii.js";
import { ident, rows, type Duck } from "./duck.js";
import type { ColumnInfo } from "./types.js";

const SAMPLE = 2000;

/** Column name -> why it is personal data, for the candidate feature columns that are. */
export async function personalDataColumns(duck: Duck, table: string, candidates: ColumnInfo[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const scan: ColumnInfo[] = [];
  for (const c of candidates) {
    if (isNameHeader(c.name)) out.set(c.name, "personal data (a person-name column by its header)");
    else scan.push(c);
  }
  if (scan.length === 0) return out;
  const sample = await rows(duck, `SELECT ${scan.map((c, j) => `en_str(${ident(c.name)}) AS v${j}`).join(", ")} FROM ${table} LIMIT ${SAMPLE}`);
  scan.forEach((c, j) => {
    let present = 0;
    const hits = new Map<PiiKind, number>();
    for (const r of sample) {
      const v = r[`v${j}`];
      if (v === null || v === undefined || String(v).trim() === "") continue;
      present++;
      const s = String(v);
      // a numeric column holds no e-mails or phones worth the name, but a card stored as a number is a card
      const kinds = c.kind === "numeric" ? (bareCardNumber(s) ? ["payment_card" as const] : []) : [...new Set(findPii(s).map((f) => f.kind))];
      for (const k of kinds) hits.set(k, (hits.get(k) ?? 0) + 1);
    }
    const total = [...hits.values()].reduce((a, b) => a + b, 0);
    if (total >= 2 && total >= 0.01 * present) {
      const what = [...hits].map(([k, m]) => `${k.replace(/_/g, " ")}s in ${m}`).join(", ");
      out.set(c.name, `personal data (${what} of ${present} sampled values)`);
    }
  });
  return out;
}
