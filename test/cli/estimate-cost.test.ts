import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonSummary, plainAnswer } from "../../src/cli/commands/estimate.js";
import { estimate } from "../../src/study/estimate.js";
import { writeReport } from "../../src/report/index.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";
import { cli, tsx } from "./fixtures/env.js";

describe("enough estimate --cost", () => {
  it("prices the target in the answer, the --json object and the report", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cost-"));
    const report = await estimate(
      { data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target: "accuracy=0.92", store: join(dir, "e.db"), cost: "label=0.08,cpu-hour=0.04" },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
    );
    const c = report.cost!;
    expect(c.computeUnit).toBe("cpu-hour");
    expect(c.labels!.quantity.mean).toBe(Math.max(0, report.samplesForTarget!.mean - report.data.poolSize));
    expect(c.labels!.cost!.mean).toBeCloseTo(0.08 * c.labels!.quantity.mean, 9);
    expect(c.storage!.cost).toBeNull();
    expect(c.notes.join(" ")).toMatch(/no price for storage-gb-month/);
    const j = jsonSummary(report) as Record<string, any>;
    expect(j.cost.total).toEqual({ mean: expect.any(Number), lo: expect.any(Number), hi: expect.any(Number) });
    const text = plainAnswer(report);
    expect(text).toMatch(/Cost to reach accuracy 0.92: about [\d,]+ samples/);
    expect(text).toMatch(/Labels to buy: .* labels × 0.08 = /);
    await writeReport(report, join(dir, "r"));
    expect(readFileSync(join(dir, "r", "report.md"), "utf8")).toContain("## Cost to reach the target");
    expect(readFileSync(join(dir, "r", "report.html"), "utf8")).toContain('id="cost"');
  });

  it("a bad --cost is a typed error before the data is read", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cost-bad-"));
    const r = spawnSync(process.execPath, ["--import", tsx, cli, "estimate", "--data", join(dir, "missing.csv"), "--cost", "label=0.08,gpu=3", "--store", join(dir, "e.db")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/enough: error \[BAD_COST\]: --cost: unknown price "gpu"/);
    expect(r.stderr).toMatch(/label, gpu-hour, cpu-hour, storage-gb-month/);
  });
});
