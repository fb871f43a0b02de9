/**
 * Audit accuracy benchmark (`npm run bench -- audit`): Fashion-MNIST (a seeded subset: POOL training rows, TEST
 * test rows) with 5% and 20% of the pool's labels flipped at random to another class, plus injected exact and
 * near duplicates and train/test leakage. Reports precision and recall of the label-error detector (confident
 * learning on 5-fold out-of-fold probabilities) against the flipped set, next to the baseline "predicted label !=
 * given label"; and the recall of the injected duplicates / near duplicates / leakage. Goals at 5% noise:
 * precision >= 0.8, recall >= 0.6; injections: recall ~1.0. WORTH=1 also measures what removing the flagged
 * labels is worth in samples (at the last noise level; slower: use a smaller POOL). Writes bench/out/audit.json
 * (audit-worth.json with WORTH=1).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { readFashionMnist, type Dataset } from "../src/data/index.js";
import { imageStats } from "../src/data/sources/pixels.js";
import { mulberry32 } from "../src/rng.js";
import { auditDataset, type AuditReport } from "../src/audit/index.js";

const POOL = Number(process.env.POOL ?? 12000);
const TEST = Number(process.env.TEST ?? 3000);
const INJECT = Number(process.env.INJECT ?? 100);
const NOISES = (process.env.NOISES ?? "0.05,0.2").split(",").map(Number);
const D = 28 * 28;

interface Built {
  ds: Dataset;
  flipped: Set<number>;
  dupCopies: number[];
  nearCopies: number[];
  leakExact: number[];
  leakNear: number[];
}

async function build(noise: number, seed: number): Promise<Built> {
  const fm = await readFashionMnist();
  const rng = mulberry32(seed);
  const pick = (rows: Int32Array, k: number) => {
    const a = Int32Array.from(rows);
    for (let i = a.length - 1; i > 0; i--) {
      const j = Math.floor(rng() * (i + 1));
      [a[i], a[j]] = [a[j]!, a[i]!];
    }
    return a.slice(0, k);
  };
  const poolSrc = pick(fm.split.train, POOL);
  const testSrc = pick(fm.split.test, TEST);
  const n = POOL + TEST + 4 * INJECT;
  const x = new Uint8Array(n * D);
  const y = new Int32Array(n);
  let k = 0;
  const put = (src: number, from: Uint8Array = fm.x, label = fm.y[src]!) => {
    x.set(from.subarray(src * D, (src + 1) * D), k * D);
    y[k] = label;
    return k++;
  };
  for (const s of poolSrc) put(s);
  for (const s of testSrc) put(s);
  // label noise on the original pool rows: each flipped to a uniformly chosen other class
  const flipped = new Set<number>();
  for (let i = 0; i < POOL; i++) {
    if (rng() < noise) {
      let c = Math.floor(rng() * 9);
      if (c >= y[i]!) c++;
      y[i] = c;
      flipped.add(i);
    }
  }
  const clean = Int32Array.from({ length: POOL }, (_, i) => i).filter((i) => !flipped.has(i));
  const sources = pick(clean, 4 * INJECT);
  const copy = (src: number, near: boolean) => {
    const row = put(src, x, y[src]!);
    if (near) {
      // a re-encoded / slightly edited copy: ±4 grey levels on a tenth of the pixels
      for (let p = 0; p < D; p++) if (rng() < 0.1) x[row * D + p] = Math.max(0, Math.min(255, x[row * D + p]! + (rng() < 0.5 ? -4 : 4)));
    }
    return row;
  };
  const dupCopies = Array.from(sources.subarray(0, INJECT), (s) => copy(s, false));
  const nearCopies = Array.from(sources.subarray(INJECT, 2 * INJECT), (s) => copy(s, true));
  const leakExact = Array.from(sources.subarray(2 * INJECT, 3 * INJECT), (s) => copy(s, false));
  const leakNear = Array.from(sources.subarray(3 * INJECT, 4 * INJECT), (s) => copy(s, true));
  const isTest = new Uint8Array(n);
  for (let i = POOL; i < POOL + TEST; i++) isTest[i] = 1;
  for (const r of [...leakExact, ...leakNear]) isTest[r] = 1;
  const test = Int32Array.from({ length: n }, (_, i) => i).filter((i) => isTest[i] === 1);
  const pool = Int32Array.from({ length: n }, (_, i) => i).filter((i) => isTest[i] === 0);
  const { mean, std } = imageStats(x, 1, D, pool);
  const ds: Dataset = {
    fingerprint: `bench-audit-${noise}-${seed}`,
    source: "bench:fashion-mnist",
    schema: { kind: "image", task: "classification", target: "label", groups: [], classes: fm.classes, columns: [] },
    tensors: { task: "classification", numClasses: 10, n, x, xShape: [1, 28, 28], xKind: "image", imageMean: mean, imageStd: std, y },
    split: { test, pool },
    groups: {},
    report: { file: "bench", rowsRead: n, rowsKept: n, rowsSkipped: 0, skipped: [], warnings: [] },
  };
  return { ds, flipped, dupCopies, nearCopies, leakExact, leakNear };
}

const pr = (found: Iterable<number>, truth: Set<number>) => {
  const f = new Set(found);
  let tp = 0;
  for (const r of f) if (truth.has(r)) tp++;
  return { flagged: f.size, precision: f.size ? tp / f.size : 0, recall: truth.size ? tp / truth.size : 1 };
};
const recall = (found: number[] | undefined, truth: number[]) => {
  const f = new Set(found ?? []);
  return truth.filter((r) => f.has(r)).length / truth.length;
};

const results: Record<string, unknown>[] = [];
for (const noise of NOISES) {
  const b = await build(noise, 42);
  const t0 = Date.now();
  const rep: AuditReport = await auditDataset(b.ds, null, {
    seed: 0,
    folds: 5,
    maxRows: b.ds.tensors.n,
    ...(process.env.EPOCHS ? { epochs: Number(process.env.EPOCHS) } : {}),
    ...(process.env.WORTH === "1" && noise === NOISES.at(-1) ? { worth: true, curveSeeds: 1 } : {}),
    ...(process.env.DUMP ? { onModelOutputs: (m) => writeFileSync(`${process.env.DUMP}-${noise}.json`, JSON.stringify({ probs: Array.from(m.probs, (v) => +v.toFixed(5)), rows: Array.from(m.rows), y: Array.from(b.ds.tensors.y as Int32Array), flipped: [...b.flipped], pool: POOL })) } : {}),
    onProgress: (p) => process.stderr.write(`\r\x1b[K${p.phase}${p.total ? ` ${p.done}/${p.total}` : ""} ${p.detail ?? ""}`),
  });
  process.stderr.write("\r\x1b[K");
  const rows = (type: string) => rep.issues.find((i) => i.type === type)?.rows;
  // baseline on the same out-of-fold predictions: every pool row whose predicted label differs from the given one
  const labelIssue = rep.issues.find((i) => i.type === "label");
  const baselineRows = (labelIssue?.details.baselineDisagreements as number) ?? 0;
  const poolOriginal = new Set(Array.from({ length: POOL }, (_, i) => i));
  const cl = pr((rows("label") ?? []).filter((r) => poolOriginal.has(r)), b.flipped);
  const base = baselineFlags(rep, b);
  const r = {
    noise,
    pool: POOL,
    test: TEST,
    flipped: b.flipped.size,
    outOfFoldAccuracy: rep.model?.outOfFoldAccuracy,
    confidentLearning: cl,
    baseline: pr(base, b.flipped),
    estimatedNoiseRate: labelIssue?.details.estimatedNoiseRate,
    duplicateRecall: recall(rows("duplicate"), b.dupCopies),
    nearDuplicateRecall: recall(rows("near_duplicate"), b.nearCopies),
    leakageRecallExact: recall(rows("leakage"), b.leakExact),
    leakageRecallNear: recall(rows("leakage"), b.leakNear),
    duplicateFlags: rows("duplicate")?.length ?? 0,
    nearDuplicateFlags: rows("near_duplicate")?.length ?? 0,
    leakageFlags: rows("leakage")?.length ?? 0,
    worth: rep.worth.map((w) => ({ kind: w.kind, multiplier: w.multiplier, sentence: w.sentence })),
    seconds: (Date.now() - t0) / 1000,
    trainSeconds: rep.model?.seconds,
    baselineDisagreements: baselineRows,
  };
  results.push(r);
  console.log(
    `noise ${(noise * 100).toFixed(0)}%: flipped ${r.flipped}; confident learning P ${cl.precision.toFixed(3)} R ${cl.recall.toFixed(3)} (${cl.flagged} flagged) | baseline pred!=given P ${r.baseline.precision.toFixed(3)} R ${r.baseline.recall.toFixed(3)} (${r.baseline.flagged}) | OOF acc ${r.outOfFoldAccuracy} | dup R ${r.duplicateRecall.toFixed(2)} near R ${r.nearDuplicateRecall.toFixed(2)} leak R ${r.leakageRecallExact.toFixed(2)}/${r.leakageRecallNear.toFixed(2)} (exact/near) | ${r.seconds.toFixed(0)} s`,
  );
  for (const w of r.worth) console.log(`  worth: ${w.sentence}`);
}

/** Rows of the original pool whose out-of-fold predicted label differs from the given one. */
function baselineFlags(rep: AuditReport, b: Built): number[] {
  const pred = rep.rowScores.predicted ?? [];
  const y = b.ds.tensors.y as Int32Array;
  const out: number[] = [];
  for (let r = 0; r < POOL; r++) if (pred[r] !== null && pred[r] !== undefined && pred[r] !== y[r]) out.push(r);
  return out;
}

const table = ["| noise | method | flagged | precision | recall |", "| --- | --- | ---: | ---: | ---: |"];
for (const r of results as any[]) {
  table.push(`| ${r.noise * 100}% | confident learning | ${r.confidentLearning.flagged} | ${r.confidentLearning.precision.toFixed(3)} | ${r.confidentLearning.recall.toFixed(3)} |`);
  table.push(`| ${r.noise * 100}% | baseline pred != given | ${r.baseline.flagged} | ${r.baseline.precision.toFixed(3)} | ${r.baseline.recall.toFixed(3)} |`);
}
console.log("\n" + table.join("\n"));
const out = join(dirname(fileURLToPath(import.meta.url)), "out");
mkdirSync(out, { recursive: true });
writeFileSync(join(out, process.env.WORTH === "1" ? "audit-worth.json" : "audit.json"), JSON.stringify({ machine: { cpus: cpus().length, load: loadavg() }, pool: POOL, test: TEST, inject: INJECT, results }, null, 2) + "\n");
