/**
 * `enough serve`'s server: a live dashboard of the studies in one store. Binds 127.0.0.1 by default; any other
 * address needs the token (generated when not given). Returns the address to open and a close().
 */
import { serve } from "@hono/node-server";
import { resolve } from "node:path";
import { InputError } from "../errors.js";
import { Store } from "../study/store.js";
import { createApp } from "./app.js";
import { isLoopback, newToken } from "./auth.js";
import { StoreWatch } from "./watch.js";

export interface ServeOptions {
  store: string;
  port?: number;
  host?: string;
  /** Given: used; absent: generated (the caller prints it once). */
  token?: string;
  /** How often the store's data_version is read (ms). */
  pollMs?: number;
}

export interface RunningServer {
  url: string;
  /** The address with the token, to open once in a browser (it becomes a cookie). */
  tokenUrl: string;
  token: string;
  tokenGenerated: boolean;
  loopback: boolean;
  close(): Promise<void>;
}

export async function startServer(o: ServeOptions): Promise<RunningServer> {
  const host = o.host ?? "127.0.0.1";
  const port = o.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new InputError("BAD_PORT", `--port must be a whole number from 0 to 65535, got ${o.port}`);
  if (o.token !== undefined && o.token.length < 16) throw new InputError("BAD_TOKEN", "--token must be at least 16 characters", { hint: "leave it out and a random one is made and printed" });
  const store = Store.open(resolve(o.store));
  const watch = new StoreWatch(store, o.pollMs ?? 250);
  watch.start();
  const token = o.token ?? newToken();
  const loopback = isLoopback(host);
  const app = createApp({ store, watch, token, loopback });
  const server = await new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch: app.fetch, port, hostname: host }, () => ok(s));
    s.once("error", (err: NodeJS.ErrnoException) => {
      watch.stop();
      store.close();
      fail(err.code === "EADDRINUSE" ? new InputError("PORT_IN_USE", `port ${port} on ${host} is in use`, { hint: "pick another --port (0 picks a free one)" }) : err);
    });
  });
  const addr = server.address();
  const actualPort = typeof addr === "object" && addr ? addr.port : port;
  const shown = host.includes(":") ? `[${host}]` : host;
  const url = `http://${shown}:${actualPort}/`;
  return {
    url,
    tokenUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    tokenGenerated: o.token === undefined,
    loopback,
    close: () =>
      new Promise<void>((r) => {
        watch.stop();
        // SSE streams stay open until closed: end them so close() returns.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => {
          store.close();
          r();
        });
      }),
  };
}
