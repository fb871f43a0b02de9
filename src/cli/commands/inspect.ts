/**
 * `enough inspect --data <source>`: loads (and caches) a data set and shows what enough made of it: the schema
 * with each column's kind and why, row counts, class counts, what was skipped and why, the fingerprint and the
 * cache folder.
 */
import type { Command } from "commander";
import { loadDataset, type Dataset } from "../../data/index.js";
import { addDataOptions, toLoadOptions, type DataCliOptions } from "../data-options.js";
import { writeOut } from "../output.js";
import { StatusLine } from "../progress.js";

export interface InspectOptions extends DataCliOptions {
  json?: boolean;
}

export { toLoadOptions };

export function register(program: Command): void {
  const cmd = program
    .command("inspect")
    .description("show how enough reads a data set: schema, kinds and why, rows kept/skipped, classes, fingerprint, cache");
  addDataOptions(cmd)
    .option("--json", "print one JSON object")
    .action(async (opts: InspectOptions) => {
      const line = new StatusLine(process.stderr, !opts.json && !!process.stderr.isTTY);
      const out = await runInspect(opts, (p) => line.draw(p));
      line.clear();
      writeOut(out.text);
    });
}

/** Runs the command and returns what it prints, so tests can call it in-process. */
export async function runInspect(opts: InspectOptions, onProgress?: (line: string) => void): Promise<{ text: string; json: Record<string, unknown> }> {
  const lo = toLoadOptions(opts);
  const t0 = Date.now();
  const ds = await loadDataset({
    ...lo,
    ...(onProgress ? { onProgress: (p) => onProgress(`${p.phase}${p.total ? ` ${p.done ?? 0}/${p.total}` : ""}…`) } : {}),
  });
  const json = summary(ds, (Date.now() - t0) / 1000);
  return { text: opts.json ? JSON.stringify(json, null, 2) + "\n" : render(ds, json), json };
}

function classCounts(ds: Dataset): { class: string; pool: number; test: number }[] | undefined {
  const classes = ds.schema.classes;
  if (!classes || ds.tensors.task !== "classification") return undefined;
  const y = ds.tensors.y as Int32Array;
  const out = classes.map((c) => ({ class: c, pool: 0, test: 0 }));
  for (const i of ds.split.pool) out[y[i]!]!.pool++;
  for (const i of ds.split.test) out[y[i]!]!.test++;
  return out;
}

function summary(ds: Dataset, seconds: number): Record<string, unknown> {
  const t = ds.tensors;
  const y = t.y;
  let target: Record<string, unknown> = {};
  if (t.task === "regression") {
    let lo = Infinity;
    let hi = -Infinity;
    let s = 0;
    for (const v of y) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      s += v;
    }
    target = { min: lo, max: hi, mean: y.length ? s / y.length : NaN };
  }
  return {
    source: ds.source,
    kind: ds.schema.kind,
    task: ds.schema.task,
    target: ds.schema.target,
    rows: { read: ds.report.rowsRead, kept: ds.report.rowsKept, skipped: ds.report.rowsSkipped },
    split: { pool: ds.split.pool.length, test: ds.split.test.length },
    columns: ds.schema.columns,
    groups: Object.fromEntries(Object.entries(ds.groups).map(([g, v]) => [g, v.labels.length])),
    classes: classCounts(ds),
    ...(t.task === "regression" ? { targetRange: target } : {}),
    tensors: {
      n: t.n,
      xKind: t.xKind,
      xShape: t.xShape,
      xType: t.x.constructor.name,
      ...(t.catCardinalities ? { catCardinalities: t.catCardinalities } : {}),
      ...(t.vocabSize ? { vocabSize: t.vocabSize } : {}),
      numClasses: t.numClasses,
    },
    skipped: ds.report.skipped,
    warnings: ds.report.warnings,
    fingerprint: ds.fingerprint,
    cacheDir: ds.cacheDir,
    fromCache: !!ds.fromCache,
    seconds,
  };
}

function table(rows: string[][]): string {
  const w = rows[0]!.map((_, j) => Math.max(...rows.map((r) => (r[j] ?? "").length)));
  return rows.map((r) => "  " + r.map((c, j) => (j === r.length - 1 ? c : c.padEnd(w[j]!))).join("  ")).join("\n") + "\n";
}

function render(ds: Dataset, s: Record<string, unknown>): string {
  const t = ds.tensors;
  const r = ds.report;
  let out = `Data: ${ds.source}  (${ds.schema.kind}, ${ds.schema.task}, target '${ds.schema.target}')\n`;
  out += `Rows: ${r.rowsRead} read, ${r.rowsKept} kept, ${r.rowsSkipped} skipped\n`;
  out += `Split: ${ds.split.pool.length} training pool, ${ds.split.test.length} test\n\n`;
  out += "Columns:\n";
  out += table([
    ["column", "kind", "role", "missing", "distinct", "why"],
    ...ds.schema.columns.map((c) => [c.name, c.kind, c.role, String(c.missing), String(c.distinct), c.reason ?? ""]),
  ]);
  const cc = s.classes as { class: string; pool: number; test: number }[] | undefined;
  if (cc) {
    const total = cc.reduce((a, c) => a + c.pool + c.test, 0);
    out += `\nClasses (${cc.length}):\n`;
    out += table([
      ["class", "rows", "share", "pool", "test"],
      ...cc.map((c) => [c.class, String(c.pool + c.test), `${((100 * (c.pool + c.test)) / Math.max(1, total)).toFixed(1)}%`, String(c.pool), String(c.test)]),
    ]);
  } else if (s.targetRange) {
    const tr = s.targetRange as { min: number; max: number; mean: number };
    out += `\nTarget: min ${tr.min}, mean ${tr.mean.toPrecision(4)}, max ${tr.max}\n`;
  }
  const gs = Object.entries(ds.groups);
  if (gs.length) out += `\nGroups: ${gs.map(([g, v]) => `${g} (${v.labels.length} values)`).join(", ")}\n`;
  out += `\nTensors: x ${t.xKind} [${t.xShape.join(", ")}] ${t.x.constructor.name}`;
  if (t.catCardinalities) out += `, cat ${t.catCardinalities.length} column(s) [${t.catCardinalities.join(", ")}]`;
  if (t.vocabSize) out += `, vocabulary ${t.vocabSize}`;
  out += `, y ${t.y.constructor.name}\n`;
  if (r.skipped.length) {
    out += "\nSkipped:\n";
    for (const k of r.skipped) out += `  ${k.count} × ${k.reason}${k.examples.length ? `: ${k.examples.join("; ")}${k.count > k.examples.length ? "; …" : ""}` : ""}\n`;
  }
  const warnings = r.warnings.filter((w) => !/ skipped: /.test(w));
  if (warnings.length) out += "\nWarnings:\n" + warnings.map((w) => `  - ${w}\n`).join("");
  out += `\nFingerprint: ${ds.fingerprint} (${ds.fromCache ? "read from cache" : "encoded now"}, ${(s.seconds as number).toFixed(1)} s)\n`;
  out += `Cache: ${ds.cacheDir}\n`;
  return out;
}
