/**
 * --extra on small synthetic tabular data with the real engine (in this process: no worker processes): an extra set
 * from the same generating process is worth clearly more than nothing, a shifted one less, one with shuffled
 * labels about nothing or less; the domain classifier tells the shifted set apart and not the relevant one.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimate } from "../../src/study/estimate.js";
import { realInProcessDeps, writeTask } from "./fixtures/extra-task.js";
import { engineBuilt } from "../cli/fixtures/env.js";
import { auc } from "../../src/study/extra/auc.js";
import { ks } from "../../src/study/extra/drift.js";

describe("auc and ks", () => {
  it("read 0.5 / 1 and 0 / 1 at the extremes", () => {
    expect(auc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(auc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBe(0.5);
    expect(ks(Float64Array.from([1, 2, 3]), Float64Array.from([1, 2, 3]))).toBe(0);
    expect(ks(Float64Array.from([1, 2, 3]), Float64Array.from([4, 5, 6]))).toBe(1);
  });
});

describe.skipIf(!engineBuilt)("estimate --extra (real engine)", () => {
  it("relevant extra data is worth clearly more than shifted data, and shuffled labels about nothing or less", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-extra-"));
    const mine = join(dir, "mine.csv");
    writeTask(mine, 1000, 11);
    const files = { relevant: join(dir, "relevant.csv"), shifted: join(dir, "shifted.csv"), shuffled: join(dir, "shuffled.csv") };
    writeTask(files.relevant, 800, 22);
    writeTask(files.shifted, 800, 33, { shift: 2.5 });
    writeTask(files.shuffled, 800, 44, { shuffle: true });
    const { deps } = await realInProcessDeps();
    const run = (extra: string) =>
      estimate(
        { data: mine, targetColumn: "label", extra, model: "mlp:width=0.25", sizes: "20,40,80,160", seeds: 3, recipe: { epochs: 30, earlyStopping: false }, store: join(dir, "e.db"), cacheRoot: join(dir, "cache"), bootstrap: 60 },
        { deps },
      );
    const relevant = (await run(files.relevant)).extra!;
    const shifted = (await run(files.shifted)).extra!;
    const shuffled = (await run(files.shuffled)).extra!;
    console.log([relevant, shifted, shuffled].map((x) => `${x.sentence} [${x.worth?.points.map((p) => `${p.n}: ${p.alone.toFixed(3)} -> ${p.withExtra.toFixed(3)}`).join(", ")}]`).join("\n"));
    expect(relevant.worth!.n).toBe(160);
    expect(relevant.worth!.lo).toBeGreaterThan(0);
    expect(relevant.worth!.mean).toBeGreaterThan(shifted.worth!.mean);
    expect(shuffled.worth!.mean).toBeLessThanOrEqual(0.25 * relevant.worth!.mean);
    expect(shuffled.worth!.mean).toBeLessThan(100);
    // The domain classifier: the same process is hard to tell apart, a shift is easy.
    expect(relevant.domain!.auc).toBeLessThan(0.65);
    expect(shifted.domain!.auc).toBeGreaterThan(0.85);
    expect(shifted.drift[0]!.column).toMatch(/^[ac]$/);
    expect(relevant.runs.every((r) => r.status === "done")).toBe(true);
    // Extra Runs' ids differ from the pool-alone Runs' (the extra set's fingerprint is in them).
    expect(new Set(relevant.runs.map((r) => r.id)).size).toBe(relevant.runs.length);
    expect(relevant.runs.map((r) => r.id)).not.toEqual(shuffled.runs.map((r) => r.id));
  }, 120_000);
});
