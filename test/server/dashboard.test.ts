/**
 * The dashboard in a real Chromium (playwright-core + Debian's /usr/bin/chromium, headless): pages load without
 * console errors and escape user data; a study running in another process (the real CLI, a small MLP) shows up live
 * over SSE; off localhost the token is required; report links cannot reach outside the store. Screenshots go to
 * test-artifacts/.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startServer, type RunningServer } from "../../src/server/index.js";
import { estimate } from "../../src/study/estimate.js";
import { Store } from "../../src/study/store.js";
import { engineBuilt, writeLearnableCsv } from "../cli/fixtures/env.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";

const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));
const BIN = join(import.meta.dirname, "../../bin/enough");
const ARTIFACTS = join(import.meta.dirname, "../../test-artifacts");
const HOSTILE = `<img src=x onerror="window.__xss=1">.csv`;

let dir: string;
let store: string;
let browser: Browser;
let server: RunningServer;
let studyId: string;
const pending: Promise<unknown>[] = [];
let liveStudy: { child: ChildProcess; store: string; exited: Promise<unknown> } | undefined;

/** A page that records console errors and uncaught exceptions. */
async function watchedPage(): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => void (m.type() === "error" && errors.push(m.text())));
  page.on("pageerror", (e) => errors.push(String(e)));
  // No CDN: every request goes to the dashboard itself (the page works offline).
  page.on("request", (r) => void (!r.url().startsWith("http://127.0.0.1:") && errors.push(`off-site request: ${r.url()}`)));
  return { page, errors };
}

/** GET with the path sent as written (fetch would normalise "..").  */
function rawGet(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: "127.0.0.1", port, path, headers }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => ok({ status: res.statusCode!, body }));
    });
    req.on("error", fail);
    req.end();
  });
}
const portOf = (s: RunningServer) => Number(new URL(s.url).port);

