/**
 * The dashboard's HTTP routes (hono): two pages, a JSON API, Server-Sent Events of store changes, the report files
 * rendered from the store, and vega's browser builds served from node_modules (no CDN: it works offline). Nothing
 * a request names is ever used as a path: study ids must match the store's id shape and exist, report files and
 * assets come from fixed lists.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Hono, type Context } from "hono";
import { streamSSE } from "hono/streaming";
import { isEnoughError } from "../errors.js";
import type { Store } from "../study/store.js";
import { readStudy } from "../study/stored.js";
import { hostName, isLoopback, requestToken, tokenMatches, TOKEN_COOKIE } from "./auth.js";
import { CLIENT_JS, page } from "./pages.js";
import { REPORT_FILES, noReportWhy, renderReportFile, resultOf, type ReportFile } from "./reports.js";
import { resumeStudy } from "./resume.js";
import { studyRows, ViewCache } from "./views.js";
import type { StoreWatch } from "./watch.js";

export interface AppOptions {
  store: Store;
  watch: StoreWatch;
  token: string;
  /** Bound to a loopback address: reading needs no token (acting still does). */
  loopback: boolean;
  /** Seconds between SSE keep-alive comments (proxies drop quiet connections). */
  keepAliveSeconds?: number;
}

/** Study ids are a kind prefix and a hash: anything else is refused before the store is asked. */
const STUDY_ID = /^[a-z][a-z0-9]{1,63}$/;

const CSP = "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'";

