/**
 * `enough label-next` end to end: the chosen rows are the same on a second run (same seed), margin picks rows near
 * the boundary, the CSV carries rank, row, score and the row; bad inputs are typed errors with exit 2.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cli, engineBuilt, tsx } from "./fixtures/env.js";
import { labelNext } from "../../src/study/label-next.js";
import { labelNextCsv } from "../../src/cli/commands/label-next.js";
import { writeBoundaryTask } from "../study/fixtures/boundary-task.js";

function files(dir: string) {
  const all = join(dir, "all.csv");
  writeBoundaryTask(all, 500, 3, { near: 0.3 });
  const [head, ...lines] = readFileSync(all, "utf8").trim().split("\n");
  const labelled = join(dir, "labelled.csv");
  const unlabelled = join(dir, "unlabeled.csv");
  writeFileSync(labelled, [head, ...lines.slice(0, 100)].join("\n") + "\n");
  // The target column kept, emptied: the usual shape of an export of rows still to label.
  writeFileSync(unlabelled, [head, ...lines.slice(100).map((l) => l.replace(/,[pn]$/, ","))].join("\n") + "\n");
  return { labelled, unlabelled, head: head!, rest: lines.slice(100) };
}

describe.skipIf(!engineBuilt)("enough label-next (real engine)", () => {
  it("writes the k next rows reproducibly (rank,row,score,row columns); margin picks near the boundary", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-next-"));
    const f = files(dir);
    const args = (out: string) => ["--import", tsx, cli, "label-next", "--data", f.unlabelled, "--labelled", f.labelled, "--model", "mlp:depth=1,width=0.25", "--k", "20", "--strategy", "margin", "--seed", "4", "--out", out, "--cache-root", join(dir, "cache")];
    const run = (out: string) => spawnSync(process.execPath, args(out), { cwd: dir, encoding: "utf8", timeout: 60_000 });
    const a = run(join(dir, "a.csv"));
    expect(a.status, a.stderr).toBe(0);
    expect(a.stderr).toMatch(/20 of 400 unlabelled rows chosen by margin/);
    const csv = readFileSync(join(dir, "a.csv"), "utf8");
    // Same seed, same rows: the library call in this process writes the very same file.
    const again = await labelNext({ data: f.unlabelled, labelled: f.labelled, model: "mlp:depth=1,width=0.25", k: 20, strategy: "margin", seed: 4, load: { cacheRoot: join(dir, "cache") } });
    expect(labelNextCsv(again)).toBe(csv);
    const lines = csv.trim().split("\n");
    expect(lines[0]).toBe("rank,row,score,a,b,label");
    expect(lines).toHaveLength(21);
    const picks = lines.slice(1).map((l) => l.split(","));
    // Each line is the unlabelled file's row it names; the picks lie nearer the boundary (a = 0.1) than the pool.
    for (const p of picks) expect(f.rest[Number(p[1]) - 1]!.split(",").slice(0, 2)).toEqual(p.slice(3, 5));
    const dist = (a: string) => Math.abs(Number(a) - 0.1);
    const meanPick = picks.reduce((s, p) => s + dist(p[3]!), 0) / picks.length;
    const meanAll = f.rest.reduce((s, l) => s + dist(l.split(",")[0]!), 0) / f.rest.length;
    expect(meanPick).toBeLessThan(meanAll / 3);
  }, 90_000);

  it("typed errors: a filled target column, k above the rows, another schema, no rows, bald without dropout", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-next-bad-"));
    const f = files(dir);
    const base = { labelled: f.labelled, model: "mlp:depth=1,width=0.25", k: 5, strategy: "margin" as const, load: { cacheRoot: join(dir, "cache") } };
    const filled = join(dir, "filled.csv");
    writeFileSync(filled, [f.head, ...f.rest.slice(0, 10)].join("\n") + "\n");
    await expect(labelNext({ ...base, data: filled })).rejects.toMatchObject({ code: "UNLABELLED_HAS_LABELS", hint: expect.stringMatching(/move them there/) });
    await expect(labelNext({ ...base, data: f.unlabelled, k: 401 })).rejects.toMatchObject({ code: "K_TOO_LARGE" });
    const other = join(dir, "other.csv");
    writeFileSync(other, "a,c\n1,2\n");
    await expect(labelNext({ ...base, data: other })).rejects.toMatchObject({ code: "UNLABELLED_SCHEMA" });
    const empty = join(dir, "empty.csv");
    writeFileSync(empty, "a,b\n");
    await expect(labelNext({ ...base, data: empty })).rejects.toMatchObject({ code: expect.stringMatching(/UNLABELLED_EMPTY|EMPTY/) });
    await expect(labelNext({ ...base, data: f.unlabelled, strategy: "bald" })).rejects.toThrow(/bald needs a model with dropout/);
    const cliRun = spawnSync(process.execPath, ["--import", tsx, cli, "label-next", "--data", filled, "--labelled", f.labelled, "--cache-root", join(dir, "cache")], { cwd: dir, encoding: "utf8", timeout: 60_000 });
    expect(cliRun.status).toBe(2);
    expect(cliRun.stderr).toMatch(/UNLABELLED_HAS_LABELS|target column 'label'/);
  }, 90_000);
});
