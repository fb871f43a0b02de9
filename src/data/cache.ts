/**
 * The encoded-dataset cache: <cacheRoot>/<fingerprint>/ holds one raw little-endian file per typed array plus
 * manifest.json (schema, report, encoders, tensor metadata). Written to a temporary folder and renamed, so a
 * reader never sees half a cache, and concurrent writers of the same fingerprint do not corrupt each other.
 * Reading is one readFile per array, viewed in place as a typed array (no parsing).
 */
import { mkdir, readFile, rename, rm, writeFile, access } from "node:fs/promises";
import { join } from "node:path";
import { DataError } from "../errors.js";
import type { Tensors } from "../engine/types.js";
import type { Dataset } from "./types.js";
import type { EncoderState } from "./encoders/types.js";
import { ENCODING_VERSION } from "./fingerprint.js";

type DType = "f32" | "f64" | "u8" | "i32";
type AnyArray = Float32Array | Float64Array | Uint8Array | Int32Array;
const CTORS = { f32: Float32Array, f64: Float64Array, u8: Uint8Array, i32: Int32Array } as const;

interface Manifest {
  version: number;
  fingerprint: string;
  source: string;
  createdAt: string;
  schema: Dataset["schema"];
  report: Dataset["report"];
  encoders?: EncoderState;
  tensors: Omit<Tensors, "x" | "y" | "cat">;
  groups: Record<string, { labels: string[]; file: string }>;
  arrays: Record<string, { file: string; dtype: DType; length: number }>;
}

function dtypeOf(a: AnyArray): DType {
  if (a instanceof Float32Array) return "f32";
  if (a instanceof Float64Array) return "f64";
  if (a instanceof Uint8Array) return "u8";
  return "i32";
}

export async function cacheExists(dir: string): Promise<boolean> {
  try {
    await access(join(dir, "manifest.json"));
    return true;
  } catch {
    return false;
  }
}

export async function writeCache(dir: string, ds: Dataset): Promise<void> {
  const tmp = `${dir}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  await mkdir(tmp, { recursive: true });
  const arrays: Manifest["arrays"] = {};
  const put = async (name: string, a: AnyArray) => {
    await writeFile(join(tmp, `${name}.bin`), new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    arrays[name] = { file: `${name}.bin`, dtype: dtypeOf(a), length: a.length };
  };
  const { x, y, cat, ...meta } = ds.tensors;
  await put("x", x);
  await put("y", y);
  if (cat) await put("cat", cat);
  await put("test", ds.split.test);
  await put("pool", ds.split.pool);
  const groups: Manifest["groups"] = {};
  let gi = 0;
  for (const [name, g] of Object.entries(ds.groups)) {
    const key = `group${gi++}`;
    await put(key, g.codes);
    groups[name] = { labels: g.labels, file: key };
  }
  const manifest: Manifest = {
    version: ENCODING_VERSION,
    fingerprint: ds.fingerprint,
    source: ds.source,
    createdAt: new Date().toISOString(),
    schema: ds.schema,
    report: ds.report,
    ...(ds.encoders ? { encoders: ds.encoders } : {}),
    tensors: meta,
    groups,
    arrays,
  };
  await writeFile(join(tmp, "manifest.json"), JSON.stringify(manifest, null, 1));
  try {
    await rename(tmp, dir);
  } catch {
    // Another process finished the same fingerprint first: theirs is identical.
    await rm(tmp, { recursive: true, force: true });
  }
}

export async function readCache(dir: string): Promise<Dataset> {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8")) as Manifest;
  } catch (e) {
    throw new DataError("CACHE_MISSING", `${dir}: no readable dataset cache (manifest.json)`, {
      hint: "run `enough inspect --data <source>` to (re)build it, or delete the folder",
      details: { file: dir },
      cause: e,
    });
  }
  if (manifest.version !== ENCODING_VERSION) {
    throw new DataError("CACHE_VERSION", `${dir}: cache format ${manifest.version}, this enough reads ${ENCODING_VERSION}`, {
      hint: "delete the folder; it is rebuilt on the next load",
      details: { file: dir },
    });
  }
  const arr = async (name: string): Promise<AnyArray> => {
    const a = manifest.arrays[name]!;
    const buf = await readFile(join(dir, a.file));
    const C = CTORS[a.dtype];
    if (buf.byteLength !== a.length * C.BYTES_PER_ELEMENT) {
      throw new DataError("CACHE_CORRUPT", `${join(dir, a.file)}: ${buf.byteLength} bytes, expected ${a.length * C.BYTES_PER_ELEMENT}`, {
        hint: "delete the cache folder; it is rebuilt on the next load",
        details: { file: join(dir, a.file) },
      });
    }
    // readFile gives a fresh, unpooled buffer (offset 0) for files; copy only if it is ever misaligned.
    return buf.byteOffset % C.BYTES_PER_ELEMENT === 0 ? new C(buf.buffer, buf.byteOffset, a.length) : new C(new Uint8Array(buf).buffer);
  };
  const tensors = {
    ...manifest.tensors,
    x: (await arr("x")) as Tensors["x"],
    y: (await arr("y")) as Tensors["y"],
    ...(manifest.arrays.cat ? { cat: (await arr("cat")) as Int32Array } : {}),
  } as Tensors;
  const groups: Dataset["groups"] = {};
  for (const [name, g] of Object.entries(manifest.groups)) groups[name] = { labels: g.labels, codes: (await arr(g.file)) as Int32Array };
  return {
    fingerprint: manifest.fingerprint,
    source: manifest.source,
    schema: manifest.schema,
    tensors,
    split: { test: (await arr("test")) as Int32Array, pool: (await arr("pool")) as Int32Array },
    groups,
    report: manifest.report,
    cacheDir: dir,
    fromCache: true,
    ...(manifest.encoders ? { encoders: manifest.encoders } : {}),
  };
}
