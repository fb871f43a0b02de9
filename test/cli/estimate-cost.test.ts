import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonSummary, plainAnswer } from "../../src/cli/commands/estimate.js";
import { estimate } from "../../src/study/estimate.js";
import { writeReport } from "../../src/report/index.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";

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

describe.skipIf(!engineBuilt)("enough estimate --extra --cost end to end (real engine and data layer)", () => {
  it("prints the extra rows' worth and the cost, under `extra` and `cost` in --json", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-extra-cli-"));
    const csv = join(dir, "mine.csv");
    const more = join(dir, "more.csv");
    writeLearnableCsv(csv, 900, 1);
    writeLearnableCsv(more, 600, 2);
    const base = ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "label", "--target", "accuracy=0.8", "--model", "mlp:width=0.25", "--sizes", "50,100,200,400", "--seeds", "2", "--jobs", "2", "--store", join(dir, "e.db"), "--out", join(dir, "report"), "--extra", more, "--cost", "label=0.08,cpu-hour=0.04"];
    const run = (args: string[]) => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });
    const r = run([...base, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.extra).toMatchObject({ rows: 600, n: 400, mean: expect.anything(), domain: { auc: expect.any(Number) }, sentence: expect.stringMatching(/These 600 extra rows/) });
    expect(j.extra.drift.length).toBeGreaterThan(0);
    expect(j.cost.computeUnit).toBe("cpu-hour");
    expect(j.cost.study.hours).toBeGreaterThan(0);
    const md = readFileSync(join(dir, "report", "report.md"), "utf8");
    expect(md).toContain("## Extra data:");
    // Plain text, second time: every Run (alone and with the extra rows) is re-used.
    const again = run(base);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/These 600 extra rows are/);
    expect(again.stdout).toMatch(/Labels to buy|Note: the target is out of reach|no --target/);
    process.stdout.write(`\n--- enough estimate --extra --cost printed:\n${again.stdout}\n`);
  }, 120_000);

  it("an extra file with other columns is a typed error naming the column", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-extra-bad-"));
    const csv = join(dir, "mine.csv");
    writeLearnableCsv(csv, 200);
    const other = join(dir, "other.csv");
    writeFileSync(other, "a,b,c,e,label\n1,2,3,4,x\n");
    const r = spawnSync(process.execPath, ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "label", "--extra", other, "--store", join(dir, "e.db")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/enough: error \[EXTRA_SCHEMA\]: .*other\.csv: lacks the column 'd'/);
  });
});
