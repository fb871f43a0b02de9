/**
 * `enough audit --data <source>`: data quality, diversity, bias and privacy checks with row ids, and (with
 * --worth) what fixing label errors and duplicates is worth in samples. Writes audit.json / audit.md / audit.html /
 * flagged.csv into --out; prints a plain-words summary (or one JSON object with --json); progress on stderr.
 */
import { join } from "node:path";
import type { Command } from "commander";
import { audit, CHECK_NAMES, writeAuditReport, type AuditProgress, type AuditReport } from "../../audit/index.js";
import { parseModelArg } from "../../engine/index.js";
import { InputError } from "../../errors.js";
import { parsePositiveInt } from "../format.js";
import { StatusLine } from "../progress.js";
import { toLoadOptions, type InspectOptions } from "./inspect.js";
import { jsonText, writeOut } from "../output.js";

export interface AuditCliOptions extends InspectOptions {
  id?: string;
  folds?: string;
  worth?: boolean;
  out?: string;
  maxRows?: string;
  model?: string | boolean;
  epochs?: string;
  threads?: string;
  curveSeeds?: string;
  relabel?: boolean;
  checks?: string[];
  skip?: string[];
}

const collect = (v: string, prev: string[] = []) => prev.concat(v.split(",").map((s) => s.trim()).filter(Boolean));

export function register(program: Command): void {
  program
    .command("audit")
    .description("find data problems (duplicates, leakage, label errors, outliers, missing values, PII, imbalance, group gaps) with row ids, and what fixing them is worth in samples")
    .requiredOption("--data <source>", "CSV/TSV/JSONL/Parquet file, image folder (one sub-folder per class) or builtin:fashion-mnist")
    .option("--target <column>", "the column to predict (default: a column named target/label/class/y)")
    .option("--label <column>", "same as --target")
    .option("--group <columns...>", "subgroup columns for the bias section (per-group metrics, gaps, curves)", collect)
    .option("--id <column>", "name rows by this column as well as by position")
    .option("--folds <k>", "folds for the out-of-sample predictions", "5")
    .option("--worth", "measure what removing flagged label errors / duplicates is worth in samples (trains learning curves)")
    .option("--relabel", "with --worth: also measure relabelling the flagged labels with the model's suggestion")
    .option("--curve-seeds <n>", "seeds per size for the per-group and --worth learning curves", "2")
    .option("--max-rows <n>", "cap on rows under the model-based checks (a seeded stratified sample above it)", "20000")
    .option("--model <spec>", "model for the model-based checks: family with overrides (cnn, mlp:width=2) or a ModelSpec JSON file")
    .option("--no-model", "skip every check that needs a trained model")
    .option("--checks <names>", `run only these checks, comma-separated (${CHECK_NAMES.join(", ")})`, collect)
    .option("--skip <names>", "leave these checks out, comma-separated (skipping label, diversity and bias skips the model training)", collect)
    .option("--epochs <n>", "training epochs per fold (default: 6 for images, ~3,000 steps for tabular/text)")
    .option("--threads <n>", "intra-op threads for training")
    .option("--kind <column=kind>", "override a column's kind; repeatable", collect)
    .option("--ignore <columns...>", "columns not to use as features", collect)
    .option("--keep-pii-features", "let the model use columns holding personal data (e-mails, phones, cards, IBANs, names); by default they are left out (the pii check still reports them)")
    .option("--text-column <column>", "treat the data as text: this column is tokenised")
    .option("--allow-bad-rows", "go on when more than 1% of the file's lines cannot be read (they are still counted and named)")
    .option("--test-column <column>", "a column marking test rows (test/true/1/yes)")
    .option("--test-fraction <f>", "fraction of rows held out for testing", "0.2")
    .option("--seed <n>", "seed for the split, folds, samples and bootstraps", "0")
    .option("--cache-root <dir>", "where encoded data sets are cached", ".enough/cache")
    .option("--out <dir>", "report folder (default .enough/reports/audit-<data fingerprint>)")
    .option("--json", "print one JSON object")
    .action(async (opts: AuditCliOptions) => {
      const line = new StatusLine(process.stderr, !!process.stderr.isTTY && !opts.json);
      const report = await runAudit(opts, (p) => line.draw(progressText(p)));
      line.clear();
      writeOut(opts.json ? jsonText(jsonSummary(report)) : plainSummary(report));
    });
}

export function progressText(p: AuditProgress): string {
  const frac = p.total ? ` ${p.done ?? 0}/${p.total}` : "";
  return `audit: ${p.phase}${frac}${p.detail ? ` · ${p.detail}` : ""}…`;
}

