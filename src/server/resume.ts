/**
 * Resuming a study from the dashboard: the study record keeps the options it was started with and their folder
 * (options.invocation); a child process (resume-child.ts) runs the same study again against this store, so finished
 * Runs are re-used and the rest are trained, exactly as re-running the command would. Its output goes to a log file
 * beside the store. The child is the study's own process: cancelling it goes through the store as for any other.
 */
import { spawn } from "node:child_process";
import { mkdirSync, openSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { InputError } from "../errors.js";
import type { Store } from "../study/store.js";

const CHILD = join(dirname(fileURLToPath(import.meta.url)), "resume-child.js");

export function resumeStudy(store: Store, id: string): { pid: number; log: string } {
  const rec = store.getStudy(id);
  if (!rec) throw new InputError("NO_STUDY", `no study ${id} in the store ${store.path}`);
  if (rec.status === "running" || rec.status === "cancelling" || rec.status === "done") {
    throw new InputError("NOT_RESUMABLE", `the study ${id} is ${rec.status}`, { hint: "only a cancelled or failed study can be resumed" });
  }
  const inv = (rec.options as { invocation?: { cwd: string; options: Record<string, unknown> } }).invocation;
  if (!inv) throw new InputError("NOT_RESUMABLE", `the study ${id} was stored before studies kept their options`, { hint: "run its command again: its finished Runs are re-used" });
  const logDir = join(dirname(store.path), "logs");
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `${id}.log`);
  const fd = openSync(log, "a");
  try {
    const child = spawn(process.execPath, [CHILD], { cwd: inv.cwd, stdio: ["pipe", fd, fd], detached: true });
    child.stdin!.end(JSON.stringify({ kind: rec.kind, options: { ...inv.options, store: store.path } }));
    child.unref();
    return { pid: child.pid ?? 0, log };
  } finally {
    closeSync(fd);
  }
}
