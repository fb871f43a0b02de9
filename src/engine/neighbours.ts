/**
 * Exact nearest neighbours at BLAS speed (native/src/neighbours.cc): blockwise matrix products in double precision
 * over the intra-op threads. Exact, so a duplicate is never missed the way an approximate index can miss it; ties go
 * to the lower row index, as a plain scan finds them.
 */
import { InputError } from "../errors.js";
import { call, engineDefaultThreads, loadAddon } from "./native.js";

export type NeighbourMetric = "cosine" | "euclidean";

export interface Neighbours {
  /** Neighbours kept per row (at most rows - 1 among the rows themselves). */
  k: number;
  /** rows × k neighbour indices, best first; -1 where there are fewer. */
  index: Int32Array;
  /**
   * rows × k scores aligned with index, larger is closer: the dot product (cosine similarity on unit rows) or minus
   * the squared euclidean distance.
   */
  score: Float32Array;
}

export interface NeighbourOptions {
  metric?: NeighbourMetric;
  /** Rows to find neighbours for (nq × d); without it each row of x among the others. */
  query?: Float32Array;
  threads?: number;
}

/** The k nearest rows of x (n × d, row-major) to each query row, or to each row of x (itself excluded). */
export async function nearestRows(x: Float32Array, n: number, d: number, k: number, opts: NeighbourOptions = {}): Promise<Neighbours> {
  if (!Number.isInteger(n) || !Number.isInteger(d) || n < 0 || d < 1 || x.length < n * d) {
    throw new InputError("NEIGHBOURS_SHAPE", `nearestRows: x holds ${x.length} values, not ${n} rows x ${d} dims`);
  }
  const nq = opts.query ? opts.query.length / d : n;
  if (!Number.isInteger(nq)) throw new InputError("NEIGHBOURS_SHAPE", `nearestRows: the query's ${opts.query!.length} values are not rows of ${d} dims`);
  const addon = loadAddon();
  return call(() =>
    addon.nearest({
      x,
      n,
      d,
      k: Math.max(1, Math.floor(k)),
      metric: opts.metric ?? "cosine",
      ...(opts.query ? { query: opts.query, nq } : {}),
      threads: opts.threads ?? engineDefaultThreads(),
    }),
  );
}
