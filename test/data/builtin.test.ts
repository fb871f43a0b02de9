import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { loadDataset, nestedSubsets, planSizes } from "../../src/data/index.js";
import { InputError } from "../../src/errors.js";
import { tempDir } from "./helpers.js";

const cacheRoot = join(tempDir(), "cache");

describe("builtin:fashion-mnist", () => {
  it("loads with the official split, caches, and feeds nested subsets", async () => {
    const ds = await loadDataset({ source: "builtin:fashion-mnist", cacheRoot });
    expect(ds.schema.kind).toBe("image");
    expect(ds.schema.classes![9]).toBe("Ankle boot");
    expect(ds.tensors.xShape).toEqual([1, 28, 28]);
    expect(ds.tensors.x).toBeInstanceOf(Uint8Array);
    expect(ds.split.pool.length).toBe(60000);
    expect(ds.split.test.length).toBe(10000);
    expect(ds.tensors.imageMean![0]).toBeCloseTo(0.286, 3);
    const again = await loadDataset({ source: "builtin:fashion-mnist", cacheRoot });
    expect(again.fromCache).toBe(true);
    expect(again.tensors.x.length).toBe(70000 * 784);
    const sizes = planSizes({ poolSize: ds.split.pool.length, numClasses: 10 });
    const sub = nestedSubsets(ds.split.pool, ds.tensors.y as Int32Array, sizes, 0);
    expect(sub.subsets[0]!.length).toBe(50);
    expect(new Set(Array.from(sub.subsets[0]!, (i) => ds.tensors.y[i])).size).toBe(10);
  });

  it("--classes 5-9 keeps those classes on both sides of the official split, re-indexed, with the names kept", async () => {
    const ds = await loadDataset({ source: "builtin:fashion-mnist", cacheRoot, classes: "5-9" });
    expect(ds.schema.classes).toEqual(["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]);
    expect(ds.tensors.numClasses).toBe(5);
    expect(ds.split.pool.length).toBe(30000);
    expect(ds.split.test.length).toBe(5000);
    expect(ds.report.classFilter).toEqual({ classes: ["Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"], rowsDropped: 35000 });
    await expect(loadDataset({ source: "builtin:fashion-mnist", cacheRoot, classes: "8-10" })).rejects.toMatchObject({ code: "UNKNOWN_CLASS" });
  });

  it("suggests the right name for a misspelled built-in", async () => {
    const err = await loadDataset({ source: "builtin:fashion-mnsit", cacheRoot }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.hint).toMatch(/builtin:fashion-mnist/);
  });
});
