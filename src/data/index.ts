/**
 * The data layer's API: load a source into a fingerprinted, cached, split Dataset; draw nested subsets; plan sizes.
 */
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { cacheExists, readCache, writeCache } from "./cache.js";
import { fingerprintOf, fileDigest, sourceDigest } from "./fingerprint.js";
import { DEFAULT_CACHE_ROOT, fingerprintOptions, type LoadOptions } from "./options.js";
import { checkFile } from "./sources/file.js";
import { loadImageFolder } from "./sources/images.js";
import { builtinFiles, builtinName, loadBuiltin } from "./builtin.js";
import { loadTabular, type Built } from "./tabular.js";
import { tableFormat } from "./sources/table.js";
import type { Dataset } from "./types.js";

export type { LoadOptions, LoadProgress } from "./options.js";
export type { Dataset, Schema, ColumnInfo, ColumnKind, LoadReport, DataKind } from "./types.js";
export type { EncoderState, TabularEncoders, TextEncoders, ImageEncoders, TargetEncoder } from "./encoders/types.js";
export { composedSubset, nestedSubsets, ordinaryCounts, planSizes, parseSizes, readSizes } from "./subsets.js";
export { encodeRows, encodeTarget } from "./encoders/rows.js";
export { loadExtra, combineWithExtra, type ExtraData } from "./extra.js";
export { loadUnlabelled, type UnlabelledData, type UnlabelledOptions } from "./unlabelled.js";
export type { EncodingIssue } from "./encoders/coverage.js";
export { encodeImages } from "./sources/images.js";
export { readFashionMnist, readIdx } from "./sources/idx.js";
export { stratifiedSplit, groupSplit } from "./split.js";

export { DEFAULT_CACHE_ROOT };

/**
 * The fingerprint and cache folder a load with these options would use (hashes the source; does not parse it).
 * `identity` is the key without the PII-feature policy: the dataset's fingerprint (its Runs' key) when no column
 * was left out as personal data, so that stores from before that policy keep their Runs.
 */
export async function datasetFingerprint(opts: LoadOptions): Promise<{ fingerprint: string; cacheDir: string; identity: string }> {
  const cacheRoot = opts.cacheRoot ?? DEFAULT_CACHE_ROOT;
  const name = builtinName(opts.source);
  let digest: string;
  if (name) {
    const parts: string[] = [];
    for (const f of builtinFiles(name)) {
      try {
        parts.push(await fileDigest(f, cacheRoot, opts.refresh));
      } catch {
        parts.push("missing"); // loadBuiltin says how to install it
      }
    }
    digest = `builtin:${name}:${parts.join(",")}`;
  } else {
    await checkFile(opts.source);
    digest = await sourceDigest(opts.source, cacheRoot, opts.refresh);
  }
  let testDigest: string | null = null;
  if (opts.testSource) {
    await checkFile(opts.testSource);
    testDigest = await sourceDigest(opts.testSource, cacheRoot, opts.refresh);
  }
  // The reader is part of the key (with the reader options in fingerprintOptions): the same bytes named .csv and
  // .parquet are two different loads, and the second must not be served from the first one's cache. CSV (and
  // image folders, whose extension reads as CSV's empty one) and built-in data keep the key they always had, so
  // existing stores keep their Runs; every other reader adds its name.
  const formats = [name ? null : tableFormat(opts.source), opts.testSource ? tableFormat(opts.testSource) : null];
  const reader = formats.some((f) => f !== null && f !== "csv") ? { reader: formats } : {};
  // Tabular sources no longer feed PII columns to the model (unless keepPiiFeatures): a cache written before that
  // change may hold them, so the tabular cache key changed once with it (re-encoding is cheap; Runs are not).
  const tabular = !name && !(await stat(opts.source)).isDirectory();
  const pii = tabular ? { pii: opts.keepPiiFeatures ? "kept" : "excluded" } : {};
  const identity = fingerprintOf({ source: digest, test: testDigest, ...reader, options: fingerprintOptions(opts) });
  const fingerprint = tabular ? fingerprintOf({ source: digest, test: testDigest, ...reader, options: { ...fingerprintOptions(opts), ...pii } }) : identity;
  return { fingerprint, cacheDir: join(cacheRoot, fingerprint), identity };
}

/**
 * Reads, encodes, splits and caches a source. A second call with the same source bytes and options reads the
 * cache (dataset.fromCache) without parsing the source again.
 */
export async function loadDataset(opts: LoadOptions): Promise<Dataset> {
  const progress = opts.onProgress ?? (() => {});
  progress({ phase: "fingerprint" });
  const { fingerprint: cacheKey, cacheDir, identity } = await datasetFingerprint(opts);
  if (!opts.refresh && (await cacheExists(cacheDir))) {
    progress({ phase: "cache-read" });
    try {
      const ds = await readCache(cacheDir);
      return { ...ds, source: opts.source };
    } catch {
      /* unreadable cache: rebuild it below */
    }
  }
  const name = builtinName(opts.source);
  const built: Built = name ? await loadBuiltin(name, opts) : (await stat(opts.source)).isDirectory() ? await loadImageFolder(opts) : await loadTabular(opts);
  // Same encoded data as before the PII policy (no column left out, or the user kept them): same fingerprint and
  // Run ids as before; otherwise the data differs and so does its key.
  const { piiExcluded, ...rest } = built;
  const fingerprint = piiExcluded?.length ? cacheKey : identity;
  const ds: Dataset = { ...rest, fingerprint, cacheDir, fromCache: false };
  progress({ phase: "cache-write" });
  await writeCache(cacheDir, ds);
  progress({ phase: "done" });
  return ds;
}

/** Loads an encoded dataset from its cache folder (worker processes: no source, no parsing). */
export async function loadCachedDataset(cacheDir: string): Promise<Dataset> {
  return readCache(cacheDir);
}
