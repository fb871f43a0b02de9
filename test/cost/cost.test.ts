import { describe, expect, it } from "vitest";
import { costToTarget, parsePrices, timeWithSpread, bytesPerSample, PRICE_KEYS } from "../../src/cost/index.js";
import { studyCost } from "../../src/study/estimate.js";
import { InputError } from "../../src/errors.js";

describe("parsePrices", () => {
  it("reads key=price pairs", () => {
    expect(parsePrices("label=0.08, gpu-hour=2.5,cpu-hour=0.04,storage-gb-month=0.023")).toEqual({ label: 0.08, "gpu-hour": 2.5, "cpu-hour": 0.04, "storage-gb-month": 0.023 });
    expect(parsePrices({ label: 1 })).toEqual({ label: 1 });
  });
  const bad = (arg: string, re: RegExp) => {
    let err: unknown;
    try {
      parsePrices(arg);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).code).toBe("BAD_COST");
    expect(`${(err as InputError).message} ${(err as InputError).hint}`).toMatch(re);
  };
  it("refuses bad syntax, negative prices, unknown and repeated keys, listing the valid keys", () => {
    bad("label", /not key=price/);
    bad("label=abc", /not a number/);
    bad("label=", /not key=price|not a number/);
    bad("label=-1", /cannot be negative/);
    bad("gpu=2", /unknown price "gpu".*valid keys: label, gpu-hour, cpu-hour, storage-gb-month/);
    bad("label=1,label=2", /given twice/);
    bad("", /empty/);
    expect(() => parsePrices({ label: -2 })).toThrow(/negative/);
    expect(PRICE_KEYS).toContain("storage-gb-month");
  });
});

describe("costToTarget", () => {
  // Seconds per Run = 0.18 n exactly (a power law with c = 1 and no fixed part), 2 threads per Run.
  const obs = [100, 200, 400].map((n) => ({ n, seconds: 0.18 * n, trainSeconds: 0.18 * n }));

  it("adds up labels, training once, storage and the study, with exact numbers on a known curve and time model", () => {
    const plan = studyCost({
      prices: { label: 0.08, "cpu-hour": 0.04 },
      samplesForTarget: { mean: 5000, lo: 4000, hi: 7000, reachable: true, confidence: 0.95 },
      pool: 3000,
      done: obs,
      threads: 2,
      device: "cpu",
      bytesPerSample: 100,
    });
    expect(plan.computeUnit).toBe("cpu-hour");
    expect(plan.labels!.quantity).toEqual({ mean: 2000, lo: 1000, hi: 4000 });
    expect(plan.labels!.cost!.mean).toBeCloseTo(160, 9);
    expect(plan.labels!.cost!.lo).toBeCloseTo(80, 9);
    expect(plan.labels!.cost!.hi).toBeCloseTo(320, 9);
    // 0.18 s x 5,000 = 900 s on 2 threads = 0.5 CPU-hours; 4,000 -> 0.4; 7,000 -> 0.7.
    expect(plan.trainOnce!.quantity.mean).toBeCloseTo(0.5, 6);
    expect(plan.trainOnce!.quantity.lo).toBeCloseTo(0.4, 6);
    expect(plan.trainOnce!.quantity.hi).toBeCloseTo(0.7, 6);
    expect(plan.trainOnce!.cost!.mean).toBeCloseTo(0.02, 8);
    // 126 s of Runs on 2 threads = 0.07 CPU-hours.
    expect(plan.study.hours).toBeCloseTo(0.07, 9);
    expect(plan.study.cost).toBeCloseTo(0.0028, 9);
    expect(plan.storage!.quantity.mean).toBeCloseTo(0.0005, 12);
    expect(plan.storage!.cost).toBeNull();
    expect(plan.total!.mean).toBeCloseTo(160.02, 6);
    expect(plan.total!.lo).toBeCloseTo(80.016, 6);
    expect(plan.total!.hi).toBeCloseTo(320.028, 6);
    expect(plan.notes.join(" ")).toMatch(/no price for storage-gb-month/);
  });

  it("prices GPU Runs per device hour, and buys no labels when the pool is already enough", () => {
    const plan = costToTarget({
      prices: { "gpu-hour": 2.5, "storage-gb-month": 0.02 },
      samplesForTarget: { mean: 2000, lo: 1500, hi: 2600 },
      pool: 3000,
      runSeconds: () => ({ mean: 360, lo: 360, hi: 360 }),
      studySeconds: 720,
      threads: 8,
      device: "cuda",
      bytesPerSample: 1e6,
    });
    expect(plan.computeUnit).toBe("gpu-hour");
    expect(plan.labels!.quantity).toEqual({ mean: 0, lo: 0, hi: 0 });
    expect(plan.labels!.cost).toBeNull();
    expect(plan.trainOnce!.quantity.mean).toBeCloseTo(0.1, 9);
    expect(plan.study.cost).toBeCloseTo(0.5, 9);
    expect(plan.storage!.cost!.mean).toBeCloseTo(0.04, 9);
    expect(plan.total!.mean).toBeCloseTo(0.25 + 0.04, 9);
    expect(plan.notes.join(" ")).toMatch(/no price for label/);
  });

  it("keeps lo <= mean <= hi through every part, with a time spread and wide n intervals", () => {
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let k = 0; k < 200; k++) {
      const mean = 100 + rand() * 1e5;
      const lo = mean * (0.3 + 0.7 * rand());
      const hi = rand() < 0.1 ? Infinity : mean * (1 + 3 * rand());
      const noisy = [50, 100, 200, 400, 800].map((n) => ({ n, seconds: 0.01 * n * (0.7 + 0.6 * rand()) }));
      const plan = costToTarget({
        prices: { label: rand(), "cpu-hour": rand(), "storage-gb-month": rand() },
        samplesForTarget: { mean, lo, hi },
        pool: Math.round(rand() * 2e4),
        runSeconds: timeWithSpread(noisy, (n) => 0.01 * n),
        studySeconds: 10,
        threads: 1,
        device: "cpu",
        bytesPerSample: 40,
      });
      for (const p of [plan.labels!, plan.trainOnce!, plan.storage!]) {
        expect(p.quantity.lo).toBeLessThanOrEqual(p.quantity.mean);
        expect(p.quantity.mean).toBeLessThanOrEqual(p.quantity.hi);
        expect(p.cost!.lo).toBeLessThanOrEqual(p.cost!.mean);
        expect(p.cost!.mean).toBeLessThanOrEqual(p.cost!.hi);
      }
      expect(plan.total!.lo).toBeLessThanOrEqual(plan.total!.mean);
      expect(plan.total!.mean).toBeLessThanOrEqual(plan.total!.hi);
    }
  });

  it("leaves the target's parts out, with a note, without a target or when it is out of reach", () => {
    const base = { prices: { label: 1 }, pool: 10, runSeconds: null, studySeconds: 0, threads: 1, device: "cpu" as const, bytesPerSample: 4 };
    const none = costToTarget({ ...base, samplesForTarget: null });
    expect(none.labels).toBeNull();
    expect(none.total).toBeNull();
    expect(none.notes[0]).toMatch(/no --target/);
    const out = costToTarget({ ...base, samplesForTarget: { mean: Infinity, lo: 1e6, hi: Infinity, reachable: false } });
    expect(out.labels).toBeNull();
    expect(out.notes[0]).toMatch(/out of reach/);
  });

  it("counts an encoded row's bytes", () => {
    expect(bytesPerSample({ n: 10, x: new Float32Array(30), y: new Int32Array(10), cat: new Int32Array(20) })).toBe(12 + 4 + 8);
  });
});
