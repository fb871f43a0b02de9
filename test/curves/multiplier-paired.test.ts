import { describe, expect, it } from "vitest";
import { pairedMultiplier } from "../../src/curves/multiplier-paired.js";
import { simulatePair } from "./helpers.js";

// Strategy curves are the baseline's curve at c * n: the true multiplier is c at every size and target.
const base = (n: number) => 0.95 - 2 * Math.pow(n, -0.5);
const at = (c: number) => (n: number) => base(c * n);
// The baseline reaches this at n = 1600: a strategy with multiplier c reaches it at 1600 / c, inside both curves' data.
const target = base(1600);
const SIMS = 20;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

describe("pairedMultiplier on simulated pairs with known multipliers", () => {
  for (const c of [0.5, 1, 2, 4]) {
    it(`c = ${c}: centred on c, and 80% intervals cover c near their nominal rate`, () => {
      const values: number[] = [];
      let covered = 0;
      let total = 0;
      const verdicts: string[] = [];
      for (let i = 0; i < SIMS; i++) {
        const pair = simulatePair(base, at(c), { seed: 100 * c + i });
        const r = pairedMultiplier({ ...pair, metric: "accuracy", target }, { seed: i + 1, replicates: 120 });
        const readings = [r.atTarget!, r.perSize.find((p) => p.n === 400)!];
        for (const m of readings) {
          expect(m.kind).toBe("estimate");
          expect(m.lo).toBeLessThanOrEqual(m.value);
          expect(m.value).toBeLessThanOrEqual(m.hi);
          covered += +(m.lo <= c && c <= m.hi);
          total++;
        }
        values.push(r.atTarget!.value);
        verdicts.push(r.verdict);
      }
      expect(Math.abs(median(values) / c - 1)).toBeLessThan(0.15);
      expect(covered / total).toBeGreaterThanOrEqual(0.6);
      expect(covered / total).toBeLessThanOrEqual(0.98);
      const want = c > 1 ? "helps" : c < 1 ? "hurts" : "no clear effect";
      expect(verdicts.filter((v) => v === want).length).toBeGreaterThanOrEqual(c === 1 ? 13 : 19);
    });
  }
});

describe("pairedMultiplier", () => {
  const same = simulatePair(base, base, { seed: 7 });

  it("a strategy identical to the baseline comes out about 1x, its interval holds 1, no clear effect", () => {
    const r = pairedMultiplier({ ...same, metric: "accuracy", target, pool: 6400 });
    expect(r.verdict).toBe("no clear effect");
    expect(r.headline).toBe("target");
    expect(r.atTarget!.value).toBeGreaterThan(0.85);
    expect(r.atTarget!.value).toBeLessThan(1.15);
    expect(r.atTarget!.lo).toBeLessThanOrEqual(1);
    expect(r.atTarget!.hi).toBeGreaterThanOrEqual(1);
    expect(r.summary).toMatch(/^no clear effect \(x[01]\.\d+, 80% [\d.]+-[\d.]+\)$/);
    expect(r.pairedSeeds).toBe(3);
    // Per-size verdicts are 80% statements each: one of seven sizes may claim a small effect by chance.
    expect(r.perSize.filter((m) => m.verdict !== "no clear effect").length).toBeLessThanOrEqual(1);
  });

  it("a worse strategy hurts", () => {
    const r = pairedMultiplier({ ...simulatePair(base, at(0.4), { seed: 8 }), metric: "accuracy", target });
    expect(r.verdict).toBe("hurts");
    expect(r.atTarget!.hi).toBeLessThan(1);
    expect(r.summary).toMatch(/^hurts \(x0\.\d+, 80% /);
  });

  it("reads lower-is-better metrics the same way", () => {
    const pair = simulatePair(base, at(2), { seed: 9 });
    const flip = (pts: typeof pair.baseline) => pts.map((p) => ({ ...p, score: 1 - p.score }));
    const up = pairedMultiplier({ ...pair, metric: "accuracy", target }, { replicates: 60 });
    const down = pairedMultiplier({ baseline: flip(pair.baseline), strategy: flip(pair.strategy), metric: "error", target: 1 - target }, { replicates: 60 });
    expect(down.verdict).toBe("helps");
    expect(down.atTarget!.value).toBeCloseTo(up.atTarget!.value, 6);
    down.perSize.forEach((m, i) => expect(m.value).toBeCloseTo(up.perSize[i]!.value, 6));
  });

  it("a score above anything the baseline reaches is a lower bound, not a number", () => {
    // The baseline levels off near 0.80; the strategy passes it at mid sizes.
    const low = (n: number) => 0.8 - 2 * Math.pow(n, -0.5);
    const r = pairedMultiplier({ ...simulatePair(low, at(1), { seed: 10 }), metric: "accuracy", target: 0.88, pool: 6400 }, { replicates: 60 });
    const last = r.perSize[r.perSize.length - 1]!;
    expect(last.kind).toBe("beyond-reach");
    expect(last.text).toMatch(/^>= x1\.0, beyond the baseline's reach/);
    expect(last.value).toBe(1);
    expect(last.hi).toBe(Infinity);
    expect(r.atTarget!.kind).toBe("beyond-reach");
    expect(r.verdict).toBe("helps");
    expect(r.summary).toMatch(/^helps \(>= x/);
  });

  it("a score below the baseline's smallest size is extrapolated down, then bounded", () => {
    const r = pairedMultiplier({ ...simulatePair(base, at(0.5), { seed: 11 }), metric: "accuracy" }, { replicates: 60 });
    expect(r.perSize[0]!.extrapolated).toBe(true);
    expect(r.perSize[0]!.kind).toBe("estimate");
    expect(r.perSize[0]!.text).toMatch(/extrapolated below the baseline's smallest size/);
    const far = pairedMultiplier({ ...simulatePair(base, at(0.05), { seed: 11 }), metric: "accuracy" }, { replicates: 60 });
    expect(far.perSize[0]!.kind).toBe("upper-bound");
    expect(far.perSize[0]!.value).toBe(0.25);
    expect(far.perSize[0]!.text).toMatch(/^<= x0\.25/);
  });

  it("says at which size an effect that helps only small training sets fades", () => {
    // Worth 4x at 100 samples, about 1x from a few thousand on.
    const fading = (n: number) => base(n * (1 + 3 * Math.exp(-n / 300)));
    const r = pairedMultiplier({ ...simulatePair(base, fading, { seed: 12 }), metric: "accuracy" }, { replicates: 80 });
    expect(r.perSize[0]!.verdict).toBe("helps");
    expect(r.fadesAt).toBeDefined();
    expect(r.fadesAt!).toBeGreaterThanOrEqual(800);
    expect(r.perSize.filter((m) => m.n >= r.fadesAt!).every((m) => m.lo <= 1 && m.hi >= 1)).toBe(true);
  });

  it("is deterministic for a seed", () => {
    const a = pairedMultiplier({ ...same, metric: "accuracy", target }, { seed: 3, replicates: 40 });
    expect(pairedMultiplier({ ...same, metric: "accuracy", target }, { seed: 3, replicates: 40 })).toEqual(a);
  });

  it("with a single seed the interval is not paired but still given", () => {
    const one = simulatePair(base, at(2), { seed: 13, seeds: 1 });
    const r = pairedMultiplier({ ...one, metric: "accuracy", target }, { replicates: 60 });
    expect(r.pairedSeeds).toBe(1);
    expect(r.atTarget!.lo).toBeLessThan(r.atTarget!.hi);
    expect(Number.isFinite(r.atTarget!.value)).toBe(true);
  });
});
