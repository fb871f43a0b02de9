/**
 * `enough serve`: the live dashboard of a store's studies in the browser (src/server/). Prints the address (with the
 * token once, when it was generated) and serves until Ctrl-C.
 */
import type { Command } from "commander";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { InputError } from "../../errors.js";
import { startServer } from "../../server/index.js";
import { parsePositiveInt } from "../format.js";
import { writeErr, writeOut } from "../output.js";

interface CliOptions {
  store: string;
  port: string;
  host: string;
  token?: string;
}

export function register(program: Command): void {
  program
    .command("serve")
    .description("a live dashboard of the studies in a store, in the browser (read-only without the token)")
    .option("--store <path>", "the SQLite store of Runs", ".enough/enough.db")
    .option("--port <port>", "port to listen on (0: any free one)", "8080")
    .option("--host <address>", "address to bind; anything but a loopback address requires the token", "127.0.0.1")
    .option("--token <token>", "the token that allows cancel/resume (and, off localhost, any access); default: a random one, printed once")
    .action(async (opts: CliOptions) => {
      const path = resolve(opts.store);
      if (!existsSync(path)) throw new InputError("NO_STORE", `there is no store at ${path}`, { hint: "run a study first (enough estimate ...), or point --store at its file" });
      const server = await startServer({ store: path, port: parsePositiveInt(opts.port, "--port", { allowZero: true }), host: opts.host, ...(opts.token !== undefined ? { token: opts.token } : {}) });
      writeOut(`enough serve: ${server.url} (store ${path})\n`);
      if (server.tokenGenerated) writeOut(`  token (shown once): ${server.token}\n  open ${server.tokenUrl} to ${server.loopback ? "cancel or resume studies" : "read the dashboard"}\n`);
      if (!server.loopback) writeErr(`  bound to ${opts.host}: every request needs the token; traffic is plain HTTP, so put TLS in front of it off a trusted network\n`);
      await new Promise<void>((done) => {
        const stop = () => {
          process.off("SIGINT", stop);
          process.off("SIGTERM", stop);
          void server.close().then(done);
        };
        process.on("SIGINT", stop);
        process.on("SIGTERM", stop);
      });
    });
}
