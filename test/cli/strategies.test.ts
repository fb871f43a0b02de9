import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";

describe.skipIf(!engineBuilt)("enough strategies end to end (real engine and data layer)", () => {
  it("augment + ensemble:k=2 + search:trials=3 on a small CSV: one JSON object, an identical lever at x1, the report, and a resume that re-uses every Run", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-e2e-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 1000, 7);
    const args = ["--import", tsx, cli, "strategies", "--data", csv, "--target-column", "label", "--model", "mlp:depth=1,width=0.25"];
    args.push("--try", "augment", "--try", "ensemble:k=2", "--try", "search:trials=3", "--try", "augment:policy=none");
    args.push("--sizes", "60,120,240", "--seeds", "2", "--jobs", "2", "--target", "accuracy=0.8", "--store", join(dir, "s.db"), "--out", join(dir, "report"), "--json");
    const run = () => spawnSync(process.execPath, args, { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });
    const first = run();
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const j = JSON.parse(first.stdout);
    expect(j.levers.map((l: { label: string }) => l.label)).toEqual(["augment", "ensemble:k=2", "search:trials=3", "augment:policy=none"]);
    expect(j.measured).toEqual([60, 120, 240]);
    const same = j.levers[3];
    expect(same).toMatchObject({ identical: true, verdict: "no clear effect" });
    expect(j.levers[1].cost.inferenceX).toBe(2);
    expect(j.levers[2].best).toHaveLength(3);
    // baseline 6 + augment 6 + ensemble 6 + search trials 1-2: 12
    expect(j.runs).toEqual({ done: 30, failed: 0, reused: 0 });
    expect(JSON.parse(JSON.stringify(j))).toStrictEqual(j);
    const html = readFileSync(j.reports.html, "utf8");
    expect(html).toContain('id="chart-forest"');
    expect(html).toContain('id="chart-curves"');
    expect(existsSync(j.reports.json)).toBe(true);
    const second = run();
    expect(second.status).toBe(0);
    expect(JSON.parse(second.stdout).runs).toEqual({ done: 30, failed: 0, reused: 30 });
  });

  it("dp:epsilon on an mlp: private Runs spend at most the budget and record what they spent; batch norm is refused up front", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-dp-"));
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 1000, 7);
    const base = ["--import", tsx, cli, "strategies", "--data", csv, "--target-column", "label", "--sizes", "80,160,320", "--seeds", "3", "--store", join(dir, "s.db"), "--out", join(dir, "report"), "--json"];
    const run = (...extra: string[]) => spawnSync(process.execPath, [...base, ...extra], { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout: 110_000 });
    const r = run("--model", "mlp:depth=1,width=0.25", "--try", "dp:epsilon=1", "--try", "dp:epsilon=50");
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const [strict, loose] = j.levers;
    for (const [l, eps] of [[strict, 1], [loose, 50]] as const) {
      expect(l.kind).toBe("dp");
      expect(l.privacy.targetEpsilon).toBe(eps);
      expect(l.privacy.runs).toBe(9);
      expect(l.privacy.epsilon.max).toBeLessThanOrEqual(eps);
    }
    // Each private Run keeps what it spent, under the keys the issue names.
    const report = JSON.parse(readFileSync(j.reports.json, "utf8"));
    const priv = report.runs.filter((x: { arm: string }) => x.arm === "dp:epsilon=1");
    expect(priv).toHaveLength(9);
    for (const x of priv) expect(Object.keys(x.privacy ?? {})).toEqual(expect.arrayContaining(["sampleRate", "noiseMultiplier", "steps", "delta", "epsilon"]));
    // A strict budget costs data: its multiplier at the largest size is below the loose budget's.
    expect(strict.multiplier.perSize.at(-1).value).toBeLessThan(loose.multiplier.perSize.at(-1).value);
    const bn = run("--model", "cnn", "--try", "dp:epsilon=1");
    expect(bn.status).toBe(2);
  });

  it("bad --try values are typed errors with exit 2, before the data loads", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-strat-bad-"));
    const cmd = (...t: string[]) => spawnSync(process.execPath, ["--import", tsx, cli, "strategies", "--data", join(dir, "missing.csv"), "--store", join(dir, "s.db"), ...t.flatMap((x) => ["--try", x])], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const unknown = cmd("dropout");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/\[BAD_LEVER\]: --try dropout: unknown lever "dropout"/);
    expect(unknown.stderr).toMatch(/augment, ensemble, transfer, search/);
    const key = cmd("ensemble:n=3");
    expect(key.status).toBe(2);
    expect(key.stderr).toMatch(/\[BAD_LEVER_KEY\]/);
    const value = cmd("search:trials=x");
    expect(value.status).toBe(2);
    expect(value.stderr).toMatch(/\[BAD_LEVER_VALUE\]/);
    expect(existsSync(join(dir, "s.db"))).toBe(false);
  });
});
