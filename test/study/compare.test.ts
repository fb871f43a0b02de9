import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compare, type CompareEvent } from "../../src/study/compare/compare.js";
import { estimate } from "../../src/study/estimate.js";
import { writeReport } from "../../src/report/index.js";
import type { Executor } from "../../src/study/executor.js";
import type { RunJob, RunOutcome } from "../../src/study/run.js";
import { Store } from "../../src/study/store.js";
import { fakeDeps } from "./fixtures/fake-deps.js";
import { fakeResult } from "./fixtures/fake-run.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-cmp-"));

/**
 * Synthetic capacities: score = A - B n^-0.5 + shared subset noise (the same for every variant at a (size, seed),
 * which is what pairing removes) + a little variant noise. width 0.25 saturates early (A 0.85, B 1), width 4 needs
 * data but goes higher (A 0.95, B 4): they cross at n = 900. width 0.5 with dropout is "bad": below 0.25 everywhere.
 */
const CURVES: Record<string, { A: number; B: number; over: number }> = {
  "0.25": { A: 0.85, B: 1, over: 0.02 },
  "4": { A: 0.95, B: 4, over: 0.3 },
  "0.5": { A: 0.78, B: 1.2, over: 0.02 },
  "1": { A: 0.9, B: 2.2, over: 0.1 },
};
function hashNoise(...xs: number[]): number {
  let h = 2166136261;
  for (const x of xs) h = Math.imul(h ^ Math.round(x * 1000), 16777619);
  return ((h >>> 0) % 10000) / 10000 - 0.5;
}
class CurveExecutor implements Executor {
  readonly kind = "curves";
  readonly threads = 1;
  started: RunJob[] = [];
  constructor(readonly slots = 2) {}
  async run(job: RunJob): Promise<RunOutcome> {
    this.started.push(job);
    await new Promise((r) => setTimeout(r, 1));
    const w = String(job.spec.width ?? 1);
    const c = CURVES[w]!;
    const n = job.subset.size;
    const s = job.subset.seed;
    const shared = 0.03 * hashNoise(n, s);
    const own = 0.004 * hashNoise(n, s, Number(w) * 7 + 1);
    const acc = Math.min(0.999, Math.max(0.1, c.A - c.B * n ** -0.5 + shared + own));
    const train = Math.min(1, acc + c.over * (n / 100) ** -0.35);
    const r = fakeResult(job);
    r.metrics = { test: { loss: 1 - acc, accuracy: acc, n: 1000 }, valid: { loss: 1 - acc, accuracy: acc + own, n: r.nValid }, train: { loss: 1 - train, accuracy: train, n: r.nTrain } };
    r.totalSeconds = r.seconds = 0.001 * n * Number(w);
    r.paramCount = Math.round(1000 * Number(w) ** 2);
    return { ok: true, result: r };
  }
  async close(): Promise<void> {}
}

function collect() {
  const events: CompareEvent[] = [];
  return { events, onEvent: (e: CompareEvent) => events.push(e) };
}

