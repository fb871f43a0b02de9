import { beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { audit, type AuditReport } from "../../src/audit/index.js";
import { writeFileSync } from "node:fs";
import { rand, tmp, writeTabular, type Planted } from "./fixtures.js";

let planted: Planted;
let dirty: AuditReport;
let clean: AuditReport;

const issue = (r: AuditReport, type: string) => r.issues.find((i) => i.type === type);

beforeAll(async () => {
  const dir = tmp();
  const w = writeTabular(dir);
  planted = w.planted;
  const c = writeTabular(dir, { clean: true });
  const cache = join(dir, "cache");
  dirty = await audit({ source: w.file, target: "label", groups: ["site"], cacheRoot: cache }, { noModel: true });
  clean = await audit({ source: c.file, target: "label", groups: ["site"], cacheRoot: cache }, { noModel: true });
}, 60_000);

describe("cell-level and duplicate checks on planted problems", () => {
  it("exact duplicates: the copies, by source row id", () => {
    expect(issue(dirty, "duplicate")!.rows).toEqual(planted.duplicates);
  });
  it("conflicting labels: both rows of the pair", () => {
    expect(issue(dirty, "conflicting_label")!.rows.sort((a, b) => a - b)).toEqual(planted.conflicting);
  });
  it("leakage: test rows that also appear in the pool are among the duplicated rows", () => {
    const leak = issue(dirty, "leakage");
    const dupSets = new Set([...planted.duplicates, ...planted.duplicates.map((r) => r - 100), ...planted.conflicting]);
    // The fixture's planted copies straddle the split, so some leakage must be found (a missing issue used to pass).
    expect(leak?.rows.length ?? 0).toBeGreaterThan(0);
    for (const r of leak!.rows) expect(dupSets.has(r)).toBe(true);
  });
  it("missing values: the rows and the column", () => {
    const m = issue(dirty, "missing")!;
    expect(m.rows.sort((a, b) => a - b)).toEqual(planted.missing);
    expect(m.columns).toEqual(["b"]);
  });
  it("mixed types: the word among numbers", () => {
    const m = issue(dirty, "mixed_type")!;
    expect(m.rows).toEqual(planted.mixed);
    expect(m.columns).toEqual(["age"]);
  });
  it("out-of-range: impossible ages (and the far values)", () => {
    const o = issue(dirty, "out_of_range")!;
    for (const r of planted.outOfRange) expect(o.rows).toContain(r);
    expect(o.summary).toContain("an age");
  });
  it("category variants: case/space variants and a typo of one category", () => {
    const v = issue(dirty, "category_variants")!;
    expect(v.rows).toEqual(planted.variants);
    const d = v.details.columns as { column: string; clusters: { canonical: string }[] }[];
    expect(d[0]!.column).toBe("city");
    expect(d[0]!.clusters[0]!.canonical).toBe("Paris");
  });
  it("outliers: the far rows, by isolation forest", () => {
    const o = issue(dirty, "outlier")!;
    for (const r of planted.outliers) expect(o.rows).toContain(r);
  });
  it("PII: one row per planted kind, values masked", () => {
    const p = issue(dirty, "pii")!;
    expect(p.rows).toEqual(planted.pii);
    expect(p.severity).toBe("high");
    const json = JSON.stringify(dirty);
    for (const secret of ["jane.doe@example.com", "4111 1111 1111 1111", "GB82 WEST", "123-45-6789", "192.168.10.42", "7946 0958"]) expect(json).not.toContain(secret);
    const kinds = (p.details.found as { kind: string }[]).map((f) => f.kind).sort();
    expect(kinds).toEqual(["email", "iban", "ip_address", "payment_card", "phone", "us_ssn"]);
  });
  it("row scores and flagged lists are in the report", () => {
    expect(dirty.rowScores.rowIds.length).toBe(dirty.data.rows);
    expect(dirty.rowScores.flagged.duplicate).toEqual(planted.duplicates);
    expect(dirty.rowScores.scores.outlier!.length).toBe(dirty.data.rows);
  });
});

describe("constant and id-like columns", () => {
  it("flags a constant column and a row-id column, not continuous features", async () => {
    const dir = tmp();
    const r = rand(2);
    const lines = ["row_id,uuid,const,x1,x2,label"];
    for (let i = 0; i < 200; i++) lines.push(`${1000 + i},u${(i * 7919).toString(36)}x,same,${r().toFixed(5)},${(r() * 100).toFixed(3)},${r() < 0.5 ? "a" : "b"}`);
    writeFileSync(join(dir, "ids.csv"), lines.join("\n") + "\n");
    const rep = await audit({ source: join(dir, "ids.csv"), target: "label", cacheRoot: join(dir, "cache") }, { noModel: true });
    expect(issue(rep, "constant_column")!.columns).toEqual(["const"]);
    expect(issue(rep, "id_column")!.columns!.sort()).toEqual(["row_id", "uuid"]);
  });
});

describe("clean control", () => {
  it("flags nothing on the clean twin (no model checks)", () => {
    const types = clean.issues.map((i) => i.type);
    for (const t of ["duplicate", "near_duplicate", "leakage", "conflicting_label", "missing", "mixed_type", "out_of_range", "category_variants", "pii", "constant_column", "id_column"]) {
      expect(types, t).not.toContain(t);
    }
  });
});
