/**
 * A Gaussian-copula synthesizer for tabular rows, as SDV's GaussianCopulaSynthesizer (the default of the tool
 * tabular users know): each column is mapped to normal scores through its marginal, the scores' correlation matrix
 * is estimated, and new rows are drawn from that multivariate normal and mapped back through each marginal.
 *
 * - Numeric columns: the empirical CDF (mid-ranks) forward, the empirical quantile function (linear interpolation
 *   between order statistics) back, so the marginals are reproduced and no value leaves the column's observed range.
 *   (SDV fits a parametric marginal by default; the brief asks for the empirical one, which assumes no shape.)
 * - Categorical columns (a one-hot group, a missing-value indicator, an embedding id column): as SDV's
 *   UniformEncoder, each category owns an interval of [0, 1) as wide as its frequency (most frequent first), a row
 *   is a uniform draw inside its category's interval, and a sample's category is the interval its score falls in.
 * - Classification: one copula per class (marginals and correlation of that class's rows). A class id is nominal:
 *   as one more copula column its correlation could only carry a monotone relation between the id's arbitrary
 *   order and a feature, and per-class marginals carry any class-conditional shape. With few rows per class the
 *   class's correlation is shrunk toward the pooled within-class one (weight p / (n_c + p) for p columns), and the
 *   pooled one toward the identity (p / (n + p)), so it stays positive definite when rows are fewer than columns.
 *   Regression: the target is one more numeric column of a single copula, and samples carry it.
 * Pure and seeded: the same rows and seed give the same samples.
 */
import { normalCdf, normalQuantile } from "../../stats.js";
import { rngFor, type Rng } from "../../rng.js";

/** How the encoded columns form copula columns. */
export type CopulaColumn =
  /** One dense column of continuous values. */
  | { kind: "numeric"; col: number }
  /** Dense 0/1 columns of which at most one is 1 per row (a one-hot group; a single indicator column is a group of one). */
  | { kind: "onehot"; cols: number[] }
  /** An integer id column of `cat` (embedding features). */
  | { kind: "cat"; index: number };

export interface CopulaRows {
  /** n x d dense features, row-major. */
  x: Float32Array;
  d: number;
  /** n x catWidth integer ids (embedding features), when the data has them. */
  cat?: Int32Array;
  catWidth?: number;
  /** Class ids (classification: one copula per class) or regression targets (one more numeric column). */
  y: Int32Array | Float32Array;
  task: "classification" | "regression";
  numClasses: number;
}

interface Marginal {
  /** numeric: sorted values; categorical: states in interval order and the intervals' upper ends. */
  sorted?: Float64Array;
  states?: Int32Array;
  upper?: Float64Array;
}

interface ClassCopula {
  n: number;
  marginals: Marginal[];
  /** Lower Cholesky factor of the (shrunk) correlation, p x p row-major. */
  chol: Float64Array;
  /** The class's own correlation before shrinkage (for reports and tests). */
  correlation: Float64Array;
}

export interface CopulaModel {
  columns: CopulaColumn[];
  /** Copula columns per row: the columns above, plus the target for regression. */
  p: number;
  task: "classification" | "regression";
  /** One copula per class (classification; null where a class has no rows) or one (regression). */
  classes: (ClassCopula | null)[];
  d: number;
  catWidth: number;
}

/** Reads state/value j of row i. */
function value(rows: CopulaRows, c: CopulaColumn | "target", i: number): number {
  if (c === "target") return rows.y[i]!;
  if (c.kind === "numeric") return rows.x[i * rows.d + c.col]!;
  if (c.kind === "cat") return rows.cat![i * (rows.catWidth ?? 0) + c.index]!;
  for (let k = 0; k < c.cols.length; k++) if (rows.x[i * rows.d + c.cols[k]!]! > 0.5) return k;
  return c.cols.length; // all zeros: its own state (an unseen or missing category)
}

const EPS = 1e-9;
const clampU = (u: number) => Math.min(1 - EPS, Math.max(EPS, u));

