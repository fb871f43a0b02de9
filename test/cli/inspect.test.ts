import { describe, it, expect } from "vitest";
import { dirname, join } from "node:path";
import { Command } from "commander";
import { runInspect, register } from "../../src/cli/commands/inspect.js";
import { commands } from "../../src/cli/commands/index.js";
import { InputError } from "../../src/errors.js";
import { tempDir, write, tabularCsv } from "../data/helpers.js";

const dir = tempDir("enough-inspect-");
const cacheRoot = join(dir, "cache");
const csv = write(dir, "people.csv", tabularCsv(300) + "1,2\n");

describe("enough inspect", () => {
  it("is registered", () => {
    const p = new Command();
    for (const r of commands) r(p);
    expect(p.commands.map((c) => c.name())).toContain("inspect");
    expect(commands).toContain(register);
  });

  it("prints the schema with reasons, rows, classes, skipped rows, fingerprint and cache", async () => {
    const { text } = await runInspect({ data: csv, target: "label", cacheRoot, kind: ["city=categorical"], group: ["colour"] });
    expect(text).toMatch(/Rows: 301 read, 300 kept, 1 skipped/);
    expect(text).toMatch(/Split: 240 training pool, 60 test/);
    expect(text).toMatch(/\n\s+age\s+numeric\s+feature\s+0\s+\d+\s+all values are numbers/);
    expect(text).toMatch(/city\s+categorical\s+feature.*user override/);
    expect(text).toMatch(/colour\s+categorical\s+group/);
    expect(text).toMatch(/Classes \(3\):/);
    expect(text).toMatch(/1 × wrong number of fields: line 302/);
    expect(text).toMatch(/Fingerprint: [0-9a-f]{24} \(encoded now/);
    expect(text).toContain(`Cache: ${cacheRoot}`);
    const again = await runInspect({ data: csv, target: "label", cacheRoot, kind: ["city=categorical"], group: ["colour"] });
    expect(again.text).toMatch(/read from cache/);
  });

  it("--json prints one object", async () => {
    const { text } = await runInspect({ data: csv, target: "label", cacheRoot, json: true });
    const j = JSON.parse(text);
    expect(j).toMatchObject({ task: "classification", target: "label", rows: { read: 301, kept: 300, skipped: 1 }, fromCache: false });
    expect(j.columns).toHaveLength(6);
    expect(j.classes.map((c: { class: string }) => c.class)).toEqual(["mid", "old", "young"]);
    expect(j.skipped[0].reason).toBe("wrong number of fields");
    // The cache folder is named by the cache key, which for tabular data also carries the PII-feature policy; the
    // fingerprint (the key of the Runs) keeps its old form when no column was left out.
    expect(dirname(j.cacheDir)).toBe(cacheRoot);
    expect(j.fingerprint).toMatch(/^[0-9a-f]{24}$/);
  });

  it("--label names the label column like --target; the two must agree", async () => {
    const { text } = await runInspect({ data: csv, label: "city", cacheRoot, json: true });
    expect(JSON.parse(text).target).toBe("city");
    const both = await runInspect({ data: csv, target: "label", label: "label", cacheRoot, json: true });
    expect(JSON.parse(both.text).target).toBe("label");
    await expect(runInspect({ data: csv, target: "label", label: "city", cacheRoot })).rejects.toThrow(/--target label and --label city name different label columns/);
  });

  it("rejects a malformed --kind", async () => {
    await expect(runInspect({ data: csv, cacheRoot, kind: ["city:categorical"] })).rejects.toBeInstanceOf(InputError);
    await expect(runInspect({ data: csv, cacheRoot, kind: ["city=weird"] })).rejects.toThrow(/kind one of/);
  });
});
