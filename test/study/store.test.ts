import { describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import Database from "better-sqlite3";
import { Store } from "../../src/study/store.js";
import { MIGRATIONS } from "../../src/study/store-schema.js";
import { runId, runInputs, type RunInputs } from "../../src/study/run.js";
import { fakeResult } from "./fixtures/fake-run.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-store-"));

function inputs(size: number, seed = 0): RunInputs {
  return runInputs(
    { fingerprint: "fp1", subset: { size, seed }, spec: { family: "mlp", width: 1 }, recipe: { epochs: 5, lr: 0.001 }, validFraction: 0.15 },
    "engine-1",
  );
}

describe("run ids", () => {
  it("are stable across key order and change with any input", () => {
    const a = inputs(100);
    const b: RunInputs = JSON.parse(JSON.stringify({ ...a, spec: { width: 1, family: "mlp" } }));
    expect(runId(a)).toBe(runId(b));
    expect(runId(a)).toBe(runId(inputs(100)));
    // A pinned value: ids must not drift between releases, or every stored Run would be redone.
    expect(runId(a)).toBe("r6d571d8af96c3801776f");
    expect(runId(a)).toMatch(/^r[0-9a-f]{20}$/);
    for (const other of [inputs(101), inputs(100, 1), { ...a, engineVersion: "engine-2" }, { ...a, recipe: { epochs: 6, lr: 0.001 } }, { ...a, fingerprint: "fp2" }]) {
      expect(runId(other)).not.toBe(runId(a));
    }
  });
});

describe("Store", () => {
  it("round-trips studies and runs", () => {
    const path = join(tmp(), "s.db");
    const store = Store.open(path);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    const study = store.openStudy({ id: "st1", kind: "estimate", options: { data: "x.csv" }, fingerprint: "fp1" });
    expect(study.status).toBe("running");
    const inp = inputs(100);
    const id = runId(inp);
    const claim = store.claimRun(id, inp);
    expect(claim.state).toBe("claimed");
    store.linkRun("st1", id, "first size");
    const job = { runId: id, cacheDir: "/c", fingerprint: "fp1", subset: { size: 100, seed: 0 }, spec: inp.spec, recipe: inp.recipe, validFraction: 0.15 };
    const result = fakeResult(job);
    store.finishRun(id, result, { id: "w1", pid: 42 });
    store.setStudyStatus("st1", "done", { answer: 1 });
    store.close();

    const again = Store.open(path);
    const run = again.getRun(id)!;
    expect(run.status).toBe("done");
    expect(run.result).toEqual(result);
    expect(run.inputs).toEqual(inp);
    expect(run.pid).toBe(42);
    expect(again.claimRun(id, inp).state).toBe("done");
    const linked = again.studyRuns("st1");
    expect(linked.map((r) => [r.id, r.reason])).toEqual([[id, "first size"]]);
    expect(again.getStudy("st1")).toMatchObject({ status: "done", result: { answer: 1 }, options: { data: "x.csv" } });
    again.close();
  });

  it("records failures and retries them on a later claim", () => {
    const store = Store.open(join(tmp(), "s.db"));
    const inp = inputs(50);
    const id = runId(inp);
    store.claimRun(id, inp);
    store.failRun(id, { code: "DIVERGED", message: "loss is NaN" });
    expect(store.getRun(id)).toMatchObject({ status: "failed", error: { code: "DIVERGED", message: "loss is NaN" }, attempts: 1 });
    expect(store.claimRun(id, inp).state).toBe("claimed");
    expect(store.getRun(id)).toMatchObject({ status: "queued", error: null, attempts: 2 });
    store.close();
  });

  it("a claimed Run is queued until a worker starts it, then running on that worker, then done there", () => {
    const store = Store.open(join(tmp(), "s.db"));
    const inp = inputs(60);
    const id = runId(inp);
    store.claimRun(id, inp);
    expect(store.getRun(id)).toMatchObject({ status: "queued", worker: null, host: null, owner: store.owner });
    store.startRun(id, { id: "w1", pid: 42, host: "gpu-3" });
    expect(store.getRun(id)).toMatchObject({ status: "running", worker: "w1", pid: 42, host: "gpu-3" });
    const job = { runId: id, cacheDir: "/c", fingerprint: "fp1", subset: { size: 60, seed: 0 }, spec: inp.spec, recipe: inp.recipe, validFraction: 0.15 };
    store.finishRun(id, fakeResult(job), { id: "w1", pid: 42, host: "gpu-3" });
    expect(store.getRun(id)).toMatchObject({ status: "done", worker: "w1", host: "gpu-3" });
    store.close();
  });

  it("migrates an old store in place and refuses a newer one", () => {
    const path = join(tmp(), "old.db");
    const db = new Database(path);
    db.exec("CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (1);");
    db.exec(MIGRATIONS[0]!);
    db.prepare("INSERT INTO studies (id, kind, options, created, updated, status) VALUES ('old', 'estimate', '{}', 't', 't', 'done')").run();
    db.close();
    const store = Store.open(path);
    expect(store.schemaVersion()).toBe(MIGRATIONS.length);
    expect(store.getStudy("old")).toMatchObject({ id: "old", result: null });
    store.close();
    const db2 = new Database(path);
    db2.prepare("UPDATE schema_version SET version = 99").run();
    db2.close();
    expect(() => Store.open(path)).toThrow(/newer than this enough/);
  });

  it("a run held by a live process is busy for others; a dead owner's run is re-queued", async () => {
    const path = join(tmp(), "s.db");
    const inp = inputs(200);
    const id = runId(inp);
    // A real other process that claims a run and stays alive until killed.
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `
      import { Store } from ${JSON.stringify(join(process.cwd(), "src/study/store.ts"))};
      const s = Store.open(${JSON.stringify(path)});
      s.claimRun(${JSON.stringify(id)}, ${JSON.stringify(inp)});
      process.stdout.write("claimed\\n");
      setInterval(() => {}, 1000);
    `], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve) => child.stdout!.on("data", (d) => String(d).includes("claimed") && resolve()));
    const store = Store.open(path);
    expect(store.claimRun(id, inp).state).toBe("busy");
    expect(store.requeueStale()).toBe(0);
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    expect(store.requeueStale()).toBe(1);
    expect(store.getRun(id)!.status).toBe("queued");
    expect(store.claimRun(id, inp).state).toBe("claimed");
    store.close();
  });
});
