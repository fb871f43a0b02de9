/**
 * Near duplicates: rows almost identical in content (pixels within noise, tabular features within 0.01 standard
 * deviations, text equal after normalising case/space/punctuation) and, for text, rows almost identical in the
 * trained model's embedding space. Exact copies are left to the duplicate check. Pairs that straddle the pool and the test
 * set are also reported as leakage. Runs on the audited sample (kNN is quadratic).
 */
import { categoricalWidth } from "../../data/encoders/categorical.js";
import { numericWidth } from "../../data/encoders/numeric.js";
import type { Dataset } from "../../data/types.js";
import { makeIssue, pct, severityOf, type AuditContext } from "../context.js";
import type { AuditCheck } from "../check.js";
import { contentKeys } from "../features.js";
import { gatherRows, knnCosine, normaliseRows, project } from "../math/knn.js";
import { rngFor, sampleRows } from "../math/stats.js";
import { shuffle } from "../../rng.js";
import type { Issue } from "../types.js";

export interface NearDupOptions {
  /** Cosine similarity of centred pixel vectors (images) above which two rows are near duplicates. */
  imageSim?: number;
  /** RMS difference per standardised feature (tabular) below which two rows are near duplicates. */
  tabularRms?: number;
  /** Cosine similarity of embeddings above which two rows are near duplicates. */
  embedSim?: number;
  maxRows?: number;
}

export async function checkNearDuplicates(ctx: AuditContext, opts: NearDupOptions = {}): Promise<Issue[]> {
  const { ds } = ctx;
  const t = ds.tensors;
  const exact = contentKeys(ctx);
  const pairs = new Map<string, { a: number; b: number; sim: number; space: string }>();
  const addPair = (a: number, b: number, sim: number, space: string) => {
    if (a === b || exact[a] === exact[b]) return;
    const [p, q] = a < b ? [a, b] : [b, a];
    const k = `${p},${q}`;
    if (!pairs.has(k)) pairs.set(k, { a: p, b: q, sim, space });
  };
  // 1. text: equal after normalisation
  if (ds.schema.kind === "text") {
    const loose = contentKeys(ctx, true);
    const first = new Map<number, number>();
    for (let i = 0; i < t.n; i++) {
      const f = first.get(loose[i]!);
      if (f === undefined) first.set(loose[i]!, i);
      else addPair(f, i, 1, "normalised text");
    }
  }
  // 2. content space, on a sample
  const all = Int32Array.from({ length: t.n }, (_, i) => i);
  const rows = ctx.model?.rows ?? sampleRows(all, opts.maxRows ?? 20000, ctx.seed, "near-dup", t.task === "classification" ? (t.y as Int32Array) : undefined);
  const d = t.xShape.reduce((a, b) => a * b, 1);
  if (t.xKind === "image" || t.xKind === "dense") {
    const xs = gatherRows(t.x as ArrayLike<number>, d, rows);
    const m = rows.length;
    if (t.xKind === "image") {
      const thr = opts.imageSim ?? 0.99;
      const full = centreEachRow(xs, m, d);
      const proj = normaliseRows(project(full, m, d, 48, rngFor(ctx.seed, "near-dup-proj")), m, 48);
      const knn = await knnCosine(proj, m, 48, 3);
      for (let i = 0; i < m; i++) {
        for (let k = 0; k < knn.k; k++) {
          const j = knn.index[i * knn.k + k]!;
          if (j < 0 || j < i || knn.sim[i * knn.k + k]! < thr - 0.03) continue;
          let s = 0;
          for (let p = 0; p < d; p++) s += full[i * d + p]! * full[j * d + p]!;
          if (s >= thr) addPair(rows[i]!, rows[j]!, s, "pixels");
        }
      }
    } else {
      // In few dimensions independent rows fall within a fixed distance of each other by chance (two houses with the
      // same city and rooms and nearly the same area). A near copy must be closer than chance allows: the threshold is
      // at most half the closest pair in a null copy of the data whose source columns are shuffled independently.
      // (The null costs a second kNN pass, so it is only built when some pair is within the fixed threshold at all.)
      const rmsMax = opts.tabularRms ?? 0.01;
      const knn = await knnCosine(xs, m, d, 3, "euclidean");
      const close: { i: number; j: number; dist: number }[] = [];
      for (let i = 0; i < m; i++) {
        for (let k = 0; k < knn.k; k++) {
          const j = knn.index[i * knn.k + k]!;
          if (j < 0 || j < i) continue;
          const dist = Math.sqrt(-knn.sim[i * knn.k + k]! / d);
          if (dist <= rmsMax) close.push({ i, j, dist });
        }
      }
      const rms = close.length ? Math.min(rmsMax, 0.5 * (await chanceNearest(xs, m, d, columnBlocks(ds, d), rngFor(ctx.seed, "near-dup-null")))) : rmsMax;
      for (const c of close) if (c.dist <= rms) addPair(rows[c.i]!, rows[c.j]!, 1 - c.dist, "features");
    }
  }
  // 3. embedding space, for text only: there, content hashes miss paraphrases and re-tokenised copies. For pixels
  // and tabular features the content comparison above is exact, while ReLU embeddings of unrelated rows can agree
  // to 0.9995 (measured: 20 false pairs in a 600-row tabular set).
  const mo = ctx.model;
  if (mo && ds.schema.kind === "text") {
    const thr = opts.embedSim ?? 0.9995;
    const u = normaliseRows(mo.embed, mo.rows.length, mo.dim);
    const knn = await knnCosine(u, mo.rows.length, mo.dim, 2);
    for (let i = 0; i < mo.rows.length; i++) {
      const j = knn.index[i * knn.k]!;
      if (j > i && knn.sim[i * knn.k]! >= thr) addPair(mo.rows[i]!, mo.rows[j]!, knn.sim[i * knn.k]!, "embedding");
    }
  }
  if (pairs.size === 0) return [];
  const list = [...pairs.values()].sort((p, q) => q.sim - p.sim);
  // flag the later row of each pair (the one to drop); leakage: the test row of a pool/test pair
  const flagged = new Set<number>();
  const leak = new Set<number>();
  const leakPairs: { test: number; pool: number; similarity: number }[] = [];
  for (const p of list) {
    const ta = ctx.isTest[p.a];
    const tb = ctx.isTest[p.b];
    if (ta !== tb) {
      const test = ta ? p.a : p.b;
      leak.add(ctx.rowId[test]!);
      leakPairs.push({ test: ctx.rowId[test]!, pool: ctx.rowId[ta ? p.b : p.a]!, similarity: Math.round(p.sim * 1e4) / 1e4 });
    }
    flagged.add(ctx.rowId[p.b]!);
  }
  // percentages relative to the rows compared (the audited sample for kNN; every row for text hashing)
  const n = ds.schema.kind === "text" ? t.n : rows.length;
  const bySpace: Record<string, number> = {};
  for (const p of list) bySpace[p.space] = (bySpace[p.space] ?? 0) + 1;
  const out: Issue[] = [
    makeIssue(
      "near_duplicate",
      severityOf(flagged.size / n, 0.05, 0.005),
      [...flagged],
      `${list.length} pair${list.length > 1 ? "s" : ""} of near-identical rows (${Object.entries(bySpace).map(([k, v]) => `${v} by ${k}`).join(", ")}; ${pct(flagged.size / n)} of ${n} rows compared)`,
      { pairs: list.slice(0, 100).map((p) => ({ a: ctx.rowId[p.a]!, b: ctx.rowId[p.b]!, similarity: Math.round(p.sim * 1e4) / 1e4, space: p.space })), bySpace, sampled: rows.length < n ? rows.length : undefined },
      { score: 1 - flagged.size / n },
    ),
  ];
  if (leak.size) {
    out.push(
      makeIssue("leakage", "high", [...leak], `${leak.size} test row${leak.size > 1 ? "s have" : " has"} a near copy in the training pool`, { nearPairs: leakPairs.slice(0, 100) }, { score: 1 - leak.size / Math.max(1, ds.split.test.length) }),
    );
  }
  return out;
}

