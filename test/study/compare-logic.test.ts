import { describe, expect, it } from "vitest";
import { fitCurve } from "../../src/curves/index.js";
import { validateRecipe } from "../../src/engine/recipe.js";
import { parseModelArg, validateSpec } from "../../src/engine/spec.js";
import { expandVariants, parseAxes, parseAxis, variantCount } from "../../src/study/compare/axes.js";
import { forwardFlops } from "../../src/engine/flops.js";
import { fittedFrontier, frontierSentence, measuredFrontier } from "../../src/study/compare/frontier.js";
import { nextRung } from "../../src/study/compare/ladder.js";
import { pairedDiff, scoreTable } from "../../src/study/compare/paired.js";
import { tQuantile } from "../../src/stats.js";
import { dominatedBy, prune } from "../../src/study/compare/prune.js";
import { missesPoints } from "../../src/study/compare/summary.js";

const engine = {
  parseFamily: (name: string) => parseModelArg(name) as unknown as Record<string, unknown>,
  validate: (spec: Record<string, unknown>, recipe: Record<string, unknown>) => {
    validateSpec(spec);
    validateRecipe(recipe as never);
  },
};

describe("axes", () => {
  it("parses spec, recipe and model axes with typed values", () => {
    expect(parseAxis("width=0.25,1,4")).toMatchObject({ target: "spec", field: "width", values: [0.25, 1, 4] });
    expect(parseAxis("weightDecay=0,1e-4").values).toEqual([0, 1e-4]);
    expect(parseAxis("earlyStopping=on,off").values).toEqual([{ patience: 5, minDelta: 0 }, false]);
    expect(parseAxis("hidden=[64,32],128x64").values).toEqual([[64, 32], [128, 64]]);
    expect(parseAxis("model=mlp,cnn")).toMatchObject({ target: "model", values: ["mlp", "cnn"] });
    expect(parseAxis("recipe.momentum=0.5,0.9")).toMatchObject({ target: "recipe", field: "momentum" });
    expect(parseAxis("batchSize=32,64").values).toEqual([32, 64]);
  });

  it("rejects bad axes with errors that name the axis", () => {
    expect(() => parseAxis("size=1,2")).toThrow(/unknown axis "size"/);
    expect(() => parseAxis("width")).toThrow(expect.objectContaining({ code: "BAD_AXIS" }));
    expect(() => parseAxis("depth=2,2.5")).toThrow(expect.objectContaining({ code: "BAD_AXIS_VALUE", message: expect.stringContaining("--vary depth") }));
    expect(() => parseAxis("width=1,1")).toThrow(/listed twice/);
    expect(() => parseAxis("earlyStopping=maybe")).toThrow(/on, off or a patience/);
    expect(() => parseAxes(["width=1,2", "width=3"])).toThrow(/given twice/);
    expect(() => parseAxes([])).toThrow(expect.objectContaining({ code: "NO_AXIS" }));
    // Values the engine rejects are caught before any Run, naming the variant.
    const base = { spec: { family: "mlp" } };
    expect(() => expandVariants(parseAxes(["dropout=0,1.5"]), base, engine)).toThrow(expect.objectContaining({ code: "BAD_AXIS_VALUE", message: expect.stringMatching(/dropout=1\.5.*dropout/) }));
    expect(() => expandVariants(parseAxes(["lr=0.001,-1"]), base, engine)).toThrow(/lr=-1/);
    expect(() => expandVariants(parseAxes(["model=mlp,transformer"]), base, engine)).toThrow(/model=transformer/);
  });

  it("gives the cross product, keeps default values off the spec (same Run ids as estimate), and carries common fields across families", () => {
    const axes = parseAxes(["width=0.5,1", "dropout=0,0.3", "weightDecay=0,1e-4"]);
    expect(variantCount(axes)).toBe(8);
    const vs = expandVariants(axes, { spec: { family: "mlp" } }, engine);
    expect(vs).toHaveLength(8);
    expect(new Set(vs.map((v) => v.id)).size).toBe(8);
    expect(vs[0]).toMatchObject({ label: "width=0.5, dropout=0, weightDecay=0", spec: { family: "mlp", width: 0.5 }, recipe: { weightDecay: 0 } });
    expect(vs.find((v) => v.label.startsWith("width=1, dropout=0,"))!.spec).toEqual({ family: "mlp" });
    const fam = expandVariants(parseAxes(["model=mlp,cnn"]), { spec: { family: "mlp", width: 2, hidden: [64] } }, engine);
    expect(fam.map((v) => v.spec)).toEqual([{ family: "mlp", width: 2 }, { family: "cnn", width: 2 }]);
  });
});

