/**
 * `--cost label=0.08,gpu-hour=2.5,cpu-hour=0.04,storage-gb-month=0.02`: the prices a cost plan may use. Read and
 * checked before any data loads, so a typo costs nothing; a price that is not given is simply absent (its part of
 * the plan is left out with a note), never guessed.
 */
import { InputError } from "../errors.js";

export const PRICE_KEYS = ["label", "gpu-hour", "cpu-hour", "storage-gb-month"] as const;
export type PriceKey = (typeof PRICE_KEYS)[number];
export type Prices = Partial<Record<PriceKey, number>>;

const HINT = `write key=price pairs separated by commas, e.g. --cost label=0.08,cpu-hour=0.04; keys: ${PRICE_KEYS.join(", ")}`;

/** Parses the --cost text (or checks an object given through the library). Throws InputError BAD_COST. */
export function parsePrices(arg: string | Prices): Prices {
  if (typeof arg !== "string") return checkPrices(arg);
  const out: Prices = {};
  const parts = arg.split(",").map((s) => s.trim());
  if (!parts.some((p) => p !== "")) throw new InputError("BAD_COST", "--cost is empty", { hint: HINT });
  for (const part of parts) {
    if (part === "") continue;
    const m = /^([a-z-]+)\s*=\s*(.+)$/i.exec(part);
    if (!m) throw new InputError("BAD_COST", `--cost: "${part}" is not key=price`, { hint: HINT });
    const key = m[1]!.toLowerCase();
    const value = Number(m[2]);
    if (!m[2]!.trim() || !Number.isFinite(value)) throw new InputError("BAD_COST", `--cost ${key}: "${m[2]}" is not a number`, { hint: HINT });
    setPrice(out, key, value);
  }
  return out;
}

function checkPrices(p: Prices): Prices {
  const out: Prices = {};
  for (const [key, value] of Object.entries(p)) {
    if (value === undefined) continue;
    if (typeof value !== "number" || !Number.isFinite(value)) throw new InputError("BAD_COST", `cost ${key}: ${String(value)} is not a number`, { hint: HINT });
    setPrice(out, key, value);
  }
  return out;
}

function setPrice(out: Prices, key: string, value: number): void {
  if (!(PRICE_KEYS as readonly string[]).includes(key)) {
    throw new InputError("BAD_COST", `--cost: unknown price "${key}"`, { hint: `valid keys: ${PRICE_KEYS.join(", ")}`, details: { field: key } });
  }
  if (value < 0) throw new InputError("BAD_COST", `--cost ${key}: a price cannot be negative (${value})`, { hint: HINT, details: { field: key } });
  if ((out as Record<string, number>)[key] !== undefined) throw new InputError("BAD_COST", `--cost: "${key}" is given twice`, { hint: HINT, details: { field: key } });
  (out as Record<string, number>)[key] = value;
}
