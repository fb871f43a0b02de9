import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strategies } from "../../src/study/strategies/strategies.js";
import { parseLever, parseLevers } from "../../src/study/strategies/levers.js";
import { bestTrial } from "../../src/study/strategies/search.js";
import { practicalVerdict, TOO_FEW_SEEDS } from "../../src/study/strategies/summary.js";
import { strategiesAnswer } from "../../src/cli/commands/strategies.js";
import { InputError } from "../../src/errors.js";
import type { Executor } from "../../src/study/executor.js";
import type { RunJob, RunOutcome } from "../../src/study/run.js";
import { fakeDeps } from "./fixtures/fake-deps.js";
import { fakeResult } from "./fixtures/fake-run.js";

/**
 * Scores steered by the job: an ensemble or mixup lever learns like a model with more data (x2 / x3 the size),
 * heavy noise like one with a quarter of it; everything else is the fake curve. Records every job and which Runs'
 * test metrics were read.
 */
class LeverExecutor implements Executor {
  readonly kind = "in-process";
  readonly threads = 1;
  readonly slots = 2;
  jobs: RunJob[] = [];
  testReads = new Set<string>();
  async run(job: RunJob): Promise<RunOutcome> {
    this.jobs.push(job);
    const aug = job.recipe.augment as { noise?: number; mixup?: number } | undefined;
    const scale = job.ensemble ? 2 : aug?.mixup ? 3 : aug?.noise && aug.noise > 1 ? 0.25 : 1;
    const r = fakeResult({ ...job, subset: { ...job.subset, size: Math.round(job.subset.size * scale) } });
    r.seconds = r.totalSeconds = 0.001 * job.subset.size * (job.ensemble?.k ?? 1);
    const test = r.metrics.test;
    const reads = this.testReads;
    const metrics = { ...r.metrics };
    Object.defineProperty(metrics, "test", { enumerable: true, get: () => (reads.add(job.runId), test) });
    // The store's serialisation is not a read by the study: it goes through toJSON, past the spy.
    Object.defineProperty(metrics, "toJSON", { enumerable: false, value: () => ({ ...r.metrics }) });
    return { ok: true, result: { ...r, metrics } };
  }
  async close(): Promise<void> {}
}

const sizes = "100,200,400,800,1600";

