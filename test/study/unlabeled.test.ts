/**
 * strategies --unlabeled <src>: semi and selfsup use the given rows in place of the pool's. Their Run ids carry the
 * rows' hash (other ids, and ids without --unlabeled, are unchanged); a label column in the unlabelled file is never
 * read (scrambled labels give the same ids and bit-identical Runs); the CLI's JSON says where the rows came from.
 */
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { strategies } from "../../src/study/strategies/strategies.js";
import { buildJob } from "../../src/study/kit/job.js";
import { readQueueJob, toQueueJob } from "../../src/study/queue/job-data.js";
import { runInputs, type SemiJob } from "../../src/study/run.js";
import { clusters } from "../engine/fixtures.js";
import { cli, engineBuilt, tsx } from "../cli/fixtures/env.js";
import type { Dataset } from "../../src/data/types.js";
import { givenRows } from "../../src/study/run-train.js";
import { unlabeledLines } from "../../src/report/strategies.js";
import type { StrategiesResult } from "../../src/study/strategies/result.js";

const D = 6;
/** Clustered rows as a CSV; `labels`: "true", "scrambled" (a fixed permutation) or "none" (no target column). */
function writeRows(path: string, n: number, seed: number, labels: "true" | "scrambled" | "none"): void {
  const t = clusters(n, true, seed, D);
  const head = Array.from({ length: D }, (_, j) => `f${j}`);
  const lines = [[...head, ...(labels === "none" ? [] : ["label"])].join(",")];
  for (let i = 0; i < t.n; i++) {
    const y = labels === "scrambled" ? t.y[(i * 7 + 3) % t.n]! : t.y[i]!;
    lines.push([...Array.from(t.x.subarray(i * D, (i + 1) * D), (v) => v.toFixed(3)), ...(labels === "none" ? [] : [y ? "b" : "a"])].join(","));
  }
  writeFileSync(path, lines.join("\n") + "\n");
}

const semi: SemiJob = { method: "pseudo", threshold: 0.9, ratio: 3, rounds: 1, unlabeled: 300 };

describe("--unlabeled in Run ids and queue jobs", () => {
  it("a semi Run names the given rows' hash in its inputs only when they are given", () => {
    const ds = { tensors: { xKind: "dense" }, fingerprint: "fp", cacheDir: "/c/fp" } as unknown as Dataset;
    const base = { dataset: ds, spec: { family: "mlp" }, size: 16, seed: 0, attempt: 0, validFraction: 0.15, engineVersion: "e", defaultRecipe: () => ({ lr: 0.001 }) };
    const pool = buildJob({ ...base, semi });
    const given = buildJob({ ...base, semi, unlabeled: { cacheDir: "/c/combined", fingerprint: "u1", rows: 300 } });
    const other = buildJob({ ...base, semi, unlabeled: { cacheDir: "/c/combined2", fingerprint: "u2", rows: 300 } });
    expect(JSON.stringify(pool.inputs)).not.toContain("source");
    expect(pool.job.cacheDir).toBe("/c/fp");
    expect(given.job.cacheDir).toBe("/c/combined");
    expect(given.inputs.semi).toEqual({ ...semi, source: { fingerprint: "u1", rows: 300 } });
    expect(new Set([pool.job.runId, given.job.runId, other.job.runId]).size).toBe(3);
    // The folder is not an input: the same rows cached elsewhere keep the id.
    expect(buildJob({ ...base, semi, unlabeled: { cacheDir: "/elsewhere", fingerprint: "u1", rows: 300 } }).job.runId).toBe(given.job.runId);
    // A plain Run ignores the given rows (its id and folder are the plain ones).
    expect(buildJob({ ...base, unlabeled: { cacheDir: "/c/combined", fingerprint: "u1", rows: 300 } }).job).toEqual(buildJob(base).job);
    // Over the queue the job reads back as the same Run (its id recomputed from the inputs).
    const back = readQueueJob(JSON.parse(JSON.stringify(toQueueJob(given.job, "e", { key: "k", hash: "h" }))), given.job.runId);
    expect(back.job.semi).toEqual(given.job.semi);
    expect(runInputs(back.job, "e")).toEqual(given.inputs);
  });
});

