/**
 * Dataset fingerprints: sha256 over the source's identity + every option that changes the encoding.
 *
 * - Files: the content's sha256, streamed. To keep a cache hit fast on large files, the digest is remembered in
 *   <cacheRoot>/sources.json keyed by absolute path + size + mtime (git's index does the same): an edit that keeps
 *   both size and mtime is not noticed; `refresh` forces a rehash.
 * - Folders (images): the sorted list of relative paths with sizes and mtimes, not the contents: reading every
 *   image just to check the cache would cost as much as decoding them. Same caveat as above.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile, readdir, rename, stat, writeFile, mkdir } from "node:fs/promises";
import { join, relative, resolve } from "node:path";

/** Bump when the encoded format changes, so old caches are not reused. */
export const ENCODING_VERSION = 1;

export async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  await new Promise<void>((res, rej) => {
    createReadStream(path, { highWaterMark: 1 << 20 })
      .on("data", (b) => h.update(b))
      .on("end", () => res())
      .on("error", rej);
  });
  return h.digest("hex");
}

type StatCache = Record<string, { size: number; mtimeMs: number; sha256: string }>;

export async function fileDigest(path: string, cacheRoot: string, refresh = false): Promise<string> {
  const abs = resolve(path);
  const st = await stat(abs);
  const file = join(cacheRoot, "sources.json");
  let cache: StatCache = {};
  try {
    cache = JSON.parse(await readFile(file, "utf8")) as StatCache;
  } catch {
    /* no cache yet */
  }
  const hit = cache[abs];
  if (!refresh && hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const sha256 = await hashFile(abs);
  try {
    // Re-read just before writing to lose fewer concurrent entries; rename keeps the file whole.
    try {
      cache = JSON.parse(await readFile(file, "utf8")) as StatCache;
    } catch {
      /* still none */
    }
    cache[abs] = { size: st.size, mtimeMs: st.mtimeMs, sha256 };
    await mkdir(cacheRoot, { recursive: true });
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}`;
    await writeFile(tmp, JSON.stringify(cache));
    await rename(tmp, file);
  } catch {
    /* the digest cache is an optimisation only */
  }
  return sha256;
}

export async function folderDigest(dir: string): Promise<string> {
  const h = createHash("sha256");
  const walk = async (d: string): Promise<void> => {
    const entries = (await readdir(d, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const st = await stat(p);
        h.update(`${relative(dir, p)}\0${st.size}\0${st.mtimeMs}\n`);
      }
    }
  };
  await walk(dir);
  return h.digest("hex");
}

export async function sourceDigest(path: string, cacheRoot: string, refresh = false): Promise<string> {
  const st = await stat(path);
  return st.isDirectory() ? "dir:" + (await folderDigest(path)) : "file:" + (await fileDigest(path, cacheRoot, refresh));
}

export function fingerprintOf(parts: Record<string, unknown>): string {
  return createHash("sha256")
    .update(JSON.stringify({ v: ENCODING_VERSION, ...parts }))
    .digest("hex")
    .slice(0, 24);
}
