/**
 * The content hash of an encoded-dataset cache folder (data/cache.ts writes one flat folder per fingerprint): each
 * file's name, size and sha256, and one sha256 over that list. Coordinator and worker compute it the same way, so a
 * worker knows that its copy (shared folder or download) is byte for byte the coordinator's.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";

export interface DataFile {
  name: string;
  bytes: number;
  sha256: string;
}

/** Names a cache folder may hold (manifest.json and <array>.bin); anything else is neither served nor fetched. */
export const DATA_FILE = /^[A-Za-z0-9_-]+\.(bin|json)$/;

export async function hashFile(path: string): Promise<string> {
  const h = createHash("sha256");
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return h.digest("hex");
}

export async function listDataFiles(dir: string): Promise<DataFile[]> {
  const names = (await readdir(dir)).filter((n) => DATA_FILE.test(n)).sort();
  const out: DataFile[] = [];
  for (const name of names) {
    const p = join(dir, name);
    out.push({ name, bytes: (await stat(p)).size, sha256: await hashFile(p) });
  }
  return out;
}

export function hashOfFiles(files: DataFile[]): string {
  const h = createHash("sha256");
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : 1))) h.update(`${f.name}\t${f.bytes}\t${f.sha256}\n`);
  return h.digest("hex");
}
