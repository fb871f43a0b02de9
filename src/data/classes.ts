/**
 * The class filter (`--classes 5-9`, `--classes cat,dog`, LoadOptions.classes): keep only the rows whose label is
 * one of the chosen classes, before the split, with labels re-indexed 0..k-1 (the original names stay in
 * schema.classes). Used for transfer between class subsets of one data set (pretrain on 0-4, fine-tune on 5-9).
 *
 * Numbers and ranges name classes by id: the label value when every class name is an integer (a CSV with labels
 * 3, 7, 12), else the class's position (Fashion-MNIST's ids 0-9 for its named classes). Anything else is a name.
 */
import { InputError } from "../errors.js";

/** The filter's tokens, normalised (trimmed, empty parts dropped); part of the fingerprint when given. */
export function classTokens(spec: string | readonly string[]): string[] {
  const parts = typeof spec === "string" ? spec.split(",") : spec.flatMap((s) => s.split(","));
  const out = parts.map((s) => s.trim()).filter((s) => s !== "");
  if (!out.length) throw new InputError("BAD_CLASSES", `--classes needs at least one class, got "${String(spec)}"`, { hint: "e.g. --classes 5-9 or --classes cat,dog" });
  return out;
}

/**
 * The ids (into `classes`, ascending) that the tokens select. An unknown class is a typed error that lists the
 * classes, so a typo does not silently train on nothing.
 */
export function selectClasses(classes: readonly string[], spec: string | readonly string[]): number[] {
  const tokens = classTokens(spec);
  const intLabels = classes.every((c) => /^[+-]?\d+$/.test(c));
  const keep = new Set<number>();
  const unknown: string[] = [];
  for (const t of tokens) {
    const range = /^(\d+)\s*-\s*(\d+)$/.exec(t);
    const single = /^\d+$/.test(t);
    if (classes.includes(t) && !(single && !intLabels)) {
      keep.add(classes.indexOf(t));
      continue;
    }
    if (range || single) {
      const lo = Number(range ? range[1] : t);
      const hi = Number(range ? range[2] : t);
      if (hi < lo) throw new InputError("BAD_CLASSES", `--classes ${t}: the range ends before it starts`, { hint: `write it as ${hi}-${lo}` });
      for (let v = lo; v <= hi; v++) {
        const id = intLabels ? classes.findIndex((c) => Number(c) === v) : v < classes.length ? v : -1;
        if (id < 0) unknown.push(String(v));
        else keep.add(id);
      }
      continue;
    }
    unknown.push(t);
  }
  if (unknown.length) {
    const listed = classes.map((c, i) => (intLabels ? c : `${i}=${c}`)).join(", ");
    throw new InputError("UNKNOWN_CLASS", `--classes: no class ${unknown.map((u) => `'${u}'`).join(", ")} in this data set`, {
      hint: `the classes are ${listed}${intLabels ? "" : " (give ids, ranges of ids or names)"}`,
      details: { field: "classes" },
    });
  }
  if (keep.size < 2) {
    throw new InputError("BAD_CLASSES", `--classes keeps a single class (${[...keep].map((i) => `'${classes[i]}'`).join("")}): there is nothing to learn`, { hint: "keep at least two classes" });
  }
  return [...keep].sort((a, b) => a - b);
}

export interface ClassFilter {
  /** Kept row indices (ascending) into the unfiltered rows. */
  rows: Int32Array;
  /** The kept rows' labels, re-indexed 0..k-1. */
  y: Int32Array;
  /** The kept classes' original names, in new-id order. */
  classes: string[];
  /** Rows of other classes left out. */
  dropped: number;
}

/** Applies the selection to one label array (labels are ids into `classes`). */
export function filterClasses(y: Int32Array, classes: readonly string[], spec: string | readonly string[]): ClassFilter {
  const ids = selectClasses(classes, spec);
  const remap = new Int32Array(classes.length).fill(-1);
  ids.forEach((id, j) => (remap[id] = j));
  const rows: number[] = [];
  for (let i = 0; i < y.length; i++) if (remap[y[i]!]! >= 0) rows.push(i);
  const kept = Int32Array.from(rows);
  return { rows: kept, y: kept.map((i) => remap[y[i]!]!), classes: ids.map((i) => classes[i]!), dropped: y.length - kept.length };
}

/** The load report's words for the filter: counted, never silent. */
export function classFilterWarning(spec: string | readonly string[], f: ClassFilter, total: number): string {
  return `--classes ${classTokens(spec).join(",")}: kept ${f.classes.length} of ${total} classes (${f.classes.join(", ")}); ${f.dropped} rows of other classes left out`;
}

/** Keeps `rows` of a column (typed array or plain array). */
export function takeRows<T extends ArrayLike<unknown>>(col: T, rows: Int32Array): T {
  if (Array.isArray(col)) return Array.from(rows, (r) => col[r]) as unknown as T;
  const C = (col as unknown as { constructor: new (n: number) => { [i: number]: unknown } }).constructor;
  const out = new C(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = col[rows[i]!];
  return out as unknown as T;
}

/** Keeps `rows` of a row-major array of `width` values per row. */
export function takeBlocks(x: Uint8Array, rows: Int32Array, width: number): Uint8Array {
  const out = new Uint8Array(rows.length * width);
  for (let i = 0; i < rows.length; i++) out.set(x.subarray(rows[i]! * width, (rows[i]! + 1) * width), i * width);
  return out;
}
