/**
 * An extra data set offered for the same task (another site, a public set, a scraped set): read with the user's
 * own encoders (fitted on the user's pool, so the user's rows encode exactly as they always did), and appended to
 * the user's encoded rows in a cached copy that worker processes load like any dataset. The copy's split is the
 * user's: the test rows are only ever the user's, and the extra rows sit after every user row.
 */
import { join } from "node:path";
import { InputError } from "../errors.js";
import type { Tensors } from "../engine/types.js";
import { cacheExists, writeCache } from "./cache.js";
import { encodeRows, encodeTarget } from "./encoders/rows.js";
import { fingerprintOf, sourceDigest } from "./fingerprint.js";
import { DEFAULT_CACHE_ROOT } from "./options.js";
import { readSameSchema } from "./same-schema.js";
import type { Dataset } from "./types.js";

export interface ExtraData {
  source: string;
  /** Hash of the extra file's bytes and the user dataset it was encoded for. */
  fingerprint: string;
  /** Encoded extra rows (the user's encoders). */
  tensors: Pick<Tensors, "n" | "x" | "y" | "cat">;
  /** Rows left out: a missing label, or a class the user's data does not have. */
  dropped: number;
}

/** Reads and encodes `file` for `ds`. Typed errors: EXTRA_KIND (image data), EXTRA_SCHEMA (columns differ). */
export async function loadExtra(ds: Dataset, file: string, o: { cacheRoot?: string; refresh?: boolean } = {}): Promise<ExtraData> {
  const enc = ds.encoders;
  if (!enc || enc.kind === "image") {
    throw new InputError("EXTRA_KIND", `--extra works with tabular and text data; ${ds.source} is ${ds.schema.kind} data`, { hint: "give a CSV, JSONL or Parquet file as --data and --extra" });
  }
  const digest = await sourceDigest(file, o.cacheRoot ?? DEFAULT_CACHE_ROOT, o.refresh);
  // Same schema: the same column names, the target included (the reader shared with unlabelled rows).
  const mine = ds.schema.columns.map((c) => c.name);
  const { records } = await readSameSchema(ds, file, { code: "EXTRA_SCHEMA", required: mine, target: "read", hint: "--extra needs the same columns as --data" });
  const y = encodeTarget(enc.target, records.map((r) => r[ds.schema.target]));
  const keep = records.map((_, i) => i).filter((i) => (y instanceof Int32Array ? y[i]! >= 0 : Number.isFinite(y[i]!)));
  const kept = keep.map((i) => records[i]!);
  const x = encodeRows(enc, kept);
  const yk = y instanceof Int32Array ? Int32Array.from(keep, (i) => y[i]!) : Float32Array.from(keep, (i) => y[i]!);
  return { source: file, fingerprint: fingerprintOf({ extra: digest, for: ds.fingerprint }), tensors: { n: kept.length, x: x.x, y: yk, ...(x.cat ? { cat: x.cat } : {}) }, dropped: records.length - kept.length };
}

/** The user's rows followed by `rows` of extra (all, or those listed), cached under its own fingerprint. */
export async function combineWithExtra(ds: Dataset, extra: Pick<ExtraData, "fingerprint" | "tensors">, o: { cacheRoot?: string; keep?: Int32Array; tag?: string } = {}): Promise<{ cacheDir: string; fingerprint: string; rows: number }> {
  const pick = o.keep ?? Int32Array.from({ length: extra.tensors.n }, (_, i) => i);
  const fingerprint = fingerprintOf({ base: ds.fingerprint, extra: extra.fingerprint, ...(o.keep ? { keep: o.tag ?? Array.from(pick).join(",") } : {}) });
  const cacheDir = join(o.cacheRoot ?? DEFAULT_CACHE_ROOT, fingerprint);
  if (!(await cacheExists(cacheDir))) {
    const t = ds.tensors;
    const width = t.n ? t.x.length / t.n : 0;
    const catWidth = t.cat && t.n ? t.cat.length / t.n : 0;
    const x = new (t.x.constructor as new (n: number) => Tensors["x"])(t.x.length + pick.length * width);
    x.set(t.x);
    const y = new (t.y.constructor as new (n: number) => Tensors["y"])(t.n + pick.length);
    y.set(t.y);
    const cat = t.cat ? new Int32Array(t.cat.length + pick.length * catWidth) : undefined;
    cat?.set(t.cat!);
    pick.forEach((r, j) => {
      x.set(extra.tensors.x.subarray(r * width, (r + 1) * width) as never, t.x.length + j * width);
      y[t.n + j] = extra.tensors.y[r]!;
      if (cat) cat.set(extra.tensors.cat!.subarray(r * catWidth, (r + 1) * catWidth), t.cat!.length + j * catWidth);
    });
    const tensors: Tensors = { ...t, n: t.n + pick.length, x, y, ...(cat ? { cat } : {}) };
    await writeCache(cacheDir, { ...ds, fingerprint, tensors, groups: {}, cacheDir, fromCache: false });
  }
  return { cacheDir, fingerprint, rows: pick.length };
}
