/**
 * `enough strategies`: what can replace more data. The baseline and each `--try` lever on the same subsets and
 * seeds; per lever an effective data multiplier with its interval, its cost and a verdict. Thin: parses options,
 * shows progress from strategies()' events, prints the table (or one JSON object).
 */
import type { Command } from "commander";
import { writeStrategiesReport, leverRows, paramText, semiText, tableNotes, unlabeledLines } from "../../report/strategies.js";
import { parseLevers } from "../../study/strategies/levers.js";
import { strategies, type StrategiesEvent, type StrategiesOptions, type StrategiesResult } from "../../study/strategies/strategies.js";
import { alignTable, writeJson } from "../format.js";
import { PRICE_KEYS, parsePrices } from "../../cost/index.js";
import { costSentences, costTable, extraLines } from "../../report/strategy-costs.js";
import { EventStream } from "../events-out.js";
import { EXIT } from "../exit-codes.js";
import { addStudyOptions, studyOptionsFrom, type StudyCliOptions } from "../study-options.js";
import { runInterruptible } from "../progress.js";
import { checkReportFolder, printAnswer, writeThenPrint } from "../report-output.js";

interface CliOptions extends StudyCliOptions {
  try: string[];
  cost?: string;
  extra?: string;
  unlabeled?: string;
}

export function register(program: Command): void {
  const cmd = program.command("strategies").description("what replaces more data: each lever's effective data multiplier against the baseline, paired, with its cost");
  addStudyOptions(cmd)
    .requiredOption("--try <lever>", "a lever: augment[:policy=default,flip=h,mixup=0.2,...], ensemble:k=5, search:trials=20, transfer:backbone=<path>[,mode=frozen|full], synthetic:model=cvae|copula[,ratio=1], semi[:method=pseudo|fixmatch,threshold=0.95,ratio=3,rounds=1,unlabeled=20000], selfsup[:method=contrastive|reconstruct|masked-tokens,steps=1000,size=N,mode=...], active:strategy=margin|entropy|bald|coreset|badge,batch=250[,start=,max=] (repeat)", (v: string, p: string[]) => [...p, v], [])
    .option("--model <spec>", "the baseline model (cnn, mlp:depth=3, or a ModelSpec JSON file; default by data kind)")
    .option("--recipe <file>", "a JSON file of recipe fields for every arm")
    .option("--target <metric=value>", "the score you want, e.g. accuracy=0.90: the multiplier there")
    .option("--sizes <auto|list>", "subset sizes: auto (ascending, as far as --budget goes) or a list such as 500,2k,10k", "auto")
    .option("--seeds <count>", "seeds per size, shared by every arm (paired)", "3")
    .option("--budget <time>", "wall-time budget such as 30m (default 30m with --sizes auto)")
    .option("--cost <prices>", `price every row to reach the target, ranked by total, e.g. label=0.08,cpu-hour=0.04 (keys: ${PRICE_KEYS.join(", ")})`)
    .option("--extra <source>", "an extra data set with the same columns: a \"pool + extra\" row on the same subsets and seeds")
    .option("--unlabeled <source>", "unlabelled rows for semi and selfsup (the labelled data's columns, the target absent, empty or ignored; images: a folder), used in place of the pool's rows")
    .option("--verbose", "say why each size and trial was run")
    .action(async (opts: CliOptions) => {
      await runStrategies(opts);
    });
}

async function runStrategies(opts: CliOptions): Promise<void> {
  parseLevers(opts.try); // typed errors before anything else
  const cost = opts.cost === undefined ? undefined : parsePrices(opts.cost);
  const { out, ...options }: StrategiesOptions & { out?: string } = { ...studyOptionsFrom(opts), try: opts.try, ...(cost ? { cost } : {}), ...(opts.extra !== undefined ? { extra: opts.extra } : {}), ...(opts.unlabeled !== undefined ? { unlabeled: opts.unlabeled } : {}) };
  checkReportFolder(out);
  const verbose = !!opts.verbose && !opts.json;
  const events = EventStream.open(opts.events);
  await runInterruptible({ json: opts.json, verbose: opts.verbose, label: "strategies", events }, async (signal, progress) => {
    const onEvent = (e: StrategiesEvent) => {
      events?.event(e);
      if (e.type === "arm") {
        if (verbose) progress.note(`size n=${e.size.toLocaleString("en-US")}: ${e.arms.join(", ")}`);
        return;
      }
      progress.on(e);
    };
    const result = await strategies({ ...options, signal }, { onEvent });
    progress.clear();
    // Never 3: the answer is each lever's multiplier, not whether one arm reaches the target (gate on --json's verdicts).
    await writeThenPrint(result, out, writeStrategiesReport, (r) => printAnswer({ json: opts.json, events, exitCode: EXIT.ok }, () => strategiesJson(r), () => strategiesAnswer(r)));
  });
}

