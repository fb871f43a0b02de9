/**
 * Where to collect: given each unit's fitted score curve s_u(n_u), its weight w_u in the overall score (its share of
 * the test split: overall accuracy = sum_u w_u s_u) and the samples you have, the cheapest extra samples per unit
 * that bring the predicted overall score to the target. As in the data-collection planning of Mahmood et al. (2022,
 * "Optimizing data collection for machine learning"), the decision is by the marginal gain per sample: each step
 * buys a batch of the unit whose batch raises the overall score most per sample (per unit of cost), until the target
 * is met. A batch's rate is the best average over horizons of 5% to 160% of the unit's count, so a fitted mean that
 * dips before it rises (noise) neither hides a unit nor lures the greedy into a one-step bump; with concave curves
 * this is the plain marginal-gain greedy, optimal up to the step size.
 *
 * The curves come in as plain functions (their mean), evaluated on a log grid once (fits are costly to query).
 */

export interface AllocUnit {
  /** The unit's mean score at n of its own samples. */
  score: (n: number) => number;
  weight: number;
  have: number;
  /** Price of one more sample of this unit (default 1: every label costs the same). */
  cost?: number;
}

export interface Allocation {
  /** Extra samples per unit (rounded up). */
  extra: number[];
  total: number;
  /** The predicted overall score (means) with them. */
  predicted: number;
  reached: boolean;
}

/** Stop when the extra samples would pass this many times the pool: the target is out of reach on the curves. */
const MAX_GROWTH = 100;
const STEP = 0.05;
const HORIZONS = [0.05, 0.1, 0.2, 0.4, 0.8, 1.6];

/** The greedy plan; target null: none (returns the no-collection state). */
export function allocate(units: readonly AllocUnit[], target: number | null): Allocation {
  const extra = units.map(() => 0);
  const overall = () => units.reduce((a, u, i) => a + u.weight * u.score(u.have + extra[i]!), 0);
  let predicted = overall();
  if (target === null || predicted >= target) return { extra, total: 0, predicted, reached: target === null ? false : true };
  const pool = units.reduce((a, u) => a + u.have, 0);
  let total = 0;
  while (predicted < target && total <= MAX_GROWTH * pool) {
    let best = -1;
    let bestRate = 0;
    let bestStep = 0;
    units.forEach((u, i) => {
      const n = u.have + extra[i]!;
      for (const h of HORIZONS) {
        const step = Math.max(1, Math.ceil(h * n));
        const rate = (u.weight * (u.score(n + step) - u.score(n))) / (step * (u.cost ?? 1));
        if (rate > bestRate) {
          best = i;
          bestRate = rate;
          // Buy one small batch at a time even when a longer horizon decided: the next round re-decides.
          bestStep = Math.max(1, Math.ceil(STEP * n));
        }
      }
    });
    if (best < 0) break; // no unit gains any more: flat curves
    extra[best]! += bestStep;
    total += bestStep;
    predicted = overall();
  }
  return { extra, total, predicted, reached: predicted >= target };
}

/** Collecting in the pool's proportions: the smallest total (every unit grown by the same factor) reaching the target. */
export function proportional(units: readonly AllocUnit[], target: number): Allocation {
  const pool = units.reduce((a, u) => a + u.have, 0);
  const at = (total: number) => {
    const extra = units.map((u) => (total * u.have) / pool);
    return { extra, predicted: units.reduce((a, u, i) => a + u.weight * u.score(u.have + extra[i]!), 0) };
  };
  const none = at(0);
  if (none.predicted >= target) return { extra: none.extra, total: 0, predicted: none.predicted, reached: true };
  const far = at(MAX_GROWTH * pool);
  if (far.predicted < target) return { extra: far.extra.map(Math.ceil), total: MAX_GROWTH * pool, predicted: far.predicted, reached: false };
  // Bisection in log(total): the overall score grows with the total.
  let lo = Math.log(1);
  let hi = Math.log(MAX_GROWTH * pool);
  for (let i = 0; i < 50; i++) {
    const mid = (lo + hi) / 2;
    if (at(Math.exp(mid)).predicted >= target) hi = mid;
    else lo = mid;
  }
  const r = at(Math.exp(hi));
  const extra = r.extra.map(Math.ceil);
  return { extra, total: extra.reduce((a, b) => a + b, 0), predicted: r.predicted, reached: true };
}

/** A curve's mean on a log grid, interpolated in log n (queried thousands of times by the greedy). */
export function gridded(f: (n: number) => number, from: number, to: number, points = 128): (n: number) => number {
  const a = Math.log(Math.max(1e-9, from));
  const b = Math.log(Math.max(from * 1.0001, to));
  const xs = Array.from({ length: points }, (_, i) => a + ((b - a) * i) / (points - 1));
  const ys = xs.map((x) => f(Math.exp(x)));
  return (n: number) => {
    const x = Math.log(Math.max(1e-9, n));
    if (x <= a) return ys[0]!;
    if (x >= b) return ys[points - 1]!;
    const t = ((x - a) / (b - a)) * (points - 1);
    const i = Math.min(points - 2, Math.floor(t));
    return ys[i]! + (t - i) * (ys[i + 1]! - ys[i]!);
  };
}
