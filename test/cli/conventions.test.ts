// CLI conventions (issue 19): --version, exit codes (2 user error for every command, 1 failure, 3 out of reach,
// 130 interrupted), progress without a terminal, --events ndjson, --store sqlite:/// URLs, --sizes fractions, f1.
import { describe, expect, it, vi } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CommanderError } from "commander";
import { CancelledError, EnvironmentError, InputError, StoreError, TrainingError } from "../../src/errors.js";
import { EXIT, compareExitCode, estimateExitCode, exitCodeOf } from "../../src/cli/exit-codes.js";
import type { CompareReport } from "../../src/study/compare/result.js";
import { estimate } from "../../src/study/estimate.js";
import { InProcessExecutor, fakeDeps } from "../study/fixtures/fake-deps.js";
import { main } from "../../src/cli/main.js";
import { EventStream } from "../../src/cli/events-out.js";
import { ProgressLine } from "../../src/cli/progress.js";
import { cli, engineBuilt, tsx, writeLearnableCsv } from "./fixtures/env.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-conv-cli-"));
const run = (args: string[], cwd: string, env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["--import", tsx, cli, ...args], { cwd, encoding: "utf8", env: { ...process.env, ENOUGH_THREADS: "1", ...env }, timeout: 110_000 });

/** main() in this process (what the bin runs): its exit code and what it wrote. */
async function inProcess(args: string[], cwd?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const chunks: string[] = [];
  const outChunks: string[] = [];
  const err = vi.spyOn(process.stderr, "write").mockImplementation((c: string | Uint8Array) => (chunks.push(String(c)), true));
  const out = vi.spyOn(process.stdout, "write").mockImplementation((c: string | Uint8Array) => (outChunks.push(String(c)), true));
  const here = process.cwd();
  const before = process.exitCode;
  try {
    process.exitCode = 0;
    if (cwd) process.chdir(cwd);
    await main(["node", "enough", ...args]);
    return { code: Number(process.exitCode ?? 0), stdout: outChunks.join(""), stderr: chunks.join("") };
  } finally {
    process.chdir(here);
    err.mockRestore();
    out.mockRestore();
    process.exitCode = before;
  }
}

