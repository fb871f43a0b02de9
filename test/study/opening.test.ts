// The study kit's opening: every cheap check (options, output folders, the store) fails with a typed error before
// any data is loaded or any Run trained, for every kind of study.
import { describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import Database from "better-sqlite3";
import { compare } from "../../src/study/compare/compare.js";
import { estimate } from "../../src/study/estimate.js";
import { Store } from "../../src/study/store.js";
import { storeError } from "../../src/study/store-errors.js";
import { writeThenPrint } from "../../src/cli/report-output.js";
import { cli, tsx } from "../cli/fixtures/env.js";
import { InProcessExecutor, fakeDeps } from "./fixtures/fake-deps.js";

const tmp = () => mkdtempSync(join(tmpdir(), "enough-open-"));
const isRoot = process.getuid?.() === 0;
// As root, the read-only case needs a checkout that the user `nobody` can read (not one under a private home).
const canDropToNobody =
  !isRoot ||
  spawnSync(process.execPath, ["-e", `require("fs").accessSync(${JSON.stringify(join(import.meta.dirname, "../../src/study/store.ts"))})`], {
    uid: 65534,
    gid: 65534,
  }).status === 0;

/** Fake dependencies that count data loads and executors, so a test can say nothing was loaded or trained. */
function counting() {
  const seen = { loads: 0, executors: 0 };
  const base = fakeDeps();
  const deps = {
    ...base,
    loadDataset: async (o: Parameters<typeof base.loadDataset>[0]) => (seen.loads++, base.loadDataset(o)),
    createExecutor: () => (seen.executors++, new InProcessExecutor(1)),
  };
  return { seen, deps };
}

type Kind = "estimate" | "compare";
const KINDS: Kind[] = ["estimate", "compare"];

function study(kind: Kind, o: Record<string, unknown>, deps: ReturnType<typeof counting>["deps"]) {
  const common = { data: "fake", sizes: "100,200", seeds: 1, ...o };
  return kind === "estimate" ? estimate(common as never, { deps }) : compare({ vary: ["width=1,2"], ...common } as never, { deps });
}

describe.each(KINDS)("%s: options are checked before the data loads", (kind) => {
  it.each([
    ["accuracy=1.5", "BAD_TARGET"],
    ["accuracy=-0.1", "BAD_TARGET"],
    ["1.5", "BAD_TARGET"],
    ["r2=2", "BAD_TARGET"],
    ["iou=0.9", "BAD_METRIC"],
    ["neg_log_loss=0.2", "BAD_TARGET"],
  ])("--target %s is refused with %s", async (target, code) => {
    const { seen, deps } = counting();
    await expect(study(kind, { target, store: join(tmp(), "s.db") }, deps)).rejects.toMatchObject({ code });
    expect(seen.loads).toBe(0);
  });

  it.each([0, "0", "0s"])("--budget %s is refused", async (budget) => {
    const { seen, deps } = counting();
    await expect(study(kind, { budget, store: join(tmp(), "s.db") }, deps)).rejects.toMatchObject({ code: "BAD_BUDGET" });
    expect(seen.loads).toBe(0);
  });

  it("a target in range is accepted (the bare number is checked again against the task's metric)", async () => {
    const { seen, deps } = counting();
    await study(kind, { target: "0.9", store: join(tmp(), "s.db") }, deps);
    expect(seen.loads).toBe(1);
  });

  it("an unwritable --cache-root is refused before the data loads", async () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "x");
    const { seen, deps } = counting();
    await expect(study(kind, { cacheRoot: join(dir, "file", "cache"), store: join(dir, "s.db") }, deps)).rejects.toMatchObject({
      code: "OUTPUT_NOT_WRITABLE",
      message: expect.stringContaining(join(dir, "file")),
    });
    expect(seen.loads).toBe(0);
  });

  it("a store that is not SQLite fails STORE_CORRUPT, naming the file, before the data loads", async () => {
    const dir = tmp();
    const path = join(dir, "notes.db");
    writeFileSync(path, "these are my notes, not a database\n".repeat(200));
    const { seen, deps } = counting();
    const err = await study(kind, { store: path }, deps).catch((e) => e);
    expect(err).toMatchObject({ code: "STORE_CORRUPT", name: "StoreError" });
    expect(err.message).toContain(path);
    expect(err.hint).toMatch(/another file|move this one aside/);
    expect(seen).toEqual({ loads: 0, executors: 0 });
    // The user's file is left as it was.
    expect(readFileSync(path, "utf8").startsWith("these are my notes")).toBe(true);
  });
});

