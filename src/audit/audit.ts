/**
 * audit(): load a source, run every issue manager, and gather one table of issues with per-row scores.
 * Model-based checks (label errors, embedding near-duplicates and outliers, diversity, coverage, bias) use
 * out-of-sample outputs of K models trained on the engine, on a seeded sample capped at `maxRows`.
 */
import { loadDataset, type Dataset, type LoadOptions } from "../data/index.js";
import type { ModelSpec } from "../engine/index.js";
import { InputError } from "../errors.js";
import { makeContext, round, type AuditContext, type ModelOutputs } from "./context.js";
import { readRaw, type RawTable } from "./raw.js";
import { outOfSample } from "./oof.js";
import { sampleRows } from "./math/stats.js";
import type { AuditCheck } from "./check.js";
import { selectChecks } from "./checks/registry.js";
import type { AuditSections, BalanceSummary, BiasSummary, DiversitySummary } from "./sections.js";
import { redactDeep, safeCell } from "./redact.js";
import { groupCurvesAndWorth, type GroupCurve, type WorthResult } from "./worth.js";
import type { AuditProgress, Issue, IssueType, Severity } from "./types.js";

export const AUDIT_SCHEMA = "enough/audit-report";
export const AUDIT_VERSION = 1;

export interface AuditOptions {
  /** Seed for folds, samples and bootstraps (default 0). */
  seed?: number;
  /** K for the out-of-fold predictions (default 5). */
  folds?: number;
  /** Cap on rows under the model-based checks (default 20,000; a seeded stratified sample above it). */
  maxRows?: number;
  /** Skip training: only the checks that need no model. */
  noModel?: boolean;
  /** Run only these checks (names as in `CHECK_NAMES`; default: all). */
  checks?: string[];
  /** Leave these checks out; skipping every check that needs out-of-fold predictions skips that training. */
  skip?: string[];
  model?: ModelSpec;
  epochs?: number;
  threads?: number;
  /** Measure what removing flagged label errors / duplicates is worth in samples (trains learning curves). */
  worth?: boolean;
  /** With worth: also measure relabelling the flagged labels with the model's suggestion. */
  relabel?: boolean;
  /** Seeds per size for the learning curves of --worth and per-group curves (default 2). */
  curveSeeds?: number;
  /** Name rows by this source column too. */
  id?: string;
  onProgress?: (p: AuditProgress) => void;
  /** Receives the out-of-sample probabilities and embeddings once trained (for callers that want them raw). */
  onModelOutputs?: (m: ModelOutputs) => void;
  signal?: AbortSignal;
}

export interface AuditReport {
  schema: typeof AUDIT_SCHEMA;
  version: number;
  createdAt: string;
  data: {
    source: string;
    /** The dataset's fingerprint (as in the cache and the store). */
    fingerprint: string;
    kind: string;
    task: string;
    target: string;
    rows: number;
    sourceRows: number;
    poolSize: number;
    testSize: number;
    groups: string[];
    classes?: string[];
  };
  headline: string;
  findings: string[];
  issues: Issue[];
  model: null | { spec: unknown; folds: number; epochs: number; auditedRows: number; sampled: boolean; maxRows: number; seconds: number; outOfFoldAccuracy: number };
  balance: BalanceSummary | null;
  diversity: DiversitySummary | null;
  bias: BiasSummary[];
  groupCurves: GroupCurve[];
  worth: WorthResult[];
  /** Per-row quality in [0, 1] (low = likely problem) for each scored issue type, aligned with rowIds. */
  rowScores: { rowIds: number[]; ids?: string[]; /** Out-of-sample predicted class id per row (null where not audited). */ predicted?: (number | null)[]; scores: Partial<Record<IssueType, (number | null)[]>>; flagged: Partial<Record<IssueType, number[]>> };
  warnings: string[];
  seconds: number;
  reports?: { json: string; md: string; html: string; csv: string };
}

const SEVERITY_ORDER: Record<Severity, number> = { high: 0, medium: 1, low: 2, info: 3 };

/** Loads the source through the data layer and audits it. */
export async function audit(load: LoadOptions, opts: AuditOptions = {}): Promise<AuditReport> {
  selectChecks(opts.checks, opts.skip); // a misspelt check name fails before the data is loaded
  opts.onProgress?.({ phase: "load" });
  const ds = await loadDataset({ ...load, onProgress: (p) => opts.onProgress?.({ phase: `load: ${p.phase}`, ...(p.done !== undefined ? { done: p.done } : {}), ...(p.total !== undefined ? { total: p.total } : {}) }) });
  opts.onProgress?.({ phase: "read raw cells" });
  const raw = await readRaw(ds);
  return auditDataset(ds, raw, opts);
}

