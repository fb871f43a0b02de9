import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { readFileSync, writeFileSync, utimesSync } from "node:fs";
import { DuckDBInstance } from "@duckdb/node-api";
import { loadDataset, loadCachedDataset, encodeRows, encodeTarget } from "../../src/data/index.js";
import { tempDir, write, tabularCsv } from "./helpers.js";

const dir = tempDir();
const cacheRoot = join(dir, "cache");
const csv = write(dir, "people.csv", tabularCsv(600));

describe("CSV → Dataset", () => {
  it("infers the schema, splits stratified, and encodes dense features + embedding ids", async () => {
    const ds = await loadDataset({ source: csv, target: "label", cacheRoot });
    const kind = Object.fromEntries(ds.schema.columns.map((c) => [c.name, [c.kind, c.role]]));
    expect(kind).toEqual({
      id: ["id", "ignored"],
      age: ["numeric", "feature"],
      income: ["numeric", "feature"],
      colour: ["categorical", "feature"],
      city: ["categorical", "feature"],
      label: ["categorical", "target"],
    });
    expect(ds.schema.task).toBe("classification");
    expect(ds.schema.classes).toEqual(["mid", "old", "young"]);
    const income = ds.schema.columns.find((c) => c.name === "income")!;
    expect(income.missing).toBeGreaterThan(30);
    expect(ds.schema.columns.find((c) => c.name === "colour")!.missing).toBeGreaterThan(10); // "NA" is missing
    const t = ds.tensors;
    expect(t.n).toBe(600);
    expect(t.xKind).toBe("dense");
    // age, income, income:missing, colour ×3 + colour:missing
    expect(t.xShape).toEqual([7]);
    expect(t.catCardinalities).toEqual([62]); // 60 cities + missing + rare
    expect(t.cat!.length).toBe(600);
    expect(ds.split.test.length).toBe(120);
    expect(ds.split.pool.length).toBe(480);
    // Stratified: each class's share of the test set within one row of its share overall.
    const y = t.y as Int32Array;
    for (let c = 0; c < 3; c++) {
      const all = y.filter((v) => v === c).length;
      const inTest = Array.from(ds.split.test).filter((i) => y[i] === c).length;
      expect(Math.abs(inTest - all * 0.2)).toBeLessThanOrEqual(1);
    }
    // Standardised on the pool: pool mean of age ≈ 0, std ≈ 1.
    const d = t.xShape[0]!;
    const ages = Array.from(ds.split.pool, (i) => (t.x as Float32Array)[i * d]!);
    const mean = ages.reduce((a, b) => a + b, 0) / ages.length;
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(ds.fromCache).toBe(false);
    expect(ds.report).toMatchObject({ rowsRead: 600, rowsKept: 600, rowsSkipped: 0 });
  });

  it("loads from the cache the second time, without parsing", async () => {
    const a = await loadDataset({ source: csv, target: "label", cacheRoot });
    expect(a.fromCache).toBe(true);
    const phases: string[] = [];
    const b = await loadDataset({ source: csv, target: "label", cacheRoot, onProgress: (e) => phases.push(e.phase) });
    expect(b.fromCache).toBe(true);
    expect(phases).not.toContain("read");
    expect(phases).toContain("cache-read");
    const fresh = await loadDataset({ source: csv, target: "label", cacheRoot, refresh: true });
    expect(fresh.fromCache).toBe(false);
    expect(Array.from(b.tensors.x)).toEqual(Array.from(fresh.tensors.x));
    expect(Array.from(b.split.test)).toEqual(Array.from(fresh.split.test));
    const w = await loadCachedDataset(b.cacheDir!);
    expect(w.fingerprint).toBe(b.fingerprint);
    expect(w.tensors.cat).toBeInstanceOf(Int32Array);
    // Different options or bytes → a different fingerprint.
    const s2 = await loadDataset({ source: csv, target: "label", cacheRoot, seed: 5 });
    expect(s2.fingerprint).not.toBe(b.fingerprint);
    const copy = write(dir, "people2.csv", readFileSync(csv, "utf8").replace("\n1,", "\n999999,"));
    const c2 = await loadDataset({ source: copy, target: "label", cacheRoot });
    expect(c2.fingerprint).not.toBe(b.fingerprint);
    // Touching the file (same bytes) rehashes and still hits the cache.
    utimesSync(csv, new Date(), new Date(Date.now() + 5000));
    expect((await loadDataset({ source: csv, target: "label", cacheRoot })).fromCache).toBe(true);
  });

  it("encodeRows gives prediction-time rows the same encoding", async () => {
    const ds = await loadDataset({ source: csv, target: "label", cacheRoot });
    const lines = readFileSync(csv, "utf8").trim().split("\n");
    const header = lines[0]!.split(",");
    const rows = lines.slice(1, 21).map((l) => Object.fromEntries(l.split(",").map((v, i) => [header[i]!, v])));
    const enc = encodeRows(ds.encoders!, rows);
    const d = ds.tensors.xShape[0]!;
    expect(Array.from(enc.x)).toEqual(Array.from(ds.tensors.x.subarray(0, 20 * d)));
    expect(Array.from(enc.cat!)).toEqual(Array.from(ds.tensors.cat!.subarray(0, 20)));
    expect(Array.from(encodeTarget(ds.encoders!.target, rows.map((r) => r.label)))).toEqual(Array.from(ds.tensors.y.subarray(0, 20)));
    // Unseen category and missing number still encode.
    const odd = encodeRows(ds.encoders!, [{ age: "", income: "x", colour: "purple", city: "nowhere" }]);
    expect(odd.x.every((v) => Number.isFinite(v))).toBe(true);
    expect(odd.cat![0]).toBe(1);
  });

  it("reads the same data as Parquet with the same schema", async () => {
    const pq = join(dir, "people.parquet");
    const inst = await DuckDBInstance.create(":memory:");
    const c = await inst.connect();
    await c.run(`COPY (SELECT * FROM read_csv('${csv}')) TO '${pq}' (FORMAT parquet)`);
    c.closeSync();
    inst.closeSync();
    const a = await loadDataset({ source: csv, target: "label", cacheRoot });
    const b = await loadDataset({ source: pq, target: "label", cacheRoot });
    expect(b.schema.columns.map((c) => [c.name, c.kind, c.role, c.missing])).toEqual(a.schema.columns.map((c) => [c.name, c.kind, c.role, c.missing]));
    expect(b.tensors.xShape).toEqual(a.tensors.xShape);
    expect(Array.from(b.split.test)).toEqual(Array.from(a.split.test));
    const d = a.tensors.xShape[0]!;
    for (let i = 0; i < 50 * d; i++) expect(b.tensors.x[i]).toBeCloseTo(a.tensors.x[i]!, 4);
  });

  it("regression targets, TSV, group split and a test column", async () => {
    const lines = ["g\tx\tsplit\tprice"];
    for (let i = 0; i < 200; i++) lines.push(`g${i % 10}\t${i}\t${i % 5 === 0 ? "test" : "train"}\t${(i * 1.5 + 0.25).toFixed(2)}`);
    const tsv = write(dir, "prices.tsv", lines.join("\n") + "\n");
    const r = await loadDataset({ source: tsv, target: "price", cacheRoot, groups: ["g"], groupSplit: true });
    expect(r.schema.task).toBe("regression");
    expect(r.tensors.y).toBeInstanceOf(Float32Array);
    const g = r.groups.g!;
    expect(g.labels).toHaveLength(10);
    const testGroups = new Set(Array.from(r.split.test, (i) => g.codes[i]));
    for (const i of r.split.pool) expect(testGroups.has(g.codes[i]!)).toBe(false);
    const t = await loadDataset({ source: tsv, target: "price", cacheRoot, testColumn: "split" });
    expect(t.split.test.length).toBe(40);
    expect(t.schema.columns.find((c) => c.name === "split")!.role).toBe("ignored");
    const forced = await loadDataset({ source: tsv, target: "x", cacheRoot, kinds: { x: "categorical" }, ignore: ["split"] });
    expect(forced.schema.task).toBe("classification");
  });

  it("uses a separate test file, fitting encoders on the training file only", async () => {
    const train = write(dir, "tr.csv", "a,b,y\n" + Array.from({ length: 40 }, (_, i) => `${i},${i % 2 ? "u" : "v"},${i % 2}`).join("\n") + "\n");
    const test = write(dir, "te.csv", "a,b,y\n" + Array.from({ length: 10 }, (_, i) => `${1000 + i},w,${i % 2}`).join("\n") + "\n");
    const ds = await loadDataset({ source: train, testSource: test, target: "y", cacheRoot });
    expect(ds.tensors.n).toBe(50);
    expect(Array.from(ds.split.test)).toEqual(Array.from({ length: 10 }, (_, i) => 40 + i));
    const enc = ds.encoders!;
    expect(enc.kind === "tabular" && enc.features[0]!.kind === "numeric" && enc.features[0]!.mean).toBeCloseTo(19.5);
    expect(enc.kind === "tabular" && enc.features[1]!.kind === "onehot" && enc.features[1]!.categories.sort()).toEqual(["u", "v"]);
  });
});

describe("compressed CSV", () => {
  it("reads a .csv.gz like the plain file", async () => {
    const { gzipSync } = await import("node:zlib");
    const gz = write(dir, "people.csv.gz", gzipSync(readFileSync(csv)));
    const a = await loadDataset({ source: csv, target: "label", cacheRoot });
    const b = await loadDataset({ source: gz, target: "label", cacheRoot });
    expect(b.schema.columns.map((c) => c.kind)).toEqual(a.schema.columns.map((c) => c.kind));
    expect(Array.from(b.tensors.x)).toEqual(Array.from(a.tensors.x));
  });
});
