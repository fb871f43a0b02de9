/** Collects what was skipped and why, so that nothing is dropped silently (becomes LoadReport.skipped). */
import type { LoadReport } from "./types.js";

export class SkipLog {
  private readonly reasons = new Map<string, { count: number; examples: string[] }>();
  constructor(private readonly maxExamples = 5) {}

  add(reason: string, example?: string, count = 1): void {
    let r = this.reasons.get(reason);
    if (!r) this.reasons.set(reason, (r = { count: 0, examples: [] }));
    r.count += count;
    if (example !== undefined && r.examples.length < this.maxExamples) r.examples.push(example);
  }

  merge(other: SkipLog): void {
    for (const s of other.list()) {
      const r = this.reasons.get(s.reason) ?? { count: 0, examples: [] };
      r.count += s.count;
      for (const e of s.examples) if (r.examples.length < this.maxExamples) r.examples.push(e);
      this.reasons.set(s.reason, r);
    }
  }

  get total(): number {
    let t = 0;
    for (const r of this.reasons.values()) t += r.count;
    return t;
  }

  list(): LoadReport["skipped"] {
    return [...this.reasons.entries()].map(([reason, r]) => ({ reason, count: r.count, examples: r.examples.slice() }));
  }
}

/** "3 rows skipped: wrong number of fields (lines 4, 9, 17 …)" */
export function skipWarning(s: LoadReport["skipped"][number], unit = "rows"): string {
  const ex = s.examples.length ? ` (${s.examples.join("; ")}${s.count > s.examples.length ? "; …" : ""})` : "";
  return `${s.count} ${s.count === 1 ? unit.replace(/s$/, "") : unit} skipped: ${s.reason}${ex}`;
}
