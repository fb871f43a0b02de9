/**
 * Tabular and text sources (CSV/TSV, JSONL, JSON, Parquet): read into DuckDB, infer the schema, pull the used
 * columns into typed arrays, split, fit the encoders on the pool and encode every row.
 */
import type { Task, Tensors } from "../engine/types.js";
import { DataError, InputError } from "../errors.js";
import { openDuck, ident, lit, rows, num, readColumns, type ColumnArray, type ColumnSpec, type Duck } from "./duck.js";
import type { LoadOptions } from "./options.js";
import { SkipLog, skipWarning } from "./report.js";
import { columnStats, inferKind, inferTask, type ColumnStats } from "./schema.js";
import { readTable, type TableSource } from "./sources/table.js";
import { groupSplit, quantileBins, stratifiedSplit } from "./split.js";
import { unknownColumnHint } from "./suggest.js";
import { personalDataColumns } from "./pii-columns.js";
import { checkLoss } from "./loss.js";
import { classFilterWarning, filterClasses, takeRows, type ClassFilter } from "./classes.js";
import type { ColumnInfo, ColumnKind, Dataset, DataKind, Schema } from "./types.js";
import { fitTabular, applyTabular, type RawColumn } from "./encoders/tabular.js";
import { fitText, applyText } from "./encoders/text.js";
import type { EncoderState, TargetEncoder } from "./encoders/types.js";

export type Built = Omit<Dataset, "fingerprint" | "cacheDir" | "fromCache"> & {
  encoders: EncoderState;
  /** Columns left out of the features because they hold personal data (tabular sources only). */
  piiExcluded?: string[];
};

const TARGET_NAMES = ["target", "label", "labels", "class", "y", "category", "outcome"];
const TEST_VALUES = ["test", "true", "1", "yes", "holdout", "t"];
/** Above this many classes an inferred classification target is more likely a mistake than a task. */
const MAX_CLASSES = 10_000;

export async function loadTabular(opts: LoadOptions): Promise<Built> {
  const progress = opts.onProgress ?? (() => {});
  const duck = await openDuck();
  try {
    progress({ phase: "read" });
    const parts: TableSource[] = [await readTable(duck, opts.source, "s0")];
    if (opts.testSource) parts.push(await readTable(duck, opts.testSource, "s1"));
    // before any schema work: a file that lost a real share of its lines is not read on as if it were whole
    for (const p of parts) checkLoss(p, !!opts.allowBadRows);
    const columns = parts[0]!.columns;
    return await build(duck, opts, parts, columns, progress);
  } finally {
    duck.close();
  }
}

