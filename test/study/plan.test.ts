/**
 * estimate --plan on a simulated task where one class (and one group) is the bottleneck: per-class recall curves
 * r_c(n_c) = a_c - b_c n_c^-0.5 with class "hard" slow to learn; each Run's per-row test outcome is drawn from them.
 * The plan must collect mostly "hard", need fewer samples than collecting in the pool's proportions, and say that
 * "hard" needs several times the samples of an easy class for the same recall.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fitCurve } from "../../src/curves/index.js";
import { collectionPlan, correctBits, readBits, unitRuns } from "../../src/study/plan/index.js";
import { allocate, proportional } from "../../src/study/plan/allocate.js";
import { dataNeeds } from "../../src/study/plan/needs.js";
import { estimate } from "../../src/study/estimate.js";
import { jsonSummary, plainAnswer } from "../../src/cli/commands/estimate.js";
import { writeReport } from "../../src/report/index.js";
import type { Dataset } from "../../src/data/types.js";
import type { Executor } from "../../src/study/executor.js";
import type { RunJob, RunOutcome } from "../../src/study/run.js";
import { rngFor } from "../../src/rng.js";
import { Store } from "../../src/study/store.js";
import { estimateReportOf, readStudy } from "../../src/study/stored.js";
import { fakeDeps } from "./fixtures/fake-deps.js";
import { fakeResult } from "./fixtures/fake-run.js";

const NAMES = ["easy-a", "easy-b", "hard", "easy-c"];
const CURVE = [
  { a: 0.98, b: 1.0 },
  { a: 0.97, b: 1.2 },
  { a: 0.97, b: 6.0 },
  { a: 0.98, b: 0.8 },
];
const POOL = 8000;
const TEST = 4000;

/** 4 equal classes; a group column "site" where site B's rows are all of the hard class's rows plus a few others. */
function dataset(): Dataset {
  const n = POOL + TEST;
  const y = Int32Array.from({ length: n }, (_, i) => i % 4);
  const site = Int32Array.from({ length: n }, (_, i) => (i % 4 === 2 || i % 16 === 1 ? 1 : 0));
  return {
    fingerprint: "plan-sim",
    source: "sim:plan",
    schema: { kind: "tabular", task: "classification", target: "label", columns: [], groups: ["site"], classes: NAMES },
    tensors: { task: "classification", numClasses: 4, n, x: new Float32Array(n), xShape: [1], xKind: "dense", y },
    split: { test: Int32Array.from({ length: TEST }, (_, i) => POOL + i), pool: Int32Array.from({ length: POOL }, (_, i) => i) },
    groups: { site: { labels: ["A", "B"], codes: site } },
    report: { file: "sim", rowsRead: n, rowsKept: n, rowsSkipped: 0, skipped: [], warnings: [] },
    cacheDir: "/sim-cache",
  };
}

/**
 * A Run's test outcome on the simulated task: row i right with its class's recall at the class's count (the
 * composition's, for a check Run). `coupling`: the other classes lose that much recall per unit of the hard class's
 * excess share over its pool share (a model pulled toward an over-sampled class), which the per-class curves ignore.
 */
function simulatedBits(ds: Dataset, size: number, seed: number, composition?: number[], coupling = 0): string {
  const rand = rngFor(seed * 7919 + size + (composition?.[2] ?? 0), "sim-bits");
  const y = ds.tensors.y as Int32Array;
  const probs = new Float32Array(TEST * 4);
  const excess = composition ? composition[2]! / size - 0.25 : 0;
  ds.split.test.forEach((r, i) => {
    const c = y[r]!;
    const nc = composition ? composition[c]! : size / 4;
    const pull = c === 2 ? 0 : coupling * excess;
    const right = rand() < CURVE[c]!.a - CURVE[c]!.b * Math.pow(nc, -0.5) - pull;
    probs[i * 4 + (right ? c : (c + 1) % 4)] = 1;
  });
  return correctBits(probs, y, ds.split.test, 4);
}

class SimExecutor implements Executor {
  readonly kind = "in-process";
  readonly threads = 1;
  readonly slots = 2;
  readonly jobs: RunJob[] = [];
  constructor(
    private ds: Dataset,
    private coupling = 0,
    /** Seconds a Run reports per row (the planner's time model reads them; nothing waits). */
    private secondsPerRow?: number,
  ) {}
  async run(job: RunJob): Promise<RunOutcome> {
    this.jobs.push(job);
    const result = fakeResult(job);
    result.testCorrect = simulatedBits(this.ds, job.subset.size, job.subset.seed, job.subset.composition, this.coupling);
    if (this.secondsPerRow !== undefined) result.seconds = result.totalSeconds = this.secondsPerRow * job.subset.size;
    const bits = readBits(result.testCorrect, TEST)!;
    result.metrics.test.accuracy = bits.reduce((a, b) => a + b, 0) / TEST;
    return { ok: true, result };
  }
  async close(): Promise<void> {}
}