/** Audits an already loaded Dataset (benchmarks build one in memory); `raw` adds the cell-level checks. */
export async function auditDataset(ds: Dataset, raw: RawTable | null, opts: AuditOptions = {}): Promise<AuditReport> {
  const t0 = Date.now();
  // first, so that a misspelt check name fails before anything is computed
  const selected = selectChecks(opts.checks, opts.skip);
  const seed = opts.seed ?? 0;
  const maxRows = opts.maxRows ?? 20000;
  const ctx = makeContext(ds, raw, seed, maxRows);
  const progress = (phase: string, extra: Partial<AuditProgress> = {}) => opts.onProgress?.({ phase, ...extra });
  const warnings: string[] = [...ds.report.warnings, ...(raw?.warnings ?? [])];
  let ids: string[] | undefined;
  if (opts.id) {
    if (!raw) throw new InputError("AUDIT_ID", `--id ${opts.id}: row ids by column need a tabular or text source`, { hint: "leave out --id for image data" });
    const c = raw.columns.indexOf(opts.id);
    if (c < 0) throw new InputError("AUDIT_ID", `--id column '${opts.id}' not found`, { hint: `columns are: ${raw.columns.slice(0, 20).join(", ")}` });
    ids = raw.values[c]!.map((v) => v ?? "");
    // masked below (safeCell, whether or not the pii check is selected): an id column of e-mail addresses must not reach flagged.csv
  }

  const t = ds.tensors;
  let modelInfo: AuditReport["model"] = null;
  // The one costly shared need: trained once, just before the first selected check that reads it, and only when a
  // selected check needs it (checks that merely use it do not cause the training).
  const wantOof = !opts.noModel && selected.some((c) => c.needs.includes("oof"));
  let oofReady = false;
  const prepareOof = async () => {
    oofReady = true;
    if (t.task === "regression") {
      warnings.push("regression target: label-error, bias and coverage checks need class probabilities and were skipped");
      return;
    }
    if (t.task !== "classification") return;
    const all = Int32Array.from({ length: t.n }, (_, i) => i);
    const rows = sampleRows(all, maxRows, seed, "audit-sample", t.y as Int32Array);
    progress("train", { done: 0, total: 1, detail: `${opts.folds ?? 5}-fold out-of-sample predictions on ${rows.length} rows` });
    ctx.model = await outOfSample(ds, rows, ctx.isTest, {
      folds: opts.folds ?? 5,
      seed,
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.epochs ? { epochs: opts.epochs } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const mo = ctx.model;
    opts.onModelOutputs?.(mo);
    const y = t.y as Int32Array;
    let right = 0;
    for (let i = 0; i < rows.length; i++) if (mo.pred[i] === y[rows[i]!]) right++;
    modelInfo = { spec: mo.model, folds: mo.folds, epochs: mo.epochs, auditedRows: rows.length, sampled: rows.length < t.n, maxRows, seconds: round(mo.seconds, 1), outOfFoldAccuracy: round(right / rows.length) };
    if (rows.length < t.n) warnings.push(`model-based checks ran on a seeded sample of ${rows.length} of ${t.n} rows (--max-rows ${maxRows})`);
  };
  const readsOof = (c: AuditCheck) => c.needs.includes("oof") || !!c.uses?.includes("oof");

  const issues: Issue[] = [];
  const sections: Partial<AuditSections> = {};
  for (const check of selected) {
    if (wantOof && !oofReady && readsOof(check)) await prepareOof();
    progress(`check: ${check.title}`);
    const result = await check.run(ctx);
    issues.push(...result.issues);
    Object.assign(sections, result.sections);
  }

  // Whatever a check quoted, no PII pattern leaves the audit unmasked (see redact.ts).
  const merged = redactDeep(mergeIssues(issues)).sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || b.count - a.count);

  let groupCurves: GroupCurve[] = [];
  let worth: WorthResult[] = [];
  // per-group learning curves belong to the bias check: without it, --group adds no training
  const groupCurvesWanted = selected.some((c) => c.name === "bias") && Object.keys(ds.groups).length > 0;
  if (!opts.noModel && t.task === "classification" && (opts.worth || groupCurvesWanted)) {
    const r = await groupCurvesAndWorth(ctx, merged, {
      worth: !!opts.worth,
      groupCurves: groupCurvesWanted,
      relabel: !!opts.relabel,
      seeds: opts.curveSeeds ?? 2,
      ...(opts.model ? { model: opts.model } : {}),
      ...(opts.epochs ? { epochs: opts.epochs } : {}),
      ...(opts.threads ? { threads: opts.threads } : {}),
      maxRows,
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    groupCurves = r.groupCurves;
    worth = r.worth;
    warnings.push(...r.warnings);
  }

  if (ids && opts.id) ids = ids.map((v) => safeCell(ctx, opts.id!, v) ?? "");
  const rowScores = buildRowScores(ctx, merged, ids);
  const findings = redactDeep(plainFindings(merged, worth, groupCurves));
  const high = merged.filter((i) => i.severity === "high");
  const headline = merged.length === 0 ? "No data problems found." : high.length ? `${high.length} serious problem${high.length > 1 ? "s" : ""}: ${high.map((i) => i.type.replace(/_/g, " ")).join(", ")}` : `${merged.length} minor problem${merged.length > 1 ? "s" : ""}: ${merged.slice(0, 4).map((i) => i.type.replace(/_/g, " ")).join(", ")}`;
  return {
    schema: AUDIT_SCHEMA,
    version: AUDIT_VERSION,
    createdAt: new Date().toISOString(),
    data: {
      source: ds.source,
      fingerprint: ds.fingerprint,
      kind: ds.schema.kind,
      task: ds.schema.task,
      target: ds.schema.target,
      rows: t.n,
      sourceRows: raw?.rows ?? t.n,
      poolSize: ds.split.pool.length,
      testSize: ds.split.test.length,
      groups: Object.keys(ds.groups),
      ...(ds.schema.classes ? { classes: redactDeep(ds.schema.classes) } : {}),
    },
    headline,
    findings,
    issues: merged,
    model: modelInfo,
    balance: sections.balance ?? null,
    diversity: sections.diversity ?? null,
    bias: redactDeep(sections.bias ?? []),
    groupCurves,
    worth,
    rowScores,
    warnings: redactDeep([...warnings, ...ctx.notes]),
    seconds: round((Date.now() - t0) / 1000, 1),
  };
}

/** Two checks may report one type (exact and near leakage): one row in the table per type. */
export function mergeIssues(issues: Issue[]): Issue[] {
  const by = new Map<IssueType, Issue>();
  for (const i of issues) {
    const prev = by.get(i.type);
    if (!prev) {
      by.set(i.type, { ...i, rows: [...i.rows] });
      continue;
    }
    const seen = new Set(prev.rows);
    for (const r of i.rows) if (!seen.has(r)) prev.rows.push(r);
    prev.count = prev.rows.length || prev.count + i.count;
    prev.examples = prev.rows.slice(0, 10);
    prev.summary = `${prev.summary}; ${i.summary}`;
    prev.details = { ...prev.details, ...i.details };
    prev.score = Math.min(prev.score, i.score);
    if (SEVERITY_ORDER[i.severity] < SEVERITY_ORDER[prev.severity]) prev.severity = i.severity;
    if (i.columns) prev.columns = [...new Set([...(prev.columns ?? []), ...i.columns])];
  }
  return [...by.values()];
}

function buildRowScores(ctx: AuditContext, issues: Issue[], ids?: string[]): AuditReport["rowScores"] {
  const n = ctx.ds.tensors.n;
  const rowIds = Array.from(ctx.rowId);
  const scores: AuditReport["rowScores"]["scores"] = {};
  for (const s of ctx.scores) {
    const arr = new Array<number | null>(n);
    for (let i = 0; i < n; i++) arr[i] = Number.isFinite(s.scores[i]!) ? round(s.scores[i]!) : null;
    scores[s.type] = arr;
  }
  const flagged: AuditReport["rowScores"]["flagged"] = {};
  for (const i of issues) if (i.rows.length) flagged[i.type] = i.rows;
  let predicted: (number | null)[] | undefined;
  if (ctx.model) {
    predicted = new Array<number | null>(n).fill(null);
    ctx.model.rows.forEach((r, i) => (predicted![r] = ctx.model!.pred[i]!));
  }
  return { rowIds, ...(ids ? { ids: rowIds.map((r) => ids[r] ?? "") } : {}), ...(predicted ? { predicted } : {}), scores, flagged };
}

function plainFindings(issues: Issue[], worth: WorthResult[], curves: GroupCurve[]): string[] {
  const out = issues.map((i) => `${i.severity}: ${i.summary}.`);
  for (const w of worth) out.push(w.sentence);
  for (const c of curves) if (c.sentence) out.push(c.sentence);
  return out;
}