async function build(duck: Duck, opts: LoadOptions, parts: TableSource[], columns: string[], progress: NonNullable<LoadOptions["onProgress"]>): Promise<Built> {
  const file = parts[0]!.file;
  const where = (part: number, idx: number) => `${parts.length > 1 ? parts[part]!.file + " " : ""}line ${parts[part]!.lineOf(idx)}`;
  const checkColumn = (name: string, what: string, code: string) => {
    if (!columns.includes(name)) {
      throw new InputError(code, `${file}: ${what} column '${name}' not found`, { hint: unknownColumnHint(name, columns), details: { file, field: name } });
    }
  };

  // --- the target and the other named columns
  let target = opts.target;
  if (!target) {
    target = columns.find((c) => TARGET_NAMES.includes(c.toLowerCase()));
    if (!target) {
      throw new InputError("NO_TARGET", `${file}: no target column given and none is named ${TARGET_NAMES.slice(0, 4).join("/")}`, {
        hint: `pass --target <column>; columns are: ${columns.slice(0, 20).join(", ")}`,
        details: { file },
      });
    }
  }
  checkColumn(target, "target", "MISSING_TARGET");
  const groups = opts.groups ?? [];
  for (const g of groups) checkColumn(g, "group", "MISSING_GROUP");
  if (opts.testColumn) checkColumn(opts.testColumn, "test", "MISSING_TEST_COLUMN");
  if (opts.textColumn) checkColumn(opts.textColumn, "text", "MISSING_TEXT_COLUMN");
  for (const k of Object.keys(opts.kinds ?? {})) checkColumn(k, "--kind", "MISSING_KIND_COLUMN");
  for (const k of opts.ignore ?? []) checkColumn(k, "ignored", "MISSING_IGNORE_COLUMN");
  if (opts.groupSplit && groups.length === 0) {
    throw new InputError("GROUP_SPLIT_NO_GROUP", "--group-split needs a --group column", { hint: "name the column whose rows must stay together, e.g. --group patient_id" });
  }
  if (parts.length > 1) {
    const missing = columns.filter((c) => !parts[1]!.columns.includes(c));
    if (missing.length) {
      throw new DataError("TEST_COLUMNS", `${parts[1]!.file}: test file lacks column(s) ${missing.map((c) => `'${c}'`).join(", ")} of ${file}`, {
        hint: "the test file must have the same columns as the training file",
        details: { file: parts[1]!.file, field: missing[0] },
      });
    }
  }
  const cols = columns.map(ident).join(", ");
  await duck.conn.run(
    parts.length > 1
      ? `CREATE VIEW src AS SELECT 0 AS __part, __idx, ${cols} FROM s0 UNION ALL SELECT 1 AS __part, __idx, ${cols} FROM s1`
      : `CREATE VIEW src AS SELECT 0 AS __part, * FROM s0`,
  );

  // --- schema
  progress({ phase: "schema" });
  const stats = await columnStats(duck, "src", columns);
  const byName = new Map(stats.map((s) => [s.name, s]));
  const tStats = byName.get(target)!;
  const forced = opts.task ?? opts.kinds?.[target];
  const { task, reason: taskReason } = inferTask(tStats, forced);
  const infos: ColumnInfo[] = [];
  const kindOf = new Map<string, ColumnKind>();
  for (const s of stats) {
    const inf = inferKind(s);
    const over = opts.kinds?.[s.name];
    const kind: ColumnKind = over ?? inf.kind;
    kindOf.set(s.name, kind);
    infos.push({ name: s.name, kind, reason: over ? `user override (inferred ${inf.kind}: ${inf.reason})` : inf.reason, missing: s.missing, distinct: s.distinct, role: "feature" });
  }
  let dataKind: DataKind = "tabular";
  let textColumn = opts.textColumn;
  const isNamedElsewhere = (c: ColumnInfo) => c.name === target || groups.includes(c.name) || c.name === opts.testColumn || (opts.ignore ?? []).includes(c.name);
  // Personal data is not a feature unless the user keeps it; a --text-column the user named is kept as asked.
  const personal = opts.keepPiiFeatures
    ? new Map<string, string>()
    : await personalDataColumns(duck, "src", infos.filter((c) => !isNamedElsewhere(c) && c.name !== opts.textColumn && c.kind !== "constant"));
  const isFeatureCandidate = (c: ColumnInfo) => !isNamedElsewhere(c) && !personal.has(c.name);
  if (!textColumn) {
    const cands = infos.filter(isFeatureCandidate);
    const texts = cands.filter((c) => c.kind === "text");
    if (texts.length === 1 && !cands.some((c) => c.kind === "numeric" || c.kind === "categorical")) textColumn = texts[0]!.name;
  }
  if (textColumn) dataKind = "text";
  for (const c of infos) {
    if (c.name === target) {
      c.role = "target";
      c.kind = task === "regression" ? "numeric" : "categorical";
      c.reason = `${task}: ${taskReason}`;
    } else if (groups.includes(c.name)) c.role = "group";
    else if (c.name === opts.testColumn) {
      c.role = "ignored";
      c.reason = `marks test rows; ${c.reason}`;
    } else if ((opts.ignore ?? []).includes(c.name)) {
      c.role = "ignored";
      c.reason = `user: ignored; ${c.reason}`;
    } else if (personal.has(c.name)) {
      c.role = "ignored";
      c.reason = `${personal.get(c.name)}: not a feature (--keep-pii-features uses it); ${c.reason}`;
    } else if (dataKind === "text") {
      if (c.name === textColumn) c.kind = "text";
      else {
        c.role = "ignored";
        c.reason = `${c.reason}; a text dataset uses only its text column`;
      }
    } else if (c.kind !== "numeric" && c.kind !== "categorical") {
      c.role = "ignored";
      if (c.kind === "text") c.reason = `${c.reason}; not encoded in a tabular dataset (use --text-column for a text model)`;
    }
  }
  const features = infos.filter((c) => c.role === "feature");
  const piiWarning = personal.size
    ? [`${[...personal.keys()].map((c) => `'${c}'`).join(", ")} hold${personal.size > 1 ? "" : "s"} personal data and ${personal.size > 1 ? "are" : "is"} not used as a feature (pass --keep-pii-features to use ${personal.size > 1 ? "them" : "it"})`]
    : [];

  // --- skipped rows: missing target, non-numeric regression target, empty text
  const skipped = new SkipLog();
  for (const p of parts) skipped.merge(p.skipped);
  const tq = ident(target);
  const conds: { reason: string; sql: string }[] = [{ reason: `missing target '${target}'`, sql: `en_missing(${tq})` }];
  if (task === "regression") conds.push({ reason: `target '${target}' is not a number`, sql: `NOT en_missing(${tq}) AND en_num(${tq}) IS NULL` });
  if (textColumn) conds.push({ reason: `empty text in '${textColumn}'`, sql: `NOT en_missing(${tq}) AND en_missing(${ident(textColumn)})` });
  for (const c of conds) {
    const r = (await rows(duck, `SELECT count(*) AS n, list([__part, __idx] ORDER BY __part, __idx)[1:5] AS ex FROM src WHERE ${c.sql}`))[0]!;
    const n = num(r.n);
    if (n === 0) continue;
    const ex = (r.ex as unknown[][]).map((e) => where(num(e[0]), num(e[1])));
    ex.forEach((e, i) => skipped.add(c.reason, e, i === 0 ? n - ex.length + 1 : 1));
  }
  const keep = conds.map((c) => `NOT (${c.sql})`).join(" AND ");

  // --- categorical dictionaries as DuckDB ENUMs: codes come back as small integers, not millions of strings
  let classes: string[] | undefined;
  if (task === "classification") {
    const vals = (await rows(duck, `SELECT DISTINCT en_cat(${tq}) AS v FROM src WHERE ${keep}`)).map((r) => String(r.v));
    classes = sortLabels(vals);
    if (classes.length > MAX_CLASSES) {
      throw new DataError("TOO_MANY_CLASSES", `${file}: target '${target}' has ${classes.length} distinct values: too many classes`, {
        hint: `if it is a number to predict, force regression: --kind ${target}=numeric`,
        details: { file, field: target },
      });
    }
    await duck.conn.run(`CREATE TYPE en_target AS ENUM (${classes.map(lit).join(", ")})`);
  }
  progress({ phase: "dictionaries" });
  const catCols = [...new Set((dataKind === "tabular" ? features.filter((c) => c.kind === "categorical").map((c) => c.name) : []).concat(groups))];
  const enumName = new Map<string, string>();
  const dicts = new Map<string, string[]>();
  if (catCols.length) {
    // One scan for every dictionary; sorted so the same data gives the same ENUM on every run.
    const lists = (await rows(duck, `SELECT ${catCols.map((c, j) => `list(DISTINCT en_cat(${ident(c)}) ORDER BY en_cat(${ident(c)})) FILTER (en_cat(${ident(c)}) IS NOT NULL) AS l${j}`).join(", ")} FROM src`))[0]!;
    for (const [j, c] of catCols.entries()) {
      const dict = ((lists[`l${j}`] as unknown[] | null) ?? []).map(String);
      const name = `en_e${j}`;
      // An empty ENUM is not allowed: a column with no values gets a placeholder nobody can match.
      await duck.conn.run(`CREATE TYPE ${name} AS ENUM (${(dict.length ? dict : ["\u0001(none)"]).map(lit).join(", ")})`);
      enumName.set(c, name);
      dicts.set(c, dict.length ? dict : ["\u0001(none)"]);
    }
  }

  // --- pull the used columns
  progress({ phase: "extract" });
  const exprs: { sql: string; spec: ColumnSpec }[] = [
    { sql: "__part", spec: "i32" },
    { sql: "__idx", spec: "i32" },
    task === "classification" ? { sql: `enum_code(en_cat(${tq})::en_target)`, spec: "i32" } : { sql: `en_num(${tq})`, spec: "f64" },
  ];
  const featureCols = dataKind === "tabular" ? features : [];
  for (const c of featureCols) {
    exprs.push(c.kind === "numeric" ? { sql: `en_num(${ident(c.name)})`, spec: "f64" } : { sql: `enum_code(en_cat(${ident(c.name)})::${enumName.get(c.name)})`, spec: "i32" });
  }
  for (const g of groups) exprs.push({ sql: `enum_code(en_cat(${ident(g)})::${enumName.get(g)})`, spec: "i32" });
  if (opts.testColumn) exprs.push({ sql: `CASE WHEN lower(trim(en_str(${ident(opts.testColumn)}))) IN (${TEST_VALUES.map(lit).join(", ")}) THEN 1 ELSE 0 END`, spec: "i32" });
  if (textColumn) exprs.push({ sql: `en_str(${ident(textColumn)})`, spec: "str" });
  const expected = parts.reduce((a, p) => a + p.rows, 0);
  const got = await readColumns(duck, exprs, `src WHERE ${keep}`, expected);
  let n = got.n;
  let data = inOrder(got.columns, n);
  // --- the class filter: before the split and the encoders, so both see only the kept classes' rows
  let filter: ClassFilter | null = null;
  if (opts.classes !== undefined) {
    if (task !== "classification") {
      throw new InputError("CLASSES_NEED_CLASSIFICATION", `${file}: --classes filters a classification target, but '${target}' is read as ${task}`, { hint: `force classification with --kind ${target}=categorical, or drop --classes` });
    }
    filter = filterClasses(data[2] as Int32Array, classes!, opts.classes);
    const keptRows = filter.rows;
    data = data.map((c, j) => (j === 2 ? filter!.y : takeRows(c, keptRows)));
    n = keptRows.length;
  }
  const part = data[0] as Int32Array;
  const idx = data[1] as Int32Array;
  const yRaw = data[2]!;
  let k = 3;
  const featureData = featureCols.map(() => finite(data[k++]!));
  const groupData = groups.map(() => data[k++] as Int32Array);
  const testFlag = opts.testColumn ? (data[k++] as Int32Array) : null;
  const texts = textColumn ? (data[k++] as (string | null)[]) : null;

  const rowsRead = parts.reduce((a, p) => a + p.rowsRead, 0);
  const bad = parts.reduce((a, p) => a + p.skipped.total, 0);
  const dropped = filter?.dropped ?? 0;
  if (n === 0 || bad > 0.5 * rowsRead) {
    const utf8 = skipped.list().some((s) => s.reason.includes("UTF-8") && s.count > 0.5 * bad);
    const why = skipped.list().map((s) => skipWarning(s)).join("; ");
    throw new DataError(n === 0 ? "NO_ROWS" : "TOO_MANY_BAD_ROWS", `${file}: ${n === 0 ? "no usable rows" : `${bad} of ${rowsRead} rows could not be read`} (${why || "the file has a header but no data rows"})`, {
      hint: utf8 ? "the file is probably not UTF-8: convert it, e.g. iconv -f latin1 -t utf-8 in.csv > out.csv" : n === 0 && !why ? "add data rows" : "check the delimiter, quoting and target column of the file",
      details: { file },
    });
  }

  // --- labels
  const warnings: string[] = [...parts.flatMap((p) => p.warnings), ...piiWarning];
  if (filter) {
    warnings.push(classFilterWarning(opts.classes!, filter, classes!.length));
    classes = filter.classes;
  }
  let y: Int32Array | Float32Array;
  let numClasses = 0;
  if (task === "classification") {
    y = yRaw as Int32Array;
    const counts = new Array<number>(classes!.length).fill(0);
    const firstRow = new Array<number>(classes!.length).fill(-1);
    for (let i = 0; i < n; i++) {
      const c = y[i]!;
      counts[c]!++;
      if (firstRow[c] === -1) firstRow[c] = i;
    }
    const present = classes!.filter((_, c) => counts[c]! > 0);
    if (present.length < 2) {
      throw new DataError("ONE_CLASS", `${file}: target '${target}' has a single class ('${present[0]}') in ${n} rows: there is nothing to learn`, {
        hint: "check --target; a classifier needs at least two classes (for a number to predict use --kind <target>=numeric)",
        details: { file, field: target },
      });
    }
    numClasses = classes!.length;
    const singles = classes!.map((name, c) => ({ name, c })).filter((e) => counts[e.c] === 1);
    if (singles.length) {
      const shown = singles.slice(0, 5).map((e) => `'${e.name}' (${where(part[firstRow[e.c]!]!, idx[firstRow[e.c]!]!)})`).join(", ");
      warnings.push(
        `${singles.length} class${singles.length > 1 ? "es have" : " has"} a single example: ${shown}${singles.length > 5 ? ", …" : ""}; ` +
          `such a class cannot be both learned and tested (kept in the training pool)`,
      );
    }
  } else {
    y = Float32Array.from(yRaw as Float64Array);
  }

  if (dataKind === "tabular" && features.length === 0) {
    throw new DataError("NO_FEATURES", `${file}: no usable feature columns (every column is the target, a group, an id, constant or free text)`, {
      hint: personal.size
        ? `the columns holding personal data (${[...personal.keys()].join(", ")}) were left out: pass --keep-pii-features to use them`
        : "override a column's kind with --kind name=numeric|categorical, or use --text-column for text",
      details: { file },
    });
  }

  // --- split
  progress({ phase: "split" });
  const seed = opts.seed ?? 0;
  const testFraction = opts.testFraction ?? 0.2;
  let test: Int32Array;
  let pool: Int32Array;
  if (parts.length > 1 || testFlag) {
    const t: number[] = [];
    const p: number[] = [];
    for (let i = 0; i < n; i++) ((parts.length > 1 ? part[i] === 1 : testFlag![i] === 1) ? t : p).push(i);
    test = Int32Array.from(t);
    pool = Int32Array.from(p);
    if (test.length === 0) warnings.push(`the test ${parts.length > 1 ? "file" : `column '${opts.testColumn}'`} selects no rows`);
  } else if (opts.groupSplit) {
    const s = groupSplit({ groups: groupData[0]!, testFraction, seed, groupName: groups[0] });
    ({ test, pool } = s);
    warnings.push(...s.warnings);
  } else {
    const strata = task === "classification" ? (y as Int32Array) : quantileBins(y as Float32Array);
    ({ test, pool } = stratifiedSplit({ strata, testFraction, seed, n }));
  }
  if (pool.length === 0) {
    throw new DataError("EMPTY_POOL", `${file}: no rows left for training after the test split`, { hint: "use a smaller --test-fraction or more data", details: { file } });
  }

  // --- encode (fitted on the pool only)
  progress({ phase: "encode" });
  const targetEnc: TargetEncoder = { column: target, task, ...(classes ? { classes } : {}) };
  let encoders: EncoderState;
  let tensors: Tensors;
  const base = { task: task as Task, numClasses, n, y };
  if (dataKind === "text") {
    const enc = fitText(textColumn!, texts!, pool);
    encoders = { kind: "text", text: enc, target: targetEnc };
    tensors = { ...base, x: applyText(enc, texts!), xShape: [enc.seqLen], xKind: "tokens", vocabSize: enc.vocab.length + 2 };
  } else {
    const raw: RawColumn[] = featureCols.map((c, j) =>
      c.kind === "numeric"
        ? { kind: "numeric", name: c.name, values: featureData[j] as Float64Array }
        : { kind: "categorical", name: c.name, codes: featureData[j] as Int32Array, dict: dicts.get(c.name)! },
    );
    const enc = fitTabular(raw, pool, targetEnc);
    const { x, width, cat } = applyTabular(enc, raw, n);
    encoders = enc;
    tensors = { ...base, x, xShape: [width], xKind: "dense", ...(cat ? { cat, catCardinalities: enc.catCardinalities.slice() } : {}) };
    for (const f of enc.features) {
      const info = infos.find((c) => c.name === f.column)!;
      if (f.kind === "onehot") info.reason += `; one-hot (${f.categories.length} categories)`;
      if (f.kind === "embedding") info.reason += `; embedding ids (${f.categories.length} categories + missing/rare)`;
    }
  }

  const groupOut: Dataset["groups"] = {};
  groups.forEach((g, j) => {
    const labels = dicts.get(g)!.slice();
    const codes = groupData[j]!;
    if (codes.some((c) => c < 0)) {
      const m = labels.length;
      labels.push("(missing)");
      for (let i = 0; i < n; i++) if (codes[i]! < 0) codes[i] = m;
    }
    groupOut[g] = { labels, codes };
  });

  const skippedList = skipped.list();
  for (const s of skippedList) warnings.push(skipWarning(s));
  const schema: Schema = { kind: dataKind, task, target, columns: infos, groups, ...(classes ? { classes } : {}) };
  return {
    source: opts.source,
    schema,
    tensors,
    split: { test, pool },
    groups: groupOut,
    encoders,
    // Rows of other classes are neither kept nor skipped (unreadable): they are counted in classFilter.
    report: { file: parts.map((p) => p.file).join(" + "), rowsRead, rowsKept: n, rowsSkipped: rowsRead - n - dropped, skipped: skippedList, warnings, ...(filter ? { classFilter: { classes: filter.classes, rowsDropped: dropped } } : {}) },
    piiExcluded: [...personal.keys()],
  };
}

