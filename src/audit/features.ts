/** Row content for duplicate detection: a hash of what the model sees (raw feature cells, text, or pixels). */
import type { AuditContext } from "./context.js";
import { hashBytes, hashString } from "./math/hash.js";
import { shuffle } from "../rng.js";
import { normaliseCategory } from "./checks/category-variants.js";

/** Feature columns as the source names them (the target, groups, ids and ignored columns excluded). */
export function featureColumns(ctx: AuditContext): string[] {
  return ctx.ds.schema.columns.filter((c) => c.role === "feature" && c.kind !== "id" && c.kind !== "constant").map((c) => c.name);
}

/**
 * One key per Dataset row. exact: identical content; loose: identical after normalising case, spaces and
 * punctuation of strings (text data and categorical cells), so "Hello, world" and "hello world" match.
 */
export function contentKeys(ctx: AuditContext, loose = false): Float64Array {
  const { ds, raw } = ctx;
  const n = ds.tensors.n;
  const keys = new Float64Array(n);
  if (raw) {
    const cols = featureColumns(ctx).map((c) => raw.columns.indexOf(c)).filter((i) => i >= 0);
    for (let i = 0; i < n; i++) {
      const r = ctx.rowId[i]!;
      let s = "";
      for (const c of cols) {
        const v = raw.values[c]![r];
        s += (v === null ? "\u0000" : loose ? normaliseCategory(v) : v.trim()) + "\u0001";
      }
      keys[i] = hashString(s);
    }
    return keys;
  }
  const x = ds.tensors.x;
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const per = bytes.length / n;
  for (let i = 0; i < n; i++) keys[i] = hashBytes(bytes, i * per, (i + 1) * per);
  return keys;
}

/**
 * Content keys of a null copy of the rows: each feature column's raw cells shuffled across rows independently. With
 * few distinct values per column, independent rows repeat each other's inputs by chance; the null says how often.
 * null when there are no raw cells (images): chance repeats of whole pixel arrays do not happen.
 */
export function chanceContentKeys(ctx: AuditContext, rand: () => number): Float64Array | null {
  const { ds, raw } = ctx;
  if (!raw) return null;
  const n = ds.tensors.n;
  const cols = featureColumns(ctx).map((c) => raw.columns.indexOf(c)).filter((i) => i >= 0);
  const perms = cols.map(() => shuffle(Int32Array.from({ length: n }, (_, i) => i), rand));
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = "";
    cols.forEach((c, k) => {
      const v = raw.values[c]![ctx.rowId[perms[k]![i]!]!];
      s += (v === null ? "\u0000" : v.trim()) + "\u0001";
    });
    keys[i] = hashString(s);
  }
  return keys;
}
