import { describe, expect, it } from "vitest";
import { execSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { estimate } from "../../src/study/estimate.js";
import { saferRecipe } from "../../src/study/kit/job.js";
import { writeReport } from "../../src/report/index.js";
import type { StudyEvent } from "../../src/study/events.js";
import { LocalExecutor } from "../../src/study/executor-local.js";
import { Store } from "../../src/study/store.js";
import { InProcessExecutor, fakeDeps, fakeWorkerScript } from "./fixtures/fake-deps.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-est-"));

function collect() {
  const events: StudyEvent[] = [];
  return { events, onEvent: (e: StudyEvent) => events.push(e), of: <T extends StudyEvent["type"]>(t: T) => events.filter((e) => e.type === t) as Extract<StudyEvent, { type: T }>[] };
}

describe("estimate with a fixed plan", () => {
  it("measures every size x seed, answers with intervals, writes the report, and re-uses Runs on a re-run", async () => {
    const dir = tmp();
    const store = join(dir, "e.db");
    const ex = new InProcessExecutor(2);
    const deps = fakeDeps({ executor: () => ex });
    const c = collect();
    const report = await estimate({ data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target: "accuracy=0.92", store, at: "10000" }, { deps, onEvent: c.onEvent });
    // The library call writes nothing but the store; the report layer writes the files.
    expect(report.reports).toBeNull();
    expect(readdirSync(dir).filter((f) => !f.startsWith("e.db"))).toEqual([]);
    await writeReport(report, join(dir, "out"));
    expect(ex.started).toHaveLength(12);
    expect(report.points.map((p) => [p.n, p.count])).toEqual([[100, 2], [200, 2], [400, 2], [800, 2], [1600, 2], [4000, 2]]);
    expect(report.predictions.map((p) => p.n)).toContain(10000);
    expect(report.samplesForTarget).not.toBeNull();
    expect(report.samplesForTarget!.lo).toBeLessThanOrEqual(report.samplesForTarget!.mean);
    expect(report.headline).toMatch(/Reaching accuracy 0\.920 needs about [\d,]+ samples \(80% interval/);
    expect(report.findings.map((f) => f.id)).toEqual(expect.arrayContaining(["have", "target", "next", "gap", "evidence"]));
    expect(report.curves.train.points).toHaveLength(6);
    expect(report.gap.rows).toHaveLength(6);
    expect(report.reports).not.toBeNull();
    for (const p of Object.values(report.reports!)) expect(existsSync(p)).toBe(true);
    // The first planned Runs interleave large and small sizes.
    expect(c.of("run-start").slice(0, 3).map((e) => e.size)).toEqual([4000, 100, 1600]);
    expect(c.of("progress").length).toBeGreaterThan(0);
    const s = Store.open(store);
    expect(s.studyRuns(report.studyId)).toHaveLength(12);
    expect(s.getStudy(report.studyId)!.status).toBe("done");
    s.close();

    const ex2 = new InProcessExecutor(2);
    const again = await estimate({ data: "fake", sizes: "100,200,400,800,1600,4000", seeds: 2, target: "accuracy=0.92", store }, { deps: fakeDeps({ executor: () => ex2 }) });
    expect(ex2.started).toHaveLength(0);
    expect(again.runs.every((r) => r.reused)).toBe(true);
    expect(again.studyId).toBe(report.studyId);
    expect(again.samplesForTarget!.mean).toBeCloseTo(report.samplesForTarget!.mean, 6);
  });

  it("retries a failed Run once with a safer recipe and goes on", async () => {
    const ex = new InProcessExecutor(1);
    const c = collect();
    const report = await estimate(
      { data: "fake", sizes: "100,400,1600", seeds: 1, store: join(tmp(), "e.db") },
      { deps: fakeDeps({ executor: () => ex, spec: { failAt: [400], failAboveLr: 0.0005 } }), onEvent: c.onEvent },
    );
    expect(c.of("run-failed")).toMatchObject([{ size: 400, willRetry: true, error: { code: "DIVERGED" } }]);
    const r400 = report.runs.filter((r) => r.size === 400);
    expect(r400.map((r) => [r.attempt, r.status])).toEqual([[0, "failed"], [1, "done"]]);
    expect(report.points).toHaveLength(3);
    expect(saferRecipe({ lr: 0.003, batchSize: 128 })).toEqual({ lr: 0.001, batchSize: 64 });
  });

  it("rejects sizes beyond the pool and a bad target with typed errors", async () => {
    const deps = fakeDeps({ executor: () => new InProcessExecutor() });
    await expect(estimate({ data: "fake", sizes: "100,99999", store: join(tmp(), "e.db") }, { deps })).rejects.toMatchObject({ code: "SIZE_TOO_LARGE" });
    await expect(estimate({ data: "fake", target: "accuracy>0.9", store: join(tmp(), "e.db") }, { deps })).rejects.toMatchObject({ code: "BAD_TARGET" });
    await expect(estimate({ data: "fake", target: "r2=0.9", store: join(tmp(), "e.db") }, { deps })).rejects.toMatchObject({ code: "BAD_METRIC" });
  });
});

describe("estimate with an adaptive plan", () => {
  it("pilots small sizes, then chooses Runs with reasons, and stops within its limits", async () => {
    const ex = new InProcessExecutor(2);
    const c = collect();
    const report = await estimate({ data: "fake", target: "accuracy=0.9", seeds: 3, budget: "60s", store: join(tmp(), "e.db") }, { deps: fakeDeps({ executor: () => ex, poolSize: 20000 }), onEvent: c.onEvent });
    const starts = c.of("run-start");
    expect(starts.slice(0, 4).map((e) => e.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^pilot/)]));
    expect(starts.slice(0, 4).map((e) => e.size).sort((a, b) => a - b)).toEqual([50, 71, 100, 141]);
    expect(starts.slice(4).every((e) => /uncertainty reduction per second|near the forecast n≈/.test(e.reason))).toBe(true);
    expect(report.plan.adaptive).toBe(true);
    expect(report.plan.decisions.length).toBe(starts.length);
    expect(report.plan.stopReason).not.toBe("");
    // The target is met at n = 1,600 on this curve: the planner measures near it (or beyond).
    expect(Math.max(...report.points.map((p) => p.n))).toBeGreaterThanOrEqual(1500);
    expect(report.points.some((p) => p.count > 1)).toBe(true);
  });
});

