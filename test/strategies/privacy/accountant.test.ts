import { describe, expect, it } from "vitest";
import {
  calibrateNoise,
  classicEpsilon,
  computeRdp,
  DEFAULT_ORDERS,
  dpSgdEpsilon,
  logErfc,
  rdpToEpsilon,
} from "../../../src/strategies/privacy/accountant.js";

// Reference values are the published test values of TensorFlow Privacy (rdp_accountant_test.py,
// compute_dp_sgd_privacy_lib_test.py) and Opacus (tests/accountants_test.py); the docs cite each.
const TF_ORDERS = [1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, ...Array.from({ length: 59 }, (_, i) => 5 + i), 128, 256, 512];
const range = (a: number, b: number) => Array.from({ length: b - a }, (_, i) => a + i);

describe("RDP of the sampled Gaussian mechanism", () => {
  it("q = 0 spends nothing; q = 1 is the plain Gaussian alpha / (2 sigma^2)", () => {
    expect(computeRdp(0, 10, 1, [20])).toEqual([0]);
    expect(computeRdp(1, 10, 1, [20])[0]).toBeCloseTo(0.1, 12);
    for (const [s, a, t] of [[0.7, 3.5, 12], [2, 32, 1], [1.1, 1.5, 100]] as const) {
      expect(computeRdp(1, s, t, [a])[0]).toBeCloseTo((t * a) / (2 * s * s), 10);
    }
  });

  it("matches TF Privacy's compute_rdp test values", () => {
    expect(computeRdp(0.1, 2, 10, [5])[0]).toBeCloseTo(0.07737, 5);
    const v = computeRdp(0.01, 2.5, 50, [1.5, 2.5, 5, 50, 100]);
    const want = [0.00065, 0.001085, 0.00218075, 0.023846, 167.416307];
    v.forEach((x, i) => expect(Math.abs(x - want[i]!)).toBeLessThan(1e-5));
    expect(computeRdp(0.01, 2.5, 50, [Infinity])[0]).toBe(Infinity);
  });

  it("logErfc is accurate in the middle and in the far tail", () => {
    expect(Math.exp(logErfc(0))).toBeCloseTo(1, 14);
    expect(Math.exp(logErfc(0.5))).toBeCloseTo(0.4795001221869535, 14);
    expect(Math.exp(logErfc(-1))).toBeCloseTo(1.8427007929497148, 14);
    expect(Math.exp(logErfc(3)) / 2.209049699858544e-5).toBeCloseTo(1, 12);
    // erfc(30) = 2.5646562037561116e-393 (below the double range): log = -903.87...
    expect(logErfc(30)).toBeCloseTo(Math.log(2.5646562037561116) - 393 * Math.LN10, 9);
  });
});

