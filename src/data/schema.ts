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

/** Rows read to decide which columns are number-like and how wordy text is (the full pass then skips casts). */
const SAMPLE_ROWS = 100_000;

export async function columnStats(duck: Duck, table: string, columns: string[]): Promise<ColumnStats[]> {
  if (columns.length === 0) return [];
  const q = columns.map(ident);
  // 1. A sample: which columns parse as numbers at all, and words per value.
  const sample = (
    await rows(
      duck,
      `SELECT ${q.map((c, j) => `count(${c}) AS p${j}, count(en_num(${c})) AS nu${j}, avg(length(en_cat(${c})) - length(replace(en_cat(${c}), ' ', '')) + 1) AS w${j}`).join(", ")}
       FROM (SELECT * FROM ${table} LIMIT ${SAMPLE_ROWS})`,
    )
  )[0]!;
  const numberLike = columns.map((_, j) => num(sample[`nu${j}`]) >= 0.5 * num(sample[`p${j}`]));
  // 2. The full pass. Each value is cast once in the inner projection and only for number-like columns (the cast
  // is most of the cost: ~50 ns a value).
  const inner = columns.map((c, j) => `en_cat(${q[j]}) AS s${j}` + (numberLike[j] ? `, en_num(${q[j]}) AS d${j}` : "")).join(", ");
  const aggs = columns
    .map((_, j) =>
      [
        `count(s${j}) AS p${j}`,
        `approx_count_distinct(s${j}) AS ad${j}`,
        `avg(length(s${j})) AS l${j}`,
        ...(numberLike[j] ? [`count(d${j}) AS nu${j}`, `count(*) FILTER (d${j} = round(d${j})) AS i${j}`, `min(d${j}) AS lo${j}`, `max(d${j}) AS hi${j}`] : []),
      ].join(", "),
    )
    .join(", ");
  const r = (await rows(duck, `SELECT count(*) AS n, ${aggs} FROM (SELECT ${inner} FROM ${table})`))[0]!;
  const stats: ColumnStats[] = columns.map((name, j) => {
    const present = num(r[`p${j}`]);
    // Not number-like in the sample: scale the sample's (small) share, so a mostly-text column stays text.
    const sampleShare = num(sample[`p${j}`]) ? num(sample[`nu${j}`]) / num(sample[`p${j}`]) : 0;
    return {
      name,
      n: num(r.n),
      missing: num(r.n) - present,
      numeric: numberLike[j] ? num(r[`nu${j}`]) : Math.round(sampleShare * present),
      integer: numberLike[j] ? num(r[`i${j}`]) : 0,
      distinct: num(r[`ad${j}`]),
      avgLength: num(r[`l${j}`]) || 0,
      avgWords: num(sample[`w${j}`]) || 0,
      min: numberLike[j] ? num(r[`lo${j}`]) : NaN,
      max: numberLike[j] ? num(r[`hi${j}`]) : NaN,
    };
  });
  // 3. approx_count_distinct is HyperLogLog (~2% off): count exactly where the number is shown small, or decides
  // "unique" on a table small enough for an exact count to be cheap (on 1M rows, an exact distinct count of a
  // string id column costs seconds).
  const total = stats[0]!.n;
  const exact = stats.filter((s) => s.distinct <= 1000 || (total <= 200_000 && s.distinct >= 0.8 * (s.n - s.missing)));
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
