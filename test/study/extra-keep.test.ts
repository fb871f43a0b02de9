/**
 * --extra-keep on synthetic tabular data with the real engine (in this process): an extra set that is half rows from
 * the user's process and half shifted rows with inverted labels; keeping the half most like the user's rows
 * (importance weights from the domain classifier) keeps mostly the relevant half and is worth more than the whole
 * set. An extra set from an unrelated task on the same columns is worth about nothing or less.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimate } from "../../src/study/estimate.js";
import { keepSimilar, parseKeep } from "../../src/study/extra/keep.js";
import { InputError } from "../../src/errors.js";
import { engineBuilt } from "../cli/fixtures/env.js";
import { realInProcessDeps, writeTask } from "./fixtures/extra-task.js";

describe("--extra-keep parsing and selection", () => {
  it("reads similar:F with F in (0, 1]; anything else is BAD_EXTRA_KEEP", () => {
    expect(parseKeep("similar:0.5")).toMatchObject({ rule: "similar", fraction: 0.5 });
    expect(parseKeep("similar:1").fraction).toBe(1);
    for (const bad of ["similar:0", "similar:1.5", "top:0.5", "similar", "similar:-0.2"]) {
      expect(() => parseKeep(bad)).toThrow(InputError);
    }
  });

  it("keeps the rows least likely to be extra (largest importance weight), ties by row id", () => {
    const p = Float64Array.from([0.9, 0.1, 0.5, 0.1, 0.99, 0.3]);
    const k = keepSimilar(p, 0.5);
    expect(Array.from(k.rows)).toEqual([1, 3, 5]);
    expect(k.weights.max).toBeCloseTo(9, 6);
    expect(k.weights.min).toBeCloseTo(0.7 / 0.3, 6);
  });
});

describe.skipIf(!engineBuilt)("estimate --extra --extra-keep (real engine)", () => {
  it("keeping the rows most like yours drops a harmful shifted half; an unrelated task is worth about nothing", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-extra-keep-"));
    const mine = join(dir, "mine.csv");
    writeTask(mine, 1000, 11);
    const good = join(dir, "good.csv");
    const bad = join(dir, "bad.csv");
    writeTask(good, 400, 22);
    writeTask(bad, 400, 33, { shift: 2.5, flip: true });
    // The mixed set: relevant rows first (rows 0-399), then the shifted, inverted ones (400-799).
    const mixed = join(dir, "mixed.csv");
    writeFileSync(mixed, readFileSync(good, "utf8") + readFileSync(bad, "utf8").split("\n").slice(1).join("\n"));
    const unrelated = join(dir, "unrelated.csv");
    writeTask(unrelated, 800, 44, { unrelated: true });
    const { deps: real, data } = await realInProcessDeps();
    let kept: Int32Array | undefined;
    const deps = {
      ...real,
      // Spy on the rows kept (the selection is by the domain classifier's scores).
      combineWithExtra: (ds: never, x: never, o: { cacheRoot?: string; keep?: Int32Array }) => ((kept = o.keep ?? kept), data.combineWithExtra(ds, x, o)),
    };
    const run = (extra: string, extraKeep?: string) =>
      estimate(
        { data: mine, targetColumn: "label", extra, ...(extraKeep ? { extraKeep } : {}), model: "mlp:width=0.25", sizes: "20,40,80,160", seeds: 3, recipe: { epochs: 30, earlyStopping: false }, store: join(dir, "e.db"), cacheRoot: join(dir, "cache"), bootstrap: 60 },
        { deps },
      );
    const m = (await run(mixed, "similar:0.5")).extra!;
    console.log(`${m.sentence}\n${m.kept?.sentence}\n${m.kept?.notes.join("\n")}`);
    expect(m.kept!.rows).toBe(400);
    const fromGood = Array.from(kept!).filter((r) => r < 400).length;
    expect(fromGood / kept!.length).toBeGreaterThan(0.85);
    expect(m.kept!.worth!.mean).toBeGreaterThan(m.worth!.mean);
    expect(m.kept!.worth!.mean).toBeGreaterThan(0);
    // The kept rows' Runs are their own (ids hash the kept rows), distinct from the whole set's.
    expect(m.kept!.runs.length).toBe(9);
    expect(m.kept!.runs.map((r) => r.id).filter((id) => m.runs.some((x) => x.id === id))).toEqual([]);
    // Another task on the same columns: indistinguishable inputs, labels by another rule: no positive worth.
    const u = (await run(unrelated)).extra!;
    console.log(u.sentence, u.notes.join(" "));
    expect(u.worth!.mean).toBeLessThan(50);
    expect(u.domain!.auc).toBeLessThan(0.65);
  }, 150_000);
});
