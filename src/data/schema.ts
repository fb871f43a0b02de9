/**
 * Schema inference: each column's kind from statistics over the whole file (kinds describe the data's format,
 * so using every row is not leakage; encoders are still fitted on the pool only). Every decision carries a
 * human-readable reason that `enough inspect` shows, and the user can override any of them.
 */
import type { Task } from "../engine/types.js";
import type { ColumnKind } from "./types.js";
import type { Duck } from "./duck.js";
import { ident, rows, num } from "./duck.js";

export interface ColumnStats {
  name: string;
  n: number;
  missing: number;
  /** Non-missing values that parse as finite numbers. */
  numeric: number;
  /** …of which are integers. */
  integer: number;
  /** Distinct non-missing values (exact when small or when it matters, else approximate). */
  distinct: number;
  distinctExact?: boolean;
  avgLength: number;
  avgWords: number;
  min: number;
  max: number;
}

export async function columnStats(duck: Duck, table: string, columns: string[]): Promise<ColumnStats[]> {
  if (columns.length === 0) return [];
  // Each value is cast once in the inner projection; the aggregates reuse it (macros are not shared otherwise).
  const inner = columns.map((c, j) => `en_cat(${ident(c)}) AS s${j}, en_num(${ident(c)}) AS d${j}`).join(", ");
  const aggs = columns
    .map((_, j) =>
      [
        `count(s${j}) AS p${j}`,
        `count(d${j}) AS nu${j}`,
        `count(*) FILTER (d${j} = round(d${j})) AS i${j}`,
        `approx_count_distinct(s${j}) AS d${j}`,
        `avg(length(s${j})) AS l${j}`,
        `min(d${j}) AS lo${j}`,
        `max(d${j}) AS hi${j}`,
      ].join(", "),
    )
    .join(", ");
  const r = (await rows(duck, `SELECT count(*) AS n, ${aggs} FROM (SELECT ${inner} FROM ${table})`))[0]!;
  const stats: ColumnStats[] = columns.map((name, j) => ({
    name,
    n: num(r.n),
    missing: num(r.n) - num(r[`p${j}`]),
    numeric: num(r[`nu${j}`]),
    integer: num(r[`i${j}`]),
    distinct: num(r[`d${j}`]),
    avgLength: num(r[`l${j}`]) || 0,
    avgWords: 0,
    min: num(r[`lo${j}`]),
    max: num(r[`hi${j}`]),
  }));
  // Words per value only matter for text-like columns, and the first 100k rows tell. approx_count_distinct is
  // HyperLogLog (~2% off): count exactly where it is shown as a small number, or decides "unique" on a table
  // small enough for an exact count to be cheap (on 1M rows, exact distinct of a string id column costs seconds).
  const total = stats[0]?.n ?? 0;
  const wordy = stats.filter((s) => s.numeric < 0.95 * (s.n - s.missing));
  const exact = stats.filter((s) => s.distinct <= 1000 || (total <= 200_000 && s.distinct >= 0.8 * (s.n - s.missing)));
  if (wordy.length) {
    const w = (await rows(duck, `SELECT ${wordy.map((s, j) => `avg(length(${ident(s.name)}) - length(replace(${ident(s.name)}, ' ', '')) + 1) AS w${j}`).join(", ")} FROM (SELECT * FROM ${table} LIMIT 100000)`))[0]!;
    wordy.forEach((s, j) => (s.avgWords = num(w[`w${j}`]) || 0));
  }
  if (exact.length) {
    const e = (await rows(duck, `SELECT ${exact.map((s, j) => `count(DISTINCT en_cat(${ident(s.name)})) AS e${j}`).join(", ")} FROM ${table}`))[0]!;
    exact.forEach((s, j) => {
      s.distinct = num(e[`e${j}`]);
      s.distinctExact = true;
    });
  }
  return stats;
}

const TEXT_NAME = /^(text|sentence|review|content|body|comment|message|document|tweet|abstract|description)s?$/i;
const ID_NAME = /(^|[_\s.-])(id|uuid|guid|key|index)$|^(id|uuid|guid|index|key)([_\s.-]|$)|[a-z]Id$/;

/** Every value distinct (exactly, or within HyperLogLog's error on large tables). */
function isUnique(s: ColumnStats): boolean {
  const present = s.n - s.missing;
  return present >= 20 && (s.distinctExact ? s.distinct === present : s.distinct >= 0.97 * present);
}

export function inferKind(s: ColumnStats): { kind: Exclude<ColumnKind, "image">; reason: string } {
  const present = s.n - s.missing;
  if (present === 0) return { kind: "constant", reason: "every value is missing" };
  if (s.distinct <= 1) return { kind: "constant", reason: "a single distinct value" };
  const numRatio = s.numeric / present;
  if (numRatio >= 0.95) {
    const allInt = s.integer === s.numeric;
    const unique = isUnique(s);
    if (allInt && unique && (ID_NAME.test(s.name) || s.max - s.min + 1 === present)) {
      return { kind: "id", reason: ID_NAME.test(s.name) ? "unique integers, named like an id" : "unique consecutive integers (a row number)" };
    }
    const pct = Math.floor(numRatio * 1000) / 10;
    return { kind: "numeric", reason: pct >= 100 ? "all values are numbers" : `${pct}% of values are numbers (the rest read as missing)` };
  }
  if (TEXT_NAME.test(s.name) && s.distinct > 1) return { kind: "text", reason: `free text (named '${s.name}')` };
  if (s.avgWords >= 5) return { kind: "text", reason: `free text (${s.avgWords.toFixed(1)} words on average)` };
  if (isUnique(s)) return { kind: "id", reason: s.distinctExact ? "every value is unique" : "(almost) every value is unique" };
  if (present >= 50 && s.distinct >= 0.9 * present) return { kind: "id", reason: `${Math.round((100 * s.distinct) / present)}% of values are unique` };
  const why = numRatio > 0.5 ? ` (only ${Math.round(numRatio * 100)}% parse as numbers)` : "";
  return { kind: "categorical", reason: `${s.distinct} distinct values${why}` };
}

/** Classification or regression for the target column. */
export function inferTask(s: ColumnStats, forced?: Task | ColumnKind): { task: Task; reason: string } {
  if (forced === "regression" || forced === "numeric") return { task: "regression", reason: "user override" };
  if (forced === "classification" || forced === "categorical") return { task: "classification", reason: "user override" };
  const present = s.n - s.missing;
  if (present === 0 || s.numeric / present < 0.95) return { task: "classification", reason: "labels are text" };
  if (s.integer === s.numeric && s.distinct <= 20) return { task: "classification", reason: `${s.distinct} integer labels` };
  return { task: "regression", reason: s.integer === s.numeric ? `${s.distinct} distinct integers` : "non-integer numbers" };
}
