/**
 * `enough estimate`: how many samples reach the target, with intervals, from Runs on the user's own data.
 * Thin: parses options, shows progress from estimate()'s events, prints the answer (or one JSON object).
 */
import type { Command } from "commander";
import { PRICE_KEYS, parsePrices } from "../../cost/index.js";
import { costLines, costParagraph } from "../../report/cost-lines.js";
import { planBlocks, planTable } from "../../report/plan-lines.js";
import { writeReport } from "../../report/index.js";
import type { EstimateReport } from "../../study/estimate-result.js";
import { estimate, type EstimateOptions } from "../../study/estimate.js";
import { alignTable, writeJson } from "../format.js";
import { EventStream } from "../events-out.js";
import { estimateExitCode } from "../exit-codes.js";
import { runInterruptible } from "../progress.js";
import { checkReportFolder, printAnswer, writeThenPrint } from "../report-output.js";
import { addStudyOptions, studyOptionsFrom, type StudyCliOptions } from "../study-options.js";

interface CliOptions extends StudyCliOptions {
  at?: string;
  cost?: string;
  extra?: string;
  plan?: boolean;
  /** commander's --no-plan-check: false when given. */
  planCheck?: boolean;
  extraKeep?: string;
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
    .option("--cost <prices>", `prices for the cost to reach the target, e.g. label=0.08,cpu-hour=0.04 (keys: ${PRICE_KEYS.join(", ")})`)
    .option("--extra <source>", "an extra data set with the same columns: how different it is, and what it is worth in your samples")
    .option("--extra-keep <rule>", "with --extra: keep the extra rows most like yours (similar:0.5 = the half with the largest importance weights) and measure their worth again")
    .option("--plan", "a data-collection plan: per-class (and per --group column) curves, which to collect more of to reach the target, per-group data needs")
    .option("--no-plan-check", "with --plan: only describe the check Runs (the bottleneck class over-sampled) and their time, do not train them")
    .option("--verbose", "say why each Run was chosen")
    .action(async (opts: CliOptions) => {
      await runEstimate(opts);
    });
}

async function runEstimate(opts: CliOptions): Promise<void> {
  // --cost is read here too (estimate() reads it again) so that a typo fails before anything else is checked.
  const cost = opts.cost === undefined ? undefined : parsePrices(opts.cost);
  const { out, ...options }: EstimateOptions & { out?: string } = { ...studyOptionsFrom(opts), at: opts.at, ...(cost ? { cost } : {}), ...(opts.extra !== undefined ? { extra: opts.extra } : {}), ...(opts.plan ? { plan: true } : {}), ...(opts.planCheck === false ? { planCheck: false } : {}), ...(opts.extraKeep !== undefined ? { extraKeep: opts.extraKeep } : {}) };
  checkReportFolder(out);
  const events = EventStream.open(opts.events);
  await runInterruptible({ json: opts.json, verbose: opts.verbose, label: "estimate", events }, async (signal, progress) => {
    const report = await estimate({ ...options, signal }, { onEvent: (e) => (events?.event(e), progress.on(e)) });
    progress.clear();
    await writeThenPrint(report, out, writeReport, (r) => printAnswer({ json: opts.json, events, exitCode: estimateExitCode(r) }, () => jsonSummary(r), () => plainAnswer(r)));
  });
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
    ...(r.cost ? { cost: r.cost } : {}),
    ...(r.extra ? { extra: extraJson(r.extra) } : {}),
    ...(r.collectionPlan ? { plan: r.collectionPlan } : {}),
  };
}

/** The --json `extra` object: the worth in your samples (mean, lo, hi; null = no upper end) first, then how different. */
export function extraJson(x: NonNullable<EstimateReport["extra"]>): Record<string, unknown> {
  return {
    source: x.source,
    fingerprint: x.fingerprint,
    rows: x.rows,
    n: x.worth?.n ?? null,
    mean: x.worth?.mean ?? null,
    lo: x.worth?.lo ?? null,
    hi: x.worth?.hi ?? null,
    points: x.worth?.points ?? [],
    domain: x.domain ? { auc: x.domain.auc, lo: x.domain.lo, hi: x.domain.hi, rowsPerSide: x.domain.rowsPerSide } : null,
    drift: x.drift.slice(0, 5),
    sentence: x.sentence,
    notes: x.notes,
    ...(x.kept ? { kept: { rule: x.kept.rule, rows: x.kept.rows, weights: x.kept.weights, n: x.kept.worth?.n ?? null, mean: x.kept.worth?.mean ?? null, lo: x.kept.worth?.lo ?? null, hi: x.kept.worth?.hi ?? null, sentence: x.kept.sentence, notes: x.kept.notes } } : {}),
  };
}

export function plainAnswer(r: EstimateReport): string {
  const lines = [r.headline, ""];
  for (const f of r.findings) if (f.text !== r.headline) lines.push(`  - ${f.text}`);
  if (r.extra) lines.push("", r.extra.sentence, ...r.extra.notes.map((n) => `  Note: ${n}`));
  if (r.extra?.kept) lines.push(r.extra.kept.sentence, ...r.extra.kept.notes.map((n) => `  Note: ${n}`));
  for (const b of r.collectionPlan ? planBlocks(r.collectionPlan) : []) {
    const t = planTable(b.plan);
    lines.push("", `${b.title}:`, ...b.lines.map((l) => `  - ${l}`), "", ...alignTable([t.head, ...t.rows]).map((l) => `  ${l}`));
  }
  if (r.cost) lines.push("", costParagraph(r, r.cost), ...costLines(r.cost).map((l) => `  ${l}`));
  if (r.reports) lines.push("", `Report: ${r.reports.html}`);
  return lines.join("\n") + "\n";
}
