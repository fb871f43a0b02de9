/**
 * `enough estimate`: how many samples reach the target, with intervals, from Runs on the user's own data.
 * Thin: parses options, shows progress from estimate()'s events, prints the answer (or one JSON object).
 */
import type { Command } from "commander";
import { CancelledError } from "../../errors.js";
import type { EstimateReport } from "../../report/types.js";
import { estimate, type EstimateOptions } from "../../study/estimate.js";
import type { StudyEvent } from "../../study/events.js";
import { duration } from "../../study/findings.js";
import { writeJson } from "../format.js";
import { addStudyOptions, studyOptionsFrom, type StudyCliOptions } from "../study-options.js";
import { writeOut } from "../output.js";

interface CliOptions extends StudyCliOptions {
  at?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("estimate")
    .description("how much training data reaches your target: learning curves on your data, with intervals and a report");
  addStudyOptions(cmd)
    .option("--target <metric=value>", "the score you want, e.g. accuracy=0.90 (classification) or r2=0.8")
    .option("--model <spec>", "model family with overrides (cnn, mlp:width=2) or a ModelSpec JSON file (default by data kind)")
    .option("--sizes <auto|list>", "subset sizes: auto (adaptive, within --budget) or a list such as 500,2k,10k", "auto")
    .option("--seeds <count>", "seeds per size (auto: at most this many)", "3")
    .option("--budget <time>", "wall-time budget such as 15m or 1h (default 15m with --sizes auto)")
    .option("--recipe <file>", "a JSON file of recipe fields that override the default training recipe")
    .option("--at <sizes>", "also predict the score at these sizes, e.g. 100k,1m")
    .option("--verbose", "say why each Run was chosen")
    .action(async (opts: CliOptions) => {
      await runEstimate(opts);
    });
}

async function runEstimate(opts: CliOptions): Promise<void> {
  const options: EstimateOptions = { ...studyOptionsFrom(opts), at: opts.at };
  await runInterruptible({ json: opts.json, verbose: opts.verbose, label: "estimate" }, async (signal, progress) => {
    const report = await estimate({ ...options, signal }, { onEvent: (e) => progress.on(e) });
    progress.clear();
    if (opts.json) writeJson(jsonSummary(report));
    else writeOut(plainAnswer(report));
  });
}

/**
 * Runs a study command with a progress line on stderr (a TTY, not --json): the first Ctrl-C stops cleanly
 * (finished Runs stay stored; exit 130), a second quits at once.
 */
export async function runInterruptible(o: { json?: boolean; verbose?: boolean; label: string }, work: (signal: AbortSignal, progress: ProgressLine) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\nenough: stopping (finished Runs are kept; press Ctrl-C again to quit at once)\n");
      controller.abort();
    } else process.exit(130);
  };
  process.on("SIGINT", onSigint);
  const progress = new ProgressLine(process.stderr, { tty: !!process.stderr.isTTY && !o.json, verbose: !!o.verbose && !o.json, label: o.label });
  const ticker = setInterval(() => progress.tick(), 1000);
  ticker.unref();
  try {
    await work(controller.signal, progress);
  } catch (err) {
    progress.clear();
    if (err instanceof CancelledError) {
      process.stderr.write(`enough: ${err.message}\n`);
      process.exitCode = 130;
      return;
    }
    throw err;
  } finally {
    clearInterval(ticker);
    process.off("SIGINT", onSigint);
  }
}

/** The --json object: `enough fit`'s shapes (points, predictions, samplesForTarget, family, ...) plus the study. */
export function jsonSummary(r: EstimateReport): Record<string, unknown> {
  const fit = (r.curves.test.fit ?? {}) as { family?: string; families?: unknown };
  return {
    studyId: r.studyId,
    data: { source: r.data.source, fingerprint: r.data.fingerprint, poolSize: r.data.poolSize, testSize: r.data.testSize },
    metric: r.question.metric,
    target: r.question.target,
    model: r.question.model,
    headline: r.headline,
    findings: r.findings.map((f) => f.text),
    points: r.points,
    predictions: r.predictions.map(({ n, mean, lo, hi }) => ({ n, mean, lo, hi })),
    samplesForTarget: r.samplesForTarget,
    family: fit.family ?? null,
    families: fit.families ?? [],
    asymptote: r.forecast.asymptote,
    confidence: r.confidence,
    diagnostics: r.diagnostics,
    runs: { done: r.runs.filter((x) => x.status === "done").length, failed: r.runs.filter((x) => x.status === "failed").length, reused: r.runs.filter((x) => x.reused).length },
    timing: { wallSeconds: r.timing.wallSeconds, jobs: r.timing.jobs, threads: r.timing.threads, overheadFraction: r.timing.overheadFraction },
    store: r.store,
    reports: r.reports,
  };
}

export function plainAnswer(r: EstimateReport): string {
  const lines = [r.headline, ""];
  for (const f of r.findings) if (f.text !== r.headline) lines.push(`  - ${f.text}`);
  if (r.reports) lines.push("", `Report: ${r.reports.html}`);
  return lines.join("\n") + "\n";
}

/** One progress line on a TTY (what, how far, ETA, the running answer); --verbose adds one line per decision. */
export class ProgressLine {
  private last = "";
  private current = "";
  private answer = "";
  private status = "";
  private lastProgress: { e: Extract<StudyEvent, { type: "progress" }>; at: number } | null = null;
  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly o: { tty: boolean; verbose: boolean; label?: string },
  ) {}

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
        this.lastProgress = { e, at: Date.now() };
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

  /** Redraws the clock between events (elapsed up, ETA down). */
  tick(): void {
    if (!this.lastProgress || !this.status.includes("Runs done")) return;
    this.status = this.progressText(this.lastProgress.e, (Date.now() - this.lastProgress.at) / 1000);
    this.draw();
  }

  private progressText(e: Extract<StudyEvent, { type: "progress" }>, since: number): string {
    const eta = e.etaSeconds === null ? "" : ` · ETA ${e.etaBound === "budget" ? "≤" : ""}${clock(Math.max(0, e.etaSeconds - since))}`;
    const of = e.planned ? `/${e.planned}` : "";
    return `${e.done}${of} Runs done${e.running ? `, ${e.running} running` : ""}${e.failed ? `, ${e.failed} failed` : ""}${this.current ? ` · ${this.current}` : ""} · ${clock(e.elapsedSeconds + since)}${eta}${this.answer ? ` · ${this.answer}` : ""}`;
  }

  clear(): void {
    if (this.o.tty && this.last) this.out.write("\r\x1b[2K");
    this.last = "";
  }

  private note(line: string): void {
    if (!this.o.tty && !this.o.verbose) return;
    this.clear();
    this.out.write(line + "\n");
  }

  private draw(): void {
    if (!this.o.tty || !this.status || this.status === this.last) return;
    const width = (this.out.columns ?? 100) - 1;
    this.out.write("\r\x1b[2K" + (`${this.o.label ?? "estimate"} · ` + this.status).slice(0, width));
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
