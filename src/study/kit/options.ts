/**
 * Parsing of the estimate options that are plain strings on the command line (target, budget, size lists),
 * kept in the library so that the API and the CLI accept the same spellings.
 */
import { metricInfo } from "../../curves/metric.js";
import { InputError } from "../../errors.js";

export interface Target {
  metric: string;
  value: number;
}

/** "accuracy=0.90", "r2=0.8", "loss=0.3", or a bare number (the task's default metric). */
export function parseTarget(arg: string, defaultMetric: string): Target {
  const t = readTarget(arg);
  return { metric: t.metric ?? defaultMetric, value: t.value };
}

/** The target as written: its metric (null when only a number is given) and its value. */
export function readTarget(arg: string): { metric: string | null; value: number } {
  const m = /^\s*(?:([A-Za-z_][\w-]*)\s*[=:]\s*)?([-+]?\d*\.?\d+(?:e[-+]?\d+)?)(%?)\s*$/i.exec(arg);
  if (!m) {
    throw new InputError("BAD_TARGET", `cannot read the target "${arg}"`, { hint: 'write it as metric=value, e.g. --target accuracy=0.90' });
  }
  let value = Number(m[2]);
  if (m[3]) value /= 100;
  return { metric: m[1] === undefined ? null : m[1].toLowerCase().replace(/-/g, "_"), value };
}

/**
 * A target outside its metric's range (accuracy=1.5, accuracy=-0.1) can never be met: refused at once, as `enough
 * fit` does. A bare number (metric null: the task's default metric, unknown before the data loads) is checked
 * against what every default metric allows (at most 1) before the load, and against the task's own metric after it.
 */
export function checkTargetRange(metric: string | null, value: number): void {
  const m = metric === null ? { name: "score", lower: undefined, upper: 1 } : metricInfo(metric);
  if (Number.isFinite(value) && (m.lower === undefined || value >= m.lower) && (m.upper === undefined || value <= m.upper)) return;
  const range = `[${m.lower ?? "-inf"}, ${m.upper ?? "inf"}]`;
  throw new InputError("BAD_TARGET", `the target ${metric === null ? "" : `${m.name}=`}${value} is outside the ${m.name} range ${range}`, {
    hint: `give a value within ${range}, e.g. --target ${metric ?? "accuracy"}=${m.upper === 1 ? "0.9" : "<value>"}`,
  });
}

/** "15m", "90s", "1h30m", "2h", "600" (seconds) -> seconds. */
export function parseBudget(arg: string | number): number {
  if (typeof arg === "number") {
    if (arg > 0 && Number.isFinite(arg)) return arg;
  } else {
    const s = arg.trim().toLowerCase();
    // A bare number is seconds; zero is no budget at all, which would stop before the first Run.
    if (/^\d+(\.\d+)?$/.test(s) && Number(s) > 0) return Number(s);
    const re = /(\d+(?:\.\d+)?)\s*(h|m|min|s|sec)/g;
    let total = 0;
    let consumed = "";
    for (const m of s.matchAll(re)) {
      const v = Number(m[1]);
      total += m[2] === "h" ? v * 3600 : m[2]!.startsWith("m") ? v * 60 : v;
      consumed += m[0];
    }
    if (total > 0 && consumed.replace(/\s/g, "") === s.replace(/\s/g, "")) return total;
  }
  throw new InputError("BAD_BUDGET", `cannot read the budget "${arg}"`, { hint: "write a wall time such as 15m, 90s or 1h30m" });
}

/** "1000,2k,10000" -> [1000, 2000, 10000] (k/m suffixes allowed). */
export function parseCountList(arg: string, what: string): number[] {
  const out: number[] = [];
  for (const part of arg.split(/[,\s]+/).filter(Boolean)) {
    const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(part.replace(/_/g, ""));
    const v = m ? Math.round(Number(m[1]) * (m[2]?.toLowerCase() === "k" ? 1e3 : m[2]?.toLowerCase() === "m" ? 1e6 : 1)) : NaN;
    if (!Number.isInteger(v) || v <= 0) {
      throw new InputError("BAD_LIST", `cannot read "${part}" in ${what} "${arg}"`, { hint: `give positive whole numbers separated by commas, e.g. 1000,5000,20k` });
    }
    out.push(v);
  }
  if (!out.length) throw new InputError("BAD_LIST", `${what} is empty`, { hint: "give at least one number" });
  return out;
}