/** Runs the command (tests call it in-process) and writes the report files. */
export async function runAudit(opts: AuditCliOptions, onProgress?: (p: AuditProgress) => void): Promise<AuditReport> {
  const load = toLoadOptions(opts);
  const folds = parsePositiveInt(opts.folds ?? "5", "--folds");
  if (folds < 2) throw new InputError("BAD_OPTION", `--folds must be at least 2, got ${folds}`);
  const maxRows = parsePositiveInt(opts.maxRows ?? "20000", "--max-rows");
  if (maxRows < 50) throw new InputError("BAD_OPTION", `--max-rows must be at least 50, got ${maxRows}`);
  const model = typeof opts.model === "string" ? parseModelArg(opts.model) : undefined;
  const report = await audit(load, {
    seed: Number(opts.seed ?? "0"),
    folds,
    maxRows,
    noModel: opts.model === false,
    ...(opts.checks ? { checks: opts.checks } : {}),
    ...(opts.skip ? { skip: opts.skip } : {}),
    ...(model ? { model } : {}),
    ...(opts.epochs ? { epochs: parsePositiveInt(opts.epochs, "--epochs") } : {}),
    ...(opts.threads ? { threads: parsePositiveInt(opts.threads, "--threads") } : {}),
    ...(opts.worth ? { worth: true } : {}),
    ...(opts.relabel ? { relabel: true } : {}),
    curveSeeds: parsePositiveInt(opts.curveSeeds ?? "2", "--curve-seeds"),
    ...(opts.id ? { id: opts.id } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  await writeAuditReport(report, opts.out ?? join(".enough", "reports", `audit-${report.data.fingerprint}`));
  return report;
}

/** The --json object: issues as {type, severity, count, rows, columns?, score}, plus the sections' summaries. */
export function jsonSummary(r: AuditReport): Record<string, unknown> {
  const idOf = new Map<number, string>();
  if (r.rowScores.ids) r.rowScores.rowIds.forEach((row, i) => idOf.set(row, r.rowScores.ids![i]!));
  return {
    headline: r.headline,
    data: r.data,
    issues: r.issues.map((i) => ({ type: i.type, severity: i.severity, count: i.count, rows: i.rows, ...(i.columns ? { columns: i.columns } : {}), score: i.score, summary: i.summary, ...(r.rowScores.ids ? { ids: i.rows.map((row) => idOf.get(row) ?? null) } : {}) })),
    model: r.model,
    balance: r.balance,
    bias: r.bias,
    groupCurves: r.groupCurves.map(({ points: _p, ...c }) => c),
    worth: r.worth.map(({ points: _p, ...w }) => w),
    warnings: r.warnings,
    reports: r.reports,
  };
}

export function plainSummary(r: AuditReport): string {
  const lines = [r.headline, ""];
  if (r.issues.length) {
    for (const i of r.issues) lines.push(`  [${i.severity}] ${i.type}: ${i.summary}${i.examples.length ? ` (rows ${i.examples.slice(0, 5).join(", ")}${i.count > 5 ? ", …" : ""})` : ""}`);
  }
  for (const w of r.worth) lines.push("", w.sentence);
  for (const s of r.bias) {
    lines.push("", `Groups by '${s.column}' (overall out-of-fold accuracy ${(100 * s.overallAccuracy).toFixed(1)}%):`);
    for (const g of s.groups) lines.push(`  ${g.group}: ${(100 * g.accuracy.value).toFixed(1)}% (90% interval ${(100 * g.accuracy.lo).toFixed(1)}–${(100 * g.accuracy.hi).toFixed(1)}%), ${g.rows} rows${g.smallSample ? ", small: wide interval" : ""}`);
    for (const n of s.notes) lines.push(`  note: ${n}`);
  }
  for (const c of r.groupCurves) if (c.sentence) lines.push(`  ${c.sentence}`);
  if (r.model) lines.push("", `Model-based checks: ${r.model.folds}-fold out-of-sample predictions on ${r.model.auditedRows} rows${r.model.sampled ? ` (a seeded sample; --max-rows ${r.model.maxRows})` : ""}, out-of-fold accuracy ${(100 * r.model.outOfFoldAccuracy).toFixed(1)}%.`);
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  if (r.reports) lines.push("", `Report: ${r.reports.html}`, `Flagged rows: ${r.reports.csv}`);
  return lines.join("\n") + "\n";
}