describe("conversion to (epsilon, delta)", () => {
  it("classic conversion: TF Privacy get_privacy_spent (q 0.01, sigma 4, 10000 steps, delta 1e-5) = 1.258575 at order 20", () => {
    const orders = range(2, 33);
    const r = classicEpsilon(orders, computeRdp(0.01, 4, 10000, orders), 1e-5);
    expect(r.epsilon).toBeCloseTo(1.258575, 5);
    expect(r.order).toBe(20);
  });

  it("TF Privacy compute_dp_sgd_privacy: classic (older releases) and improved (current) values", () => {
    const cases = [
      // n, batch, sigma, epochs, delta, classic eps, improved eps, order
      [60000, 150, 1.3, 15, 1e-5, 0.941870567, 0.7242234026109595, 19],
      [100000, 100, 1.0, 30, 1e-7, 1.70928734, 1.4154988495444845, 13],
      [100000000, 1024, 0.1, 10, 1e-7, 5907984.81339406, 5907982.31138195, 1.25],
    ] as const;
    for (const [n, b, s, ep, d, classic, improved, order] of cases) {
      const steps = Math.ceil((ep * n) / b);
      const rdp = computeRdp(b / n, s, steps, TF_ORDERS);
      const c = classicEpsilon(TF_ORDERS, rdp, d);
      const i = rdpToEpsilon(TF_ORDERS, rdp, d);
      expect(c.epsilon / classic).toBeCloseTo(1, 7);
      expect(i.epsilon / improved).toBeCloseTo(1, 7);
      expect(i.order).toBe(order);
    }
  });

  it("Opacus RDPAccountant: q 0.04, sigma 1.5, 2250 steps, delta 1e-5 -> 7.32911117143", () => {
    const r = dpSgdEpsilon({ sampleRate: 0.04, noiseMultiplier: 1.5, steps: 2250, delta: 1e-5 });
    expect(r.epsilon).toBeCloseTo(7.32911117143, 7);
  });

  it("the MNIST example (q 256/60000, sigma 1.1, 60 epochs, delta 1e-5): about 3.0 classic, 2.6 improved", () => {
    const steps = 60 * Math.ceil(60000 / 256);
    const rdp = computeRdp(256 / 60000, 1.1, steps);
    expect(classicEpsilon(DEFAULT_ORDERS, rdp, 1e-5).epsilon).toBeCloseTo(3.0124, 3);
    expect(rdpToEpsilon(DEFAULT_ORDERS, rdp, 1e-5).epsilon).toBeCloseTo(2.6003, 3);
  });

  it("epsilon grows with steps and q, shrinks with sigma", () => {
    const e = (q: number, s: number, t: number) => dpSgdEpsilon({ sampleRate: q, noiseMultiplier: s, steps: t, delta: 1e-5 }).epsilon;
    expect(e(0.01, 1, 2000)).toBeGreaterThan(e(0.01, 1, 1000));
    expect(e(0.02, 1, 1000)).toBeGreaterThan(e(0.01, 1, 1000));
    expect(e(0.01, 2, 1000)).toBeLessThan(e(0.01, 1, 1000));
  });
});

describe("calibrateNoise", () => {
  it("matches Opacus get_noise_multiplier (eps 8, delta 1e-5, q 0.04): 1.416 for 90 epochs, 1.3562 for 2000 steps", () => {
    // Opacus bisects to epsilon within 0.01 below the target, so its sigma is a little above the exact one.
    const s90 = calibrateNoise({ epsilon: 8, delta: 1e-5, sampleRate: 0.04, steps: 2250 });
    expect(Math.abs(s90 - 1.416)).toBeLessThan(2e-3);
    expect(s90).toBeLessThanOrEqual(1.416 + 1e-4);
    const s2k = calibrateNoise({ epsilon: 8, delta: 1e-5, sampleRate: 0.04, steps: 2000 });
    expect(Math.abs(s2k - 1.3562)).toBeLessThan(2e-3);
    const got = dpSgdEpsilon({ sampleRate: 0.04, noiseMultiplier: s2k, steps: 2000, delta: 1e-5 }).epsilon;
    expect(got).toBeLessThanOrEqual(8);
    expect(got).toBeGreaterThan(7.99);
  });

  it("round-trips at several (epsilon, q, steps, delta), q = 1 included", () => {
    for (const [eps, q, steps, delta] of [[1, 0.01, 1000, 1e-5], [3, 256 / 60000, 14100, 1e-5], [0.5, 1, 1, 1e-6], [10, 0.1, 50, 1e-3]] as const) {
      const s = calibrateNoise({ epsilon: eps, delta, sampleRate: q, steps });
      const got = dpSgdEpsilon({ sampleRate: q, noiseMultiplier: s, steps, delta }).epsilon;
      expect(got).toBeLessThanOrEqual(eps);
      expect(got).toBeGreaterThan(eps * 0.995);
    }
  });

  it("rejects impossible targets and bad arguments", () => {
    expect(() => calibrateNoise({ epsilon: 0, delta: 1e-5, sampleRate: 0.1, steps: 10 })).toThrow(RangeError);
    expect(() => calibrateNoise({ epsilon: 1, delta: 2, sampleRate: 0.1, steps: 10 })).toThrow(RangeError);
    expect(() => computeRdp(1.5, 1, 1)).toThrow(RangeError);
  });
});
