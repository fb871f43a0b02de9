import { describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { datasetFingerprint, loadDataset } from "../../src/data/index.js";
import { fingerprintOptions } from "../../src/data/options.js";
import { selectClasses } from "../../src/data/classes.js";
import { InputError } from "../../src/errors.js";
import { tempDir, write } from "./helpers.js";

const dir = tempDir("enough-classes-");
const cacheRoot = join(dir, "cache");

/** 10 integer classes, 12 rows each, in a fixed order (labels 0..9, two features that depend on the label). */
function digitsCsv(): string {
  const lines = ["f1,f2,label"];
  for (let i = 0; i < 120; i++) lines.push(`${(i % 10) + (i % 7) * 0.01},${i * 0.5},${i % 10}`);
  return lines.join("\n") + "\n";
}

describe("the class filter (--classes)", () => {
  it("selects ids, ranges and names; an unknown class is a typed error that lists the classes", () => {
    expect(selectClasses(["0", "1", "2", "3", "4", "5"], "2-4")).toEqual([2, 3, 4]);
    expect(selectClasses(["3", "7", "12"], "7,12")).toEqual([1, 2]);
    expect(selectClasses(["cat", "dog", "owl"], "owl, cat")).toEqual([0, 2]);
    expect(selectClasses(["T-shirt/top", "Trouser", "Pullover"], "1-2")).toEqual([1, 2]);
    const err = (() => {
      try {
        selectClasses(["cat", "dog"], "cat,cow");
      } catch (e) {
        return e as InputError;
      }
    })();
    expect(err).toBeInstanceOf(InputError);
    expect(err!.code).toBe("UNKNOWN_CLASS");
    expect(err!.message).toMatch(/'cow'/);
    expect(err!.hint).toMatch(/0=cat, 1=dog/);
    expect(() => selectClasses(["0", "1"], "1")).toThrow(/single class/);
  });

  it("keeps only the chosen rows before the split, re-indexes labels, counts the dropped rows; the fingerprint changes only when given", async () => {
    const csv = write(dir, "digits.csv", digitsCsv());
    const plain = await datasetFingerprint({ source: csv, cacheRoot });
    // The key of a load without --classes is what it was before the filter existed (no classes field at all).
    expect(Object.keys(fingerprintOptions({ source: csv }))).not.toContain("classes");
    // Golden: the fingerprint this file had before --classes existed (computed on the commit before it).
    expect(plain.fingerprint).toBe("c592d713ff76309ef5a0d16e");
    expect(plain.fingerprint).toBe((await datasetFingerprint({ source: csv, cacheRoot, classes: undefined })).fingerprint);
    const filtered = await datasetFingerprint({ source: csv, cacheRoot, classes: "5-9" });
    expect(filtered.fingerprint).not.toBe(plain.fingerprint);
    expect((await datasetFingerprint({ source: csv, cacheRoot, classes: " 5-9 " })).fingerprint).toBe(filtered.fingerprint);

    const ds = await loadDataset({ source: csv, cacheRoot, classes: "5-9" });
    expect(ds.schema.classes).toEqual(["5", "6", "7", "8", "9"]);
    expect(ds.tensors.numClasses).toBe(5);
    expect(ds.tensors.n).toBe(60);
    expect(ds.split.pool.length + ds.split.test.length).toBe(60);
    expect(Math.max(...Array.from(ds.tensors.y as Int32Array))).toBe(4);
    // Row 0 kept is the file's row 5 (label 5 -> 0, f1 = 5.05 standardised later, so check the label only).
    expect((ds.tensors.y as Int32Array)[0]).toBe(0);
    expect(ds.report).toMatchObject({ rowsRead: 120, rowsKept: 60, rowsSkipped: 0, classFilter: { classes: ["5", "6", "7", "8", "9"], rowsDropped: 60 } });
    expect(ds.report.warnings.join("\n")).toMatch(/--classes 5-9: kept 5 of 10 classes .*60 rows of other classes left out/);
    const cached = await loadDataset({ source: csv, cacheRoot, classes: "5-9" });
    expect(cached.fromCache).toBe(true);
    expect(cached.report.classFilter?.rowsDropped).toBe(60);

    const bad = await loadDataset({ source: csv, cacheRoot, classes: "5-12" }).catch((e) => e);
    expect(bad).toBeInstanceOf(InputError);
    expect(bad.code).toBe("UNKNOWN_CLASS");
    expect(bad.hint).toMatch(/0, 1, 2, 3, 4, 5, 6, 7, 8, 9/);
  });

  it("image folders: other classes' files are never decoded and are counted", async () => {
    const root = join(dir, "imgs");
    for (const [c, bg] of [["cat", "#f00"], ["dog", "#0f0"], ["owl", "#00f"]] as const) {
      mkdirSync(join(root, c), { recursive: true });
      for (let i = 0; i < 3; i++) await sharp({ create: { width: 8, height: 8, channels: 3, background: bg } }).png().toFile(join(root, c, `${i}.png`));
    }
    const ds = await loadDataset({ source: root, cacheRoot, classes: "owl,dog" });
    expect(ds.schema.classes).toEqual(["dog", "owl"]);
    expect(ds.tensors.n).toBe(6);
    expect(ds.report).toMatchObject({ rowsRead: 9, rowsKept: 6, rowsSkipped: 0, classFilter: { rowsDropped: 3 } });
    await expect(loadDataset({ source: root, cacheRoot, classes: "cow" })).rejects.toMatchObject({ code: "UNKNOWN_CLASS" });
  });
});
