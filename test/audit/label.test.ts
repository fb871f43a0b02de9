import { describe, expect, it } from "vitest";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { audit } from "../../src/audit/index.js";
import { rand, tmp } from "./fixtures.js";

const engineBuilt = existsSync(join(import.meta.dirname, "../../native/build/Release/enough_native.node"));

/** Three separable blobs in 4-D with 6% of labels flipped (seeded); returns the flipped row ids. */
function blobs(dir: string, n = 900): { file: string; flipped: Set<number> } {
  const r = rand(21);
  const gauss = () => Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
  const centres = [[0, 0, 0, 0], [3, 3, 0, 0], [0, 3, 3, 0]];
  const names = ["ant", "bee", "cat"];
  const lines = ["f1,f2,f3,f4,group,label"];
  const flipped = new Set<number>();
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const x = centres[c]!.map((m) => (m + 0.8 * gauss()).toFixed(4));
    let label = c;
    if (r() < 0.06) {
      label = (c + 1 + Math.floor(r() * 2)) % 3;
      flipped.add(i);
    }
    lines.push(`${x.join(",")},${i % 2 ? "g1" : "g2"},${names[label]}`);
  }
  const file = join(dir, "blobs.csv");
  writeFileSync(file, lines.join("\n") + "\n");
  return { file, flipped };
}

describe("model-based checks on the engine", () => {
  it.skipIf(!engineBuilt)("confident learning on out-of-fold predictions finds planted label flips; group metrics come with intervals", async () => {
    const dir = tmp();
    const { file, flipped } = blobs(dir);
    const rep = await audit({ source: file, target: "label", groups: ["group"], cacheRoot: join(dir, "cache") }, { folds: 4, epochs: 20, threads: 1, seed: 1 });
    const label = rep.issues.find((i) => i.type === "label")!;
    expect(label).toBeDefined();
    let tp = 0;
    for (const r of label.rows) if (flipped.has(r)) tp++;
    expect(tp / label.rows.length).toBeGreaterThan(0.7);
    expect(tp / flipped.size).toBeGreaterThan(0.6);
    const noise = label.details.estimatedNoiseRate as number;
    expect(noise).toBeGreaterThan(0.02);
    expect(noise).toBeLessThan(0.15);
    // the two groups are alike: no underperforming group, and each group's interval contains its value
    expect(rep.issues.find((i) => i.type === "underperforming_group")).toBeUndefined();
    for (const g of rep.bias[0]!.groups) {
      expect(g.accuracy.lo).toBeLessThanOrEqual(g.accuracy.value);
      expect(g.accuracy.hi).toBeGreaterThanOrEqual(g.accuracy.value);
      expect(g.smallSample).toBe(false);
    }
    // per-row scores for every row, and the diversity summary per class
    expect(rep.rowScores.scores.label!.filter((v) => v !== null).length).toBe(rep.data.rows);
    expect(rep.diversity!.vendi.length).toBe(3);
    expect(rep.model!.outOfFoldAccuracy).toBeGreaterThan(0.8);
  }, 120_000);
});

describe("worth in samples", () => {
  it.skipIf(!engineBuilt)("removing flagged labels: both curves on the same subsets, a multiplier with its interval, honest words", async () => {
    const dir = tmp();
    const { file } = blobs(dir, 1200);
    const rep = await audit({ source: file, target: "label", cacheRoot: join(dir, "cache") }, { folds: 3, epochs: 15, threads: 1, seed: 2, worth: true, relabel: true, curveSeeds: 2 });
    const w = rep.worth.find((x) => x.kind === "label")!;
    expect(w).toBeDefined();
    expect(w.removedRows).toBeGreaterThan(0);
    const base = w.points.filter((p) => p.variant === "baseline");
    const clean = w.points.filter((p) => p.variant === "cleaned");
    expect(base.map((p) => `${p.n}:${p.seed}`).sort()).toEqual(clean.map((p) => `${p.n}:${p.seed}`).sort());
    for (const p of clean) expect(p.trainedOn).toBeLessThanOrEqual(p.n);
    if (w.multiplier) {
      expect(w.multiplier.lo).toBeLessThanOrEqual(w.multiplier.hi);
      if (w.multiplier.hi / Math.max(w.multiplier.lo, 1e-9) > 20 && w.measured) expect(w.sentence).toMatch(/too uncertain to price it/);
      else if (w.multiplier.lo <= 1 && w.multiplier.hi >= 1) expect(w.sentence).toMatch(/no measurable effect/);
      else expect(w.sentence).toMatch(/worth about|costs data/);
    } else {
      // no multiplier: the sentence must say the curves could not be fitted, not stay silent
      expect(w.sentence).toMatch(/could not be fitted/);
    }
    expect(w.sentence).toMatch(/Test accuracy with all \d+ pool rows/);
    const re = rep.worth.find((x) => x.kind === "label_relabelled")!;
    expect(re.removedRows).toBe(w.removedRows);
    expect(re.points.filter((p) => p.variant === "cleaned").every((p) => p.trainedOn === p.n)).toBe(true);
    expect(re.sentence).toMatch(/^Relabelling the/);
  }, 120_000);
});
