// Unlabelled rows read with the labelled data's encoders (strategies --unlabeled, label-next): tables with the target
// absent, empty or filled-and-ignored; typed schema errors; counted encoding issues; image folders at the labelled size.
import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { encodeRows, loadDataset } from "../../src/data/index.js";
import { loadUnlabelled } from "../../src/data/unlabelled.js";
import type { Dataset } from "../../src/data/types.js";
import { tempDir, write } from "./helpers.js";

const dir = tempDir("enough-unlabelled-");
const cacheRoot = join(dir, "cache");

/** 120 labelled rows: a number, a colour (3 categories), a label. */
function labelledCsv(): string {
  const lines = ["x,colour,label"];
  for (let i = 0; i < 120; i++) lines.push(`${(i % 17) * 0.5},${["red", "green", "blue"][i % 3]},${i % 2 ? "a" : "b"}`);
  return lines.join("\n") + "\n";
}

const ROWS = ["1.5,red", "2,blue", "oops,green", "3,purple", ",red", "4,mauve"];

describe("unlabelled tables", () => {
  it("encode like the labelled rows whether the target column is absent or empty; the labelled encoders, not refitted", async () => {
    const ds = await loadDataset({ source: write(dir, "l.csv", labelledCsv()), target: "label", cacheRoot });
    const absent = await loadUnlabelled(ds, write(dir, "u1.csv", ["x,colour", ...ROWS].join("\n") + "\n"), { labels: "ignore" });
    const empty = await loadUnlabelled(ds, write(dir, "u2.csv", ["x,colour,label", ...ROWS.map((r) => `${r},`)].join("\n") + "\n"), { labels: "refuse" });
    expect(absent.tensors.n).toBe(6);
    expect(Array.from(empty.tensors.x)).toEqual(Array.from(absent.tensors.x));
    expect(absent.fingerprint).toBe(empty.fingerprint);
    expect(absent.targetValues).toBe(0);
    // Exactly what the labelled data's encoders give these rows (prediction-time encoding).
    const expected = encodeRows(ds.encoders!, ROWS.map((r) => ({ x: r.split(",")[0], colour: r.split(",")[1] })));
    expect(Array.from(absent.tensors.x)).toEqual(Array.from(expected.x));
    expect(absent.tensors.xShape).toEqual(ds.tensors.xShape);
    expect(Array.from(absent.tensors.y)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it("counts unknown categories, unparsable numbers and missing cells per column (never dropped)", async () => {
    const ds = await loadDataset({ source: write(dir, "l.csv", labelledCsv()), target: "label", cacheRoot });
    const u = await loadUnlabelled(ds, write(dir, "u3.csv", ["x,colour", ...ROWS].join("\n") + "\n"), { labels: "ignore" });
    expect(u.tensors.n).toBe(6);
    const by = Object.fromEntries(u.issues.map((i) => [`${i.column}:${i.kind}`, i]));
    expect(by["colour:unknown category"]).toMatchObject({ count: 2, of: 6, examples: ["purple", "mauve"] });
    expect(by["x:unparsable number"]).toMatchObject({ count: 1, examples: ["oops"] });
    expect(by["x:missing"]).toMatchObject({ count: 1 });
    expect(u.issues).toHaveLength(3);
  });

  it("a filled target column: counted and never read with labels=ignore (scrambled labels, same rows and key); refused with labels=refuse", async () => {
    const ds = await loadDataset({ source: write(dir, "l.csv", labelledCsv()), target: "label", cacheRoot });
    const filled = write(dir, "u4.csv", ["x,colour,label", ...ROWS.map((r, i) => `${r},${i % 2 ? "a" : "b"}`)].join("\n") + "\n");
    const scrambled = write(dir, "u5.csv", ["x,colour,label", ...ROWS.map((r, i) => `${r},${i % 3 ? "b" : "a"}`)].join("\n") + "\n");
    const a = await loadUnlabelled(ds, filled, { labels: "ignore" });
    const b = await loadUnlabelled(ds, scrambled, { labels: "ignore" });
    expect(a.targetValues).toBe(6);
    expect(a.records.every((r) => !("label" in r))).toBe(true);
    expect(a.fingerprint).toBe(b.fingerprint);
    expect(Array.from(a.tensors.x)).toEqual(Array.from(b.tensors.x));
    await expect(loadUnlabelled(ds, filled, { labels: "refuse" })).rejects.toMatchObject({ code: "UNLABELLED_HAS_LABELS" });
  });

  it("schema mismatches are typed errors naming the file and the column", async () => {
    const ds = await loadDataset({ source: write(dir, "l.csv", labelledCsv()), target: "label", cacheRoot });
    const missing = write(dir, "m.csv", "x\n1\n");
    await expect(loadUnlabelled(ds, missing, { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_SCHEMA", message: expect.stringContaining(`${missing}: lacks the column 'colour'`), details: { file: missing, field: "colour" } });
    const surplus = write(dir, "s.csv", "x,colour,weight\n1,red,3\n");
    await expect(loadUnlabelled(ds, surplus, { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_SCHEMA", details: { field: "weight" } });
    await expect(loadUnlabelled(ds, write(dir, "e.csv", "x,colour\n"), { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_EMPTY" });
    await expect(loadUnlabelled(ds, dir, { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_KIND" });
  });

  it("text: out-of-vocabulary tokens are counted", async () => {
    const lines = Array.from({ length: 60 }, (_, i) => JSON.stringify({ text: i % 2 ? "good film" : "bad film", label: i % 2 }));
    const ds = await loadDataset({ source: write(dir, "t.jsonl", lines.join("\n") + "\n"), cacheRoot });
    const u = await loadUnlabelled(ds, write(dir, "tu.jsonl", [JSON.stringify({ text: "good plot" }), JSON.stringify({ text: "film film" })].join("\n") + "\n"), { labels: "ignore" });
    expect(u.issues).toEqual([{ column: "text", kind: "unknown token", count: 1, of: 4, examples: ["plot"] }]);
    expect(u.tensors.xKind).toBe("tokens");
  });
});

async function png(path: string, w: number, h: number, v: number) {
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: v, g: v, b: v } } }).png().toFile(path);
}

describe("unlabelled images", () => {
  it("a folder's images are decoded at the labelled size (resized like the labelled folder); other files are counted", async () => {
    const root = join(dir, "imgs");
    for (const c of ["a", "b"]) mkdirSync(join(root, c), { recursive: true });
    for (let i = 0; i < 5; i++) {
      await png(join(root, "a", `${i}.png`), 8, 6, 30 * i);
      await png(join(root, "b", `${i}.png`), 8, 6, 255 - 30 * i);
    }
    const ds = await loadDataset({ source: root, cacheRoot });
    const u = join(dir, "unl-imgs");
    mkdirSync(join(u, "sub"), { recursive: true });
    await png(join(u, "one.png"), 8, 6, 100);
    await png(join(u, "sub", "big.png"), 32, 24, 100);
    writeFileSync(join(u, "readme.txt"), "hi");
    writeFileSync(join(u, "broken.png"), "not a png");
    const got = await loadUnlabelled(ds, u, { labels: "ignore" });
    expect(got.tensors.n).toBe(2);
    expect(got.tensors.xShape).toEqual(ds.tensors.xShape);
    expect(got.tensors.x.length).toBe(2 * ds.tensors.xShape.reduce((a, b) => a * b, 1));
    expect(got.records).toEqual([{ image: "one.png" }, { image: "sub/big.png" }]);
    expect(Object.fromEntries(got.skipped.map((s) => [s.reason, s.count]))).toEqual({ "not a PNG/JPEG/WebP file": 1, "unreadable or truncated image": 1 });
    await expect(loadUnlabelled(ds, write(dir, "x.csv", "a\n1\n"), { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_KIND" });
  });

  it("a built-in set's images were never resized: another size is a typed error naming the file", async () => {
    const u = join(dir, "fm-unl");
    mkdirSync(u, { recursive: true });
    await png(join(u, "ok.png"), 28, 28, 10);
    await png(join(u, "wide.png"), 32, 28, 10);
    const fm = {
      source: "builtin:fashion-mnist",
      fingerprint: "fm",
      schema: { kind: "image", task: "classification", target: "label", columns: [], groups: [] },
      tensors: { task: "classification", numClasses: 10, n: 0, x: new Uint8Array(0), xShape: [1, 28, 28], xKind: "image", y: new Int32Array(0) },
      encoders: { kind: "image", channels: 1, height: 28, width: 28, mean: [0.3], std: [0.3], target: { column: "label", task: "classification" } },
    } as unknown as Dataset;
    await expect(loadUnlabelled(fm, u, { labels: "ignore" })).rejects.toMatchObject({ code: "UNLABELLED_IMAGE_SIZE", message: expect.stringMatching(/wide\.png, 28×32/), details: { file: join(u, "wide.png") } });
  });
});
