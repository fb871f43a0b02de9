import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strategies } from "../../src/study/strategies/strategies.js";
import { parseLever } from "../../src/study/strategies/levers.js";
import { runId, runInputs } from "../../src/study/run.js";
import { mulberry32 } from "../../src/rng.js";
import { engineBuilt } from "../cli/fixtures/env.js";

/**
 * Two tasks on the same inputs: 24 features, of which two hidden directions carry the signal. The source labels
 * the quadrant of (u, v) (4 classes); the target asks whether u and v have the same sign (XOR, 2 classes). A model
 * pretrained on the source has features that make the target almost linear; from scratch, a few dozen samples of
 * an XOR hidden in 24 dimensions are close to chance.
 */
function writeTasks(dir: string): { source: string; target: string } {
  const rnd = mulberry32(11);
  const gauss = () => Math.sqrt(-2 * Math.log(rnd() + 1e-12)) * Math.cos(2 * Math.PI * rnd());
  const d = 24;
  const header = [...Array.from({ length: d }, (_, j) => `f${j}`), "label"].join(",");
  const rows = (n: number, label: (u: number, v: number) => string) => {
    const out = [header];
    for (let i = 0; i < n; i++) {
      const x = Array.from({ length: d }, gauss);
      const u = x[0]! + x[1]! - x[2]!;
      const v = x[3]! - x[4]! + x[5]!;
      out.push([...x.map((a) => a.toFixed(3)), label(u, v)].join(","));
    }
    return out.join("\n") + "\n";
  };
  const source = join(dir, "source.csv");
  const target = join(dir, "target.csv");
  writeFileSync(source, rows(1500, (u, v) => `q${(u > 0 ? 1 : 0) + (v > 0 ? 2 : 0)}`));
  writeFileSync(target, rows(700, (u, v) => (u * v > 0 ? "same" : "diff")));
  return { source, target };
}

describe("transfer:source (Run ids)", () => {
  it("parses source, classes, size and mode; a transfer Run's id hashes the artifact key, not its folder; plain ids are unchanged", () => {
    expect(parseLever("transfer:source=a.csv,classes=0-4,mode=head")).toMatchObject({ kind: "transfer", source: "a.csv", classes: "0-4", mode: "head" });
    expect(parseLever("transfer:source=a.csv,classes=cat+dog")).toMatchObject({ classes: "cat,dog", mode: "head-then-full" });
    expect(() => parseLever("transfer:source=a.csv,mode=frozen")).toThrow(/mode must be full, head, head-then-full/);
    expect(() => parseLever("transfer:backbone=x,classes=0-4")).toThrow(/belongs to transfer:source/);
    const plain = { fingerprint: "f00", subset: { size: 100, seed: 0 }, spec: { family: "mlp" }, recipe: { lr: 0.001, seed: 0 }, validFraction: 0.15 };
    // Golden: this plain Run's id before artifacts existed (computed on the commit before them).
    expect(runId(runInputs(plain, "e1"))).toBe(PLAIN_ID);
    const job = (dir: string) => ({ ...plain, recipe: { ...plain.recipe, init: { weights: dir, skipHead: true }, finetune: "head-then-full" }, artifact: { key: "pabc" } });
    const a = runInputs(job("/store/one/artifacts/pabc"), "e1");
    expect(JSON.stringify(a)).not.toContain("/store/");
    expect(JSON.stringify(a)).toContain("artifact:pabc");
    expect(runId(a)).toBe(runId(runInputs(job("/elsewhere/artifacts/pabc"), "e1")));
    expect(runId(a)).not.toBe(runId(runInputs({ ...job("/x"), artifact: { key: "pother" } }, "e1")));
  });
});

const PLAIN_ID = "rf0165882b5f13dff7605";

describe.skipIf(!engineBuilt)("transfer:source (real engine)", () => {
  it("pretrains once on a related source, beats the baseline at small sizes, and a moved store re-uses the artifact and every Run", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-transfer-"));
    const { source, target } = writeTasks(dir);
    const lever = `transfer:source=${source}`;
    const opts = (store: string) => ({ data: target, targetColumn: "label", model: "mlp:depth=2,width=0.25", try: [lever], sizes: "24,48,96", seeds: 2, jobs: 2, threads: 1, store, cacheRoot: join(dir, "cache"), bootstrap: 60 });
    const first = await strategies(opts(join(dir, "a", "s.db")));
    const row = first.levers[0]!;
    expect(row.kind).toBe("transfer");
    expect(row.cost.pretrain).toMatchObject({ reused: false });
    expect(row.cost.pretrain!.seconds).toBeGreaterThan(0);
    const artifacts = readdirSync(join(dir, "a", "artifacts"));
    expect(artifacts).toEqual([row.cost.pretrain!.artifact]);
    expect(existsSync(join(dir, "a", "artifacts", artifacts[0]!, "model.json"))).toBe(true);
    // The shared structure is worth data at the smallest size: more baseline samples than n for the same score.
    expect(row.multiplier!.perSize[0]!.value).toBeGreaterThan(1);
    // The verdict rests on measured sizes, not on a pool reading extrapolated off both curves.
    expect(row.verdict).not.toBe("hurts");
    expect(row.summary).not.toMatch(/extrapolated/);
    expect(first.decisions.join("\n")).toMatch(/pretrained on [\d,]+ source rows/);

    renameSync(join(dir, "a"), join(dir, "b"));
    const second = await strategies(opts(join(dir, "b", "s.db")));
    expect(second.levers[0]!.cost.pretrain).toMatchObject({ reused: true, artifact: row.cost.pretrain!.artifact });
    expect(second.decisions.join("\n")).toMatch(/re-used the pretrained model/);
    expect(second.runs.length).toBe(first.runs.length);
    expect(second.runs.every((r) => r.reused)).toBe(true);
  }, 120_000);

  it("a source with another input shape is a typed error before anything trains", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-transfer-shape-"));
    const { target } = writeTasks(dir);
    const other = join(dir, "other.csv");
    writeFileSync(other, "a,b,label\n" + Array.from({ length: 40 }, (_, i) => `${i},${i % 3},${i % 2 ? "x" : "y"}`).join("\n") + "\n");
    const err = await strategies({ data: target, targetColumn: "label", try: [`transfer:source=${other}`], sizes: "24", seeds: 1, store: join(dir, "s.db"), cacheRoot: join(dir, "cache") }).catch((e) => e);
    expect(err.code).toBe("TRANSFER_SHAPE");
    expect(err.message).toMatch(/the source.s inputs are dense \[\d+\], the data.s are dense \[24\]/);
    expect(existsSync(join(dir, "artifacts"))).toBe(false);
  });
});

