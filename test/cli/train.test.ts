import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, engineBuilt, tsx } from "./fixtures/env.js";


function runCli(args: string[], cwd: string) {
  return spawnSync(process.execPath, ["--import", tsx, cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" } });
}

/** Two interleaved half-moons with a categorical column: learnable by an MLP, not linearly separable. */
function writeMoons(path: string, rows: number): void {
  let s = 7;
  const rand = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  const lines = ["x1,x2,colour,label"];
  for (let i = 0; i < rows; i++) {
    const cls = i % 2;
    const t = Math.PI * rand();
    const x = cls ? 1 - Math.cos(t) : Math.cos(t);
    const y = cls ? 0.5 - Math.sin(t) : Math.sin(t);
    lines.push(`${(x + 0.1 * (rand() - 0.5)).toFixed(4)},${(y + 0.1 * (rand() - 0.5)).toFixed(4)},${["red", "green", "blue"][i % 3]},${cls ? "b" : "a"}`);
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

describe.skipIf(!engineBuilt)("enough train", () => {
  it("--json prints the run's figures and the model beats chance on the test split", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-train-"));
    const csv = join(dir, "moons.csv");
    writeMoons(csv, 1200);
    const r = runCli(["train", "--data", csv, "--target", "label", "--model", "mlp", "--n", "600", "--epochs", "30", "--json"], dir);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.n).toBe(600);
    expect(out.epochs).toBe(30);
    expect(out.history).toHaveLength(30);
    expect(out.history[0]).toEqual(expect.objectContaining({ epoch: 1, trainLoss: expect.any(Number), samplesPerSecond: expect.any(Number) }));
    expect(out.trainSeconds).toBeGreaterThan(0);
    expect(out.samplesPerSecond).toBeGreaterThan(0);
    expect(out.testAccuracy).toBeGreaterThan(0.85);
    expect(out.testLoss).toBeLessThan(Math.log(2));
    // From the same evaluation pass's predictions (two balanced classes: F1 and balanced accuracy near accuracy).
    expect(out.testF1).toBeGreaterThan(0.85);
    expect(Math.abs(out.testBalancedAccuracy - out.testAccuracy)).toBeLessThan(0.05);
    expect(out.testAuc).toBeGreaterThan(0.9);
  });

  it("a malformed row is skipped, counted and named, never dropped silently", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-train-"));
    const csv = join(dir, "moons.csv");
    writeMoons(csv, 400);
    writeFileSync(csv, readFileSync(csv, "utf8") + "0.5,0.2\n");
    const r = runCli(["train", "--data", csv, "--target", "label", "--epochs", "2"], dir);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/401 rows read, 400 kept, 1 skipped/);
    expect(r.stderr).toMatch(/warning: .*402/);
    const j = runCli(["train", "--data", csv, "--target", "label", "--epochs", "2", "--json"], dir);
    expect(JSON.parse(j.stdout).data).toEqual(expect.objectContaining({ rowsRead: 401, rowsKept: 400, rowsSkipped: 1 }));
  });

  it("a misspelled target and an oversized --n are typed errors without a stack trace", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-train-"));
    const csv = join(dir, "moons.csv");
    writeMoons(csv, 200);
    const bad = runCli(["train", "--data", csv, "--target", "lable", "--json"], dir);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/label/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
    const big = runCli(["train", "--data", csv, "--target", "label", "--n", "100000"], dir);
    expect(big.status).toBe(2);
    expect(big.stderr).toMatch(/--n 100000 is larger than the training pool/);
  });
});
