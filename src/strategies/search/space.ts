/**
 * Search spaces for architecture and hyper-parameter search: integer, float (optionally log-scaled) and categorical
 * parameters. Samplers work in a continuous "internal" coordinate per numeric parameter (log for log-scaled ones, an
 * integer widened by half a step on each side) so one Parzen estimator shape serves both kinds.
 */
import type { Rng } from "../../rng.js";

export type ParamSpec =
  | { kind: "int"; low: number; high: number; log?: boolean }
  | { kind: "float"; low: number; high: number; log?: boolean }
  | { kind: "categorical"; choices: readonly (string | number | boolean)[] };

export type SearchSpace = Readonly<Record<string, ParamSpec>>;
export type ParamValue = string | number | boolean;
export type Params = Record<string, ParamValue>;

/** One finished evaluation: the parameters tried and the objective value they scored. */
export interface Trial {
  params: Params;
  value: number;
}

export type Direction = "minimize" | "maximize";

export function validateSpace(space: SearchSpace): void {
  const names = Object.keys(space);
  if (names.length === 0) throw new RangeError("the search space has no parameters");
  for (const name of names) {
    const p = space[name]!;
    if (p.kind === "categorical") {
      if (p.choices.length === 0) throw new RangeError(`parameter "${name}": no choices`);
      continue;
    }
    if (!(Number.isFinite(p.low) && Number.isFinite(p.high) && p.low <= p.high)) throw new RangeError(`parameter "${name}": needs finite low <= high, got [${p.low}, ${p.high}]`);
    if (p.log && !(p.low > 0)) throw new RangeError(`parameter "${name}": a log scale needs low > 0, got ${p.low}`);
    if (p.kind === "int" && !(Number.isInteger(p.low) && Number.isInteger(p.high))) throw new RangeError(`parameter "${name}": integer bounds needed`);
  }
}

/** The internal interval of a numeric parameter. */
export function internalRange(p: Exclude<ParamSpec, { kind: "categorical" }>): [number, number] {
  const half = p.kind === "int" ? 0.5 : 0;
  // An integer's interval is widened by half a step so its end values are as likely as the inner ones.
  const lo = p.log ? Math.log(Math.max(p.low - half, p.kind === "int" ? p.low * 0.5 : p.low)) : p.low - half;
  const hi = p.log ? Math.log(p.high + half) : p.high + half;
  return [lo, hi];
}

export function toInternal(p: Exclude<ParamSpec, { kind: "categorical" }>, v: number): number {
  return p.log ? Math.log(v) : v;
}

/** An internal coordinate back to a value within the parameter's bounds. */
export function fromInternal(p: Exclude<ParamSpec, { kind: "categorical" }>, x: number): number {
  let v = p.log ? Math.exp(x) : x;
  if (p.kind === "int") v = Math.round(v);
  return Math.min(p.high, Math.max(p.low, v));
}

/** Uniform draw from the space (uniform on the internal scale: log-uniform for log parameters). */
export function sampleUniform(space: SearchSpace, rng: Rng): Params {
  const out: Params = {};
  for (const [name, p] of Object.entries(space)) {
    if (p.kind === "categorical") out[name] = p.choices[Math.floor(rng() * p.choices.length)]!;
    else {
      const [lo, hi] = internalRange(p);
      out[name] = fromInternal(p, lo + rng() * (hi - lo));
    }
  }
  return out;
}
