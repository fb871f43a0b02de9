import { describe, it, expect } from "vitest";
import { join } from "node:path";
import { mkdirSync, writeFileSync, readFileSync } from "node:fs";
import sharp from "sharp";
import { loadDataset, encodeRows, encodeImages } from "../../src/data/index.js";
import { tokenize } from "../../src/data/encoders/text.js";
import { DataError } from "../../src/errors.js";
import { tempDir, write } from "./helpers.js";

const dir = tempDir();
const cacheRoot = join(dir, "cache");

describe("text (JSONL)", () => {
  it("tokenises with a vocabulary built on the pool only and a data-driven length", async () => {
    const good = ["great", "lovely", "superb", "fine"];
    const bad = ["awful", "poor", "dull", "broken"];
    const lines = Array.from({ length: 200 }, (_, i) => {
      const pos = i % 2 === 0;
      const words = Array.from({ length: 3 + (i % 7) }, (_, k) => (pos ? good : bad)[(i + k) % 4]);
      return JSON.stringify({ id: i, review: `This product was ${words.join(" ")}!`, sentiment: pos ? "pos" : "neg" });
    });
    const f = write(dir, "reviews.jsonl", lines.join("\n") + "\n");
    const ds = await loadDataset({ source: f, target: "sentiment", cacheRoot });
    expect(ds.schema.kind).toBe("text");
    expect(ds.schema.columns.find((c) => c.name === "review")).toMatchObject({ kind: "text", role: "feature" });
    expect(ds.tensors.xKind).toBe("tokens");
    expect(ds.tensors.x).toBeInstanceOf(Int32Array);
    const L = ds.tensors.xShape[0]!;
    // "this product was" + 3..9 words + "!" → 7..13 tokens; 95th percentile is 13.
    expect(L).toBe(13);
    const enc = ds.encoders!;
    if (enc.kind !== "text") throw new Error("text encoders expected");
    expect(enc.text.vocab).toContain("great");
    expect(ds.tensors.vocabSize).toBe(enc.text.vocab.length + 2);
    // Same ids at prediction time; unknown words → 1; padding 0.
    const again = encodeRows(enc, [JSON.parse(lines[0]!), { review: "zzz unknownword" }]);
    expect(Array.from(again.x.subarray(0, L))).toEqual(Array.from(ds.tensors.x.subarray(0, L)));
    expect(Array.from(again.x.subarray(L, L + 3))).toEqual([1, 1, 0]);
  });

  it("builds the vocabulary without the test rows", async () => {
    const lines = Array.from({ length: 100 }, (_, i) => JSON.stringify({ text: `word${i} common words here`, label: i % 2 }));
    const ds = await loadDataset({ source: write(dir, "vocab.jsonl", lines.join("\n") + "\n"), cacheRoot });
    const enc = ds.encoders!;
    if (enc.kind !== "text") throw new Error("text encoders expected");
    for (const i of ds.split.test) expect(enc.text.vocab).not.toContain(`word${i}`);
    for (const i of ds.split.pool) expect(enc.text.vocab).toContain(`word${i}`);
  });

  it("tokenize keeps words, numbers, apostrophes and punctuation", () => {
    expect(tokenize("Don't STOP: 3 cafés!")).toEqual(["don't", "stop", ":", "3", "cafés", "!"]);
  });
});

async function png(path: string, w: number, h: number, colour: [number, number, number]) {
  await sharp({ create: { width: w, height: h, channels: 3, background: { r: colour[0], g: colour[1], b: colour[2] } } })
    .png()
    .toFile(path);
}

describe("image folders", () => {
  it("decodes PNG/JPEG/WebP, resizes to the most common size and lists unreadable files", async () => {
    const root = join(dir, "imgs");
    for (const c of ["cat", "dog"]) mkdirSync(join(root, c), { recursive: true });
    for (let i = 0; i < 6; i++) {
      await png(join(root, "cat", `c${i}.png`), 12, 10, [200, 20 * i, 0]);
      await png(join(root, "dog", `d${i}.png`), 12, 10, [0, 20 * i, 200]);
    }
    await sharp({ create: { width: 30, height: 30, channels: 3, background: "#0f0" } }).jpeg().toFile(join(root, "dog", "big.jpg"));
    await sharp({ create: { width: 12, height: 10, channels: 3, background: "#f00" } }).webp().toFile(join(root, "cat", "w.webp"));
    const full = readFileSync(join(root, "cat", "c0.png"));
    writeFileSync(join(root, "cat", "truncated.png"), full.subarray(0, Math.floor(full.length / 2)));
    writeFileSync(join(root, "dog", "garbage.jpg"), "not an image at all");
    writeFileSync(join(root, "dog", "notes.txt"), "hello");
    const ds = await loadDataset({ source: root, cacheRoot });
    expect(ds.schema.kind).toBe("image");
    expect(ds.schema.classes).toEqual(["cat", "dog"]);
    expect(ds.tensors.xShape).toEqual([3, 10, 12]);
    expect(ds.tensors.n).toBe(14);
    expect(ds.report.rowsRead).toBe(17);
    const reasons = Object.fromEntries(ds.report.skipped.map((s) => [s.reason, s.examples]));
    expect(reasons["unreadable or truncated image"]!.sort()).toEqual(["cat/truncated.png", "dog/garbage.jpg"]);
    expect(reasons["not a PNG/JPEG/WebP file"]).toEqual(["dog/notes.txt"]);
    // Channel 0 (red) is high for cats, low for dogs.
    const size = 3 * 10 * 12;
    const y = ds.tensors.y as Int32Array;
    for (let r = 0; r < ds.tensors.n; r++) if (r < 6) expect(ds.tensors.x[r * size]! > 100).toBe(y[r] === 0);
    const gray = await loadDataset({ source: root, cacheRoot, grayscale: true, imageSize: 8 });
    expect(gray.tensors.xShape).toEqual([1, 8, 8]);
    const enc = gray.encoders!;
    if (enc.kind !== "image") throw new Error("image encoders expected");
    const x = await encodeImages(enc, [join(root, "cat", "c1.png")]);
    expect(x.length).toBe(64);
  });

  it("fails when no image can be read, or only one class remains", async () => {
    const root = join(dir, "allbad");
    for (const c of ["a", "b"]) {
      mkdirSync(join(root, c), { recursive: true });
      writeFileSync(join(root, c, "x.png"), "broken");
    }
    const e = await loadDataset({ source: root, cacheRoot }).catch((x) => x);
    expect(e).toBeInstanceOf(DataError);
    expect(e.code).toBe("NO_READABLE_IMAGES");
    const one = join(dir, "oneclass");
    mkdirSync(join(one, "only"), { recursive: true });
    await png(join(one, "only", "a.png"), 4, 4, [1, 2, 3]);
    await expect(loadDataset({ source: one, cacheRoot })).rejects.toThrow(/only one class/);
    const flat = join(dir, "flat");
    mkdirSync(flat, { recursive: true });
    await png(join(flat, "a.png"), 4, 4, [1, 2, 3]);
    await expect(loadDataset({ source: flat, cacheRoot })).rejects.toThrow(/no class sub-folders/);
  });
});
