/**
 * `enough compare`: learning curves of several variants of a model (capacity, regularisation, any recipe field) on
 * the same subsets and seeds; the data-optimal frontier, crossovers, overfitting diagnosis and a recommendation.
 * Thin: parses options, shows progress from compare()'s events, prints the answer (or one JSON object).
 */
import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { writeCompareReport } from "../../report/compare.js";
import type { CompareReport } from "../../study/compare/result.js";
import { compare, type CompareEvent, type CompareOptions } from "../../study/compare/compare.js";
import { parseAxes, variantCount } from "../../study/compare/axes.js";
import { roughCount as count } from "../../format.js";
import { EventStream } from "../events-out.js";
import { compareExitCode } from "../exit-codes.js";
import { addStudyOptions, studyOptionsFrom, type StudyCliOptions } from "../study-options.js";
import { runInterruptible } from "../progress.js";
import { checkReportFolder, printAnswer, writeThenPrint } from "../report-output.js";

interface CliOptions extends StudyCliOptions {
  vary: string[];
  pruneMargin?: string;
  prune: boolean;
}

export function register(program: Command): void {
  const cmd = program
    .command("compare")
    .description("which model size / regularisation for how much data: paired learning curves per variant, the data-optimal frontier and a recommendation");
  addStudyOptions(cmd)
    .requiredOption("--vary <axis=values>", "an axis and its values, e.g. width=0.25,1,4 or dropout=0,0.3 or model=mlp,cnn (repeat for a cross product)", repeatable, [])
    .option("--model <spec>", "the base model the axes change (cnn, mlp:depth=3, or a ModelSpec JSON file; default by data kind)")
    .option("--recipe <file>", "a JSON file of recipe fields for every variant (the axes override them)")
    .option("--target <metric=value>", "the score you want, e.g. accuracy=0.90: samples needed per variant (a column name here means --target-column)")
    .option("--sizes <auto|list>", "subset sizes: auto (ascending, as far as --budget goes) or a list such as 500,2k,10k", "auto")
    .option("--seeds <count>", "seeds per size, shared by every variant (paired)", "3")
    .option("--budget <time>", "wall-time budget such as 20m or 1h (default 20m with --sizes auto)")
    .option("--prune-margin <score>", "drop a variant once another beats it by more than this at every size, paired (default 0.01 for accuracy-like metrics)")
    .option("--no-prune", "measure every variant at every size")
    .option("--verbose", "say why each size was measured and each variant dropped")
    .action(async (opts: CliOptions) => {
      await runCompare(opts);
    });
}

/** --vary repeats; its commas separate values, so (unlike the data options) it is not split here. */
function repeatable(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function runCompare(opts: CliOptions): Promise<void> {
  const axes = parseAxes(opts.vary);
  let pruneMargin: number | false | undefined = opts.prune === false ? false : undefined;
  if (opts.pruneMargin !== undefined && pruneMargin !== false) {
    pruneMargin = Number(opts.pruneMargin);
    if (!(pruneMargin >= 0) || !Number.isFinite(pruneMargin)) throw new InputError("BAD_OPTION", `--prune-margin must be a number >= 0, got "${opts.pruneMargin}"`);
  }
  const { out, ...options }: CompareOptions & { out?: string } = { ...studyOptionsFrom(opts), vary: axes, pruneMargin };
  checkReportFolder(out);
  const verbose = !!opts.verbose && !opts.json;
  const events = EventStream.open(opts.events);
  await runInterruptible({ json: opts.json, verbose: opts.verbose, label: "compare", events }, async (signal, progress) => {
    const note = (line: string) => progress.note(line);
    const onEvent = (e: CompareEvent) => {
      events?.event(e);
      switch (e.type) {
        case "variants":
          note(`variants: ${e.count} (${e.axes.join(" × ")}): ${e.labels.join("; ")}`);
          return;
        case "rung":
          if (verbose) note(`size n=${e.size.toLocaleString("en-US")}: ${e.variants.length} variant(s)`);
          return;
        case "pruned":
          note(`dropped ${e.variant} after n=${count(e.atSize)}: ${e.reason}`);
          return;
        default:
          progress.on(e);
      }
    };
    if (variantCount(axes) > 12) note(`note: ${variantCount(axes)} variants; each size costs ${variantCount(axes)} × seeds Runs`);
    const report = await compare({ ...options, signal }, { onEvent });
    progress.clear();
    await writeThenPrint(report, out, writeCompareReport, (r) => printAnswer({ json: opts.json, events, exitCode: compareExitCode(r) }, () => compareJson(r), () => compareAnswer(r)));
  });
}

/** The --json object: the recommendation, the frontier, one summary per variant, pruning and the report paths. */
export function compareJson(r: CompareReport): Record<string, unknown> {
  return {
    studyId: r.studyId,
    data: { source: r.data.source, fingerprint: r.data.fingerprint, poolSize: r.data.poolSize, testSize: r.data.testSize },
    metric: r.question.metric,
    target: r.question.target,
    model: r.question.model,
    axes: r.question.axes,
    headline: r.headline,
    recommendation: r.recommendation,
    findings: r.findings.map((f) => f.text),
    variants: r.variants.map((v) => ({
      id: v.id,
      label: v.label,
      values: v.values,
      status: v.status,
      pruned: v.pruned,
      paramCount: v.paramCount,
      flops: v.flops,
      points: v.points,
      samplesForTarget: v.samplesForTarget,
      secondsForTarget: v.secondsForTarget,
      scoreAtHave: v.scoreAtHave,
      asymptote: v.asymptote,
      confidence: v.confidence,
      gap: v.gap.rows,
      diagnosis: v.diagnosis.text,
      timePerRun: v.timePerRun,
    })),
    frontier: { measured: r.frontier.measured, segments: r.frontier.fitted.segments, crossovers: r.frontier.fitted.crossovers, sentence: r.frontier.sentence },
    best: r.best,
    pruning: r.pruning,
    runs: { done: r.runs.filter((x) => x.status === "done").length, failed: r.runs.filter((x) => x.status === "failed").length, reused: r.runs.filter((x) => x.reused).length },
    timing: r.timing,
    store: r.store,
    reports: r.reports,
  };
}

export function compareAnswer(r: CompareReport): string {
  const lines = [r.headline, ""];
  for (const x of r.recommendation.slice(1)) lines.push(`  - ${x}`);
  lines.push("");
  for (const f of r.findings) lines.push(`  - ${f.text}`);
  if (r.reports) lines.push("", `Report: ${r.reports.html}`);
  return lines.join("\n") + "\n";
}
