/**
 * An extra data set offered for the same task (another site, a public set, a scraped set): read with the user's
 * own encoders (fitted on the user's pool, so the user's rows encode exactly as they always did), and appended to
 * the user's encoded rows in a cached copy that worker processes load like any dataset. The copy's split is the
 * user's: the test rows are only ever the user's, and the extra rows sit after every user row.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { DataError, InputError } from "../errors.js";
import type { Tensors } from "../engine/types.js";
import { cacheExists, writeCache } from "./cache.js";
import { encodeRows, encodeTarget } from "./encoders/rows.js";
import { fingerprintOf, sourceDigest } from "./fingerprint.js";
import { DEFAULT_CACHE_ROOT } from "./options.js";
import { readSameSchema } from "./same-schema.js";
import type { ImageEncoders } from "./encoders/types.js";
import { SkipLog } from "./report.js";
import { classImageFiles } from "./sources/images.js";
import { decodeLike } from "./unlabelled.js";
import type { Dataset, LoadReport } from "./types.js";

export interface ExtraData {
  source: string;
  /** Hash of the extra file's bytes and the user dataset it was encoded for. */
  fingerprint: string;
  /** Encoded extra rows (the user's encoders). */
  tensors: Pick<Tensors, "n" | "x" | "y" | "cat">;
  /** Rows left out: a missing label, or a class the user's data does not have. */
  dropped: number;
  /** Files not read (image folders: not an image, unreadable or truncated), with examples. */
  skipped?: LoadReport["skipped"];
}

/**
 * Reads and encodes `file` for `ds`. Typed errors: EXTRA_KIND (no encoders, or an image set given as a file),
 * EXTRA_SCHEMA (columns differ), EXTRA_IMAGE_SIZE (a built-in set's size differs).
 */
export async function loadExtra(ds: Dataset, file: string, o: { cacheRoot?: string; refresh?: boolean } = {}): Promise<ExtraData> {
  const enc = ds.encoders;
  if (!enc) throw new InputError("EXTRA_KIND", `${ds.source} has no saved encoders to read an extra data set with`, { hint: "load the data again (its cache predates encoders)" });
  if (enc.kind === "image") return loadExtraImages(ds, enc, file);
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

/**
 * An extra image set: a folder with one sub-folder per class, as an image --data is; the sub-folders' names are
 * matched to the user's classes (others are left out and counted), and every image is decoded the way the user's
 * images were (decodeLike: their size and channels).
 */
async function loadExtraImages(ds: Dataset, enc: ImageEncoders, dir: string): Promise<ExtraData> {
  const isDir = await stat(dir).then((st) => st.isDirectory(), () => false);
  if (!isDir) {
    throw new InputError("EXTRA_KIND", `${dir}: ${ds.source} is image data; an extra image set is a folder with one sub-folder per class`, { hint: "give a folder laid out like an image --data: extra/<class>/*.png", details: { file: dir } });
  }
  const skipped = new SkipLog();
  const { classDirs, files: found } = await classImageFiles(dir, skipped);
  const files = found.map((f) => f.path);
  const labels = found.map((f) => f.cls);
  if (!files.length) {
    throw new DataError("EXTRA_EMPTY", `${dir}: no image in a class sub-folder (${classDirs.length} sub-folder(s) found)`, { hint: "lay the extra images out as extra/<class>/*.png, with the class names of your data", details: { file: dir } });
  }
  // Classes first (nothing to decode for a class the user's data does not have), then the images.
  const y = encodeTarget(enc.target, labels) as Int32Array;
  const known = files.map((_, i) => i).filter((i) => y[i]! >= 0);
  const { x, kept } = await decodeLike(ds, enc, dir, known.map((i) => files[i]!), skipped, "EXTRA");
  const yk = Int32Array.from(kept, (k) => y[known[k]!]!);
  const h = createHash("sha256").update(x).update(new Uint8Array(yk.buffer, yk.byteOffset, yk.byteLength));
  return {
    source: dir,
    fingerprint: fingerprintOf({ extra: "images:" + h.digest("hex"), for: ds.fingerprint }),
    tensors: { n: kept.length, x, y: yk },
    dropped: files.length - known.length,
    skipped: skipped.list(),
  };
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
