import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { estimate } from "../../src/study/estimate.js";
import { writeReport } from "../../src/report/index.js";
import { strategies } from "../../src/study/strategies/strategies.js";
import { writeStrategiesReport } from "../../src/report/strategies.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";

const chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((p) => existsSync(p));

// Needs Debian's chromium (the CI setup installs it); skipped where it is absent.
describe.skipIf(!chromium)("report.html in a real browser", () => {
  it("opens offline with no console errors and shows its charts (screenshot)", async () => {
    const { chromium: pw } = await import("playwright-core");
    const out = mkdtempSync(join(tmpdir(), "enough-browser-"));
    const report = await estimate(
      { data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target: "accuracy=0.92", store: join(out, "e.db") },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
    );
    await writeReport(report, out);
    const browser = await pw.launch({
      executablePath: chromium,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
    });
    try {
      const context = await browser.newContext({ offline: true, viewport: { width: 1100, height: 900 } });
      const page = await context.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("request", (r) => !r.url().startsWith("file:") && requests.push(r.url()));
      await page.goto(pathToFileURL(report.reports!.html).href);
      expect(await page.locator("#answer .headline").textContent()).toBe(report.headline);
      const charts = page.locator("figure.chart svg");
      expect(await charts.count()).toBe(3);
      const box = await charts.first().boundingBox();
      expect(box!.width).toBeGreaterThan(300);
      expect(await page.locator("#chart-learning-curve svg path").count()).toBeGreaterThan(3);
      const shot = join(out, "report.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(20_000);
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });

  it("the strategies report opens offline with its curves and forest plot", async () => {
    const { chromium: pw } = await import("playwright-core");
    const out = mkdtempSync(join(tmpdir(), "enough-browser-st-"));
    const r = await strategies(
      { data: "fake", sizes: "100,200,400,800", seeds: 2, target: "accuracy=0.85", store: join(out, "s.db"), bootstrap: 30, try: ["ensemble:k=2", "augment:policy=none"] },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
    );
    await writeStrategiesReport(r, out);
    const browser = await pw.launch({ executablePath: chromium, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
    try {
      const page = await (await browser.newContext({ offline: true })).newPage();
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(String(e)));
      page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
      await page.goto(pathToFileURL(r.reports!.html).href);
      expect(await page.locator("#answer .headline").textContent()).toBe(r.headline);
      expect(await page.locator("#chart-curves svg").count()).toBe(1);
      expect(await page.locator("#chart-forest svg").count()).toBe(1);
      expect(await page.locator("#levers tr").count()).toBe(4); // header, the baseline's row, two levers
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
