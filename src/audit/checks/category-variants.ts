/**
 * Spelling variants of one category ("NY", "ny ", "N.Y.", "New York", "new yrok"): values are normalised (case,
 * spaces, punctuation, accents) and grouped; distinct normalised keys are then clustered when one is the other's
 * initials or they are within a small edit distance. Each cluster's most frequent spelling is taken as canonical;
 * rows with any other spelling are flagged.
 */
import { makeIssue, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import type { Issue } from "../types.js";
import { editDistance } from "../../data/edit-distance.js";
import { kindOf } from "./mixed-type.js";
import { quoteCell, safeCell } from "../redact.js";

export function normaliseCategory(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim()
    .replace(/\s+/g, " ");
}

const initials = (k: string) => k.split(" ").filter(Boolean).map((w) => w[0]).join("");

/** Are two normalised keys spellings of one value? */
function close(a: string, b: string): boolean {
  if (a === b) return true;
  const ws = (k: string) => k.split(" ").length;
  if (ws(a) >= 2 && a.replace(/ /g, "") === b.replace(/ /g, "")) return true;
  if (b.length >= 2 && ws(a) >= 2 && initials(a) === b.replace(/ /g, "")) return true;
  if (a.length >= 2 && ws(b) >= 2 && initials(b) === a.replace(/ /g, "")) return true;
  const L = Math.min(a.length, b.length);
  // typos: one edit in words of 5+ letters, two in 9+; short codes ("A1" vs "A2") are distinct values
  const max = L >= 9 ? 2 : L >= 5 ? 1 : 0;
  if (max === 0 || /\d/.test(a) || /\d/.test(b)) return false;
  return editDistance(a, b, { max }) <= max;
}

export interface VariantCluster {
  canonical: string;
  variants: { value: string; count: number }[];
}

/** Clusters of spellings among a column's distinct values (only clusters with 2+ spellings). */
export function variantClusters(counts: Map<string, number>): VariantCluster[] {
  const byKey = new Map<string, { value: string; count: number }[]>();
  for (const [value, count] of counts) {
    const k = normaliseCategory(value);
    if (!k) continue;
    let g = byKey.get(k);
    if (!g) byKey.set(k, (g = []));
    g.push({ value, count });
  }
  const keys = [...byKey.keys()];
  if (keys.length > 2000) return []; // a free-text column, not a category
  // union-find over keys
  const parent = Int32Array.from(keys.keys());
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
  for (let i = 0; i < keys.length; i++) for (let j = i + 1; j < keys.length; j++) if (close(keys[i]!, keys[j]!)) parent[find(i)] = find(j);
  const clusters = new Map<number, { value: string; count: number }[]>();
  keys.forEach((k, i) => {
    const r = find(i);
    let c = clusters.get(r);
    if (!c) clusters.set(r, (c = []));
    c.push(...byKey.get(k)!);
  });
  const out: VariantCluster[] = [];
  for (const c of clusters.values()) {
    if (c.length < 2) continue;
    c.sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    out.push({ canonical: c[0]!.value, variants: c });
  }
  return out;
}

export function checkCategoryVariants(ctx: AuditContext): Issue[] {
  const raw = ctx.raw;
  if (!raw) return [];
  const n = raw.rows;
  const textCols = new Set(ctx.ds.schema.columns.filter((c) => c.kind === "text" || c.kind === "id").map((c) => c.name));
  const flagged = new Set<number>();
  const cols: { column: string; clusters: VariantCluster[]; rows: number; quote: (s: string) => string }[] = [];
  raw.columns.forEach((col, c) => {
    if (textCols.has(col)) return;
    const v = raw.values[c]!;
    const counts = new Map<string, number>();
    let strings = 0;
    let present = 0;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s === null || s === undefined || s.trim() === "") continue;
      present++;
      if (kindOf(s) === "string") strings++;
      counts.set(s, (counts.get(s) ?? 0) + 1);
    }
    // categories: mostly words, and far fewer distinct values than rows
    if (present === 0 || strings / present < 0.5 || counts.size > Math.max(50, 0.2 * present)) return;
    const clusters = variantClusters(counts);
    if (clusters.length === 0) return;
    const odd = new Set<string>();
    for (const cl of clusters) for (const vv of cl.variants.slice(1)) odd.add(vv.value);
    let m = 0;
    for (let r = 0; r < n; r++) {
      const s = v[r];
      if (s != null && odd.has(s)) {
        flagged.add(r);
        m++;
      }
    }
    // the spellings are quoted below: masked when they are personal data (an e-mail in two cases is one address)
    const shown = clusters.map((cl) => ({ canonical: safeCell(ctx, col, cl.canonical)!, variants: cl.variants.map((vv) => ({ value: safeCell(ctx, col, vv.value)!, count: vv.count })) }));
    cols.push({ column: col, clusters: shown, rows: m, quote: (s: string) => quoteCell(ctx, col, s) });
  });
  if (cols.length === 0) return [];
  const rows = [...flagged].sort((a, b) => a - b);
  const show = (cl: VariantCluster, quote: (s: string) => string) => cl.variants.map((v) => quote(v.value)).join(" / ");
  return [
    makeIssue(
      "category_variants",
      rows.length / n >= 0.01 ? "medium" : "low",
      rows,
      `${rows.length} row${rows.length > 1 ? "s use" : " uses"} a variant spelling of a category: ` +
        cols.map((c) => `'${c.column}': ${c.clusters.slice(0, 3).map((cl) => show(cl, c.quote)).join("; ")}${c.clusters.length > 3 ? "; …" : ""}`).join(" · ") +
        "; merge them before training",
      { columns: cols.map(({ quote: _q, ...c }) => c) },
      { columns: cols.map((c) => c.column), score: 1 - rows.length / n },
    ),
  ];
}

export const categoryVariantsCheck: AuditCheck = {
  name: "category-variants",
  title: "category spellings",
  types: ["category_variants"],
  needs: ["raw"],
  run: (ctx) => ({ issues: checkCategoryVariants(ctx) }),
};