describe("exit codes", () => {
  it("--version prints package.json's version and exits 0", async () => {
    const version = JSON.parse(readFileSync(join(import.meta.dirname, "../../package.json"), "utf8")).version;
    for (const flag of ["--version", "-V"]) {
      const r = await inProcess([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`${version}\n`);
    }
  });

  it("a mistyped flag exits 2 in every command, as do an unknown command and no command", async () => {
    // In this process (the same main() the bin runs), so that every command is checked without a process each.
    const required: Record<string, string[]> = { fit: ["c.csv"], compare: ["--data", "x", "--vary", "width=1"], strategies: ["--data", "x", "--try", "augment"] };
    for (const c of ["fit", "estimate", "train", "inspect", "audit", "compare", "strategies"]) {
      const r = await inProcess([c, ...(required[c] ?? ["--data", "x"]), "--sizse", "1"]);
      expect(r.code, c).toBe(2);
      expect(r.stderr, c).toMatch(/unknown option '--sizse'/);
    }
    const unknown = await inProcess(["estimat"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'estimat'[\s\S]*Did you mean estimate\?/);
    expect((await inProcess([])).code).toBe(2);
  });

  it("typed errors: the user's input 2, a failed run or a missing engine 1, an interruption 130", () => {
    expect(exitCodeOf(new InputError("BAD_SIZES", "x"))).toBe(EXIT.userError);
    expect(exitCodeOf(new StoreError("STORE_LOCKED", "x"))).toBe(EXIT.userError);
    expect(exitCodeOf(new TrainingError("LOSS_DIVERGED", "x"))).toBe(EXIT.failure);
    expect(exitCodeOf(new EnvironmentError("NATIVE_MISSING", "x"))).toBe(EXIT.failure);
    expect(exitCodeOf(new CancelledError())).toBe(130);
    expect(exitCodeOf(new Error("bug"))).toBe(1);
    expect(exitCodeOf(new CommanderError(0, "commander.version", ""))).toBe(0);
    expect(exitCodeOf(new CommanderError(1, "commander.unknownOption", ""))).toBe(2);
  });

  it("--store with another scheme, --sizes mixing fractions and counts, or a bad --events is refused before the data is read", async () => {
    const dir = tmp();
    const missing = join(dir, "missing.csv");
    const url = await inProcess(["estimate", "--data", missing, "--store", "postgresql://u@localhost/optuna"], dir);
    expect(url.code).toBe(2);
    expect(url.stderr).toMatch(/error \[STORE_URL\]: --store postgresql:\/\/u@localhost\/optuna: the store is a SQLite file/);
    expect(url.stderr).not.toContain("missing.csv");
    expect(existsSync(join(dir, "postgresql:"))).toBe(false);
    const sizes = await inProcess(["compare", "--data", missing, "--vary", "width=1,2", "--sizes", "0.1,0.5,1", "--store", join(dir, "s.db")], dir);
    expect(sizes.code).toBe(2);
    expect(sizes.stderr).toMatch(/error \[BAD_SIZES\]: .*'0.1' is a fraction of the pool and '1' a count/);
    expect(sizes.stderr).toMatch(/the whole pool as a fraction is 1\.0/);
    const events = await inProcess(["strategies", "--data", missing, "--try", "augment", "--events", "json"], dir);
    expect(events.code).toBe(2);
    expect(events.stderr).toMatch(/error \[BAD_EVENTS\]/);
  });
});

describe("exit code 3: the target out of reach with good confidence", () => {
  it("estimate: 3 for a curve that levels off below the target, 0 for a target it reaches", async () => {
    const deps = (spec: Record<string, unknown>) => fakeDeps({ executor: () => new InProcessExecutor(2), poolSize: 20000, spec });
    const flat = await estimate({ data: "fake", target: "accuracy=0.9", seeds: 3, budget: "600s", store: join(tmp(), "e.db") }, { deps: deps({ plateau: 0.7 }) });
    expect(flat.samplesForTarget?.reachable).toBe(false);
    expect(["medium", "high"]).toContain(flat.confidence);
    expect(estimateExitCode(flat)).toBe(EXIT.outOfReach);
    // The same curve read with low confidence could not tell: 0.
    expect(estimateExitCode({ ...flat, confidence: "low" })).toBe(EXIT.ok);
    const fine = await estimate({ data: "fake", target: "accuracy=0.85", sizes: "100,400,1600,6400", seeds: 2, store: join(tmp(), "e.db") }, { deps: deps({}) });
    expect(fine.samplesForTarget?.reachable).not.toBe(false);
    expect(estimateExitCode(fine)).toBe(EXIT.ok);
  });

  it("compare: 3 only when every variant is out of reach with good confidence", () => {
    const v = (reachable: boolean | "uncertain", confidence = "high") => ({ samplesForTarget: { mean: 1, lo: 1, hi: Infinity, reachable, confidence: 0 }, confidence });
    const report = (variants: object[], target: object | null = { metric: "accuracy", value: 0.9 }) => ({ question: { target }, variants }) as unknown as CompareReport;
    expect(compareExitCode(report([v(false), v(false, "medium")]))).toBe(3);
    expect(compareExitCode(report([v(false), v("uncertain")]))).toBe(0);
    expect(compareExitCode(report([v(false), v(false, "low")]))).toBe(0);
    expect(compareExitCode(report([v(false)], null))).toBe(0);
  });
});

describe("progress without a terminal", () => {
  it("prints the notes as lines and the progress line every period, never terminal control sequences", () => {
    let t = 0;
    const out: string[] = [];
    const p = new ProgressLine({ write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream, { tty: false, verbose: false, label: "estimate", periodSeconds: 30, now: () => t });
    p.on({ type: "plan", studyId: "s1", adaptive: false, sizes: [100, 200], seeds: 2, budgetSeconds: null, jobs: 2, threads: 1, model: {}, metric: "accuracy", target: null });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^plan: sizes 100, 200, 2 seed\(s\).*study s1\n$/);
    p.on({ type: "progress", done: 1, failed: 0, running: 2, planned: 4, elapsedSeconds: 5, etaSeconds: 60, etaBound: "plan" });
    // Ticks (once a second in the CLI) at these clock readings: a line is due 30 s after the last one.
    const linesAt = [20_000, 31_000, 45_000, 61_000].map((at) => {
      t = at;
      p.tick();
      return out.length;
    });
    expect(linesAt).toEqual([1, 2, 2, 3]);
    expect(out[1]).toBe("estimate · 1/4 Runs done, 2 running · 0m36s · ETA 0m29s\n");
    expect(out.join("")).not.toMatch(/[\r\u001b]/);
  });

  it("an event stream writes one JSON object per line, ends with done, and leaves per-epoch events out", () => {
    const file = join(tmp(), "events.ndjson");
    const s = EventStream.open(`ndjson:${file}`)!;
    expect(s.onStdout).toBe(false);
    s.event({ type: "run-start", runId: "r1", size: 100 } as never);
    s.event({ type: "run-epoch", runId: "r1", epoch: 1 } as never);
    s.event({ type: "answer", metric: "accuracy", samplesForTarget: { mean: 5, lo: 1, hi: Infinity } } as never);
    s.done({ headline: "ok" }, 3);
    s.failed(new Error("late"));
    s.close();
    const lines = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(["run-start", "answer", "done"]);
    expect(lines[1].samplesForTarget.hi).toBeNull();
    expect(lines[2]).toMatchObject({ exitCode: 3, result: { headline: "ok" } });
    expect(new Date(lines[0].time).getTime()).toBeGreaterThan(0);
    expect(() => EventStream.open("csv")).toThrow(/--events ndjson/);
  });
});

describe.skipIf(!engineBuilt)("conventions end to end (real engine)", () => {
  it("estimate with sqlite:/// store, --sizes fractions and an f1 target streams NDJSON events, re-uses every Run, and exits 3 out of reach", () => {
    const dir = tmp();
    const csv = join(dir, "small.csv");
    writeLearnableCsv(csv, 1000);
    const base = ["estimate", "--data", csv, "--target-column", "label", "--model", "mlp:width=0.25", "--sizes", "0.1,0.25,0.5,1.0", "--seeds", "1", "--jobs", "2", "--store", "sqlite:///runs/e.db", "--out", join(dir, "report")];
    const first = run([...base, "--target", "f1_macro=0.6", "--events", "ndjson"], dir, { ENOUGH_PROGRESS_SECONDS: "0.001" });
    expect(first.status, first.stderr).toBe(0);
    expect(existsSync(join(dir, "runs", "e.db"))).toBe(true);
    expect(existsSync(join(dir, "sqlite:"))).toBe(false);
    const events = first.stdout.trimEnd().split("\n").map((l) => JSON.parse(l));
    const types = events.map((e) => e.type);
    expect(types[0]).toBe("data");
    expect(types.at(-1)).toBe("done");
    expect(types.filter((t) => t === "run-start")).toHaveLength(4);
    expect(types.filter((t) => t === "run-done")).toHaveLength(4);
    expect(types).toContain("answer");
    expect(types).not.toContain("run-epoch");
    const plan = events.find((e) => e.type === "plan");
    expect(plan.sizes).toEqual([80, 200, 400, 800]); // fractions of the 800-row pool
    const done = events.at(-1);
    expect(done.exitCode).toBe(0);
    expect(done.result.metric).toBe("f1");
    expect(done.result.target).toEqual({ metric: "f1", value: 0.6 });
    for (const p of done.result.points) expect(p.mean).toBeGreaterThan(0.3);
    // Without a terminal the notes and the progress line reach stderr as plain lines (the Runs take over a second,
    // and the line is due at every tick here).
    expect(first.stderr).toMatch(/^data: .*small\.csv: 1,000 rows/m);
    expect(first.stderr).toMatch(/^estimate · \d+\/4 Runs done/m);
    expect(first.stderr).not.toMatch(/\u001b/);

    const file = join(dir, "events.ndjson");
    const second = run([...base, "--metric", "f1", "--target", "0.6", "--events", `ndjson:${file}`], dir);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout.split("\n")[0]).toMatch(/f1/); // the text answer stays on stdout
    const again = readFileSync(file, "utf8").trimEnd().split("\n").map((l) => JSON.parse(l));
    expect(again.filter((e) => e.type === "run-done").every((e) => e.reused)).toBe(true);
    expect(again.at(-1).result.studyId).toBe(done.result.studyId);

    // Exit 3: the same Runs read against a target the curve levels off below (its asymptote's 80% interval ends
    // near 0.95 on this data), with a fit of medium confidence.
    const far = run([...base, "--target", "f1=0.99", "--json"], dir);
    expect(far.status, far.stderr).toBe(EXIT.outOfReach);
    const j = JSON.parse(far.stdout);
    expect(j.headline).toMatch(/f1 0\.990 looks out of reach/);
    expect(j.samplesForTarget.reachable).toBe(false);
    expect(j.runs.reused).toBe(4);
  }, 240_000);
});
