/** Row content for duplicate detection: a hash of what the model sees (raw feature cells, text, or pixels). */
import type { AuditContext } from "./context.js";
import { hashBytes, hashInts } from "./math/hash.js";
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
  const { ds } = ctx;
  const n = ds.tensors.n;
  const codes = cellCodes(ctx, loose);
  if (codes) return rowKeys(codes, n, (i) => i);
  const x = ds.tensors.x;
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  const per = bytes.length / n;
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = hashBytes(bytes, i * per, (i + 1) * per);
  return keys;
}

/**
 * Content keys of a null copy of the rows: each feature column's raw cells shuffled across rows independently. With
 * few distinct values per column, independent rows repeat each other's inputs by chance; the null says how often.
 * null when there are no raw cells (images): chance repeats of whole pixel arrays do not happen.
 */
export function chanceContentKeys(ctx: AuditContext, rand: () => number): Float64Array | null {
  const codes = cellCodes(ctx, false);
  if (!codes) return null;
  const n = ctx.ds.tensors.n;
  const perms = codes.map(() => shuffle(Int32Array.from({ length: n }, (_, i) => i), rand));
  return rowKeys(codes, n, (i, k) => perms[k]![i]!);
}

const codeMemo = new WeakMap<AuditContext, Map<boolean, Int32Array[] | null>>();

/**
 * Each feature column's cells as integer codes per Dataset row (equal codes: equal trimmed, or normalised, cells;
 * -1: missing), computed once per audit. Row keys then hash integers instead of joining hundreds of strings per row
 * (a 784-column pixel CSV took minutes the string way), and the codes compare cells exactly.
 */
function cellCodes(ctx: AuditContext, loose: boolean): Int32Array[] | null {
  const memo = codeMemo.get(ctx) ?? new Map<boolean, Int32Array[] | null>();
  codeMemo.set(ctx, memo);
  if (memo.has(loose)) return memo.get(loose)!;
  const { ds, raw } = ctx;
  let out: Int32Array[] | null = null;
  if (raw) {
    const n = ds.tensors.n;
    out = featureColumns(ctx)
      .map((c) => raw.columns.indexOf(c))
      .filter((c) => c >= 0)
      .map((c) => {
        const cells = raw.values[c]!;
        const ids = new Map<string, number>();
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const v = cells[ctx.rowId[i]!];
          if (v === null || v === undefined) {
            codes[i] = -1;
            continue;
          }
          const key = loose ? normaliseCategory(v) : v.trim();
          let id = ids.get(key);
          if (id === undefined) ids.set(key, (id = ids.size));
          codes[i] = id;
        }
        return codes;
      });
  }
  memo.set(loose, out);
  return out;
}

/** 53-bit key per row over its cell codes, the cell of column k in row i read at row `at(i, k)`. */
function rowKeys(codes: Int32Array[], n: number, at: (i: number, k: number) => number): Float64Array {
  const keys = new Float64Array(n);
  const row = new Int32Array(codes.length);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < codes.length; k++) row[k] = codes[k]![at(i, k)]!;
    keys[i] = hashInts(row);
  }
  return keys;
}