describe("strategies (fake engine)", () => {
  it("levers parse into typed rows; unknown levers and keys are typed errors naming the valid ones", () => {
    expect(parseLever("ensemble:k=3")).toMatchObject({ kind: "ensemble", k: 3 });
    expect(parseLever("augment")).toMatchObject({ kind: "augment", augment: { policy: "default" } });
    expect(parseLever("augment:policy=none")).toMatchObject({ kind: "augment", augment: null });
    expect(parseLever("augment:mixup=0.2,noise=0.1")).toMatchObject({ augment: { mixup: 0.2, noise: 0.1 } });
    expect(parseLever("search:trials=5")).toMatchObject({ kind: "search", trials: 5 });
    expect(() => parseLever("dropout")).toThrow(/unknown lever "dropout"/);
    expect(() => parseLever("ensemble:n=3")).toThrow(InputError);
    expect(() => parseLever("ensemble:k=1")).toThrow(/k must be a whole number from 2 to 20/);
    expect(() => parseLever("augment:flip=v")).toThrow(/flip must be h or none/);
    expect(() => parseLevers([])).toThrow(/at least one --try/);
    expect(() => parseLevers(["augment", "augment"])).toThrow(/twice/);
    try {
      parseLever("augment:colour=1");
    } catch (e) {
      expect((e as InputError).code).toBe("BAD_LEVER_KEY");
      expect((e as InputError).hint).toMatch(/policy, crop, flip/);
    }
  });

  it("the verdict needs a practical effect, not only an interval off 1", () => {
    expect(practicalVerdict({ value: 1.04, lo: 1.01, hi: 1.08 })).toBe("no clear effect");
    expect(practicalVerdict({ value: 1.5, lo: 1.2, hi: 1.9 })).toBe("helps");
    expect(practicalVerdict({ value: 0.5, lo: 0.4, hi: 0.7 })).toBe("hurts");
    expect(bestTrial([{ params: null, valid: [0.8, 0.8] }, { params: { w: 1 }, valid: [0.9, 0.85] }])).toBe(1);
  });

  it("paired levers: identical ~x1, ensemble and mixup help, heavy noise hurts; search reads no test score but its choice's; resume re-uses every Run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-"));
    const ex = new LeverExecutor();
    const opts = { data: "fake", sizes, seeds: 3, store: join(dir, "s.db"), target: "accuracy=0.85", bootstrap: 60, try: ["augment:policy=none", "ensemble:k=2", "augment:mixup=0.4", "augment:noise=3", "search:trials=3"] };
    const r = await strategies(opts, { deps: fakeDeps({ executor: () => ex, poolSize: 4000 }) });
    const row = (l: string) => r.levers.find((x) => x.label === l)!;
    expect(r.measured).toEqual([100, 200, 400, 800, 1600]);
    expect(row("augment:policy=none")).toMatchObject({ identical: true, verdict: "no clear effect" });
    const same = row("augment:policy=none").multiplier!.atTarget!;
    expect(same.lo).toBeLessThanOrEqual(1);
    expect(same.hi ?? Infinity).toBeGreaterThanOrEqual(1);
    expect(same.value).toBeCloseTo(1, 1);
    expect(row("ensemble:k=2").verdict).toBe("helps");
    expect(row("ensemble:k=2").multiplier!.atTarget!.value).toBeGreaterThan(1.5);
    expect(row("ensemble:k=2").cost).toMatchObject({ inferenceX: 2 });
    expect(row("ensemble:k=2").cost.computeX).toBeCloseTo(2, 1);
    expect(row("augment:mixup=0.4").verdict).toBe("helps");
    expect(row("augment:noise=3").verdict).toBe("hurts");
    // Ensemble Runs carry k in their inputs: ids never collide with the plain Run on the same subset.
    const ens = ex.jobs.filter((j) => j.ensemble);
    expect(ens.length).toBe(15);
    expect(new Set(ens.map((j) => j.runId)).size).toBe(15);
    expect(ex.jobs.filter((j) => !j.ensemble && !j.recipe.augment && j.spec.width === undefined).length).toBe(15);
    // Search: trials 1 and 2 at every size; only the chosen trial's test metrics were ever read.
    const search = row("search:trials=3");
    expect(search.best!.map((b) => b.n)).toEqual([100, 200, 400, 800, 1600]);
    const trialJobs = ex.jobs.filter((j) => j.spec.width !== undefined);
    expect(trialJobs.length).toBe(5 * 2 * 3);
    const chosen = new Set(search.best!.filter((b) => b.trial > 0).map((b) => `${b.n}#${b.trial}`));
    for (const j of trialJobs) {
      const trial = r.runs.find((x) => x.id === j.runId)!.arm.split("#")[1];
      if (!chosen.has(`${j.subset.size}#${trial}`)) expect(ex.testReads.has(j.runId)).toBe(false);
    }
    // Resume: the same command again trains nothing.
    const ex2 = new LeverExecutor();
    const again = await strategies(opts, { deps: fakeDeps({ executor: () => ex2, poolSize: 4000 }) });
    expect(ex2.jobs).toHaveLength(0);
    expect(again.runs.every((x) => x.reused)).toBe(true);
    expect(again.levers.map((l) => l.verdict)).toEqual(r.levers.map((l) => l.verdict));
  });

  it("with fewer than 3 seeds at the target: no 0-inf interval but a reason, in the JSON (null) and the table", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-seeds-"));
    const r = await strategies({ data: "fake", sizes: "100,200,400,800", seeds: 2, store: join(dir, "s.db"), target: "accuracy=0.85", bootstrap: 40, try: ["ensemble:k=2"] }, { deps: fakeDeps({ executor: () => new LeverExecutor(), poolSize: 4000 }) });
    const t = r.levers[0]!.multiplier!.atTarget!;
    expect(t).toMatchObject({ lo: null, hi: null, noInterval: TOO_FEW_SEEDS, verdict: "no clear effect" });
    expect(t.value).toBeGreaterThan(0);
    expect(r.levers[0]!.summary).toContain(TOO_FEW_SEEDS);
    const table = strategiesAnswer(r);
    expect(table).toContain("too few seeds for an interval at the target (use --seeds 3 or more)");
    expect(table).not.toMatch(/0\.00-inf/);
    expect(JSON.parse(JSON.stringify(r)).levers[0].multiplier.atTarget.lo).toBeNull();
  });
});

