/**
 * Image folders: <dir>/<class>/<image>, PNG/JPEG/WebP decoded and resized with sharp into uint8 [c, h, w].
 * Unreadable or truncated files are skipped and listed (not fatal unless none can be read).
 */
import { readdir } from "node:fs/promises";
import { extname, join, relative } from "node:path";
import sharp from "sharp";
import { DataError } from "../../errors.js";
import type { LoadOptions } from "../options.js";
import { SkipLog, skipWarning } from "../report.js";
import { stratifiedSplit } from "../split.js";
import { classTokens, selectClasses } from "../classes.js";
import type { Built } from "../tabular.js";
import type { ImageEncoders } from "../encoders/types.js";
import { imageStats } from "./pixels.js";
import { mapLimit } from "../../concurrency.js";

/** The image files a folder source reads (the audit's image-format check lists the same ones). */
export const IMAGE_EXT = new Set([".png", ".jpg", ".jpeg", ".webp"]);
/** The default size is the most common one, scaled down so its longer side is at most this. */
export const MAX_DEFAULT_SIDE = 64;
const CONCURRENCY = 8;

/** Every file below `dir` (dot-files skipped), sorted by path: the order that gives image rows their ids. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    if (e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await listFiles(p)));
    else if (e.isFile()) out.push(p);
  }
  return out.sort();
}

/** Decodes one image into CHW uint8 of the given size; throws on unreadable/truncated files. */
export async function decodeImage(path: string, height: number, width: number, channels: 1 | 3): Promise<Uint8Array> {
  let img = sharp(path, { failOn: "truncated" }).resize(width, height, { fit: "fill" });
  img = channels === 1 ? img.grayscale() : img.removeAlpha().toColourspace("srgb");
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  const c = info.channels;
  const out = new Uint8Array(channels * height * width);
  const hw = height * width;
  for (let p = 0; p < hw; p++) for (let k = 0; k < channels; k++) out[k * hw + p] = data[p * c + Math.min(k, c - 1)]!;
  return out;
}

/** Prediction-time images through the saved image encoder (same size and channels as training). */
export async function encodeImages(state: ImageEncoders, paths: string[]): Promise<Uint8Array> {
  const size = state.channels * state.height * state.width;
  const x = new Uint8Array(paths.length * size);
  await mapLimit(paths, CONCURRENCY, async (p, i) => x.set(await decodeImage(p, state.height, state.width, state.channels as 1 | 3), i * size));
  return x;
}

/**
 * The images of a folder laid out <dir>/<class>/...: the class sub-folders (sorted, dot-folders skipped) and every
 * PNG/JPEG/WebP file below each, with its class; other files go to `skipped`. rowsRead counts every file seen.
 */
export async function classImageFiles(dir: string, skipped: SkipLog): Promise<{ classDirs: string[]; files: { path: string; cls: string }[]; rowsRead: number }> {
  const classDirs = (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory() && !e.name.startsWith(".")).map((e) => e.name).sort();
  let rowsRead = 0;
  const files: { path: string; cls: string }[] = [];
  for (const c of classDirs) {
    for (const p of await listFiles(join(dir, c))) {
      rowsRead++;
      if (IMAGE_EXT.has(extname(p).toLowerCase())) files.push({ path: p, cls: c });
      else skipped.add("not a PNG/JPEG/WebP file", relative(dir, p));
    }
  }
  return { classDirs, files, rowsRead };
}

