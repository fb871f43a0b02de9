import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { loadDataset } from "../../src/data/index.js";
import { DataError, InputError } from "../../src/errors.js";
import { tempDir, write } from "./helpers.js";

const dir = tempDir();
const cacheRoot = join(dir, "cache");
const load = (source: string, target = "y", extra = {}) => loadDataset({ source, target, cacheRoot, ...extra });
const rowsOf = (n: number, f: (i: number) => string) => Array.from({ length: n }, (_, i) => f(i)).join("\n") + "\n";

describe("bad input", () => {
  it("rows with the wrong number of fields are skipped and named by line", async () => {
    const body = rowsOf(40, (i) => (i === 5 ? "1,2" : i === 9 ? "1,2,3,4" : `${i},${i % 3},${i % 2 ? "a" : "b"}`));
    const ds = await load(write(dir, "fields.csv", "x,z,y\n" + body));
    expect(ds.report).toMatchObject({ rowsRead: 40, rowsKept: 38, rowsSkipped: 2 });
    const s = ds.report.skipped.find((k) => k.reason === "wrong number of fields")!;
    expect(s.count).toBe(2);
    expect(s.examples.join(" ")).toMatch(/line 7: .*line 11:/);
    expect(ds.report.warnings.join("\n")).toMatch(/2 rows skipped: wrong number of fields/);
  });

  it("bad quoting is reported with its line", async () => {
    const body = rowsOf(30, (i) => (i === 3 ? `${i},"a"b,x` : `${i},${i % 4},${i % 2 ? "a" : "b"}`));
    const ds = await load(write(dir, "quotes.csv", "x,z,y\n" + body));
    const s = ds.report.skipped.find((k) => k.reason.includes("bad quoting"))!;
    expect(s.count).toBe(1);
    expect(s.examples[0]).toMatch(/^line 5:/);
    expect(ds.report.rowsKept).toBe(29);
  });

  it("a missing or misspelled target suggests the closest names", async () => {
    const f = write(dir, "t.csv", "age,income,label\n" + rowsOf(10, (i) => `${i},${i * 2},${i % 2}`));
    const err = await load(f, "lable").catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.code).toBe("MISSING_TARGET");
    expect(err.message).toContain("t.csv");
    expect(err.hint).toMatch(/did you mean 'label'/);
    expect(err.details.field).toBe("lable");
  });

  it("a target with one class only is an error", async () => {
    const f = write(dir, "one.csv", "a,y\n" + rowsOf(20, (i) => `${i},same`));
    const err = await load(f).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe("ONE_CLASS");
    expect(err.message).toMatch(/single class \('same'\)/);
  });

  it("a class with a single example is a warning naming it and its line", async () => {
    const f = write(dir, "single.csv", "a,y\n" + rowsOf(30, (i) => `${(i * 7) % 11},${i === 17 ? "rare" : i % 2 ? "p" : "q"}`));
    const ds = await load(f);
    expect(ds.report.warnings.join("\n")).toMatch(/'rare' \(line 19\)/);
    const rare = ds.schema.classes!.indexOf("rare");
    expect(Array.from(ds.split.pool).some((i) => ds.tensors.y[i] === rare)).toBe(true);
  });

  it("rows with a missing target are skipped with their lines", async () => {
    const f = write(dir, "missing-y.csv", "a,y\n" + rowsOf(30, (i) => `${(i * 7) % 11},${i === 4 || i === 8 ? "" : i % 2 ? "p" : "q"}`));
    const ds = await load(f);
    const s = ds.report.skipped.find((k) => k.reason.startsWith("missing target"))!;
    expect(s.count).toBe(2);
    expect(s.examples).toEqual(["line 6", "line 10"]);
  });

  it("non-UTF-8 bytes: a few rows are skipped; a whole Latin-1 file is an error with a conversion hint", async () => {
    const rows = Array.from({ length: 30 }, (_, i) => Buffer.from(`${(i * 7) % 11},${i % 2 ? "p" : "q"}\n`));
    rows[12] = Buffer.concat([Buffer.from("12,caf"), Buffer.from([0xe9]), Buffer.from("\n")]);
    const ds = await load(write(dir, "bytes.csv", Buffer.concat([Buffer.from("a,y\n"), ...rows])));
    const s = ds.report.skipped.find((k) => k.reason.includes("UTF-8"))!;
    expect(s.count).toBe(1);
    expect(s.examples[0]).toMatch(/^line 14/);
    const latin = Buffer.concat([Buffer.from("a,y\n"), ...Array.from({ length: 20 }, (_, i) => Buffer.concat([Buffer.from(`${i},caf`), Buffer.from([0xe9 + (i % 2)]), Buffer.from("\n")]))]);
    const err = await load(write(dir, "latin1.csv", latin)).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.hint).toMatch(/iconv/);
  });

  it("duplicate header names are an error naming both columns", async () => {
    const err = await load(write(dir, "dup.csv", "a,b,a,y\n1,2,3,p\n")).catch((e) => e);
    expect(err).toBeInstanceOf(DataError);
    expect(err.code).toBe("DUPLICATE_COLUMN");
    expect(err.message).toMatch(/'a' \(columns 1 and 3/);
  });

  it("a 0-byte file, a header-only file and a missing file", async () => {
    const e0 = await load(write(dir, "empty.csv", "")).catch((e) => e);
    expect(e0).toBeInstanceOf(DataError);
    expect(e0.code).toBe("EMPTY_FILE");
    expect(e0.message).toContain("empty.csv");
    const e1 = await load(write(dir, "header.csv", "a,y\n")).catch((e) => e);
    expect(e1).toBeInstanceOf(DataError);
    const e2 = await load(join(dir, "nope.csv")).catch((e) => e);
    expect(e2).toBeInstanceOf(InputError);
    expect(e2.code).toBe("FILE_NOT_FOUND");
  });

  it("JSONL: invalid JSON, blank lines and non-objects are counted by line", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: `the review number ${i} is ${i % 2 ? "good" : "bad"}`, y: i % 2 ? "pos" : "neg" }));
    lines[3] = "{not json";
    lines[6] = "";
    lines[9] = "[1, 2]";
    const ds = await load(write(dir, "bad.jsonl", lines.join("\n") + "\n"));
    const by = Object.fromEntries(ds.report.skipped.map((s) => [s.reason, s.examples]));
    expect(by["invalid JSON"]).toEqual(["line 4"]);
    expect(by["blank line"]).toEqual(["line 7"]);
    expect(by["not a JSON object"]).toEqual(["line 10"]);
    expect(ds.report.rowsKept).toBe(17);
  });

  it("empty texts are skipped and named", async () => {
    const lines = Array.from({ length: 20 }, (_, i) => JSON.stringify({ text: i === 2 || i === 5 ? "" : `some words for row ${i}`, y: i % 2 }));
    const ds = await load(write(dir, "empty-text.jsonl", lines.join("\n") + "\n"), "y", { textColumn: "text" });
    const s = ds.report.skipped.find((k) => k.reason.startsWith("empty text"))!;
    expect(s.count).toBe(2);
    expect(s.examples).toEqual(["line 3", "line 6"]);
  });

  it("unknown --kind, group and test columns are input errors with suggestions", async () => {
    const f = write(dir, "cols.csv", "colour,size,y\n" + rowsOf(10, (i) => `r,${i},${i % 2}`));
    await expect(load(f, "y", { kinds: { color: "categorical" } })).rejects.toThrow(/'color' not found/);
    const e = await load(f, "y", { groups: ["colr"] }).catch((x) => x);
    expect(e.hint).toMatch(/colour/);
    await expect(load(f, "y", { groupSplit: true })).rejects.toThrow(/--group-split needs a --group/);
  });
});

describe("bad input: unterminated quote", () => {
  it("says how many lines an unterminated quote swallowed", async () => {
    const body = rowsOf(30, (i) => (i === 25 ? `${i},"open,p` : `${(i * 7) % 11},${i % 2 ? "p" : "q"}`));
    const ds = await load(write(dir, "open-quote.csv", "a,y\n" + body));
    expect(ds.report.skipped.find((k) => k.reason.includes("bad quoting"))!.examples[0]).toMatch(/^line 27/);
    expect(ds.report.warnings.join("\n")).toMatch(/line 27 opens a quote that is never closed: 4 following line\(s\)/);
  });
});
