/**
 * The synthetic lever's fidelity report from its Runs: each Run made its rows and measured them (two-sample AUC,
 * train on synthetic / test on real, copies: study/synthetic/fidelity.ts); here they are gathered per size, with the
 * baseline's test score on the same (size, seed) pairs beside TSTR.
 */
import { scoreOf } from "../metrics.js";
import type { RunRecord } from "../runner.js";
import type { SyntheticFidelity } from "./result.js";
import { COPY_QUANTILE } from "../synthetic/fidelity.js";

/**
 * The real side of the two-sample test is the generator's own training rows, so a held-out synthetic row has its
 * "parents" in the training folds and a held-out real row its "children": a generator that stays close to its rows
 * pushes the out-of-fold AUC below 0.5 (seen at 30-50 rows per side). Said in words under this value.
 */
const BELOW = 0.4;

function spread(xs: number[]): { mean: number; min: number; max: number } | null {
  return xs.length ? { mean: xs.reduce((a, b) => a + b, 0) / xs.length, min: Math.min(...xs), max: Math.max(...xs) } : null;
}

export function syntheticFidelity(lever: readonly RunRecord[], baseline: readonly RunRecord[], metric: string): SyntheticFidelity | undefined {
  const done = lever.filter((r) => r.status === "done" && r.result?.synthetic);
  const first = done[0]?.result?.synthetic;
  if (!first) return undefined;
  const sizes = [...new Set(done.map((r) => r.size))].sort((a, b) => a - b);
  const perSize = sizes.map((n) => {
    // One Run per seed (a retried Run is listed once, its last attempt).
    const bySeed = new Map(done.filter((r) => r.size === n).map((r) => [r.seed, r]));
    const runs = [...bySeed.values()];
    const reps = runs.map((r) => r.result!.synthetic!);
    const base = runs.flatMap((r) => {
      const b = baseline.find((x) => x.status === "done" && x.size === n && x.seed === r.seed);
      const s = b ? scoreOf(b.result!.metrics.test, metric) : undefined;
      return s === undefined ? [] : [s];
    });
    const flagged = reps.reduce((a, s) => a + s.fidelity.copies.flagged, 0);
    const rows = reps.reduce((a, s) => a + s.rows, 0);
    return {
      n,
      runs: runs.length,
      rows: rows / runs.length,
      twoSampleAuc: spread(reps.flatMap((s) => (s.fidelity.twoSample ? [s.fidelity.twoSample.auc] : []))),
      tstr: spread(reps.flatMap((s) => {
        const v = scoreOf(s.fidelity.tstr, metric);
        return v === undefined ? [] : [v];
      })),
      trtr: base.length ? base.reduce((a, b) => a + b, 0) / base.length : null,
      copies: { flagged, rows, share: rows ? flagged / rows : 0 },
      generatorSeconds: reps.reduce((a, s) => a + s.generator.seconds, 0) / reps.length,
      fidelitySeconds: reps.reduce((a, s) => a + s.fidelity.seconds, 0) / reps.length,
    };
  });
  const last = perSize[perSize.length - 1]!;
  const parts = [
    last.twoSampleAuc
      ? `two-sample AUC ${last.twoSampleAuc.mean.toFixed(2)} (0.5 = indistinguishable${last.twoSampleAuc.mean < BELOW ? `; well below 0.5: the synthetic rows resemble the very rows the generator was fitted on more than those rows resemble each other` : ""})`
      : "no two-sample test (too few rows)",
    last.tstr ? `train-on-synthetic ${metric} ${last.tstr.mean.toFixed(3)}${last.trtr !== null ? ` vs ${last.trtr.toFixed(3)} on real rows` : ""}` : null,
    `${last.copies.flagged} of ${last.copies.rows} synthetic rows flagged as copies (${(100 * last.copies.share).toFixed(1)}%; fresh draws from the real distribution flag about ${(100 * COPY_QUANTILE).toFixed(0)}%)`,
  ].filter((p): p is string => !!p);
  return { model: first.model, ratio: first.ratio, perSize, text: `${parts.join("; ")} (n=${last.n}, ${last.runs} seed${last.runs === 1 ? "" : "s"})` };
}
