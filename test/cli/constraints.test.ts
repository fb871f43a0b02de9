/**
 * End to end through the CLI (real engine and data layer): estimate --plan with a --group column, strategies
 * --cost --extra, and the typed errors of the new flags.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";

const run = (dir: string, args: string[]) => spawnSync(process.execPath, ["--import", tsx, cli, ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });

/** The learnable CSV with a group column: site B's labels are a third of the time replaced by a fixed class. */
function withSite(src: string, dst: string): void {
  const [head, ...rows] = readFileSync(src, "utf8").trim().split("\n");
  const out = rows.map((r, i) => {
    const cells = r.split(",");
    const site = i % 3 === 0 ? "B" : "A";
    if (site === "B" && i % 9 === 0) cells[4] = "x";
    return [...cells.slice(0, 4), site, cells[4]].join(",");
  });
  writeFileSync(dst, [head!.replace(",label", ",site,label"), ...out].join("\n") + "\n");
}

describe("the new flags' typed errors", () => {
  it("--extra-keep without --extra, or unreadable, is exit 2 before the data loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-cons-err-"));
    const missing = join(dir, "missing.csv");
    const alone = run(dir, ["estimate", "--data", missing, "--extra-keep", "similar:0.5", "--store", join(dir, "e.db")]);
    expect(alone.status).toBe(2);
    expect(alone.stderr).toMatch(/\[EXTRA_KEEP_ALONE\]: --extra-keep needs --extra/);
    const bad = run(dir, ["estimate", "--data", missing, "--extra", missing, "--extra-keep", "closest:3", "--store", join(dir, "e.db")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/\[BAD_EXTRA_KEEP\]: --extra-keep: cannot read "closest:3"/);
    const cost = run(dir, ["strategies", "--data", missing, "--try", "augment", "--cost", "labels=1", "--store", join(dir, "s.db")]);
    expect(cost.status).toBe(2);
    expect(cost.stderr).toMatch(/\[BAD_COST\]: --cost: unknown price "labels"/);
  });
});

describe.skipIf(!engineBuilt)("constraints end to end (real engine)", () => {
  it("estimate --plan --group site: per-class and per-site plans in --json, the terminal and report.md", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-plan-cli-"));
    const raw = join(dir, "raw.csv");
    const csv = join(dir, "mine.csv");
    writeLearnableCsv(raw, 900, 3);
    withSite(raw, csv);
    const base = ["estimate", "--data", csv, "--target-column", "label", "--group", "site", "--target", "accuracy=0.8", "--model", "mlp:width=0.25", "--sizes", "50,100,200,400", "--seeds", "2", "--jobs", "2", "--plan", "--store", join(dir, "e.db"), "--out", join(dir, "report")];
    const r = run(dir, [...base, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.plan.classes.units.map((u: { name: string }) => u.name).sort()).toEqual(["x", "y", "z"]);
    expect(j.plan.classes.runs).toEqual({ used: 8, missing: 0 });
    expect(j.plan.classes.sentences.join(" ")).toMatch(/How the Runs were drawn: nested subsets stratified by class/);
    // The check Runs (the plan's first class over-sampled) trained through the worker processes, with both seeds.
    const check = j.plan.classes.check;
    expect(check).toMatchObject({ status: "measured", base: 200, seeds: [0, 1] });
    expect(check.runIds).toHaveLength(2);
    expect(check.count.oversampled).toBeGreaterThanOrEqual(2 * check.count.ordinary);
    expect(typeof check.held).toBe("boolean");
    expect(j.plan.groups[0].by).toBe("site");
    expect(j.plan.groups[0].units.map((u: { name: string }) => u.name).sort()).toEqual(["A", "B"]);
    expect(readFileSync(join(dir, "report", "report.md"), "utf8")).toContain("## Collection plan by site");
    const again = run(dir, base);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/Collection plan by class:\n  - (Collect more of|No class gains)/);
    expect(again.stdout).toMatch(/Check of the plan's assumption \(a class's recall depends on its own count\): trained n=200 with \w+ over-sampled/);
    process.stdout.write(`\n--- enough estimate --plan --group site printed:\n${again.stdout}\n`);
  }, 120_000);

  it("strategies --extra --cost: a 'pool + extra' row and every row priced, ranked, in --json and the terminal", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-extra-cli-"));
    const csv = join(dir, "mine.csv");
    const more = join(dir, "more.csv");
    writeLearnableCsv(csv, 900, 1);
    writeLearnableCsv(more, 400, 2);
    const base = ["strategies", "--data", csv, "--target-column", "label", "--target", "accuracy=0.8", "--model", "mlp:width=0.25", "--sizes", "60,120,240", "--seeds", "3", "--jobs", "2", "--try", "augment:noise=0.1", "--extra", more, "--cost", "label=0.08,cpu-hour=0.04", "--store", join(dir, "s.db"), "--out", join(dir, "report")];
    const r = run(dir, [...base, "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const extra = j.levers.find((l: { label: string }) => l.label === "pool + extra");
    expect(extra.kind).toBe("extra");
    expect(extra.extra).toMatchObject({ rows: 400, worth: { n: 240, bound: expect.stringMatching(/^(about|at least|at most)$/) }, spansZero: expect.any(Boolean) });
    expect(extra.multiplier.perSize.map((m: { n: number }) => m.n)).toEqual([60, 120, 240]);
    expect(j.costs.rows.map((x: { label: string }) => x.label).sort()).toEqual(["augment:noise=0.1", "baseline", "pool + extra"]);
    const totals = j.costs.rows.filter((x: { plan: { total: unknown } }) => x.plan.total).map((x: { plan: { total: { mean: number } } }) => x.plan.total.mean);
    expect(totals).toEqual([...totals].sort((a: number, b: number) => a - b));
    const again = run(dir, base);
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/pool \+ extra: the 400 extra rows \(.*more\.csv\) are worth (about|at least|at most) -?[\d,]+ of yours at n=240/);
    expect(again.stdout).toMatch(/rank +strategy +samples for target/);
    process.stdout.write(`\n--- enough strategies --extra --cost printed:\n${again.stdout}\n`);
  }, 120_000);
});