describe("paired statistics", () => {
  it("t quantiles and paired intervals", () => {
    expect(tQuantile(0.975, 1)).toBeCloseTo(12.706, 2);
    expect(tQuantile(0.975, 2)).toBeCloseTo(4.303, 2);
    expect(tQuantile(0.95, 5)).toBeCloseTo(2.015, 2);
    expect(tQuantile(0.9, 30)).toBeCloseTo(1.310, 2);
    // Shared noise cancels: the two variants differ by exactly 0.02 at every seed -> a zero-width interval.
    const t = scoreTable([0, 1, 2].flatMap((seed) => [{ variant: "a", n: 100, seed, score: 0.8 + 0.05 * seed + 0.02 }, { variant: "b", n: 100, seed, score: 0.8 + 0.05 * seed }]), "up");
    const d = pairedDiff(t, "a", "b", 100)!;
    expect(d.mean).toBeCloseTo(0.02, 10);
    expect(d.hi - d.lo).toBeLessThan(1e-9);
    expect(d.count).toBe(3);
    // A falling metric is oriented: lower loss is better.
    const l = scoreTable([{ variant: "a", n: 1, seed: 0, score: 0.3 }, { variant: "b", n: 1, seed: 0, score: 0.5 }], "down");
    expect(pairedDiff(l, "a", "b", 1)!.mean).toBeCloseTo(0.2);
  });
});

/** Synthetic curves: score = A - B n^-0.5 + shared noise(n, seed). */
function synth(curves: Record<string, { A: number; B: number }>, sizes: number[], seeds = 3) {
  const rows = [];
  for (const [v, c] of Object.entries(curves))
    for (const n of sizes) for (let s = 0; s < seeds; s++) rows.push({ variant: v, n, seed: s, score: c.A - c.B * n ** -0.5 + 0.02 * Math.sin(n * 7 + s * 13) + 0.001 * Math.cos(n + s + v.length) });
  return rows;
}

describe("frontier", () => {
  const curves = { small: { A: 0.85, B: 1 }, big: { A: 0.95, B: 4 } };
  const sizes = [100, 200, 400, 800, 1600, 3200, 6400];
  const rows = synth(curves, sizes);
  const table = scoreTable(rows, "up");

  it("picks the best variant at each measured size with paired confidence", () => {
    const m = measuredFrontier(table, ["small", "big"]);
    expect(m.map((r) => r.best)).toEqual(["small", "small", "small", "small", "big", "big", "big"]);
    expect(m[0]!.clear).toBe(true);
    expect(m[6]!.clear).toBe(true);
    // Near the crossover (900) the lead is small; still paired over 3 seeds.
    expect(m[3]!.advantage!.count).toBe(3);
  });

  it("finds the crossover on fitted curves and says it in words", () => {
    const fits = new Map(Object.keys(curves).map((v) => [v, fitCurve(rows.filter((r) => r.variant === v).map((r) => ({ n: r.n, score: r.score, seed: r.seed })), { metric: "accuracy", bootstrap: 0 })]));
    const f = fittedFrontier(fits, { direction: "up", nLo: 100, nHi: 60000, nMaxOf: () => Infinity, measuredMaxOf: () => 6400 });
    expect(f.segments.map((s) => s.variant)).toEqual(["small", "big"]);
    expect(f.crossovers).toHaveLength(1);
    expect(f.crossovers[0]!.n).toBeGreaterThan(600);
    expect(f.crossovers[0]!.n).toBeLessThan(1400);
    expect(f.crossovers[0]!.extrapolated).toBe(false);
    const sentence = frontierSentence(f, (v) => (v === "small" ? "width=0.5" : "width=2"), (n) => Math.round(n).toLocaleString("en-US"))!;
    expect(sentence).toMatch(/^Below ~[\d,]+ samples use width=0\.5; above ~[\d,]+ use width=2\.$/);
    // A pruned variant competes only within its measured range.
    const capped = fittedFrontier(fits, { direction: "up", nLo: 100, nHi: 60000, nMaxOf: (v) => (v === "big" ? 400 : Infinity), measuredMaxOf: () => 6400 });
    expect(capped.segments.map((s) => s.variant)).toEqual(["small"]);
  });
});

