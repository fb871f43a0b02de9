/**
 * The Store: studies and Runs in SQLite (better-sqlite3, WAL). Runs are shared across studies (a study links run
 * ids), so identical Runs are never redone. Several processes may use one store: a Run is claimed in an
 * IMMEDIATE transaction, so two coordinators never train the same Run, and a Run left "running" by a process that
 * died is taken over (re-queued) by the next one.
 */
import Database from "better-sqlite3";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { InputError } from "../errors.js";
import { storeError } from "./store-errors.js";
import { storeFilePath } from "./store-path.js";
import type { RunError, RunInputs, RunResult, WorkerInfo } from "./run.js";
import { MIGRATIONS } from "./store-schema.js";

export const DEFAULT_STORE_PATH = ".enough/enough.db";

export type RunStatus = "queued" | "running" | "done" | "failed";
/** "cancelling": a cancel was asked for through the store; the study's own process turns it into "cancelled". */
export type StudyStatus = "running" | "cancelling" | "done" | "cancelled" | "failed";

export interface StoredRun {
  id: string;
  status: RunStatus;
  fingerprint: string;
  size: number;
  seed: number;
  inputs: RunInputs;
  result: RunResult | null;
  error: RunError | null;
  attempts: number;
  owner: string | null;
  /** The worker that trains or trained it (a local worker process, or an `enough worker`'s name), its pid and host. */
  worker: string | null;
  pid: number | null;
  host: string | null;
  started: string | null;
  finished: string | null;
}

export interface StudyRecord {
  id: string;
  kind: string;
  options: unknown;
  fingerprint: string | null;
  created: string;
  updated: string;
  status: StudyStatus;
  result: unknown;
}

export interface StudyCounts {
  id: string;
  status: StudyStatus;
  updated: string;
  runs: number;
  done: number;
  failed: number;
  running: number;
  /** The latest start or finish among its Runs. */
  last: string | null;
}

export type ClaimResult =
  | { state: "claimed"; run: StoredRun }
  | { state: "done"; run: StoredRun }
  /** Another live process is training it: wait for it rather than train it twice. */
  | { state: "busy"; run: StoredRun };

export interface StoreOptions {
  /** Who claims runs (default host:pid of this process). */
  owner?: string;
  /** A remote owner (another host) whose heartbeat is older than this is presumed dead. */
  staleMs?: number;
  /** How long to wait for another process's lock before STORE_LOCKED (default 10 s). */
  busyTimeoutMs?: number;
}

interface RunRow {
  id: string;
  status: RunStatus;
  fingerprint: string;
  size: number;
  seed: number;
  inputs: string;
  metrics: string | null;
  history: string | null;
  timings: string | null;
  versions: string | null;
  param_count: number | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  owner: string | null;
  worker: string | null;
  pid: number | null;
  host: string | null;
  started: string | null;
  finished: string | null;
  heartbeat: number | null;
}

const nowIso = () => new Date().toISOString();

export class Store {
  readonly path: string;
  readonly owner: string;
  private readonly db: Database.Database;
  private readonly staleMs: number;

  private constructor(path: string, db: Database.Database, opts: StoreOptions) {
    this.path = path;
    this.db = db;
    this.owner = opts.owner ?? `${hostname()}:${process.pid}`;
    this.staleMs = opts.staleMs ?? 10 * 60_000;
  }

