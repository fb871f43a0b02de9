import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { studyRows, studyView } from "../../src/server/views.js";
import { compare } from "../../src/study/compare/compare.js";
import { Store } from "../../src/study/store.js";
import { readStudy } from "../../src/study/stored.js";
import { strategies } from "../../src/study/strategies/strategies.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";

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
