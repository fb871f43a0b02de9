import { describe, it, expect } from "vitest";
import { gzipSync } from "node:zlib";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseIdx, readIdx, readFashionMnist, FASHION_MNIST_CLASSES } from "../../src/data/sources/idx.js";
import { DataError, EnvironmentError } from "../../src/errors.js";

function idxBytes(dims: number[], data: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

describe("IDX reader", () => {
  it("parses raw and gzip uint8 files", () => {
    const raw = idxBytes([2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    for (const b of [raw, gzipSync(raw)]) {
      const a = parseIdx(b);
      expect(a.dims).toEqual([2, 2, 2]);
      expect(Array.from(a.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    }
  });
  it("rejects truncated, bad-magic and empty files with DataError naming the file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-idx-"));
    const trunc = join(dir, "trunc.idx");
    writeFileSync(trunc, idxBytes([3, 2, 2], [1, 2, 3]));
    await expect(readIdx(trunc)).rejects.toThrow(/trunc\.idx: truncated/);
    const bad = join(dir, "bad.idx");
    writeFileSync(bad, Buffer.from("hello world"));
    await expect(readIdx(bad)).rejects.toBeInstanceOf(DataError);
    const empty = join(dir, "empty.idx");
    writeFileSync(empty, "");
    await expect(readIdx(empty)).rejects.toThrow(/empty/);
    const badgz = join(dir, "bad.gz");
    writeFileSync(badgz, gzipSync(idxBytes([4], [1, 2, 3, 4])).subarray(0, 15));
    await expect(readIdx(badgz)).rejects.toThrow(/gzip/);
  });
  it("says how to install Fashion-MNIST when it is missing", async () => {
    const err = await readFashionMnist("/nonexistent/fm").catch((e) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect(err.hint).toMatch(/apt-get install dataset-fashion-mnist/);
  });
  it("reads Fashion-MNIST with the official split", async () => {
    const d = await readFashionMnist();
    expect(d.n).toBe(70000);
    expect(d.xShape).toEqual([1, 28, 28]);
    expect(d.x.length).toBe(70000 * 784);
    expect(d.classes).toEqual(FASHION_MNIST_CLASSES);
    expect(d.split.train.length).toBe(60000);
    expect(d.split.test[0]).toBe(60000);
    expect(d.y[0]).toBe(9); // first training image is an ankle boot
    expect(Math.max(...d.y)).toBe(9);
  });
});