describe("collection plan pieces", () => {
  it("bits round-trip, in the test split's order", () => {
    const labels = Int32Array.from([0, 1, 1, 0, 2, 2, 1, 0, 0, 2]);
    const rows = Int32Array.from([9, 3, 4, 0, 7, 1, 2, 5, 6]);
    const probs = new Float32Array(rows.length * 3);
    rows.forEach((r, i) => (probs[i * 3 + (i % 2 ? labels[r]! : (labels[r]! + 1) % 3)] = 0.9));
    expect(Array.from(readBits(correctBits(probs, labels, rows, 3), rows.length)!)).toEqual(Array.from(rows, (_, i) => i % 2));
    expect(readBits(correctBits(probs, labels, rows, 3), 30)).toBeNull();
  });

  it("the greedy collects where the marginal gain per sample is largest and beats the pool's proportions", () => {
    const units = CURVE.map((c) => ({ score: (n: number) => c.a - c.b * Math.pow(n, -0.5), weight: 0.25, have: 500 }));
    const a = allocate(units, 0.95);
    expect(a.reached).toBe(true);
    expect(a.extra[2]).toBeGreaterThan(Math.max(a.extra[0]!, a.extra[1]!, a.extra[3]!) * 3);
    const p = proportional(units, 0.95);
    expect(p.reached).toBe(true);
    expect(p.total).toBeGreaterThan(a.total);
    // Out of reach: the curves level off below the target.
    expect(allocate(units, 0.99).reached).toBe(false);
  });
});

describe("data needs", () => {
  it("two groups measured over the same counts: B needs about (b_B / b_A)^2 the samples of A for the same accuracy", () => {
    // s(n) = 0.95 - b n^-0.5: for the level L, n = (b / (0.95 - L))^2, so n_B / n_A = (b_B / b_A)^2 = 4 for b 1.5 vs 3.
    const info = { name: "accuracy", direction: "up" as const, lower: 0, upper: 1 };
    const pts = (b: number) => [100, 200, 400, 800, 1600].flatMap((n) => [0, 1, 2].map((seed) => ({ n, seed, score: 0.95 - b * Math.pow(n, -0.5) + 0.003 * (seed - 1) })));
    const a = fitCurve(pts(1.5), { metric: info, seed: 1, bootstrap: 40 });
    const b = fitCurve(pts(3), { metric: info, seed: 1, bootstrap: 40 });
    // The level: B's score at its largest count (0.875); A reaches it at n = 400, inside its measured counts.
    const d = dataNeeds([{ name: "A", fit: a, minN: 100 }, { name: "B", fit: b, minN: 100 }], 0.95 - 3 / 40)!;
    expect(d.reference).toBe("A");
    const rb = d.rows.find((r) => r.name === "B")!.ratio!;
    expect(rb.kind).toBe("estimate");
    expect(rb.mean).toBeGreaterThan(3);
    expect(rb.mean).toBeLessThan(5);
    expect(rb.lo).toBeLessThanOrEqual(rb.mean);
    expect(rb.hi).toBeGreaterThanOrEqual(rb.mean);
  });
});

