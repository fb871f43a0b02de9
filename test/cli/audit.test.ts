import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { tmp, writeTabular } from "../audit/fixtures.js";

const cli = join(import.meta.dirname, "fixtures/cli.ts");
// By absolute path: the CLI runs in a temporary folder where "tsx" would not resolve.
const tsx = pathToFileURL(join(import.meta.dirname, "../../node_modules/tsx/dist/loader.mjs")).href;
const engineBuilt = existsSync(join(import.meta.dirname, "../../native/build/Release/enough_native.node"));

const run = (dir: string, args: string[], timeout = 110_000) =>
  spawnSync(process.execPath, ["--import", tsx, cli, "audit", ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1" }, timeout });

describe("enough audit (end to end)", () => {
  it.skipIf(!engineBuilt)("--json on a small CSV with a group column: issue list shape, bias section, reports on disk", () => {
    const dir = tmp();
    const { file, planted } = writeTabular(dir, { rows: 400 });
    const r = run(dir, ["--data", file, "--target", "label", "--group", "site", "--folds", "3", "--epochs", "15", "--json", "--out", join(dir, "out")]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const types = j.issues.map((i: { type: string }) => i.type);
    for (const t of ["duplicate", "conflicting_label", "missing", "pii", "mixed_type", "category_variants"]) expect(types).toContain(t);
    for (const i of j.issues) {
      expect(Object.keys(i)).toEqual(expect.arrayContaining(["type", "severity", "count", "rows", "score"]));
      expect(["high", "medium", "low", "info"]).toContain(i.severity);
      expect(Array.isArray(i.rows)).toBe(true);
    }
    expect(j.issues.find((i: { type: string }) => i.type === "duplicate").rows).toEqual(planted.duplicates);
    // the bias section: per-group accuracy with intervals; site C is the noisy one
    expect(j.bias[0].column).toBe("site");
    const groups = Object.fromEntries(j.bias[0].groups.map((g: { group: string }) => [g.group, g]));
    expect(Object.keys(groups).sort()).toEqual(["A", "B", "C"]);
    expect(groups.C.accuracy.value).toBeLessThan(groups.A.accuracy.value);
    expect(groups.C.accuracy.lo).toBeLessThanOrEqual(groups.C.accuracy.value);
    expect(j.bias[0].gaps.accuracy.gap.hi).toBeGreaterThan(0);
    expect(j.groupCurves.length).toBe(3);
    expect(j.model.folds).toBe(3);
    // files
    const rep = JSON.parse(readFileSync(join(dir, "out", "audit.json"), "utf8"));
    expect(rep.rowScores.rowIds.length).toBe(rep.data.rows);
    expect(rep.rowScores.scores.label.length).toBe(rep.data.rows);
    const html = readFileSync(join(dir, "out", "audit.html"), "utf8");
    expect(html).toContain("<svg");
    expect(html).toContain("Accuracy per group");
    expect(html).not.toContain("jane.doe@example.com");
    const csv = readFileSync(join(dir, "out", "flagged.csv"), "utf8").split("\n");
    expect(csv[0]).toMatch(/^row,issues,/);
    expect(csv.some((l) => l.startsWith("101,") && l.includes("duplicate"))).toBe(true);
  }, 120_000);

  it("typed errors for bad input, without a stack trace", () => {
    const dir = tmp();
    const { file } = writeTabular(dir, { rows: 100, clean: true });
    const missing = run(dir, ["--data", join(dir, "nope.csv"), "--no-model"], 60_000);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/enough: error \[/);
    expect(missing.stderr).not.toMatch(/at .*\.ts:\d+/);
    const folds = run(dir, ["--data", file, "--folds", "1"], 60_000);
    expect(folds.status).toBe(2);
    expect(folds.stderr).toMatch(/--folds must be at least 2/);
    const id = run(dir, ["--data", file, "--target", "label", "--id", "nope", "--no-model", "--out", join(dir, "o")], 60_000);
    expect(id.status).toBe(2);
    expect(id.stderr).toMatch(/AUDIT_ID/);
    const check = run(dir, ["--data", file, "--target", "label", "--checks", "missing,lables", "--no-model", "--out", join(dir, "o")], 60_000);
    expect(check.status).toBe(2);
    expect(check.stderr).toMatch(/AUDIT_CHECK/);
    expect(check.stderr).toMatch(/unknown audit check: lables/);
    expect(check.stderr).toMatch(/missing, columns, mixed-type/);
  }, 120_000);

  it("--no-model plain output leads with the headline and names the report", () => {
    const dir = tmp();
    const { file } = writeTabular(dir, { rows: 400 });
    const r = run(dir, ["--data", file, "--target", "label", "--no-model", "--id", "a", "--out", join(dir, "o")], 60_000);
    expect(r.status).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toMatch(/serious problem|minor problem/);
    expect(r.stdout).toContain("Report: ");
    const csv = readFileSync(join(dir, "o", "flagged.csv"), "utf8");
    expect(csv.split("\n")[0]).toMatch(/^row,id,issues/);
  }, 60_000);

  it("--checks and --skip select checks", () => {
    const dir = tmp();
    const { file } = writeTabular(dir, { rows: 400 });
    const r = run(dir, ["--data", file, "--target", "label", "--checks", "missing,duplicates,pii", "--skip", "pii", "--json", "--out", join(dir, "o")], 60_000);
    expect(r.status).toBe(0);
    const j = JSON.parse(r.stdout);
    const types = new Set(j.issues.map((i: { type: string }) => i.type));
    expect(types.has("missing") && types.has("duplicate")).toBe(true);
    expect(types.has("pii") || types.has("mixed_type")).toBe(false);
    // no selected check needs out-of-fold predictions: nothing was trained
    expect(j.model).toBeNull();
  }, 60_000);
});