/** Fits the copula on `rows` restricted to `use` (row indices). */
export function fitCopula(rows: CopulaRows, use: Int32Array, columns: CopulaColumn[], seed: number): CopulaModel {
  const cols: (CopulaColumn | "target")[] = rows.task === "regression" ? [...columns, "target"] : [...columns];
  const p = cols.length;
  const groups: number[][] = rows.task === "classification" ? Array.from({ length: rows.numClasses }, () => []) : [[]];
  for (const i of use) groups[rows.task === "classification" ? rows.y[i]! : 0]!.push(i);
  const rand = rngFor(seed, "copula-fit");
  // Normal scores of every class's rows (class-major), kept for the pooled correlation.
  const scores: { n: number; z: Float64Array; marginals: Marginal[] }[] = groups.map((g) => {
    const n = g.length;
    const z = new Float64Array(n * p);
    const marginals: Marginal[] = [];
    for (let j = 0; j < p; j++) {
      const c = cols[j]!;
      const v = Float64Array.from(g, (i) => value(rows, c, i));
      if (c === "target" || c.kind === "numeric") {
        const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => v[a]! - v[b]!);
        const sorted = Float64Array.from(order, (k) => v[k]!);
        for (let a = 0; a < n; ) {
          let b = a;
          while (b + 1 < n && sorted[b + 1] === sorted[a]) b++;
          const u = ((a + b) / 2 + 0.5) / n; // mid-rank of a tie block
          for (let k = a; k <= b; k++) z[order[k]! * p + j] = normalQuantile(clampU(u));
          a = b + 1;
        }
        marginals.push({ sorted });
      } else {
        const counts = new Map<number, number>();
        for (const s of v) counts.set(s, (counts.get(s) ?? 0) + 1);
        const states = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || a - b);
        const upper = new Float64Array(states.length);
        let acc = 0;
        const lowerOf = new Map<number, [number, number]>();
        states.forEach((s, k) => {
          const lo = acc;
          acc += counts.get(s)! / n;
          upper[k] = k === states.length - 1 ? 1 : acc;
          lowerOf.set(s, [lo, upper[k]!]);
        });
        for (let k = 0; k < n; k++) {
          const [lo, hi] = lowerOf.get(v[k]!)!;
          z[k * p + j] = normalQuantile(clampU(lo + (hi - lo) * rand()));
        }
        marginals.push({ states: Int32Array.from(states), upper });
      }
    }
    return { n, z, marginals };
  });
  const total = scores.reduce((a, s) => a + s.n, 0);
  const pooled = correlation(scores.flatMap((s) => (s.n ? [s.z] : [])), p);
  const pooledShrunk = blend(pooled, total, identity(p), p);
  const classes = scores.map((s): ClassCopula | null => {
    if (!s.n) return null;
    const own = correlation([s.z], p);
    return { n: s.n, marginals: s.marginals, correlation: own, chol: cholesky(blend(own, s.n, pooledShrunk, p), p) };
  });
  return { columns, p, task: rows.task, classes, d: rows.d, catWidth: rows.catWidth ?? 0 };
}

/**
 * Draws rows: `counts[c]` of class c (classification) or `counts[0]` rows (regression). Returns dense x (columns
 * the copula does not cover are 0), cat ids, and y.
 */
export function sampleCopula(model: CopulaModel, counts: readonly number[], seed: number): { x: Float32Array; cat: Int32Array | undefined; y: Int32Array | Float32Array; n: number } {
  const m = counts.reduce((a, b) => a + b, 0);
  const { p, d, catWidth } = model;
  const x = new Float32Array(m * d);
  const cat = catWidth ? new Int32Array(m * catWidth) : undefined;
  const y = model.task === "classification" ? new Int32Array(m) : new Float32Array(m);
  const gauss = normals(rngFor(seed, "copula-sample"));
  const g = new Float64Array(p);
  let row = 0;
  counts.forEach((count, c) => {
    if (!count) return;
    const k = model.classes[c];
    if (!k) throw new Error(`the copula has no rows of class ${c} to sample from`);
    for (let r = 0; r < count; r++, row++) {
      for (let j = 0; j < p; j++) g[j] = gauss();
      if (model.task === "classification") y[row] = c;
      for (let j = 0; j < p; j++) {
        let z = 0;
        for (let t = 0; t <= j; t++) z += k.chol[j * p + t]! * g[t]!;
        const u = normalCdf(z);
        const mg = k.marginals[j]!;
        const col = model.columns[j];
        if (mg.sorted) {
          const v = quantileOfSorted(mg.sorted, u);
          if (!col) y[row] = v;
          else x[row * d + (col as { col: number }).col] = v;
        } else {
          let s = 0;
          while (s < mg.upper!.length - 1 && u >= mg.upper![s]!) s++;
          const state = mg.states![s]!;
          if (col!.kind === "cat") cat![row * catWidth + col!.index] = state;
          else if (col!.kind === "onehot" && state < col!.cols.length) x[row * d + col!.cols[state]!] = 1;
        }
      }
    }
  });
  return { x, cat, y, n: m };
}

