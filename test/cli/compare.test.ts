import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compareAnswer, compareJson } from "../../src/cli/commands/compare.js";
import { compare } from "../../src/study/compare/compare.js";
import { writeReport } from "../../src/report/index.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";



describe("enough compare output", () => {
  it("--json is one object with the recommendation, frontier, variants and pruning; plain text leads with the answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cmp-cli-"));
    const report = await compare(
      { data: "fake", vary: ["width=0.25,4"], sizes: "100,200,400,800,1600,3200", seeds: 2, store: join(dir, "c.db") },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2), poolSize: 4000 }) },
    );
    await writeReport(report, join(dir, "r"));
    const j = compareJson(report) as Record<string, any>;
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["studyId", "headline", "recommendation", "variants", "frontier", "best", "pruning", "runs", "reports"]));
    expect(j.variants).toHaveLength(2);
    expect(j.variants[0]).toMatchObject({ label: "width=0.25", status: "kept", points: expect.any(Array) });
    expect(j.frontier.measured).toHaveLength(6);
    // --json must survive a JSON round trip unchanged (no NaN, Infinity, undefined or class instances).
    expect(JSON.parse(JSON.stringify(j))).toStrictEqual(j);
    const text = compareAnswer(report);
    expect(text.split("\n")[0]).toBe(report.headline);
    expect(text).toContain(`Report: ${report.reports!.html}`);
  });
});

describe.skipIf(!engineBuilt)("enough compare end to end (real engine and data layer)", () => {
  it("compares two tiny MLPs on a small CSV, prints one JSON object and re-uses every Run the second time", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cmp-e2e-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 1400, 7);
    const args = ["--import", tsx, cli, "compare", "--data", csv, "--target-column", "label", "--model", "mlp:depth=1", "--vary", "width=0.05,0.5"];
    args.push("--sizes", "60,200,600", "--seeds", "2", "--jobs", "2", "--target", "accuracy=0.8", "--store", join(dir, "c.db"), "--out", join(dir, "report"), "--json");
    const run = () => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });
    const first = run();
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const j = JSON.parse(first.stdout);
    expect(j.variants.map((v: { label: string }) => v.label)).toEqual(["width=0.05", "width=0.5"]);
    for (const v of j.variants) {
      expect(v.points.map((p: { n: number }) => p.n)).toEqual([60, 200, 600]);
      expect(v.paramCount).toBeGreaterThan(0);
      expect(v.flops).toBeGreaterThan(0);
      expect(v.gap).toHaveLength(3);
    }
    expect(j.variants[1].paramCount).toBeGreaterThan(j.variants[0].paramCount);
    expect(j.frontier.measured).toHaveLength(3);
    expect(j.frontier.measured[0].advantage.count).toBe(2);
    expect(typeof j.headline).toBe("string");
    expect(j.runs).toEqual({ done: 12, failed: 0, reused: 0 });
    expect(existsSync(j.reports.html)).toBe(true);
    expect(readFileSync(j.reports.html, "utf8")).toContain('id="chart-frontier"');

    const second = run();
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout).runs).toEqual({ done: 12, failed: 0, reused: 12 });
  });

  it("bad axes are typed errors naming the axis, before any Run", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cmp-bad-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 200, 7);
    const cmd = (...extra: string[]) => spawnSync(process.execPath, ["--import", tsx, cli, "compare", "--data", csv, "--target-column", "label", "--store", join(dir, "c.db"), ...extra], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const range = cmd("--vary", "dropout=0,2");
    expect(range.status).toBe(2);
    expect(range.stderr).toMatch(/enough: error \[BAD_AXIS_VALUE\]: --vary dropout=2: .*dropout/);
    expect(range.stderr).not.toMatch(/at .*\.ts:\d+/);
    const kind = cmd("--vary", "model=mlp,cnn");
    expect(kind.stderr).toMatch(/\[BAD_AXIS_VALUE\]: --vary model=cnn: .*cannot take dense data/);
    const unknown = cmd("--vary", "colour=1,2");
    expect(unknown.stderr).toMatch(/\[BAD_AXIS\]: --vary colour=1,2: unknown axis "colour"/);
    expect(existsSync(join(dir, "c.db"))).toBe(false);
  });
});
