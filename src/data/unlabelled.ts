/**
 * Unlabelled rows for a labelled dataset (`label-next --data`, `strategies --unlabeled`): the labelled data's
 * schema with the target column absent or empty (or, for --unlabeled, filled and ignored: never read), encoded with
 * the labelled data's own encoders (feature columns, category lists, numeric scaling, vocabulary, image size and
 * channels) so a model trained on the labelled rows reads them as it reads its training rows.
 *
 * Tables (CSV, JSONL, Parquet; tabular or text data) go through the same reader as `--extra` (same-schema.ts);
 * images are a folder of image files (any sub-folders; their names are not read as labels), decoded and resized
 * the way the labelled images were: a folder's images are resized to its size, while a built-in set's images were
 * never resized, so another size is refused. What the encoders cannot represent (unknown categories, unparsable
 * numbers, missing cells, out-of-vocabulary tokens) is counted per column; unreadable files are counted and listed.
 */
import { createHash } from "node:crypto";
import { stat } from "node:fs/promises";
import { extname, relative } from "node:path";
import sharp from "sharp";
import { DataError, InputError } from "../errors.js";
import type { Tensors } from "../engine/types.js";
import { mapLimit } from "../concurrency.js";
import { builtinName } from "./builtin.js";
import { encodingIssues, type EncodingIssue } from "./encoders/coverage.js";
import { encodeRows } from "./encoders/rows.js";
import type { ImageEncoders } from "./encoders/types.js";
import { fingerprintOf } from "./fingerprint.js";
import { SkipLog } from "./report.js";
import { encodedColumns, readSameSchema } from "./same-schema.js";
import { IMAGE_EXT, decodeImage, listFiles } from "./sources/images.js";
import type { Dataset, LoadReport } from "./types.js";

export interface UnlabelledData {
  source: string;
  /**
   * Hash of the encoded inputs (x and the categorical ids) and of the labelled dataset they were encoded for: the
   * same rows encoding the same way give the same key, whatever else the file holds (a target column is not in it).
   */
  fingerprint: string;
  /** Encoded rows (the labelled data's encoders); y is a placeholder of zeros, never a label. */
  tensors: Tensors;
  /** The rows as read (column -> value; images: {image: path}), in file order, for writing chosen ones back out. */
  records: Record<string, unknown>[];
  /** Column names in file order. */
  columns: string[];
  /** Cells the encoders could not represent as read, per column (encoded all the same: imputed or "unseen"). */
  issues: EncodingIssue[];
  /** Rows or files not read (malformed lines, unreadable images), with examples. */
  skipped: LoadReport["skipped"];
  /** Rows with a value in the target column, left unread (`labels: "ignore"`); 0 when the column is absent. */
  targetValues: number;
  warnings: string[];
}

export interface UnlabelledOptions {
  /** "refuse" (label-next: a filled target cell is an error) or "ignore" (counted, never read). */
  labels: "refuse" | "ignore";
}

/** Reads and encodes `source` for `ds`. Typed errors name the file and the column, file or row. */
export async function loadUnlabelled(ds: Dataset, source: string, o: UnlabelledOptions = { labels: "refuse" }): Promise<UnlabelledData> {
  const enc = ds.encoders;
  if (!enc) throw new InputError("UNLABELLED_KIND", `${ds.source} has no saved encoders to read unlabelled rows with`, { hint: "load the labelled data again (its cache predates encoders)" });
  const isDir = (await stat(source).catch(() => null))?.isDirectory() ?? false;
  if (enc.kind === "image") {
    if (!isDir) throw new InputError("UNLABELLED_KIND", `${source}: ${ds.source} is image data; its unlabelled rows are a folder of images`, { hint: "give a folder of PNG, JPEG or WebP files (sub-folders are allowed; their names are not read)", details: { file: source } });
    return loadImages(ds, enc, source);
  }
  if (isDir) throw new InputError("UNLABELLED_KIND", `${source} is a folder; ${ds.source} is ${ds.schema.kind} data, read from a table`, { hint: "give a CSV, JSONL or Parquet file with the labelled file's columns", details: { file: source } });
  const required = encodedColumns(ds);
  const table = await readSameSchema(ds, source, {
    code: "UNLABELLED_SCHEMA",
    required,
    target: o.labels,
    hint: `the unlabelled rows need the columns the model reads (the target '${ds.schema.target}' may be left out or empty)`,
  });
  const { records } = table;
  if (!records.length) throw new DataError("UNLABELLED_EMPTY", `${source} has no rows`, { hint: "give a file of unlabelled rows (a header and at least one row)", details: { file: source } });
  const x = encodeRows(enc, records as never);
  const tensors = { ...ds.tensors, ...x, y: ds.tensors.task === "classification" ? new Int32Array(x.n) : new Float32Array(x.n) } as Tensors;
  return {
    source,
    fingerprint: inputsFingerprint(ds, tensors),
    tensors,
    records,
    columns: table.columns,
    issues: encodingIssues(enc, records as never),
    skipped: table.skipped,
    targetValues: table.targetValues,
    warnings: table.warnings,
  };
}