  /**
   * Opens (creating if needed) the store at `path` and brings its schema up to date. Every way this fails (a corrupt
   * or foreign file, a lock held beyond the busy wait, a read-only file or folder) is a typed StoreError.
   */
  static open(pathOrUrl: string = DEFAULT_STORE_PATH, opts: StoreOptions = {}): Store {
    const path = storeFilePath(pathOrUrl);
    // Concurrent coordinators wait for each other's short transactions instead of failing with SQLITE_BUSY.
    const busyMs = opts.busyTimeoutMs ?? 10_000;
    let db: Database.Database | undefined;
    try {
      if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
      db = new Database(path, { timeout: busyMs });
      db.pragma("journal_mode = WAL");
      db.pragma("foreign_keys = ON");
      // The migration is an IMMEDIATE transaction: it also proves that the file can be written and is not locked.
      migrate(db, path);
      // SQLite reads a truncated file's first pages happily and fails later, mid-study: check every page now.
      if (path !== ":memory:") quickCheck(db);
    } catch (err) {
      if (db?.open) db.close();
      throw storeError(err, path, busyMs);
    }
    return new Store(path, db, opts);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  schemaVersion(): number {
    return (this.db.prepare("SELECT version FROM schema_version").get() as { version: number }).version;
  }

  // ---- studies ----

  /** Creates the study, or marks an existing one (same id: same question) as running again. */
  openStudy(s: { id: string; kind: string; options: unknown; fingerprint: string | null }): StudyRecord {
    const t = nowIso();
    this.db
      .prepare(
        `INSERT INTO studies (id, kind, options, fingerprint, created, updated, status)
         VALUES (?, ?, ?, ?, ?, ?, 'running')
         ON CONFLICT(id) DO UPDATE SET status = 'running', updated = excluded.updated, options = excluded.options`,
      )
      .run(s.id, s.kind, JSON.stringify(s.options), s.fingerprint, t, t);
    return this.getStudy(s.id)!;
  }

  getStudy(id: string): StudyRecord | undefined {
    const row = this.db.prepare("SELECT * FROM studies WHERE id = ?").get(id) as Record<string, any> | undefined;
    return row ? toStudy(row) : undefined;
  }

  listStudies(): StudyRecord[] {
    return (this.db.prepare("SELECT * FROM studies ORDER BY created").all() as Record<string, any>[]).map(toStudy);
  }

  setStudyStatus(id: string, status: StudyStatus, result?: unknown): void {
    this.db
      .prepare("UPDATE studies SET status = ?, updated = ?, result = COALESCE(?, result) WHERE id = ?")
      .run(status, nowIso(), result === undefined ? null : JSON.stringify(result), id);
  }

  getStudyStatus(id: string): StudyStatus | undefined {
    return (this.db.prepare("SELECT status FROM studies WHERE id = ?").get(id) as { status: StudyStatus } | undefined)?.status;
  }

  /** Asks the process running the study to stop (it polls its status); false when the study is not running. */
  requestCancel(id: string): boolean {
    return this.db.prepare("UPDATE studies SET status = 'cancelling', updated = ? WHERE id = ? AND status = 'running'").run(nowIso(), id).changes > 0;
  }

  /**
   * Deletes a study, its links, and the Runs no other study links (shared Runs stay: they are other studies'
   * evidence). Refused while the study runs. Returns how many Runs went and how many stayed.
   */
  deleteStudy(id: string): { deleted: number; kept: number } {
    const tx = this.db.transaction(() => {
      const status = this.getStudyStatus(id);
      if (status === undefined) throw new InputError("NO_STUDY", `no study ${id} in the store ${this.path}`, { hint: "list the studies with `enough studies list`" });
      if (status === "running" || status === "cancelling") {
        throw new InputError("STUDY_RUNNING", `the study ${id} is ${status}`, { hint: "cancel it first (Ctrl-C in its terminal, or the dashboard), then delete it" });
      }
      const ids = (this.db.prepare("SELECT run_id FROM study_runs WHERE study_id = ?").all(id) as { run_id: string }[]).map((r) => r.run_id);
      this.db.prepare("DELETE FROM study_runs WHERE study_id = ?").run(id);
      const shared = this.db.prepare("SELECT 1 FROM study_runs WHERE run_id = ? LIMIT 1");
      const drop = this.db.prepare("DELETE FROM runs WHERE id = ? AND status != 'running'");
      let deleted = 0;
      for (const runId of ids) if (!shared.get(runId)) deleted += drop.run(runId).changes;
      this.db.prepare("DELETE FROM studies WHERE id = ?").run(id);
      return { deleted, kept: ids.length - deleted };
    });
    return tx.immediate();
  }

  /**
   * SQLite's data_version: changes whenever another connection commits to the file (a watcher polls it to learn
   * cheaply that something changed; its own writes do not move it).
   */
  dataVersion(): number {
    return this.db.pragma("data_version", { simple: true }) as number;
  }

  /** Each study's status and its Runs' counts and latest start or finish, in one query (for lists and watchers). */
  studyCounts(): StudyCounts[] {
    return this.db
      .prepare(
        `SELECT s.id AS id, s.status AS status, s.updated AS updated, COUNT(r.id) AS runs,
           COALESCE(SUM(r.status = 'done'), 0) AS done, COALESCE(SUM(r.status = 'failed'), 0) AS failed,
           COALESCE(SUM(r.status = 'running'), 0) AS running, MAX(COALESCE(r.finished, r.started)) AS last
         FROM studies s LEFT JOIN study_runs sr ON sr.study_id = s.id LEFT JOIN runs r ON r.id = sr.run_id
         GROUP BY s.id ORDER BY s.created`,
      )
      .all() as StudyCounts[];
  }

  /** Records that a study uses a run, with why it was chosen (kept for the report's trace). */
  linkRun(studyId: string, runId: string, reason = ""): void {
    this.db
      .prepare(
        `INSERT INTO study_runs (study_id, run_id, reason, added) VALUES (?, ?, ?, ?)
         ON CONFLICT(study_id, run_id) DO NOTHING`,
      )
      .run(studyId, runId, reason, nowIso());
  }

  studyRuns(studyId: string): (StoredRun & { reason: string })[] {
    const rows = this.db
      .prepare(
        `SELECT r.*, sr.reason AS reason FROM study_runs sr JOIN runs r ON r.id = sr.run_id
         WHERE sr.study_id = ? ORDER BY sr.added, r.size, r.seed`,
      )
      .all(studyId) as (RunRow & { reason: string })[];
    return rows.map((r) => ({ ...toRun(r), reason: r.reason }));
  }

  // ---- runs ----

  getRun(id: string): StoredRun | undefined {
    const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
    return row ? toRun(row) : undefined;
  }

  /** Done runs among `ids` (one query per call; used to pre-load what an earlier invocation finished). */
  doneRuns(ids: string[]): Map<string, StoredRun> {
    const out = new Map<string, StoredRun>();
    const stmt = this.db.prepare("SELECT * FROM runs WHERE id = ? AND status = 'done'");
    for (const id of ids) {
      const row = stmt.get(id) as RunRow | undefined;
      if (row) out.set(id, toRun(row));
    }
    return out;
  }

  /**
   * Atomically takes a run for this owner: inserts it, or takes it over when it is released, failed, or left queued
   * or running by a dead owner. A done run is returned as is; a run another live process holds is reported busy.
   * A claimed run is 'queued' until startRun() says which worker trains it.
   */
  claimRun(id: string, inputs: RunInputs, opts: { redo?: (run: StoredRun) => boolean } = {}): ClaimResult {
    const tx = this.db.transaction((): ClaimResult => {
      const row = this.db.prepare("SELECT * FROM runs WHERE id = ?").get(id) as RunRow | undefined;
      const t = nowIso();
      if (!row) {
        this.db
          .prepare(
            `INSERT INTO runs (id, status, fingerprint, size, seed, inputs, attempts, owner, started, heartbeat)
             VALUES (?, 'queued', ?, ?, ?, ?, 1, ?, ?, ?)`,
          )
          .run(id, inputs.fingerprint, inputs.size, inputs.seed, JSON.stringify(inputs), this.owner, t, Date.now());
        return { state: "claimed", run: this.getRun(id)! };
      }
      // A finished Run is re-used, unless the caller needs what it lacks (a metric measured since it was stored).
      if (row.status === "done" && !opts.redo?.(toRun(row))) return { state: "done", run: toRun(row) };
      if ((row.status === "running" || row.status === "queued") && row.owner !== this.owner && this.ownerAlive(row.owner, row.heartbeat)) {
        return { state: "busy", run: toRun(row) };
      }
      this.db
        .prepare(
          `UPDATE runs SET status = 'queued', attempts = attempts + 1, owner = ?, started = ?, heartbeat = ?,
             worker = NULL, pid = NULL, host = NULL, finished = NULL, error_code = NULL, error_message = NULL WHERE id = ?`,
        )
        .run(this.owner, t, Date.now(), id);
      return { state: "claimed", run: this.getRun(id)! };
    });
    return tx.immediate();
  }

  /** A worker has started this owner's claimed run: 'running', on which worker. */
  startRun(id: string, worker: WorkerInfo): void {
    this.db
      .prepare("UPDATE runs SET status = 'running', worker = ?, pid = ?, host = ?, started = ? WHERE id = ? AND owner = ? AND status IN ('queued', 'running')")
      .run(worker.id, worker.pid ?? null, worker.host ?? null, nowIso(), id, this.owner);
  }

  /** Stores a finished run's result (only if this owner still holds it). */
  finishRun(id: string, result: RunResult, worker?: WorkerInfo): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'done', metrics = ?, history = ?, timings = ?, versions = ?, param_count = ?,
           worker = ?, pid = ?, host = ?, finished = ?, error_code = NULL, error_message = NULL WHERE id = ? AND owner = ?`,
      )
      .run(
        JSON.stringify(result.metrics),
        JSON.stringify(result.history),
        JSON.stringify(timingsOf(result)),
        JSON.stringify(result.versions),
        result.paramCount,
        worker?.id ?? null, worker?.pid ?? null, worker?.host ?? null, nowIso(), id, this.owner);
  }

  failRun(id: string, error: RunError, worker?: WorkerInfo): void {
    this.db
      .prepare(
        `UPDATE runs SET status = 'failed', error_code = ?, error_message = ?, worker = ?, pid = ?, host = ?, finished = ?
         WHERE id = ? AND owner = ?`,
      )
      .run(error.code, error.message, worker?.id ?? null, worker?.pid ?? null, worker?.host ?? null, nowIso(), id, this.owner);
  }

  /** Gives a claimed run back (cancellation): the next invocation trains it. */
  releaseRun(id: string): void {
    this.db
      .prepare("UPDATE runs SET status = 'queued', owner = NULL, attempts = MAX(attempts - 1, 0) WHERE id = ? AND owner = ? AND status IN ('queued', 'running')")
      .run(id, this.owner);
  }

  /** Keeps this owner's running runs visibly alive for processes on other hosts. */
  heartbeat(): void {
    this.db.prepare("UPDATE runs SET heartbeat = ? WHERE owner = ? AND status IN ('queued', 'running')").run(Date.now(), this.owner);
  }

  /** Re-queues runs left queued or running by dead owners (crash, kill -9, power loss). Returns how many. */
  requeueStale(): number {
    const rows = this.db.prepare("SELECT id, owner, heartbeat FROM runs WHERE status IN ('queued', 'running') AND owner IS NOT NULL").all() as RunRow[];
    let n = 0;
    const stmt = this.db.prepare("UPDATE runs SET status = 'queued', owner = NULL WHERE id = ? AND status IN ('queued', 'running') AND owner IS ?");
    for (const r of rows) {
      if (r.owner === this.owner || this.ownerAlive(r.owner, r.heartbeat)) continue;
      n += stmt.run(r.id, r.owner).changes;
    }
    return n;
  }

  private ownerAlive(owner: string | null, heartbeat: number | null): boolean {
    if (!owner) return false;
    const [host, pidText] = owner.split(":");
    if (host === hostname()) {
      const pid = Number(pidText);
      if (!Number.isInteger(pid) || pid <= 0) return false;
      try {
        process.kill(pid, 0);
        return true;
      } catch (err) {
        return (err as NodeJS.ErrnoException).code === "EPERM";
      }
    }
    return heartbeat !== null && Date.now() - heartbeat < this.staleMs;
  }
}

function quickCheck(db: Database.Database): void {
  const rows = db.pragma("quick_check") as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((x) => x !== "ok");
  if (problems.length) throw Object.assign(new Error(problems.slice(0, 3).join("; ")), { code: "SQLITE_CORRUPT" });
}

function migrate(db: Database.Database, path: string): void {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
  const apply = db.transaction(() => {
    let row = db.prepare("SELECT version FROM schema_version").get() as { version: number } | undefined;
    if (!row) {
      db.prepare("INSERT INTO schema_version (version) VALUES (0)").run();
      row = { version: 0 };
    }
    if (row.version > MIGRATIONS.length) {
      throw new InputError(
        "STORE_TOO_NEW",
        `the store ${path} has schema version ${row.version}, newer than this enough understands (${MIGRATIONS.length})`,
        { hint: "upgrade enough, or point --store at another file" },
      );
    }
    for (let v = row.version; v < MIGRATIONS.length; v++) {
      db.exec(MIGRATIONS[v]!);
      db.prepare("UPDATE schema_version SET version = ?").run(v + 1);
    }
  });
  apply.immediate();
}

function toRun(r: RunRow): StoredRun {
  return {
    id: r.id,
    status: r.status,
    fingerprint: r.fingerprint,
    size: r.size,
    seed: r.seed,
    inputs: JSON.parse(r.inputs) as RunInputs,
    result: r.status === "done" && r.metrics ? resultOf(r) : null,
    error: r.error_code ? { code: r.error_code, message: r.error_message ?? "" } : null,
    attempts: r.attempts,
    owner: r.owner,
    worker: r.worker,
    pid: r.pid,
    host: r.host ?? null,
    started: r.started,
    finished: r.finished,
  };
}

type Timings = Omit<RunResult, "metrics" | "history" | "versions" | "paramCount">;

function timingsOf(r: RunResult): Timings {
  const { metrics: _m, history: _h, versions: _v, paramCount: _p, ...rest } = r;
  return rest;
}

function resultOf(r: RunRow): RunResult {
  return {
    ...(JSON.parse(r.timings ?? "{}") as Timings),
    metrics: JSON.parse(r.metrics!),
    history: JSON.parse(r.history ?? "[]"),
    versions: JSON.parse(r.versions ?? "{}"),
    paramCount: r.param_count ?? 0,
  };
}

function toStudy(r: Record<string, any>): StudyRecord {
  return {
    id: r.id,
    kind: r.kind,
    options: JSON.parse(r.options),
    fingerprint: r.fingerprint,
    created: r.created,
    updated: r.updated,
    status: r.status,
    result: r.result ? JSON.parse(r.result) : null,
  };
}
