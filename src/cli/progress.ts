/**
 * Progress on stderr for the long commands: one line on a TTY that redraws in place (what, how far, ETA, the running
 * answer), notes above it, and the Ctrl-C handling of study commands. Without a terminal (CI logs, nohup) the notes
 * are printed as lines and the progress line every PROGRESS_SECONDS. Shared so that every command draws progress
 * the same way and only here writes the terminal's erase-line sequence.
 */
import { CancelledError } from "../errors.js";
import type { StudyEvent } from "../study/events.js";
import { duration } from "../study/findings.js";
import type { EventStream } from "./events-out.js";
import { EXIT } from "./exit-codes.js";

/** Seconds between progress lines without a terminal (ENOUGH_PROGRESS_SECONDS overrides). */
export const PROGRESS_SECONDS = 30;

function progressPeriod(): number {
  const v = Number(process.env.ENOUGH_PROGRESS_SECONDS);
  return Number.isFinite(v) && v > 0 ? v : PROGRESS_SECONDS;
}

/**
 * Runs a study command with progress on stderr (not with --json): the first Ctrl-C stops cleanly (finished Runs
 * stay stored; exit 130), a second quits at once. With an event stream, its last line says how the study ended.
 */
export async function runInterruptible(
  o: { json?: boolean; verbose?: boolean; label: string; events?: EventStream | null },
  work: (signal: AbortSignal, progress: ProgressLine) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\nenough: stopping (finished Runs are kept; press Ctrl-C again to quit at once)\n");
      controller.abort();
    } else process.exit(EXIT.interrupted);
  };
  process.on("SIGINT", onSigint);
  const tty = !!process.stderr.isTTY;
  const progress = new ProgressLine(process.stderr, { tty: tty && !o.json, verbose: !!o.verbose && !o.json, label: o.label, periodSeconds: !tty && !o.json ? progressPeriod() : null });
  const ticker = setInterval(() => progress.tick(), 1000);
  ticker.unref();
  try {
    await work(controller.signal, progress);
  } catch (err) {
    progress.clear();
    o.events?.failed(err);
    if (err instanceof CancelledError) {
      process.stderr.write(`enough: ${err.message}\n`);
      process.exitCode = EXIT.interrupted;
      return;
    }
    throw err;
  } finally {
    clearInterval(ticker);
    process.off("SIGINT", onSigint);
    o.events?.close();
  }
}

/** One line on a TTY that redraws in place (cut to the terminal's width); nothing at all elsewhere. */
export class StatusLine {
  private shown = false;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly tty: boolean,
  ) {}

  draw(text: string): void {
    if (!this.tty) return;
    const width = (this.out.columns ?? 100) - 1;
    this.out.write("\r\x1b[2K" + text.slice(0, width));
    this.shown = true;
  }

  clear(): void {
    if (this.tty && this.shown) this.out.write("\r\x1b[2K");
    this.shown = false;
  }
}

/**
 * One progress line on a TTY (what, how far, ETA, the running answer); --verbose adds one line per decision.
 * Without a TTY (`periodSeconds` set) the notes are plain lines and the progress line is printed as a line of its
 * own every periodSeconds (the first one periodSeconds after the start), so a CI log shows the study is alive.
 */
