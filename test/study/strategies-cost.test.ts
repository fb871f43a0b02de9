/**
 * strategies --cost: every row priced to reach the target with the same arithmetic as estimate --cost. Simulated
 * levers: an ensemble of 2 learns like twice the data at twice the compute, mixup like three times the data at 1.3x
 * the compute; the baseline is the fake curve (0.95 - 2 n^-0.5).
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strategies } from "../../src/study/strategies/strategies.js";
import { strategiesAnswer, strategiesJson } from "../../src/cli/commands/strategies.js";
import { writeStrategiesReport } from "../../src/report/strategies.js";
import type { Executor } from "../../src/study/executor.js";
import type { RunJob, RunOutcome } from "../../src/study/run.js";
import { fakeDeps } from "./fixtures/fake-deps.js";
import { fakeResult } from "./fixtures/fake-run.js";
import { foldRatio } from "../../src/curves/truth.js";

class CostExecutor implements Executor {
  readonly kind = "in-process";
  readonly threads = 1;
  readonly slots = 2;
  async run(job: RunJob): Promise<RunOutcome> {
    const aug = job.recipe.augment as { mixup?: number } | undefined;
    const scale = job.ensemble ? 2 : aug?.mixup ? 3 : 1;
    const r = fakeResult({ ...job, subset: { ...job.subset, size: Math.round(job.subset.size * scale) } });
    r.seconds = r.totalSeconds = 0.01 * job.subset.size * (job.ensemble?.k ?? 1) * (aug?.mixup ? 1.3 : 1);
    return { ok: true, result: r };
  }
  async close(): Promise<void> {}
}

describe("strategies --cost (fake engine)", () => {
  it("prices each row: fewer labels where the multiplier is above 1, k x compute for an ensemble, ranked by total", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-cost-"));
    const r = await strategies(
      { data: "fake", sizes: "100,200,400,800,1600", seeds: 3, store: join(dir, "s.db"), target: "accuracy=0.935", bootstrap: 40, try: ["ensemble:k=2", "augment:mixup=0.4"], cost: "label=0.1,cpu-hour=2" },
      { deps: fakeDeps({ executor: () => new CostExecutor(), poolSize: 4000 }) },
    );
    const c = r.costs!;
    const row = (l: string) => c.rows.find((x) => x.label === l)!;
    const base = row("baseline");
    const ens = row("ensemble:k=2");
    const mix = row("augment:mixup=0.4");
    // Labels: max(0, n_target - pool) on each row's own curve, priced at 0.1.
    for (const x of [base, ens, mix]) {
      expect(x.plan.labels!.quantity.mean).toBeCloseTo(Math.max(0, x.samplesForTarget!.mean - 4000), 6);
      expect(x.plan.labels!.cost!.mean).toBeCloseTo(0.1 * x.plan.labels!.quantity.mean, 9);
      const parts = [x.plan.labels, x.plan.trainOnce, x.plan.storage].filter((p) => p?.cost).reduce((a, p) => a + p!.cost!.mean, 0);
      expect(x.plan.total!.mean).toBeCloseTo(parts, 9);
      expect(x.plan.total!.lo).toBeLessThanOrEqual(x.plan.total!.mean);
      expect(x.plan.total!.hi).toBeGreaterThanOrEqual(x.plan.total!.mean);
    }
    // (2 / 0.015)^2 = 17,800 on the fake curve: 11x beyond the sizes measured. The calibrated answer (a power-law tail
    // toward accuracy 1, learnt on deep-net curves that keep rising) reads this curve, whose floor is 0.95, low: about
    // 7,000 (truth bench), within 3x, and its interval misses (a known limit, stated in the README).
    expect(foldRatio(base.samplesForTarget!.mean, 17800)).toBeLessThan(3);
    expect(base.samplesForTarget!.lo).toBeLessThan(17800);
    expect(ens.plan.labels!.quantity.mean).toBeLessThan(0.6 * base.plan.labels!.quantity.mean);
    expect(mix.plan.labels!.quantity.mean).toBeLessThan(0.6 * base.plan.labels!.quantity.mean);
    // Compute: the ensemble's Runs took 2x the baseline's; per hour of a Run at the same n it costs 2x.
    expect(ens.computeX).toBeCloseTo(2, 1);
    expect(mix.computeX).toBeCloseTo(1.3, 1);
    const perSample = (x: typeof base) => x.plan.trainOnce!.quantity.mean / x.computeX! / x.samplesForTarget!.mean;
    expect(perSample(ens) / perSample(base)).toBeGreaterThan(0.5); // same time model, scaled by computeX only
    expect(perSample(ens) / perSample(base)).toBeLessThan(2);
    // Ranked by total: the cheapest first, and mixup (x3 data, no labels to speak of) before the baseline.
    const totals = c.rows.map((x) => x.plan.total!.mean);
    expect(totals).toEqual([...totals].sort((a, b) => a - b));
    expect(c.rows.findIndex((x) => x.label === "augment:mixup=0.4")).toBeLessThan(c.rows.findIndex((x) => x.label === "baseline"));
    const text = strategiesAnswer(r);
    expect(text).toMatch(/Cheapest to reach accuracy 0.935: (augment:mixup=0.4|ensemble:k=2), total [\d.,]+ \(80% interval/);
    expect(text).toMatch(/rank +strategy +samples for target/);
    expect((strategiesJson(r) as { costs: unknown }).costs).toBe(c);
    await writeStrategiesReport(r, join(dir, "r"));
    expect(readFileSync(join(dir, "r", "report.md"), "utf8")).toContain("## Cost to reach the target");
    expect(readFileSync(join(dir, "r", "report.html"), "utf8")).toContain('id="cost"');
  }, 60_000);
});
