/**
 * `enough inspect --data <source>`: loads (and caches) a data set and shows what enough made of it: the schema
 * with each column's kind and why, row counts, class counts, what was skipped and why, the fingerprint and the
 * cache folder.
 */
import type { Command } from "commander";
import { InputError } from "../../errors.js";
import { loadDataset, type Dataset, type LoadOptions } from "../../data/index.js";
import type { ColumnKind } from "../../data/types.js";

export interface InspectOptions {
  data: string;
  target?: string;
  group?: string[];
  groupSplit?: boolean;
  kind?: string[];
  ignore?: string[];
  textColumn?: string;
  testSource?: string;
  testColumn?: string;
  testFraction?: string;
  seed?: string;
  imageSize?: string;
  grayscale?: boolean;
  rgb?: boolean;
  cacheRoot?: string;
  refresh?: boolean;
  json?: boolean;
}

const KINDS: ColumnKind[] = ["numeric", "categorical", "text", "id", "constant"];

const collect = (v: string, prev: string[] = []) => prev.concat(v.split(",").map((s) => s.trim()).filter(Boolean));

export function register(program: Command): void {
  program
    .command("inspect")
    .description("show how enough reads a data set: schema, kinds and why, rows kept/skipped, classes, fingerprint, cache")
    .requiredOption("--data <source>", "CSV/TSV/JSONL/Parquet file, image folder (one sub-folder per class) or builtin:fashion-mnist")
    .option("--target <column>", "the column to predict (default: a column named target/label/class/y)")
    .option("--group <columns...>", "subgroup columns kept for analysis (not fed to the model)", collect)
    .option("--group-split", "keep each group's rows on one side of the test split (first --group column)")
    .option("--kind <column=kind>", `override a column's kind (${KINDS.join(", ")}); repeatable`, collect)
    .option("--ignore <columns...>", "columns not to use as features", collect)
    .option("--text-column <column>", "treat the data as text: this column is tokenised")
    .option("--test-source <file>", "a separate test file with the same columns")
    .option("--test-column <column>", "a column marking test rows (test/true/1/yes)")
    .option("--test-fraction <f>", "fraction of rows held out for testing", "0.2")
    .option("--seed <n>", "split seed", "0")
    .option("--image-size <n|HxW>", "resize images to this size (default: the most common size, capped at 64)")
    .option("--grayscale", "decode images as grayscale")
    .option("--rgb", "decode images as RGB")
    .option("--cache-root <dir>", "where encoded data sets are cached", ".enough/cache")
    .option("--refresh", "re-encode even if a cached copy exists")
    .option("--json", "print one JSON object")
    .action(async (opts: InspectOptions) => {
      const progress = !opts.json && process.stderr.isTTY;
      const out = await runInspect(opts, progress ? (p) => process.stderr.write(`\r\x1b[K${p}`) : undefined);
      if (progress) process.stderr.write("\r\x1b[K");
      process.stdout.write(out.text);
    });
}

export function toLoadOptions(opts: InspectOptions): LoadOptions {
  const kinds: Record<string, ColumnKind> = {};
  for (const k of opts.kind ?? []) {
    const m = /^(.+)=(\w+)$/.exec(k);
    if (!m || !KINDS.includes(m[2] as ColumnKind)) {
      throw new InputError("BAD_OPTION", `--kind ${k}: expected column=kind with kind one of ${KINDS.join(", ")}`, { hint: "e.g. --kind zip=categorical" });
    }
    kinds[m[1]!] = m[2] as ColumnKind;
  }
  const testFraction = Number(opts.testFraction ?? "0.2");
  if (!(testFraction > 0 && testFraction < 1)) throw new InputError("BAD_OPTION", `--test-fraction must be between 0 and 1, got "${opts.testFraction}"`);
  const seed = Number(opts.seed ?? "0");
  if (!Number.isInteger(seed)) throw new InputError("BAD_OPTION", `--seed must be an integer, got "${opts.seed}"`);
  let imageSize: LoadOptions["imageSize"];
  if (opts.imageSize) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(opts.imageSize);
    if (!m) throw new InputError("BAD_OPTION", `--image-size must be N or HxW, got "${opts.imageSize}"`);
    imageSize = m[2] ? [Number(m[1]), Number(m[2])] : Number(m[1]);
  }
  if (opts.grayscale && opts.rgb) throw new InputError("BAD_OPTION", "--grayscale and --rgb exclude each other");
  return {
    source: opts.data,
    ...(opts.target ? { target: opts.target } : {}),
    ...(opts.group?.length ? { groups: opts.group } : {}),
    ...(opts.groupSplit ? { groupSplit: true } : {}),
    ...(Object.keys(kinds).length ? { kinds } : {}),
    ...(opts.ignore?.length ? { ignore: opts.ignore } : {}),
    ...(opts.textColumn ? { textColumn: opts.textColumn } : {}),
    ...(opts.testSource ? { testSource: opts.testSource } : {}),
    ...(opts.testColumn ? { testColumn: opts.testColumn } : {}),
    ...(testFraction !== 0.2 ? { testFraction } : {}),
    ...(seed ? { seed } : {}),
    ...(imageSize !== undefined ? { imageSize } : {}),
    ...(opts.grayscale ? { grayscale: true } : opts.rgb ? { grayscale: false } : {}),
    ...(opts.cacheRoot ? { cacheRoot: opts.cacheRoot } : {}),
    ...(opts.refresh ? { refresh: true } : {}),
  };
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
