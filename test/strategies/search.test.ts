import { describe, expect, it } from "vitest";
import { halvingRungs, successiveHalving, suggestRandom, suggestTpe, type Params, type SearchSpace, type Trial } from "../../src/strategies/search/index.js";

/** A synthetic validation loss over a small architecture space; its minimum (0) is at lr 3e-3, width 48, "relu". */
const space: SearchSpace = {
  lr: { kind: "float", low: 1e-5, high: 1, log: true },
  width: { kind: "int", low: 4, high: 256, log: true },
  dropout: { kind: "float", low: 0, high: 0.6 },
  act: { kind: "categorical", choices: ["relu", "tanh", "gelu", "sigmoid"] },
};
function loss(p: Params): number {
  const lr = Math.log10(p.lr as number) - Math.log10(3e-3);
  const w = Math.log2(p.width as number) - Math.log2(48);
  const d = ((p.dropout as number) - 0.2) / 0.3;
  return lr * lr + 0.5 * w * w + d * d + (p.act === "relu" ? 0 : p.act === "gelu" ? 0.3 : 1);
}

function search(kind: "tpe" | "random", trials: number, seed: number): number {
  const history: Trial[] = [];
  for (let i = 0; i < trials; i++) {
    const params = kind === "tpe" ? suggestTpe(space, history, { seed }) : suggestRandom(space, i, seed);
    history.push({ params, value: loss(params) });
  }
  return Math.min(...history.map((t) => t.value));
}

describe("TPE", () => {
  it("proposals stay inside the space and respect the kinds", () => {
    const history: Trial[] = [];
    for (let i = 0; i < 30; i++) {
      const p = suggestTpe(space, history, { seed: 4 });
      expect(p.lr as number).toBeGreaterThanOrEqual(1e-5);
      expect(p.lr as number).toBeLessThanOrEqual(1);
      expect(Number.isInteger(p.width)).toBe(true);
      expect(p.width as number).toBeGreaterThanOrEqual(4);
      expect(p.width as number).toBeLessThanOrEqual(256);
      expect(["relu", "tanh", "gelu", "sigmoid"]).toContain(p.act);
      history.push({ params: p, value: loss(p) });
    }
  });

  it("beats random search on average over seeds with the same number of trials", () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const tpe = seeds.map((s) => search("tpe", 40, s));
    const rnd = seeds.map((s) => search("random", 40, s));
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(tpe)).toBeLessThan(0.7 * mean(rnd));
    // Not only on average: TPE wins on most seeds.
    expect(tpe.filter((v, i) => v < rnd[i]!).length).toBeGreaterThanOrEqual(6);
  });

  it("is reproducible for a seed, and other seeds propose otherwise", () => {
    expect(search("tpe", 25, 11)).toBe(search("tpe", 25, 11));
    const h: Trial[] = [];
    for (let i = 0; i < 15; i++) {
      const params = suggestRandom(space, i, 3);
      h.push({ params, value: loss(params) });
    }
    expect(suggestTpe(space, h, { seed: 5 })).toEqual(suggestTpe(space, h, { seed: 5 }));
    expect(suggestTpe(space, h, { seed: 5 })).not.toEqual(suggestTpe(space, h, { seed: 6 }));
  });

  it("maximizes when asked", () => {
    const history: Trial[] = [];
    for (let i = 0; i < 40; i++) {
      const params = suggestTpe(space, history, { seed: 2, direction: "maximize" });
      history.push({ params, value: -loss(params) });
    }
    const late = history.slice(20).map((t) => t.value);
    const early = history.slice(0, 10).map((t) => t.value);
    expect(Math.max(...late)).toBeGreaterThan(Math.max(...early));
  });

  it("rejects a malformed space", () => {
    expect(() => suggestTpe({ lr: { kind: "float", low: 0, high: 1, log: true } }, [])).toThrow(/log scale/);
    expect(() => suggestTpe({}, [])).toThrow(/no parameters/);
  });
});

describe("successive halving", () => {
  it("plans rungs by epochs up to the largest budget", () => {
    expect(halvingRungs(1, 27, 3)).toEqual([1, 3, 9, 27]);
    expect(halvingRungs(2, 20, 3)).toEqual([2, 6, 18, 20]);
    expect(halvingRungs(5, 5)).toEqual([5]);
  });

  it("keeps the best arm on a clean problem and spends most epochs on the promising arms", async () => {
    // Arm i's loss after e epochs: its final quality plus a transient that decays with training.
    const quality = [0.9, 0.5, 0.7, 0.1, 0.8, 0.6, 0.3, 0.95, 0.4];
    const spent: number[] = quality.map(() => 0);
    const r = await successiveHalving(
      quality.map((q, i) => ({ q, i })),
      (arm, epochs) => {
        spent[arm.i] = epochs;
        return arm.q + 0.5 / epochs;
      },
      { minEpochs: 1, maxEpochs: 9, eta: 3 },
    );
    expect(r.bestIndex).toBe(3);
    expect(r.best.q).toBe(0.1);
    expect(r.rungs.map((x) => x.results.length)).toEqual([9, 3, 1]);
    expect(r.rungs[1]!.kept[0]).toBe(3);
    // Only the survivors were trained to the full budget.
    expect(spent.filter((e) => e === 9)).toHaveLength(1);
  });

  it("maximizes, ranks failed evaluations last and is deterministic", async () => {
    const vals = [0.2, NaN, 0.9, 0.5];
    const run = () => successiveHalving(vals, (v) => v, { minEpochs: 1, maxEpochs: 4, eta: 2, direction: "maximize" });
    const a = await run();
    expect(a.bestIndex).toBe(2);
    expect(a.rungs[0]!.kept).toEqual([2, 3]);
    expect(await run()).toEqual(a);
  });
});