describe("the store fails with typed errors", () => {
  it("a truncated store is STORE_CORRUPT at open, not mid-study", () => {
    const path = join(tmp(), "t.db");
    const db = new Database(path);
    db.exec("CREATE TABLE filler (x TEXT)");
    const ins = db.prepare("INSERT INTO filler VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 400; i++) ins.run("y".repeat(1000));
    })();
    db.close();
    Store.open(path).close(); // a valid store with its schema and 400 kB of rows
    truncateSync(path, Math.floor(statSync(path).size / 2));
    expect(() => Store.open(path)).toThrow(expect.objectContaining({ code: "STORE_CORRUPT" }));
  });

  it("a store locked by another writer beyond the busy wait is STORE_LOCKED", () => {
    const path = join(tmp(), "l.db");
    Store.open(path).close();
    const other = new Database(path);
    other.exec("BEGIN EXCLUSIVE");
    try {
      expect(() => Store.open(path, { busyTimeoutMs: 100 })).toThrow(expect.objectContaining({ code: "STORE_LOCKED", message: expect.stringContaining(path) }));
    } finally {
      other.exec("ROLLBACK");
      other.close();
    }
    Store.open(path).close(); // free again once the other writer is done
  });

  // Root writes through file modes, so as root (CI) the real-permission case runs in a child process that drops to
  // the unprivileged user `nobody` first; as an ordinary user it runs the same way without dropping.
  it.skipIf(!canDropToNobody)("a read-only store file and a read-only folder are STORE_READONLY", () => {
    const dir = tmp();
    chmodSync(dir, 0o755);
    const path = join(dir, "r.db");
    Store.open(path).close();
    chmodSync(path, 0o444);
    const lockedDir = join(dir, "locked");
    mkdirSync(lockedDir, { mode: 0o555 });
    chmodSync(lockedDir, 0o555);
    const storeModule = pathToFileURL(join(import.meta.dirname, "../../src/study/store.ts")).href;
    const script = `
      const { Store } = await import(${JSON.stringify(storeModule)});
      const codes = [];
      for (const p of ${JSON.stringify([path, join(lockedDir, "new.db")])}) {
        try { Store.open(p).close(); codes.push("opened"); } catch (e) { codes.push(e.code ?? String(e)); }
      }
      process.stdout.write(JSON.stringify(codes));`;
    const drop = isRoot ? { uid: 65534, gid: 65534 } : {};
    const r = spawnSync(process.execPath, ["--import", tsx, "--input-type=module", "-e", script], {
      encoding: "utf8",
      env: { ...process.env, TSX_TSCONFIG_PATH: "" },
      cwd: dir,
      ...drop,
    });
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual(["STORE_READONLY", "STORE_READONLY"]);
  });

  it("SQLite's read-only, lock and corruption codes map to the typed errors, each naming the file and what to do", () => {
    const sqlite = (code: string) => Object.assign(new Error(code.toLowerCase()), { code });
    for (const [code, expected] of [
      ["SQLITE_READONLY", "STORE_READONLY"],
      ["SQLITE_READONLY_DBMOVED", "STORE_READONLY"],
      ["EACCES", "STORE_READONLY"],
      ["SQLITE_BUSY", "STORE_LOCKED"],
      ["SQLITE_LOCKED", "STORE_LOCKED"],
      ["SQLITE_NOTADB", "STORE_CORRUPT"],
      ["SQLITE_CORRUPT", "STORE_CORRUPT"],
    ]) {
      const e = storeError(sqlite(code!), "/data/x.db", 10_000);
      expect(e.code).toBe(expected);
      expect(e.message).toContain("/data/x.db");
      expect(e.hint).toBeTruthy();
    }
  });
});

describe("the report is written after the answer", () => {
  it("a report that cannot be written still prints the answer, then says where the Runs are", async () => {
    const printed: string[] = [];
    const result = { studyId: "s123", store: "/data/e.db", reports: null, runs: [{ status: "done" }, { status: "done" }, { status: "failed" }] };
    const failing = async () => {
      throw Object.assign(new Error("EACCES: permission denied"), { code: "EACCES" });
    };
    const err = await writeThenPrint(result, "/readonly/out", failing, (r) => printed.push(r.studyId)).catch((e) => e);
    expect(printed).toEqual(["s123"]);
    expect(err).toMatchObject({ code: "REPORT_NOT_WRITTEN" });
    expect(err.message).toContain("/readonly/out");
    expect(err.hint).toContain("2 finished Runs are stored in /data/e.db (study s123)");
  });

  it("the CLI refuses an unwritable --out at once (exit 2), before reading the data", () => {
    const dir = tmp();
    writeFileSync(join(dir, "file"), "x");
    for (const command of ["estimate", "compare"]) {
      const extra = command === "compare" ? ["--vary", "width=1,2"] : [];
      const r = spawnSync(process.execPath, ["--import", tsx, cli, command, "--data", join(dir, "missing.csv"), "--out", join(dir, "file", "r"), "--store", join(dir, "s.db"), ...extra], {
        cwd: dir,
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(r.status).toBe(2);
      expect(r.stderr).toContain("OUTPUT_NOT_WRITABLE");
      expect(r.stderr).toContain(join(dir, "file", "r"));
      expect(r.stderr).not.toContain("missing.csv");
    }
  });
});