export class ProgressLine {
  private last = "";
  private current = "";
  private answer = "";
  private status = "";
  private lastProgress: { e: Extract<StudyEvent, { type: "progress" }>; at: number } | null = null;
  private readonly line: StatusLine;
  private lastPrinted: number;
  private readonly now: () => number;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly o: { tty: boolean; verbose: boolean; label?: string; periodSeconds?: number | null; now?: () => number },
  ) {
    this.line = new StatusLine(out, o.tty);
    this.now = o.now ?? Date.now;
    this.lastPrinted = this.now();
  }

  on(e: StudyEvent): void {
    switch (e.type) {
      case "loading":
        this.status = `loading data: ${e.phase}${e.total ? ` ${e.done ?? 0}/${e.total}` : ""}`;
        break;
      case "data":
        this.note(`data: ${e.source}: ${e.rows.toLocaleString("en-US")} rows (${e.poolSize.toLocaleString("en-US")} pool, ${e.testSize.toLocaleString("en-US")} test)${e.warnings.length ? `; ${e.warnings.length} warning(s)` : ""}`);
        for (const w of e.warnings) this.note(`  warning: ${w}`);
        break;
      case "plan":
        this.note(
          `plan: ${e.adaptive ? `adaptive sizes from ${e.sizes[0]!.toLocaleString("en-US")} to ${e.sizes.at(-1)!.toLocaleString("en-US")}` : `sizes ${e.sizes.map((n) => n.toLocaleString("en-US")).join(", ")}`}, ` +
            `${e.adaptive ? "up to " : ""}${e.seeds} seed(s)${e.budgetSeconds ? `, budget ${duration(e.budgetSeconds)}` : ""}; ${e.jobs} Run(s) at a time × ${e.threads} thread(s); study ${e.studyId}`,
        );
        break;
      case "decision":
        if (this.o.verbose) this.note(`why: ${e.reason}`);
        break;
      case "run-start":
        this.current = `${e.variant ? `${e.variant} ` : ""}n=${e.size.toLocaleString("en-US")} seed ${e.seed}${e.attempt ? " (retry)" : ""}${e.predictedSeconds ? ` (~${clock(e.predictedSeconds)})` : ""}`;
        break;
      case "run-running":
        // The queue's workers are other machines: say which one took the Run (local workers are this machine's).
        if (this.o.verbose && !e.worker.id.startsWith("local-")) this.note(`Run ${e.variant ? `${e.variant} ` : ""}n=${e.size} seed ${e.seed} started on ${e.worker.id}${e.worker.host ? ` (${e.worker.host})` : ""}`);
        break;
      case "run-failed":
        this.note(`Run n=${e.size} seed ${e.seed} failed: ${e.error.code}: ${e.error.message}${e.willRetry ? " (retrying with a safer recipe)" : ""}`);
        break;
      case "answer":
        if (e.samplesForTarget) {
          const s = e.samplesForTarget;
          this.answer = s.reachable === false ? "target out of reach so far" : `needs ≈${round(s.mean)} (${round(s.lo)}–${Number.isFinite(s.hi) ? round(s.hi) : "∞"})`;
        } else if (e.scoreAtHave) this.answer = `${e.metric} at ${round(e.have)} ≈ ${e.scoreAtHave.mean.toFixed(3)}`;
        break;
      case "progress":
        this.lastProgress = { e, at: this.now() };
        this.status = this.progressText(e, 0);
        break;
      case "stop":
        if (this.o.verbose) this.note(`stop: ${e.reason}`);
        break;
      case "fitting":
        this.status = "fitting curves and writing the report";
        break;
      default:
        break;
    }
    this.draw();
  }

  /** Redraws the clock between events (elapsed up, ETA down); without a TTY, prints the line when it is due. */
  tick(): void {
    if (this.lastProgress && this.status.includes("Runs done")) this.status = this.progressText(this.lastProgress.e, (this.now() - this.lastProgress.at) / 1000);
    this.draw();
  }

  private progressText(e: Extract<StudyEvent, { type: "progress" }>, since: number): string {
    const eta = e.etaSeconds === null ? "" : ` · ETA ${e.etaBound === "budget" ? "≤" : ""}${clock(Math.max(0, e.etaSeconds - since))}`;
    const of = e.planned ? `/${e.planned}` : "";
    return `${e.done}${of} Runs done${e.running ? `, ${e.running} running` : ""}${e.failed ? `, ${e.failed} failed` : ""}${this.current ? ` · ${this.current}` : ""} · ${clock(e.elapsedSeconds + since)}${eta}${this.answer ? ` · ${this.answer}` : ""}`;
  }

  clear(): void {
    this.line.clear();
    this.last = "";
  }

  /** A line above the progress line (on a TTY, with --verbose, or without a TTY in periodic mode). */
  note(line: string): void {
    if (!this.o.tty && !this.o.verbose && !this.o.periodSeconds) return;
    this.clear();
    this.out.write(line + "\n");
  }

  private draw(): void {
    if (!this.status) return;
    const text = `${this.o.label ?? "estimate"} · ` + this.status;
    if (!this.o.tty) {
      const period = this.o.periodSeconds;
      if (!period || this.now() - this.lastPrinted < period * 1000) return;
      this.out.write(text + "\n");
      this.lastPrinted = this.now();
      return;
    }
    if (this.status === this.last) return;
    this.line.draw(text);
    this.last = this.status;
  }
}

function clock(s: number): string {
  const t = Math.max(0, Math.round(s));
  return t >= 3600 ? `${Math.floor(t / 3600)}h${String(Math.floor((t % 3600) / 60)).padStart(2, "0")}m` : `${Math.floor(t / 60)}m${String(t % 60).padStart(2, "0")}s`;
}

function round(n: number): string {
  return n >= 1000 ? Number(n.toPrecision(2)).toLocaleString("en-US") : Math.round(n).toString();
}