/** Infinity/NaN from typed sources (Parquet doubles) count as missing, like unparseable text. */
function finite(c: ColumnArray): ColumnArray {
  if (c instanceof Float64Array) for (let i = 0; i < c.length; i++) if (!Number.isFinite(c[i]!)) c[i] = NaN;
  return c;
}

/** Integer labels sort as numbers, others as strings (deterministic, locale-free). */
export function sortLabels(vals: string[]): string[] {
  const allInt = vals.every((v) => /^[+-]?\d+$/.test(v));
  return vals.slice().sort(allInt ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** DuckDB streams in insertion order here, but check: the split must not depend on thread timing. */
function inOrder(cols: ColumnArray[], n: number): ColumnArray[] {
  const part = cols[0] as Int32Array;
  const idx = cols[1] as Int32Array;
  let sorted = true;
  for (let i = 1; i < n && sorted; i++) if (part[i]! < part[i - 1]! || (part[i] === part[i - 1] && idx[i]! < idx[i - 1]!)) sorted = false;
  if (sorted) return cols;
  const perm = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => part[a]! - part[b]! || idx[a]! - idx[b]!);
  return cols.map((c) => {
    if (Array.isArray(c)) return Array.from(perm, (p) => c[p]!);
    const out = new (c.constructor as Int32ArrayConstructor | Float64ArrayConstructor)(n);
    for (let i = 0; i < n; i++) out[i] = c[perm[i]!]!;
    return out;
  });
}

export type { ColumnStats };
