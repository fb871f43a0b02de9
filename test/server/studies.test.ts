import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../src/cli/main.js";
import { aggregatePoints, fitCurve } from "../../src/curves/index.js";
import { CancelledError } from "../../src/errors.js";
import { studyRows, studyView } from "../../src/server/views.js";
import { StoreWatch } from "../../src/server/watch.js";
import { compare } from "../../src/study/compare/compare.js";
import { estimate } from "../../src/study/estimate.js";
import { Store } from "../../src/study/store.js";
import { estimateReportOf, readStudy } from "../../src/study/stored.js";
import { strategies } from "../../src/study/strategies/strategies.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-studies-"));
const deps = (o: { sleepMs?: number; slots?: number } = {}) => fakeDeps({ executor: () => new InProcessExecutor(o.slots ?? 2), ...(o.sleepMs ? { spec: { sleepMs: o.sleepMs } } : {}) });

/** Runs the CLI in this process; returns its stdout, stderr and exit code. */
async function cli(...args: string[]): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  const err: string[] = [];
  const o = vi.spyOn(process.stdout, "write").mockImplementation((s) => (out.push(String(s)), true));
  const e = vi.spyOn(process.stderr, "write").mockImplementation((s) => (err.push(String(s)), true));
  process.exitCode = undefined;
  try {
    await main(["node", "enough", ...args]);
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { out: out.join(""), err: err.join(""), code };
}

afterEach(() => vi.restoreAllMocks());

describe("enough studies", () => {
  it("lists, shows, exports (csv, json), re-renders and deletes studies; Runs another study uses stay", async () => {
    const dir = tmp();
    const store = join(dir, "e.db");
    const a = await estimate({ data: "fake", sizes: "100,200,400", seeds: 2, target: "accuracy=0.9", store, cacheRoot: join(dir, "cache") }, { deps: deps() });
    const b = await estimate({ data: "fake", sizes: "200,400,800", seeds: 2, target: "accuracy=0.9", store, cacheRoot: join(dir, "cache") }, { deps: deps() });

    const list = await cli("studies", "list", "--store", store);
    expect(list.code).toBe(0);
    expect(list.out).toContain(a.studyId);
    expect(list.out).toContain(b.studyId);
    expect(list.out).toMatch(/estimate\s+done/);
    const listJson = JSON.parse((await cli("studies", "list", "--store", store, "--json")).out);
    expect(listJson.studies.map((s: { id: string }) => s.id)).toEqual([a.studyId, b.studyId]);
    expect(listJson.studies[0]).toMatchObject({ kind: "estimate", status: "done", runsDone: 6, runsPlanned: 6, target: "accuracy=0.9", answer: a.headline });

    const show = await cli("studies", "show", a.studyId, "--store", store);
    expect(show.out).toContain(a.headline);
    expect(show.out).toContain("Runs (6):");
    expect((await cli("studies", "show", "s000000000000", "--store", store)).err).toContain("NO_STUDY");

    const csv = (await cli("studies", "export", a.studyId, "--store", store, "--format", "csv")).out.trim().split("\n");
    expect(csv).toHaveLength(7);
    const header = csv[0]!.split(",");
    expect(header).toEqual(expect.arrayContaining(["id", "status", "size", "seed", "worker", "test_accuracy", "valid_loss", "spec", "recipe"]));
    // The reason holds a comma: quoted, so every line still has the header's cell count outside quotes.
    expect(csv[1]).toMatch(/"planned: n=\d+, seed \d"/);
    const json = JSON.parse((await cli("studies", "export", a.studyId, "--store", store, "--format", "json")).out);
    expect(json).toHaveLength(6);
    expect(json[0]).toMatchObject({ status: "done", worker: "local", scores: { test_accuracy: expect.any(Number) }, inputs: { spec: { family: "fake" } } });
    expect((await cli("studies", "export", a.studyId, "--store", store, "--format", "xml")).err).toContain("BAD_FORMAT");

    const out = join(dir, "rep");
    expect((await cli("studies", "report", b.studyId, "--store", store, "--out", out)).code).toBe(0);
    const rerendered = JSON.parse(readFileSync(join(out, "report.json"), "utf8"));
    expect(rerendered.headline).toBe(b.headline);
    expect(rerendered.points).toEqual(b.points);
    expect(readFileSync(join(out, "report.html"), "utf8")).toContain("<svg");

    // Without a terminal and without --yes, nothing is deleted.
    const refused = await cli("studies", "delete", a.studyId, "--store", store);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain("CONFIRM_NEEDED");
    const del = await cli("studies", "delete", a.studyId, "--store", store, "--yes");
    expect(del.out).toContain("2 Runs removed, 4 kept");
    const s = Store.open(store);
    expect(s.getStudy(a.studyId)).toBeUndefined();
    const bRuns = s.studyRuns(b.studyId);
    expect(bRuns.filter((r) => r.status === "done")).toHaveLength(6);
    // n=100 belonged to the deleted study only: gone; n=200 and 400 are b's too: kept.
    expect(a.runs.filter((r) => r.size === 100).map((r) => s.getRun(r.id))).toEqual([undefined, undefined]);
    expect(a.runs.filter((r) => r.size !== 100).every((r) => s.getRun(r.id)?.status === "done")).toBe(true);
    s.close();
  });

  it("an estimate fitted again from its stored Runs answers as the study did", async () => {
    const dir = tmp();
    const store = join(dir, "e.db");
    const r = await estimate({ data: "fake", sizes: "100,200,400,800", seeds: 2, target: "accuracy=0.9", store, cacheRoot: join(dir, "cache") }, { deps: deps() });
    const s = Store.open(store);
    const stored = readStudy(s, r.studyId);
    s.close();
    expect(stored.facts).toMatchObject({ poolSize: 4000, task: "classification", metric: "accuracy", direction: "up" });
    expect((stored.result as { headline: string }).headline).toBe(r.headline);
    const refit = estimateReportOf({ ...stored, result: null, record: { ...stored.record, status: "cancelled" } }, { fitCurve: (p, o) => fitCurve(p, { ...o, bootstrap: 40 }), aggregate: aggregatePoints })!;
    expect(refit.status).toBe("partial");
    expect(refit.points).toEqual(r.points);
    expect(refit.data.poolSize).toBe(r.data.poolSize);
    expect(refit.samplesForTarget!.mean).toBeCloseTo(r.samplesForTarget!.mean, 6);
    expect(refit.headline).toBe(r.headline);
  });

  it("a cancel asked for through the store stops a study running elsewhere; finished Runs stay", async () => {
    const dir = tmp();
    const store = join(dir, "e.db");
    const running = estimate({ data: "fake", sizes: "100,200,300,400,500,600,700,800", seeds: 2, store, cacheRoot: join(dir, "cache") }, { deps: deps({ sleepMs: 150, slots: 1 }) });
    const other = Store.open(store, { owner: "dashboard:1" });
    const watch = new StoreWatch(other, 20);
    const seen: string[][] = [];
    watch.on((changed) => seen.push(changed));
    let id: string | undefined;
    for (let i = 0; i < 200 && !id; i++) {
      await new Promise((r) => setTimeout(r, 25));
      id = other.studyCounts().find((c) => c.done >= 1)?.id;
    }
    expect(id).toBeDefined();
    watch.poll();
    expect(seen.flat()).toContain(id);
    expect(other.requestCancel(id!)).toBe(true);
    await expect(running).rejects.toBeInstanceOf(CancelledError);
    expect(other.getStudyStatus(id!)).toBe("cancelled");
    const done = other.studyRuns(id!).filter((r) => r.status === "done").length;
    expect(done).toBeGreaterThanOrEqual(1);
    expect(done).toBeLessThan(16);
    expect(other.requestCancel(id!)).toBe(false);
    watch.stop();
    other.close();
  });
});