/** The --json object: per lever the multipliers (per size, target, pool) with intervals, cost and verdict. */
export function strategiesJson(r: StrategiesResult): Record<string, unknown> {
  return {
    studyId: r.studyId,
    data: r.data,
    metric: r.question.metric,
    target: r.question.target,
    model: r.question.model,
    headline: r.headline,
    measured: r.measured,
    baseline: { scoreAtPool: r.baseline.scoreAtPool },
    levers: r.levers.map((l) => ({ label: l.label, kind: l.kind, identical: l.identical, verdict: l.verdict, summary: l.summary, multiplier: l.multiplier, scoreAtPool: l.scoreAtPool, cost: l.cost, ...(l.best ? { best: l.best } : {}), ...(l.privacy ? { privacy: l.privacy } : {}), ...(l.extra ? { extra: l.extra } : {}), ...(l.synthetic ? { synthetic: l.synthetic } : {}), ...(l.semi ? { semi: l.semi } : {}), ...(l.unlabeled ? { unlabeled: l.unlabeled } : {}), ...(l.active ? { active: l.active } : {}) })),
    ...(r.costs ? { costs: r.costs } : {}),
    ...(r.unlabeled ? { unlabeled: r.unlabeled } : {}),
    runs: { done: r.runs.filter((x) => x.status === "done").length, failed: r.runs.filter((x) => x.status === "failed").length, reused: r.runs.filter((x) => x.reused).length },
    stopReason: r.stopReason,
    timing: r.timing,
    store: r.store,
    reports: r.reports,
  };
}

/** The terminal answer: the headline, then one aligned row per lever. */
export function strategiesAnswer(r: StrategiesResult): string {
  const rows = leverRows(r);
  const head = Object.keys(rows[0] ?? {});
  const w = head.map((h) => Math.max(h.length, ...rows.map((x) => x[h]!.length)));
  const line = (cells: string[]) => "  " + cells.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd();
  const lines = [r.headline, "", line(head), ...rows.map((x) => line(head.map((h) => x[h]!)))];
  for (const note of tableNotes(r)) lines.push(`  ${note.column}: ${note.text}`);
  for (const l of r.levers) {
    const p = l.cost.pretrain;
    if (p) lines.push(`  ${l.label}: compute includes the pretraining (${p.seconds.toFixed(1)} s once${p.reused ? ", re-used from the store's artifacts" : ""}), spread over this study's Runs of the lever`);
  }
  for (const l of r.levers) {
    const semi = semiText(l);
    if (semi) lines.push(`  ${l.label}: ${semi}`);
  }
  for (const l of r.levers) {
    const p = l.privacy;
    if (p?.epsilon) lines.push(`  ${l.label}: DP-SGD, noise calibrated per Run to epsilon ${p.targetEpsilon}; spent ${fmtRange(p.epsilon)} (noise multiplier ${fmtRange(p.noiseMultiplier!)}, delta ${p.delta!.max.toExponential(0)}) over ${p.runs} Runs`);
  }
  for (const l of extraLines(r)) lines.push(`  ${l}`);
  for (const l of unlabeledLines(r)) lines.push(`  ${l}`);
  const ct = costTable(r);
  if (ct) lines.push("", ...costSentences(r).map((l, i) => (i ? `  ${l}` : l)), "", ...alignTable([ct.head, ...ct.rows]).map((l) => `  ${l}`));
  for (const l of r.levers) if (l.synthetic) lines.push(`  ${l.label}: ${l.synthetic.text}; compute counts the generator, not this fidelity report`);
  for (const l of r.levers) if (l.best) lines.push("", `  ${l.label}, best on validation per size: ${l.best.map((b) => `n=${b.n}: ${b.params ? paramText(b.params, " ") : "default"}`).join("; ")}`);
  if (r.reports) lines.push("", `Report: ${r.reports.html}`);
  return lines.join("\n") + "\n";
}

function fmtRange(r: { min: number; max: number }): string {
  const f = (v: number) => (v >= 10 ? v.toFixed(1) : v.toFixed(2));
  return f(r.min) === f(r.max) ? f(r.min) : `${f(r.min)}-${f(r.max)}`;
}