// Needs Debian's chromium (the CI setup installs it); skipped where it is absent.
describe.skipIf(!CHROMIUM)("enough serve in a browser", () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), "enough-serve-"));
    store = join(dir, "e.db");
    // The live test's study starts first, in its own process (the built CLI, as its workers are: dist/), so that
    // its start (data, worker processes loading libtorch) overlaps the first test. 42 Runs of a small MLP: more than
    // the test waits for on a quiet machine (it stops the study when it has seen a point arrive).
    if (engineBuilt) {
      const csv = join(dir, "small.csv");
      writeLearnableCsv(csv, 2000);
      const live = join(dir, "live.db");
      const args = [BIN, "estimate", "--data", csv, "--target-column", "label", "--target", "accuracy=0.85", "--model", "mlp:width=0.25", "--sizes", "100,150,200,250,300,350,400,450,500,600,700,800,900,1000", "--seeds", "3", "--jobs", "1", "--store", live, "--out", join(dir, "live-report"), "--json"];
      const child = spawn(process.execPath, args, { cwd: dir, env: { ...process.env, ENOUGH_THREADS: "1" }, stdio: "ignore" });
      liveStudy = { child, store: live, exited: new Promise((r) => child.on("exit", r)) };
    }
    // A finished study whose data name is HTML: the pages must show it as text.
    const r = await estimate({ data: HOSTILE, sizes: "100,200,400,800", seeds: 2, target: "accuracy=0.9", store, cacheRoot: join(dir, "cache") }, { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) });
    studyId = r.studyId;
    server = await startServer({ store, port: 0, pollMs: 100 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  });
  afterAll(async () => {
    if (liveStudy && !pending.includes(liveStudy.exited)) {
      liveStudy.child.kill("SIGINT");
      pending.push(liveStudy.exited);
    }
    await Promise.all(pending);
    await browser?.close();
    await server?.close();
  });

  it("the list and a study page load without console errors, with user data shown as text", async () => {
    const { page, errors } = await watchedPage();
    await page.goto(server.url);
    await page.waitForSelector("#app[data-ready]");
    await expect.poll(() => page.locator("#live").textContent(), { timeout: 10_000 }).toBe("live");
    expect(await page.locator("main table").innerText()).toContain(HOSTILE);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-list.png") });
    await page.click(`a[href="/study/${studyId}"]`);
    await page.waitForSelector("#chart-learning-curve svg");
    await page.waitForSelector("#chart-gap svg");
    expect(await page.locator("#headline").innerText()).toMatch(/accuracy 0\.900/);
    expect(await page.locator("main").innerText()).toContain(HOSTILE);
    expect(await page.locator("main img").count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).toBeUndefined();
    // Read-only without the token: no action buttons.
    expect(await page.locator(".actions button").count()).toBe(0);
    await page.screenshot({ path: join(ARTIFACTS, "dashboard-study.png"), fullPage: true });
    const report = await page.goto(`${server.url}study/${studyId}/report.html`);
    expect(report!.status()).toBe(200);
    expect(await page.locator("svg").count()).toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await page.close();
  });

  it.skipIf(!engineBuilt)("while a study runs in another process, its curve gains points over SSE without a reload", async () => {
    expect(liveStudy).toBeDefined();
    const { store: live, exited } = liveStudy!;
    const liveServer = await startServer({ store: live, port: 0, pollMs: 100, token: "a-test-token-of-some-length" });
    try {
      let id: string | undefined;
      const s = Store.open(live);
      for (let i = 0; i < 1200 && !id; i++) {
        await new Promise((r) => setTimeout(r, 50));
        id = s.listStudies()[0]?.id;
      }
      s.close();
      expect(id).toBeDefined();
      const { page, errors } = await watchedPage();
      await page.goto(`${liveServer.url}study/${id}`);
      await page.waitForSelector("#app[data-ready]");
      await page.evaluate(() => ((globalThis as unknown as { __same: boolean }).__same = true));
      const points = () => page.locator("#chart-learning-curve g.mark-symbol path").count();
      const doneRows = () => page.locator("main table tbody tr", { hasText: /^done/ }).count();
      await page.waitForSelector("#chart-learning-curve svg", { timeout: 60_000 });
      const first = await points();
      const firstRows = await doneRows();
      expect(first).toBeGreaterThan(0);
      // The next finished Run arrives within a few seconds (a Run here takes about a second).
      await expect.poll(points, { timeout: 20_000, interval: 100 }).toBeGreaterThan(first);
      expect(await doneRows()).toBeGreaterThan(firstRows);
      expect(await page.locator("#status").innerText()).toMatch(/running|done/);
      expect(await page.evaluate(() => (globalThis as unknown as { __same?: boolean }).__same)).toBe(true);
      await page.screenshot({ path: join(ARTIFACTS, "dashboard-live.png"), fullPage: true });
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      // The study stops as on Ctrl-C; its workers' shutdown is awaited in afterAll, behind the next tests.
      liveStudy!.child.kill("SIGINT");
      pending.push(exited);
      await liveServer.close();
    }
  });

  it("off localhost every request needs the token; actions need it in a header", async () => {
    const open = await startServer({ store, port: 0, host: "0.0.0.0" });
    try {
      expect(open.loopback).toBe(false);
      expect(open.tokenGenerated).toBe(true);
      const port = portOf(open);
      expect((await rawGet(port, "/")).status).toBe(401);
      expect((await rawGet(port, "/api/studies")).status).toBe(401);
      expect((await rawGet(port, "/api/events")).status).toBe(401);
      expect((await rawGet(port, "/api/studies", { Authorization: "Bearer wrong-token-wrong-token" })).status).toBe(401);
      const ok = await rawGet(port, "/api/studies", { Authorization: `Bearer ${open.token}` });
      expect(ok.status).toBe(200);
      expect(JSON.parse(ok.body).studies[0].id).toBe(studyId);
      // A browser opens the address with ?token= once: the token becomes a cookie and leaves the address bar.
      const { page, errors } = await watchedPage();
      await page.goto(`http://127.0.0.1:${port}/study/${studyId}?token=${encodeURIComponent(open.token)}`);
      expect(page.url()).toBe(`http://127.0.0.1:${port}/study/${studyId}`);
      await page.waitForSelector("#chart-learning-curve svg");
      expect(errors).toEqual([]);
      // The cookie alone does not act (another site could make the browser send it).
      const viaCookie = await page.evaluate(async (id) => (await fetch(`/api/studies/${id}/cancel`, { method: "POST" })).status, studyId);
      expect(viaCookie).toBe(401);
      await page.close();
      const done = await fetch(`http://127.0.0.1:${port}/api/studies/${studyId}/cancel`, { method: "POST", headers: { "X-Enough-Token": open.token } });
      expect(done.status).toBe(409); // the study is done: nothing to cancel, but the token was accepted
      const resume = await fetch(`http://127.0.0.1:${port}/api/studies/${studyId}/resume`, { method: "POST", headers: { "X-Enough-Token": open.token } });
      expect(resume.status).toBe(400);
      expect(await resume.json()).toMatchObject({ code: "NOT_RESUMABLE" });
    } finally {
      await open.close();
    }
  });

  it("report links and assets cannot reach files outside the store; a foreign Host is refused", async () => {
    const port = portOf(server);
    for (const path of [
      `/study/${studyId}/../../../../etc/passwd`,
      `/study/..%2F..%2F..%2F..%2Fetc%2Fpasswd/report.json`,
      `/study/${studyId}/..%2F..%2Fpackage.json`,
      `/study/${studyId}/%2e%2e%2f%2e%2e%2fpackage.json`,
      `/assets/..%2F..%2Fpackage.json`,
      `/assets/../../package.json`,
      `/study/${studyId}/report.exe`,
    ]) {
      const r = await rawGet(port, path);
      expect(r.status, path).toBe(404);
      expect(r.body).not.toMatch(/root:|"name": "enough"|devDependencies/);
    }
    expect((await rawGet(port, `/study/${studyId}/report.json`)).status).toBe(200);
    expect((await rawGet(port, "/", { Host: "attacker.example:80" })).status).toBe(403);
  });
});