export async function loadImageFolder(opts: LoadOptions): Promise<Built> {
  const dir = opts.source;
  const progress = opts.onProgress ?? (() => {});
  const skipped = new SkipLog();
  const warnings: string[] = [];
  const { classDirs, files, rowsRead } = await classImageFiles(dir, skipped);
  if (classDirs.length === 0) {
    throw new DataError("NO_CLASS_FOLDERS", `${dir}: no class sub-folders`, {
      hint: "an image data set is a folder with one sub-folder per class, e.g. data/cat/*.png, data/dog/*.png",
      details: { file: dir },
    });
  }
  const withImages = new Set(files.map((f) => f.cls));
  for (const c of classDirs) if (!withImages.has(c)) warnings.push(`class folder '${c}' has no images: class dropped`);
  // The class filter, before any image is decoded: other classes cost nothing, and are counted, not lost.
  let classFilter: { classes: string[]; rowsDropped: number } | undefined;
  if (opts.classes !== undefined) {
    const chosen = new Set(selectClasses(classDirs, opts.classes).map((i) => classDirs[i]!));
    const keptFiles = files.filter((f) => chosen.has(f.cls));
    const dropped = files.length - keptFiles.length;
    files.splice(0, files.length, ...keptFiles);
    classFilter = { classes: [...chosen], rowsDropped: dropped };
    warnings.push(`--classes ${classTokens(opts.classes).join(",")}: kept ${chosen.size} of ${classDirs.length} classes (${[...chosen].join(", ")}); ${dropped} files of other classes left out`);
  }

  // Probe headers: sizes and channels, and the first unreadable files.
  progress({ phase: "probe", done: 0, total: files.length });
  const meta = await mapLimit(
    files,
    CONCURRENCY,
    async (f) => {
      try {
        const m = await sharp(f.path).metadata();
        return m.width && m.height ? { w: m.width, h: m.height, c: m.channels ?? 3 } : null;
      } catch {
        return null;
      }
    },
    (d) => progress({ phase: "probe", done: d, total: files.length }),
  );
  const sizes = new Map<string, number>();
  let allGray = true;
  meta.forEach((m) => {
    if (!m) return;
    sizes.set(`${m.h}x${m.w}`, (sizes.get(`${m.h}x${m.w}`) ?? 0) + 1);
    if (m.c > 2) allGray = false;
  });
  if (sizes.size === 0) {
    throw new DataError("NO_READABLE_IMAGES", `${dir}: none of the ${files.length} image files could be read`, {
      hint: "check that the files are PNG, JPEG or WebP images and not truncated",
      details: { file: dir, examples: files.slice(0, 5).map((f) => f.path) },
    });
  }
  let height: number;
  let width: number;
  if (opts.imageSize !== undefined) {
    [height, width] = Array.isArray(opts.imageSize) ? opts.imageSize : [opts.imageSize, opts.imageSize];
  } else {
    const [common] = [...sizes.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]!;
    [height, width] = common.split("x").map(Number) as [number, number];
    const scale = Math.min(1, MAX_DEFAULT_SIDE / Math.max(height, width));
    height = Math.max(1, Math.round(height * scale));
    width = Math.max(1, Math.round(width * scale));
  }
  const channels: 1 | 3 = opts.grayscale === true ? 1 : opts.grayscale === false ? 3 : allGray ? 1 : 3;

  progress({ phase: "decode", done: 0, total: files.length });
  const size = channels * height * width;
  const decoded = await mapLimit(
    files,
    CONCURRENCY,
    async (f, i) => {
      if (!meta[i]) return null;
      try {
        return await decodeImage(f.path, height, width, channels);
      } catch {
        return null;
      }
    },
    (d) => progress({ phase: "decode", done: d, total: files.length }),
  );
  const keptIdx: number[] = [];
  decoded.forEach((d, i) => (d ? keptIdx.push(i) : skipped.add("unreadable or truncated image", relative(dir, files[i]!.path))));
  if (keptIdx.length === 0) {
    throw new DataError("NO_READABLE_IMAGES", `${dir}: none of the ${files.length} image files could be decoded`, {
      hint: "check that the files are PNG, JPEG or WebP images and not truncated",
      details: { file: dir },
    });
  }
  const classes = classDirs.filter((c) => keptIdx.some((i) => files[i]!.cls === c));
  for (const c of classDirs) if (!classes.includes(c) && files.some((f) => f.cls === c)) warnings.push(`class folder '${c}' has no readable images: class dropped`);
  if (classes.length < 2) {
    throw new DataError("ONE_CLASS", `${dir}: only one class with readable images ('${classes[0]}'): there is nothing to learn`, {
      hint: "put each class's images in its own sub-folder; at least two classes are needed",
      details: { file: dir },
    });
  }
  const n = keptIdx.length;
  const x = new Uint8Array(n * size);
  const y = new Int32Array(n);
  const clsId = new Map(classes.map((c, i) => [c, i]));
  const counts = new Array<number>(classes.length).fill(0);
  keptIdx.forEach((fi, r) => {
    x.set(decoded[fi]!, r * size);
    y[r] = clsId.get(files[fi]!.cls)!;
    counts[y[r]!]!++;
  });
  classes.forEach((c, i) => {
    if (counts[i] === 1) warnings.push(`class '${c}' has a single example (${relative(dir, files[keptIdx[y.indexOf(i)]!]!.path)}): kept in the training pool`);
  });
  const split = stratifiedSplit({ strata: y, testFraction: opts.testFraction ?? 0.2, seed: opts.seed ?? 0, n });
  const { mean, std } = imageStats(x, channels, height * width, split.pool);
  const skippedList = skipped.list();
  for (const s of skippedList) warnings.push(skipWarning(s, "files"));
  const sizeNote = sizes.size > 1 ? `; ${sizes.size} different sizes in the folder` : "";
  return {
    source: opts.source,
    schema: {
      kind: "image",
      task: "classification",
      target: "class",
      groups: [],
      classes,
      columns: [
        { name: "image", kind: "image", reason: `${channels === 1 ? "grayscale" : "RGB"} ${height}×${width}${opts.imageSize !== undefined ? " (user size)" : " (most common size, capped)"}${sizeNote}`, missing: 0, distinct: n, role: "feature" },
        { name: "class", kind: "categorical", reason: `classification: one sub-folder per class`, missing: 0, distinct: classes.length, role: "target" },
      ],
    },
    tensors: { task: "classification", numClasses: classes.length, n, x, xShape: [channels, height, width], xKind: "image", imageMean: mean, imageStd: std, y },
    split: { test: split.test, pool: split.pool },
    groups: {},
    encoders: { kind: "image", channels, height, width, mean, std, target: { column: "class", task: "classification", classes } },
    report: { file: dir, rowsRead, rowsKept: n, rowsSkipped: rowsRead - n - (classFilter?.rowsDropped ?? 0), skipped: skippedList, warnings, ...(classFilter ? { classFilter } : {}) },
  };
}