/** The inverse of the mid-rank empirical CDF: linear between order statistics, clamped to the observed range. */
function quantileOfSorted(s: Float64Array, u: number): number {
  const pos = Math.min(s.length - 1, Math.max(0, u * s.length - 0.5));
  const lo = Math.floor(pos);
  const hi = Math.min(s.length - 1, lo + 1);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

/** Pearson correlation of the columns of the stacked score blocks (rows x p each); a constant column correlates 0. */
function correlation(blocks: Float64Array[], p: number): Float64Array {
  const mean = new Float64Array(p);
  let n = 0;
  for (const z of blocks) {
    const rows = z.length / p;
    n += rows;
    for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) mean[j] += z[i * p + j]!;
  }
  for (let j = 0; j < p; j++) mean[j] /= Math.max(1, n);
  const cov = new Float64Array(p * p);
  for (const z of blocks) {
    const rows = z.length / p;
    for (let i = 0; i < rows; i++)
      for (let a = 0; a < p; a++) {
        const da = z[i * p + a]! - mean[a]!;
        for (let b = a; b < p; b++) cov[a * p + b] += da * (z[i * p + b]! - mean[b]!);
      }
  }
  const out = identity(p);
  for (let a = 0; a < p; a++)
    for (let b = a + 1; b < p; b++) {
      const den = Math.sqrt(cov[a * p + a]! * cov[b * p + b]!);
      const r = den > 1e-12 ? cov[a * p + b]! / den : 0;
      out[a * p + b] = out[b * p + a] = r;
    }
  return out;
}

function identity(p: number): Float64Array {
  const m = new Float64Array(p * p);
  for (let j = 0; j < p; j++) m[j * p + j] = 1;
  return m;
}

/** (n * own + p * toward) / (n + p): shrinkage by the ratio of columns to rows. */
function blend(own: Float64Array, n: number, toward: Float64Array, p: number): Float64Array {
  const w = p / (n + p);
  return own.map((v, i) => (1 - w) * v + w * toward[i]!);
}

/** Lower Cholesky factor; a growing ridge when rounding leaves the matrix not quite positive definite. */
function cholesky(a: Float64Array, p: number): Float64Array {
  for (let ridge = 0; ; ridge = ridge ? ridge * 10 : 1e-10) {
    const l = new Float64Array(p * p);
    let ok = true;
    for (let i = 0; i < p && ok; i++)
      for (let j = 0; j <= i; j++) {
        let s = a[i * p + j]! + (i === j ? ridge : 0);
        for (let k = 0; k < j; k++) s -= l[i * p + k]! * l[j * p + k]!;
        if (i === j) {
          if (!(s > 0)) {
            ok = false;
            break;
          }
          l[i * p + i] = Math.sqrt(s);
        } else l[i * p + j] = s / l[j * p + j]!;
      }
    if (ok) return l;
    if (ridge > 1) throw new Error("the copula's correlation matrix is not positive definite");
  }
}

/** Standard normal draws (Box-Muller, both values used). */
function normals(rand: Rng): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    const u = 1 - rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

/**
 * The copula columns of a tabular data set's encoded features: a numeric feature is a numeric column (its missing
 * indicator a group of one), a one-hot feature one group (with its missing column), an embedding feature a cat
 * column. Without encoders (plain tensors) every dense column is numeric.
 */
export function copulaColumns(d: number, catWidth: number, features?: readonly { kind: "numeric" | "onehot" | "embedding"; missingIndicator?: boolean; categories?: readonly string[] }[]): CopulaColumn[] {
  if (!features) return [...Array.from({ length: d }, (_, col) => ({ kind: "numeric" as const, col })), ...Array.from({ length: catWidth }, (_, index) => ({ kind: "cat" as const, index }))];
  const out: CopulaColumn[] = [];
  let col = 0;
  let index = 0;
  for (const f of features) {
    if (f.kind === "numeric") {
      out.push({ kind: "numeric", col: col++ });
      if (f.missingIndicator) out.push({ kind: "onehot", cols: [col++] });
    } else if (f.kind === "onehot") {
      const w = f.categories!.length + (f.missingIndicator ? 1 : 0);
      out.push({ kind: "onehot", cols: Array.from({ length: w }, (_, k) => col + k) });
      col += w;
    } else out.push({ kind: "cat", index: index++ });
  }
  if (col !== d || index !== catWidth) throw new Error(`the encoders describe ${col} dense and ${index} id columns, the data has ${d} and ${catWidth}`);
  return out;
}
