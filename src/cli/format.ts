/** Small helpers shared by CLI commands: argument parsing and output. */
import { InputError } from "../errors.js";

export function parsePositiveInt(value: string, flag: string, opts: { allowZero?: boolean } = {}): number {
  const v = Number(value);
  const ok = Number.isInteger(v) && (opts.allowZero ? v >= 0 : v > 0);
  if (!ok) {
    throw new InputError("BAD_OPTION", `${flag} must be a ${opts.allowZero ? "non-negative" : "positive"} integer, got "${value}"`);
  }
  return v;
}

export function writeJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}
