import { describe, expect, it } from "vitest";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { audit } from "../../src/audit/index.js";
import { makeContext, type ModelOutputs } from "../../src/audit/context.js";
import { biasSummaries } from "../../src/audit/checks/bias.js";
import type { Dataset } from "../../src/data/index.js";
import { rand, tmp } from "./fixtures.js";

describe("image folders", () => {
  it("flags odd sizes/modes, exact and near duplicate images; a clean folder gets none of these", async () => {
    const root = tmp();
    const r = rand(4);
    const make = async (dir: string, planted: boolean) => {
      for (const cls of ["a", "b"]) {
        mkdirSync(join(dir, cls), { recursive: true });
        for (let i = 0; i < 12; i++) {
          const px = Buffer.alloc(16 * 16 * 3);
          for (let p = 0; p < px.length; p++) px[p] = Math.floor(r() * 256);
          await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, cls, `img${String(i).padStart(2, "0")}.png`));
          if (planted && cls === "a" && i === 0) {
            await sharp(px, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, cls, "img00_copy.png"));
            const near = Buffer.from(px);
            for (let p = 0; p < near.length; p += 10) near[p] = Math.min(255, near[p]! + 2);
            await sharp(near, { raw: { width: 16, height: 16, channels: 3 } }).png().toFile(join(dir, cls, "img00_near.png"));
          }
        }
      }
      if (planted) {
        const big = Buffer.alloc(32 * 32 * 3, 90);
        await sharp(big, { raw: { width: 32, height: 32, channels: 3 } }).png().toFile(join(dir, "b", "zz_big.png"));
        const grey = Buffer.alloc(16 * 16, 30);
        await sharp(grey, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace("b-w").png().toFile(join(dir, "b", "zz_grey.png"));
      }
    };
    await make(join(root, "dirty"), true);
    await make(join(root, "clean"), false);
    const rep = await audit({ source: join(root, "dirty"), cacheRoot: join(root, "cache") }, { noModel: true });
    // sorted file order: a/img00.png, a/img00_copy.png, a/img00_near.png, a/img01..., b/..., b/zz_big, b/zz_grey
    const fmt = rep.issues.find((i) => i.type === "image_format")!;
    expect(fmt.rows).toEqual([26, 27]);
    expect(rep.issues.find((i) => i.type === "duplicate")!.rows).toEqual([1]);
    expect(rep.issues.find((i) => i.type === "near_duplicate")!.rows).toContain(2);
    const clean = await audit({ source: join(root, "clean"), cacheRoot: join(root, "cache") }, { noModel: true });
    for (const t of ["image_format", "duplicate", "near_duplicate"]) expect(clean.issues.map((i) => i.type)).not.toContain(t);
  }, 60_000);
});

describe("low-dimensional tabular data", () => {
  it("does not call chance neighbours near copies or leakage; finds planted near copies; no label conflicts in regression", async () => {
    // Four columns, 3,000 independent rows: many pairs are close by chance (same city and rooms, nearly the same
    // area and age) and a few inputs repeat exactly; none of that is copying.
    const dir = tmp();
    const r = rand(11);
    const cities = ["paris", "lyon", "nice", "lille"];
    const rows: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const area = 30 + r() * 170;
      const rooms = 1 + Math.floor(r() * 6);
      const age = Math.floor(r() * 81);
      rows.push(`${area.toFixed(1)},${rooms},${cities[Math.floor(r() * 4)]},${age},${Math.round(area * 3000 + rooms * 5000 - age * 300 + (r() - 0.5) * 40000)}`);
    }
    writeFileSync(join(dir, "houses.csv"), ["area,rooms,city,age,price", ...rows].join("\n") + "\n");
    const clean = await audit({ source: join(dir, "houses.csv"), target: "price", cacheRoot: join(dir, "cache") }, { noModel: true });
    for (const t of ["near_duplicate", "leakage", "conflicting_label"]) expect(clean.issues.map((i) => i.type), t).not.toContain(t);
    // Near copies are only telling where chance pairs are not as close: measured areas (4 decimals) and ages in days;
    // rows 3000..3004 repeat rows 0..4 with the area off by 0.0001.
    const fine = rows.map((line, i) => {
      const f = line.split(",");
      f[0] = (Number(f[0]) + ((i * 7919) % 1000) / 1e4).toFixed(4);
      f[3] = (Number(f[3]) + ((i * 104729) % 365) / 365).toFixed(3);
      return f.join(",");
    });
    const copies = fine.slice(0, 5).map((line) => {
      const f = line.split(",");
      f[0] = (Number(f[0]) + 0.0001).toFixed(4);
      return f.join(",");
    });
    writeFileSync(join(dir, "copied.csv"), ["area,rooms,city,age,price", ...fine, ...copies].join("\n") + "\n");
    const dirty = await audit({ source: join(dir, "copied.csv"), target: "price", cacheRoot: join(dir, "cache") }, { noModel: true });
    const near = dirty.issues.find((i) => i.type === "near_duplicate");
    expect(near?.rows.sort((a, b) => a - b)).toEqual([3000, 3001, 3002, 3003, 3004]);
  }, 60_000);
});

