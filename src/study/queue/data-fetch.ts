/**
 * The worker's side of data: the encoded dataset a job names, from the worker's cache folder (shared with the
 * coordinator, or filled by an earlier download) when its hash matches, otherwise downloaded from the coordinator's
 * endpoint, each file checked against its sha256, into a temporary folder renamed into place. Every way this fails
 * is a DATA_UNAVAILABLE error that says what was tried.
 */
import { createWriteStream } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { hashFile, hashOfFiles, listDataFiles, DATA_FILE, type DataFile } from "./data-hash.js";
import type { DataRef } from "./job-data.js";

export class DataUnavailableError extends Error {
  readonly code = "DATA_UNAVAILABLE";
}

export class DataFetcher {
  /** key:hash -> the verified folder (verified once per worker process). */
  private readonly ready = new Map<string, Promise<string>>();

  constructor(private readonly cacheRoot: string) {}

  /** The local folder holding the dataset `ref` names, verified by hash. */
  get(ref: DataRef): Promise<string> {
    const id = `${ref.key}:${ref.hash}`;
    let p = this.ready.get(id);
    if (!p) {
      p = this.resolve(ref);
      this.ready.set(id, p);
      p.catch(() => this.ready.delete(id));
    }
    return p;
  }

  private async resolve(ref: DataRef): Promise<string> {
    const dir = join(this.cacheRoot, ref.key);
    const local = await listDataFiles(dir).catch(() => null);
    if (local && local.length && hashOfFiles(local) === ref.hash) return dir;
    const why = local && local.length ? `${dir} holds a different copy (hash mismatch)` : `it is not in this worker's cache folder ${this.cacheRoot}`;
    if (!ref.url) {
      throw new DataUnavailableError(`dataset ${ref.key}: ${why}, and its coordinator serves no data (share the cache folder with --cache-root, or let the coordinator serve it)`);
    }
    try {
      await this.download(ref, dir);
    } catch (err) {
      throw new DataUnavailableError(`dataset ${ref.key}: ${why}, and the download from ${ref.url} failed: ${(err as Error).message}`);
    }
    return dir;
  }

  private async download(ref: DataRef, dir: string): Promise<void> {
    const headers = ref.token ? { authorization: `Bearer ${ref.token}` } : undefined;
    const base = `${ref.url}/v1/data/${encodeURIComponent(ref.key)}`;
    const res = await fetch(`${base}/files`, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status} for the file list`);
    const files = (await res.json()) as DataFile[];
    if (!Array.isArray(files) || !files.every((f) => typeof f?.name === "string" && DATA_FILE.test(f.name))) throw new Error("the file list is malformed");
    if (hashOfFiles(files) !== ref.hash) throw new Error("the coordinator now serves a different copy than the job names");
    const tmp = `${dir}.tmp-${process.pid}-${Date.now()}`;
    await mkdir(tmp, { recursive: true });
    try {
      for (const f of files) {
        const r = await fetch(`${base}/file/${encodeURIComponent(f.name)}`, { headers });
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status} for ${f.name}`);
        const path = join(tmp, f.name);
        await pipeline(Readable.fromWeb(r.body as never), createWriteStream(path));
        const sha = await hashFile(path);
        if (sha !== f.sha256) throw new Error(`${f.name} arrived damaged (sha256 ${sha.slice(0, 12)}, expected ${f.sha256.slice(0, 12)})`);
      }
      await rm(dir, { recursive: true, force: true });
      try {
        await rename(tmp, dir);
      } catch (err) {
        // Another worker process on this machine renamed the same download into place first.
        const there = await listDataFiles(dir).catch(() => []);
        if (hashOfFiles(there) !== ref.hash) throw err;
        await rm(tmp, { recursive: true, force: true });
      }
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw err;
    }
  }
}