describe("compare: paired design", () => {
  it("runs every variant on the same (size, seed) subsets, re-uses Runs, and writes the report", async () => {
    const dir = tmp();
    const ex = new CurveExecutor(2);
    const c = collect();
    const report = await compare(
      { data: "fake", vary: ["width=0.25,4"], sizes: "100,200,400,800,1600,3200", seeds: 3, target: "accuracy=0.85", store: join(dir, "c.db") },
      { deps: fakeDeps({ executor: () => ex, poolSize: 4000 }), onEvent: c.onEvent },
    );
    // The library call writes nothing but the store; the report layer writes the files.
    expect(readdirSync(dir).filter((f) => !f.startsWith("c.db"))).toEqual([]);
    await writeReport(report, join(dir, "out"));
    // Paired: every (size, seed) was trained by both variants with the same subset, seed and validation share.
    const byKey = new Map<string, RunJob[]>();
    for (const j of ex.started) byKey.set(`${j.subset.size}:${j.subset.seed}`, [...(byKey.get(`${j.subset.size}:${j.subset.seed}`) ?? []), j]);
    expect(byKey.size).toBe(18);
    for (const jobs of byKey.values()) {
      expect(jobs.map((j) => j.spec.width).sort()).toEqual([0.25, 4]);
      const [a, b] = jobs as [RunJob, RunJob];
      expect(a.subset).toEqual(b.subset);
      expect(a.recipe.seed).toBe(b.recipe.seed);
      expect(a.validFraction).toBe(b.validFraction);
      expect(a.fingerprint).toBe(b.fingerprint);
      expect({ ...a.recipe }).toEqual({ ...b.recipe });
    }
    expect(report.variants.map((v) => v.label)).toEqual(["width=0.25", "width=4"]);
    expect(report.variants.every((v) => v.points.length === 6 && v.fit !== null)).toBe(true);
    // Sizes go up rung by rung: no Run of a larger size starts before every Run of a smaller one has.
    const sizes = ex.started.map((j) => j.subset.size);
    expect(sizes).toEqual([...sizes].sort((x, y) => x - y));
    // The crossover at n = 900 is found on the fitted curves and said in words.
    expect(report.frontier.fitted.crossovers).toHaveLength(1);
    const x = report.frontier.fitted.crossovers[0]!;
    expect(x.from).toBe("width=0.25");
    expect(x.to).toBe("width=4");
    expect(x.n).toBeGreaterThan(500);
    expect(x.n).toBeLessThan(1600);
    expect(report.headline).toMatch(/^Below ~[\d,]+ samples use width=0\.25; above ~[\d,]+ use width=4 \(.*paired lead is clear at (\d of 6 sizes|every size)/);
    // Measured frontier: width=0.25 clearly best at 100, width=4 clearly best at 3200 (paired over 3 seeds).
    const m = report.frontier.measured;
    expect(m[0]).toMatchObject({ n: 100, best: "width=0.25", clear: true });
    expect(m.at(-1)).toMatchObject({ n: 3200, best: "width=4", clear: true });
    expect(m.at(-1)!.advantage!.count).toBe(3);
    // Target 0.85: width=0.25 never gets there (asymptote 0.85), width=4 does.
    expect(report.best.leastData?.variant).toBe("width=4");
    // The big model overfits; the diagnosis says so.
    const big = report.variants.find((v) => v.label === "width=4")!;
    expect(big.gap.rows.length).toBe(6);
    expect(big.diagnosis.text).toMatch(/overfits/);
    expect(big.paramCount).toBe(16000);
    expect(report.pruning.dropped).toEqual([]);
    for (const p of Object.values(report.reports!)) expect(existsSync(p)).toBe(true);
    const html = readFileSync(report.reports!.html, "utf8");
    for (const id of ["chart-curves", "chart-frontier", "chart-gap", "chart-time", "variants"]) expect(html).toContain(`id="${id}"`);
    expect(html).not.toContain("<script");
    expect(readFileSync(report.reports!.md, "utf8")).toContain("## Frontier (measured, paired over seeds)");

    const ex2 = new CurveExecutor(2);
    const again = await compare(
      { data: "fake", vary: ["width=0.25,4"], sizes: "100,200,400,800,1600,3200", seeds: 3, target: "accuracy=0.85", store: join(dir, "c.db") },
      { deps: fakeDeps({ executor: () => ex2, poolSize: 4000 }) },
    );
    expect(ex2.started).toHaveLength(0);
    expect(again.runs.every((r) => r.reused)).toBe(true);
    expect(again.studyId).toBe(report.studyId);
    const s = Store.open(join(dir, "c.db"));
    expect(s.studyRuns(report.studyId)).toHaveLength(36);
    s.close();
  });
});

describe("compare: re-use", () => {
  it("re-uses the Runs an estimate of the base model already stored (same subsets, seeds and recipe)", async () => {
    const store = join(tmp(), "c.db");
    const deps = (ex: CurveExecutor) => fakeDeps({ executor: () => ex, poolSize: 4000 });
    await estimate({ data: "fake", sizes: "100,200,400", seeds: 2, store }, { deps: deps(new CurveExecutor()) });
    const ex = new CurveExecutor();
    const report = await compare({ data: "fake", vary: ["width=1,4"], sizes: "100,200,400", seeds: 2, store }, { deps: deps(ex) });
    expect(ex.started.map((j) => j.spec.width)).toEqual(Array(6).fill(4));
    expect(report.variants.find((v) => v.label === "width=1")!.runs).toEqual({ done: 6, failed: 0, reused: 6 });
    expect(report.findings.find((f) => f.id === "evidence")!.text).toMatch(/12 Runs \(6 re-used from the store\)/);
  });
});

describe("compare: pruning", () => {
  it("drops a variant dominated at every size and keeps a competitive one that crosses later", async () => {
    const ex = new CurveExecutor(2);
    const c = collect();
    const report = await compare(
      { data: "fake", vary: ["width=0.25,0.5,4"], sizes: "100,200,400,800,1600,3200", seeds: 3, store: join(tmp(), "c.db") },
      { deps: fakeDeps({ executor: () => ex, poolSize: 4000 }), onEvent: c.onEvent },
    );
    expect(report.pruning.enabled).toBe(true);
    expect(report.pruning.dropped.map((d) => [d.variant, d.by])).toEqual([["width=0.5", "width=0.25"]]);
    const d = report.pruning.dropped[0]!;
    expect(d.atSize).toBe(400);
    // width=4 loses at small n too, but its gap is closing fast: kept, and it wins at the end.
    expect(report.variants.find((v) => v.label === "width=4")!.status).toBe("kept");
    expect(report.frontier.measured.at(-1)!.best).toBe("width=4");
    expect(ex.started.filter((j) => j.spec.width === 0.5).map((j) => j.subset.size)).toEqual([100, 100, 100, 200, 200, 200, 400, 400, 400]);
    expect(report.pruning.runsSaved).toBe(9);
    expect(report.findings.map((f) => f.text).join("\n")).toMatch(/Pruning saved 9 Runs/);
    expect(c.events.filter((e) => e.type === "pruned")).toHaveLength(1);
  });

  it("never prunes with one seed, and says why", async () => {
    const report = await compare(
      { data: "fake", vary: ["width=0.25,0.5"], sizes: "100,200,400,800", seeds: 1, store: join(tmp(), "c.db") },
      { deps: fakeDeps({ executor: () => new CurveExecutor(2), poolSize: 4000 }) },
    );
    expect(report.pruning.dropped).toEqual([]);
    expect(report.pruning.why).toMatch(/at least 2 seeds/);
    expect(report.runs).toHaveLength(8);
  });
});

describe("compare: budget and bad input", () => {
  it("stops before a size that would not fit the budget", async () => {
    const report = await compare(
      { data: "fake", vary: ["width=0.25,4"], sizes: "100,200,400,3900", seeds: 2, budget: 20, store: join(tmp(), "c.db") },
      // 4 s per Run at n=3,900 for width=4 is over the ~10 s left after the reserve.
      { deps: fakeDeps({ executor: () => new SlowExecutor(), poolSize: 4000 }) },
    );
    expect(report.plan.measured).toEqual([100, 200, 400]);
    expect(report.plan.stopReason).toMatch(/does not fit the remaining budget/);
  });

  it("names the axis in typed errors", async () => {
    const deps = fakeDeps({ executor: () => new CurveExecutor() });
    const run = (vary: string[]) => compare({ data: "fake", vary, sizes: "100,200", store: join(tmp(), "c.db") }, { deps });
    await expect(run(["size=1,2"])).rejects.toMatchObject({ code: "BAD_AXIS", message: expect.stringContaining('unknown axis "size"') });
    await expect(run(["width=a,2"])).rejects.toMatchObject({ code: "BAD_AXIS_VALUE", message: expect.stringContaining("--vary width") });
    await expect(run([])).rejects.toMatchObject({ code: "NO_AXIS" });
  });
});

/** Reports made-up times (width x n ms) without waiting them out, so the budget logic is tested without sleeping. */
class SlowExecutor extends CurveExecutor {
  override async run(job: RunJob): Promise<RunOutcome> {
    const o = await super.run(job);
    if (o.ok) o.result.totalSeconds = o.result.seconds = 0.001 * job.subset.size * Number(job.spec.width);
    return o;
  }
}