describe("coarse classification inputs", () => {
  it("repeated inputs at the level chance gives are coincidences (low, said so), not high-severity leakage", async () => {
    // Three yes/no columns and a noisy label: only 8 distinct inputs, so every row repeats others'.
    const dir = tmp();
    const r = rand(12);
    const lines = ["smoker,diabetic,over60,readmitted"];
    for (let i = 0; i < 600; i++) {
      const f = [r() < 0.3, r() < 0.2, r() < 0.5];
      const risk = 0.2 + 0.2 * Number(f[0]) + 0.2 * Number(f[1]) + 0.2 * Number(f[2]);
      lines.push(`${f.map((v) => (v ? "yes" : "no")).join(",")},${r() < risk ? "yes" : "no"}`);
    }
    writeFileSync(join(dir, "coarse.csv"), lines.join("\n") + "\n");
    const rep = await audit({ source: join(dir, "coarse.csv"), target: "readmitted", cacheRoot: join(dir, "cache") }, { noModel: true });
    for (const t of ["duplicate", "leakage", "conflicting_label"]) {
      const i = rep.issues.find((x) => x.type === t);
      expect(i, t).toBeDefined();
      expect(i!.severity, t).toBe("low");
      expect(i!.summary, t).toMatch(/chance alone repeats about \d+ rows' inputs/);
    }
  }, 60_000);
});

describe("text data", () => {
  it("exact and normalised-text duplicates, PII inside text", async () => {
    const dir = tmp();
    const words = ["good", "bad", "great", "awful", "fine", "poor", "nice", "meh", "love", "hate"];
    const r = rand(6);
    const lines = ["review,label"];
    for (let i = 0; i < 120; i++) {
      const t = Array.from({ length: 8 }, () => words[Math.floor(r() * words.length)]).join(" ");
      lines.push(`"${t} ${i}",${i % 2 ? "pos" : "neg"}`);
    }
    lines.push(`"${lines[5]!.split('"')[1]}",${lines[5]!.split(",").at(-1)}`); // row 120: exact copy of row 4
    lines.push(`"${lines[7]!.split('"')[1]!.toUpperCase()}!!",${lines[7]!.split(",").at(-1)}`); // row 121: case/punct variant of row 6
    lines.push(`"write to bob.smith@mail.com for details",pos`); // row 122
    writeFileSync(join(dir, "t.csv"), lines.join("\n") + "\n");
    const rep = await audit({ source: join(dir, "t.csv"), target: "label", textColumn: "review", cacheRoot: join(dir, "cache") }, { noModel: true });
    expect(rep.issues.find((i) => i.type === "duplicate")!.rows).toEqual([120]);
    expect(rep.issues.find((i) => i.type === "near_duplicate")!.rows).toEqual([121]);
    expect(rep.issues.find((i) => i.type === "pii")!.rows).toEqual([122]);
  }, 60_000);
});

describe("bias metrics (binary)", () => {
  it("selection rate, TPR and FPR per group with intervals, from out-of-sample predictions", () => {
    const n = 400;
    const y = new Int32Array(n);
    const codes = new Int32Array(n);
    const pred = new Int32Array(n);
    const r = rand(12);
    for (let i = 0; i < n; i++) {
      codes[i] = i < 300 ? 0 : 1;
      y[i] = r() < 0.5 ? 1 : 0;
      // group 1: the model says "yes" far more often
      pred[i] = codes[i] === 0 ? (r() < 0.9 ? y[i]! : 1 - y[i]!) : r() < 0.8 ? 1 : y[i]!;
    }
    const ds = {
      source: "mem",
      schema: { kind: "tabular", task: "classification", target: "y", columns: [], groups: ["g"], classes: ["no", "yes"] },
      tensors: { task: "classification", numClasses: 2, n, x: new Float32Array(n), xShape: [1], xKind: "dense", y },
      split: { test: new Int32Array(0), pool: Int32Array.from({ length: n }, (_, i) => i) },
      groups: { g: { labels: ["g0", "g1"], codes } },
      report: { file: "mem", rowsRead: n, rowsKept: n, rowsSkipped: 0, skipped: [], warnings: [] },
      fingerprint: "x",
    } as unknown as Dataset;
    const ctx = makeContext(ds, null, 0);
    const probs = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) probs[i * 2 + pred[i]!] = 1;
    ctx.model = { rows: Int32Array.from({ length: n }, (_, i) => i), probs, K: 2, embed: new Float32Array(n), dim: 1, pred, folds: 5, model: {}, epochs: 1, seconds: 0 } satisfies ModelOutputs;
    const [s] = biasSummaries(ctx);
    expect(s!.positiveClass).toBe("yes");
    const [g0, g1] = s!.groups;
    expect(g1!.selectionRate!.value).toBeGreaterThan(g0!.selectionRate!.value + 0.2);
    expect(g1!.fpr!.value).toBeGreaterThan(0.6);
    expect(g0!.fpr!.value).toBeLessThan(0.2);
    expect(s!.gaps.selectionRate!.gap.lo).toBeGreaterThan(0.1);
    expect(s!.gaps.fpr!.ratio.hi).toBeLessThan(0.5);
    // g1 has 100 rows, g0 300: g1's interval is wider
    expect(g1!.accuracy.hi - g1!.accuracy.lo).toBeGreaterThan(g0!.accuracy.hi - g0!.accuracy.lo);
  });
});
