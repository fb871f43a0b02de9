// The queue's data path without Redis: the coordinator's endpoint (token, only offered folders) and the worker's
// download, checked by sha256; and a Redis that is not there.
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DataServer } from "../../src/study/queue/data-server.js";
import { DataFetcher } from "../../src/study/queue/data-fetch.js";
import { QueueExecutor } from "../../src/study/queue/executor-queue.js";

function cacheFolder(root: string, key: string): string {
  const dir = join(root, key);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "manifest.json"), JSON.stringify({ version: 1, fingerprint: key }));
  writeFileSync(join(dir, "x.bin"), Buffer.from(new Float32Array([1, 2, 3, 4]).buffer));
  writeFileSync(join(dir, "notes.txt"), "not a cache file");
  return dir;
}

describe("the queue's data path", () => {
  it("a worker downloads an offered folder with the token, checks it, and reuses its copy", async () => {
    const root = mkdtempSync(join(tmpdir(), "enough-qdata-"));
    const dir = cacheFolder(join(root, "coordinator"), "abc123");
    const server = new DataServer({ serve: true, address: "127.0.0.1" });
    await server.start();
    try {
      const ref = await server.offer(dir);
      expect(ref).toMatchObject({ key: "abc123", url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), token: expect.any(String) });
      expect((await fetch(`${ref.url}/v1/data/abc123/files`)).status).toBe(401);
      expect((await fetch(`${ref.url}/v1/data/other/files`, { headers: { authorization: `Bearer ${ref.token}` } })).status).toBe(404);
      const worker = new DataFetcher(join(root, "worker"));
      const got = await worker.get(ref);
      expect(got).toBe(join(root, "worker", "abc123"));
      expect(readFileSync(join(got, "x.bin"))).toEqual(readFileSync(join(dir, "x.bin")));
      // Only cache files travel.
      expect(() => readFileSync(join(got, "notes.txt"))).toThrow();
      // A second worker process on the same machine finds the copy by hash, without the endpoint.
      expect(await new DataFetcher(join(root, "worker")).get({ key: ref.key, hash: ref.hash })).toBe(got);
    } finally {
      await server.close();
    }
  });

  it("a file that changed after it was offered is refused by hash, with its name", async () => {
    const root = mkdtempSync(join(tmpdir(), "enough-qdata-"));
    const dir = cacheFolder(join(root, "coordinator"), "def456");
    const server = new DataServer({ serve: true, address: "127.0.0.1" });
    await server.start();
    try {
      const ref = await server.offer(dir);
      writeFileSync(join(dir, "x.bin"), Buffer.from(new Float32Array([9, 9, 9, 9]).buffer));
      const err = (await new DataFetcher(join(root, "worker")).get(ref).catch((e: unknown) => e)) as { code: string; message: string };
      expect(err).toMatchObject({ code: "DATA_UNAVAILABLE" });
      expect(err.message).toMatch(/x\.bin arrived damaged/);
    } finally {
      await server.close();
    }
  });

  it("a Redis that does not answer is QUEUE_UNREACHABLE, not a hang", async () => {
    const ex = new QueueExecutor({ queue: "redis://127.0.0.1:1", engineVersion: "e", connectTimeoutMs: 1_000, serveData: false });
    await expect(ex.open()).rejects.toMatchObject({ code: "QUEUE_UNREACHABLE", message: expect.stringContaining("127.0.0.1:1") });
    await ex.close();
  });
});