function centreEachRow(x: Float32Array, m: number, d: number): Float32Array {
  const out = new Float32Array(m * d);
  for (let i = 0; i < m; i++) {
    let mean = 0;
    for (let p = 0; p < d; p++) mean += x[i * d + p]!;
    mean /= d;
    let s = 0;
    for (let p = 0; p < d; p++) {
      const v = x[i * d + p]! - mean;
      out[i * d + p] = v;
      s += v * v;
    }
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let p = 0; p < d; p++) out[i * d + p]! *= inv;
  }
  return out;
}

/** The encoded dense columns of each source column ([start, end) ranges): a one-hot block moves as one. */
function columnBlocks(ds: Dataset, d: number): [number, number][] {
  const enc = ds.encoders;
  if (!enc || enc.kind !== "tabular") return Array.from({ length: d }, (_, j) => [j, j + 1] as [number, number]);
  const out: [number, number][] = [];
  let at = 0;
  for (const f of enc.features) {
    const w = f.kind === "numeric" ? numericWidth(f) : f.kind === "onehot" ? categoricalWidth(f) : 0;
    if (w > 0) out.push([at, at + w]);
    at += w;
  }
  return at === d ? out : Array.from({ length: d }, (_, j) => [j, j + 1] as [number, number]);
}

/**
 * RMS distance per feature of the closest pair in a null copy of the rows: each source column's block shuffled
 * across rows independently, which keeps every column's distribution but breaks any copying between rows.
 */
async function chanceNearest(xs: Float32Array, m: number, d: number, blocks: [number, number][], rand: () => number): Promise<number> {
  if (m < 3) return Infinity;
  const nul = new Float32Array(m * d);
  const perm = Int32Array.from({ length: m }, (_, i) => i);
  for (const [a, b] of blocks) {
    shuffle(perm, rand);
    for (let i = 0; i < m; i++) for (let c = a; c < b; c++) nul[i * d + c] = xs[perm[i]! * d + c]!;
  }
  const knn = await knnCosine(nul, m, d, 1, "euclidean");
  let best = Infinity;
  for (let i = 0; i < m; i++) if (knn.index[i]! >= 0) best = Math.min(best, Math.sqrt(Math.max(0, -knn.sim[i]!) / d));
  return best;
}

export const nearDuplicatesCheck: AuditCheck = {
  name: "near-duplicates",
  title: "near duplicates",
  types: ["near_duplicate", "leakage"],
  needs: [],
  uses: ["raw", "oof"],
  run: async (ctx) => ({ issues: await checkNearDuplicates(ctx, { maxRows: ctx.maxRows }) }),
};