describe("estimate --plan (simulated task, one class is the bottleneck)", () => {
  it("picks the bottleneck class and group, with the plan's predicted score and the per-group data needs", async () => {
    const ds = dataset();
    const dir = mkdtempSync(join(tmpdir(), "enough-plan-"));
    const deps = { ...fakeDeps(), loadDataset: async () => ds, createExecutor: () => new SimExecutor(ds), planSizes: () => [200, 400, 800, 1600, 3200] };
    const report = await estimate({ data: "sim", sizes: "200,400,800,1600,3200", seeds: 3, target: "accuracy=0.94", store: join(dir, "e.db"), plan: true, bootstrap: 40 }, { deps });
    const p = report.collectionPlan!;
    const cls = p.classes;
    console.log(plainAnswer(report));
    expect(cls.runs).toEqual({ used: 15, missing: 0 });
    expect(cls.units[0]!.name).toBe("hard");
    expect(cls.plan!.reached).toBe(true);
    const hard = cls.units.find((u) => u.name === "hard")!;
    const others = cls.units.filter((u) => u.name !== "hard");
    expect(hard.collect!).toBeGreaterThan(0.7 * cls.plan!.total);
    expect(others.every((u) => u.collect! < hard.collect!)).toBe(true);
    expect(cls.plan!.predicted.mean).toBeGreaterThanOrEqual(0.94);
    expect(cls.plan!.predicted.lo).toBeLessThan(cls.plan!.predicted.mean);
    expect(cls.proportional!.total).toBeGreaterThan(cls.plan!.total);
    // The hard class needs several times the samples of the easiest for the same recall, with an interval off 1.
    // (True need at the hard class's recall at n=3,200, 0.768: 880 of its samples; the easy classes were past it at
    // their smallest measured count, 50, which bounds their need: "at least" 880 / 50 = 17.6x.)
    const need = cls.needs!.rows.find((r) => r.name === "hard")!;
    expect(need.ratio!.kind).toBe("at least");
    expect(need.ratio!.mean).toBeGreaterThan(8);
    expect(need.ratio!.mean).toBeLessThan(40);
    expect(need.ratio!.lo).toBeGreaterThan(3);
    expect(cls.sentences.join(" ")).toMatch(/hard needs at least [\d.]+x the samples of easy-/);
    // The per-class curves add up to the overall curve at the pool.
    expect(Math.abs(cls.overallAtPool!.mean - report.forecast.scoreAtHave!.mean)).toBeLessThan(0.02);
    // By group: site B (mostly the hard class) is the one to collect more of.
    const site = p.groups[0]!;
    expect(site.by).toBe("site");
    expect(site.units[0]!.name).toBe("B");
    expect(site.needs!.rows.find((r) => r.name === "B")!.ratio!.mean).toBeGreaterThan(1.5);
    // JSON and report sections.
    expect((jsonSummary(report) as { plan: unknown }).plan).toBe(p);
    expect(plainAnswer(report)).toMatch(/Collection plan by class:\n  - Collect more of: hard/);
    await writeReport(report, join(dir, "r"));
    expect(readFileSync(join(dir, "r", "report.md"), "utf8")).toContain("## Collection plan by site");
    expect(readFileSync(join(dir, "r", "report.html"), "utf8")).toContain('id="plan-0"');
  }, 60_000);

  it("the check Run over-samples the bottleneck class and measures its recall rising as its curve predicts", async () => {
    const ds = dataset();
    const dir = mkdtempSync(join(tmpdir(), "enough-plan-check-"));
    const ex = new SimExecutor(ds);
    const deps = { ...fakeDeps(), loadDataset: async () => ds, createExecutor: () => ex, planSizes: () => [200, 400, 800, 1600, 3200] };
    const report = await estimate({ data: "sim", sizes: "200,400,800,1600,3200", seeds: 3, target: "accuracy=0.94", store: join(dir, "e.db"), plan: true, bootstrap: 40 }, { deps });
    const c = report.collectionPlan!.classes.check!;
    expect(c.status).toBe("measured");
    expect(c.class).toBe("hard");
    // The largest measured size below the pool (3,200: 800 rows of hard, 2,000 in the pool) over-sampled 2.5x.
    expect(c).toMatchObject({ base: 3200, count: { ordinary: 800, oversampled: 2000 }, size: 4400, seeds: [0, 1, 2] });
    const composed = ex.jobs.filter((j) => j.subset.composition);
    expect(composed.map((j) => j.subset.composition)).toEqual([0, 1, 2].map(() => [800, 800, 2000, 800]));
    // Hard's recall: 0.97 - 6 n^-0.5 goes from 0.758 at 800 to 0.836 at 2,000; measured on its 1,000 test rows.
    expect(c.recall!.measured.mean - c.recall!.ordinary!).toBeGreaterThan(0.05);
    expect(c.recall!.measured.mean).toBeGreaterThan(0.81);
    // The other classes' counts did not change, nor (in this simulation) their recall.
    expect(Math.abs(c.others!.measured.mean - c.others!.ordinary!)).toBeLessThan(0.02);
    // Paired by seed: hard's gain is its curve's (0.078 true), the others' is none.
    expect(c.recall!.change!.measured.mean).toBeGreaterThan(0.05);
    expect(c.recall!.change!.agrees && c.others!.change!.agrees).toBe(true);
    expect(c.held).toBe(true);
    expect(c.overall!.measured.mean).toBeGreaterThan(c.overall!.ordinary!);
    // This invocation's time includes the check Runs (timing is taken before the plan, then brought up to date).
    const own = report.runs.filter((r) => !r.reused && r.status === "done").reduce((a, r) => a + r.totalSeconds!, 0);
    expect(report.timing.runSeconds).toBeCloseTo(own + c.runSeconds, 6);
    const text = plainAnswer(report);
    expect(text).toMatch(/Check of the plan's assumption \(a class's recall depends on its own count\): trained n=3,200 with hard over-sampled 2\.5x/);
    expect(text).toMatch(/The assumption held here/);
    expect((jsonSummary(report) as { plan: { classes: { check: unknown } } }).plan.classes.check).toBe(c);
    // Read back from the store (a study not finished is fitted again from its Runs): the check Runs are no points.
    const store = Store.open(join(dir, "e.db"));
    store.setStudyStatus(report.studyId, "cancelled");
    const stored = readStudy(store, report.studyId);
    expect(stored.runs.filter((r) => r.inputs.composition).map((r) => r.reason)).toEqual([0, 1, 2].map((seed) => `plan check: n=3,200 with hard over-sampled 2.5x (4,400 rows), seed ${seed}`));
    expect(estimateReportOf(stored, { fitCurve, aggregate: fakeDeps().aggregate })!.runs).toHaveLength(15);
    store.close();
  }, 60_000);

  it("when over-sampling a class costs the others recall, the check says the assumption did not hold", async () => {
    const ds = dataset();
    const dir = mkdtempSync(join(tmpdir(), "enough-plan-check-"));
    const deps = { ...fakeDeps(), loadDataset: async () => ds, createExecutor: () => new SimExecutor(ds, 0.6), planSizes: () => [200, 400, 800, 1600, 3200] };
    const report = await estimate({ data: "sim", sizes: "200,400,800,1600,3200", seeds: 3, target: "accuracy=0.94", store: join(dir, "e.db"), plan: true, bootstrap: 40 }, { deps });
    const c = report.collectionPlan!.classes.check!;
    expect(c.held).toBe(false);
    expect(c.others!.inside).toBe(false);
    expect(c.others!.measured.hi).toBeLessThan(c.others!.predicted.lo);
    expect(c.others!.change!.agrees).toBe(false);
    expect(c.others!.change!.measured.hi).toBeLessThan(-0.1);
    expect(c.sentences.join(" ")).toMatch(/did not hold here: the other classes lost recall when hard was over-sampled/);
    // Asked not to train it, the study names the Runs that would check it and their time.
    const off = await estimate({ data: "sim", sizes: "200,400,800,1600,3200", seeds: 3, target: "accuracy=0.94", store: join(dir, "e.db"), plan: true, planCheck: false, bootstrap: 40 }, { deps });
    const o = off.collectionPlan!.classes.check!;
    expect(o).toMatchObject({ status: "not run", held: null, recall: null, base: 3200 });
    expect(o.predictedSeconds).toBeGreaterThan(0);
    expect(o.sentences[0]).toMatch(/not run \(turned off with --no-plan-check\): it would train n=3,200 with hard over-sampled 2\.5x .* about \d+ s of Runs/);
  }, 60_000);

  it("when the budget left cannot hold the check Runs, it names them and their time instead of training them", async () => {
    const ds = dataset();
    const dir = mkdtempSync(join(tmpdir(), "enough-plan-check-"));
    // Runs report 0.05 s per row: the largest curve Run 160 s (fits a 260 s budget with its margin); the check's three
    // Runs of 4,400 rows about 220 s each on 2 slots, 330 s: more than the ~250 s left.
    const ex = new SimExecutor(ds, 0, 0.05);
    const deps = { ...fakeDeps(), loadDataset: async () => ds, createExecutor: () => ex, planSizes: () => [200, 400, 800, 1600, 3200] };
    const report = await estimate({ data: "sim", sizes: "200,400,800,1600,3200", seeds: 3, budget: "260s", target: "accuracy=0.94", store: join(dir, "e.db"), plan: true, bootstrap: 40 }, { deps });
    expect(report.runs.filter((r) => r.status === "done")).toHaveLength(15);
    const c = report.collectionPlan!.classes.check!;
    expect(c).toMatchObject({ status: "not run", held: null, runIds: [] });
    expect(c.why).toMatch(/^the budget has \d+ s left$/);
    expect(c.predictedSeconds!).toBeGreaterThan(250);
    expect(c.predictedSeconds!).toBeLessThan(450);
    expect(ex.jobs.some((j) => j.subset.composition)).toBe(false);
    expect(c.sentences[0]).toMatch(/Run the same command with a larger --budget/);
  }, 60_000);

  it("without a per-row outcome in the Runs (stored by an older version) the plan says so instead of guessing", () => {
    const ds = dataset();
    const runs = unitRuns({ names: NAMES, codes: ds.tensors.y as Int32Array, pool: ds.split.pool, test: ds.split.test, runs: [{ size: 100, seed: 0 }, { size: 200, seed: 0 }] });
    const plan = collectionPlan({ kind: "class", by: "class", runs, fitCurve, target: 0.9, overallAtPool: null });
    expect(plan.plan).toBeNull();
    expect(plan.notes.join(" ")).toMatch(/2 Run\(s\) have no per-row test outcome/);
    expect(plan.units.every((u) => u.fitError)).toBe(true);
  });
});
