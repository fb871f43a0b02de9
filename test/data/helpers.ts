import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { mulberry32 } from "../../src/rng.js";

/** A temp folder removed after the test file. */
export function tempDir(prefix = "enough-data-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function write(dir: string, name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** A small seeded tabular data set: numeric, categorical (low and high cardinality), missing values, id. */
export function tabularCsv(rows: number, seed = 1): string {
  const rnd = mulberry32(seed);
  const lines = ["id,age,income,colour,city,label"];
  const colours = ["red", "green", "blue"];
  for (let i = 0; i < rows; i++) {
    const age = Math.floor(18 + rnd() * 60);
    const income = rnd() < 0.1 ? "" : (20000 + rnd() * 80000).toFixed(2);
    const colour = rnd() < 0.05 ? "NA" : colours[Math.floor(rnd() * 3)]!;
    const city = `city${Math.floor(rnd() * 60)}`;
    const label = age > 45 ? "old" : rnd() < 0.5 ? "young" : "mid";
    lines.push(`${i + 1},${age},${income},${colour},${city},${label}`);
  }
  return lines.join("\n") + "\n";
}