/** The encoded inputs' hash (see UnlabelledData.fingerprint). */
function inputsFingerprint(ds: Dataset, t: Pick<Tensors, "x" | "cat">): string {
  const h = createHash("sha256");
  h.update(new Uint8Array(t.x.buffer, t.x.byteOffset, t.x.byteLength));
  if (t.cat) h.update(new Uint8Array(t.cat.buffer, t.cat.byteOffset, t.cat.byteLength));
  return fingerprintOf({ unlabelled: h.digest("hex"), for: ds.fingerprint });
}

const CONCURRENCY = 8;

/**
 * Image files decoded the way `ds`'s images were (its size and channels), in one x; the indices into `files` that
 * decoded (unreadable ones go to `skipped`). A built-in set's images were read at their own size and never
 * resized: another size is refused (`<code>_IMAGE_SIZE`) rather than resized in a way the labelled data was not.
 * Shared by unlabelled rows and `--extra` image folders.
 */
export async function decodeLike(ds: Dataset, enc: ImageEncoders, dir: string, files: string[], skipped: SkipLog, code: string): Promise<{ x: Uint8Array; kept: number[] }> {
  const { height, width, channels } = enc;
  if (builtinName(ds.source)) {
    const sizes = await mapLimit(files, CONCURRENCY, async (p) => sharp(p).metadata().then((m) => (m.width && m.height ? `${m.height}x${m.width}` : null), () => null));
    const wrong = files.map((p, i) => ({ p, s: sizes[i] })).filter((f) => f.s !== null && f.s !== `${height}x${width}`);
    if (wrong.length) {
      throw new DataError(`${code}_IMAGE_SIZE`, `${dir}: ${wrong.length} of ${files.length} images are not ${height}×${width} (the first: ${relative(dir, wrong[0]!.p)}, ${wrong[0]!.s!.replace("x", "×")})`, {
        hint: `${ds.source}'s images are ${height}×${width} and were never resized; resize the images to ${height}×${width} (e.g. with ImageMagick: mogrify -resize ${width}x${height}! *.png)`,
        details: { file: wrong[0]!.p },
      });
    }
  }
  const size = channels * height * width;
  const decoded = await mapLimit(files, CONCURRENCY, async (p) => decodeImage(p, height, width, channels as 1 | 3).catch(() => null));
  const kept: number[] = [];
  decoded.forEach((d, i) => (d ? kept.push(i) : skipped.add("unreadable or truncated image", relative(dir, files[i]!))));
  const x = new Uint8Array(kept.length * size);
  kept.forEach((fi, r) => x.set(decoded[fi]!, r * size));
  return { x, kept };
}

/** A folder of images, decoded to the labelled images' size and channels. */
async function loadImages(ds: Dataset, enc: ImageEncoders, dir: string): Promise<UnlabelledData> {
  const skipped = new SkipLog();
  const all = await listFiles(dir);
  const files = all.filter((p) => {
    const ok = IMAGE_EXT.has(extname(p).toLowerCase());
    if (!ok) skipped.add("not a PNG/JPEG/WebP file", relative(dir, p));
    return ok;
  });
  const { x, kept } = await decodeLike(ds, enc, dir, files, skipped, "UNLABELLED");
  if (!kept.length) throw new DataError("UNLABELLED_EMPTY", `${dir}: no readable image (${all.length} file(s) found)`, { hint: "give a folder of PNG, JPEG or WebP images", details: { file: dir } });
  const tensors = { ...ds.tensors, n: kept.length, x, y: new Int32Array(kept.length) } as Tensors;
  const { cat: _none, ...imageTensors } = tensors;
  return {
    source: dir,
    fingerprint: inputsFingerprint(ds, { x }),
    tensors: imageTensors as Tensors,
    records: kept.map((fi) => ({ image: relative(dir, files[fi]!) })),
    columns: ["image"],
    issues: [],
    skipped: skipped.list(),
    targetValues: 0,
    warnings: [],
  };
}