describe("pruning", () => {
  const sizes = [100, 200, 400];
  it("drops a variant dominated by a margin at every size, keeps one whose gap is closing", () => {
    const rows = synth({ ok: { A: 0.85, B: 1 }, bad: { A: 0.8, B: 1 }, big: { A: 0.95, B: 4 } }, sizes);
    const t = scoreTable(rows, "up");
    const o = { margin: 0.01, nFinal: 60000 };
    const d = dominatedBy(t, "bad", "ok", o);
    expect(d).not.toBeNull();
    expect(d!.reason).toMatch(/beats it at all 3 sizes/);
    // big is behind ok at 100-400 by 0.1-0.2, but closing fast: extrapolated it wins, so it stays.
    expect(dominatedBy(t, "big", "ok", o)).toBeNull();
    expect(prune(t, ["ok", "bad", "big"], o).map((x) => [x.variant, x.by])).toEqual([["bad", "ok"]]);
  });

  it("never on noise: one seed, too few sizes, or a lead within the margin", () => {
    const t1 = scoreTable(synth({ ok: { A: 0.85, B: 1 }, bad: { A: 0.8, B: 1 } }, sizes, 1), "up");
    expect(prune(t1, ["ok", "bad"], { margin: 0.01, nFinal: 1000 })).toEqual([]);
    const t2 = scoreTable(synth({ ok: { A: 0.85, B: 1 }, bad: { A: 0.8, B: 1 } }, [100, 200]), "up");
    expect(prune(t2, ["ok", "bad"], { margin: 0.01, nFinal: 1000 })).toEqual([]);
    const t3 = scoreTable(synth({ ok: { A: 0.85, B: 1 }, close: { A: 0.845, B: 1 } }, sizes), "up");
    expect(prune(t3, ["ok", "close"], { margin: 0.01, nFinal: 1000 })).toEqual([]);
  });
});

describe("cost and ladder", () => {
  it("FLOPs grow with width as the architecture says", () => {
    const img = { xKind: "image" as const, xShape: [1, 28, 28], task: "classification" as const, numClasses: 10 };
    const f1 = forwardFlops({ family: "cnn" }, img);
    // conv 1->32 at 28x28, conv 32->64 at 14x14, fc 3136->128, head 128->10; x2 for multiply-adds.
    expect(f1).toBe(2 * (28 * 28 * 32 * 9 + 14 * 14 * 32 * 64 * 9 + 7 * 7 * 64 * 128 + 128 * 10));
    expect(forwardFlops({ family: "cnn", width: 2 }, img) / f1).toBeGreaterThan(3);
    expect(forwardFlops({ family: "mlp", hidden: [10] }, { xKind: "dense", xShape: [4], task: "classification", numClasses: 3 })).toBe(2 * (4 * 10 + 10 * 3));
  });
});

describe("rung choice under a budget", () => {
  it("takes the next size when everything fits, spreads the sizes when it does not, and stops when nothing fits", () => {
    const cost = (i: number) => [10, 10, 10, 12, 20, 60, 200][i]!;
    expect(nextRung(7, 0, 1, cost, null)).toEqual({ index: 1, sizes: 6 });
    expect(nextRung(7, 0, 1, cost, 1000)).toEqual({ index: 1, sizes: 6 });
    // 45 s: three more sizes (4 in all, enough for a fit) reaching index 4: 1, 3, 4 (42 s).
    expect(nextRung(7, 0, 1, cost, 45)).toEqual({ index: 1, sizes: 3 });
    // 95 s: three sizes reaching index 5 (2, 3, 5: 82 s) beat four in line (1-4) or four to 5 (102 s, too much).
    expect(nextRung(7, 0, 1, cost, 95)).toEqual({ index: 2, sizes: 3 });
    expect(nextRung(7, 0, 1, cost, 5)).toBeNull();
    expect(nextRung(7, 6, 7, cost, 1000)).toBeNull();
  });
});

describe("fit fidelity", () => {
  it("a fit that misses its own measured means is left out of the fitted frontier", () => {
    const pts = [100, 200, 400, 800].map((n) => ({ n, mean: 0.9 - n ** -0.5, sd: 0.005, count: 3 }));
    const good = fitCurve(pts.flatMap((p) => [0, 1, 2].map((s) => ({ n: p.n, score: p.mean + (s - 1) * 0.005, seed: s }))), { metric: "accuracy", bootstrap: 0 });
    expect(missesPoints(good, pts)).toBe(false);
    const flat = { scoreAt: () => ({ mean: 0.86, lo: 0.85, hi: 0.87 }) } as unknown as Parameters<typeof missesPoints>[0];
    expect(missesPoints(flat, pts)).toBe(true);
  });
});