describe("estimate stops early on an unreachable target only when the fits agree", () => {
  it("a curve levelling off at 0.70 with a 0.90 target: stops before the budget, saying so, after two fits in a row", async () => {
    const ex = new InProcessExecutor(2);
    const report = await estimate(
      { data: "fake", target: "accuracy=0.9", seeds: 3, budget: "600s", store: join(tmp(), "e.db") },
      { deps: fakeDeps({ executor: () => ex, poolSize: 20000, spec: { plateau: 0.7 } }) },
    );
    expect(report.plan.stopReason).toMatch(/out of reach with good confidence .* two fits in a row/);
    expect(report.samplesForTarget?.reachable).toBe(false);
  });
});

describe("estimate with worker processes", () => {
  it("a dead worker fails its Run; the study goes on", async () => {
    const c = collect();
    const report = await estimate(
      { data: "fake", sizes: "100,400,1600", seeds: 1, store: join(tmp(), "e.db") },
      { deps: fakeDeps({ spec: { crashAt: [400] }, executor: () => new LocalExecutor({ jobs: 2, threads: 1, workerScript: fakeWorkerScript }) }), onEvent: c.onEvent },
    );
    const failed = report.runs.filter((r) => r.status === "failed");
    // Both attempts crash (the safer recipe does not help a crash at this size): recorded with their errors.
    expect(failed.map((r) => r.error!.code)).toEqual(["WORKER_DIED", "WORKER_DIED"]);
    expect(report.points.map((p) => p.n)).toEqual([100, 1600]);
    expect(report.findings.find((f) => f.id === "failures")!.text).toMatch(/1 Run failed/);
  });

  it("resumes after kill -9 of the coordinator, losing at most the in-flight Runs", async () => {
    const dir = tmp();
    const store = join(dir, "e.db");
    const args = [join(import.meta.dirname, "fixtures/run-estimate.ts"), store, "100,200,300,400,500,600,700,800", "2", "300"];
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let workerPids: number[] = [];
    await new Promise<void>((resolve) => {
      child.stdout!.on("data", (d) => {
        out += d;
        const done = out.split("\n").filter((l) => l.includes('"run-done"')).length;
        if (done >= 4) resolve();
      });
    });
    workerPids = workerPidsOf(child.pid!);
    expect(workerPids.length).toBeGreaterThan(0);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    // Orphaned workers notice the closed IPC channel and exit on their own.
    for (let i = 0; i < 50 && workerPids.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(workerPids.filter(alive)).toEqual([]);
    const doneBefore = out.split("\n").filter((l) => l.includes('"run-done"')).map((l) => JSON.parse(l).runId as string);
    expect(doneBefore.length).toBeGreaterThanOrEqual(4);

    const second = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out2 = "";
    second.stdout!.on("data", (d) => (out2 += d));
    const code = await new Promise((r) => second.on("exit", r));
    expect(code).toBe(0);
    const lines = out2.trim().split("\n").map((l) => JSON.parse(l));
    const started = lines.filter((e) => e.type === "run-start").map((e) => e.runId as string);
    const reused = lines.filter((e) => e.type === "run-done" && e.reused).map((e) => e.runId as string);
    expect(lines.at(-1)).toMatchObject({ type: "final", runs: 16 });
    // Every Run finished before the kill is re-used, none is trained again; at most the 2 in flight are redone.
    for (const id of doneBefore) expect(reused).toContain(id);
    expect(started.filter((id) => doneBefore.includes(id))).toEqual([]);
    expect(started.length).toBe(16 - reused.length);
    const st = Store.open(store);
    const runs = st.studyRuns(lines.at(-1).studyId);
    expect(runs.filter((r) => r.status === "done")).toHaveLength(16);
    expect(runs.filter((r) => r.attempts > 1).length).toBeLessThanOrEqual(2);
    st.close();
  });

  it("SIGINT stops cleanly: finished Runs stay stored, in-flight ones are released, workers exit", async () => {
    const store = join(tmp(), "e.db");
    const args = [join(import.meta.dirname, "fixtures/run-estimate.ts"), store, "100,200,300,400,500,600,700,800", "1", "400"];
    const child = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    await new Promise<void>((resolve) => {
      child.stdout!.on("data", (d) => {
        out += d;
        if (out.split("\n").filter((l) => l.includes('"run-done"')).length >= 2) resolve();
      });
    });
    const workers = workerPidsOf(child.pid!);
    expect(workers.length).toBeGreaterThan(0);
    child.kill("SIGINT");
    const code = await new Promise((r) => child.on("exit", r));
    expect(code).toBe(130);
    const lines = out.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: "cancelled", message: expect.stringMatching(/run the same command again to resume/) });
    const done = lines.filter((e) => e.type === "run-done").map((e) => e.runId);
    const s = Store.open(store);
    const study = s.listStudies()[0]!;
    expect(study.status).toBe("cancelled");
    const runs = s.studyRuns(study.id);
    expect(runs.filter((r) => r.status === "done").map((r) => r.id).sort()).toEqual([...done].sort());
    expect(runs.filter((r) => r.status === "running")).toEqual([]);
    s.close();
    expect(workers.filter(alive)).toEqual([]);
  });

  it("two estimate processes on one store train each Run once", async () => {
    const store = join(tmp(), "e.db");
    const args = [join(import.meta.dirname, "fixtures/run-estimate.ts"), store, "100,200,300,400,500,600", "2", "150"];
    const runOne = () =>
      new Promise<any[]>((resolve, reject) => {
        const p = spawn(process.execPath, ["--import", "tsx", ...args], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        p.stdout!.on("data", (d) => (out += d));
        p.on("exit", (code) => (code === 0 ? resolve(out.trim().split("\n").map((l) => JSON.parse(l))) : reject(new Error(`exit ${code}`))));
      });
    const [a, b] = await Promise.all([runOne(), runOne()]);
    const started = [...a, ...b].filter((e) => e.type === "run-start").map((e) => e.runId);
    expect(new Set(started).size).toBe(started.length);
    expect(started.length).toBe(12);
    expect(a.at(-1)).toMatchObject({ type: "final", runs: 12 });
    expect(b.at(-1)).toMatchObject({ type: "final", runs: 12 });
    const s = Store.open(store);
    expect(s.studyRuns(a.at(-1).studyId).every((r) => r.status === "done" && r.attempts === 1)).toBe(true);
    s.close();
  });
});

/** The fake-worker processes a coordinator forked (not tsx's own helper processes). */
function workerPidsOf(parent: number): number[] {
  return execSync(`ps -o pid=,args= --ppid ${parent}`)
    .toString()
    .split("\n")
    .filter((l) => l.includes("fake-worker"))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