describe("--unlabeled in the worker and the answer", () => {
  it("the given rows are the dataset's last rows, never a row of its split", () => {
    const range = (a: number, b: number) => Int32Array.from({ length: b - a }, (_, i) => a + i);
    const combined = { tensors: { n: 150 }, split: { pool: range(0, 80), test: range(80, 100) } } as unknown as Dataset;
    expect(Array.from(givenRows(combined, 50))).toEqual(Array.from(range(100, 150)));
    expect(() => givenRows(combined, 60)).toThrow(expect.objectContaining({ code: "UNLABELED_ROWS" }));
    // A job sent to the user's own data (no appended rows) is refused, not trained on test rows.
    expect(() => givenRows({ ...combined, tensors: { n: 100 } } as unknown as Dataset, 50)).toThrow(/test or pool rows/);
  });

  it("the answer lists the rows' source, the ignored target values, the counted issues and the skipped rows", () => {
    const r = {
      unlabeled: {
        source: "u.csv",
        fingerprint: "f",
        rows: 1200,
        targetValues: 30,
        issues: [{ column: "colour", kind: "unknown category", count: 4, of: 1200, examples: ["mauve"] }],
        skipped: [{ reason: "wrong number of fields", count: 2, examples: ["line 7"] }],
        warnings: [],
        levers: ["semi"],
      },
    } as unknown as StrategiesResult;
    expect(unlabeledLines(r)).toEqual([
      "unlabelled rows: 1,200 from u.csv (--unlabeled), used by semi in place of the pool's rows; 30 have a value in the target column, never read",
      `  u.csv: 4 of 1,200 cells in 'colour': unknown category ("mauve"); encoded as unseen`,
      "  u.csv: 2 skipped: wrong number of fields (line 7)",
    ]);
    expect(unlabeledLines({} as StrategiesResult)).toEqual([]);
  });
});

