/**
 * --extra on image folders (a folder with one sub-folder per class, like an image --data), with the real engine in
 * this process: images are decoded at the user's size, classes matched by name (others left out and counted),
 * unreadable files counted; the domain classifier (a CNN on the pixels) tells an inverted set apart and not one
 * drawn from the same process.
 */
import { describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import { estimate } from "../../src/study/estimate.js";
import { realInProcessDeps } from "./fixtures/extra-task.js";
import { engineBuilt } from "../cli/fixtures/env.js";
import { mulberry32 } from "../../src/rng.js";

/** Class "bar": a bright vertical bar at a random column; class "dot": a bright 3x3 blob; noise on both. */
async function writeImages(dir: string, perClass: number, seed: number, o: { invert?: boolean; extraClass?: boolean } = {}): Promise<void> {
  const r = mulberry32(seed);
  const classes = ["bar", "dot", ...(o.extraClass ? ["other"] : [])];
  for (const c of classes) {
    mkdirSync(join(dir, c), { recursive: true });
    for (let i = 0; i < perClass; i++) {
      const px = new Uint8Array(12 * 12);
      for (let p = 0; p < px.length; p++) px[p] = Math.floor(r() * 90);
      const a = 2 + Math.floor(r() * 8);
      const b = 2 + Math.floor(r() * 8);
      if (c === "bar") for (let y = 0; y < 12; y++) px[y * 12 + a] = 230;
      else for (let y = b - 1; y <= b + 1; y++) for (let x = a - 1; x <= a + 1; x++) px[y * 12 + x] = 230;
      if (o.invert) for (let p = 0; p < px.length; p++) px[p] = 255 - px[p]!;
      await sharp(Buffer.from(px), { raw: { width: 12, height: 12, channels: 1 } }).png().toFile(join(dir, c, `${i}.png`));
    }
  }
}

describe.skipIf(!engineBuilt)("estimate --extra with image folders (real engine)", () => {
  it("reads the folder at the user's size, matches classes by name, and the domain test tells an inverted set apart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-extra-img-"));
    const mine = join(dir, "mine");
    const same = join(dir, "same");
    const inverted = join(dir, "inverted");
    await writeImages(mine, 150, 1);
    await writeImages(same, 100, 2, { extraClass: true });
    writeFileSync(join(same, "bar", "broken.png"), "not a png");
    writeFileSync(join(same, "dot", "notes.txt"), "a stray file");
    await writeImages(inverted, 100, 3, { invert: true });
    const { deps } = await realInProcessDeps();
    const run = (extra: string) =>
      estimate(
        { data: mine, extra, model: "cnn:width=0.25", sizes: "20,40,80", seeds: 2, recipe: { epochs: 8, earlyStopping: false }, store: join(dir, "e.db"), cacheRoot: join(dir, "cache"), bootstrap: 30 },
        { deps },
      );
    const a = (await run(same)).extra!;
    expect(a.rows).toBe(200); // 2 x 100 known-class images; the unreadable one is skipped
    expect(a.dropped).toBe(100); // the class "other" is not one of the user's
    expect(a.notes.join("\n")).toMatch(/1 extra file\(s\) skipped: unreadable or truncated image \(e\.g\. bar\/broken\.png\)/);
    expect(a.notes.join("\n")).toMatch(/1 extra file\(s\) skipped: not a PNG\/JPEG\/WebP file/);
    expect(a.drift).toEqual([]);
    expect(a.worth).toBeDefined();
    const b = (await run(inverted)).extra!;
    expect(a.domain!.auc).toBeLessThan(0.7);
    expect(b.domain!.auc).toBeGreaterThan(0.9);
    expect(a.fingerprint).not.toBe(b.fingerprint);
    // An image data set's extra set given as a file is refused with what to give instead.
    await expect(run(join(mine, "bar", "0.png"))).rejects.toMatchObject({ code: "EXTRA_KIND" });
  }, 180_000);
});
