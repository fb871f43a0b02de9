import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { describe, expect, it } from "vitest";
import { register, runFitCommand } from "../../src/cli/commands/fit.js";
import { InputError } from "../../src/errors.js";

const dir = mkdtempSync(join(tmpdir(), "enough-fit-"));
function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}
const rows: string[] = ["n,score,seed"];
for (const n of [100, 200, 400, 800, 1600, 3200]) for (const s of [1, 2, 3]) rows.push(`${n},${(0.95 - 2 / Math.sqrt(n) + 0.002 * Math.sin(n * s)).toFixed(5)},${s}`);
const good = file("curve.csv", rows.join("\n") + "\n");

describe("enough fit", () => {
  it("prints the JSON shape of the issue", () => {
    const { text } = runFitCommand(good, { json: true, target: "0.93", at: "5000,20000", confidence: "0.8" });
    const j = JSON.parse(text);
    expect(j).toMatchObject({ family: expect.any(String), confidence: expect.stringMatching(/high|medium|low/) });
    expect(j.families[0]).toEqual({ name: expect.any(String), weight: expect.any(Number), params: expect.any(Object), cvError: expect.any(Number) });
    expect(j.asymptote).toEqual({ mean: expect.any(Number), lo: expect.any(Number), hi: expect.any(Number) });
    const ns = j.predictions.map((p: { n: number }) => p.n);
    for (const n of [100, 3200, 6400, 12800, 32000, 5000, 20000]) expect(ns).toContain(n);
    expect(ns).toEqual([...ns].sort((a: number, b: number) => a - b));
    expect(j.predictions.find((p: { n: number }) => p.n === 3200).observed).toBeCloseTo(0.95 - 2 / Math.sqrt(3200), 2);
    expect(j.samplesForTarget).toMatchObject({ mean: expect.any(Number), lo: expect.any(Number), reachable: true });
    expect(Array.isArray(j.diagnostics)).toBe(true);
  });

  it("prints a plain-words summary", () => {
    const { text } = runFitCommand(good, { target: "0.93" });
    expect(text).toMatch(/Reaching 0\.93 needs about [\d,]+ samples \(80% interval [\d,]+–[\d,∞]+\)/);
    expect(text).toMatch(/Doubling from 3,200 to 6,400 samples gains about \+/);
    expect(text).toMatch(/Confidence: (high|medium|low)/);
  });

  it("says when a target is out of reach, and JSON has null for an infinite size", () => {
    const flatRows = ["n,score"];
    for (const n of [100, 200, 400, 800, 1600, 3200]) flatRows.push(`${n},${(0.8 - 0.3 * Math.exp(-n / 300)).toFixed(5)}`);
    const f = file("flat.csv", flatRows.join("\n"));
    expect(runFitCommand(f, { target: "0.97" }).text).toMatch(/out of reach/);
    const j = JSON.parse(runFitCommand(f, { target: "0.97", json: true }).text);
    expect(j.samplesForTarget.reachable).toBe(false);
    expect(j.samplesForTarget.hi).toBeNull();
  });

  it("is registered as a command with its options", () => {
    const program = new Command();
    register(program);
    const cmd = program.commands.find((c) => c.name() === "fit")!;
    expect(cmd.options.map((o) => o.long)).toEqual(expect.arrayContaining(["--metric", "--target", "--at", "--confidence", "--seed", "--json"]));
  });

  it("turns bad input into typed errors naming file, line and field", () => {
    expect(() => runFitCommand(join(dir, "nope.csv"), {})).toThrow(/nope.csv: no such file/);
    expect(() => runFitCommand(file("empty.csv", ""), {})).toThrow(/empty/);
    expect(() => runFitCommand(file("cols.csv", "x,acc\n1,2\n"), {})).toThrow(/missing columns n, score/);
    expect(() => runFitCommand(file("nan.csv", "n,score\n10,0.5\n20,x\n40,0.7\n"), {})).toThrow(/nan.csv: line 3: field "score" is not a number/);
    expect(() => runFitCommand(file("few.csv", "n,score\n10,0.5\n20,0.6\n"), {})).toThrow(/few.csv: a learning curve needs at least 3 distinct sizes/);
    expect(() => runFitCommand(good, { confidence: "80" })).toThrow(InputError);
    expect(() => runFitCommand(good, { at: "1000,abc" })).toThrow(/--at/);
    expect(() => runFitCommand(good, { target: "1.5" })).toThrow(/--target/);
  });
});
