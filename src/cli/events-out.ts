/**
 * `--events ndjson` streams a study's events for machines: one JSON object per line, on stdout (`ndjson`) or into
 * a file (`ndjson:<path>`, truncated first; stdout then keeps the usual answer). Every line has `type` and `time`
 * (ISO 8601) and the event's own fields (src/study/events.ts, plus compare's and strategies' own); per-epoch and
 * data-loading events are left out. The stream ends with one `done` line (`exitCode` and `result`: the object
 * `--json` prints), or `error` / `cancelled` (`exitCode`, `code`, `message`). On stdout nothing else is written:
 * the answer is the `done` line's result.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { InputError, isEnoughError } from "../errors.js";
import { exitCodeOf } from "./exit-codes.js";
import { terminalSafe } from "./output.js";

const LEFT_OUT = new Set(["run-epoch", "loading"]);

export class EventStream {
  private fd: number | null = null;
  private ended = false;
  /** Whether the events go to stdout (which then carries nothing else). */
  readonly onStdout: boolean;

  private constructor(readonly path: string | null) {
    this.onStdout = path === null;
    if (path !== null) {
      try {
        this.fd = openSync(path, "w");
      } catch (err) {
        throw new InputError("BAD_EVENTS", `--events: cannot write ${path}: ${(err as Error).message}`, { hint: "give a writable file, e.g. --events ndjson:events.ndjson", cause: err });
      }
    }
  }

  /** The stream a --events value asks for; null without one. Typed error for anything but ndjson[:path]. */
  static open(arg: string | undefined): EventStream | null {
    if (arg === undefined) return null;
    const m = /^ndjson(?::(.+))?$/.exec(arg.trim());
    if (!m) throw new InputError("BAD_EVENTS", `--events: cannot read "${arg}": the stream is --events ndjson (stdout) or --events ndjson:<file>`, { hint: "write --events ndjson (on stdout) or --events ndjson:<file>" });
    return new EventStream(m[1] ?? null);
  }

  event(e: { type: string }): void {
    if (LEFT_OUT.has(e.type)) return;
    this.line({ ...e, type: e.type });
  }

  /** The last line of a study that answered. */
  done(result: Record<string, unknown>, exitCode: number): void {
    this.line({ type: "done", exitCode, result });
    this.ended = true;
  }

  /** The last line of a study that did not answer (unless it already ended with `done`). */
  failed(err: unknown): void {
    if (this.ended) return;
    const exitCode = exitCodeOf(err);
    const type = exitCode === 130 ? "cancelled" : "error";
    const code = isEnoughError(err) ? err.code : "INTERNAL";
    this.line({ type, exitCode, code, message: (err as Error)?.message ?? String(err) });
    this.ended = true;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private line(o: { type: string } & Record<string, unknown>): void {
    const { type, ...rest } = o;
    const text = terminalSafe(JSON.stringify({ type, time: new Date().toISOString(), ...rest }, finite)) + "\n";
    if (this.fd !== null) writeSync(this.fd, text);
    else if (this.onStdout) process.stdout.write(text);
  }
}

/** JSON has no Infinity or NaN: an interval with no upper end is written as null. */
function finite(_key: string, v: unknown): unknown {
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}