describe.skipIf(!engineBuilt)("strategies --unlabeled (real engine, worker processes)", () => {
  it("semi and selfsup use the given rows; ids change only for them; labels in the file are never read", async () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-unlabeled-"));
    const data = join(dir, "labelled.csv");
    writeRows(data, 300, 11, "true");
    const withLabels = join(dir, "unl.csv");
    const scrambled = join(dir, "unl-scrambled.csv");
    writeRows(withLabels, 300, 12, "true");
    writeRows(scrambled, 300, 12, "scrambled");
    const opts = {
      data,
      targetColumn: "label",
      model: "mlp:depth=1,width=0.25",
      try: ["semi:method=pseudo,threshold=0.9,unlabeled=300", "selfsup:steps=20,size=200"],
      sizes: "16",
      seeds: 2,
      jobs: 2,
      threads: 1,
      cacheRoot: join(dir, "cache"),
      bootstrap: 30,
      recipe: { earlyStopping: false as const, steps: 150, lr: 0.003 },
    };
    const store = join(dir, "s.db");
    const pool = await strategies({ ...opts, store });
    const given = await strategies({ ...opts, store, unlabeled: withLabels });
    const arm = (r: typeof pool, a: string) => r.runs.filter((x) => x.arm === a).sort((x, y) => x.seed - y.seed);
    const [semiLabel, selfLabel] = opts.try;
    // The baseline's Runs are the same Runs (re-used); the semi Runs are new ones on the given rows.
    expect(arm(given, "baseline").map((r) => r.id)).toEqual(arm(pool, "baseline").map((r) => r.id));
    expect(arm(given, "baseline").every((r) => r.reused)).toBe(true);
    const [pSemi, gSemi] = [arm(pool, semiLabel!), arm(given, semiLabel!)];
    expect(gSemi.map((r) => r.id).some((id) => pSemi.some((p) => p.id === id))).toBe(false);
    expect(gSemi.every((r) => !r.reused)).toBe(true);
    expect(pool.levers[0]!.semi!.unlabeled).toEqual({ min: 240 - 16, max: 240 - 16 });
    expect(given.levers[0]!.semi!.unlabeled).toEqual({ min: 300, max: 300 });
    expect(gSemi.map((r) => r.metrics!.test.loss)).not.toEqual(pSemi.map((r) => r.metrics!.test.loss));
    expect(pool.levers[0]!.unlabeled).toEqual({ from: "pool", source: data, rows: 240 });
    expect(given.levers[0]!.unlabeled).toEqual({ from: "given", source: withLabels, rows: 300 });
    expect(given.unlabeled).toMatchObject({ source: withLabels, rows: 300, targetValues: 300, issues: [], levers: [semiLabel, selfLabel] });
    // selfsup pretrained on the given rows: another artifact, and the decision says which rows.
    expect(given.levers[1]!.cost.pretrain!.artifact).not.toBe(pool.levers[1]!.cost.pretrain!.artifact);
    expect(given.decisions.join("\n")).toMatch(/pretrained on 200 rows of .*unl\.csv \(--unlabeled\) without labels/);
    expect(given.decisions.join("\n")).toMatch(/--unlabeled: 300 rows .* 300 of them have a value in the target column, never read/);

    // The same rows with scrambled labels, trained afresh in another store: the same ids and the same bits.
    // FixMatch too (the unlabelled inputs go into the C++ loop): its Runs on both files, each in its own store.
    const fix = "semi:method=fixmatch,ratio=2,unlabeled=300";
    const again = await strategies({ ...opts, try: [semiLabel!, fix], store: join(dir, "s2.db"), unlabeled: scrambled });
    const first = await strategies({ ...opts, try: [fix], store: join(dir, "s3.db"), unlabeled: withLabels });
    for (const [a, b] of [[arm(again, semiLabel!), gSemi], [arm(again, fix), arm(first, fix)]] as const) {
      expect(a).toHaveLength(2);
      expect(a.every((r) => !r.reused && b.every((x) => !x.reused))).toBe(true);
      expect(a.map((r) => r.id)).toEqual(b.map((r) => r.id));
      expect(a.map((r) => r.metrics)).toEqual(b.map((r) => r.metrics));
    }
  }, 180_000);

  it("the CLI: --unlabeled in the JSON answer; refused when no lever reads it, or when a feature column is missing", () => {
    const dir = mkdtempSync(join(tmpdir(), "enough-unlabeled-cli-"));
    const data = join(dir, "labelled.csv");
    const unl = join(dir, "unl.csv");
    writeRows(data, 200, 21, "true");
    writeRows(unl, 100, 22, "none");
    const run = (...extra: string[]) =>
      spawnSync(process.execPath, ["--import", tsx, cli, "strategies", "--data", data, "--target-column", "label", "--model", "mlp:depth=1,width=0.25", "--sizes", "16", "--seeds", "1", "--jobs", "1", "--threads", "1", "--store", join(dir, "s.db"), "--cache-root", join(dir, "cache"), "--json", ...extra], { cwd: dir, encoding: "utf8", timeout: 90_000 });
    const ok = run("--try", "semi:method=pseudo", "--unlabeled", unl);
    expect(ok.status, ok.stderr).toBe(0);
    const json = JSON.parse(ok.stdout);
    expect(json.unlabeled).toMatchObject({ source: unl, rows: 100, targetValues: 0 });
    expect(json.levers[0].unlabeled).toEqual({ from: "given", source: unl, rows: 100 });
    const unused = run("--try", "ensemble:k=2", "--unlabeled", unl);
    expect(unused.status).toBe(2);
    expect(unused.stderr).toMatch(/UNLABELED_UNUSED/);
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "f0,f1\n1,2\n");
    const mismatch = run("--try", "semi", "--unlabeled", bad);
    expect(mismatch.status).toBe(2);
    expect(mismatch.stderr).toMatch(/UNLABELLED_SCHEMA/);
    expect(mismatch.stderr).toContain(`${bad}: lacks the column 'f2'`);
  }, 120_000);
});
