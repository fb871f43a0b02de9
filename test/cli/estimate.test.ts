import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jsonSummary, plainAnswer } from "../../src/cli/commands/estimate.js";
import { ProgressLine } from "../../src/cli/progress.js";
import { estimate } from "../../src/study/estimate.js";
import { writeReport } from "../../src/report/index.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";



describe("enough estimate output", () => {
  it("--json has enough fit's shapes plus the study and report paths; plain text leads with the answer", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cli-"));
    const report = await estimate(
      { data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target: "accuracy=0.92", store: join(dir, "e.db") },
      { deps: fakeDeps({ executor: () => new InProcessExecutor(2) }) },
    );
    await writeReport(report, join(dir, "r"));
    const j = jsonSummary(report) as Record<string, any>;
    expect(Object.keys(j)).toEqual(expect.arrayContaining(["studyId", "points", "predictions", "samplesForTarget", "family", "families", "asymptote", "diagnostics", "reports"]));
    expect(j.points[0]).toEqual({ n: 100, mean: expect.any(Number), sd: expect.any(Number), count: 2 });
    expect(Object.keys(j.predictions[0]).sort()).toEqual(["hi", "lo", "mean", "n"]);
    expect(Object.keys(j.samplesForTarget)).toEqual(expect.arrayContaining(["mean", "lo", "hi", "reachable"]));
    expect(j.reports.html).toMatch(/report\.html$/);
    const text = plainAnswer(report);
    expect(text.split("\n")[0]).toBe(report.headline);
    expect(text).toContain(`Report: ${report.reports!.html}`);
  });

  it("the progress line shows how far, the ETA and the running answer on a TTY, and nothing otherwise", () => {
    const chunks: string[] = [];
    const out = { write: (s: string) => chunks.push(s), columns: 200 } as unknown as NodeJS.WriteStream;
    const p = new ProgressLine(out, { tty: true, verbose: true });
    p.on({ type: "decision", reason: "pilot: n=50" });
    p.on({ type: "run-start", runId: "r1", size: 50, seed: 0, attempt: 0, reason: "", predictedSeconds: 42 });
    p.on({ type: "answer", metric: "accuracy", have: 4000, scoreAtHave: { mean: 0.9, lo: 0.89, hi: 0.91 }, samplesForTarget: { mean: 41000, lo: 33000, hi: 55000, reachable: true } });
    p.on({ type: "progress", done: 3, failed: 0, running: 2, planned: 12, elapsedSeconds: 130, etaSeconds: 240, etaBound: "plan" });
    const all = chunks.join("");
    expect(all).toContain("why: pilot: n=50\n");
    expect(all).toMatch(/3\/12 Runs done, 2 running · n=50 seed 0 \(~0m42s\) · 2m10s · ETA 4m00s · needs ≈41,000 \(33,000–55,000\)/);
    const quiet: string[] = [];
    const q = new ProgressLine({ write: (s: string) => quiet.push(s) } as unknown as NodeJS.WriteStream, { tty: false, verbose: false });
    q.on({ type: "progress", done: 3, failed: 0, running: 2, planned: 12, elapsedSeconds: 130, etaSeconds: 240, etaBound: "plan" });
    expect(quiet).toEqual([]);
  });
});

describe.skipIf(!engineBuilt)("enough estimate end to end (real engine and data layer)", () => {
  it("runs a small CSV study, prints one JSON object, writes the report, and re-uses every Run the second time", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cli-e2e-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 2500);
    const args = ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "label", "--target", "accuracy=0.85", "--model", "mlp:width=0.25", "--sizes", "100,250,600,1500", "--seeds", "1", "--jobs", "2", "--at", "10k", "--store", join(dir, "e.db"), "--out", join(dir, "report"), "--json"];
    const run = () => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });
    const first = run();
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const j = JSON.parse(first.stdout);
    expect(j.points.map((p: { n: number }) => p.n)).toEqual([100, 250, 600, 1500]);
    for (const p of j.points) expect(p.mean).toBeGreaterThan(0.4);
    expect(j.predictions.map((p: { n: number }) => p.n)).toContain(10000);
    expect(j.samplesForTarget).toHaveProperty("reachable");
    expect(j.runs).toEqual({ done: 4, failed: 0, reused: 0 });
    expect(existsSync(j.reports.html)).toBe(true);
    const report = JSON.parse(readFileSync(j.reports.json, "utf8"));
    expect(report.runs[0].metrics).toMatchObject({ test: { accuracy: expect.any(Number) }, valid: { accuracy: expect.any(Number) }, train: { accuracy: expect.any(Number) } });
    expect(report.runs[0].nValid).toBe(15);

    const second = run();
    expect(second.status).toBe(0);
    const j2 = JSON.parse(second.stdout);
    expect(j2.runs).toEqual({ done: 4, failed: 0, reused: 4 });
    expect(j2.studyId).toBe(j.studyId);
  });

  it("a bad target column is a typed error, not a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cli-bad-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 200);
    const r = spawnSync(process.execPath, ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "lable", "--store", join(dir, "e.db")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/enough: error \[/);
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
    // A bad recipe fails at once, before any Run, naming the field.
    const recipe = join(dir, "recipe.json");
    writeFileSync(recipe, JSON.stringify({ lr: -1 }));
    const bad = spawnSync(process.execPath, ["--import", tsx, cli, "estimate", "--data", csv, "--target-column", "label", "--recipe", recipe, "--store", join(dir, "e.db")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/enough: error \[RECIPE_INVALID\]: recipe field "lr"/);
  });
});