export function createApp(o: AppOptions): Hono {
  const app = new Hono();
  const views = new ViewCache(o.store);
  const assets = assetTable();

  app.use("*", async (c, next) => {
    // A loopback dashboard answers only to loopback host names (DNS rebinding would otherwise let a web page read it).
    if (o.loopback && !isLoopback(hostName(c.req.header("host") ?? ""))) return c.text("host not allowed", 403);
    const given = c.req.query("token");
    if (given !== undefined) {
      if (!tokenMatches(given, o.token)) return c.text("wrong token", 401);
      // The token moves into a cookie and out of the address bar (and the history).
      const url = new URL(c.req.url);
      url.searchParams.delete("token");
      c.header("Set-Cookie", `${TOKEN_COOKIE}=${encodeURIComponent(o.token)}; Path=/; HttpOnly; SameSite=Strict`);
      return c.redirect(url.pathname + url.search, 303);
    }
    if (!o.loopback && !readAllowed(c, o.token)) {
      return c.text("this dashboard needs its token: open the address `enough serve` printed (…/?token=…)", 401);
    }
    await next();
    c.header("Content-Security-Policy", CSP);
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
  });

  app.onError((err, c) => {
    if (isEnoughError(err)) return c.json({ error: err.message, code: err.code }, err.code === "NO_STUDY" ? 404 : 400);
    return c.json({ error: "internal error" }, 500);
  });

  // The page carries the token only for a browser that already proved it has it (cookie), for its action buttons.
  const pageToken = (c: Context) => (tokenMatches(requestToken(c.req.raw.headers, { cookie: true }), o.token) ? o.token : null);

  app.get("/", (c) => c.html(page({ title: "enough · studies", kind: "list", token: pageToken(c) })));
  app.get("/study/:id", (c) => {
    const id = checkedId(c.req.param("id"), o.store);
    if (!id) return c.text("no such study", 404);
    return c.html(page({ title: `enough · ${id}`, kind: "study", studyId: id, token: pageToken(c) }));
  });
  app.get("/study/:id/:file", async (c) => {
    const id = checkedId(c.req.param("id"), o.store);
    const file = c.req.param("file") as ReportFile;
    if (!id || !REPORT_FILES.includes(file)) return c.text("not found", 404);
    const s = readStudy(o.store, id);
    const r = resultOf(s);
    if (!r) return c.text(noReportWhy(s), 404);
    const body = await renderReportFile(r, file);
    const type = file === "report.html" ? "text/html" : file === "report.md" ? "text/markdown" : "application/json";
    return c.body(body, 200, { "Content-Type": `${type}; charset=utf-8` });
  });
  // Browsers ask for it on every page, the report files included: an empty answer, not a 404 in their consoles.
  app.get("/favicon.ico", (c) => c.body(null, 204));
  app.get("/assets/:name", (c) => {
    const a = assets.get(c.req.param("name"));
    if (!a) return c.text("not found", 404);
    return c.body(a.body(), 200, { "Content-Type": a.type, "Cache-Control": "no-cache" });
  });

  app.get("/api/studies", (c) => c.json({ studies: studyRows(o.store) }));
  app.get("/api/studies/:id", (c) => {
    const id = checkedId(c.req.param("id"), o.store);
    if (!id) return c.json({ error: "no such study" }, 404);
    return c.json(views.view(id));
  });
  app.post("/api/studies/:id/:action", (c) => {
    if (!tokenMatches(requestToken(c.req.raw.headers, { cookie: false }), o.token)) return c.json({ error: "this action needs the token (X-Enough-Token header)" }, 401);
    const id = checkedId(c.req.param("id"), o.store);
    if (!id) return c.json({ error: "no such study" }, 404);
    const action = c.req.param("action");
    if (action === "cancel") {
      // The study's own process polls its status and stops as on Ctrl-C (finished Runs stay; it can be resumed).
      if (!o.store.requestCancel(id)) return c.json({ error: `the study ${id} is not running` }, 409);
      o.watch.poll(true);
      return c.json({ ok: true, status: "cancelling" });
    }
    if (action === "resume") {
      const { pid, log } = resumeStudy(o.store, id);
      return c.json({ ok: true, pid, log });
    }
    return c.json({ error: "unknown action" }, 404);
  });

  app.get("/api/events", (c) =>
    streamSSE(c, async (stream) => {
      let wake: (() => void) | null = null;
      const queue: { changed: string[]; removed: string[] }[] = [];
      const off = o.watch.on((changed, removed) => {
        for (const id of [...changed, ...removed]) views.forget(id);
        queue.push({ changed, removed });
        wake?.();
      });
      stream.onAbort(() => {
        off();
        wake?.();
      });
      await stream.writeSSE({ event: "hello", data: "{}" });
      while (!stream.aborted) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, (o.keepAliveSeconds ?? 15) * 1000).unref();
        });
        wake = null;
        if (stream.aborted) break;
        if (!queue.length) {
          await stream.write(": keep-alive\n\n");
          continue;
        }
        const batch = queue.splice(0);
        const changed = [...new Set(batch.flatMap((b) => b.changed))];
        const removed = [...new Set(batch.flatMap((b) => b.removed))];
        await stream.writeSSE({ event: "studies", data: JSON.stringify({ changed, removed }) });
      }
      off();
    }),
  );
  return app;
}

function readAllowed(c: Context, token: string): boolean {
  return tokenMatches(requestToken(c.req.raw.headers, { cookie: true }), token);
}

/** The id if it has a study id's shape and the store has it; null otherwise. */
function checkedId(id: string, store: Store): string | null {
  return STUDY_ID.test(id) && store.getStudyStatus(id) !== undefined ? id : null;
}

/** The browser builds of vega, vega-lite and vega-embed from node_modules, and the dashboard's own script. */
function assetTable(): Map<string, { type: string; body: () => string }> {
  const js = "text/javascript; charset=utf-8";
  const fromPackage = (pkg: string, file: string) => {
    let cached: string | null = null;
    return () => (cached ??= readFileSync(join(dirname(fileURLToPath(import.meta.resolve(pkg))), file), "utf8"));
  };
  return new Map([
    ["vega.min.js", { type: js, body: fromPackage("vega", "vega.min.js") }],
    ["vega-lite.min.js", { type: js, body: fromPackage("vega-lite", "vega-lite.min.js") }],
    ["vega-embed.min.js", { type: js, body: fromPackage("vega-embed", "vega-embed.min.js") }],
    ["dashboard.js", { type: js, body: () => CLIENT_JS }],
  ]);
}
