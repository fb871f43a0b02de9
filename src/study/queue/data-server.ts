/**
 * The coordinator's data endpoint: workers without a shared cache folder download the encoded dataset from here,
 * by folder name, with a bearer token. Only folders the coordinator's own jobs name are served (registered by
 * offer()), and only their cache files. hono + @hono/node-server: a small, well-kept HTTP layer instead of
 * hand-written request parsing.
 */
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces } from "node:os";
import { basename, join } from "node:path";
import { Readable } from "node:stream";
import { hashOfFiles, listDataFiles, DATA_FILE, type DataFile } from "./data-hash.js";
import type { DataRef } from "./job-data.js";

export class DataServer {
  private readonly token = randomBytes(24).toString("hex");
  private readonly folders = new Map<string, Promise<{ dir: string; files: DataFile[]; hash: string }>>();
  private server: Server | null = null;
  private base: string | null = null;

  /** @param address what workers use to reach this machine (default: its first non-internal IPv4 address). */
  constructor(private readonly opts: { serve: boolean; address?: string; port?: number }) {}

  async start(): Promise<void> {
    if (!this.opts.serve || this.server) return;
    const app = new Hono();
    app.use("/v1/*", bearerAuth({ token: this.token }));
    app.get("/v1/data/:key/files", async (c) => {
      const f = this.folders.get(c.req.param("key"));
      if (!f) return c.json({ error: "no such dataset" }, 404);
      return c.json((await f).files);
    });
    app.get("/v1/data/:key/file/:name", async (c) => {
      const f = this.folders.get(c.req.param("key"));
      const name = c.req.param("name");
      if (!f || !DATA_FILE.test(name)) return c.json({ error: "no such file" }, 404);
      const folder = await f;
      const file = folder.files.find((x) => x.name === name);
      if (!file) return c.json({ error: "no such file" }, 404);
      const body = Readable.toWeb(createReadStream(join(folder.dir, name))) as unknown as ReadableStream;
      return c.body(body, 200, { "content-type": "application/octet-stream", "content-length": String(file.bytes) });
    });
    const info = await new Promise<AddressInfo>((resolve) => {
      this.server = serve({ fetch: app.fetch, port: this.opts.port ?? 0, hostname: "0.0.0.0" }, resolve) as Server;
    });
    this.base = `http://${this.opts.address ?? defaultAddress()}:${info.port}`;
  }

  /** The data reference for a cache folder: hashed once, and served when this coordinator serves data. */
  async offer(dir: string): Promise<DataRef> {
    const key = basename(dir);
    let f = this.folders.get(key);
    if (!f) {
      f = listDataFiles(dir).then((files) => ({ dir, files, hash: hashOfFiles(files) }));
      this.folders.set(key, f);
      f.catch(() => this.folders.delete(key));
    }
    const { hash } = await f;
    return this.base ? { key, hash, url: this.base, token: this.token } : { key, hash };
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}

function defaultAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (a.family === "IPv4" && !a.internal) return a.address;
  }
  return "127.0.0.1";
}