describe("dashboard views of compare and strategies studies", () => {
  it("a finished study shows its report's charts and table; while it runs, its Runs per variant or lever", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-views-"));
    const store = join(dir, "v.db");
    const deps = () => fakeDeps({ executor: () => new InProcessExecutor(2) });
    const c = await compare({ data: "fake", vary: ["width=1,4"], sizes: "100,200,400", seeds: 2, store, cacheRoot: join(dir, "cache") }, { deps: deps() });
    const s = await strategies({ data: "fake", sizes: "100,200,400", seeds: 2, store, cacheRoot: join(dir, "cache"), bootstrap: 40, try: ["augment"] }, { deps: deps() });
    const db = Store.open(store);
    const rows = studyRows(db);
    expect(rows.map((r) => r.kind)).toEqual(["compare", "strategies"]);
    expect(rows[0]).toMatchObject({ status: "done", runsPlanned: 12, answer: c.headline });
    expect(rows[1]).toMatchObject({ runsPlanned: null, answer: s.headline });
    const counts = new Map(db.studyCounts().map((x) => [x.id, x]));

    const cs = readStudy(db, c.studyId);
    const cv = studyView(cs, counts.get(c.studyId)!);
    expect(cv.headline).toBe(c.headline);
    expect(cv.charts.length).toBeGreaterThan(0);
    expect(cv.tables[0]!.rows.length).toBe(2);
    expect(cv.reports).toBe(true);
    const ss = readStudy(db, s.studyId);
    const sv = studyView(ss, counts.get(s.studyId)!);
    expect(sv.tables[0]!.title).toMatch(/multiplier/);
    expect(sv.tables[0]!.rows.map((r) => Object.values(r).join(" ")).join("\n")).toContain("augment");

    // The same studies as they look mid-way: no result yet, the Runs so far grouped by what they belong to.
    const running = (x: typeof cs) => ({ ...x, result: null, record: { ...x.record, status: "running" as const } });
    const cr = studyView(running(cs), counts.get(c.studyId)!);
    expect(cr).toMatchObject({ partial: true, reports: false, headline: null });
    expect(cr.note).toMatch(/report is written when it finishes/);
    const spec = cr.charts[0]!.spec as { data: { values: { label: string }[] } };
    expect(new Set(spec.data.values.map((p) => p.label)).size).toBe(2);
    const sr = studyView(running(ss), counts.get(s.studyId)!);
    // Strategies show validation scores only: a search trial's test score is never read before the choice.
    expect(JSON.stringify(sr.charts[0]!.spec)).toContain("validation accuracy");
    expect(sr.runs.every((r) => r.score === null || r.score === ss.runs.find((x) => x.id === r.id)!.result!.metrics.valid!.accuracy)).toBe(true);
    db.close();
  });
});
