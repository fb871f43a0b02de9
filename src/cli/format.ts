/** Small helpers shared by CLI commands: argument parsing and output. */
import { InputError } from "../errors.js";
import { jsonText } from "./output.js";

export function parsePositiveInt(value: string, flag: string, opts: { allowZero?: boolean } = {}): number {
  const v = Number(value);
  const ok = Number.isInteger(v) && (opts.allowZero ? v >= 0 : v > 0);
  if (!ok) {
    throw new InputError("BAD_OPTION", `${flag} must be a ${opts.allowZero ? "non-negative" : "positive"} integer, got "${value}"`);
  }
  return v;
}

export function writeJson(value: unknown): void {
  process.stdout.write(jsonText(value));
}

/**
 * `--target` names the label column in train/inspect/audit and the score goal (accuracy=0.9) in estimate and
 * compare. So that either habit works everywhere, a `--target` value that is neither `metric=value` nor a number is
 * read as the label column when `--target-column` is not given.
 */
export function splitTarget(target: string | undefined, targetColumn: string | undefined): { target?: string; targetColumn?: string } {
  if (target === undefined || targetColumn !== undefined) return { target, targetColumn };
  const isGoal = target.includes("=") || Number.isFinite(Number(target));
  return isGoal ? { target, targetColumn } : { target: undefined, targetColumn: target };
}

/** Rows of cells as aligned text lines (the first row is the header). */
export function alignTable(rows: string[][]): string[] {
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(w[i]!)).join("  ").trimEnd());
}
